-- The token matcher: patterns of token specs run over the sample article.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"
local lpeg = require "lpeg"

local doc = assert(lector.load(H.article))

local function hits(m, target, opts)
  local out = {}
  for hit in m:matches(target or doc, opts) do out[#out + 1] = hit end
  return out
end

local function texts(list, label)
  local out = {}
  for _, hit in ipairs(list) do
    if not label or hit.label == label then out[#out + 1] = hit.text end
  end
  return out
end

local function contains(list, value)
  for _, v in ipairs(list) do if v == value then return true end end
  return false
end

local NAME = { shape = "Xxxxx", op = "+", capture = "name" }

describe("lector.matcher", function()
  it("finds titles followed by names, with the name captured", function()
    local m = lector.matcher()
    m:add("TITLED", { { lower = { "spokesperson", "president" } }, NAME })
    local found = hits(m)
    local names = {}
    for _, hit in ipairs(found) do names[#names + 1] = hit.captures.name.text end
    assert.is_true(contains(names, "Dmitry Peskov"))
    assert.is_true(contains(names, "Maria Zakharova"))
    for _, hit in ipairs(found) do
      assert.equal("TITLED", hit.label)
      assert.equal(doc:slice(hit.start, hit.stop), hit.text)
      assert.equal(doc:token(hit.first).start, hit.start)
      assert.equal(doc:token(hit.last).stop, hit.stop)
      local name = hit.captures.name
      assert.equal(hit.last, name.last)
      assert.equal(hit.first + 1, name.first)
      assert.equal(doc:slice(name.start, name.stop), name.text)
    end
  end)

  it("compares lower case-insensitively, also for the pattern's own strings", function()
    local m = lector.matcher()
    m:add("K", { { lower = "KREMLIN" } })
    local found = hits(m)
    assert.is_true(#found >= 2)
    for _, hit in ipairs(found) do assert.equal("kremlin", hit.text:lower()) end
    local exact = lector.matcher()
    exact:add("K", { { text = "KREMLIN" } })
    assert.equal(0, exact:count(doc))
  end)

  it("takes optional elements when they are there and skips them when not", function()
    local m = lector.matcher()
    m:add("MIL", { { lower = "russian" }, { lower = "military", op = "?" }, { lower = "cargo" } })
    local found = texts(hits(m))
    assert.is_true(contains(found, "Russian military cargo"))
    local d = assert(lector.doc "Russian cargo planes landed. Russian military cargo planes too.")
    assert.same({ "Russian cargo", "Russian military cargo" }, texts(hits(m, d)))
  end)

  it("repeats greedily and honours min and max", function()
    local d = assert(lector.doc "one two three four five six.")
    local m = lector.matcher()
    m:add("W", { { kind = "word", min = 2, max = 3 } })
    assert.same({ "one two three", "four five six" }, texts(hits(m, d)))
    local star = lector.matcher()
    star:add("S", { { kind = "word", op = "*", capture = "a" }, { kind = "word", op = "+", capture = "b" } })
    local hit = hits(star, d)[1]
    assert.equal("one two three four five six", hit.text)
    assert.equal("one two three four five", hit.captures.a.text)   -- the first repeat takes most
    assert.equal("six", hit.captures.b.text)
  end)

  it("leaves a capture out when its element matched nothing", function()
    local d = assert(lector.doc "President Lula spoke. Lula spoke again.")
    local m = lector.matcher()
    m:add("P", { { lower = "president", op = "?", capture = "title" }, { text = "Lula", capture = "name" } })
    local found = hits(m, d)
    assert.equal(2, #found)
    assert.equal("President", found[1].captures.title.text)
    assert.is_nil(found[2].captures.title)
    assert.equal("Lula", found[2].captures.name.text)
  end)

  it("gives leftmost-longest non-overlapping hits by default, every pattern's with all", function()
    local d = assert(lector.doc "the United Nations Security Council met.")
    local m = lector.matcher()
    m:add("UN", { { text = "United" }, { text = "Nations" } })
    m:add("CAPS", { { shape = "Xxxxx", op = "+" } })
    m:add("UN2", { { text = "United" }, { text = "Nations" } })
    local default = hits(m, d)
    assert.same({ "United Nations Security Council" }, texts(default))
    assert.equal("CAPS", default[1].label)
    local all = hits(m, d, { all = true })
    local seen = {}
    for _, hit in ipairs(all) do seen[#seen + 1] = hit.label .. ":" .. hit.text end
    assert.same({ "UN:United Nations", "CAPS:United Nations Security Council", "UN2:United Nations",
      "CAPS:Nations Security Council", "CAPS:Security Council", "CAPS:Council" }, seen)
    local tie = lector.matcher()
    tie:add("FIRST", { { text = "Security" } })
    tie:add("SECOND", { { shape = "Xxxxx" } })
    local labels = {}
    for _, hit in ipairs(hits(tie, d)) do labels[hit.text] = hit.label end
    assert.equal("FIRST", labels.Security)
    assert.equal("SECOND", labels.United)
  end)

  it("never matches across a sentence end, and matches one sentence when given one", function()
    local d = assert(lector.doc "He met Maria. Zakharova spoke later.")
    local m = lector.matcher()
    m:add("NAME", { { shape = "Xxxxx", op = "+" } })
    assert.same({ "Maria", "Zakharova" }, texts(hits(m, d)))
    assert.same({ "Zakharova" }, texts(hits(m, d:sentence(2))))
    assert.equal(1, m:count(d:sentence(2)))
  end)

  it("tests starts_sentence, kind and not", function()
    local m = lector.matcher()
    m:add("FIRST", { { starts_sentence = true, kind = "word" } })
    local n = 0
    for hit in m:matches(doc) do
      n = n + 1
      local t = doc:token(hit.first)
      assert.equal(doc:sentence(t.sentence):token(1).index, t.index)
      assert.equal("word", t.kind)
    end
    assert.is_true(n > 10)
    local quote = lector.matcher()
    quote:add("Q", { { text = "“" }, { text = "”", ["not"] = true, op = "+", capture = "inside" }, { text = "”" } })
    local found = hits(quote)
    assert.is_true(contains(texts(found), "“zone of peace”"))
    for _, hit in ipairs(found) do assert.is_nil(hit.captures.inside.text:find("”", 1, true)) end
  end)

  it("runs LPeg patterns and re expressions against the whole token", function()
    local m = lector.matcher()
    m:add("YEAR", { { pattern = lpeg.R "09" ^ 4 } })
    assert.same({ "2025", "2006", "2008" }, texts(hits(m)))
    local digits = lector.matcher()
    digits:add("D", { { pattern = lpeg.R "09" ^ 1 * lpeg.C "" } })  -- captures do not matter
    assert.is_true(contains(texts(hits(digits)), "60"))
    local r = lector.matcher()
    r:add("SU", { { re = "'Su-' %d+" } })
    local su = texts(hits(r))
    assert.is_true(#su >= 1)
    for _, t in ipairs(su) do assert.equal("Su-30", t) end
    local partial = lector.matcher()
    partial:add("SU", { { re = "'Su'" } })   -- "Su-30" only starts with it
    assert.equal(0, partial:count(doc))
  end)

  it("lets an error raised inside an LPeg test through", function()
    local m = lector.matcher()
    m:add("BOOM", { { lower = "kremlin" }, { pattern = lpeg.Cmt(lpeg.P(1), function() error("boom") end) } })
    local ok, err = pcall(function() for _ in m:matches(doc) do end end)
    assert.is_false(ok)
    assert.matches("boom", err)
  end)

  it("tests whether a token lies inside a span of a layer", function()
    local d = assert(lector.doc "Peace talks began in Caracas and Mexico City today.")
    local text = d.text
    local a = text:find("Caracas", 1, true) - 1
    local b = text:find("Mexico City", 1, true) - 1
    d:add("place", { start = a, stop = a + #"Caracas", label = "GPE" })
    d:add("place", { start = b, stop = b + #"Mexico City", label = "CITY" })
    local m = lector.matcher()
    m:add("IN", { { lower = "in" }, { span = "place", op = "+" } })
    assert.same({ "in Caracas" }, texts(hits(m, d)))
    local any = lector.matcher()
    any:add("P", { { span = "place", op = "+" } })
    assert.same({ "Caracas", "Mexico City" }, texts(hits(any, d)))
    local city = lector.matcher()
    city:add("P", { { span = "place", span_label = "CITY", op = "+" } })
    assert.same({ "Mexico City" }, texts(hits(city, d)))
    local none = lector.matcher()
    none:add("P", { { span = "nowhere" } })
    assert.equal(0, none:count(d))
  end)

  it("counts patterns and lists labels", function()
    local m = lector.matcher()
    assert.equal(0, #m)
    assert.equal(m, m:add("A", { {} }))
    m:add("B", { { kind = "number" } })
    m:add("A", { { kind = "punct" } })
    assert.equal(3, #m)
    assert.same({ "A", "B" }, m:labels())
  end)

  it("refuses bad patterns, naming the element", function()
    local m = lector.matcher()
    local function refuses(pattern, message)
      local ok, err = pcall(function() return m:add("X", pattern) end)
      assert.is_false(ok)
      assert.matches(message, err, 1, true)
    end
    refuses({ { lower = "a" }, { shap = "Xx" } }, "bad argument #2 to 'add' (element 2: unknown field 'shap')")
    refuses({}, "a pattern needs at least one element")
    refuses({ "word" }, "element 1: expected a table, got string")
    refuses({ { text = {} } }, "element 1: field 'text' is an empty list")
    refuses({ { text = 3 } }, "element 1: field 'text' must be a string or a list of strings")
    refuses({ { text = { "a", 2 } } }, "must be a string or a list of strings")
    refuses({ { op = "!" } }, "element 1: bad 'op' '!'")
    refuses({ { op = "+", min = 2 } }, "'op' cannot be combined with 'min' or 'max'")
    refuses({ { min = 3, max = 2 } }, "'min' is greater than 'max'")
    refuses({ { max = 0 } }, "field 'max' must be at least 1")
    refuses({ { min = 1.5 } }, "field 'min' must be an integer")
    refuses({ { kind = "verb" } }, "unknown token kind 'verb'")
    refuses({ { ["not"] = true } }, "'not' needs a test to negate")
    refuses({ { pattern = "abc" } }, "field 'pattern' must be an LPeg pattern")
    refuses({ { re = "[a-" } }, "element 1: bad 're'")
    refuses({ { span_label = "X" } }, "'span_label' needs 'span'")
    refuses({ { label = "X" } }, "'label' needs 'lexicon'")
    refuses({ { lexicon = {} } }, "field 'lexicon' must be a Lexicon")
    refuses({ { starts_sentence = "yes" } }, "field 'starts_sentence' must be a boolean")
    refuses({ { capture = 1 } }, "field 'capture' must be a string")
    refuses({ { [1] = "x" } }, "element 1: unexpected number key")
    assert.equal(0, #m)   -- nothing of a refused pattern is kept
    assert.has_error(function() m:add("", { {} }) end)
    assert.has_error(function() m:matches({}) end)
  end)

  it("matches a 100,000-token sentence in time linear in its length", function()
    local words = {}
    for i = 1, 100000 do words[i] = i % 2 == 0 and "Alpha" or "Beta" end
    local d = assert(lector.doc(table.concat(words, " ")))
    assert.equal(1, d:stats().sentences)
    local m = lector.matcher()
    m:add("CAPS", { { shape = { "Xxxxx", "Xxxx" }, op = "+" }, { text = ".", op = "?" } })
    local n, longest, covered = 0, 0, 0
    for hit in m:matches(d) do
      n = n + 1
      longest = math.max(longest, hit.last - hit.first + 1)
      covered = covered + hit.last - hit.first + 1
    end
    assert.equal(128, longest)   -- LECTOR_MATCH_MAX_TOKENS
    assert.equal(100000, covered)
    assert.equal(math.ceil(100000 / 128), n)
  end)

  it("keeps working while patterns are added during a run", function()
    local m = lector.matcher()
    m:add("NUM", { { kind = "number" } })
    local n = 0
    for _ in m:matches(doc) do
      n = n + 1
      m:add("MORE" .. n, { { text = "x" .. n } })
    end
    assert.is_true(n > 3)
  end)

  it("refuses a test that changes its matcher or calls its own run, and raises its errors", function()
    local m, it = lector.matcher(), nil
    local reentered
    m:add("ADD", { { pattern = lpeg.P(function() m:add("LATE", { { text = "x" } }) end) } })
    assert.error_matches(function() m:count(doc) end,
      "cannot add to a matcher while it runs %(from one of its tests%)")
    assert.equal(1, #m)                               -- the matcher is as it was, and still works
    local again = lector.matcher()
    again:add("ME", { { pattern = lpeg.P(function(s)
      if not reentered then reentered = select(2, pcall(it)) end
      return #s + 1
    end) } })
    it = again:matches(doc)
    local n = 0
    for _ in it do n = n + 1 end
    assert.matches("a run of a matcher was called from one of its own tests", reentered)
    assert.equal(again:count(doc), n)
    local failing = lector.matcher()
    failing:add("BAD", { { pattern = lpeg.P(function() error("test failed", 0) end) } })
    assert.error_matches(function() failing:count(doc) end, "test failed")
    assert.error_matches(function() failing:count(doc) end, "test failed")   -- not stuck "running"
  end)

  it("keeps a lexicon's memory while a matcher uses it, closed or not", function()
    local m = lector.matcher()
    do
      local lex <close> = lector.lexicon()
      lex:add("Paris", "GPE")
      m:add("PLACE", { { lexicon = lex } })
    end
    local d = assert(lector.doc("Paris is big. Paris was sunny."))
    assert.equal(2, m:count(d))
    local places = lector.lexicon()
    places:add("Paris", "GPE")
    local closing = lector.matcher()
    closing:add("PLACE", { { pattern = lpeg.P(function()
      do local _ <close> = places end                 -- closes the lexicon mid-run
    end) }, { lexicon = places } })
    closing:add("PLACE", { { lexicon = places } })
    assert.equal(2, closing:count(d))
    assert.error_matches(function() return #places end, "the lexicon is closed")
  end)

  it("matches lexicon phrases as one element, filtered by label", function()
    local places = lector.lexicon { fold = true }
    places:load "Caracas\tGPE\nMexico City\tGPE\nSaint Petersburg\tGPE\nLatin America\tLOC\n"
    local m = lector.matcher()
    -- "in Caracas", "in Latin America", "in Mexico City": the preposition and the whole phrase
    m:add("IN_PLACE", { { lower = "in" }, { lexicon = places, label = "GPE", capture = "place" } })
    m:add("AND_PLACE", { { lower = "and" }, { lexicon = places, capture = "place" } })
    local found = hits(m)
    local places_in, places_and = {}, {}
    for _, hit in ipairs(found) do
      local list = hit.label == "IN_PLACE" and places_in or places_and
      list[#list + 1] = hit.captures.place.text
      assert.equal(hit.captures.place.stop, hit.stop)
    end
    assert.is_true(contains(places_in, "Caracas"))
    assert.is_true(contains(places_in, "Mexico City"))
    -- Latin America is a LOC, so "in Latin America" is not an IN_PLACE hit
    assert.is_false(contains(places_in, "Latin America"))
    assert.is_true(contains(places_and, "Saint Petersburg"))
    assert.has_error(function() m:add("BAD", { { lexicon = places, ["not"] = true } }) end)
    assert.has_error(function() m:add("BAD", { { lexicon = {} } }) end)
  end)
end)
