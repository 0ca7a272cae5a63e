-- The sentiment pass on sentences written for each rule, scored with the
-- small lexicon of support.lua so that the numbers the rules start from
-- are known; the sandbox and the default lexicon are in
-- sentiment_pipeline_spec.lua.
local lector = require "lector"
local source = debug.getinfo(1, "S").source:sub(2)
local S = dofile(source:match "^(.*)/[^/]*$" .. "/support.lua")
local rules = require "lib.rules"
local score = require "lib.score"

local K = rules.K
local function expected(sum) return score.compound(sum) end
local function near(want, got) assert.is_true(math.abs(want - got) < 1e-3, want .. " ~= " .. got) end

-- The explanation's entry for a word.
local function word(explain, text)
  for _, w in ipairs(explain.words) do if w.text == text then return w end end
end

describe("sentence scores", function()
  it("sums valences into a compound in [-1, 1], with proportions summing to 1", function()
    local _, spans = S.run("The film was good. The day was terrible and bad. Nothing here.")
    assert.equal(3, #spans)
    near(expected(1.9), spans[1].score)
    near(expected(-3.1 - 2.5), spans[2].score)
    assert.equal(0, spans[3].score)
    assert.same({ "positive", "negative", "neutral" }, { spans[1].label, spans[2].label, spans[3].label })
    for i = 1, 2 do
      assert.is_true(spans[i].score >= -1 and spans[i].score <= 1)
      near(1, spans[i].pos + spans[i].neg + spans[i].neu)
    end
    -- a sentence without any valence word carries no attrs: it is all neutral
    assert.is_nil(spans[3].neu)
    assert.is_true(spans[2].neg > 0 and spans[2].pos == 0)
  end)

  it("stays within [-1, 1] however many words pile up", function()
    local c = S.compound(string.rep("great ", 200) .. "!!!!!!")
    assert.is_true(c <= 1 and c > 0.99)
  end)

  it("lets a negation flip and weaken the words in its scope", function()
    near(expected(1.9 * K.neg_factor), S.compound "The film was not good.")
    near(expected(1.9 * K.neg_factor), S.compound "The film was never good.")
    near(expected(2.7 * K.neg_factor), S.compound "He is no longer happy.")
    near(expected(1.6 * K.neg_factor), S.compound "They talked without a ceasefire.")
    -- a negated negative word is turned less far: "not bad" is weaker than "good"
    near(expected(-2.5 * K.neg_negative), S.compound "It isn't bad.")
    near(expected(-2.5 * K.neg_negative), S.compound "It isn\u{2019}t bad.")
    assert.is_true(math.abs(K.neg_negative) < math.abs(K.neg_factor))
    near(expected(1.9 * K.neg_factor), S.compound "It does n't look good.")
  end)

  it("ends a negation's scope after a few tokens and at a clause boundary", function()
    -- a negation that reaches no valence word still denies something
    near(expected(1.9 + K.bare_negation), S.compound "It was not what anyone expected from a good film.")
    near(expected(1.9 + K.bare_negation), S.compound "It was not, in the end, good.")
    -- "not only" is read as a whole and negates nothing
    near(expected(1.9 + 3.1), S.compound "It was not only good but also great.")
  end)

  it("counts each negation that negates no valence word of a scored sentence, and says so", function()
    assert.is_true(K.bare_negation < 0)
    near(expected(-3.1 + K.bare_negation), S.compound "Nobody came and the day was terrible.")
    near(expected(-3.1 + 2 * K.bare_negation), S.compound "Nobody came, nothing happened and the day was terrible.")
    local _, spans = S.run("It was not, in the end, good.", { explain = true })
    assert.matches("negation 'not' negates no word", table.concat(spans[1].explain.rules, "\n"), 1, true)
    -- a negation that did negate a word is not counted again
    near(expected(1.9 * K.neg_factor), S.compound "The film was not good.")
    -- a sentence without valence words stays neutral, negations or not
    assert.equal(0, S.compound "Nobody came and nothing happened.")
  end)

  it("strengthens words after intensifiers and weakens them after diminishers", function()
    near(expected(1.9 + 0.3), S.compound "The film was very good.")
    near(expected(1.9 + 0.3 + 0.4 * K.boost_decay), S.compound "It was extremely very good.")
    near(expected(1.9 - 0.3), S.compound "The plan was slightly good.")
    near(expected(-(2.5 + 0.2)), S.compound "The results were largely bad.")
    -- a negated intensified word: "not very good"
    near(expected((1.9 + 0.3) * K.neg_factor), S.compound "The film was not very good.")
  end)

  it("gives the clause after 'but' more weight than the one before", function()
    local c = S.compound "The food was good, but the service was terrible."
    near(expected(1.9 * K.before_contrast - 3.1 * K.after_contrast), c)
    local r = S.compound "The service was terrible, but the food was good."
    near(expected(-3.1 * K.before_contrast + 1.9 * K.after_contrast), r)
    assert.is_true(c < 0 and r > 0)
    near(expected(1.9 * K.after_contrast), S.compound "However, the film was good.")
  end)

  it("gives the clause opened by 'although' less weight", function()
    near(expected(1.9 * K.concession - 3.1),
      S.compound "Although the food was good, the service was terrible.")
    near(expected(-3.1 + 1.9 * K.concession),
      S.compound "The service was terrible, although the food was good.")
  end)

  it("adds emphasis for capitals (not in an all-capitals sentence) and exclamation marks", function()
    near(expected(1.9 + K.caps), S.compound "The film was GOOD.")
    near(expected(1.9), S.compound "THE FILM WAS GOOD.")
    near(expected(1.9 + 2 * K.excl), S.compound "The film was good!!")
    near(expected(1.9 + K.excl_max * K.excl), S.compound "The film was good!!!!!!!!")
    near(expected(-(2.5 + K.excl)), S.compound "The film was bad!")
    assert.equal(0, S.compound "Wow!!!")
  end)

  it("reads multi-word expressions and idioms as one unit", function()
    near(expected(2.0), S.compound "They declared a zone of peace.")
    near(expected(-2.6), S.compound "It was a false flag.")
    near(expected(-1.5), S.compound "They want regime change.")
    near(expected(1.6), S.compound "The sides agreed a cease fire.")
    near(expected(-1.8), S.compound "The flag was false.")
  end)

  it("turns a positive word in scare quotes against itself and softens a negative one", function()
    near(expected(2.5 * K.scare_positive), S.compound "The \"peace\" talks went on.")
    near(expected(2.5 * K.scare_positive), S.compound "The \u{201C}peace\u{201D} talks went on.")
    near(expected(1.6 * K.scare_positive), S.compound "They brought so-called democracy.")
    near(expected(-3.0 * K.scare_negative), S.compound "They call them 'terrorists' now.")
    -- a quotation longer than the word is speech, not a scare quote
    near(expected(1.9 + 2.7), S.compound "\"We are good and happy,\" he said.")
  end)

  it("explains every word's contribution and every rule that fired", function()
    local _, spans = S.run("The food was not very good, but the service was TERRIBLE!!",
      { explain = true })
    local e = spans[1].explain
    local good = word(e, "good")
    assert.equal(1.9, good.valence)
    near((1.9 + 0.3) * K.neg_factor * K.before_contrast, good.after_rules)
    assert.equal(3, #good.rules)
    assert.matches("booster 'very'", good.rules[1], 1, true)
    assert.matches("negated by 'not'", good.rules[2], 1, true)
    assert.matches("before 'but'", good.rules[3], 1, true)
    local terrible = word(e, "TERRIBLE")
    near((-3.1 - K.caps) * K.after_contrast, terrible.after_rules)
    assert.same({ "negation" }, word(e, "not").rules)
    local all = table.concat(e.rules, "\n")
    assert.matches("exclamation ×2", all, 1, true)
    assert.matches("contrast 'but'", all, 1, true)
    near(spans[1].score, e.compound)
    near(good.after_rules + terrible.after_rules - 2 * K.excl, e.sum)
    -- without the option nothing is stored
    local _, plain = S.run "The food was good."
    assert.is_nil(plain[1].explain)
  end)

  it("gives the stored explanation back through lector.explain", function()
    local doc = S.run("It was good. It was not bad.", { explain = true })
    local e = lector.explain(doc, doc:sentence(2))
    assert.equal("bad", e.words[2].text)
    assert.same(e, lector.explain(doc, 2))
    assert.is_nil(lector.explain(doc, 3))
  end)
end)

describe("paragraph and document scores", function()
  it("are token-weighted means of the sentence scores", function()
    local doc, spans, v = S.run("It was good. It was a long and very boring day in the office.\n\nWar.")
    local weights, sum, total = {}, 0, 0
    for s in doc:sentences() do weights[s.index] = #s end
    for i, s in ipairs(spans) do
      sum = sum + s.score * weights[i]
      total = total + weights[i]
    end
    near(sum / total, v.compound)
    assert.equal(2, #v.paragraphs)
    near((spans[1].score * weights[1] + spans[2].score * weights[2]) / (weights[1] + weights[2]),
      v.paragraphs[1].compound)
    near(spans[3].score, v.paragraphs[2].compound)
    assert.equal(2, v.paragraphs[1].sentences)
    assert.same({ 1, 1, 1 }, { v.positive, v.negative, v.neutral })
    assert.equal(1, v.most_positive[1].index)
    assert.equal(3, v.most_negative[1].index)
  end)
end)

describe("entity-targeted scores", function()
  local text = "The United States praised the ceasefire, but Russia condemned the attack. "
    .. "Russia was not happy. The United States met Russia."
  local function run_with(names)
    local doc = S.entities(assert(lector.doc(text)), names)
    local _, _, v = S.run(doc)
    local by = {}
    for _, row in ipairs(v.entities or {}) do by[row.name] = row end
    return by, v
  end

  it("scores the clauses that mention each entity, with mention counts", function()
    local by = run_with { { "United States", "GPE", "E1" }, { "Russia", "GPE", "E2" } }
    local us, ru = by["United States"], by["Russia"]
    assert.equal(2, us.mentions)
    assert.equal(3, ru.mentions)
    assert.equal("E1", us.id)
    assert.equal("GPE", us.label)
    -- the US clause "praised the ceasefire" (before 'but'), the neutral meeting
    near((expected((2.6 + 1.6) * K.before_contrast) + 0) / 2, us.compound)
    -- Russia: "condemned the attack" (after 'but'), "not happy", the meeting
    near((expected((-2.4 - 2.1) * K.after_contrast) + expected(2.7 * K.neg_factor) + 0) / 3,
      ru.compound)
    assert.same({ 1, 0, 1 }, { us.positive, us.negative, us.neutral })
    assert.same({ 0, 2, 1 }, { ru.positive, ru.negative, ru.neutral })
  end)

  it("does not count the sentiment words inside a name", function()
    local doc = S.entities(assert(lector.doc "The Peace Corps arrived."), { { "Peace Corps", "ORG", "E1" } })
    local _, spans, v = S.run(doc)
    assert.equal(0, spans[1].score)
    assert.equal(1, v.entities[1].mentions)
  end)

  it("has no entity table when no entity pass ran, or when switched off", function()
    local _, v = run_with {}
    assert.is_nil(v.entities)
    local doc = S.entities(assert(lector.doc(text)), { { "Russia", "GPE", "E2" } })
    local _, _, v2 = S.run(doc, { entities = false })
    assert.is_nil(v2.entities)
  end)
end)

describe("lexicons", function()
  it("loads VADER, AFINN and NRC files named by the lexicons option", function()
    local files = {
      ["lex/vader.txt"] = "gloomy\t-2.1\t0.7\t[-2, -3, -1, -2, -2, -3, -2, -2, -2, -2]\n",
      ["lex/afinn.txt"] = "cheerful\t2\nbreathtaking\t5\n",
      ["lex/nrc.txt"] = "radiant\tanger\t0\nradiant\tjoy\t1\nradiant\tpositive\t1\n"
        .. "dreadful\tnegative\t1\nodd\tpositive\t1\nodd\tnegative\t1\n",
    }
    local ctx = S.ctx(nil, files)
    local opts = { lexicons = { "vader:lex/vader.txt", "lex/afinn.txt", "nrc:lex/nrc.txt" } }
    near(expected(-2.1), S.compound("A gloomy day.", opts, ctx))
    near(expected(2 * 0.8), S.compound("A cheerful day.", opts, ctx))
    near(expected(5 * 0.8), S.compound("A breathtaking day.", opts, ctx))
    near(expected(1.5), S.compound("A radiant day.", opts, ctx))
    near(expected(-1.5), S.compound("A dreadful day.", opts, ctx))
    assert.equal(0, S.compound("An odd day.", opts, ctx))
    local _, _, v = S.run("Fine.", opts, ctx)
    assert.equal(4, #v.lexicon.sources)
  end)

  it("keeps the rule words' roles when a lexicon gives them a valence", function()
    local ctx = S.ctx(nil, { ["v.txt"] = "not\t-1.2\t0.5\t[-1, -1]\n" })
    near(expected(1.9 * K.neg_factor), S.compound("Not good.", { lexicons = { "vader:v.txt" } }, ctx))
  end)

  it("names the file and line of a bad entry, and asks for the read permission", function()
    local ctx = S.ctx(nil, { ["bad.txt"] = "fine\t1\nworse\tminus two\n" })
    local ok, err = pcall(S.run, "Text.", { lexicons = { "afinn:bad.txt" } }, ctx)
    assert.is_false(ok)
    assert.matches("bad.txt:2: expected WORD<TAB>INTEGER", err, 1, true)
    ok, err = pcall(S.run, "Text.", { lexicons = { "missing.txt" } }, S.ctx(nil, {}))
    assert.is_false(ok)
    assert.matches("missing.txt", err, 1, true)
    local denied = S.ctx()
    denied.read = function() error "permission 'read' not granted to plugin sentiment" end
    ok, err = pcall(S.run, "Text.", { lexicons = { "x.txt" } }, denied)
    assert.is_false(ok)
    assert.matches("--allow sentiment:read", err, 1, true)
  end)

  it("adds and overrides words for one run with the words option", function()
    near(expected(2.5), S.compound("A splendid day.", { words = { "splendid=2.5" } }))
    near(expected(-1), S.compound("A good day.", { words = { "good=-1" } }))
    near(expected(1.9 + 0.5), S.compound("A mighty good day.", { words = { "mighty=booster:0.5" } }))
    -- a rule word turned into a valence for this run
    near(expected(-1), S.compound("Not now.", { words = { "not=-1" } }))
    near(expected(2 * K.neg_factor), S.compound("It is nah fine.", { words = { "nah=negation", "fine=2" } }))
    local ok, err = pcall(S.run, "x", { words = { "oops" } })
    assert.is_false(ok)
    assert.matches("option words: item 1 'oops'", err, 1, true)
  end)

  it("guesses a file's format from its lines", function()
    local formats = require "lib.formats"
    assert.equal("vader", formats.sniff "# c\n$:\t-1.5\t0.8\t[-1, -1]\n")
    assert.equal("afinn", formats.sniff "abandon\t-2\n")
    assert.equal("nrc", formats.sniff "aback\tanger\t0\n")
    assert.equal("lector", formats.sniff "good\tvalence\t1.9\n")
    assert.equal("lector", formats.sniff "not\tnegation\t0\n")
  end)
end)
