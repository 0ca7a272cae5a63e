-- The Lua API for lexicons: building, loading TSV, looking up, and
-- matching phrases in the fixture article.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"

local PLACES = table.concat({
  "# places in the fixture article, and some that are not in it",
  "Caracas\tGPE",
  "Venezuela\tGPE\t1",
  "Saint Petersburg\tGPE",
  "Mexico City\tGPE",
  "Mexico\tGPE",
  "Mexico City\tCAPITAL",
  "Buenos Aires\tGPE",
  "United Nations\tORG",
  "United Nations Security Council\tORG\t15",
  "Nicolás Maduro\tPERSON",
}, "\r\n") .. "\r\n"

local function collect(lex, target, opts)
  local found = {}
  for m in lex:matches(target, opts) do found[#found + 1] = m end
  return found
end

local function texts(matches)
  local t = {}
  for i, m in ipairs(matches) do t[i] = m.text end
  return t
end

describe("lector.lexicon", function()
  it("starts empty, exact unless fold is asked for", function()
    local lex = lector.lexicon()
    assert.equal(0, #lex)
    assert.is_false(lex.fold)
    assert.equal(0, lex.max_tokens)
    assert.is_true(lector.lexicon { fold = true }.fold)
    assert.matches("lector.Lexicon %(0 entries%)", tostring(lex))
  end)

  it("adds phrases, one entry per label, and gets them back", function()
    local lex = lector.lexicon()
    lex:add("Georgia", "GPE")
    lex:add("Georgia", "PERSON", 2)
    lex:add("Georgia", "GPE", 0.5)                 -- replaces the value
    assert.equal(2, #lex)
    assert.same({ "GPE", "PERSON" }, lex:labels "Georgia")
    assert.same({}, lex:labels "Atlanta")
    local label, value = lex:get "Georgia"
    assert.equal("GPE", label)
    assert.equal(0.5, value)
    assert.is_nil(lex:get "Atlanta")
    assert.is_nil(lex:get "georgia")               -- exact
    lex:add("Straße des 17. Juni", "FAC", 17)
    local tokens = 0
    for _ in assert(lector.doc "Straße des 17. Juni"):tokens() do tokens = tokens + 1 end
    assert.equal(tokens, lex.max_tokens)
    assert.equal(17, select(2, lex:get "Straße des 17. Juni"))
    assert.equal("integer", math.type(select(2, lex:get "Straße des 17. Juni")))
  end)

  it("checks its arguments and names them", function()
    local lex = lector.lexicon()
    assert.error_matches(function() lex:add("x") end, "bad argument #2 to 'add'")
    assert.error_matches(function() lex:add("x", "") end, "#2 to 'add' %(a label is 1 to 256 bytes%)")
    assert.error_matches(function() lex:add("x", ("L"):rep(257)) end, "a label is 1 to 256 bytes")
    assert.error_matches(function() lex:add("x", "L", 1 / 0) end, "#3 to 'add' %(the value must be a finite number%)")
    assert.error_matches(function() lex:add("   ", "L") end, "#1 to 'add' %(the phrase has no tokens%)")
    assert.error_matches(function() lex:add("a\255", "L") end, "not valid UTF%-8")
    assert.error_matches(function() lex:add(("w "):rep(33), "L") end, "33 tokens %(at most 32%)")
    assert.error_matches(function() lex:matches("text") end, "Document or Sentence expected")
    assert.error_matches(function() lector.lexicon(true) end, "table expected")
    assert.equal(0, #lex)
  end)

  it("loads TSV and refuses a bad line by name and number, keeping nothing of the text", function()
    local lex = lector.lexicon { fold = true }
    assert.equal(10, lex:load(PLACES, "places.tsv"))
    assert.equal(10, #lex)
    assert.equal(15, select(2, lex:get "united nations security council"))
    assert.same({ "GPE", "CAPITAL" }, lex:labels "MEXICO CITY")
    local bad = "Lima\tGPE\nVenezuela\tGPE\t99\nQuito\tGPE\tmany\n"
    assert.error_matches(function() lex:load(bad, "more.tsv") end,
                         "^more%.tsv:3: the value 'many' is not a finite number$")
    assert.error_matches(function() lex:load "Lima\n" end, "^lexicon:1: no label")
    assert.equal(10, #lex)
    assert.is_nil(lex:get "Lima")
    assert.equal(1, select(2, lex:get "Venezuela"))   -- the replaced value came back
  end)

  describe("on the fixture article", function()
    local doc = assert(lector.load(H.article))
    local lex = lector.lexicon { fold = true }
    lex:load(PLACES, "places.tsv")

    it("finds each place, the longest entry first, left to right, without overlaps", function()
      local found = collect(lex, doc)
      local seen = {}
      for i, m in ipairs(found) do
        seen[m.text] = (seen[m.text] or 0) + 1
        assert.equal(m.text, doc:slice(m.start, m.stop))
        assert.equal(doc:token(m.first).start, m.start)
        assert.equal(doc:token(m.last).stop, m.stop)
        assert.equal(m.labels[1], m.label)
        if i > 1 then assert.is_true(found[i - 1].stop <= m.start) end
      end
      local count = 0
      for t in doc:tokens() do count = count + (t.text == "Caracas" and 1 or 0) end
      assert.is_true(count > 0)
      assert.equal(count, seen.Caracas)
      assert.equal(1, seen["Saint Petersburg"])
      assert.equal(1, seen["Mexico City"])
      assert.equal(1, seen["Nicolás Maduro"])
      assert.is_nil(seen["Buenos Aires"])
      -- the council, not the shorter "United Nations" inside it
      assert.equal(1, seen["United Nations Security Council"])
      local council
      for _, m in ipairs(found) do
        if m.text == "United Nations Security Council" then council = m end
      end
      assert.equal(15, council.value)
      assert.equal(4, council.last - council.first + 1)
      -- "Mexico City, Mexico.": the city and then the country, separately
      local city
      for i, m in ipairs(found) do
        if m.text == "Mexico City" then city = i end
      end
      assert.same({ "GPE", "CAPITAL" }, found[city].labels)
      assert.equal("Mexico", found[city + 1].text)
    end)

    it("with all = true, gives the longest entry at every token, overlaps included", function()
      local council = lector.lexicon { fold = true }
      council:load(PLACES)
      council:add("Security Council", "ORG")
      local plain, all = texts(collect(council, doc)), texts(collect(council, doc, { all = true }))
      local function count(list, text)
        local n = 0
        for _, t in ipairs(list) do n = n + (t == text and 1 or 0) end
        return n
      end
      assert.equal(1, count(plain, "United Nations Security Council"))
      assert.equal(0, count(plain, "Security Council"))
      assert.equal(1, count(all, "United Nations Security Council"))
      assert.equal(1, count(all, "Security Council"))
      -- at the council's first token only the longest entry is given
      assert.equal(count(plain, "United Nations"), count(all, "United Nations"))
      assert.equal(#plain + 1, #all)
      -- folding: every token that folds to "venezuela" is a match
      local venezuela = 0
      for t in doc:tokens() do
        if t.folded == "venezuela" then venezuela = venezuela + 1 end
      end
      local matched = 0
      for _, m in ipairs(collect(council, doc)) do
        if m.text:lower() == "venezuela" then matched = matched + 1 end
      end
      assert.is_true(venezuela > 1)
      assert.equal(venezuela, matched)
    end)

    it("matches within one sentence, never across a sentence end", function()
      local sentence
      for s in doc:sentences() do
        if s.text:find "Caracas" then sentence = s break end
      end
      local found = collect(lex, sentence)
      assert.is_true(#found > 0)
      for _, m in ipairs(found) do
        assert.is_true(m.start >= sentence.start and m.stop <= sentence.stop)
      end
      -- a phrase made of the end of one sentence and the start of the next
      local first, second = doc:sentence(2), doc:sentence(3)
      local tail = first:token(#first - 1).text .. " " .. first:token(#first).text
      local across = lector.lexicon()
      across:add(tail, "T")
      across:add(tail .. " " .. second:token(1).text, "ACROSS")
      for m in across:matches(doc) do assert.equal("T", m.label) end
      assert.equal(1, #collect(across, first))
    end)

    it("folds tokens the way the phrase was folded", function()
      local exact = lector.lexicon()
      exact:add("caracas", "GPE")
      assert.equal(0, #collect(exact, doc))
      exact:add("Caracas", "GPE")
      assert.is_true(#collect(exact, doc) > 0)
    end)
  end)

  it("does not keep a document alive, and dies with close", function()
    local lex = lector.lexicon()
    lex:add("shares", "X")
    local weak = setmetatable({}, { __mode = "v" })
    do
      local doc = assert(lector.doc "Traders sold shares. Shares fell.")
      weak[1] = doc
      assert.equal(1, #collect(lex, doc))
    end
    collectgarbage()
    collectgarbage()
    assert.is_nil(weak[1])
    do
      local closing <close> = lex
    end
    assert.error_matches(function() return #lex end, "the lexicon is closed")
    assert.matches("closed", tostring(lex))
  end)
end)
