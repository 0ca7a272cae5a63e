-- Lexicons inside the plugin sandbox: their memory counts against the
-- plugin's limit, ctx.lexicon stays inside the plugin's folder, and it
-- loads each file once per plugin state.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"
local core = require "lector.core"

local TEXT = "Markets fell in Tokyo today. Traders in New York sold shares. Prices recovered later."

-- A plugin whose run is body (doc, opts and ctx in scope), in a fresh
-- folder with the given files. Returns the state and the folder.
local function plugin(body, files, config)
  local dir = H.tmpdir()
  os.execute("mkdir -p " .. H.quote(dir .. "/data"))
  for name, bytes in pairs(files or {}) do H.write(dir .. "/" .. name, bytes) end
  local source = "return { name = 'lex', version = '1.0.0', run = function(doc, opts, ctx)\n"
    .. body .. "\nend }"
  local c = { name = "lex", dir = dir, file = H.write(dir .. "/plugin.lua", source) }
  for k, v in pairs(config or {}) do c[k] = v end
  return assert(core.sandbox(c)), dir
end

local PLACES = "Tokyo\tGPE\nNew York\tGPE\t2\n"
-- Room for the plugin's libraries plus a lexicon of some size.
local LIMIT = 48 * 1024 * 1024

describe("a lexicon in a plugin", function()
  it("counts against the plugin's memory limit; running out fails with kind memory", function()
    local state = plugin([[
      if opts.build then
        kept = lector.lexicon()
        for i = 1, opts.build do kept:add("place " .. i, "GPE", i) end
        doc:set("bytes", kept.bytes)
      elseif opts.bomb then
        for i = 1, 10^8 do kept:add("name " .. i .. " of " .. i * 7, "PERSON") end
      else
        doc:set("after", { size = #kept, label = kept:get "place 7" })
      end]], nil, { memory = LIMIT })
    local small = assert(lector.doc(TEXT))
    assert.is_true(state:run(small, { build = 1000 }))
    local before = state:stats().memory
    local doc = assert(lector.doc(TEXT))
    assert.is_true(state:run(doc, { build = 50000 }))
    local bytes = doc:get "bytes"
    assert.is_true(bytes > 1000000, "a lexicon of 50000 entries holds " .. bytes .. " bytes")
    -- the state's allocator saw the lexicon's memory
    assert.is_true(state:stats().memory - before >= bytes * 0.9,
                   ("state grew by %d bytes for a lexicon of %d"):format(state:stats().memory - before, bytes))

    local ok, message, kind = state:run(assert(lector.doc(TEXT)), { bomb = true })
    assert.is_nil(ok)
    assert.equal("memory", kind, message)
    assert.matches("^plugin lex: ", message)

    -- the plugin's lexicon is intact, and the plugin and lector go on
    local again = assert(lector.doc(TEXT))
    assert.is_true(state:run(again, {}))
    local after = again:get "after"
    assert.equal("GPE", after.label)
    assert.is_true(after.size >= 50000)
    assert.is_true(state:stats().memory <= LIMIT)
    local lex = lector.lexicon()
    lex:add("Tokyo", "GPE")
    local n = 0
    for _ in lex:matches(again) do n = n + 1 end
    assert.equal(1, n)
  end)

  it("is loaded by ctx.lexicon from the plugin's folder without any permission", function()
    local state = plugin([[
      local lex = ctx.lexicon("data/places.tsv", { fold = true })
      for m in lex:matches(doc) do doc:add("place", { start = m.start, stop = m.stop, label = m.label }) end]],
      { ["data/places.tsv"] = PLACES })
    local doc = assert(lector.doc(TEXT))
    assert.is_true(state:run(doc))
    local found = {}
    for span in doc:spans "place" do found[#found + 1] = span.text end
    assert.same({ "Tokyo", "New York" }, found)
  end)

  it("gives the same object for the same path and fold, across runs", function()
    local state = plugin([[
      local a = ctx.lexicon "data/places.tsv"
      local b = ctx.lexicon("data/places.tsv", { fold = false })
      local c = ctx.lexicon("data/places.tsv", { fold = true })
      first = first or a
      doc:set("same", { run = a == b, across = first == a, fold = a ~= c and c.fold and not a.fold })]],
      { ["data/places.tsv"] = PLACES })
    for _ = 1, 2 do
      local doc = assert(lector.doc(TEXT))
      assert.is_true(state:run(doc))
      assert.same({ run = true, across = true, fold = true }, doc:get "same")
    end
  end)

  it("refuses paths that leave the plugin's folder, absolute paths and links", function()
    local outside = H.tmpdir()
    H.write(outside .. "/secret.tsv", "secret\tX\n")
    local state, dir = plugin([[
      local ok, err = pcall(ctx.lexicon, opts.path)
      doc:set("result", ok and "loaded" or err)]], { ["data/places.tsv"] = PLACES })
    os.execute(("ln -s %s %s"):format(H.quote(outside .. "/secret.tsv"), H.quote(dir .. "/data/out.tsv")))
    os.execute(("ln -s %s %s"):format(H.quote(dir .. "/data/places.tsv"), H.quote(dir .. "/data/in.tsv")))
    os.execute(("ln -s %s %s"):format(H.quote(outside), H.quote(dir .. "/data/away")))
    local cases = {
      ["../secret.tsv"] = "leads out of the plugin's folder",
      ["data/../../secret.tsv"] = "leads out of the plugin's folder",
      [outside .. "/secret.tsv"] = "is not a relative path",
      ["data/out.tsv"] = "leads out of the plugin's folder",
      ["data/away/secret.tsv"] = "leads out of the plugin's folder",
      ["data/in.tsv"] = "is a link; plugins may not use links",
      ["data/missing.tsv"] = "No such file",
      ["data"] = "not a regular file",
    }
    for path, why in pairs(cases) do
      local doc = assert(lector.doc(TEXT))
      assert.is_true(state:run(doc, { path = path }))
      local result = doc:get "result"
      assert.matches("ctx.lexicon: ", result, 1, true)
      assert.matches(why, result, 1, true)
    end
    local doc = assert(lector.doc(TEXT))
    assert.is_true(state:run(doc, { path = "data/places.tsv" }))
    assert.equal("loaded", doc:get "result")
  end)

  it("reports a bad line with the file's name and line number", function()
    local state = plugin("ctx.lexicon 'data/bad.tsv'", { ["data/bad.tsv"] = "Tokyo\tGPE\n\nOsaka\n" })
    local ok, message, kind = state:run(assert(lector.doc(TEXT)))
    assert.is_nil(ok)
    assert.equal("error", kind)
    assert.matches("data/bad.tsv:3: no label", message, 1, true)
  end)
end)
