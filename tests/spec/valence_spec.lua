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

  -- The clauses about each entity, worked out in Lua from the items and
  -- cuts (the way the sentiment pass did it before opts.targets): rows in
  -- report order, as {mention, mentions, clauses, sum, positive,
  -- negative, neutral, sentences}.
  local function clause_rows(text, S, R, M)
    local v, rows, by_key, k = scorer(), {}, {}, 1
    for index = 1, S.n do
      local sstart, sstop = S.start[index], S.stop[index]
      while M.start[k] and M.start[k] < sstart do k = k + 1 end
      if M.start[k] and M.start[k] < sstop then
        local starts = { sstart }
        local piece = text:sub(sstart + 1, sstop)
        for at in piece:gmatch "()[,;:%(%)]" do starts[#starts + 1] = sstart + at end
        for at in piece:gmatch "()\226\128[\147\148]" do starts[#starts + 1] = sstart + at + 2 end
        for _, cut in ipairs(R.cuts[index] or {}) do starts[#starts + 1] = cut end
        table.sort(starts)
        local function clause_of(at)
          local c = 1
          for i = 2, #starts do if starts[i] <= at then c = i end end
          return c
        end
        local sums, seen = {}, {}
        for _, item in ipairs(R.items[index] or {}) do
          local c = clause_of(item[1])
          sums[c] = (sums[c] or 0) + item[2]
        end
        while M.start[k] and M.start[k] < sstop do
          local key = M.key[k]
          local row = by_key[key]
          if not row then
            row = { mention = k, mentions = 0, clauses = 0, sum = 0, positive = 0, negative = 0,
              neutral = 0, sentences = {}, created = #rows + 1 }
            by_key[key] = row
            rows[#rows + 1] = row
          end
          row.mentions = row.mentions + 1
          local c = clause_of(M.start[k])
          if not seen[key .. ":" .. c] then
            seen[key .. ":" .. c] = true
            local compound = v:compound(sums[c] or 0)
            row.clauses, row.sum = row.clauses + 1, row.sum + compound
            if compound >= K.neutral then row.positive = row.positive + 1
            elseif compound <= -K.neutral then row.negative = row.negative + 1
            else row.neutral = row.neutral + 1 end
            if row.sentences[#row.sentences] ~= index then row.sentences[#row.sentences + 1] = index end
          end
          k = k + 1
        end
      end
    end
    table.sort(rows, function(a, b)
      if a.mentions ~= b.mentions then return a.mentions > b.mentions end
      return a.created < b.created
    end)
    for _, row in ipairs(rows) do row.created = nil end
    return rows
  end

  local function as_rows(T)
    local rows = {}
    for i = 1, T.n do
      rows[i] = { mention = T.mention[i], mentions = T.mentions[i], clauses = T.clauses[i],
        sum = T.sum[i], positive = T.positive[i], negative = T.negative[i],
        neutral = T.neutral[i], sentences = T.sentences[i] }
    end
    return rows
  end

  it("scores the clauses about each target as working them out from items and cuts does", function()
    local cases = {
      { "Acme did well, but Bolt did badly. Acme is good; Bolt is bad (Bolt is very bad).",
        { "Acme", "Bolt", "Acme", "Bolt", "Bolt" } },
      { "Good news for Acme \226\128\148 bad news for Bolt. Although Acme is not good, Bolt is great!",
        { "Acme", "Bolt", "Acme", "Bolt" } },
      { "Acme Acme Acme, Bolt. Nothing here. Bolt, good Acme.", { "Acme", "Acme", "Acme", "Bolt", "Bolt", "Acme" } },
    }
    for _, case in ipairs(cases) do
      local text, names = case[1], case[2]
      local doc = assert(lector.doc(text))
      local M, keys, at = { start = {}, stop = {}, key = {} }, {}, 1
      for i, name in ipairs(names) do
        local s, e = text:find(name, at, true)
        M.start[i], M.stop[i] = s - 1, e
        keys[name] = keys[name] or (#M.key == 0 and 1 or math.max(table.unpack(M.key)) + 1)
        M.key[i] = keys[name]
        at = e + 1
      end
      M.n = #names
      local S = doc:sentence_columns { "start", "stop", "tokens", "paragraph" }
      local lex = lexicon()
      local R = scorer():score_document(doc, lex, nil, {}, { items = true, blocked = M })
      local expected = clause_rows(doc.text, S, R, M)
      local out = scorer():score_document(doc, lex, nil, {}, { blocked = M, targets = M })
      assert.same(expected, as_rows(out.targets), text)
      assert.is_nil(out.items)
      -- v:score gives the same
      local out2 = scorer():score(doc.text, lex:scan(doc), S, {}, { blocked = M, targets = M })
      assert.same(expected, as_rows(out2.targets))
    end
    -- two mentions of one entity in one clause count the clause once; a
    -- sentence with none leaves the rows alone; no targets, no out.targets
    local doc = assert(lector.doc "Acme and Acme did well. Then nothing.")
    local out = scorer():score_document(doc, lexicon(), nil, {},
      { targets = { n = 2, start = { 0, 9 }, key = { 1, 1 } } })
    assert.same({ { mention = 1, mentions = 2, clauses = 1, sum = 0.0, positive = 0, negative = 0,
      neutral = 1, sentences = { 1 } } }, as_rows(out.targets))
    out = scorer():score_document(doc, lexicon(), nil, out, {})
    assert.is_nil(out.targets)
  end)

  it("reads a hostile number of targets in one sentence in linear time", function()
    local n = 200000
    local text = ("Acme, "):rep(n) .. "good."
    local doc = assert(lector.doc(text))
    local M = { n = n, start = {}, key = {} }
    for i = 1, n do M.start[i], M.key[i] = (i - 1) * 6, i % 7 + 1 end
    local out = scorer():score_document(doc, lexicon(), nil, {}, { targets = M })
    assert.equal(7, out.targets.n)
    local total = 0
    for i = 1, 7 do total = total + out.targets.mentions[i] end
    assert.equal(n, total)
  end)

  it("checks the targets' columns, naming the argument", function()
    local doc = assert(lector.doc "Acme did well.")
    local function call(targets)
      return scorer():score_document(doc, lexicon(), nil, {}, { targets = targets })
    end
    assert.has_error(function() call { n = 1, start = { 0 } } end,
      "bad argument #5 to 'score_document' (field 'key' must be a table)")
    assert.has_error(function() call { n = 1, start = { 99 }, key = { 1 } } end,
      "bad argument #5 to 'score_document' (targets: start[1] is outside the text)")
    assert.has_error(function() call { n = 1, start = { 0 }, key = { 2 } } end,
      "bad argument #5 to 'score_document' (targets: key[1] must be 1 to 1)")
    assert.has_error(function() call { n = 1, start = { "x" }, key = { 1 } } end,
      "bad argument #5 to 'score_document' (start[1] must be an integer)")
    assert.has_error(function() call "x" end,
      "bad argument #5 to 'score_document' (field 'targets' must be a table)")
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
