-- lector.phrases: a key-phrase extractor configured from Lua with its word
-- lists, lexicons and stemmer, run over real text; bad arguments, closed
-- parts, and the extractor inside the plugin sandbox.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"
local core = require "lector.core"

local STOP = { "the", "a", "an", "of", "and", "in", "on", "at", "to", "for", "by", "with", "is",
  "was", "it", "its", "said", "would", "that", "from", "as", "has", "have", "be", "will" }

local function stopwords()
  local lex = lector.lexicon { fold = true }
  for _, w in ipairs(STOP) do lex:add(w, "stop") end
  return lex
end

local function extractor(config)
  config = config or {}
  config.stemmer = config.stemmer or lector.stemmer "english"
  config.stopwords = config.stopwords or stopwords()
  config.connectors = config.connectors or { "of", "and" }
  return lector.phrases(config)
end

-- The first occurrence's text of each phrase found, best first.
local function texts(doc, found)
  local out = {}
  for i, p in ipairs(found) do out[i] = doc:slice(p.starts[1], p.stops[1]) end
  return out
end

local function index_of(list, value)
  for i, v in ipairs(list) do if v == value then return i end end
  return nil
end

describe("lector.phrases", function()
  it("finds the article's key phrases, scored, with their occurrences", function()
    local doc = assert(lector.load(H.article))
    local found = extractor():extract(doc)
    assert.equal(10, #found)
    for i, p in ipairs(found) do
      assert.equal(p.count, #p.starts)
      assert.equal(p.count, #p.stops)
      local parts = 0
      for _, n in ipairs(p.parts) do parts = parts + n end
      assert.equal(p.count, parts)
      if i > 1 then assert.is_true(p.score <= found[i - 1].score) end
      assert.equal("string", type(p.phrase))
      assert.equal("table", type(p.variants))
      for j = 1, p.count do
        local text = doc:slice(p.starts[j], p.stops[j])
        assert.is_nil(text:lower():match "^the ")
      end
    end
    assert.equal(3, #extractor():extract(doc, { count = 3 }))
  end)

  it("merges a variant into the name it starts with", function()
    local doc = assert(lector.doc("Maduro spoke at the Port of Halden. The Maduro government "
      .. "denied it. Maduro left the Port of Halden by ship."))
    local found = extractor { more_stopwords = { "spoke", "denied", "left" } }:extract(doc)
    local names = texts(doc, found)
    assert.is_truthy(index_of(names, "Port of Halden"))
    assert.is_nil(index_of(names, "Maduro government"))
    local maduro = found[index_of(names, "Maduro")]
    assert.equal("Maduro", maduro.phrase)
    assert.same({ "Maduro government" }, maduro.variants)
    assert.same({ 2, 1 }, maduro.parts)
    assert.equal(3, maduro.count)
    assert.equal("Maduro government", doc:slice(maduro.starts[3], maduro.stops[3]))
  end)

  it("names a phrase by its most frequent form and lists its other forms", function()
    local doc = assert(lector.doc("Russia’s army moved. Russia's navy moved. The RUSSIA team "
      .. "and Russia  \t Today came. Russia won."))
    local found = extractor { more_stopwords = { "moved", "came", "won", "army", "navy", "team" } }
      :extract(doc, { count = 1 })
    assert.equal("Russia", found[1].phrase)
    assert.same({ "RUSSIA", "Russia Today" }, found[1].variants)
  end)

  it("trims edge words, splits at verbs and possessives, leaves out ranges", function()
    local verbs = lector.lexicon { fold = true }
    verbs:add("rose", "verb")
    local ph = extractor { verbs = verbs, edge_words = { "two" }, edge_suffixes = { "ing" },
      more_stopwords = { "left" } }
    local text = "Photo by Jane Smith. Two escalating border clashes. Russia’s military budget "
      .. "rose. Rose Garden guests left."
    local doc = assert(lector.doc(text))
    local names = texts(doc, ph:extract(doc, { skip = { { 0, #"Photo by Jane Smith." } } }))
    assert.is_truthy(index_of(names, "border clashes"))
    assert.is_truthy(index_of(names, "Russia’s"))
    assert.is_truthy(index_of(names, "military budget"))
    assert.is_truthy(index_of(names, "Rose Garden guests"))
    assert.is_nil(index_of(names, "Jane Smith"))
    -- ranges in any order, overlapping or empty, leave out the same words
    local first, second = #"Photo by ", #"Photo by Jane Smith."
    assert.same(names, texts(doc, ph:extract(doc, { skip = { { first + 2, second }, { 0, 0 },
      { 0, first + 4 }, { 5, 6 } } })))
    -- as many ranges as allowed over a long text: linear in the text
    local long = assert(lector.doc(("Border clashes rose near Jane Smith's farm. "):rep(20000)))
    local skip, step = {}, #"Border clashes rose near Jane Smith's farm. "
    for i = 1, 1024 do skip[i] = { (1024 - i) * 800 * step // 1024, (1024 - i) * 800 * step // 1024 + 5 } end
    assert.is_true(#ph:extract(long, { skip = skip }) > 0)
    -- in the headline a capitalized verb splits too
    local head = #"Photo by Jane Smith. Two escalating border clashes. Russia’s military budget rose. "
    names = texts(doc, ph:extract(doc, { headline = { head, #text } }))
    assert.is_nil(index_of(names, "Rose Garden guests"))
    assert.is_truthy(index_of(names, "Garden guests"))
  end)

  it("refuses bad arguments, naming them", function()
    local doc = assert(lector.doc "Copper prices rose.")
    local ph = extractor()
    assert.error_matches(function() lector.phrases() end,
      "bad argument #1 to 'phrases' %(table expected")
    assert.error_matches(function() lector.phrases {} end,
      "bad argument #1 to 'phrases' %(field 'stemmer' must be an open Stemmer%)")
    assert.error_matches(function() extractor { stopwords = {} } end,
      "bad argument #1 to 'phrases' %(field 'stopwords' must be a Lexicon%)")
    assert.error_matches(function() extractor { max_words = 0 } end,
      "field 'max_words' must be 1 to 32")
    assert.error_matches(function() extractor { window = 1 } end, "field 'window' must be 2 to 16")
    assert.error_matches(function() extractor { connectors = "of" } end,
      "field 'connectors' must be a list of strings")
    assert.error_matches(function() extractor { edge_words = { "two", 2 } } end,
      "field 'edge_words': item 2 must be a non%-empty string")
    assert.error_matches(function() ph:extract() end, "bad argument #1 to 'extract'")
    assert.error_matches(function() ph:extract(doc, 3) end,
      "bad argument #2 to 'extract' %(table expected")
    assert.error_matches(function() ph:extract(doc, { count = 0 }) end,
      "bad argument #2 to 'extract' %(field 'count' must be at least 1%)")
    assert.error_matches(function() ph:extract(doc, { skip = { 3 } }) end,
      "bad argument #2 to 'extract' %(an item of field 'skip' must be {start, stop}")
    assert.error_matches(function() ph:extract(doc, { headline = { 0, -1 } }) end,
      "field 'headline' must be {start, stop}, byte offsets")
    assert.error_matches(function() ph.extract({}, doc) end, "lector.Phrases expected")
  end)

  it("reads a run of tokens' terms: stems of words, numbers as they are", function()
    local doc = assert(lector.doc "The Government’s 2 governments rose 10km, up 3.5 pct! Élan 1990s")
    local ph = extractor { more_stopwords = { "pct", "up" } }
    local n = doc:token_columns({ "kind" }).n
    local terms, words, numbers, like = ph:terms(doc, 1, n)
    assert.same({ "govern", "2", "govern", "rose", "10km", "3.5", "élan", "1990s" }, terms)
    assert.equal(11, words)
    assert.same({ 2, 6, 8 }, numbers)
    assert.same({ "10km", "élan" }, like)
    -- a part of the sentence; the memos give the same answers again
    terms, words, numbers, like = ph:terms(doc, 2, 4)
    assert.same({ "govern", "2", "govern" }, terms)
    assert.equal(3, words)
    assert.same({ 2 }, numbers)
    assert.is_nil(like)
    -- no tokens
    terms, words, numbers, like = ph:terms(doc, n + 1, n)
    assert.same({}, terms)
    assert.equal(0, words)
    assert.is_nil(numbers)
    assert.is_nil(like)
  end)

  it("refuses tokens outside the document, naming the argument", function()
    local doc = assert(lector.doc "Copper prices rose.")
    local ph = extractor()
    assert.error_matches(function() ph:terms(doc, 0, 1) end,
      "bad argument #2 to 'terms' %(not a token of the document%)")
    assert.error_matches(function() ph:terms(doc, 1, 5) end,
      "bad argument #3 to 'terms' %(not a token of the document%)")
    assert.error_matches(function() ph:terms(doc, 3, 1) end,
      "bad argument #3 to 'terms' %(not a token of the document%)")
    assert.error_matches(function() ph:terms(doc, 1) end, "bad argument #3 to 'terms'")
    assert.error_matches(function() ph:terms("text", 1, 1) end,
      "bad argument #1 to 'terms' %(lector.Document expected")
    assert.error_matches(function() ph.terms({}, doc, 1, 1) end, "lector.Phrases expected")
  end)

  it("raises once a part it was given, or itself, is closed", function()
    local doc = assert(lector.doc "Copper prices rose.")
    local st = lector.stemmer "english"
    local ph = extractor { stemmer = st }
    assert.equal(1, #ph:extract(doc))
    do
      local closing <close> = st
    end
    assert.error_matches(function() ph:extract(doc) end, "its stemmer is closed")
    local lex = stopwords()
    ph = extractor { stopwords = lex }
    do
      local closing <close> = lex
    end
    assert.error_matches(function() ph:extract(doc) end, "closed")
    assert.equal("lector.Phrases", tostring(ph))
    do
      local closing <close> = ph
    end
    assert.equal("lector.Phrases (closed)", tostring(ph))
    assert.error_matches(function() ph:extract(doc) end, "the phrase extractor is closed")
  end)

  -- A finalizer may run at any allocation while an answer's tables are
  -- made. One that calls the extractor again, or closes it, must not
  -- change or free what is being read: in the sanitizer build a read of
  -- freed memory stops the run. Rounds of garbage are made until one of
  -- its finalizers has run inside the call.
  local function names_text(sentences, distinct)
    local parts = {}
    for i = 1, sentences do
      local k, w = i % distinct, {}
      repeat w[#w + 1] = string.char(97 + k % 26); k = k // 26 until k == 0
      parts[i] = "Qua" .. table.concat(w) .. " Holdings bought the copper mine in Halden."
    end
    return table.concat(parts, " ")
  end

  local function with_finalizers(call, inside_finalizer)
    local inside, during = false, 0
    local mt = { __gc = function()
      if not inside then return end
      during = during + 1
      inside_finalizer(during)
    end }
    for _ = 1, 50 do
      for _ = 1, 2000 do setmetatable({}, mt) end
      inside = true
      local results = table.pack(pcall(call))
      inside = false
      if during > 0 then return table.unpack(results, 1, results.n) end
    end
    error "no finalizer ran inside the call"
  end

  it("gives a call's own answer when a finalizer calls the same extractor inside it", function()
    local small = assert(lector.doc(names_text(300, 60)))
    local big = assert(lector.doc(names_text(3000, 3000)))
    local big_tokens = big:token_columns({ "kind" }).n
    local ph = extractor()
    local expected = ph:extract(small, { count = 200 })
    local ok, found = with_finalizers(function() return ph:extract(small, { count = 200 }) end,
      function(n) if n < 3 then ph:extract(big, { count = 3000 }) end end)
    assert.is_true(ok, found)
    assert.same(expected, found)
    local n = small:token_columns({ "kind" }).n
    local expected_terms = table.pack(ph:terms(small, 1, n))
    local answer = table.pack(with_finalizers(function() return ph:terms(small, 1, n) end,
      function(calls) if calls < 3 then ph:terms(big, 1, big_tokens) end end))
    assert.is_true(answer[1], answer[2])
    assert.same(expected_terms, table.pack(table.unpack(answer, 2, answer.n)))
  end)

  it("gives its answer, or raises, when a finalizer closes the extractor inside a call", function()
    local small = assert(lector.doc(names_text(300, 60)))
    local n = small:token_columns({ "kind" }).n
    local expected = extractor():extract(small, { count = 200 })
    local expected_terms = table.pack(extractor():terms(small, 1, n))
    local calls = {
      function(ph) return ph:extract(small, { count = 200 }) end,
      function(ph) return ph:terms(small, 1, n) end,
    }
    for i, call in ipairs(calls) do
      local ph = extractor()
      local answer = table.pack(with_finalizers(function() return call(ph) end, function()
        local closing <close> = ph
      end))
      assert.equal("lector.Phrases (closed)", tostring(ph))
      if not answer[1] then
        assert.matches("the phrase extractor is closed", answer[2])
      elseif i == 1 then
        assert.same(expected, answer[2])
      else
        assert.same(expected_terms, table.pack(table.unpack(answer, 2, answer.n)))
      end
    end
  end)

  it("serves plugins in the sandbox", function()
    local dir = H.tmpdir()
    H.write(dir .. "/plugin.lua", [[
      return { name = "phrasal", version = "1.0.0", run = function(doc)
        local stop = lector.lexicon { fold = true }
        for _, w in ipairs { "the", "in", "of", "closed", "rose" } do stop:add(w, "stop") end
        local ph = lector.phrases { stemmer = lector.stemmer "english", stopwords = stop }
        local found = ph:extract(doc, { count = 1 })
        doc:set("best", doc:slice(found[1].starts[1], found[1].stops[1]))
        doc:set("writable", (pcall(function() lector.phrases = nil end)))
      end }
    ]])
    local state = assert(core.sandbox { name = "phrasal", dir = dir, file = dir .. "/plugin.lua" })
    local doc = assert(lector.doc "Tokyo markets closed. Rice prices rose in Tokyo markets.")
    assert.is_true(state:run(doc))
    assert.equal("Tokyo markets", doc:get "best")
    assert.is_false(doc:get "writable")
    state:close()
  end)
end)
