-- `lector query` end to end: the views on the analysed article and corpus,
-- each output format, bound arguments, and every refusal with its message
-- and exit code.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local json = require "cjson"

local CORPUS = H.fixtures .. "/corpus"

local corpus_db = H.corpus_db

local function query(sql, ...)
  return H.lector { "query", "--db", corpus_db(), sql, ... }
end

describe("lector query", function()
  it("prints an aligned table with a row count", function()
    local r = query "SELECT label, entity, documents, mentions FROM entity_counts WHERE entity IN ('Carmen Ortiz', 'Venezuela') ORDER BY mentions"
    assert.equal(0, r.code)
    assert.equal("", r.err)
    assert.equal(table.concat({
      "label   entity        documents  mentions",
      "------  ------------  ---------  --------",
      "PERSON  Carmen Ortiz          4         8",
      "GPE     Venezuela             3        18",
      "(2 rows)",
    }, "\n") .. "\n", r.out)
  end)

  it("writes CSV with quoting, and JSON and JSON lines in column order", function()
    local r = query("SELECT doc_id, speaker, quote FROM quotes WHERE speaker = 'Dmitry Peskov' AND kind = 'direct' ORDER BY start LIMIT 1", "-f", "csv")
    assert.equal(0, r.code)
    assert.equal("doc_id,speaker,quote\n" .. H.article .. ",Dmitry Peskov,\"We want everything to remain peaceful, and we don’t want any new conflicts to arise in the region. The world is already full of conflicts,\"\n", r.out)
    r = query("SELECT sentence, label, score, text FROM sentence_sentiment WHERE doc_id = ? AND sentence <= 2 ORDER BY sentence", "--arg", H.article, "--format", "json")
    assert.equal(0, r.code)
    assert.matches('^%[\n{"sentence":1,"label":', r.out)
    local rows = json.decode(r.out)
    assert.equal(2, #rows)
    assert.equal(-0.7398, rows[2].score)
    r = query("SELECT doc_id, date, origin FROM document_dates ORDER BY date", "-f", "jsonl")
    local lines = H.lines(r.out)
    assert.equal(5, #lines)
    assert.equal('{"doc_id":"' .. CORPUS .. '/01_valencia_hospital.txt","date":"2025-03-14","origin":"dateline"}', lines[1])
    r = query("SELECT 1 WHERE 0", "-f", "json")
    assert.equal("[]\n", r.out)
  end)

  it("binds --arg values and reads SQL from standard input", function()
    local r = H.lector({ "query", "--db", corpus_db(), "-f", "csv", "-a", "PERSON", "-a", "4", "-" },
      { stdin = "SELECT entity FROM entity_counts WHERE label = ? AND documents >= ?" })
    assert.equal(0, r.code)
    assert.equal("entity\nCarmen Ortiz\n", r.out)
  end)

  it("refuses a statement that changes the database unless --write is given", function()
    local dir = H.tmpdir()
    local db = dir .. "/small.db"
    assert.equal(0, H.lector({ "analyze", "--db", db, "--no-store", H.article }).code)
    assert.equal(0, H.lector({ "analyze", "--db", db, "-p", "structure", H.article }).code)
    local r = H.lector { "query", "--db", db, "DELETE FROM spans" }
    assert.equal(2, r.code)
    assert.equal("lector: query: the statement would change the database; add --write to allow it\n", r.err)
    assert.equal("7\n", H.lector({ "query", "--db", db, "-f", "csv", "SELECT count(*) AS n FROM spans" }).out:match "\n(.*)$")
    r = H.lector { "query", "--db", db, "--write", "DELETE FROM spans WHERE label = 'CREDIT'" }
    assert.equal(0, r.code)
    assert.equal("", r.out)
    assert.equal("lector: query: 1 row changed\n", r.err)
    assert.equal("6\n", H.lector({ "query", "--db", db, "-f", "csv", "SELECT count(*) AS n FROM spans" }).out:match "\n(.*)$")
  end)

  it("refuses SQL that cannot be prepared, and reports a failure while running", function()
    local r = query "SELEC 1"
    assert.equal(2, r.code)
    assert.equal('lector: query: cannot prepare the query: near "SELEC": syntax error\n', r.err)
    r = query "SELECT * FROM no_such_table"
    assert.equal(2, r.code)
    assert.equal("lector: query: cannot prepare the query: no such table: no_such_table\n", r.err)
    r = query "SELECT 1; SELECT 2"
    assert.equal(2, r.code)
    assert.matches("the query holds more than one SQL statement", r.err, 1, true)
    r = query("SELECT ?, ?", "-a", "1")
    assert.equal(2, r.code)
    assert.matches("the statement has 2 parameter(s) but 1 value(s) were given", r.err, 1, true)
    r = query "SELECT json_extract('not json', '$')"
    assert.equal(4, r.code)
    assert.equal("lector: query: malformed JSON\n", r.err)
  end)

  it("reads a database of an older schema after upgrading it, as search and report do", function()
    local dir = H.tmpdir()
    local db = dir .. "/old.db"
    assert.equal(0, H.lector({ "analyze", "--db", db, "-p", "structure", H.article }).code)
    H.downgrade_to_schema_6(db)
    local r = H.lector { "query", "--db", db, "-f", "csv",
      "SELECT count(*) AS n FROM sqlite_schema WHERE name = 'doc_values' AND sql LIKE '%WITHOUT ROWID%'" }
    assert.equal(0, r.code, r.err)
    assert.equal("n\n0\n", r.out)
    r = H.lector { "query", "--db", db, "-f", "csv", "PRAGMA user_version" }
    assert.equal(0, r.code, r.err)
    assert.equal("user_version\n7\n", r.out)
    r = H.lector { "query", "--db", db, "-f", "csv",
      "SELECT json_extract(value, '$.headline') FROM doc_values WHERE key = 'structure'" }
    assert.equal(0, r.code, r.err)
    assert.matches("Russia", r.out, 1, true)
    -- a newer schema is still refused, and left as it was
    assert.equal(0, H.lector({ "query", "--write", "--db", db, "PRAGMA user_version = 99" }).code)
    r = H.lector { "query", "--db", db, "SELECT 1" }
    assert.equal(4, r.code)
    assert.matches("schema version 99 is newer than this lector supports (7)", r.err, 1, true)
  end)

  it("refuses a missing or foreign database and bad options", function()
    local dir = H.tmpdir()
    local r = H.lector { "query", "--db", dir .. "/missing.db", "SELECT 1" }
    assert.equal(4, r.code)
    assert.equal("lector: " .. dir .. "/missing.db: no database exists at this path\n", r.err)
    r = H.lector { "query", "--db", H.write(dir .. "/text.db", "plain text"), "SELECT 1" }
    assert.equal(4, r.code)
    assert.matches("not a lector database (the file is not SQLite)", r.err, 1, true)
    r = query("SELECT 1", "-f", "xml")
    assert.equal(2, r.code)
    assert.equal("lector: query: unknown format 'xml' (table, csv, json or jsonl) (see 'lector query --help')\n", r.err)
    r = H.lector { "query", "--db", corpus_db() }
    assert.equal(2, r.code)
    assert.matches("no SQL statement given", r.err, 1, true)
    r = H.lector { "query", "--help" }
    assert.equal(0, r.code)
    assert.matches("Usage: lector query", r.out, 1, true)
  end)
end)
