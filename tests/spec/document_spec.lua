-- The Lua API for documents: loading, sentences, tokens, spans, values.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"

local HEADLINE = "Russia Reiterates Support for Venezuela, Maduro Gov’t Requests Military Assistance"

describe("lector.load", function()
  local doc = assert(lector.load(H.article))

  it("keeps the path as id and source and takes the first line as title", function()
    assert.equal(H.article, doc.id)
    assert.equal(H.article, doc.source)
    assert.equal(HEADLINE, doc.title)
  end)

  it("hashes the normalized text with sha256", function()
    assert.matches("^%x+$", doc.sha256)
    assert.equal(64, #doc.sha256)
    local again = assert(lector.doc(H.read(H.article)))
    assert.equal(doc.sha256, again.sha256)
  end)

  it("splits the headline, standfirst and caption into their own sentences", function()
    local texts = {}
    for s in doc:sentences() do texts[#texts + 1] = s.text end
    assert.equal(HEADLINE, texts[1])
    assert.equal("Two Russian military cargo planes landed in Caracas in recent days as Venezuela faces escalating US threats.", texts[2])
    assert.equal("Venezuela Russia military support", texts[3])
    assert.equal("Edited by José Luis Granados Ceja in Mexico City, Mexico.", texts[#texts])
  end)

  it("gives sentences byte offsets into the text", function()
    for s in doc:sentences() do
      assert.equal(s.text, doc.text:sub(s.start + 1, s.stop))
      assert.equal(s.text, doc:slice(s.start, s.stop))
    end
  end)

  it("keeps a quotation whole, with its attribution", function()
    local found
    for s in doc:sentences() do
      if s.text:find("“We want everything", 1, true) then found = s.text end
    end
    assert.equal("“We want everything to remain peaceful, and we don’t want any new conflicts to arise in the region. The world is already full of conflicts,” he said Sunday.", found)
  end)

  it("gives tokens kind, shape and folded form", function()
    local by_text = {}
    for t in doc:tokens() do by_text[t.text] = by_text[t.text] or t end
    assert.equal("word", by_text["Venezuela"].kind)
    assert.equal("Xxxxx", by_text["Venezuela"].shape)
    assert.equal("venezuela", by_text["Venezuela"].folded)
    assert.equal("number", by_text["60"].kind)
    assert.equal("dd", by_text["60"].shape)
    assert.equal("Xx-dd", by_text["Su-30"].shape)
    assert.equal("türk", by_text["Türk"].folded)
    assert.equal("punct", by_text["("].kind)
  end)

  it("links tokens and sentences both ways", function()
    local s = doc:sentence(2)
    assert.equal(#s, select(2, s.text:gsub("%S+", "")) + 1) -- words plus the final period
    for t in s:tokens() do
      assert.equal(2, t.sentence)
      assert.is_true(t.start >= s.start and t.stop <= s.stop)
    end
    assert.equal("Two", s:token(1).text)
    assert.is_nil(s:token(#s + 1))
  end)

  it("reports counts", function()
    local stats = doc:stats()
    assert.equal(#doc.text, stats.bytes)
    assert.equal(#doc.text, doc.len)
    local n = 0
    for _ in doc:sentences() do n = n + 1 end
    assert.equal(n, stats.sentences)
    assert.is_true(stats.paragraphs >= 20 and stats.paragraphs < stats.sentences)
    assert.is_true(stats.tokens > 900)
  end)

  it("lists paragraphs with their sentences", function()
    local total = 0
    for p in doc:paragraphs() do
      assert.equal(p.text, doc:slice(p.start, p.stop))
      total = total + p.sentence_count
    end
    assert.equal(doc:stats().sentences, total)
  end)
end)

describe("lector.doc", function()
  it("normalizes to NFC and LF and strips a BOM", function()
    local doc = assert(lector.doc("\239\187\191Cafe\204\129 opens.\r\nIt is new.\rYes."))
    assert.equal("Café opens.\nIt is new.\nYes.", doc.text)
  end)

  it("defaults the id to the start of the hash", function()
    local doc = assert(lector.doc "Some text.")
    assert.equal(doc.sha256:sub(1, 16), doc.id)
  end)

  it("takes id, title, source and meta", function()
    local doc = assert(lector.doc("Body text.", {
      id = "a-1", title = "A title", source = "feed", meta = { lang = "en", n = 2 },
    }))
    assert.equal("a-1", doc.id)
    assert.equal("A title", doc.title)
    assert.equal("feed", doc.source)
    assert.same({ lang = "en", n = 2 }, doc.meta)
  end)

  it("refuses invalid UTF-8 with the byte offset", function()
    local doc, err, status = lector.doc "abc\255def"
    assert.is_nil(doc)
    assert.equal("invalid UTF-8 at byte 3", err)
    assert.equal("utf8", status)
  end)

  it("repairs invalid UTF-8 when lossy and counts the repairs", function()
    local doc = assert(lector.doc("abc\255def", { lossy = true }))
    assert.equal("abc\239\191\189def", doc.text)
    assert.equal(1, doc.repairs)
  end)

  it("refuses empty, binary and too large text", function()
    assert.equal("empty", select(3, lector.doc "   \n "))
    assert.equal("binary", select(3, lector.doc "a\0b"))
    assert.equal("too_large", select(3, lector.doc(("x"):rep(100), { max_bytes = 10 })))
  end)

  it("raises on misuse, naming the argument", function()
    assert.has_error(function() lector.doc(nil) end, "bad argument #1 to 'doc' (string expected, got nil)")
    assert.error_matches(function() lector.doc("x", { id = 5 }) end, "bad argument #2 to 'doc' %(field 'id' must be a string%)")
    assert.error_matches(function() lector.doc("x", { meta = "no" }) end, "field 'meta' must be a table")
  end)
end)

describe("spans and values", function()
  local doc

  before_each(function()
    doc = assert(lector.doc "Vladimir Putin met Nicolás Maduro in Caracas.")
  end)

  it("adds spans and reads them back in text order", function()
    doc:add("entity", { start = 19, stop = 34, label = "PERSON", score = 0.9, attrs = { gender = "m" } })
    doc:add("entity", { start = 0, stop = 14, label = "PERSON" })
    local seen = {}
    for e in doc:spans "entity" do seen[#seen + 1] = e end
    assert.equal(2, #seen)
    assert.equal("Vladimir Putin", seen[1].text)
    assert.equal("Nicolás Maduro", seen[2].text)
    assert.equal("entity", seen[2].layer)
    assert.equal("PERSON", seen[2].label)
    assert.equal(0.9, seen[2].score)
    assert.same({ gender = "m" }, seen[2].attrs)
    assert.is_nil(seen[1].score)
    assert.same({}, seen[1].attrs)
    assert.same({ "entity" }, doc:layers())
  end)

  it("keeps layers apart", function()
    doc:add("entity", { start = 0, stop = 8 })
    doc:add("place", { start = 38, stop = 45, label = "CITY" })
    local n = 0
    for span in doc:spans "place" do n = n + 1; assert.equal("Caracas", span.text) end
    assert.equal(1, n)
    n = 0
    for _ in doc:spans() do n = n + 1 end
    assert.equal(2, n)
    for _ in doc:spans "nothing" do error "no spans expected" end
  end)

  it("refuses offsets outside the text or inside a character", function()
    assert.error_matches(function() doc:add("e", { start = 0, stop = 999 }) end, "field 'stop' %(999%) is outside the text")
    assert.error_matches(function() doc:add("e", { start = 25, stop = 26 }) end, "inside a character")
    assert.error_matches(function() doc:add("e", { start = 5, stop = 2 }) end, "'stop' is before 'start'")
    assert.error_matches(function() doc:add("e", { start = "a", stop = 2 }) end, "field 'start' must be an integer")
    assert.error_matches(function() doc:add("e", { start = 0, stop = 2, label = 5 }) end, "field 'label' must be a string")
    assert.error_matches(function() doc:add("e", { start = 0, stop = 2, label = ("x"):rep(300) }) end, "at most 256 bytes")
    assert.error_matches(function() doc:add("e", { start = 0, stop = 2, score = 0/0 }) end, "field 'score' must be a finite number")
  end)

  it("refuses layer names that are not plain identifiers", function()
    assert.error_matches(function() doc:add("x'; drop table spans; --", { start = 0, stop = 1 }) end, "bad argument #1 to 'add' %(layer must be")
    assert.error_matches(function() doc:add("", { start = 0, stop = 1 }) end, "layer must be")
  end)

  it("refuses attrs JSON cannot hold, without crashing", function()
    local cyclic = {}
    cyclic.self = cyclic
    assert.error_matches(function() doc:add("e", { start = 0, stop = 1, attrs = cyclic }) end, "attrs cannot be stored as JSON")
    local deep = {}
    local t = deep
    for _ = 1, 10000 do t.next = {}; t = t.next end
    assert.error_matches(function() doc:add("e", { start = 0, stop = 1, attrs = deep }) end, "attrs cannot be stored as JSON")
    assert.error_matches(function() doc:add("e", { start = 0, stop = 1, attrs = { 1, 2 } }) end, "string keys")
    assert.error_matches(function() doc:add("e", { start = 0, stop = 1, attrs = { f = print } }) end, "cannot be stored as JSON")
  end)

  it("sets and gets document values of any JSON type", function()
    doc:set("summary", { "a", "b" })
    doc:set("score", 0.25)
    doc:set("flag", true)
    assert.same({ "a", "b" }, doc:get "summary")
    assert.equal(0.25, doc:get "score")
    assert.is_true(doc:get "flag")
    doc:set("score", 1)
    assert.equal(1, doc:get "score")
    assert.is_nil(doc:get "missing")
    assert.equal(1, select("#", doc:get "missing"))   -- a nil, not nothing
    assert.same({ summary = { "a", "b" }, score = 1, flag = true }, doc:values())
    assert.error_matches(function() doc:set("k", nil) end, "value must not be nil")
  end)

  it("keeps integers, every digit of floats, and sorted keys in JSON", function()
    doc:set("n", 7)
    doc:set("x", 0.1234567890123456)
    doc:set("big", 1234567890123456789)
    doc:set("obj", { b = 1, a = { 1, 2.5, "s" } })
    assert.equal("integer", math.type(doc:get "n"))
    assert.equal(0.1234567890123456, doc:get "x")
    local values = doc:json():match '"values":(%b{})'
    assert.equal('{"n":7,"x":0.1234567890123456,"big":1234567890123456789,"obj":{"a":[1,2.5,"s"],"b":1}}', values)
    assert.equal('{"a":1,"b":[true,null]}', lector.json.encode { b = { true, lector.json.null }, a = 1 })
    assert.same({ 1, 2 }, lector.json.decode "[1, 2]")
    assert.is_nil((lector.json.decode "[1,"))
  end)

  it("refuses strings that would corrupt the JSON or the store", function()
    assert.error_matches(function() doc:set("k", "bad \255 byte") end, "not valid UTF%-8")
    assert.error_matches(function() doc:add("e", { start = 0, stop = 1, label = "PER\0SON" }) end, "NUL byte")
    assert.error_matches(function() doc:add("e", { start = 0, stop = 1, label = "\255" }) end, "not valid UTF%-8")
    assert.error_matches(function() doc:error "bad \255" end, "not valid UTF%-8")
    assert.error_matches(function() lector.doc("x", { id = "a\0b" }) end, "field 'id' holds a NUL byte")
    assert.error_matches(function() lector.doc("x", { meta = { 1, 2 } }) end, "field 'meta' must have string keys")
    assert.error_matches(function() doc:set("k", 0 / 0) end, "not finite")
  end)

  it("reads options raw, never through __index", function()
    local opts = setmetatable({}, { __index = function(_, k)
      collectgarbage()
      return k == "id" and ("x"):rep(10) or nil
    end })
    local d = assert(lector.doc("Text.", opts))
    assert.equal(d.sha256:sub(1, 16), d.id)
  end)

  it("writes spans in text order in JSON, as doc:spans gives them", function()
    doc:add("entity", { start = 19, stop = 34, label = "B" })
    doc:add("entity", { start = 0, stop = 14, label = "A" })
    local json = lector.json.decode(doc:json())
    assert.equal("A", json.spans.entity[1].label)
    assert.equal("B", json.spans.entity[2].label)
  end)

  it("writes lector's JSON shape", function()
    doc:add("entity", { start = 0, stop = 14, label = "PERSON", attrs = { n = 1 } })
    doc:set("sentiment", -0.5)
    doc:error "a problem"
    local json = lector.json.decode(doc:json())
    assert.equal(doc.id, json.id)
    assert.equal(doc.sha256, json.sha256)
    assert.equal(1, #json.sentences)
    assert.same({ index = 1, start = 0, ["end"] = 46, text = doc.text }, json.sentences[1])
    assert.same({ label = "PERSON", start = 0, ["end"] = 14, text = "Vladimir Putin", attrs = { n = 1 } }, json.spans.entity[1])
    assert.equal(-0.5, json.values.sentiment)
    assert.same({ "a problem" }, json.errors)
    assert.equal(json.stats.tokens, doc:stats().tokens)
    local pretty = doc:json { pretty = true }
    assert.matches('\n  "id": ', pretty, 1, true)
    assert.same(json, lector.json.decode(pretty))
  end)
end)

describe("document memory", function()
  local core = require "lector.core"

  it("is counted per state and given back when a document is released", function()
    collectgarbage()
    local before = core.document_memory()
    local text = ("A sentence of the text. "):rep(400)
    local doc = assert(lector.doc(text))
    local held = core.document_memory() - before
    assert.is_true(held >= #text, "counts at least the text")
    core.release(doc)
    assert.equal(before, core.document_memory())
    assert.error_matches(function() return doc.text end, "document was released")
    core.release(doc)   -- again: nothing more to give back
    assert.equal(before, core.document_memory())
  end)

  it("stays bounded when a loop drops its documents, however many pass", function()
    collectgarbage()
    collectgarbage "stop"   -- only the documents' own steps may collect
    local text = ("Words in a row, and a number 12.5 with them. "):rep(450)
    local passed, peak = 0, 0
    for i = 1, 2500 do
      local doc = assert(lector.doc(text .. i))
      passed = passed + doc.len
      peak = math.max(peak, core.document_memory())
    end
    collectgarbage "restart"
    assert.is_true(passed > 40 * 1024 * 1024)
    -- the slack (4 MiB) and the step each new document forces
    assert.is_true(peak < 12 * 1024 * 1024, "peak " .. peak)
  end)
end)
