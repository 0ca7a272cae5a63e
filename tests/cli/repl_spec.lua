-- `lector repl` with standard input that is not a terminal: statements are
-- read without prompts or colors and results print the same way as on a
-- terminal. (tests/unit/test_repl_pty.c drives it on a pseudo-terminal.)
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"

local EXIT_FAILURE, EXIT_USAGE, EXIT_INPUT = 1, 2, 3

local function repl(input, args, opts)
  opts = opts or {}
  opts.stdin = input
  local argv = { "repl" }
  for _, a in ipairs(args or {}) do argv[#argv + 1] = a end
  return H.lector(argv, opts)
end

describe("lector repl (standard input)", function()
  it("prints expression results, nil included, and nothing for statements", function()
    local r = repl "1 + 1\nnil\nx = 3\nx, x * 2\n'abc'\nprint('printed')\n{}\ntrue, 2.5\n"
    assert.are.equal(0, r.code, r.err)
    assert.are.equal("2\nnil\n3\t6\n\"abc\"\nprinted\n{}\ntrue\t2.5\n", r.out)
    assert.are.equal("", r.err)
  end)

  it("continues an incomplete chunk on the next lines", function()
    local r = repl(table.concat({
      "function sq(x)", "  return x * x", "end", "sq(7)",
      "t = {", "  a = 1,", "}", "t.a",
      "if t.a == 1 then", "  print('yes')", "end",
      "s = [[first", "second]]", "#s",
      "(", "  40 + 2", ")",
    }, "\n") .. "\n")
    assert.are.equal(0, r.code, r.err)
    assert.are.equal("49\n1\nyes\n12\n42\n", r.out)
  end)

  it("shows an error with its traceback and goes on; the exit code is then 1", function()
    local r = repl "local function f() error('boom') end f()\n1 + 2\nlocal = 1\n3 + 4\n"
    assert.are.equal(EXIT_FAILURE, r.code)
    assert.are.equal("3\n7\n", r.out)
    assert.matches("stdin:1: boom\nstack traceback:\n", r.err, 1, true)
    assert.matches("in local 'f'", r.err, 1, true)
    assert.matches("stdin:1: <name> expected near '='", r.err, 1, true)
    -- the REPL's own frames are left out of the traceback
    assert.is_nil(r.err:find("repl.lua", 1, true))
  end)

  it("reports a chunk left open at the end of the input", function()
    local r = repl "function f()\n  return 1\n"
    assert.are.equal(EXIT_FAILURE, r.code)
    assert.matches("'end' expected", r.err, 1, true)
  end)

  it("prints nested tables indented, marks cycles and cuts long values", function()
    local r = repl(table.concat({
      "t = {1, 2, name = 'x', nested = {deep = {true}}}; t.self = t; return t",
      "string.rep('a', 1000)",
      "big = {}; for i = 1, 120 do big[i] = {i, tostring(i)} end; return big",
    }, "\n") .. "\n")
    assert.are.equal(0, r.code, r.err)
    local lines = H.lines(r.out)
    assert.matches('^{ 1, 2, name = "x", nested = { deep = { true } }, self = <cycle: table: [^>]+> }$', lines[1])
    assert.matches('^"a+…" %(1000 bytes, cut%)$', lines[2])
    assert.matches("… 70 more", r.out, 1, true)
    assert.matches("\n  { 1, \"1\" },\n", r.out, 1, true)
  end)

  it("shows a Document as a header and spans and rows as aligned tables", function()
    local doc = assert(lector.load(H.article))
    local stats = doc:stats()
    local r = repl(table.concat({
      ":run entities",
      "doc",
      "list(doc:spans 'entity')",
      ":open :memory:",
      "db:save(doc)",
      ":sql select count(*) as n, max(length(cast(text as blob))) as bytes from documents",
      "db:query('select 1 as one, 2 as two')",
    }, "\n") .. "\n", { H.article })
    assert.are.equal(0, r.code, r.err)
    -- the header: title, counts, layers and values present
    assert.matches("Document " .. H.article, r.out, 1, true)
    assert.matches("title    " .. doc.title, r.out, 1, true)
    assert.matches(string.format("%d sentences, %d tokens", stats.sentences, stats.tokens), r.out, 1, true)
    local n = r.out:match "spans added: entity %+(%d+)"
    assert.truthy(tonumber(n) > 10)
    assert.matches("layers   entity (" .. n .. ")", r.out, 1, true)
    assert.matches("values   entities", r.out, 1, true)
    -- the span table: a header, then aligned rows; the first entity is the first word
    assert.matches("\ntext +label +start +end +attrs\n", r.out)
    local first = doc:token(1)
    assert.matches("\n" .. first.text .. " +GPE +" .. first.start .. " +" .. first.stop .. " +canonical=", r.out)
    assert.matches("… " .. (tonumber(n) - 20) .. " more rows (" .. n .. " in all)", r.out, 1, true)
    -- :sql and query rows
    -- (db:query rows do not keep the column order: columns sort by name)
    assert.matches("\nbytes +n\n *" .. #doc.text .. " +1\n", r.out)
    assert.matches("\none +two\n  1 +2\n", r.out)
  end)

  it("loads FILE as doc and opens --db PATH as db", function()
    local dir = H.tmpdir()
    local r = repl("doc.title\ndb.path\n#db:query('select * from documents')\n",
      { H.article, "--db", dir .. "/x.db" })
    assert.are.equal(0, r.code, r.err)
    local doc = assert(lector.load(H.article))
    assert.are.equal(string.format("%q\n%q\n0\n", doc.title, dir .. "/x.db"), r.out)
  end)

  it(":load makes doc, :trace shows what a pass added per sentence", function()
    local r = repl(":load " .. H.article .. "\n:trace entities\n#doc:layers()\n")
    assert.are.equal(0, r.code, r.err)
    assert.matches("pass entities +ok +[%d.]+ ms", r.out)
    assert.matches("\nsentence 1: Russia Reiterates", r.out)
    local spans, sentences = r.out:match "\n(%d+) spans added in (%d+) sentences %(entity %+%d+%)"
    assert.truthy(tonumber(spans) > tonumber(sentences))
    assert.matches("\nvalue entities = {", r.out, 1, true)
    assert.matches("\n1\n$", r.out)
  end)

  it("runs a pass again on a fresh copy instead of adding its spans twice", function()
    local r = repl(":load " .. H.article .. "\n:run entities\nn = #list(doc:spans())\n:run entities\n#list(doc:spans()) == n\n")
    assert.are.equal(0, r.code, r.err)
    assert.matches("fresh copy", r.out, 1, true)
    assert.matches("\ntrue\n$", r.out)
  end)

  it("has :help, :plugins, :time and says what is wrong with a command", function()
    local r = repl(":help\n:help keys\n:help sql\n:plugins\n:time #string.rep('x', 1e6)\n"
      .. ":run entities\n:sql select 1\n:bogus\n:load /no/such/file.txt\n")
    assert.are.equal(EXIT_FAILURE, r.code)
    for _, command in ipairs { ":load FILE", ":open DB", ":run PLUGIN", ":trace PLUGIN", ":plugins",
        ":sql QUERY", ":time EXPR", ":quit" } do
      assert.matches(command, r.out, 1, true)
    end
    assert.matches("Ctrl-R", r.out, 1, true)
    assert.matches(":sql QUERY\n  run one SQL statement", r.out, 1, true)
    assert.matches("\n%* entities +%d", r.out)
    assert.matches("\n1000000\ntime [%d.]+ [µm]?s %(cpu", r.out)
    assert.matches("peak [%d.]+ [KM]iB above the start", r.out)
    assert.matches("no document: ':load FILE' first", r.err, 1, true)
    assert.matches("no database: ':open DB' first", r.err, 1, true)
    assert.matches("unknown command ':bogus'", r.err, 1, true)
    assert.matches("/no/such/file.txt: ", r.err, 1, true)
    -- user mistakes in commands are not bugs: no traceback
    assert.is_nil(r.err:find("traceback", 1, true))
  end)

  it(":quit leaves before the rest of the input", function()
    local r = repl "1\n:quit\n2\n"
    assert.are.equal(0, r.code, r.err)
    assert.are.equal("1\n", r.out)
  end)

  it("uses no colors off a terminal, and lector.pretty colors only when asked", function()
    local r = repl("doc\n{1, 'x'}\nprint(lector.pretty({1, 'x'}, {color = true}))\n",
      { H.article }, { env = "TERM=xterm" })
    assert.are.equal(0, r.code, r.err)
    local plain, colored = r.out:match "^(.*)\n([^\n]*)\n$"
    assert.is_nil(plain:find("\27[", 1, true))
    assert.matches('\27[32m"x"\27[0m', colored, 1, true)
    local no_color = repl("{1, 'x'}\n", nil, { env = "NO_COLOR=1" })
    assert.are.equal('{ 1, "x" }\n', no_color.out)
  end)

  it("refuses a missing FILE and a second FILE", function()
    assert.are.equal(EXIT_INPUT, repl("", { "/no/such/article.txt" }).code)
    assert.are.equal(EXIT_USAGE, repl("", { H.article, H.article }).code)
    local help = H.lector { "repl", "--help" }
    assert.are.equal(0, help.code)
    assert.matches("Usage: lector repl", help.out, 1, true)
    assert.matches("repl [FILE]", H.lector({ "--help" }).out, 1, true)
  end)
end)
