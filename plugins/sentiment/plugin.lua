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

-- A paragraph's token-weighted sums of its sentence scores (w: tokens);
-- finish_paragraph turns them into the means the value holds.
local function new_paragraph(index)
  return { index = index, w = 0, compound = 0, pos = 0, neg = 0, neu = 0, sentences = 0 }
end

local function finish_paragraph(a)
  local w = a.w
  a.w = nil
  if w <= 0 then
    a.compound, a.pos, a.neg, a.neu = 0, 0, 0, 1
  else
    a.compound, a.pos = round(a.compound / w), round(a.pos / w)
    a.neg, a.neu = round(a.neg / w), round(a.neu / w)
  end
end

local function more_positive(a, b) return a.compound > b.compound end
local function more_negative(a, b) return a.compound * -1 > b.compound * -1 end

-- Keep the EXTREMES sentences with the highest or lowest compound.
local function keep_extreme(list, index, compound, before)
  list[#list + 1] = { index = index, compound = round(compound) }
  table.sort(list, before)
  if #list > EXTREMES then list[#list] = nil end
end

-- Offsets of the contrast and concession words among hits first..last,
-- where targets.lua cuts clauses.
local NONE = {}
local function cuts_of(starts, roles, first, last)
  local cuts = NONE
  for i = first, last do
    local role = roles[i]
    if role == "contrast" or role == "concession" then
      if cuts == NONE then cuts = {} end
      cuts[#cuts + 1] = starts[i]
    end
  end
  return cuts
end

-- The score of a sentence without any valence word.
local NEUTRAL = { sum = 0, compound = 0, pos = 0, neg = 0, neu = 1 }

local SENTENCE_FIELDS = { "start", "stop", "tokens", "paragraph" }

-- The sentence spans, as columns for one doc:add_many; a sentence
-- without a valence word has no attrs (pos 0, neg 0, neu 1 implied):
-- encoding them would cost more than all the scoring.
local function new_spans(n)
  return { n = n, start = {}, stop = {}, label = {}, score = {},
    attrs = { pos = {}, neg = {}, neu = {} } }
end

local function run(doc, opts, ctx)
  local lex, info = lexicons.get(ctx, opts)
  local text = doc.text
  local explain = opts.explain
  local H, roles, values = score.hits(lex, doc, info, explain)
  local hstart, nhits = H.start, H.n
  local excl = exclamations(text)
  local mentions = opts.entities and targets.mentions(doc) or nil
  local o = { explain = explain, items = mentions ~= nil,
    blocked = mentions and targets.blocker(mentions) or nil }
  local state = mentions and { by_key = {}, order = {}, next = 1 } or nil
  local S = doc:sentence_columns(SENTENCE_FIELDS)
  local sstarts, sstops, stokens, sparagraphs = S.start, S.stop, S.tokens, S.paragraph
  local nsentences = S.n
  local spans = not explain and new_spans(nsentences) or nil
  local span_labels, span_scores = spans and spans.label, spans and spans.score
  local span_pos = spans and spans.attrs.pos
  local span_neg, span_neu = spans and spans.attrs.neg, spans and spans.attrs.neu
  local paragraphs = {}
  -- the current paragraph's sums, kept in locals and stored in its table
  -- when the next one starts (see new_paragraph)
  local acc, aw, ac, ap, an, au, as = nil, 0, 0, 0, 0, 0, 0
  local positive, negative = 0, 0
  local most_positive, most_negative = {}, {}
  local neutral_band = score.NEUTRAL
  local h, e = 1, 1
  for index = 1, nsentences do
    local sstart, sstop = sstarts[index], sstops[index]
    local first = h
    local scored = explain
    while h <= nhits and hstart[h] < sstop do
      if roles[h] == "valence" then scored = true end
      h = h + 1
    end
    local nexcl = 0
    while excl[e] and excl[e] < sstop do
      if excl[e] >= sstart then nexcl = nexcl + 1 end
      e = e + 1
    end
    local ntokens = stokens[index]
    local p = sparagraphs[index]
    if not acc or acc.index ~= p then
      if acc then acc.w, acc.compound, acc.pos, acc.neg, acc.neu, acc.sentences = aw, ac, ap, an, au, as end
      acc = new_paragraph(p)
      paragraphs[#paragraphs + 1] = acc
      aw, ac, ap, an, au, as = 0, 0, 0, 0, 0, 0
    end
    aw, as = aw + ntokens, as + 1
    local r = NEUTRAL
    local label, c = "neutral", 0
    if scored then
      r = score.sentence(text, sstart, sstop, H, roles, values, first, h - 1, ntokens, nexcl, o)
      c = r.compound
      if c >= neutral_band then
        label, positive = "positive", positive + 1
        keep_extreme(most_positive, index, c, more_positive)
      elseif c <= -neutral_band then
        label, negative = "negative", negative + 1
        keep_extreme(most_negative, index, c, more_negative)
      end
      local rpos, rneg, rneu = r.pos, r.neg, r.neu
      ac, ap, an, au = ac + c * ntokens, ap + rpos * ntokens, an + rneg * ntokens, au + rneu * ntokens
      if spans then
        span_labels[index], span_scores[index] = label, floor(c * 10000 + 0.5) / 10000
        span_pos[index] = floor(rpos * 10000 + 0.5) / 10000
        span_neg[index] = floor(rneg * 10000 + 0.5) / 10000
        span_neu[index] = floor(rneu * 10000 + 0.5) / 10000
      end
    else
      au = au + ntokens
      if spans then span_labels[index], span_scores[index] = "neutral", 0 end
    end
    if not spans then
      doc:add("sentiment", { start = sstart, stop = sstop, label = label, score = round(c),
        attrs = { pos = round(r.pos), neg = round(r.neg), neu = round(r.neu), explain = r.explain } })
    end
    if state then
      targets.add_sentence(state, mentions, text, sstart, sstop, r,
        cuts_of(hstart, roles, first, h - 1), index)
    end
  end
  if acc then acc.w, acc.compound, acc.pos, acc.neg, acc.neu, acc.sentences = aw, ac, ap, an, au, as end
  if spans then
    spans.start, spans.stop = sstarts, sstops
    doc:add_many("sentiment", spans)
  end
  local tw, tc, tp, tn, tu, ts = 0, 0, 0, 0, 0, 0
  for i = 1, #paragraphs do
    local a = paragraphs[i]
    tw, tc, tp, tn = tw + a.w, tc + a.compound, tp + a.pos, tn + a.neg
    tu, ts = tu + a.neu, ts + a.sentences
    finish_paragraph(a)
  end
  local value = { paragraphs = paragraphs }
  if tw <= 0 then
    value.compound, value.pos, value.neg, value.neu = 0, 0, 0, 1
  else
    value.compound, value.pos = round(tc / tw), round(tp / tw)
    value.neg, value.neu = round(tn / tw), round(tu / tw)
  end
  value.method = "lexicon and rules; paragraph and document scores are token-weighted means of "
    .. "sentence scores"
  value.positive, value.negative, value.neutral = positive, negative, nsentences - positive - negative
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
  after = { "entities" },   -- per-entity tone when entities ran; not required
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
