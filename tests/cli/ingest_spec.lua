-- `lector ingest` and `lector analyze -j`: the same results whatever the
-- number of worker threads, sources of every kind (folders, patterns,
-- JSONL, gzip), failures kept to their document, and interruptions
-- (Ctrl-C, kill -9) that leave a database the same command completes.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local json = require "cjson"

local corpus = H.fixtures .. "/corpus"

local function run(args, opts)
  return H.lector(args, opts)
end

local project = H.project

-- Everything a database holds that does not depend on the clock, one line
-- per row, in a fixed order.
local DUMP = [[
local db = assert(require("lector").open(arg[1], { readonly = true }))
local function dump(name, columns, sql)
  for _, row in ipairs(db:query(sql)) do
    local cells = { name }
    for i, c in ipairs(columns) do cells[i + 1] = tostring(row[c]) end
    print(table.concat(cells, "\t"))
  end
end
dump("doc", { "id", "source", "title", "sha256", "meta", "repairs", "sentences" },
  "select * from documents order by id")
dump("span", { "doc_id", "layer", "label", "start", "stop", "score", "attrs", "run_id" },
  "select * from spans order by doc_id, layer, start, stop, label, attrs")
dump("value", { "doc_id", "key", "value", "run_id" }, "select * from doc_values order by doc_id, key")
dump("pass", { "doc_id", "plugin", "version", "options", "inputs", "run_id", "status", "error" },
  "select * from passes order by doc_id, plugin")
dump("run", { "id", "plugin", "version", "options", "status", "error" }, "select * from runs order by id")
dump("check", { "integrity_check" }, "pragma integrity_check")
]]

local function dump(db)
  local script = H.write(H.tmpdir() .. "/dump.lua", DUMP)
  local r = run { "run", script, db }
  assert.equal(0, r.code, r.err)
  return r.out
end

local function count(db, sql)
  local script = H.write(H.tmpdir() .. "/count.lua", [[
    local db = assert(require("lector").open(arg[1], { readonly = true }))
    print(db:query(arg[2])[1].n)
  ]])
  local r = run { "run", script, db, sql }
  return tonumber(r.out)
end

local function summary(err)
  local n, new, skipped, failed = err:match
    "lector: ingest: (%d+) documents %((%d+) new, (%d+) skipped, (%d+) failed%) in [%d%.]+ s, [%d%.]+ MB/s\n"
  assert(n, "no summary in: " .. err)
  return { documents = tonumber(n), new = tonumber(new), skipped = tonumber(skipped),
    failed = tonumber(failed) }
end

local function jsonl(records)
  local lines = {}
  for i, r in ipairs(records) do lines[i] = type(r) == "string" and r or json.encode(r) end
  return table.concat(lines, "\n") .. "\n"
end

describe("lector ingest", function()
  it("stores the same results with 1, 2 and 4 worker threads", function()
    local dir = H.tmpdir()
    local dumps = {}
    for _, jobs in ipairs { "1", "2", "4" } do
      local db = dir .. "/j" .. jobs .. ".db"
      local r = run { "ingest", "-j", jobs, "--db", db, corpus, H.article }
      assert.equal(0, r.code, r.err)
      assert.same({ documents = 5, new = 5, skipped = 0, failed = 0 }, summary(r.err))
      dumps[jobs] = dump(db)
    end
    assert.matches("\nspan\t", dumps["1"], 1, true)       -- the passes did run
    assert.matches("\ncheck\tok\n", dumps["1"], 1, true)
    assert.equal(dumps["1"], dumps["2"])
    assert.equal(dumps["1"], dumps["4"])
  end)

  it("stores what analyze stores", function()
    local dir = H.tmpdir()
    assert.equal(0, run({ "analyze", "--format", "jsonl", "--db", dir .. "/a.db", corpus }).code)
    assert.equal(0, run({ "ingest", "-j", "2", "--db", dir .. "/i.db", corpus }).code)
    assert.equal(dump(dir .. "/a.db"), dump(dir .. "/i.db"))
  end)

  it("skips what is already stored and analysed, and goes on with the rest", function()
    local dir = H.tmpdir()
    local db = dir .. "/c.db"
    local r = run { "ingest", "-j", "2", "--db", db, corpus }
    assert.same({ documents = 4, new = 4, skipped = 0, failed = 0 }, summary(r.err))
    r = run { "ingest", "-j", "2", "--db", db, corpus, H.article }
    assert.equal(0, r.code, r.err)
    assert.same({ documents = 5, new = 1, skipped = 4, failed = 0 }, summary(r.err))
    assert.equal(5, count(db, "select count(*) as n from documents"))
  end)

  it("analyses a document again when its id comes back with another text", function()
    local dir = H.tmpdir()
    local db = dir .. "/c.db"
    local first = H.write(dir .. "/first.jsonl", json.encode {
      id = "x", text = "Oil prices rose on Monday in Caracas. Analysts said supply was tight." } .. "\n")
    local second = H.write(dir .. "/second.jsonl", json.encode {
      id = "x", text = "Gold fell on Friday in London after the Bank of England spoke." } .. "\n")
    for _, jobs in ipairs { "1", "2" } do
      os.remove(db)
      assert.equal(0, run({ "ingest", "-j", jobs, "-p", "entities", "--db", db, first }).code)
      local r = run { "ingest", "-j", jobs, "-p", "entities", "--db", db, second }
      assert.equal(0, r.code, r.err)
      assert.same({ documents = 1, new = 1, skipped = 0, failed = 0 }, summary(r.err))
      local names = {}
      local script = H.write(dir .. "/names.lua", [[
        local db = assert(require("lector").open(arg[1], { readonly = true }))
        for _, e in ipairs(require("lector").json.decode(db:query(
            "select value from doc_values where doc_id = 'x' and key = 'entities'")[1].value)) do
          print(e.name)
        end]])
      for name in run({ "run", script, db }).out:gmatch "[^\n]+" do names[#names + 1] = name end
      table.sort(names)
      assert.same({ "Bank of England", "Friday", "London" }, names)
    end
  end)

  it("reads JSONL compressed with gzip, patterns and folders of JSONL", function()
    local dir = H.tmpdir()
    local records = {}
    for i = 1, 6 do
      records[i] = { id = "n" .. i, title = "Note " .. i, text = "Lisbon voted on item " .. i
        .. ". The council met on Monday." }
    end
    os.execute("mkdir -p " .. H.quote(dir .. "/in/deep"))
    H.write(dir .. "/in/a.jsonl", jsonl { records[1], records[2] })
    H.write(dir .. "/in/deep/b.jsonl", jsonl { records[3], records[4] })
    H.write(dir .. "/c.jsonl", jsonl { records[5], records[6] })
    os.execute("gzip " .. H.quote(dir .. "/in/deep/b.jsonl") .. " " .. H.quote(dir .. "/c.jsonl"))
    local db = dir .. "/g.db"
    local r = run { "ingest", "-j", "2", "-p", "structure", "--db", db, dir .. "/in", dir .. "/c*.gz" }
    assert.equal(0, r.code, r.err)
    assert.same({ documents = 6, new = 6, skipped = 0, failed = 0 }, summary(r.err))
    assert.equal(6, count(db, "select count(*) as n from documents"))
    assert.equal(1, count(db, "select count(*) as n from documents where id = 'n4' and source like '%b.jsonl.gz:2'"))
    -- analyze reads a compressed JSONL file too
    r = run { "analyze", "--no-store", "-p", "structure", "--format", "jsonl", dir .. "/c.jsonl.gz" }
    assert.equal(0, r.code, r.err)
    assert.equal("n6", json.decode(H.lines(r.out)[2]).id)
    -- a pattern that matches nothing, and a corrupt gzip file
    H.write(dir .. "/bad.jsonl.gz", "\31\139\8\0garbage that is not deflate data")
    r = run { "ingest", "--db", db, dir .. "/none-*.jsonl", dir .. "/bad.jsonl.gz" }
    assert.equal(3, r.code)
    assert.matches("none%-%*%.jsonl: no file matches this pattern", r.err)
    assert.matches("bad.jsonl.gz: read: not valid gzip data", r.err, 1, true)
  end)

  it("reports broken JSONL lines with their line numbers and stores the others", function()
    local dir = H.tmpdir()
    local path = H.write(dir .. "/mixed.jsonl", jsonl {
      { id = "a", text = "Lisbon voted on Monday." },
      "{not json",
      { id = "b", text = "Porto voted on Tuesday." },
      { title = "no id", text = "Faro voted." },
      { id = "c", text = "Braga voted on Friday." },
    })
    local db = dir .. "/m.db"
    local r = run { "ingest", "-j", "2", "-p", "structure", "--db", db, path }
    assert.equal(3, r.code)
    assert.matches(path .. ":2: not valid JSON", r.err, 1, true)
    assert.matches(path .. ':4: the record has no "id"', r.err, 1, true)
    assert.same({ documents = 5, new = 3, skipped = 0, failed = 2 }, summary(r.err))
    assert.equal(3, count(db, "select count(*) as n from documents"))
  end)

  it("builds documents in loader threads without passes, with the same results", function()
    local dir = H.tmpdir()
    local records = {}
    for i = 1, 60 do
      records[i] = { id = "s" .. i, text = "Story " .. i .. " from Lisbon.\n\nIt rained." }
    end
    records[7] = "[1, 2]"
    records[30] = { id = "s5", text = "Story 5 from Lisbon.\n\nIt rained." }   -- same record again
    local path = H.write(dir .. "/s.jsonl", jsonl(records))
    local dumps = {}
    for _, jobs in ipairs { "1", "3" } do
      local db = dir .. "/n" .. jobs .. ".db"
      local r = run { "ingest", "-j", jobs, "-p", "", "--db", db, path, corpus }
      assert.equal(3, r.code)
      assert.matches(path .. ":7: a record must be a JSON object", r.err, 1, true)
      assert.same({ documents = 64, new = 62, skipped = 1, failed = 1 }, summary(r.err))
      dumps[jobs] = dump(db)
    end
    assert.equal(dumps["1"], dumps["3"])
  end)

  it("fails a plugin on one document only, with worker threads", function()
    local dir = project {
      ["plugins/picky/plugin.lua"] = [[
        return { name = "picky", version = "1.0.0", kind = "x", run = function(doc)
          if doc.id:find "cucuta" then error "cannot read Cúcuta" end
          doc:set("picky", #doc.text)
        end }]],
    }
    local db = dir .. "/p.db"
    local r = run({ "ingest", "-j", "2", "-p", "picky", "--db", db, corpus }, { cwd = dir })
    assert.equal(5, r.code, r.err)
    assert.matches("02_cucuta_bridge.txt: plugin picky: .*cannot read Cúcuta", r.err)
    assert.same({ documents = 4, new = 3, skipped = 0, failed = 1 }, summary(r.err))
    assert.equal(3, count(db, "select count(*) as n from passes where plugin = 'picky' and status = 'ok'"))
    assert.equal(1, count(db, "select count(*) as n from passes where status = 'failed' and doc_id like '%cucuta%'"))
    assert.equal(3, count(db, "select count(*) as n from doc_values where key = 'picky'"))
  end)

  it("refuses bad options and inputs with clear messages", function()
    local r = run { "ingest", "-j", "0", "--db", ":memory:", corpus }
    assert.equal(2, r.code)
    assert.matches("ingest: --jobs wants a whole number from 1 to 256", r.err, 1, true)
    r = run { "ingest", "--db", ":memory:" }
    assert.equal(2, r.code)
    assert.matches("no input given", r.err, 1, true)
    r = run { "ingest", "--db", ":memory:", "-p", "no_such_plugin", corpus }
    assert.equal(5, r.code)
    r = run { "ingest", "--db", ":memory:", "/no/such/folder" }
    assert.equal(3, r.code)
    assert.matches("/no/such/folder: ", r.err, 1, true)
  end)

  it("is silent with --quiet and draws the bar with --progress", function()
    local r = run { "ingest", "-q", "-j", "2", "--db", ":memory:", corpus }
    assert.equal(0, r.code)
    assert.equal("", r.err)
    r = run { "ingest", "--progress", "-j", "2", "--db", ":memory:", corpus }
    assert.equal(0, r.code, r.err)
    assert.matches("\r\27[Klector: ingest: [####################] 100% 4 documents", r.err, 1, true)
    assert.matches("0 errors\n", r.err, 1, true)
  end)
end)

describe("lector analyze -j", function()
  it("prints the same report in input order whatever the number of threads", function()
    local outs = {}
    for _, jobs in ipairs { "1", "2", "4" } do
      local r = run { "analyze", "-j", jobs, "--no-store", "--format", "jsonl", corpus, H.article }
      assert.equal(0, r.code, r.err)
      outs[jobs] = r.out
    end
    assert.equal(5, #H.lines(outs["1"]))
    assert.equal(outs["1"], outs["2"])
    assert.equal(outs["1"], outs["4"])
  end)

  it("maps a JSONL stream on standard input to one result per line, in order", function()
    local records = {}
    for i = 1, 40 do
      records[i] = { id = "r" .. i, text = string.rep("Word ", i % 7 + 1) .. "in Lisbon, line " .. i .. "." }
    end
    records[20] = "{broken"
    local input = jsonl(records)
    local one = run({ "analyze", "-j", "1", "--no-store", "-p", "structure", "--format", "jsonl", "-" },
      { stdin = input })
    local two = run({ "analyze", "-j", "2", "--no-store", "-p", "structure", "--format", "jsonl", "-" },
      { stdin = input })
    assert.equal(3, two.code)
    assert.equal(one.out, two.out)
    local lines = H.lines(two.out)
    assert.equal(40, #lines)
    assert.equal("r1", json.decode(lines[1]).id)
    assert.equal(json.null, json.decode(lines[20]).id)
    assert.equal("r40", json.decode(lines[40]).id)
  end)
end)

-- ---- interruptions ---------------------------------------------------------------

-- A project whose one pass takes a few milliseconds per document, and a
-- corpus of n documents: long enough to interrupt.
local function slow_project(n)
  local dir = project { ["plugins/slow/plugin.lua"] = H.SLOW_PLUGIN }
  local records = {}
  for i = 1, n do
    records[i] = { id = "d" .. i, text = "Document number " .. i .. " was filed in Lisbon." }
  end
  H.write(dir .. "/corpus.jsonl", jsonl(records))
  return dir
end

local function sh(command)
  local _, _, code = os.execute(command)
  return code
end

-- Start an ingest in the background; returns its pid and the file its
-- exit code will be written to.
local function start_ingest(dir, db)
  local command = string.format(
    "cd %s && (%s ingest -j 2 -p slow --db %s corpus.jsonl > out 2> err & echo $! > pid; wait $!; echo $? > rc) &",
    H.quote(dir), H.quote(H.bin), H.quote(db))
  sh(command)
  local pid
  for _ = 1, 100 do
    local f = io.open(dir .. "/pid")
    pid = f and tonumber(f:read "a")
    if f then f:close() end
    if pid then break end
    sh "sleep 0.05"
  end
  return assert(pid, "the ingest did not start"), dir .. "/rc"
end

-- Wait until the database holds some documents (a batch was committed).
local function wait_for_documents(db)
  for _ = 1, 600 do
    local n = count(db, "select count(*) as n from documents")
    if n and n > 0 then return n end
    sh "sleep 0.1"
  end
  error "no document was stored in time"
end

local function wait_for_file(path)
  for _ = 1, 600 do
    local f = io.open(path)
    if f then
      local text = f:read "a"
      f:close()
      if text ~= "" then return text end
    end
    sh "sleep 0.1"
  end
  error(path .. " did not appear")
end

describe("an interrupted ingest", function()
  local N = 2000

  local function check_complete(dir, db)
    local r = run({ "ingest", "-j", "2", "-p", "slow", "--db", db, "corpus.jsonl" }, { cwd = dir })
    assert.equal(0, r.code, r.err)
    local s = summary(r.err)
    assert.equal(N, s.documents)
    assert.is_true(s.skipped > 0, "nothing was skipped: " .. r.err)
    assert.equal(N, s.new + s.skipped)
    assert.equal(N, count(db, "select count(*) as n from documents"))
    assert.equal(N, count(db, "select count(distinct id) as n from documents"))
    assert.equal(N, count(db, "select count(*) as n from doc_values where key = 'slow'"))
    assert.equal(N, count(db, "select count(*) as n from passes where plugin = 'slow' and status = 'ok'"))
    assert.matches("\ncheck\tok\n", dump(db), 1, true)
  end

  it("leaves a consistent database after kill -9, which the same command completes", function()
    local dir = slow_project(N)
    local db = dir .. "/k.db"
    local pid, rc_file = start_ingest(dir, db)
    local stored = wait_for_documents(db)
    sh("kill -9 " .. pid)
    assert.equal("137", wait_for_file(rc_file):match "%d+")
    assert.is_true(stored < N, "the ingest finished before it could be killed")
    assert.matches("\ncheck\tok\n", dump(db), 1, true)
    check_complete(dir, db)
  end)

  it("stops cleanly on Ctrl-C with exit code 130, and the same command completes", function()
    local dir = slow_project(N)
    local db = dir .. "/c.db"
    local pid, rc_file = start_ingest(dir, db)
    wait_for_documents(db)
    sh("kill -INT " .. pid)
    assert.equal("130", wait_for_file(rc_file):match "%d+")
    local err = H.read(dir .. "/err")
    assert.matches("lector: ingest: interrupted; run the same command again to go on\n", err, 1, true)
    local s = summary(err)
    assert.is_true(s.documents < N)
    -- every document counted as done is stored with its result
    assert.equal(s.new, count(db, "select count(*) as n from doc_values where key = 'slow'"))
    check_complete(dir, db)
  end)

  for _, case in ipairs {
    { jobs = "2", signal = "INT", code = 130 },
    { jobs = "1", signal = "TERM", code = 143 },
  } do
    it(string.format("stops on SIG%s while -j %s waits for more standard input, with every record it read stored",
      case.signal, case.jobs), function()
      local n = 5
      local dir = project { ["plugins/slow/plugin.lua"] = H.SLOW_PLUGIN }
      local db = dir .. "/s.db"
      local lector = H.background(dir, { "ingest", "-j", case.jobs, "-p", "slow", "--db", db, "-" })
      finally(function() lector:kill() end)
      for i = 1, n do
        lector:write(json.encode { id = "d" .. i, text = "Document number " .. i .. " was filed in Lisbon." } .. "\n")
      end
      lector:write '{"id": "partial", "text": "Document'   -- not whole: dropped
      -- what is read is committed while the input stays open
      assert.is_true(H.eventually(function()
        return count(db, "select count(*) as n from doc_values where key = 'slow'") == n
      end, 20), "the records written were not stored while standard input stayed open")
      lector:signal(case.signal)
      assert.equal(case.code, lector:exit_code(20), "lector did not stop by itself")
      local err = lector:read "err"
      assert.matches("lector: ingest: interrupted; run the same command again to go on\n", err, 1, true)
      assert.same({ documents = n, new = n, skipped = 0, failed = 0 }, summary(err))
      assert.equal(n, count(db, "select count(*) as n from documents"))
      assert.equal(n, count(db, "select count(distinct id) as n from documents where id like 'd_'"))
      assert.equal(n, count(db, "select count(*) as n from passes where plugin = 'slow' and status = 'ok'"))
    end)
  end
end)
