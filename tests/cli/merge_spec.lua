-- `lector merge` end to end: a corpus split into shards analysed by
-- separate processes at once, merged, gives what one run gives; merging
-- never changes what OUT stores; refusals with their messages and codes.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"

local CORPUS = H.fixtures .. "/corpus"
local INPUTS = {
  H.article, CORPUS .. "/01_valencia_hospital.txt", CORPUS .. "/02_cucuta_bridge.txt",
  CORPUS .. "/03_andes_floods.txt", CORPUS .. "/04_valencia_strike.txt",
}

local function analyze_command(db, inputs)
  local words = { H.quote(H.bin), "analyze", "-f", "jsonl", "--db", H.quote(db) }
  for _, input in ipairs(inputs) do words[#words + 1] = H.quote(input) end
  return table.concat(words, " ") .. " > /dev/null"
end

-- Everything a run stores that does not depend on when or in which process
-- it ran: run ids are replaced by the plugin, version and options of their
-- run, timestamps are left out. One sorted list of JSON lines per table.
local function contents(path)
  local db = assert(lector.open(path, { readonly = true }))
  local out = {}
  local function add(name, sql)
    local lines = {}
    for _, row in ipairs(db:query(sql)) do lines[#lines + 1] = lector.json.encode(row) end
    table.sort(lines)
    out[name] = lines
  end
  add("documents", "SELECT id, source, title, text, sha256, meta, repairs, sentences FROM documents")
  add("spans", "SELECT s.doc_id, s.layer, s.label, s.start, s.stop, s.score, s.attrs,"
    .. " r.plugin, r.version, r.options,"
    .. " (SELECT count(*) FROM spans e WHERE e.doc_id = s.doc_id AND e.rowid < s.rowid) AS position"
    .. " FROM spans s LEFT JOIN runs r ON r.id = s.run_id")
  add("values", "SELECT v.doc_id, v.key, v.value, r.plugin FROM doc_values v LEFT JOIN runs r ON r.id = v.run_id")
  add("passes", "SELECT p.doc_id, p.plugin, p.version, p.options, p.status, p.error, r.plugin AS run_plugin,"
    .. " (SELECT json_group_object(j.key, i.plugin) FROM json_each(p.inputs) j"
    .. "   LEFT JOIN runs i ON i.id = j.value) AS inputs"
    .. " FROM passes p LEFT JOIN runs r ON r.id = p.run_id")
  add("run kinds", "SELECT DISTINCT plugin, version, options, status FROM runs")
  add("search", "SELECT d.id FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid"
    .. " WHERE documents_fts MATCH 'Valencia OR Venezuela OR Caracas'")
  out.broken_links = db:query "SELECT count(*) AS n FROM pragma_foreign_key_check"[1].n
  out.runs = db:query "SELECT count(*) AS n FROM runs"[1].n
  db:close()
  return out
end

-- Files a merge left in dir from the copies it upgrades.
local function merge_copies(dir)
  local names = {}
  local ls = assert(io.popen("ls -a " .. H.quote(dir)))
  for name in ls:lines() do
    if name:find(".merge-", 1, true) then names[#names + 1] = name end
  end
  ls:close()
  return names
end

describe("lector merge", function()
  it("merges shards analysed in separate processes into what a single run stores", function()
    local dir = H.tmpdir()
    assert.is_true(os.execute(analyze_command(dir .. "/single.db", INPUTS)))
    local shards = { {}, {}, {} }
    for i, input in ipairs(INPUTS) do table.insert(shards[(i - 1) % 3 + 1], input) end
    local jobs = {}
    for k, shard in ipairs(shards) do
      jobs[k] = "(" .. analyze_command(dir .. "/shard" .. k .. ".db", shard) .. ") &"
    end
    assert.is_true(os.execute(table.concat(jobs, " ") .. " wait"))
    local r = H.lector { "merge", dir .. "/merged.db", dir .. "/shard1.db", dir .. "/shard2.db", dir .. "/shard3.db" }
    assert.equal(0, r.code)
    assert.equal(table.concat({
      "lector: merge: " .. dir .. "/shard1.db: 2 documents (2 new, 0 already stored, 0 refused), 7 runs",
      "lector: merge: " .. dir .. "/shard2.db: 2 documents (2 new, 0 already stored, 0 refused), 7 runs",
      "lector: merge: " .. dir .. "/shard3.db: 1 document (1 new, 0 already stored, 0 refused), 7 runs",
    }, "\n") .. "\n", r.err)
    local single, merged = contents(dir .. "/single.db"), contents(dir .. "/merged.db")
    assert.equal(5, #merged.documents)
    assert.is_true(#merged.spans > 500)
    assert.equal(35, #merged.passes)
    for _, name in ipairs { "documents", "spans", "values", "passes", "run kinds", "search" } do
      assert.same(single[name], merged[name], name)
    end
    assert.equal(0, merged.broken_links)
    assert.equal(7, single.runs)
    assert.equal(21, merged.runs)   -- every shard's runs are kept

    -- Merging a shard again adds nothing.
    r = H.lector { "merge", dir .. "/merged.db", dir .. "/shard2.db" }
    assert.equal(0, r.code)
    assert.matches("2 documents (0 new, 2 already stored, 0 refused), 0 runs", r.err, 1, true)
    assert.same(merged, contents(dir .. "/merged.db"))
  end)

  it("keeps what OUT stores: a known text stays, an id taken by another text is refused", function()
    local dir = H.tmpdir()
    local out = dir .. "/out.db"
    local db = assert(lector.open(out))
    local own = "Bogotá, May 1, 2025 – A different text under a corpus document's id."
    db:save(assert(lector.doc(own, { id = INPUTS[2] })))
    db:close()
    assert.is_true(os.execute(analyze_command(dir .. "/in.db", { INPUTS[1], INPUTS[2], INPUTS[3] })))
    local r = H.lector { "merge", out, dir .. "/in.db" }
    assert.equal(3, r.code)
    assert.equal("lector: merge: " .. dir .. "/in.db: 3 documents (2 new, 0 already stored, 1 refused), 7 runs\n"
      .. "lector: merge: " .. dir .. "/in.db: 1 document refused: its id names another text in " .. out .. "\n", r.err)
    db = assert(lector.open(out, { readonly = true }))
    assert.equal(own, db:query("SELECT text FROM documents WHERE id = ?", INPUTS[2])[1].text)
    assert.equal(0, db:query("SELECT count(*) AS n FROM spans WHERE doc_id = ?", INPUTS[2])[1].n)
    assert.equal(3, db:query("SELECT count(*) AS n FROM documents")[1].n)
    db:close()
  end)

  it("refuses what is not a lector database of this version, and merges the rest", function()
    local dir = H.tmpdir()
    local out = dir .. "/out.db"
    assert.is_true(os.execute(analyze_command(dir .. "/good.db", { INPUTS[4] })))
    H.write(dir .. "/text.db", "this is not SQLite")
    local other = assert(lector.open(dir .. "/newer.db"))
    other:query "PRAGMA user_version = 99"
    other:close()
    local older = assert(lector.open(dir .. "/older.db"))
    older:query "PRAGMA user_version = 3"
    older:close()
    os.execute("sqlite3 " .. H.quote(dir .. "/foreign.db") .. " 'CREATE TABLE t(x)' 2>/dev/null")
    local r = H.lector { "merge", out, dir .. "/text.db", dir .. "/missing.db", dir .. "/newer.db", dir .. "/good.db", out }
    assert.equal(4, r.code)
    local lines = H.lines(r.err)
    assert.equal("lector: " .. dir .. "/text.db: not a lector database (the file is not SQLite)", lines[1])
    assert.equal("lector: " .. dir .. "/missing.db: no database exists at this path", lines[2])
    assert.equal("lector: " .. dir .. "/newer.db: schema version 99 is newer than this lector supports (7); upgrade lector", lines[3])
    assert.matches("good.db: 1 document (1 new", lines[4], 1, true)
    assert.equal("lector: " .. out .. ": cannot merge a database into itself", lines[5])
    -- labelled older but holding today's tables: its copy cannot be upgraded
    local before = H.read(dir .. "/older.db")
    r = H.lector { "merge", out, dir .. "/older.db" }
    assert.equal(4, r.code)
    assert.equal("lector: " .. dir .. "/older.db: cannot upgrade a copy of it to merge: cannot create the database's tables: view span_texts already exists\n", r.err)
    assert.equal(before, H.read(dir .. "/older.db"))
    assert.same({}, merge_copies(dir))
    local f = io.open(dir .. "/foreign.db")
    if f then
      f:close()
      r = H.lector { "merge", out, dir .. "/foreign.db" }
      assert.equal(4, r.code)
      assert.matches("a SQLite database of another program; lector will not change it", r.err, 1, true)
    end
    r = H.lector { "merge", dir .. "/text.db", dir .. "/good.db" }
    assert.equal(4, r.code)
    assert.equal("lector: " .. dir .. "/text.db: not a lector database (the file is not SQLite)\n", r.err)
    assert.equal("this is not SQLite", H.read(dir .. "/text.db"))
  end)

  it("merges a shard of an older schema from an upgraded copy, leaving the shard as it was", function()
    local dir = H.tmpdir()
    local shard = dir .. "/old.db"
    assert.is_true(os.execute(analyze_command(shard, { INPUTS[1], INPUTS[2] })))
    H.downgrade_to_schema_6(shard)
    local before = H.read(shard)
    local out = dir .. "/out.db"
    local r = H.lector { "merge", out, shard }
    assert.equal(0, r.code, r.err)
    assert.matches("old.db: 2 documents (2 new, 0 already stored, 0 refused)", r.err, 1, true)
    assert.equal(before, H.read(shard))
    assert.same({}, merge_copies(dir))
    assert.is_true(os.execute(analyze_command(dir .. "/single.db", { INPUTS[1], INPUTS[2] })))
    local merged, single = contents(out), contents(dir .. "/single.db")
    assert.same(single.documents, merged.documents)
    assert.same(single.values, merged.values)
    assert.same(single.spans, merged.spans)
    assert.same(single.search, merged.search)
    assert.equal(0, merged.broken_links)
  end)

  it("needs an OUT and at least one IN", function()
    local r = H.lector { "merge" }
    assert.equal(2, r.code)
    assert.equal("lector: merge: no databases given (see 'lector merge --help')\n", r.err)
    r = H.lector { "merge", "out.db" }
    assert.equal(2, r.code)
    assert.equal("lector: merge: no database to merge into out.db (see 'lector merge --help')\n", r.err)
    r = H.lector { "merge", "--help" }
    assert.equal(0, r.code)
    assert.matches("Usage: lector merge", r.out, 1, true)
  end)
end)
