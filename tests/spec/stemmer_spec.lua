-- Snowball stemmers: stemming the fixture article's words, languages,
-- bad arguments, and the per-state cache with closing.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"

-- The article's word tokens, case-folded, each once, in order of appearance.
local function article_words()
  local doc = assert(lector.load(H.article))
  local words, seen = {}, {}
  for t in doc:tokens() do
    if t.kind == "word" and not seen[t.folded] then
      seen[t.folded] = true
      words[#words + 1] = t.folded
    end
  end
  return words, seen
end

describe("lector.stemmer", function()
  it("stems the fixture article's words", function()
    local words, seen = article_words()
    assert.is_true(seen.governments and seen.reiterated, "the fixture holds both words")
    local st = lector.stemmer "english"
    assert.equal("english", st.language)
    assert.matches("lector.Stemmer %(english%)", tostring(st))
    assert.equal("govern", st:stem "governments")
    assert.equal("reiter", st:stem "reiterated")
    assert.equal("support", st:stem "supports")
    -- a list at once gives what one at a time gives
    local stems = st:stems(words)
    assert.equal(#words, #stems)
    local changed = 0
    for i, w in ipairs(words) do
      assert.equal(st:stem(w), stems[i])
      assert.is_true(#stems[i] <= #w, w)
      if stems[i] ~= w then changed = changed + 1 end
    end
    assert.is_true(changed > #words / 4, "many words lose a suffix")
    -- "government", "governments" and "governed" share one stem
    assert.equal(st:stem "government", st:stem "governed")
  end)

  it("keeps case as given: callers fold first (t.folded)", function()
    local st = lector.stemmer "english"
    assert.equal("GOVERNMENTS", st:stem "GOVERNMENTS")
    assert.equal("Govern", st:stem "Governments")
    assert.equal("", st:stem "")
    -- UTF-8 letters pass through
    assert.equal("café", st:stem "cafés")
  end)

  it("knows libstemmer's languages, each with its own algorithm", function()
    local languages = lector.stemmer_languages()
    local set = {}
    for _, name in ipairs(languages) do set[name] = true end
    assert.is_true(set.english and set.porter and set.spanish and set.russian)
    assert.equal("corr", lector.stemmer("spanish"):stem "corriendo")
    assert.equal("gener", lector.stemmer("porter"):stem "generalizations")
    assert.equal("general", lector.stemmer("english"):stem "generalizations")
    for _, name in ipairs(languages) do
      assert.equal(name, lector.stemmer(name).language)
    end
  end)

  it("returns words over 256 bytes unchanged", function()
    local long = string.rep("a", 300) .. "ing"
    assert.equal(long, lector.stemmer("english"):stem(long))
  end)

  it("raises on bad arguments, naming their position", function()
    local st = lector.stemmer "english"
    assert.error_matches(function() lector.stemmer "klingon" end,
      "bad argument #1 to 'stemmer' %(unknown stemmer language 'klingon' %(known: arabic, .*english.*%)%)")
    assert.error_matches(function() lector.stemmer "en" end, "unknown stemmer language 'en'")
    assert.error_matches(function() lector.stemmer() end, "bad argument #1 to 'stemmer'")
    assert.error_matches(function() st:stem(3) end, "bad argument #1 to 'stem' %(string expected")
    assert.error_matches(function() st:stem "caf\xe9" end, "bad argument #1 to 'stem' %(not valid UTF%-8%)")
    assert.error_matches(function() st:stems { "a", 5 } end,
      "bad argument #1 to 'stems' %(item 2 is a number, not a string%)")
    assert.error_matches(function() st:stems { "a", "\xff" } end, "item 2 is not valid UTF%-8")
    assert.error_matches(function() st.stem({}, "word") end, "lector.Stemmer expected")
  end)

  it("is one object per language and state; closing frees it and the next call makes another", function()
    local st = lector.stemmer "porter"
    assert.equal(st, lector.stemmer "porter")
    assert.are_not.equal(st, lector.stemmer "english")
    do
      local closing <close> = st
      assert.equal("run", closing:stem "running")
    end
    assert.matches("closed", tostring(st))
    assert.error_matches(function() st:stem "running" end, "the stemmer is closed")
    local again = lector.stemmer "porter"
    assert.are_not.equal(st, again)
    assert.equal("run", again:stem "running")
  end)
end)
