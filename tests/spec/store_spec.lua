-- The store from Lua: saving, deduplication, queries with bound values,
-- full-text search, loading back, and refusals.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"

describe("lector.open", function()
  it("saves a document once, however often it is loaded", function()
    local db = assert(lector.open ":memory:")
    local doc = assert(lector.load(H.article))
    local id, is_new = db:save(doc)
    assert.equal(H.article, id)
    assert.is_true(is_new)
    local copy = assert(lector.doc(H.read(H.article), { id = "copy" }))
    id, is_new = db:save(copy)
    assert.equal(H.article, id)
    assert.is_false(is_new)
    assert.equal(1, db:query("select count(*) as n from documents")[1].n)
    db:close()
  end)

  it("stores every sentence with its offsets", function()
    local db = assert(lector.open ":memory:")
    local doc = assert(lector.load(H.article))
    db:save(doc)
    local rows = db:query("select idx, start, stop from sentences where doc_id = ? order by idx", doc.id)
    assert.equal(doc:stats().sentences, #rows)
    local s = doc:sentence(5)
    assert.equal(s.start, rows[5].start)
    assert.equal(s.stop, rows[5].stop)
  end)

  it("binds values instead of splicing them into SQL", function()
    local db = assert(lector.open ":memory:")
    db:save(assert(lector.doc("Plain text here.", { id = "x'); drop table documents; --" })))
    local rows = db:query("select id from documents where id = ?", "x'); drop table documents; --")
    assert.equal(1, #rows)
    assert.error_matches(function() db:query("select ? as a, ? as b", 1) end, "2 parameter%(s%) but 1 value")
    assert.error_matches(function() db:query "select * from no_such_table" end, "no such table")
    local marks, values = {}, {}
    for i = 1, 200 do marks[i], values[i] = "?", i end
    local row = db:query("select " .. table.concat(marks, " + ") .. " as total", table.unpack(values))[1]
    assert.equal(20100, row.total)
  end)

  it("finds documents with full-text search", function()
    local db = assert(lector.open ":memory:")
    db:save(assert(lector.load(H.article)))
    db:save(assert(lector.doc("Markets fell in Tokyo today.", { id = "other", title = "Markets" })))
    local rows = db:query([[select d.id from documents_fts f join documents d on d.rowid = f.rowid
                            where documents_fts match ? order by rank]], "Zakharova")
    assert.equal(1, #rows)
    assert.equal(H.article, rows[1].id)
    rows = db:query("select rowid from documents_fts where documents_fts match ?", "title:markets")
    assert.equal(1, #rows)
  end)

  it("keeps the full-text index right when a document is replaced", function()
    local db = assert(lector.open ":memory:")
    local function hits(word)
      return #db:query("select rowid from documents_fts where documents_fts match ?", word)
    end
    -- replaced inside the batch that added it
    db:save(assert(lector.doc("Apples are red.", { id = "fruit" })))
    db:save(assert(lector.doc("Bananas are yellow.", { id = "fruit" })))
    assert.equal(0, hits "apples")
    assert.equal(1, hits "bananas")
    -- replaced after its batch was committed (the query above committed it)
    db:save(assert(lector.doc("Cherries are dark.", { id = "fruit" })))
    assert.equal(0, hits "bananas")
    assert.equal(1, hits "cherries")
    db:query("delete from documents where id = ?", "fruit")
    assert.equal(0, hits "cherries")
    assert.equal(0, #db:query "select * from sentences")
  end)

  it("stores spans and values and loads them back", function()
    local dir = H.tmpdir()
    local db = assert(lector.open(dir .. "/a.db"))
    local doc = assert(lector.doc("Putin spoke in Moscow.", { id = "d1", meta = { lang = "en" } }))
    doc:add("entity", { start = 0, stop = 5, label = "PERSON", score = 0.5, attrs = { k = "v" } })
    doc:set("sentiment", 0.1)
    db:save(doc)
    db:close()
    db = assert(lector.open(dir .. "/a.db"))
    local back = assert(db:load "d1")
    assert.equal(doc.text, back.text)
    assert.same({ lang = "en" }, back.meta)
    assert.equal(0.1, back:get "sentiment")
    local spans = {}
    for span in back:spans "entity" do spans[#spans + 1] = span end
    assert.equal(1, #spans)
    assert.equal("Putin", spans[1].text)
    assert.equal(0.5, spans[1].score)
    assert.same({ k = "v" }, spans[1].attrs)
    local missing, err = db:load "nope"
    assert.is_nil(missing)
    assert.matches("nope", err)
    db:close()
    assert.error_matches(function() db:query "select 1" end, "database is closed")
  end)

  it("keeps the pass that added a span saved without a recorded run", function()
    local path = H.tmpdir() .. "/plain.db"
    local db = assert(lector.open(path))
    local doc = assert(lector.load(H.article))
    assert(lector.run(doc, { "entities" }))
    doc:add("entity", { start = 0, stop = 6, label = "MINE" })   -- the script's own
    local id = assert(db:save(doc))
    local function count() return db:query("select count(*) as n from spans")[1].n end
    local saved = count()
    assert.equal(1, db:query("select count(*) as n from spans where pass is null")[1].n)
    -- loaded back and analysed again: the pass's spans are replaced, the script's kept
    local back = assert(db:load(id))
    assert(lector.run(back, { "entities" }))
    db:save(back)
    assert.equal(saved, count())
    assert.equal(1, db:query("select count(*) as n from spans where label = 'MINE'")[1].n)
    db:close()
  end)

  it("refuses a file that is not a database and leaves it alone", function()
    local path = H.write(H.tmpdir() .. "/notes.db", "these are my notes\n")
    local db, err, status = lector.open(path)
    assert.is_nil(db)
    assert.equal("not_db", status)
    assert.matches("not a lector database", err)
    assert.equal("these are my notes\n", H.read(path))
  end)

  it("upgrades a version 2 database, keeping every sentence", function()
    local path = H.tmpdir() .. "/v2.db"
    local db = assert(lector.open(path))
    local doc = assert(lector.load(H.article))
    db:save(doc)
    db:save(assert(lector.doc("Markets fell in Tokyo. Then they rose.", { id = "other" })))
    -- Put the file back into version 2's shape: one sentences row per
    -- sentence, written here from the segmenter's own offsets. Version 4's
    -- views go first.
    for _, view in ipairs { "span_texts", "entity_mentions", "entity_counts", "document_entities",
      "sentence_sentiment", "document_sentiment", "quotes", "document_dates" } do
      db:query("drop view " .. view)
    end
    db:query "drop view sentences"
    db:query "alter table documents drop column sentences"
    db:query "alter table spans drop column pass"           -- version 6's
    db:query [[create table sentences(
      doc_id text not null references documents(id) on delete cascade,
      idx integer not null, start integer not null, stop integer not null,
      primary key (doc_id, idx), check (0 <= start and start <= stop)) without rowid]]
    local expected = {}
    for _, d in ipairs { doc, assert(lector.doc("Markets fell in Tokyo. Then they rose.", { id = "other" })) } do
      for i = d:stats().sentences, 1, -1 do -- stored out of order on purpose
        local s = d:sentence(i)
        db:query("insert into sentences values (?, ?, ?, ?)", d.id, i, s.start, s.stop)
      end
      expected[d.id] = d:stats().sentences
    end
    db:query "insert into documents_fts(documents_fts, rank) values ('automerge', 4)"
    db:query "pragma user_version = 2"
    db:close()

    db = assert(lector.open(path))
    assert.equal(7, db:query("pragma user_version")[1].user_version)
    for id, count in pairs(expected) do
      local rows = db:query("select idx, start, stop from sentences where doc_id = ? order by idx", id)
      assert.equal(count, #rows)
    end
    local rows = db:query("select idx, start, stop from sentences where doc_id = ? order by idx", doc.id)
    for i = 1, #rows do
      local s = doc:sentence(i)
      assert.same({ idx = i, start = s.start, stop = s.stop }, rows[i])
    end
    assert.equal("16", tostring(db:query("select v from documents_fts_config where k = 'automerge'")[1].v))
    assert.equal(1, #db:query("select rowid from documents_fts where documents_fts match ?", "tokyo"))
    -- New saves fill the same view.
    db:save(assert(lector.doc("A third text. It has two sentences.", { id = "third" })))
    assert.equal(2, #db:query("select * from sentences where doc_id = ?", "third"))
    db:close()
  end)
end)
