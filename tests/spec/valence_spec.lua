-- lector.valence: a sentence scorer configured from Lua, fed a document's
-- lexicon hits and sentences as columns.
local lector = require "lector"

local K = {
  neg_scope = 3, neg_factor = -0.75, neg_negative = -0.5, bare_negation = -0.6, boost_reach = 3,
  boost_decay = 0.85, caps = 0.7, excl = 0.3, excl_max = 4, before_contrast = 0.5,
  after_contrast = 1.5, concession = 0.5, scare_positive = -0.5, scare_negative = 0.5, scale = 4,
  neutral = 0.05,
}
local ROLES = { valence = "valence", idiom = "valence", booster = "booster", negation = "negation",
  contrast = "contrast", concession = "concession", hedge = "hedge", scare = "scare",
  neutral = "neutral" }

local function scorer() return lector.valence { roles = ROLES, constants = K } end

local function lexicon()
  local lex = lector.lexicon { fold = true }
  lex:add("good", "valence", 1.9)
  lex:add("bad", "valence", -2.5)
  lex:add("great", "idiom", 3)
  lex:add("very", "booster", 0.3)
  lex:add("not", "negation")
  lex:add("but", "contrast")
  lex:add("although", "concession")
  lex:add("acme", "company")          -- a label with no role
  return lex
end

-- Score TEXT: the scorer's output and the hits it read.
local function score(text, opts, v)
  local doc = assert(lector.doc(text))
  local H = lexicon():scan(doc, { fields = { "start", "stop", "first", "last", "label", "value",
    "text" } })
  local S = doc:sentence_columns { "start", "stop", "tokens", "paragraph" }
  return (v or scorer()):score(doc.text, H, S, {}, opts), H
end

local function tanh(x) local e = math.exp(2 * x) return (e - 1) / (e + 1) end
local function round(x) return (x * 10000 + 0.5) // 1 / 10000 end

describe("lector.valence", function()
  it("scores each sentence into span columns, with labels and rounded proportions", function()
    local R = score "The film was good. It was not good. Nothing here."
    local S = R.sentences
    assert.equal(3, S.n)
    assert.same({ "positive", "negative", "neutral" }, { S.label[1], S.label[2], S.label[3] })
    assert.equal(round(tanh(1.9 / 4)), S.score[1])
    assert.equal(round(tanh(1.9 * -0.75 / 4)), S.score[2])
    -- a sentence without a valence word: score 0 (an integer) and no attrs
    assert.equal(0, S.score[3])
    assert.is_true(math.type(S.score[3]) == "integer")
    assert.is_nil(S.attrs.pos[3])
    assert.equal(round(1.9 / 5.9), S.attrs.pos[1])
    assert.equal(2, R.positive + R.negative)
    assert.equal(1, R.neutral)
  end)

  it("gives paragraphs and the document their token-weighted means", function()
    local R = score "A good day.\n\nA bad day. Another day."
    local P = R.paragraphs
    assert.equal(2, P.n)
    assert.same({ 1, 2 }, { P.index[1], P.index[2] })
    assert.same({ 1, 2 }, { P.sentences[1], P.sentences[2] })
    assert.equal(round(tanh(1.9 / 4)), P.compound[1])
    local c1, c2 = tanh(1.9 / 4), tanh(-2.5 / 4)
    assert.equal(round((c2 * 4 + 0 * 3) / 7), P.compound[2])
    assert.equal(round((c1 * 4 + c2 * 4) / 11), R.compound)
  end)

  it("keeps the most positive and negative sentences, ties in table.sort's order", function()
    local R = score("Good. Bad. Good. Very good. Good good. Great. Not bad.", { extremes = 2 })
    assert.same({ 5, 6 }, { R.most_positive[1].index, R.most_positive[2].index })
    assert.equal(2, R.most_negative[1].index)
    -- ties: the order a list kept with table.sort would have
    local text = "Good. Bad. Good. Very good. Good. Bad. Good. Bad. Good. Great. Good."
    for _, keep in ipairs { 1, 2, 3, 5 } do
      local list = {}
      local S = score(text, { extremes = keep }).sentences
      for i = 1, S.n do
        if S.label[i] == "positive" then
          list[#list + 1] = { index = i, compound = S.score[i] }
          table.sort(list, function(a, b) return a.compound > b.compound end)
          list[keep + 1] = nil
        end
      end
      local got = score(text, { extremes = keep }).most_positive
      assert.same(list, got)
    end
    -- a list with fewer entries than an earlier document's is cut to its own
    local v = scorer()
    local out = {}
    v:score("x", { n = 0, start = {}, stop = {}, first = {}, last = {}, label = {}, value = {} },
      { n = 0, start = {}, stop = {}, tokens = {}, paragraph = {} }, out)
    assert.same({}, out.most_positive)
  end)

  it("returns records of what fired, for explanations written in Lua", function()
    local R, H = score("It was not very good but bad!", { explain = true })
    local why = R.explain[1]
    local good = why.words[3]
    assert.equal("good", H.text[good.hit])
    assert.equal(1.9, good.valence)
    assert.same({ "booster", "negation", "contrast" },
      { good.rules[1].rule, good.rules[2].rule, good.rules[3].rule })
    assert.equal("very", H.text[good.rules[1].hit])
    assert.is_true(good.rules[3].before)
    assert.equal("negation", why.words[1].role)
    local rules = {}
    for _, r in ipairs(why.rules) do rules[#rules + 1] = r.rule end
    assert.same({ "exclamation", "contrast" }, rules)
    assert.equal(1, why.rules[1].count)
    assert.is_number(why.sum)
    assert.equal(tanh(why.sum / 4), why.compound)
  end)

  it("keeps Lua's integers: an integer valence untouched by a rule stays one", function()
    local R = score("A great day.", { explain = true })
    local w = R.explain[1].words[1]
    assert.equal("integer", math.type(w.valence))
    assert.equal("integer", math.type(w.after))
    assert.equal("integer", math.type(R.explain[1].sum))
    assert.equal("integer", math.type(scorer():compound(400)))
  end)

  it("skips words inside blocked ranges and gives items and cuts for clause scores", function()
    local R = score("Good Corp fell but bad.", { items = true, blocked = { start = { 0 }, stop = { 9 } },
      explain = true })
    assert.equal(1, #R.items[1])
    assert.equal(19, R.items[1][1][1])                 -- "bad" starts at 19
    assert.same({ 15 }, R.cuts[1])                     -- "but"
    assert.equal(1, R.explain[1].words[1].blocked)
    assert.equal(0, R.explain[1].words[1].after)
  end)

  it("ignores labels without a role, as rule words that end a look-back", function()
    local with = score "It was not acme good."
    local without = score "It was not good."
    assert.is_true(with.sentences.score[1] > 0)
    assert.is_true(without.sentences.score[1] < 0)
  end)

  it("finds the hits itself with score_document, to the same results", function()
    local text = "It was not very good, but the acting was bad!! Although GOOD, acme was bad.\n\n"
      .. "A \"great\" day. Nothing here. Very very bad, not bad; good."
    local doc = assert(lector.doc(text))
    local lex = lexicon()
    local S = doc:sentence_columns { "start", "stop", "tokens", "paragraph" }
    local opts = { items = true, blocked = { start = { 0 }, stop = { 2 } } }
    local a = scorer():score(doc.text, lex:scan(doc), S, {}, opts)
    local b = scorer():score_document(doc, lex, S, {}, opts)
    assert.same(a, b)
    assert.is_true(b.sentences.n == S.n and S.n >= 4)
    -- without sentence columns, the document's own sentences: the same,
    -- and the spans' bounds in out.sentences
    local c = scorer():score_document(doc, lex, nil, {}, opts)
    assert.same(a, c)
    assert.same({ table.unpack(S.start, 1, S.n) }, { table.unpack(c.sentences.start, 1, S.n) })
    assert.same({ table.unpack(S.stop, 1, S.n) }, { table.unpack(c.sentences.stop, 1, S.n) })
    assert.has_error(function() scorer():score(doc.text, lex:scan(doc), nil, {}) end,
      "bad argument #3 to 'score' (table expected, got nil)")
    assert.has_error(function() scorer():score_document(doc, lex, S, {}, { explain = true }) end,
      "bad argument #5 to 'score_document' (explanations need the hits' columns: use v:score)")
    assert.has_error(function() scorer():score_document(doc:sentence(1), lex, S, {}) end,
      "bad argument #1 to 'score_document' (a Document is needed)")
    assert.has_error(function() scorer():score_document(doc, {}, S, {}) end)
  end)

  it("gives a float where weights too large for an integer make one", function()
    local huge = {}
    for k, v in pairs(K) do huge[k] = v end
    huge.neg_factor, huge.excl_max = math.maxinteger, -1e30
    local v = lector.valence { roles = ROLES, constants = huge }
    local lex = lector.lexicon { fold = true }
    lex:add("good", "valence", 2)
    lex:add("not", "negation")
    local doc = assert(lector.doc "It is not good! Fine.")
    local out = v:score_document(doc, lex, nil, {}, { items = true })
    local contribution = out.items[1][1][2]
    assert.equal("float", math.type(contribution))
    assert.is_true(contribution > 1e18)
  end)

  it("refuses a replaced table.sort that leaves no order of the ties", function()
    local lex = lexicon()
    local doc = assert(lector.doc "It is good. It is good. It is good. It is good.")
    local sort = table.sort
    table.sort = function(t) t[1] = 100000000 end
    local ok, err = pcall(scorer().score_document, scorer(), doc, lex, nil, {})
    table.sort = sort
    assert.is_false(ok)
    assert.matches("table.sort did not sort the scorer's ties", err, 1, true)
  end)

  it("checks its configuration and arguments, naming their position", function()
    local bad = {}
    for k, v in pairs(K) do bad[k] = v end
    bad.caps = nil
    assert.has_error(function() lector.valence { roles = ROLES, constants = bad } end,
      "bad argument #1 to 'valence' (constants.caps must be a finite number)")
    bad.caps = math.huge
    assert.has_error(function() lector.valence { roles = ROLES, constants = bad } end,
      "bad argument #1 to 'valence' (constants.caps must be a finite number)")
    bad.caps = 0 / 0
    assert.has_error(function() lector.valence { roles = ROLES, constants = bad } end,
      "bad argument #1 to 'valence' (constants.caps must be a finite number)")
    bad.caps, bad.capz = 0.7, 1
    assert.has_error(function() lector.valence { roles = ROLES, constants = bad } end,
      "bad argument #1 to 'valence' (constants: unknown key 'capz')")
    assert.has_error(function() lector.valence { roles = { x = "nonsense" }, constants = K } end)
    local v = scorer()
    local S = { n = 1, start = { 0 }, stop = { 99 }, tokens = { 1 }, paragraph = { 1 } }
    local H = { n = 0, start = {}, stop = {}, first = {}, last = {}, label = {}, value = {} }
    assert.has_error(function() v:score("short", H, S, {}) end,
      "bad argument #3 to 'score' (entry 1: [0, 99) is not a range of the text)")
    assert.has_error(function() v:score("short", { n = 1 }, S, {}) end,
      "bad argument #2 to 'score' (field 'start' must be a table)")
    assert.has_error(function() v:score("short", H, S, {}, { extremes = 1000 }) end)
    assert.equal("lector.Valence", tostring(v))
  end)
end)
