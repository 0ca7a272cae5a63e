-- `lector run`: user scripts with the lector module, arguments and errors.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")

describe("lector run", function()
  it("runs a script with lector loaded and arg set", function()
    local script = H.write(H.tmpdir() .. "/count.lua", [[
      local lector = require "lector"
      local doc = assert(lector.load(arg[1]))
      print(arg[0]:match("[^/]+$"), select("#", ...), doc:stats().sentences > 30)
      local lpeg, re = require "lpeg", require "re"
      print(re.match("Su-30", "{%a+} '-' {%d+}"))
    ]])
    local r = H.lector { "run", script, H.article, "extra" }
    assert.equal(0, r.code, r.err)
    assert.equal("count.lua\t2\ttrue\nSu\t30\n", r.out)
  end)

  it("reports a script error with file, line and traceback, exit 1", function()
    local dir = H.tmpdir()
    H.write(dir .. "/broken.lua", "local x = 1\nlocal function f() error('boom') end\nf()\n")
    local r = H.lector({ "run", "broken.lua" }, { cwd = dir })
    assert.equal(1, r.code)
    assert.matches("lector: broken.lua:2: boom\nstack traceback:\n", r.err, 1, true)
    assert.matches("broken.lua:3: in main chunk", r.err, 1, true)
  end)

  it("reports a syntax error with its line", function()
    local dir = H.tmpdir()
    H.write(dir .. "/syntax.lua", "print('ok')\nlocal = 3\n")
    local r = H.lector({ "run", "syntax.lua" }, { cwd = dir })
    assert.equal(1, r.code)
    assert.equal("lector: syntax.lua:2: <name> expected near '='\n", r.err)
    assert.equal("", r.out)
  end)

  it("commits a store's pending saves when the script calls os.exit", function()
    local dir = H.tmpdir()
    local script = H.write(dir .. "/exit-after-save.lua", [[
      local lector = require "lector"
      local db = assert(lector.open(arg[1]))
      for i = 1, 5 do db:save(assert(lector.doc("Document " .. i .. ".", { id = "d" .. i }))) end
      os.exit(0)
    ]])
    assert.equal(0, H.lector({ "run", script, dir .. "/a.db" }).code)
    local count = H.write(dir .. "/count.lua", [[
      print(require("lector").open(arg[1]):query("select count(*) as n from documents")[1].n)
    ]])
    assert.equal("5\n", H.lector({ "run", count, dir .. "/a.db" }).out)
  end)

  it("passes os.exit codes through", function()
    local script = H.write(H.tmpdir() .. "/exit.lua", "os.exit(7)")
    assert.equal(7, H.lector({ "run", script }).code)
  end)

  it("says when the script is missing", function()
    local r = H.lector { "run", "/no/such/script.lua" }
    assert.equal(1, r.code)
    assert.matches("cannot open /no/such/script.lua", r.err, 1, true)
    assert.equal(2, H.lector({ "run" }).code)
  end)
end)
