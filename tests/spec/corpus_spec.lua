-- Reading a stored corpus from Lua: db:rows, db:search, db:documents,
-- db:merge, and the views of schema version 4, on the article and the
-- small corpus analysed by the real binary with the bundled passes.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"

local CORPUS = H.fixtures .. "/corpus"
local STRIKE = CORPUS .. "/04_valencia_strike.txt"
local HOSPITAL = CORPUS .. "/01_valencia_hospital.txt"

local corpus_db = H.corpus_db

local function open()
  return assert(lector.open(corpus_db()))
end

describe("db:rows", function()
  it("reads rows one at a time, by position in column order and by name", function()
    local db = open()
    local rows = db:rows("select id, title, null as empty, 1.5 as half from documents"
      .. " where id = ?", HOSPITAL)
    assert.same({ "id", "title", "empty", "half" }, rows.columns)
    assert.is_true(rows.readonly)
    local row = rows()
    assert.equal(HOSPITAL, row[1])
    assert.equal(HOSPITAL, row.id)
    assert.equal("Children’s Hospital Reopens in Valencia After Two-Year Renovation", row[2])
    assert.is_nil(row[3])
    assert.equal(1.5, row[4])
    assert.is_nil(rows())
    assert.is_nil(rows())
    assert.equal("Rows (finished, 1 read)", tostring(rows))
    db:close()
  end)

  it("is closed by a generic for that is left early", function()
    local db = open()
    local seen
    local _, _, _, closing = db:rows "select id from documents order by rowid"
    for row in db:rows "select id from documents order by rowid" do
      seen = row.id
      break
    end
    assert.equal(H.article, seen)
    assert.equal("Rows (open, 0 read)", tostring(closing))
    closing:close()
    assert.equal("Rows (finished, 0 read)", tostring(closing))
    db:close()
  end)

  it("tells statements that change the database from those that read, and counts changes", function()
    local db = assert(lector.open ":memory:")
    assert.is_false(db:rows("delete from spans where doc_id = ?", "x").readonly)
    assert.is_true(db:rows("select count(*) from spans").readonly)
    db:save(assert(lector.doc("One. Two.", { id = "a" })))
    db:save(assert(lector.doc("Three. Four.", { id = "b" })))
    local update = db:rows("update documents set title = 'T' where id in (?, ?)", "a", "b")
    assert.is_nil(update.changes)
    assert.is_nil(update())
    assert.equal(2, update.changes)
    local create = db:rows "create table notes(x)"
    create()
    assert.equal(0, create.changes)
    local read = db:rows "select 1"
    read()
    read()
    assert.is_nil(read.changes)
    db:close()
  end)

  it("refuses bad SQL, wrong parameter counts and a closed database", function()
    local db = assert(lector.open ":memory:")
    assert.error_matches(function() db:rows "selec 1" end,
      'cannot prepare the query: near "selec": syntax error', 1, true)
    assert.error_matches(function() db:rows("select ?, ?", 1) end,
      "the statement has 2 parameter(s) but 1 value(s) were given", 1, true)
    assert.error_matches(function() db:rows("select ?", {}) end, "cannot bind a table", 1, true)
    local rows = db:rows "select 1"
    db:close()
    assert.error_matches(function() rows() end, "database is closed", 1, true)
  end)

  it("raises SQLite's message when a step fails", function()
    local db = assert(lector.open ":memory:")
    local rows = db:rows "select json_extract('not json', '$')"
    assert.error_matches(function() rows() end, "malformed JSON", 1, true)
    db:close()
  end)
end)

describe("the corpus views", function()
  it("count entities over documents and within each one", function()
    local db = open()
    local top = db:query "select * from entity_counts where entity = 'Carmen Ortiz'"
    assert.same({ { label = "PERSON", entity = "Carmen Ortiz", documents = 4, mentions = 8 } }, top)
    local in_strike = db:query("select label, entity, mentions from document_entities"
      .. " where doc_id = ? and entity = 'Carmen Ortiz'", STRIKE)
    assert.equal(1, #in_strike)
    assert.equal("PERSON", in_strike[1].label)
    db:close()
  end)

  it("give each sentence's sentiment, each quote's speaker and each document's date", function()
    local db = open()
    local s = db:query("select * from sentence_sentiment where doc_id = ? and sentence = 2", H.article)[1]
    assert.equal("negative", s.label)
    assert.equal(-0.7398, s.score)
    assert.equal("Two Russian military cargo planes landed in Caracas in recent days as Venezuela faces escalating US threats.", s.text)
    local q = db:query("select * from quotes where doc_id = ? and speaker = 'Dmitry Peskov'"
      .. " and kind = 'direct' order by start limit 1", H.article)[1]
    assert.equal("say", q.cue)
    assert.matches("^We want everything to remain peaceful", q.quote)
    local d = db:query("select date, origin from document_dates where doc_id = ?", H.article)[1]
    assert.same({ date = "2025-11-03", origin = "dateline" }, d)
    local doc = db:query("select * from document_sentiment where doc_id = ?", H.article)[1]
    assert.equal(-0.145, doc.score)
    db:close()
  end)

  it("take a document's meta date over its dateline", function()
    local db = assert(lector.open ":memory:")
    db:save(assert(lector.doc("Caracas, March 3, 2024 – It rained.", { id = "a",
      meta = { date = "2024-03-05T10:00:00Z" } })))
    db:save(assert(lector.doc("Nothing dated here.", { id = "b", meta = { date = "yesterday" } })))
    db:save(assert(lector.doc("Caracas, March 3, 2024 – It snowed.", { id = "c",
      meta = { date = "last week", published = "2024-03-07" } })))
    db:save(assert(lector.doc("Undated again.", { id = "d", meta = { published = 20240307 } })))
    local rows = db:query "select doc_id, date, origin from document_dates order by doc_id"
    assert.same({ doc_id = "a", date = "2024-03-05", origin = "meta" }, rows[1])
    assert.same({ doc_id = "b" }, rows[2])
    -- meta.published stands in for a meta.date that is not a date
    assert.same({ doc_id = "c", date = "2024-03-07", origin = "meta" }, rows[3])
    assert.same({ doc_id = "d" }, rows[4])
    db:close()
  end)
end)

describe("docs/corpus.md", function()
  it("has SQL examples that run on an analysed corpus", function()
    local db = open()
    local text = H.read(H.source_dir .. "/docs/corpus.md")
    local count = 0
    for block in text:gmatch "```sql\n(.-)```" do
      for statement in block:gsub("%-%-[^\n]*", ""):gmatch "[^;]+" do
        if statement:match "%S" then
          local params = {}
          for _ in statement:gmatch "%?" do params[#params + 1] = H.article end
          local rows = db:query(statement, table.unpack(params))
          assert.is_true(#rows > 0, statement)
          count = count + 1
        end
      end
    end
    assert.is_true(count >= 4)
    db:close()
  end)
end)

describe("db:search", function()
  it("ranks matches and marks the words found", function()
    local db = open()
    local hits = {}
    for hit in db:search "Valencia" do hits[#hits + 1] = hit end
    assert.equal(2, #hits)
    assert.equal(STRIKE, hits[1].id)
    assert.equal(HOSPITAL, hits[2].id)
    assert.equal("2025-03-14", hits[2].date)
    assert.is_true(hits[1].score >= hits[2].score)
    assert.matches("[Valencia]", hits[1].snippet, 1, true)
    local marked = db:search("Valencia", { highlight = { "<b>", "</b>" }, limit = 1 })
    local only = marked()
    assert.matches("<b>Valencia</b>", only.snippet, 1, true)
    assert.is_nil(marked())
    db:close()
  end)

  it("filters by entity, label, plugin value and date", function()
    local db = open()
    local function ids(query, opts)
      local list = {}
      for hit in db:search(query, opts) do list[#list + 1] = hit.id end
      table.sort(list)
      return list
    end
    assert.same({ HOSPITAL, STRIKE }, ids("Valencia", { entity = "ortiz" }))
    assert.same({ H.article }, ids("Venezuela", { entity = { "Maduro", "Peskov" } }))
    assert.same({ H.article }, ids("Venezuela OR Valencia", { label = "NORP", since = "2025-11-01" }))
    assert.same({ STRIKE }, ids("Valencia", { since = "2025-04-01", ["until"] = "2025-12-31" }))
    assert.same({ HOSPITAL }, ids("Valencia", { ["until"] = "2025-03-14" }))
    assert.same({ H.article, CORPUS .. "/03_andes_floods.txt" }, ids("Venezuela", { value = "sentiment.compound<=-0.145" }))
    assert.same({ HOSPITAL }, ids("Valencia", { value = "sentiment.compound>0" }))
    assert.same({ H.article }, ids("Venezuela", { value = "summary.method=hybrid", entity = "Russia" }))
    assert.same({}, ids("Venezuela", { value = "no_such_value" }))
    db:close()
  end)

  it("refuses bad options, and raises FTS5's message for a bad query", function()
    local db = open()
    assert.error_matches(function() db:search "  " end, "bad argument #1 to 'search' (the query is empty)", 1, true)
    assert.error_matches(function() db:search("x", { since = "March" }) end,
      "since: a date YYYY-MM-DD expected", 1, true)
    assert.error_matches(function() db:search("x", { entity = 3 }) end,
      "entity: a string or a list of strings expected", 1, true)
    assert.error_matches(function() db:search("x", { value = "a b" }) end, "a value filter is KEY", 1, true)
    assert.error_matches(function() db:search("x", "y") end, "table expected, got string", 1, true)
    local rows = db:search "AND OR"
    assert.error_matches(function() rows() end, "fts5: syntax error", 1, true)
    db:close()
  end)
end)

describe("db:documents", function()
  it("reopens every stored document with its spans and values", function()
    local db = open()
    local ids, quotes = {}, 0
    for doc in db:documents() do
      ids[#ids + 1] = doc.id
      if doc.id == H.article then
        for q in doc:spans "quote" do
          if q.attrs.speaker == "Dmitry Peskov" then quotes = quotes + 1 end
        end
        assert.equal(-0.145, doc:values().sentiment.compound)
      end
    end
    assert.equal(5, #ids)
    assert.equal(H.article, ids[1])
    assert.is_true(quotes > 0)
    local some = {}
    for doc in db:documents("select doc_id from document_dates where date < ? order by date", "2025-05-01") do
      some[#some + 1] = doc.id
    end
    assert.same({ HOSPITAL, CORPUS .. "/02_cucuta_bridge.txt" }, some)
    db:close()
  end)
end)

describe("db:merge", function()
  it("copies new documents with their results, and nothing twice", function()
    local out = assert(lector.open(H.tmpdir() .. "/out.db"))
    local stats = assert(out:merge(corpus_db()))
    assert.same({ documents = 5, added = 5, duplicates = 0, conflicts = 0, runs = 7,
      spans = stats.spans, values = stats.values, passes = 35 }, stats)
    assert.is_true(stats.spans > 500)
    local again = assert(out:merge(corpus_db()))
    assert.same({ documents = 5, added = 0, duplicates = 5, conflicts = 0, runs = 0, spans = 0,
      values = 0, passes = 0 }, again)
    local hits = 0
    for _ in out:search "Valencia" do hits = hits + 1 end
    assert.equal(2, hits)
    out:close()
  end)

  it("returns nil, message, status for a source it refuses", function()
    local dir = H.tmpdir()
    local out = assert(lector.open(dir .. "/out.db"))
    local ok, message, status = out:merge(H.write(dir .. "/junk.db", "not a database at all"))
    assert.is_nil(ok)
    assert.equal(dir .. "/junk.db: not a lector database (the file is not SQLite)", message)
    assert.equal("not_db", status)
    ok, message = out:merge(dir .. "/out.db")
    assert.is_nil(ok)
    assert.matches("cannot merge a database into itself", message, 1, true)
    out:close()
  end)
end)
