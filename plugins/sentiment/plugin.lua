-- sentiment: the tone of each sentence, paragraph and document, and of the
-- clauses about each entity, from a valence lexicon and rules. See
-- README.md and docs/sentiment.md.
local lexicons = require "lib.lexicons"
local score = require "lib.score"
local targets = require "lib.targets"

local floor = math.floor

-- Most positive and most negative sentences kept in the value.
local EXTREMES = 3

local function round(x)
  return floor(x * 10000 + 0.5) / 10000
end

-- Offsets of every '!' in the text, in order.
local function exclamations(text)
  local list, at = {}, 1
  while true do
    local p = text:find("!", at, true)
    if not p then return list end
    list[#list + 1] = p - 1
    at = p + 1
  end
end

-- Token-weighted sums of one paragraph's sentence scores (w: tokens).
local function new_paragraph(index)
  return { index = index, w = 0, compound = 0, pos = 0, neg = 0, neu = 0, sentences = 0 }
end

-- The means of accumulated sums (a paragraph, or all of them).
local function mean_of(acc)
  local w = acc.w
  if w <= 0 then
    return { compound = 0, pos = 0, neg = 0, neu = 1, sentences = acc.sentences }
  end
  return { compound = round(acc.compound / w), pos = round(acc.pos / w),
    neg = round(acc.neg / w), neu = round(acc.neu / w), sentences = acc.sentences }
end

-- Keep the EXTREMES sentences with the highest (sign 1) or lowest (-1) compound.
local function keep_extreme(list, index, compound, sign)
  list[#list + 1] = { index = index, compound = round(compound) }
  table.sort(list, function(a, b) return a.compound * sign > b.compound * sign end)
  if #list > EXTREMES then list[#list] = nil end
end

-- Offsets of the contrast and concession words among hits first..last,
-- where targets.lua cuts clauses.
local NONE = {}
local function cuts_of(hits, roles, first, last)
  local cuts = NONE
  for i = first, last do
    local role = roles[i]
    if role == "contrast" or role == "concession" then
      if cuts == NONE then cuts = {} end
      cuts[#cuts + 1] = hits[i].start
    end
  end
  return cuts
end

-- The score of a sentence without any valence word.
local NEUTRAL = { sum = 0, compound = 0, pos = 0, neg = 0, neu = 1 }

local function run(doc, opts, ctx)
  local lex, info = lexicons.get(ctx, opts)
  local text = doc.text
  local hits, roles, values = score.hits(lex, doc, info)
  local excl = exclamations(text)
  local mentions = opts.entities and targets.mentions(doc) or nil
  local explain = opts.explain
  local o = { explain = explain, items = mentions ~= nil,
    blocked = mentions and targets.blocker(mentions) or nil }
  local state = mentions and { by_key = {}, order = {}, next = 1 } or nil
  local paragraphs, acc = {}, nil
  local positive, negative = 0, 0
  local most_positive, most_negative = {}, {}
  local neutral_band = score.NEUTRAL
  local h, e, index = 1, 1, 0
  for s in doc:sentences() do
    index = index + 1
    local sstart, sstop = s.start, s.stop
    local first = h
    local scored = explain
    local hit = hits[h]
    while hit and hit.start < sstop do
      if roles[h] == "valence" then scored = true end
      h = h + 1
      hit = hits[h]
    end
    local nexcl = 0
    while excl[e] and excl[e] < sstop do
      if excl[e] >= sstart then nexcl = nexcl + 1 end
      e = e + 1
    end
    local ntokens = #s
    local p = s.paragraph
    if not acc or acc.index ~= p then
      acc = new_paragraph(p)
      paragraphs[#paragraphs + 1] = acc
    end
    acc.w, acc.sentences = acc.w + ntokens, acc.sentences + 1
    local r = NEUTRAL
    if scored then
      r = score.sentence(text, sstart, sstop, hits, roles, values, first, h - 1, ntokens, nexcl, o)
      local c = r.compound
      local label = "neutral"
      if c >= neutral_band then
        label, positive = "positive", positive + 1
        keep_extreme(most_positive, index, c, 1)
      elseif c <= -neutral_band then
        label, negative = "negative", negative + 1
        keep_extreme(most_negative, index, c, -1)
      end
      doc:add("sentiment", { start = sstart, stop = sstop, label = label, score = round(c),
        attrs = { pos = round(r.pos), neg = round(r.neg), neu = round(r.neu), explain = r.explain } })
      acc.compound = acc.compound + c * ntokens
      acc.pos, acc.neg = acc.pos + r.pos * ntokens, acc.neg + r.neg * ntokens
      acc.neu = acc.neu + r.neu * ntokens
    else
      -- no valence word: neutral, and the attrs (pos 0, neg 0, neu 1) are
      -- left out: encoding them would cost more than all the scoring
      doc:add("sentiment", { start = sstart, stop = sstop, label = "neutral", score = 0 })
      acc.neu = acc.neu + ntokens
    end
    if state then
      targets.add_sentence(state, mentions, text, sstart, sstop, r,
        cuts_of(hits, roles, first, h - 1), index)
    end
  end
  local total = new_paragraph(0)
  local value = { paragraphs = {} }
  for i, a in ipairs(paragraphs) do
    for _, k in ipairs { "w", "compound", "pos", "neg", "neu", "sentences" } do total[k] = total[k] + a[k] end
    local m = mean_of(a)
    m.index = a.index
    value.paragraphs[i] = m
  end
  local d = mean_of(total)
  value.compound, value.pos, value.neg, value.neu = d.compound, d.pos, d.neg, d.neu
  value.method = "lexicon and rules; paragraph and document scores are token-weighted means of "
    .. "sentence scores"
  value.positive, value.negative, value.neutral = positive, negative, index - positive - negative
  value.most_positive, value.most_negative = most_positive, most_negative
  if state then value.entities = targets.finish(state, round) end
  value.lexicon = { entries = info.entries, sources = info.sources }
  doc:set("sentiment", value)
end

return {
  name = "sentiment",
  version = "0.1.0",
  kind = "sentiment",
  description = "The tone of each sentence, paragraph and document, and of the clauses about each "
    .. "entity: a valence lexicon with rules for negation, boosters, contrast, emphasis, idioms "
    .. "and scare quotes; every score can explain itself",
  license = "MIT",
  author = "lector",
  provides = { "sentiment" },
  options = {
    lexicon = { type = "string", default = "data/lexicon.tsv",
      description = "the main lexicon, a PHRASE<TAB>LABEL<TAB>VALUE file in the plugin's folder" },
    lexicons = { type = "list", default = {},
      description = "more lexicon files in the plugin's folder, each FORMAT:PATH or PATH "
        .. "(formats lector, vader, afinn, nrc); later files win; needs the read permission" },
    words = { type = "list", default = {},
      description = "words set for this run: PHRASE=VALUE (a valence in -4..4) or "
        .. "PHRASE=LABEL[:VALUE] (booster, negation, contrast, concession, scare, neutral)" },
    entities = { type = "boolean", default = true,
      description = "score the clauses about each entity found by a pass that ran before "
        .. "(list entities before sentiment)" },
    explain = { type = "boolean", default = false,
      description = "store each sentence's explanation (every word's contribution and the "
        .. "rules that fired) in its span's attrs.explain" },
  },
  run = run,
}
