-- Scoring a document's sentences from their lexicon hits. The rules
-- (boosters, negation, capitals, scare words and quotes, contrast,
-- concession and hedge clauses, exclamation) run in C, in a lector.valence
-- scorer configured here with the roles and weights of lib/rules.lua (see
-- docs/sentiment.md and docs/lua-api.md#valence). What stays in Lua is
-- where the hits come from and the wording of the explanations, written
-- from the records of what fired that the scorer returns.
local lector = require "lector"
local rules = require "lib.rules"
local lexicons = require "lib.lexicons"

local format = string.format

local score = {}

local ROLE, K = rules.ROLE, rules.K
-- |compound| below this is neutral.
score.NEUTRAL = K.neutral

-- One scorer for every document: its configuration never changes.
local scorer = lector.valence { roles = ROLE, constants = K }
score.scorer = scorer

-- tanh(sum / K.scale): the compound score of a sum of contributions.
function score.compound(sum)
  return scorer:compound(sum)
end

-- The columns lex:scan builds: text only where it is needed (overrides
-- are keyed by it; explanations show it); elsewhere it is sliced on demand.
-- Labels stay labels: the scorer knows their roles. The columns are filled
-- into the same tables for every document (into): no table is made per
-- document.
local FIELDS = { fields = { "start", "stop", "first", "last", "label", "value" }, into = {} }
local FIELDS_TEXT = { fields = { "start", "stop", "first", "last", "label", "value", "text" },
  into = {} }

-- Every lexicon hit of a document, with its label and value (the per-run
-- overrides applied, their role standing for the label): H is lex:scan's
-- columns (H.n hits in text order, entries past H.n left from an earlier
-- document; start, stop, first, last, label, value, and text when
-- with_text or when there are overrides).
-- lex.scan is looked up once: every Lexicon has the same (a lookup is a
-- call of the userdata's __index).
local scan

function score.hits(lex, doc, info, with_text)
  local overrides = info and info.has_overrides and info.overrides
  if not scan then scan = lex.scan end
  local H = scan(lex, doc, (overrides or with_text) and FIELDS_TEXT or FIELDS)
  if overrides then
    local texts, labels, values, key = H.text, H.label, H.value, lexicons.key
    for i = 1, H.n do
      local o = overrides[key(texts[i])]
      if o then labels[i], values[i] = o.role, o.value end
    end
  end
  return H
end

-- ---- explanations -------------------------------------------------------

local function num(x)
  return format("%.2f", x)
end

-- The wording of each rule that acted on a word, from its record r and the
-- text of the rule word (t, nil for scare quotes).
local WORD_RULE = {
  booster = function(r, t) return "booster '" .. t .. "' " .. (r.factor >= 0 and "+" or "") .. num(r.factor) end,
  capitals = function(r) return "capitals " .. (r.sign > 0 and "+" or "-") .. num(r.factor) end,
  negation = function(r, t) return "negated by '" .. t .. "' ×" .. num(r.factor) end,
  scare = function(r, t) return "scare word (" .. (t or "quotation marks") .. ") ×" .. num(r.factor) end,
  contrast = function(r, t)
    return (r.before and "before '" or "after '") .. t .. "' ×" .. num(r.factor)
  end,
  hedge = function(r, t) return "hedged by '" .. t .. "' ×" .. num(r.factor) end,
  concession = function(r, t) return "in the clause of '" .. t .. "' ×" .. num(r.factor) end,
}

-- ... and of each rule of the whole sentence.
local SENTENCE_RULE = {
  negation = function(r, t) return format("negation '%s' negates no word: %.2f", t, r.factor) end,
  exclamation = function(r)
    return format("exclamation ×%d: %s%.2f", r.count, r.sign > 0 and "+" or "-", r.factor)
  end,
  contrast = function(r, t)
    return format("contrast '%s': words before ×%.2f, after ×%.2f", t, r.before, r.after)
  end,
  concession = function(r, t) return format("concession '%s': its clause ×%.2f", t, r.factor) end,
  hedge = function(r, t) return format("hedge '%s': its clause ×%.2f", t, r.factor) end,
}

-- The explanation of a sentence from the scorer's records `why`: every
-- word's valence, its contribution after the rules and the rules, then the
-- sentence's rules and sum. H: the document's hits; mentions: the names
-- whose words are not counted (targets.mentions), when any.
function score.explain(why, text, H, mentions)
  local texts, starts, stops = H.text, H.start, H.stop
  local function hit_text(i)
    return texts and texts[i] or text:sub(starts[i] + 1, stops[i])
  end
  local words = {}
  for k, w in ipairs(why.words) do
    if w.role then
      words[k] = { text = hit_text(w.hit), rules = { w.role } }
    elseif w.blocked then
      words[k] = { text = hit_text(w.hit), valence = w.valence, after_rules = w.after,
        rules = { "part of the name '" .. mentions.name[w.blocked] .. "': not counted" } }
    else
      local fired = {}
      for j, r in ipairs(w.rules) do fired[j] = WORD_RULE[r.rule](r, r.hit and hit_text(r.hit)) end
      words[k] = { text = hit_text(w.hit), valence = w.valence, after_rules = w.after,
        rules = fired }
    end
  end
  local sentence_rules = {}
  for k, r in ipairs(why.rules) do
    sentence_rules[k] = SENTENCE_RULE[r.rule](r, r.hit and hit_text(r.hit))
  end
  sentence_rules[#sentence_rules + 1] = format("sum %.3f, compound = tanh(sum / %.2f) = %.3f",
    why.sum, K.scale, why.compound)
  return { words = words, rules = sentence_rules, sum = why.sum, compound = why.compound }
end

return score
