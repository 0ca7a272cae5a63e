-- The pipeline end to end: choosing passes, requirements, options, failures,
-- re-runs, timings and the Lua entry points, with plugins written into a
-- throwaway project folder.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local json = require "cjson"

local CAPS = [[
return {
  name = "caps", version = "%s", kind = "extract", description = "Capitalized words",
  license = "MIT", author = "lector tests", provides = { "caps" },
  options = {
    min_length = { type = "integer", default = 2, description = "shortest word marked" },
    label = { type = "string", default = "CAP", description = "the label" },
  },
  run = function(doc, opts, ctx)
    for t in doc:tokens() do
      if t.kind == "word" and t.text:match "^%%u" and #t.text >= opts.min_length then
        doc:add("caps", { start = t.start, stop = t.stop, label = opts.label })
      end
    end
  end,
}
]]

local COUNT = [[
return {
  name = "count", version = "1.0.0", kind = "stats", description = "Counts caps",
  requires = { "caps >= 1.0, < 2" }, provides = { "cap_count" },
  run = function(doc)
    local n = 0
    for _ in doc:spans "caps" do n = n + 1 end
    doc:set("cap_count", n)
    print("counted", n)
  end,
}
]]

local project = H.project

local function plugin(name, body) return { ["plugins/" .. name .. "/plugin.lua"] = body } end

local function merge(...)
  local all = {}
  for _, t in ipairs { ... } do for k, v in pairs(t) do all[k] = v end end
  return all
end

local function analyze(dir, args)
  local full = { "analyze", "--format", "jsonl" }
  for _, a in ipairs(args) do full[#full + 1] = a end
  return H.lector(full, { cwd = dir })
end

describe("the pipeline", function()
  local text = H.write(H.tmpdir() .. "/article.txt", "Vladimir Putin met Nicolás Maduro in Caracas. They talked.")

  it("runs the passes named and the ones they require, in order", function()
    local dir = project(merge(plugin("caps", CAPS:format "1.2.0"), plugin("count", COUNT)))
    local r = analyze(dir, { "--no-store", "--plugins", "count", text })
    assert.equal(0, r.code, r.err)
    local doc = json.decode(r.out)
    assert.equal(6, #doc.spans.caps)
    assert.equal("Vladimir", doc.spans.caps[1].text)
    assert.equal(6, doc.values.cap_count)
    assert.equal("lector: " .. text .. ": plugin count: counted\t6\n", r.err)
    r = H.lector({ "analyze", "--no-store", "--plugins", "count", text }, { cwd = dir })
    assert.matches("\nspans:     caps %(6%): CAP «Vladimir», CAP «Putin», CAP «Nicolás», CAP «Maduro», CAP «Caracas», …\n", r.out)
    assert.matches('\nvalues:    {"cap_count":6}\n', r.out, 1, true)
  end)

  it("sets options with -o, checking their type", function()
    local dir = project(plugin("caps", CAPS:format "1.0.0"))
    local r = analyze(dir, { "--no-store", "-p", "caps", "-o", "caps.min_length=7", "-o", "caps.label=LONG", text })
    assert.equal(0, r.code, r.err)
    local spans = json.decode(r.out).spans.caps
    assert.equal(3, #spans)
    assert.equal("LONG", spans[1].label)
    r = analyze(dir, { "--no-store", "-p", "caps", "-o", "caps.min_length=many", text })
    assert.equal(5, r.code)
    assert.matches("option caps.min_length must be an integer, not 'many'", r.err, 1, true)
    r = analyze(dir, { "--no-store", "-p", "caps", "-o", "caps.colour=red", text })
    assert.matches("plugin caps has no option 'colour' (its options: label, min_length)", r.err, 1, true)
  end)

  it("reads a pipeline file", function()
    local dir = project(merge(plugin("caps", CAPS:format "1.0.0"), {
      ["passes.lua"] = 'return { { "caps", options = { min_length = 8 } } }',
    }))
    local r = analyze(dir, { "--no-store", "--pipeline", "passes.lua", text })
    assert.equal(0, r.code, r.err)
    assert.equal(2, #json.decode(r.out).spans.caps)
  end)

  describe("refuses before touching any document", function()
    local cases = {
      { "a missing plugin", {}, "nothere", "needs plugin 'nothere', which is not installed" },
      { "an incompatible version", plugin("caps", CAPS:format "2.1.0"), "caps>=3", "needs caps >= 3, but only version 2.1.0 is installed" },
      { "a required version that does not fit", merge(plugin("caps", CAPS:format "2.0.0"), plugin("count", COUNT)), "count", "plugin count needs caps >= 1.0, < 2, but only version 2.0.0 is installed" },
      { "a cycle", merge(
          plugin("a", 'return { name = "a", version = "1.0.0", kind = "x", requires = { "b" }, run = function() end }'),
          plugin("b", 'return { name = "b", version = "1.0.0", kind = "x", requires = { "a" }, run = function() end }')),
        "a", "the plugins require each other in a cycle: a -> b -> a" },
      { "a manifest without a name", plugin("nameless", 'return { version = "1.0.0", kind = "x", run = function() end }'), "nameless", "plugin.lua: field 'name' is missing" },
      { "a bad version", plugin("v", 'return { name = "v", version = "one", kind = "x", run = function() end }'), "v", "field 'version' 'one' is not a semantic version" },
      { "an unknown option type", plugin("o", 'return { name = "o", version = "1.0.0", kind = "x", options = { n = { type = "float", description = "" } }, run = function() end }'), "o", "field 'options.n.type' 'float' is not an option type" },
      { "run that is not a function", plugin("r", 'return { name = "r", version = "1.0.0", kind = "x", run = 42 }'), "r", "field 'run' must be a function" },
      { "a manifest that lies about its name", plugin("honest", 'return { name = "other", version = "1.0.0", kind = "x", run = function() end }'), "honest", "field 'name' 'other' does not match the plugin's folder name 'honest'" },
      { "a permission not granted", plugin("reader", 'return { name = "reader", version = "1.0.0", kind = "x", permissions = { "read" }, run = function() end }'), "reader", "plugin reader asks for permission 'read' (read files in the plugin's own folder); grant it with --allow reader:read" },
    }
    for _, case in ipairs(cases) do
      it(case[1], function()
        local dir = project(case[2])
        local db = dir .. "/never.db"
        local r = analyze(dir, { "--db", db, "-p", case[3], text })
        assert.equal(5, r.code)
        assert.matches(case[4], r.err, 1, true)
        assert.equal("", r.out)
        assert.is_nil(io.open(db))
      end)
    end
  end)

  it("stops a pass over its limits, on that document only, and the limits can be raised", function()
    local dir = project(plugin("greedy", [[
      return { name = "greedy", version = "1.0.0", kind = "x", run = function(doc)
        if doc.text:find "loop" then while true do end end
        local t = {}
        for i = 1, 2 * 1024 * 1024 do t[i] = i end
        doc:set("n", #t)
      end }
    ]]))
    local looping = H.write(H.tmpdir() .. "/loop.txt", "A loop here.")
    local r = analyze(dir, { "--no-store", "-p", "greedy", "--plugin-memory", "8M", looping, text })
    assert.equal(5, r.code)
    local a, b = json.decode(H.lines(r.out)[1]), json.decode(H.lines(r.out)[2])
    assert.matches("instruction limit", a.errors[1], 1, true)
    assert.matches("memory limit", b.errors[1], 1, true)
    r = analyze(dir, { "--no-store", "-p", "greedy", "--plugin-memory", "256M", text })
    assert.equal(0, r.code, r.err)
    assert.equal(2 * 1024 * 1024, json.decode(r.out).values.n)
    r = analyze(dir, { "--no-store", "-p", "greedy", "--plugin-instructions", "1000", text })
    assert.matches("instruction limit", json.decode(r.out).errors[1], 1, true)
    -- in worker threads, which take no signals but the budget clock's
    r = analyze(dir, { "--no-store", "-p", "greedy", "-j", "2", "--plugin-memory", "256M",
      "--plugin-instructions", "10000000", looping, looping, text })
    assert.equal(5, r.code, r.err)
    local lines = H.lines(r.out)
    assert.equal(3, #lines)
    for i = 1, 2 do
      assert.matches("instruction limit exceeded (10000000 instructions)",
        json.decode(lines[i]).errors[1], 1, true)
    end
    assert.equal(2 * 1024 * 1024, json.decode(lines[3]).values.n)
    assert.equal(2, analyze(dir, { "--no-store", "-p", "greedy", "--plugin-memory", "lots", text }).code)
  end)

  it("grants a permission with --allow", function()
    local dir = project(merge(plugin("reader", [[
      return { name = "reader", version = "1.0.0", kind = "x", permissions = { "read" },
        run = function(doc, opts, ctx) doc:set("words", (ctx.read "words.txt")) end }
    ]]), { ["plugins/reader/words.txt"] = "alpha beta" }))
    local r = analyze(dir, { "--no-store", "-p", "reader", "--allow", "reader:read", text })
    assert.equal(0, r.code, r.err)
    assert.equal("alpha beta", json.decode(r.out).values.words)
  end)

  it("fails a plugin on one document only, skipping what requires it", function()
    local dir = project(merge(plugin("caps", [[
      return { name = "caps", version = "1.0.0", kind = "x", run = function(doc)
        if doc.text:find "Caracas" then error "cannot take Caracas" end
        doc:add("caps", { start = 0, stop = 1 })
      end }
    ]]), plugin("count", COUNT)))
    local other = H.write(H.tmpdir() .. "/other.txt", "Lisbon is calm.")
    local r = analyze(dir, { "--db", dir .. "/a.db", "-p", "count", text, other })
    assert.equal(5, r.code)
    local first, second = json.decode(H.lines(r.out)[1]), json.decode(H.lines(r.out)[2])
    assert.matches("plugin caps: .*cannot take Caracas", first.errors[1])
    assert.matches("stack traceback", first.errors[1], 1, true)
    assert.equal("plugin count skipped: it requires caps, which did not complete", first.errors[2])
    assert.is_nil(first.values.cap_count)
    assert.same({}, second.errors)
    assert.equal(1, second.values.cap_count)
    assert.matches(text .. ": plugin caps: ", r.err, 1, true)
  end)

  it("does not redo a pass already done, and redoes it for a new version or options", function()
    local dir = project(merge(plugin("caps", CAPS:format "1.0.0"), plugin("count", COUNT)))
    local db = dir .. "/a.db"
    local function timings(args)
      local all = { "--db", db, "--timings", "-p", "count" }
      for _, a in ipairs(args or {}) do all[#all + 1] = a end
      all[#all + 1] = text
      local r = analyze(dir, all)
      assert.equal(0, r.code, r.err)
      local ran = {}
      for line in r.err:gmatch "[^\n]+" do
        local name = line:match "^timing: %S+ (%a+) [%d%.]+ ms"
        if name then ran[#ran + 1] = name end
      end
      return ran, json.decode(r.out)
    end
    local ran, doc = timings()
    assert.same({ "caps", "count" }, ran)
    ran, doc = timings()
    assert.same({}, ran)
    assert.equal(6, doc.values.cap_count)      -- results come from the store
    assert.equal(6, #doc.spans.caps)
    ran, doc = timings { "-o", "caps.min_length=7" }
    assert.same({ "caps", "count" }, ran)      -- new options: caps and what needs it
    assert.equal(3, doc.values.cap_count)
    H.write(dir .. "/plugins/caps/plugin.lua", CAPS:format "1.0.1")
    ran = timings { "-o", "caps.min_length=7" }
    assert.same({ "caps", "count" }, ran)      -- new version
    local rows = H.lector({ "run", H.write(dir .. "/q.lua", [[
      local db = require("lector").open(arg[1])
      for _, r in ipairs(db:query("select r.plugin, r.version, r.options, count(s.rowid) as n from runs r left join spans s on s.run_id = r.id group by r.id order by r.id")) do
        print(r.plugin, r.version, r.options, r.n)
      end
    ]]), db }).out
    assert.equal(table.concat({
      'caps\t1.0.0\t{"label":"CAP","min_length":2}\t0',
      'count\t1.0.0\t{}\t0',
      'caps\t1.0.0\t{"label":"CAP","min_length":7}\t0',
      'count\t1.0.0\t{}\t0',
      'caps\t1.0.1\t{"label":"CAP","min_length":7}\t3',
      'count\t1.0.0\t{}\t0',
    }, "\n") .. "\n", rows)
  end)

  it("redoes a pass when a pass it requires was redone on its own since", function()
    local dir = project(merge(
      plugin("a", [[return { name = "a", version = "1.0.0", kind = "x",
        options = { mode = { type = "string", default = "a", description = "what to write" } },
        run = function(doc, opts) doc:set("a_out", opts.mode) end }]]),
      plugin("b", [[return { name = "b", version = "1.0.0", kind = "x", requires = { "a" },
        run = function(doc) doc:set("b_out", "derived from " .. doc:get "a_out") end }]])))
    local db = dir .. "/a.db"
    local function values(args)
      local all = { "--db", db }
      for _, a in ipairs(args) do all[#all + 1] = a end
      all[#all + 1] = text
      local r = analyze(dir, all)
      assert.equal(0, r.code, r.err)
      return json.decode(r.out).values
    end
    assert.same({ a_out = "a", b_out = "derived from a" }, values { "-p", "b" })
    assert.same({ a_out = "z" }, values { "-p", "a", "-o", "a.mode=z" })
    assert.same({ a_out = "z", b_out = "derived from z" }, values { "-p", "b", "-o", "a.mode=z" })
  end)

  it("runs a pass after the passes its 'after' names, when they are in the pipeline", function()
    local dir = project(merge(
      plugin("names", [[return { name = "names", version = "1.0.0", kind = "x",
        run = function(doc) doc:set("names_out", 2) end }]]),
      plugin("tone", [[return { name = "tone", version = "1.0.0", kind = "x", after = { "names" },
        run = function(doc) doc:set("tone_saw", doc:get "names_out" or 0) end }]])))
    local db = dir .. "/a.db"
    local function values(args)
      local all = { "--db", db }
      for _, a in ipairs(args) do all[#all + 1] = a end
      all[#all + 1] = text
      local r = analyze(dir, all)
      assert.equal(0, r.code, r.err)
      return json.decode(r.out).values
    end
    -- alone, tone runs without names
    assert.same({ tone_saw = 0 }, values { "-p", "tone" })
    assert.same({ names_out = 2 }, values { "-p", "names" })
    -- together, names comes first even when named last, and tone's stored
    -- result (made without names) is redone now that it can read names
    assert.same({ names_out = 2, tone_saw = 2 }, values { "-p", "tone,names" })
    local r = analyze(dir, { "--db", db, "--timings", "-p", "tone,names", text })
    assert.not_matches("timing: %S+ tone", r.err)   -- and then it is done
  end)

  it("refuses a cycle through 'after'", function()
    local dir = project(merge(
      plugin("p", [[return { name = "p", version = "1.0.0", kind = "x", after = { "q" }, run = function() end }]]),
      plugin("q", [[return { name = "q", version = "1.0.0", kind = "x", requires = { "p" }, run = function() end }]])))
    local r = analyze(dir, { "--no-store", "-p", "q", text })
    assert.equal(5, r.code)
    assert.matches("the plugins must run in a cycle %(through 'requires' and 'after'%): [pq] %-> [pq] %-> [pq]", r.err)
    local bad = project(plugin("b", [[return { name = "b", version = "1.0.0", kind = "x", after = { "no such" }, run = function() end }]]))
    r = analyze(bad, { "--no-store", "-p", "b", text })
    assert.equal(5, r.code)
    assert.matches("field 'after'", r.err)
  end)

  it("keeps going when a plugin's error message is not valid UTF-8", function()
    local dir = project(plugin("bad", [[return { name = "bad", version = "1.0.0", kind = "x",
      run = function() error("bad \255 byte\0here", 0) end }]]))
    local other = H.write(H.tmpdir() .. "/other.txt", "Another one.")
    local r = analyze(dir, { "--db", dir .. "/a.db", "-p", "bad", text, other })
    assert.equal(5, r.code)
    local lines = H.lines(r.out)
    assert.equal(2, #lines)
    assert.matches("bad", json.decode(lines[2]).errors[1], 1, true)
  end)

  it("refuses to lock a plugin holding a link", function()
    local dir = project(plugin("sneaky", 'return { name = "sneaky", version = "1.0.0", kind = "x", run = function() end }'))
    os.execute("cd " .. H.quote(dir .. "/plugins/sneaky") .. " && mv plugin.lua .impl.lua && ln -s .impl.lua plugin.lua")
    local r = H.lector({ "plugin", "lock", "sneaky" }, { cwd = dir })
    assert.equal(5, r.code)
    assert.matches("link", r.err, 1, true)
    r = analyze(dir, { "--no-store", "-p", "sneaky", text })
    assert.equal(5, r.code)
    assert.matches("plugin.lua is a link; plugins may not use links", r.err, 1, true)
  end)

  it("lists every copy on the search path and marks the one that runs", function()
    local dir = project(merge(plugin("caps", CAPS:format "1.1.0"), plugin("count", COUNT),
      plugin("broken", "return 42")))
    local extra = project(plugin("caps", CAPS:format "0.9.0"))
    local r = H.lector({ "plugin", "list" }, { cwd = dir, env = "LECTOR_PLUGIN_PATH=" .. H.quote(extra .. "/plugins") })
    assert.equal(5, r.code)  -- a copy that cannot be loaded
    local lines = H.lines(r.out)
    assert.matches("^  name +version +kind +where +path$", lines[1])
    assert.matches("^! broken +%? +%? +project +plugins/broken  %(.*must return a table", lines[2])
    assert.matches("^%* caps +1%.1%.0 +extract +project +plugins/caps$", lines[3])
    assert.matches("^%* count +1%.0%.0 +stats +project +plugins/count$", lines[4])
    assert.matches("^  caps +0%.9%.0 +extract +LECTOR_PLUGIN_PATH +.*/plugins/caps$", lines[5])
  end)

  it("refuses a plugin that changed since the lock file pinned it", function()
    local dir = project(merge(plugin("caps", CAPS:format "1.0.0"), plugin("reader", [[
      return { name = "reader", version = "1.0.0", kind = "x", permissions = { "read" },
        run = function(doc, opts, ctx) doc:set("n", #ctx.read "plugin.lua") end }
    ]])))
    local r = H.lector({ "plugin", "lock", "caps", "reader", "--allow", "reader:read" }, { cwd = dir })
    assert.equal(0, r.code, r.err)
    assert.matches("^locked caps 1%.0%.0 %x+\nlocked reader 1%.0%.0 %x+ %(allowed: read%)\n$", r.out)
    local lock = json.decode(H.read(dir .. "/lector.lock"))
    assert.same({ "read" }, lock.plugins.reader.permissions)
    r = analyze(dir, { "--no-store", "-p", "caps,reader", text })  -- the lock grants read
    assert.equal(0, r.code, r.err)
    H.write(dir .. "/plugins/caps/plugin.lua", CAPS:format "1.0.0" .. "-- changed\n")
    H.write(dir .. "/plugins/caps/extra.tsv", "a\t1\n")
    r = analyze(dir, { "--no-store", "-p", "caps", text })
    assert.equal(5, r.code)
    assert.matches("plugin caps 1.0.0 changed since lector.lock was written (extra.tsv added, plugin.lua changed)", r.err, 1, true)
    assert.matches("run 'lector plugin lock caps' to accept it", r.err, 1, true)
    H.write(dir .. "/plugins/caps/plugin.lua", CAPS:format "1.0.1")
    r = analyze(dir, { "--no-store", "-p", "caps", text })
    assert.matches("plugin caps is version 1.0.1, but lector.lock pins 1.0.0", r.err, 1, true)
    assert.equal(0, H.lector({ "plugin", "lock", "caps" }, { cwd = dir }).code)
    assert.equal(0, analyze(dir, { "--no-store", "-p", "caps", text }).code)
  end)

  it("runs from Lua with lector.run and lector.pipeline", function()
    local dir = project(merge(plugin("caps", CAPS:format "1.0.0"), plugin("count", COUNT)))
    local script = H.write(dir .. "/s.lua", [[
      local lector = require "lector"
      local doc = assert(lector.doc(arg[1]))
      local report = assert(lector.run(doc, { "count", options = { caps = { min_length = 8 } } }))
      print(report.passes[1].name, report.passes[1].status, report.passes[2].name, doc:get "cap_count")
      local p = assert(lector.pipeline { "caps" })
      local other = assert(lector.doc "Only Lisbon here.")
      p:run(other)
      p:close()
      local n = 0
      for _ in other:spans "caps" do n = n + 1 end
      print(n, lector.pipeline { "nothere" })
      print(select(2, pcall(lector.pipeline, "caps")))
    ]])
    local r = H.lector({ "run", script, "Vladimir Putin met Nicolás Maduro in Caracas." }, { cwd = dir })
    assert.equal(0, r.code, r.err)
    local lines = H.lines(r.out)
    assert.equal("caps\tok\tcount\t2", lines[1])
    assert.matches("^2\tnil\tthe pipeline needs plugin 'nothere'", lines[2])
    assert.matches("bad argument #1 to 'pipeline' %(table expected, got string%)", lines[3])
  end)

  it("stamps each document's spans with the run its pass records at that document", function()
    local dir = project(plugin("caps", CAPS:format "1.0.0"))
    local script = H.write(dir .. "/s.lua", [[
      local lector = require "lector"
      local p = assert(lector.pipeline { "caps" })
      local function runs_of(doc)
        local seen = {}
        for span in doc:spans "caps" do seen[#seen + 1] = span.run_id end
        return table.concat(seen, ",")
      end
      local first = assert(lector.doc "Vladimir Putin met Nicolás Maduro.")
      assert(p:run(first))
      local db = assert(lector.open ":memory:")
      p:begin(db)
      local second = assert(lector.doc "Vladimir Putin met Nicolás Maduro.")
      assert(p:run(second))
      local runs = db:query "select id from runs where plugin = 'caps'"
      print(runs_of(first), runs_of(second), #runs, runs[1].id)
      p:close()
      db:close()
    ]])
    local r = H.lector({ "run", script }, { cwd = dir })
    assert.equal(0, r.code, r.err)
    local first, second, n, id = r.out:match "^(%S+)\t(%S+)\t(%d+)\t(%d+)"
    assert.equal("0,0,0,0", first)
    assert.equal(1, tonumber(n))
    assert.equal(("%s,"):rep(4):format(id, id, id, id):sub(1, -2), second)
  end)

  it("replaces what a pass added to a document when it runs on it again", function()
    local dir = project(merge(plugin("caps", CAPS:format "1.0.0"), plugin("count", COUNT)))
    local script = H.write(dir .. "/s.lua", [[
      local lector = require "lector"
      local function count(doc, layer)
        local n = 0
        for _ in doc:spans(layer) do n = n + 1 end
        return n
      end
      local doc = assert(lector.doc "Vladimir Putin met Nicolás Maduro in Caracas.")
      doc:add("caps", { start = 0, stop = 8, label = "MINE" })       -- not a pass's: kept
      assert(lector.run(doc, { "caps" }))
      local first = count(doc, "caps")
      assert(lector.run(doc, { "caps" }))                               -- a second pipeline
      local p = assert(lector.pipeline { "count" })
      p:run(doc)
      p:run(doc)
      p:close()
      print(first, count(doc, "caps"), doc:get "cap_count")
      -- a document analysed and stored with its runs, loaded back and
      -- analysed again, with other options
      local db = assert(lector.open ":memory:")
      local stored = assert(lector.doc "Vladimir Putin met Nicolás Maduro in Caracas.")
      stored:add("caps", { start = 0, stop = 8, label = "MINE" })
      local id = assert(db:save(stored))
      local with_runs = assert(lector.pipeline { "caps" })
      with_runs:begin(db)
      assert(with_runs:run(stored, id))
      assert(db:save(stored))
      assert(with_runs:finish())
      with_runs:close()
      local loaded = assert(db:load(id))
      print(count(loaded, "caps"))
      assert(lector.run(loaded, { "caps", options = { caps = { label = "NEW" } } }))
      local labels = {}
      for s in loaded:spans "caps" do labels[s.label] = (labels[s.label] or 0) + 1 end
      print(count(loaded, "caps"), labels.MINE, labels.CAP, labels.NEW)
      db:close()
    ]])
    local r = H.lector({ "run", script }, { cwd = dir })
    assert.equal(0, r.code, r.err)
    local lines = H.lines(r.out)
    -- 1 of the script's own and 5 capitalized words, whatever the runs
    assert.equal("6\t6\t6", lines[1])
    assert.equal("6", lines[2])
    assert.equal("6\t1\tnil\t5", lines[3])
  end)

  it("keeps a pass's spans when it fails on its next run, and refuses views of replaced spans", function()
    local dir = project(plugin("flaky", [[
      return {
        name = "flaky", version = "1.0.0", kind = "extract", description = "Marks, then may fail",
        license = "MIT", author = "lector tests", provides = { "mark" },
        options = { fail = { type = "boolean", default = false, description = "fail midway" } },
        run = function(doc, opts)
          doc:add("mark", { start = 0, stop = 3, label = opts.fail and "PARTIAL" or "GOOD" })
          if opts.fail then error("failed on purpose") end
          doc:add("mark", { start = 4, stop = 7, label = "GOOD" })
        end,
      }]]))
    local script = H.write(dir .. "/s.lua", [[
      local lector = require "lector"
      local function labels(doc)
        local out = {}
        for s in doc:spans "mark" do out[#out + 1] = s.label end
        return table.concat(out, ",")
      end
      local doc = assert(lector.doc "One two three.")
      assert(lector.run(doc, { "flaky" }))
      local view = doc:spans "mark" ()
      print(labels(doc), view.label)
      -- a failing run keeps what the last good one added (and its partial work)
      local report = assert(lector.run(doc, { "flaky", options = { flaky = { fail = true } } }))
      print(report.failed, labels(doc), view.label)
      -- a good run replaces them: views of the old spans refuse to read
      local loop = doc:spans "mark"
      loop()
      assert(lector.run(doc, { "flaky" }))
      print(labels(doc), select(2, pcall(function() return view.label end)))
      print(select(2, pcall(loop)))
    ]])
    local r = H.lector({ "run", script }, { cwd = dir })
    assert.equal(0, r.code, r.err)
    local lines = H.lines(r.out)
    assert.equal("GOOD,GOOD\tGOOD", lines[1])
    assert.equal("1\tGOOD,PARTIAL,GOOD\tGOOD", lines[2])
    assert.matches("^GOOD,GOOD\t.*its span was replaced %(the pass that added it ran again%)", lines[3])
    assert.matches("the document's spans were replaced during the loop", lines[4], 1, true)
  end)
end)
