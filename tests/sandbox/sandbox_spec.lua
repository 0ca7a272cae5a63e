-- The plugin sandbox: a well-behaved plugin end to end, the exact
-- environment a plugin sees, and one test per threat in docs/sandbox.md
-- (T1 ... T13). Hostile plugins are written into fresh folders.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"
local core = require "lector.core"

local TEXT = "Markets fell in Tokyo today. Traders sold shares. Prices recovered later."
local SMALL = 2 * 10^6   -- an instruction budget that keeps runaway tests short
-- The smallest budget counted from a call's 10th to 20th millisecond on rather than
-- from its start (LECTOR_PLUGIN_LATE_HOOK_BUDGET in core/lector_limits.h).
local LATE = 10^7

-- Write source as plugin.lua in a fresh folder and open it in a sandbox.
-- Returns state, message, kind, folder.
local function sandbox(source, opts)
  local dir = H.tmpdir()
  local config = { name = "hostile", dir = dir, file = H.write(dir .. "/plugin.lua", source) }
  for k, v in pairs(opts or {}) do config[k] = v end
  local state, message, kind = core.sandbox(config)
  return state, message, kind, dir
end

-- A plugin whose run is body (with doc, opts and ctx in scope).
local function with_run(body)
  return "return { name = 'hostile', version = '1.0.0', run = function(doc, opts, ctx)\n"
    .. body .. "\nend }"
end

-- Run body in a fresh sandbox on a fresh document: ok, message, kind, doc, state.
local function run(body, opts, run_opts)
  local state = assert(sandbox(with_run(body), opts))
  local doc = assert(lector.doc(TEXT))
  local ok, message, kind = state:run(doc, run_opts)
  return ok, message, kind, doc, state
end

describe("a well-behaved plugin", function()
  local source = [[
    local words = require "words"
    print("loading", words.name)
    return {
      name = "marker", version = "1.2.0", kind = "extract", description = "marks sentences",
      requires = { "base >= 1.0" }, provides = { "sentence_mark" },
      options = { label = { type = "string", default = "S", description = "the label" } },
      permissions = { "read" },
      run = function(doc, opts, ctx)
        ctx.log("run", ctx.name, ctx.version)
        local lexicon = assert(ctx.read("data/lexicon.txt"))
        for s in doc:sentences() do
          doc:add("sentence_mark", { start = s.start, stop = s.stop, label = opts.label })
        end
        doc:set("lexicon", lexicon:match "%a+")
        doc:set("dir_is_string", type(ctx.dir) == "string")
        opts.label = "changed"
      end,
    }
  ]]

  local function open()
    local state, message, kind, dir = sandbox(source, { name = "marker", permissions = { read = true } })
    return state, message, kind, dir
  end

  it("is loaded, its manifest read back as plain data", function()
    local dir = H.tmpdir()
    H.write(dir .. "/words.lua", "return { name = 'words' }")
    local state = assert(core.sandbox { name = "marker", dir = dir,
                                        file = H.write(dir .. "/plugin.lua", source) })
    local m = state:manifest()
    assert.equal("marker", m.name)
    assert.equal("1.2.0", m.version)
    assert.equal("function", m.run)
    assert.same({ "base >= 1.0" }, m.requires)
    assert.equal("string", m.options.label.type)
    assert.is_nil(getmetatable(m))
    assert.same({ "loading\twords" }, state:logs())
    state:close()
    assert.error_matches(function() state:manifest() end, "closed plugin state")
  end)

  it("runs on a document: spans and values are visible to the trusted state, stamped with the run", function()
    local state, message, _, dir = open()
    assert.is_nil(state, "words.lua is still missing")
    assert.matches("module 'words' not found", message)
    H.write(dir .. "/words.lua", "return { name = 'words' }")
    os.execute("mkdir -p " .. H.quote(dir .. "/data"))
    H.write(dir .. "/data/lexicon.txt", "tokyo\nshares\n")
    state = assert(core.sandbox { name = "marker", dir = dir, file = dir .. "/plugin.lua",
                                  permissions = { "read" } })
    local doc = assert(lector.doc(TEXT))
    local opts = { label = "SENT" }
    assert.is_true(state:run(doc, opts, { run_id = 42 }))
    assert.equal("SENT", opts.label)   -- the plugin changed its own copy only
    local n = 0
    for span in doc:spans "sentence_mark" do
      n = n + 1
      assert.equal("SENT", span.label)
      assert.equal(42, span.run_id)
    end
    assert.equal(3, n)
    assert.equal("tokyo", doc:get "lexicon")
    assert.is_true(doc:get "dir_is_string")
    assert.same({ "run\tmarker\t1.2.0" }, state:logs())
    local stats = state:stats()
    assert.is_true(stats.memory > 0 and stats.peak >= stats.memory)
    local into = { instructions = -1, other = "kept" }
    assert.equal(into, state:stats(into))
    assert.same({ instructions = stats.instructions, memory = stats.memory, peak = stats.peak,
      other = "kept" }, into)
    assert.error_matches(function() state:stats "no" end, "table expected, got string")
    -- spans added by the trusted state afterwards carry no run
    doc:add("note", { start = 0, stop = 7 })
    for span in doc:spans "note" do assert.equal(0, span.run_id) end
  end)

  it("cannot keep using a document after its run", function()
    local state = assert(sandbox(with_run [[
      if opts.second then kept:add("late", { start = 0, stop = 1 }) else kept = doc end]]))
    local first, second = assert(lector.doc(TEXT)), assert(lector.doc(TEXT))
    assert.is_true(state:run(first))
    local ok, message, kind = state:run(second, { second = true })
    assert.is_nil(ok)
    assert.equal("error", kind)
    assert.matches("document was released", message)
    assert.equal(0, first:stats().spans)
  end)

  it("can close its document, even from code a method of it calls back", function()
    local ok, message, _, doc = run [[
      local span = doc:add("early", setmetatable({ start = 0, stop = 7 }, { __index = function(_, k)
        if k == "label" then local mine <close> = doc end
      end }))
      local alive, err = pcall(function() return span.text end)
      assert(not alive and err:find "its document was released", err)]]
    assert.is_true(ok, message)
    for span in doc:spans "early" do assert.equal("Markets", span.text) end
    assert.equal(1, doc:stats().spans)

    ok, message = run [[
      local tokens = doc:stats().tokens
      local m = lector.matcher()
      m:add("T", { { pattern = lpeg.Cmt(lpeg.P(1) ^ 1, function()
        local mine <close> = doc
        return true
      end) } })
      assert(m:count(doc) == tokens)
      assert(not pcall(m.count, m, doc))]]
    assert.is_true(ok, message)
  end)

  it("reports failures with the plugin's name, the kind and a traceback", function()
    local ok, message, kind = run "local x = nil; return x.field"
    assert.is_nil(ok)
    assert.equal("error", kind)
    assert.matches("^plugin hostile: ", message)
    assert.matches("attempt to index", message)
    assert.matches("stack traceback", message)

    local state, syntax, skind = sandbox "return {"
    assert.is_nil(state)
    assert.equal("syntax", skind)
    assert.matches("^plugin hostile: .*plugin.lua", syntax)

    state, message, kind = sandbox "return 42"
    assert.is_nil(state)
    assert.equal("manifest", kind)
    assert.matches("must return a table %(it returned number%)", message)

    state = assert(sandbox "return { run = 'not a function' }")
    ok, message, kind = state:run(assert(lector.doc(TEXT)))
    assert.is_nil(ok)
    assert.equal("error", kind)
    assert.matches("run is not a function", message)
  end)
end)

describe("one call after another", function()
  -- A plugin that records, on each document, what it got and whether its
  -- options and ctx are the tables of the call before, then changes them
  -- as doc:get "change" asks.
  local recorder = with_run [[
    local shape = {}
    for k, v in pairs(opts) do shape[#shape + 1] = tostring(k) .. "=" .. (type(v) == "table" and "table" or tostring(v)) end
    table.sort(shape)
    doc:set("opts", table.concat(shape, " "))
    doc:set("opts_meta", getmetatable(opts) ~= nil)
    doc:set("same_opts", rawequal(opts, last_opts))
    doc:set("same_ctx", rawequal(ctx, last_ctx))
    doc:set("ctx", string.format("%s %s %s %s %s", ctx.name, tostring(ctx.version), ctx.log == print,
      ctx.mark, getmetatable(ctx) ~= nil))
    last_opts, last_ctx = opts, ctx
    local change = doc:get "change"
    if change then
      assert(load(change, "change", "t", setmetatable({ opts = opts, ctx = ctx }, { __index = _ENV })))()
    end]]

  local function call(state, opts, change)
    local doc = assert(lector.doc(TEXT))
    if change then doc:set("change", change) end
    assert.is_true(state:run(doc, opts))
    return doc
  end

  it("never shows a plugin on one document what it wrote into its opts on another", function()
    local state = assert(sandbox(recorder))
    local opts = { label = "S", words = { "a", "b" }, same = { "a", "b" }, deep = { inner = { n = 1 } } }
    local changes = {
      "opts.label = 'changed'",
      "opts.extra = true",
      "opts.label = nil",
      "opts.words[1] = 'z'",
      "opts.words[3] = 'c'",
      "opts.deep.inner.n = 2",
      "opts.same = opts.words",                 -- one table reached twice
      "opts.deep.inner = opts.deep.inner; opts.deep.also = opts.deep.inner",
      "setmetatable(opts, { __index = function() return 'x' end })",
      "setmetatable(opts.words, {})",
      "opts[opts] = 1",
      "opts.label = 'S\\0'",
    }
    local first = call(state, opts)
    assert.equal("deep=table label=S same=table words=table", first:get "opts")
    for _, change in ipairs(changes) do
      call(state, opts, change)
      local after = call(state, opts, [[
        assert(opts.label == "S" and opts.extra == nil and opts[opts] == nil, "label")
        assert(#opts.words == 2 and opts.words[1] == "a" and getmetatable(opts.words) == nil, "words")
        assert(opts.deep.inner.n == 1 and opts.deep.also == nil, "deep")
        assert(opts.same ~= opts.words and #opts.same == 2, "shared")]])
      assert.equal("deep=table label=S same=table words=table", after:get "opts", change)
      assert.is_false(after:get "opts_meta", change)
      assert.is_false(after:get "same_opts", change)   -- a new copy after each change
    end
    assert.equal("S", opts.label)
    assert.same({ "a", "b" }, opts.words)
    assert.equal(1, opts.deep.inner.n)
  end)

  it("hands unchanged options on, and sees every change the caller makes", function()
    local state = assert(sandbox(recorder))
    local opts = { n = 1, x = 0.5, flag = true, list = { "a" } }
    call(state, opts)
    assert.is_true(call(state, opts):get "same_opts")
    assert.is_true(call(state, { n = 1, x = 0.5, flag = true, list = { "a" } }):get "same_opts")
    local function sees(change, expected)
      change(opts)
      local doc = call(state, opts)
      assert.is_false(doc:get "same_opts")
      assert.equal(expected, doc:get "opts")
      assert.is_true(call(state, opts):get "same_opts")
    end
    sees(function(o) o.n = 2 end, "flag=true list=table n=2 x=0.5")
    sees(function(o) o.n = 2.0 end, "flag=true list=table n=2.0 x=0.5")
    sees(function(o) o.x = -0.0 end, "flag=true list=table n=2.0 x=-0.0")
    sees(function(o) o.flag = false end, "flag=false list=table n=2.0 x=-0.0")
    sees(function(o) o.flag = "true" end, "flag=true list=table n=2.0 x=-0.0")
    sees(function(o) o[1] = print end, "1=function flag=true list=table n=2.0 x=-0.0")
    sees(function(o) o[1] = nil; o[true] = "t" end, "flag=true list=table n=2.0 true=t x=-0.0")
    local doc = call(state, opts, "assert(opts.list[1] == 'a')")
    opts.list[1] = "b"
    doc = call(state, opts, "assert(opts.list[1] == 'b')")
    assert.is_false(doc:get "same_opts")
    -- no options: an empty table, kept the same way
    assert.equal("", call(state, nil):get "opts")
    assert.is_true(call(state, nil):get "same_opts")
    call(state, nil, "opts.n = 1")
    doc = call(state, nil)
    assert.equal("", doc:get "opts")
    assert.is_false(doc:get "same_opts")
  end)

  it("copies options too large to keep for every call, still unchanged by the plugin", function()
    local state = assert(sandbox(recorder))
    local opts = {}
    for i = 1, 100 do opts["k" .. i] = i end
    call(state, opts)
    local doc = call(state, opts, "opts.k1 = 'changed'; opts.new = 1")
    assert.is_false(doc:get "same_opts")
    doc = call(state, opts, "assert(opts.k1 == 1 and opts.new == nil)")
    assert.is_false(doc:get "same_opts")
  end)

  it("never shows a plugin on one document what it wrote into its ctx on another", function()
    local state = assert(sandbox(recorder))
    local expected = "hostile 1.0.0 true nil false"
    assert.equal(expected, call(state):get "ctx")
    assert.is_true(call(state):get "same_ctx")
    for _, change in ipairs {
      "ctx.mark = 1", "ctx.log = nil", "ctx.log = ctx.read", "ctx.name = 'other'",
      "ctx.version = '2.0.0'", "setmetatable(ctx, {})", "ctx[ctx] = true",
    } do
      call(state, nil, change)
      local doc = call(state)
      assert.equal(expected, doc:get "ctx", change)
      assert.is_false(doc:get "same_ctx", change)
    end
  end)

  it("gives ctx.version the manifest's version at each call", function()
    local state = assert(sandbox [[
      local manifest
      manifest = { name = "m", version = "1.0.0", run = function(doc, opts, ctx)
        doc:set("version", ctx.version or "none")
        manifest.version = doc:get "next"
      end }
      return manifest]])
    local versions = {}
    for _, next in ipairs { "1.0.0", "2.0.0", false, "3.0.0" } do
      local doc = assert(lector.doc(TEXT))
      if next then doc:set("next", next) end
      assert.is_true(state:run(doc))
      versions[#versions + 1] = doc:get "version"
    end
    assert.same({ "1.0.0", "1.0.0", "2.0.0", "none" }, versions)
  end)

  it("logs only what the last call logged", function()
    local state = assert(sandbox(with_run "if doc:get 'say' then print(doc:get 'say') ctx.log('and') end"))
    local function logs_of(say)
      local doc = assert(lector.doc(TEXT))
      if say then doc:set("say", say) end
      assert.is_true(state:run(doc))
      return state:logs()
    end
    assert.same({}, logs_of())
    assert.same({ "hi", "and" }, logs_of "hi")
    assert.same({}, logs_of())
    assert.same({}, state:logs())
    local logs = state:logs()
    logs[1] = "mine"
    assert.same({}, state:logs())
  end)
end)

describe("the sandbox environment", function()
  it("holds exactly the allowed globals", function()
    local state = assert(sandbox(with_run [[
      local names = {}
      for k in pairs(_ENV) do names[#names + 1] = k end
      table.sort(names)
      doc:set("globals", names)
      local os_names = {}
      for k in pairs(os) do os_names[#os_names + 1] = k end
      table.sort(os_names)
      doc:set("os", os_names)
      doc:set("lector", { lector.version, lector.json.encode { a = 1 }, lector.json.decode "[1,2]" })]]))
    local doc = assert(lector.doc(TEXT))
    assert.is_true(state:run(doc))
    assert.same({ "_VERSION", "assert", "collectgarbage", "coroutine", "error", "getmetatable",
                  "ipairs", "lector", "load", "lpeg", "math", "next", "os", "pairs", "pcall",
                  "print", "rawequal", "rawget", "rawlen", "rawset", "re", "require", "select",
                  "setmetatable", "string", "table", "tonumber", "tostring", "type", "utf8",
                  "xpcall" }, doc:get "globals")
    assert.same({ "clock", "date", "time" }, doc:get "os")
    assert.same({ lector.version, '{"a":1}', { 1, 2 } }, doc:get "lector")
  end)

  it("gives lpeg and re through require and as globals", function()
    local ok, message, _, doc = run [[
      assert(require "lpeg" == lpeg and require "re" == re)
      doc:set("re", re.match("hello world", "{%a+}"))
      doc:set("lpeg", lpeg.match(lpeg.C(lpeg.R "az" ^ 1), "abc1"))]]
    assert.is_true(ok, message)
    assert.equal("hello", doc:get "re")
    assert.equal("abc", doc:get "lpeg")
  end)
end)

describe("threats", function()
  it("T1 escape through io, os, package, C modules, files: none is reachable", function()
    local ok, message = run [[
      assert(io == nil and package == nil and dofile == nil and loadfile == nil and debug == nil)
      assert(os.execute == nil and os.getenv == nil and os.remove == nil and os.exit == nil)
      assert(require == require and not pcall(require, "io"))
      for _, name in ipairs { "io", "os", "debug", "package", "cjson", "lector.core", "../plugin",
                              "/etc/passwd", "lector.cli" } do
        local ok, err = pcall(require, name)
        assert(not ok and err:find("not found", 1, true), name)
      end
      assert(lector.open == nil and lector.load == nil and lector.read == nil and lector.core == nil)
      print("to the log, not stdout")]]
    assert.is_true(ok, message)

    -- reading files: only under the plugin's folder, only with the permission
    local state, _, _, dir = sandbox(with_run [[
      local results = {}
      for _, path in ipairs { "/etc/passwd", "../outside.txt", "link/outside.txt", "inside.txt" } do
        local data, err = ctx.read(path)
        results[#results + 1] = data or ("refused: " .. err)
      end
      doc:set("results", results)]], { permissions = { read = true } })
    local outside = H.tmpdir()
    H.write(outside .. "/outside.txt", "secret")
    H.write(dir .. "/inside.txt", "mine")
    os.execute("ln -s " .. H.quote(outside) .. " " .. H.quote(dir .. "/link"))
    local doc = assert(lector.doc(TEXT))
    assert.is_true(state:run(doc))
    local results = doc:get "results"
    assert.matches("^refused: .*not a relative path", results[1])
    assert.matches("^refused: .*leads out", results[2])
    assert.matches("^refused: .*leads out", results[3])
    assert.equal("mine", results[4])

    local ok2, message2, kind2 = run "return ctx.read('inside.txt')"
    assert.is_nil(ok2)
    assert.equal("error", kind2)
    assert.matches("permission 'read' not granted to plugin hostile; grant it with %-%-allow hostile:read",
                   message2)
  end)

  it("T2 the debug library is absent and the budget hook cannot be removed", function()
    local ok, message = run [[
      assert(debug == nil)
      assert(not pcall(require, "debug"))
      assert(getmetatable("") == false)]]
    assert.is_true(ok, message)
    -- a coroutine created inside the plugin runs under the same hook
    local ok2, message2, kind2 = run([[
      local co = coroutine.wrap(function() while true do end end)
      co()]], { instructions = SMALL })
    assert.is_nil(ok2)
    assert.equal("instructions", kind2)
    assert.matches("instruction limit exceeded", message2)
  end)

  it("T3 load is text only in the plugin's environment and string.dump is gone", function()
    local ok, message = run [[
      assert(string.dump == nil and ("").dump == nil)
      local f, err = load("\27Lua\84\0garbage", "x", "b")
      assert(f == nil and err:find("binary", 1, true), err)
      local g = assert(load("return secret_global"))
      secret_global = 7
      assert(g() == 7, "loaded code sees the plugin's globals")
      local h = assert(load("return print", "h", "bt", {}))
      assert(h() == nil, "an explicit env is used")]]
    assert.is_true(ok, message)
  end)

  it("T4 memory bombs stop at the plugin's memory limit and the process goes on", function()
    local limits = { memory = 8 * 2^20, instructions = 10^8 }
    local bombs = {
      rep = "local s = string.rep('x', 2^40)",
      rep_method = "local s = ('x'):rep(2^30, 'yy')",
      table_growth = "local t = {} for i = 1, 1e9 do t[i] = i end",
      concat = "local s = 'x' while true do s = s .. s end",
      results = "local big = string.rep('x', 2^20) for i = 1, 100 do doc:add('x', {start = 0, stop = 1, attrs = {big = big}}) end",
    }
    for name, body in pairs(bombs) do
      local ok, message, kind = run(body, limits)
      assert.is_nil(ok, name)
      assert.equal("memory", kind, name .. ": " .. tostring(message))
      assert.matches("^plugin hostile: ", message, 1, name)
      assert.matches("memory limit exceeded %(8388608 bytes%)", message, 1, name)
    end
    local ok, message = run [[
      assert(type(collectgarbage("count")) == "number")
      assert(not pcall(collectgarbage, "stop"))
      assert(not pcall(collectgarbage))
      assert(not pcall(collectgarbage, "generational"))]]
    assert.is_true(ok, message)
    -- the limit can be raised
    assert.is_true((run("local s = string.rep('x', 16 * 2^20)", { memory = 64 * 2^20 })))
    assert.is_nil((run("local s = string.rep('x', 16 * 2^20)", limits)))
    -- and the state stays usable after a failure
    local state = assert(sandbox(with_run "if opts.bomb then local t = {} for i = 1, 1e9 do t[i] = i end end",
                                 limits))
    assert.equal("memory", select(3, state:run(assert(lector.doc(TEXT)), { bomb = true })))
    assert.is_true(state:run(assert(lector.doc(TEXT)), { bomb = false }))
  end)

  it("T5 endless loops stop at the instruction budget, even under pcall", function()
    local loops = {
      plain = "while true do end",
      pcall = "while true do pcall(function() while true do end end) end",
      one_line = "local f = function() while true do end end while true do pcall(f) end",
      xpcall = "xpcall(function() while true do end end, function() while true do end end) while true do end",
      error_loop = "local n = 0 while true do n = n + 1 pcall(error, n) end",
      handler_loop = "xpcall(error, function() while true do end end)",
      coroutine_close = [[
        local mt = { __close = function() while true do end end }
        coroutine.wrap(function() local x <close> = setmetatable({}, mt) while true do end end)()
        while true do end]],
      coroutine_resume = [[
        local co = coroutine.create(function() while true do end end)
        while true do coroutine.resume(co) end]],
    }
    -- counted from the first instruction, and from the 10th to 20th millisecond on
    for _, budget in ipairs { SMALL, LATE } do
      for name, body in pairs(loops) do
        local ok, message, kind = run(body, { instructions = budget })
        assert.is_nil(ok, name)
        assert.equal("instructions", kind, name .. ": " .. tostring(message))
        assert.matches(("instruction limit exceeded (%d instructions)"):format(budget), message, 1,
          true)
      end
      -- at load time too
      local state, message, kind = sandbox("while true do end", { instructions = budget })
      assert.is_nil(state, message)
      assert.equal("instructions", kind)
      -- the budget is per call
      state = assert(sandbox(with_run "if opts.loop then while true do end end",
        { instructions = budget }))
      assert.equal("instructions", select(3, state:run(assert(lector.doc(TEXT)), { loop = true })))
      assert.is_true(state:run(assert(lector.doc(TEXT)), { loop = false }))
      assert.is_true(state:stats().instructions < SMALL)
    end
  end)

  it("T5 a coroutine made before the late count begins is counted from its start", function()
    -- made and left waiting in a call that ends at once, resumed in the next
    -- one: it had no hook to inherit, and loops inside itself only
    local state = assert(sandbox([[
      local waiting
      return { name = 'hostile', version = '1.0.0', run = function(doc, opts)
        if not waiting then
          waiting = coroutine.create(function() coroutine.yield() while true do end end)
          coroutine.resume(waiting)
          return
        end
        coroutine.resume(waiting)
      end }]], { instructions = LATE }))
    assert.is_true(state:run(assert(lector.doc(TEXT))))
    local ok, message, kind = state:run(assert(lector.doc(TEXT)))
    assert.is_nil(ok)
    assert.equal("instructions", kind, message)
    -- and one wrapped in the call that loops, before its 10th millisecond
    ok, message, kind = run("coroutine.wrap(function() while true do end end)()",
      { instructions = LATE })
    assert.is_nil(ok)
    assert.equal("instructions", kind, message)
  end)

  it("counts a short call under a large budget only with exact_count", function()
    local body = "local n = 0 for i = 1, 3 * 10^5 do n = n + i end doc:set('n', n)"
    local _, _, _, _, late = run(body, { instructions = LATE })
    local _, _, _, _, exact = run(body, { instructions = LATE, exact_count = true })
    local _, _, _, _, small = run(body, { instructions = SMALL })
    assert.is_true(exact:stats().instructions > 3 * 10^5, exact:stats().instructions)
    assert.is_true(small:stats().instructions > 3 * 10^5, small:stats().instructions)
    -- a few hundred microseconds: over before the count begins
    assert.is_true(late:stats().instructions < exact:stats().instructions)
  end)

  it("T6 deep recursion and deep or cyclic tables fail cleanly", function()
    local ok, message, kind = run "local function f(n) return f(n + 1) + 1 end f(1)"
    assert.is_nil(ok)
    assert.equal("error", kind)
    assert.matches("stack overflow", message)
    ok, message, kind = run "local function f() return ('x'):gsub('x', f) end f()"
    assert.is_nil(ok)
    assert.equal("error", kind)
    assert.matches("stack overflow", message)

    -- a 10,000-deep manifest, a cyclic one, a huge one
    local deep = assert(sandbox [[
      local m = { name = "deep" }
      local t = m
      for i = 1, 10000 do t.next = {} t = t.next end
      return m]])
    local none, err, mkind = deep:manifest()
    assert.is_nil(none)
    assert.equal("manifest", mkind)
    assert.matches("^plugin hostile: manifest: tables nested deeper than 16 levels", err)
    local cyclic = assert(sandbox "local m = { name = 'c' } m.self = m return m")
    none, err = cyclic:manifest()
    assert.is_nil(none)
    assert.matches("a table contains itself", err)
    local huge = assert(sandbox "local m = {} for i = 1, 200000 do m[i] = i end return m")
    none, err = huge:manifest()
    assert.is_nil(none)
    assert.matches("more than 100000 values", err)
    -- shared (not cyclic) tables are fine
    local shared = assert(sandbox "local s = { 1 } return { a = s, b = s }")
    assert.same({ a = { 1 }, b = { 1 } }, shared:manifest())

    -- options from the trusted side: deep and cyclic
    local opts = {}
    local t = opts
    for _ = 1, 10000 do t.next = {} t = t.next end
    ok, message, kind = run("", nil, opts)
    assert.is_nil(ok)
    assert.equal("error", kind)
    assert.matches("opts: tables nested deeper than 16 levels", message)
    local cycle = {}
    cycle.self = cycle
    ok, message = run("", nil, cycle)
    assert.is_nil(ok)
    assert.matches("opts: a table contains itself", message)

    -- lector's own converters inside the sandbox
    ok, message = run [[
      local t = {} local x = t
      for i = 1, 10000 do x[1] = {} x = x[1] end
      assert(not pcall(lector.json.encode, t))
      assert(not pcall(doc.set, doc, "deep", t))
      local c = {} c.c = c
      assert(not pcall(lector.json.encode, c))
      assert(lector.json.decode(string.rep("[", 10000)) == nil)]]
    assert.is_true(ok, message)
  end)

  it("T7 pattern matching on long subjects with backtracking patterns is refused", function()
    local ok, message, kind = run "string.find(('a'):rep(1e5), '.*b')"
    assert.is_nil(ok)
    assert.equal("error", kind)
    assert.matches("string.find: this pattern on a subject of 100000 bytes could take too long", message)
    assert.matches("use lpeg", message)
    for _, call in ipairs { "s:match('a-b')", "s:gmatch('a+b')", "s:gsub('a?b', '')",
                            "string.match(s, '(a*)b')" } do
      ok = run("local s = ('a'):rep(1e5) " .. call)
      assert.is_nil(ok, call)
    end
    ok, message = run [[
      local s = ('a'):rep(1e5)
      assert(s:find("b", 1, true) == nil)           -- plain search
      assert(s:find("aab") == nil)                  -- no repetition item
      assert(s:match("[%a-]") == "a")               -- '-' inside a set
      assert(("short text"):gsub("%s+", " ") == "short text")
      assert(lpeg.setmaxstack == nil and lpeg.P(1).setmaxstack == nil)]]
    assert.is_true(ok, message)
  end)

  it("T5 a coroutine's __close handler cannot run past the budget", function()
    for _, body in ipairs {
      [[local co = coroutine.wrap(function()
          local x <close> = setmetatable({}, { __close = function() while true do end end })
          table.sort({ 5, 4, 3, 2, 1, 9, 8, 7 }, function() while true do end end)
        end)
        co()]],
      [[local co = coroutine.create(function()
          local x <close> = setmetatable({}, { __close = function() while true do end end })
          table.sort({ 5, 4, 3, 2, 1, 9, 8, 7 }, function() while true do end end)
        end)
        coroutine.resume(co)
        coroutine.close(co)
        while true do end]],
    } do
      local ok, message, kind = run(body, { instructions = 10^6 })
      assert.is_nil(ok)
      assert.equal("instructions", kind, message)
    end
    local ok, message = run [[
      local co = coroutine.wrap(function(a) local b = coroutine.yield(a + 1) return b * 2 end)
      assert(co(1) == 2 and co(5) == 10)
      local bad = coroutine.wrap(function() error("inner") end)
      local fine, err = pcall(bad)
      assert(not fine and err:find("inner"))
      local closed = false
      local c = coroutine.create(function()
        local x <close> = setmetatable({}, { __close = function() closed = true end })
        coroutine.yield()
      end)
      coroutine.resume(c)
      assert(coroutine.close(c) and closed)]]
    assert.is_true(ok, message)
  end)

  it("T4 views a plugin keeps do not keep their document alive after the call", function()
    local state = assert(sandbox([[
      local kept
      return { name = "hostile", version = "1.0.0", kind = "x", run = function(doc)
        if kept then
          local ok, err = pcall(function() return kept.text end)
          assert(not ok and err:find "its document was released", tostring(err))
          return
        end
        kept = doc:sentence(1)
        assert(kept.text)
      end }]]))
    assert.is_true(state:run(assert(lector.doc(TEXT))))
    local ok, message = state:run(assert(lector.doc "Another document."))
    assert.is_true(ok, message)
    state:close()
  end)

  it("a call that builds something once leaves its state holding what it kept, not its garbage", function()
    -- the first call keeps a table and drops a large scratch string at its
    -- end, as a plugin building its patterns on first use leaves garbage
    local state = assert(sandbox([[
      local kept
      return { name = "builder", version = "1.0.0", kind = "x", run = function(doc)
        if kept then return end
        kept = {}
        for i = 1, 20000 do kept[i] = "entry " .. i end
        local scratch = ("x"):rep(12 * 2^20) .. "y"
        assert(#scratch > 0)
      end }]]))
    assert.is_true(state:run(assert(lector.doc(TEXT))))
    local first = state:stats()
    assert.is_true(first.peak > 24 * 2^20, "the build peaked at " .. first.peak)
    -- collected at the end of the call: what the plugin keeps stays
    assert.is_true(first.memory < 4 * 2^20, ("kept %d of a %d peak"):format(first.memory, first.peak))
    -- later calls grow little and are not collected again
    assert.is_true(state:run(assert(lector.doc(TEXT))))
    assert.is_true(state:stats().memory <= first.memory + 2^20)
    state:close()
  end)

  it("collects a plugin's garbage before its state grows to 1.5 times what it keeps", function()
    local state = assert(sandbox([[
      local live
      return { name = "churn", version = "1.0.0", kind = "x", run = function(doc)
        if not live then
          live = {}
          for i = 1, 100000 do live[i] = "live " .. i end
          return
        end
        for i = 1, 400000 do local s = "garbage " .. i end
      end }]]))
    assert.is_true(state:run(assert(lector.doc(TEXT))))
    local kept = state:stats().memory
    assert.is_true(kept > 4 * 2^20, "the live set is " .. kept)
    assert.is_true(state:run(assert(lector.doc(TEXT))))
    local peak = state:stats().peak
    -- Lua's own pause (2 times) lets this call reach 1.77 times
    assert.is_true(peak < kept * 1.5, ("peak %d for %d kept"):format(peak, kept))
    state:close()
  end)

  it("T4 a pcall around doc:add cannot keep filling the document past the limit", function()
    local ok, message, kind = run([[
      local s = string.rep("x", 1e6)
      local added = 0
      for i = 1, 600 do
        if pcall(doc.add, doc, "flood", { start = 0, stop = 0, attrs = { s = s } }) then added = added + 1 end
      end
      local n = 0
      for _ in doc:spans "flood" do n = n + 1 end
      assert(n == added, "refused spans were added")]], { memory = 16 * 2^20 })
    assert.is_nil(ok)
    assert.equal("memory", kind, message)
    local one_ref_many_times = run([[
      local s = string.rep("x", 1e6)
      local t = {}
      for i = 1, 600 do t[i] = s end
      doc:set("big", t)]], { memory = 16 * 2^20 })
    assert.is_nil(one_ref_many_times)
  end)

  it("T7 balanced matches, many repetitions and empty repeats cannot hang the C matcher", function()
    for _, call in ipairs {
      "string.find(string.rep('(', 4000000), '%b()')",
      "string.find(string.rep('a', 2000), '.-.-.-.-x')",
      "string.find(string.rep('a', 1e6), string.rep('a', 1000) .. 'b')",
    } do
      local ok, message = run(call)
      assert.is_nil(ok, call)
      assert.matches("could take too long", message, 1, true)
    end
    local ok, message = run [[
      assert(string.rep("", math.maxinteger) == "")
      assert(string.rep("", math.maxinteger, "") == "")
      assert(("x"):rep(0) == "" and ("x"):rep(-5) == "")
      assert(("Vladimir Putin met Nicolás Maduro."):match("(%u%l+) (%u%l+)") == "Vladimir")
      assert(select(2, ("a,b,,c"):gsub(",", ";")) == 3)]]
    assert.is_true(ok, message)
  end)

  it("T7 back-references and long plain searches are bounded; a last repetition is linear", function()
    for _, call in ipairs {
      "string.find(string.rep('a', 11000), '(.-)%1x')",               -- n^3 byte comparisons
      "string.find(string.rep(' ', 1e5) .. 'x', '%s+$')",             -- backtracks into %s+
      "string.find(string.rep('a', 2^20), string.rep('a', 2^19) .. 'b', 1, true)",
    } do
      local ok, message = run(call)
      assert.is_nil(ok, call)
      assert.matches("could take too long", message, 1, true)
    end
    local ok, message = run [[
      local s = ("word "):rep(2e4)
      assert(select(2, s:gsub("%s+", " ")) == 2e4)
      local n = 0
      for _ in s:gmatch "(%a+)" do n = n + 1 end
      assert(n == 2e4)
      assert(s:match "^(%a+)" == "word")
      assert(s:find("word word", 1, true) == 1)
      local ok, err = pcall(function() return s:find("x", "bad") end)
      assert(not ok and err:find("bad argument #2 to 'find'", 1, true), err)]]
    assert.is_true(ok, message)
  end)

  it("T8 metatable tricks stay inside the plugin's own state", function()
    local a = assert(sandbox(with_run [[
      string.lower = function() return "pwned" end
      shared_global = "from a"
      setmetatable(_ENV, { __index = function() return "trap" end })]], { name = "a" }))
    local b = assert(sandbox(with_run [[
      doc:set("lower", ("ABC"):lower())
      doc:set("global", tostring(shared_global))
      doc:set("doc_mt", tostring(getmetatable(doc)))]], { name = "b" }))
    local doc = assert(lector.doc(TEXT))
    assert.is_true(a:run(doc))
    assert.is_true(b:run(doc))
    assert.equal("abc", doc:get "lower")
    assert.equal("nil", doc:get "global")
    assert.equal("locked", doc:get "doc_mt")
    assert.equal("abc", ("ABC"):lower())

    -- a manifest whose metamethods would run code is read raw, and they never run
    local state = assert(sandbox [[
      calls = 0
      local function trap() calls = calls + 1 error("metamethod ran") end
      local m = setmetatable({ name = "tricky", run = function(doc) doc:set("calls", calls) end },
        { __index = trap, __pairs = trap, __len = trap, __tostring = trap, __eq = trap })
      m.options = setmetatable({}, { __index = trap, __newindex = trap })
      return m]])
    local m = assert(state:manifest())
    assert.equal("tricky", m.name)
    assert.is_nil(m.missing)
    assert.is_nil(getmetatable(m))
    assert.is_nil(getmetatable(m.options))
    local d = assert(lector.doc(TEXT))
    assert.is_true(state:run(d))
    assert.equal(0, d:get "calls")

    -- finalizers would run with hooks off: refused; the lector table is read-only
    local ok, message = run "setmetatable({}, { __gc = function() while true do end end })"
    assert.is_nil(ok)
    assert.matches("may not set __gc", message)
    ok, message = run [[
      assert(not pcall(function() lector.version = "x" end))
      assert(not pcall(function() lector.json.encode = print end))
      assert(getmetatable(lector) == false)]]
    assert.is_true(ok, message)
  end)

  it("T9 layer names with SQL are refused and labels with SQL are stored verbatim", function()
    local ok, message = run "doc:add(\"x'; drop table spans; --\", { start = 0, stop = 7 })"
    assert.is_nil(ok)
    assert.matches("layer must be a letter", message)
    local label = "x'); drop table spans; --"
    local ok2, message2, _, doc = run("doc:add('org', { start = 0, stop = 7, label = opts.label })",
                                      nil, { label = label })
    assert.is_true(ok2, message2)
    local db = assert(lector.open ":memory:")
    db:save(doc)
    local rows = db:query("select label from spans where layer = 'org'")
    assert.equal(1, #rows)
    assert.equal(label, rows[1].label)
    db:close()
  end)

  pending("T10 path traversal and bombs in plugin archives: tested with the archive specs")

  it("T11 reading a manifest never calls run", function()
    local state = assert(sandbox [[
      return { name = "lazy", version = "1.0.0",
               run = function() print("run was called") while true do end end }]],
      { instructions = SMALL })
    local m = assert(state:manifest())
    assert.equal("lazy", m.name)
    assert.same({}, state:logs())
    local ok, _, kind = state:run(assert(lector.doc(TEXT)))
    assert.is_nil(ok)
    assert.equal("instructions", kind)
    assert.same({ "run was called" }, state:logs())
  end)

  it("T12 LPeg's and-predicate and lpeg.B cannot abort lector", function()
    -- Debian's LPeg 1.0.2 fails an assertion, and aborts the process, on
    -- #patt over a match-time capture that returns values, and on lpeg.B
    -- over a rule name under a predicate
    local ok, message, kind, doc = run [[
      local Cmt, P, C = lpeg.Cmt, lpeg.P, lpeg.C
      local values = Cmt(P(1), function(s, i) return i, {} end)
      doc:set("r", {
        bare = lpeg.match(#values, "xy"),
        inside = lpeg.match(#(values * values) * C(P(1)), "xy"),
        failing = lpeg.match(#(values * P"z") + C(P(2)), "xy"),
        number = lpeg.match(#lector.patterns.number * C(P(1)^1), "12 x"),
        re_and = re.match("xy", "&{'x'} ."),
        -- what #patt is for stays the same: it captures nothing, consumes nothing
        plain = lpeg.match(#C"x" * P(1), "xy"),
        refused = lpeg.match(#P"y", "xy") == nil,
        -- a rule name under a predicate: LPeg's own # analysed it and aborted
        rule = lpeg.match(P{ "S", S = #(-lpeg.V"A") * 1, A = P"a" }, "b"),
        re_rule = re.match("b", "S <- &!A .   A <- 'a'"),
        re_word = re.match("abcd1", "word <- &([a-z] !digit) [a-z]+   digit <- [0-9]"),
        -- lpeg.B over a rule name no grammar defines aborted too: it raises
        behind = select(2, pcall(lpeg.B, -lpeg.V"A")),
        behind_first = pcall(lpeg.B, P"a" * -lpeg.V(1)),
        behind_ok = lpeg.match(P"ab" * lpeg.B"b", "ab"),
      })]]
    assert.is_true(ok, message)
    assert.is_nil(kind)
    assert.same({ bare = 1, inside = "x", failing = "xy", number = "12 x", re_and = 2, plain = 2,
                  refused = true, rule = 2, re_rule = 2, re_word = 5,
                  behind = "lpeg.B:4: rule 'A' undefined in given grammar", behind_ok = 3,
                  behind_first = false },
                doc:get "r")
  end)

  it("T1 LPeg's debug printers, which write to lector's standard output, are not reachable", function()
    local ok, message = run [[
      assert(lpeg.ptree == nil and lpeg.pcode == nil)
      assert(lpeg.P(1).ptree == nil and lpeg.P(1).pcode == nil)
      assert(lpeg.P(1).match ~= nil)]]
    assert.is_true(ok, message)
  end)

  it("T12 binary chunks are refused as plugin files, as modules and by load", function()
    local bytecode = string.dump(function() return { name = "bin" } end)
    local state, message, kind = sandbox(bytecode)
    assert.is_nil(state)
    assert.equal("syntax", kind)
    assert.matches("binary chunk", message)
    state, message, kind = sandbox("\27Lua\84\0\25\147\r\n\26\n garbage")
    assert.is_nil(state)
    assert.equal("syntax", kind)
    local dir
    state, message, kind, dir = sandbox("return require 'compiled'")
    H.write(dir .. "/compiled.lua", bytecode)
    state, message = core.sandbox { name = "hostile", dir = dir, file = dir .. "/plugin.lua" }
    assert.is_nil(state)
    assert.matches("binary chunk", message)
    local ok, err = run("assert(load(opts.code) == nil) assert(load(opts.code, 'x', 'b') == nil)",
                        nil, { code = bytecode })
    assert.is_true(ok, err)
  end)

  it("T13 values from a plugin print without running its code", function()
    local state = assert(sandbox [[
      local trap = function() while true do end end
      return setmetatable({ name = "printable", nested = setmetatable({}, { __tostring = trap }) },
                          { __tostring = trap, __name = "Trap" })]], { instructions = SMALL })
    local m = assert(state:manifest())
    assert.matches("^table: ", tostring(m))
    assert.matches("^table: ", tostring(m.nested))
    -- an error object with __tostring is never converted by calling it
    local ok, message, kind = run("error(setmetatable({}, { __tostring = function() while true do end end }))",
                                  { instructions = SMALL })
    assert.is_nil(ok)
    assert.equal("error", kind)
    assert.matches("error object is a table value", message)
  end)

  it("T4 a manifest or options that repeat one long string cannot blow up their copy", function()
    local state = assert(sandbox [[
      local s = string.rep("x", 7000000)
      local t = {}
      for i = 1, 150 do t[i] = s end
      return { name = "amp", junk = t, run = function() end }]])
    local m, message, kind = state:manifest()
    assert.is_nil(m)
    assert.equal("manifest", kind)
    assert.matches("more than 16777216 bytes of strings", message)
    local s = string.rep("x", 7000000)
    local ok, message2 = state:run(assert(lector.doc(TEXT)), { s, s, s })
    assert.is_nil(ok)
    assert.matches("opts: more than 16777216 bytes of strings", message2)
  end)

  it("T1 a plugin file or module that is a link is refused", function()
    local dir = H.tmpdir()
    H.write(dir .. "/impl.lua", with_run "")
    os.execute("ln -s impl.lua " .. H.quote(dir .. "/plugin.lua"))
    local state, message = core.sandbox { name = "linked", dir = dir, file = dir .. "/plugin.lua" }
    assert.is_nil(state)
    assert.matches("plugin.lua is a link; plugins may not use links", message, 1, true)

    local dir2 = H.tmpdir()
    H.write(dir2 .. "/real.lua", "return 1")
    os.execute("ln -s real.lua " .. H.quote(dir2 .. "/words.lua"))
    local state2, message2 = core.sandbox { name = "linked", dir = dir2,
                                            file = H.write(dir2 .. "/plugin.lua", "require 'words' return {}") }
    assert.is_nil(state2)
    assert.matches("words.lua is a link; plugins may not use links", message2, 1, true)
  end)

  it("T13 a plugin's error message comes back as valid UTF-8 without NULs, and bounded", function()
    local ok, message, kind = run([[error("bad \255 byte\0after \237\160\128 " .. string.rep("é", 20000), 0)]])
    assert.is_nil(ok)
    assert.equal("error", kind)
    assert.is_nil(message:find("\0", 1, true))
    assert.is_truthy(utf8.len(message), "the message is valid UTF-8")
    local expected = "plugin hostile: bad \u{FFFD} byteafter \u{FFFD}\u{FFFD}\u{FFFD} éé"
    assert.equal(expected, message:sub(1, #expected))
    assert.is_true(#message < 17 * 1024, "the message is cut")
    assert.matches("%[message cut%]$", message)
    -- a syntax error quoting the plugin's bad bytes is cleaned the same way
    local state, load_message, load_kind = sandbox("return { \255\0 }")
    assert.is_nil(state)
    assert.equal("syntax", load_kind)
    assert.is_truthy(utf8.len(load_message), load_message)
    assert.is_nil(load_message:find("\0", 1, true))
  end)
end)
