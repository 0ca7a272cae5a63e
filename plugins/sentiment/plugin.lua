-- sentiment: the tone of each sentence, paragraph and document, and of the
-- clauses about each entity, from a valence lexicon and rules. See
-- README.md and docs/sentiment.md.
local lexicons = require "lib.lexicons"
local score = require "lib.score"
local targets = require "lib.targets"

local sort = table.sort
local json = require("lector").json
-- A table written as a JSON list even when empty ([], not {}).
local list_of = json.array

-- Most positive and most negative sentences kept in the value.
local EXTREMES = 3

-- x rounded to 4 decimals. `// 1` floors as math.floor does, to the same
-- number, without a call (the sandbox makes every call and instruction
-- count).
local function round(x)
  return (x * 10000 + 0.5) // 1 / 10000
end

-- An empty list that nobody changes.
local NOTHING = {}

-- Offsets of every '!' in the text, in order (most texts have none:
-- NOTHING, which nobody changes).
local function exclamations(text)
  local p = text:find("!", 1, true)
  if not p then return NOTHING end
  local list = {}
  repeat
    list[#list + 1] = p - 1
    p = text:find("!", p + 1, true)
  until not p
  return list
end

-- The value's tables are kept from one document to the next, as the span
-- columns are (see spans_for): doc:set copies the value out as JSON, and
-- making a table costs more than setting its fields. The paragraphs'
-- entries are rows given as columns (written as a list of objects; only
-- entries 1..n are read, so an earlier document's need no clearing).
local PARAGRAPHS = json.rows { n = 0, index = {}, compound = {}, pos = {}, neg = {}, neu = {},
  sentences = {} }
local MOST_POSITIVE, MOST_NEGATIVE = list_of(), list_of()
-- Paragraph np's entry: its index, its sentences and its token-weighted
-- means, rounded (w: its tokens; c, pos, neg, neu: the weighted sums). A
-- paragraph without a scored sentence is neutral.
local function set_paragraph(np, index, sentences, scored, w, c, pos, neg, neu)
  local P = PARAGRAPHS
  P.index[np], P.sentences[np] = index, sentences
  if scored then                       -- w > 0: a word was scored
    P.compound[np] = (c / w * 10000 + 0.5) // 1 / 10000
    P.pos[np] = (pos / w * 10000 + 0.5) // 1 / 10000
    P.neg[np] = (neg / w * 10000 + 0.5) // 1 / 10000
    P.neu[np] = (neu / w * 10000 + 0.5) // 1 / 10000
  else
    P.compound[np], P.pos[np], P.neg[np], P.neu[np] = 0, 0, 0, 1
  end
end
local VALUE = {}

local function more_positive(a, b) return a.compound > b.compound end
local function more_negative(a, b) return a.compound * -1 > b.compound * -1 end

-- Keep the EXTREMES sentences with the highest (sign 1, before =
-- more_positive) or lowest (sign -1, more_negative) rounded compound rc,
-- in the order table.sort with `before` gives. When rc or the kept ones
-- tie, that order is table.sort's own, so it decides; otherwise the order
-- is the only sorted one, found without it.
-- The {index, compound} entries are kept for the next ones (SPARE, nspare
-- of them): an entry pushed out of a list, and at the start of a document
-- those of the lists (MOST_POSITIVE and MOST_NEGATIVE are kept too).
local SPARE, nspare = {}, 0

local function keep_extreme(list, index, rc, sign, before)
  local n = #list
  local key = rc * sign
  local at = n + 1
  local tie = false
  for i = n, 1, -1 do
    local k = list[i].compound * sign
    if k == key or (i > 1 and k == list[i - 1].compound * sign) then
      tie = true
      break
    end
    if key > k then at = i end
  end
  if not tie and at > EXTREMES then return end
  local entry
  if nspare > 0 then
    entry = SPARE[nspare]
    SPARE[nspare] = nil
    nspare = nspare - 1
  else
    entry = {}
  end
  entry.index, entry.compound = index, rc
  if tie then
    list[n + 1] = entry
    sort(list, before)
  else
    for i = n, at, -1 do list[i + 1] = list[i] end   -- table.insert(list, at, entry)
    list[at] = entry
  end
  if n + 1 > EXTREMES then
    nspare = nspare + 1
    SPARE[nspare] = list[n + 1]
    list[n + 1] = nil
  end
end

-- Empty the list, its entries spare.
local function clear_extremes(list)
  for i = #list, 1, -1 do
    nspare = nspare + 1
    SPARE[nspare] = list[i]
    list[i] = nil
  end
end

-- Offsets of the contrast and concession words among hits first..last,
-- where targets.lua cuts clauses.
local function cuts_of(starts, roles, first, last)
  local cuts = NOTHING
  for i = first, last do
    local role = roles[i]
    if role == "contrast" or role == "concession" then
      if cuts == NOTHING then cuts = {} end
      cuts[#cuts + 1] = starts[i]
    end
  end
  return cuts
end

-- The sentences' columns, filled into the same tables for every document.
local SENTENCE_FIELDS = { "start", "stop", "tokens", "paragraph", into = {} }

-- The sentence spans, as columns for one doc:add_many (start and stop
-- are the sentences' own): "neutral" and 0 until a sentence is scored. A
-- sentence without a valence word has no attrs (pos 0, neg 0, neu 1
-- implied): encoding them would cost more than all the scoring.
-- Tables are much of what a document costs the pass, so the columns are
-- kept from one document to the next (up to REUSE_MAX sentences; a longer
-- document gets its own): KEPT_SCORED lists the entries the last document
-- scored (each listed before it is set, so a run that fails half-way
-- leaves none unlisted), put back before the next one; add_many reads
-- entries 1..n only.
local REUSE_MAX = 4096
local KEPT = { n = 0, label = {}, score = {}, attrs = { pos = {}, neg = {}, neu = {} } }
local KEPT_SCORED, kept_filled = {}, 0

-- The columns for n sentences and the list to note scored entries in.
local function spans_for(n)
  if n > REUSE_MAX then
    local label, score = {}, {}
    for i = 1, n do label[i], score[i] = "neutral", 0 end
    return { n = n, label = label, score = score, attrs = { pos = {}, neg = {}, neu = {} } }, {}
  end
  local label, score, attrs = KEPT.label, KEPT.score, KEPT.attrs
  local pos, neg, neu = attrs.pos, attrs.neg, attrs.neu
  local k = 1
  local i = KEPT_SCORED[1]
  while i do
    label[i], score[i], pos[i], neg[i], neu[i] = "neutral", 0, nil, nil, nil
    KEPT_SCORED[k] = nil
    k = k + 1
    i = KEPT_SCORED[k]
  end
  for j = kept_filled + 1, n do label[j], score[j] = "neutral", 0 end
  if n > kept_filled then kept_filled = n end
  KEPT.n = n
  return KEPT, KEPT_SCORED
end

local METHOD = "lexicon and rules; paragraph and document scores are token-weighted means of "
  .. "sentence scores"

-- The Document methods the pass calls, looked up on its first document:
-- every Document has the same ones, and a lookup is a call of the
-- userdata's __index (a few per document, as much as some of the calls).
local DOC

local function doc_methods(doc)
  DOC = { sentence_columns = doc.sentence_columns, add_many = doc.add_many, set = doc.set }
  return DOC
end

-- What score.sentence is told when no entity pass ran, by `explain`.
local PLAIN = { [true] = { explain = true, items = false },
  [false] = { explain = false, items = false } }

-- The pass runs in a sandbox that counts every Lua instruction, on every
-- document, so the loop below is written for few instructions and few
-- tables: sums in locals, a sentence without hits settled in a few steps,
-- a paragraph without a scored sentence given its neutral entry at once.
local function run(doc, opts, ctx)
  local lex, info = lexicons.get(ctx, opts)
  local text = doc.text
  local explain = opts.explain and true or false
  local H, roles, values = score.hits(lex, doc, info, explain)
  local hstart = H.start
  local excl = exclamations(text)
  local any_excl = excl[1] ~= nil
  local mentions = opts.entities and targets.mentions(doc, text) or nil
  local o = mentions and { explain = explain, items = true, blocked = targets.blocker(mentions) }
    or PLAIN[explain]
  local state = mentions and { by_key = {}, order = {}, next = 1 } or nil
  local D = DOC or doc_methods(doc)
  local S = D.sentence_columns(doc, SENTENCE_FIELDS)
  local sstarts, sstops, stokens, sparagraphs = S.start, S.stop, S.tokens, S.paragraph
  local nsentences = S.n
  local spans, scored_list = nil, nil
  if not explain then spans, scored_list = spans_for(nsentences) end
  local nscored = 0
  local span_labels, span_scores = spans and spans.label, spans and spans.score
  local span_pos = spans and spans.attrs.pos
  local span_neg, span_neu = spans and spans.attrs.neg, spans and spans.attrs.neu
  local sentence, neutral_band = score.sentence, score.NEUTRAL
  score.begin(text, H, roles, values, o)
  local paragraphs, np = PARAGRAPHS, 0
  -- the current paragraph: its index, tokens, sentences and token-weighted
  -- sums (ac, ap, an only once a sentence of it is scored); and the
  -- document's sums over the paragraphs before it
  local para, aw, as, au, ac, ap, an, pscored = nil, 0, 0, 0, 0, 0, 0, false
  local tw, tc, tp, tn, tu = 0, 0, 0, 0, 0
  local positive, negative = 0, 0
  local most_positive, most_negative = MOST_POSITIVE, MOST_NEGATIVE
  if most_positive[1] then clear_extremes(most_positive) end
  if most_negative[1] then clear_extremes(most_negative) end
  local h, e = 1, 1
  local next_hit = hstart[1]
  for index = 1, nsentences do
    local p = sparagraphs[index]
    if p ~= para then
      if para then
        np = np + 1
        set_paragraph(np, para, as, pscored, aw, ac, ap, an, au)
        tw, tc, tp, tn, tu = tw + aw, tc + ac, tp + ap, tn + an, tu + au
        ac, ap, an, pscored = 0, 0, 0, false
      end
      para, aw, as, au = p, 0, 0, 0
    end
    local ntokens = stokens[index]
    aw, as = aw + ntokens, as + 1
    local sstop = sstops[index]
    local first, scored, plain = h, explain, true
    while next_hit and next_hit < sstop do
      if roles[h] == "valence" then scored = true else plain = false end
      h = h + 1
      next_hit = hstart[h]
    end
    if scored then
      local sstart = sstarts[index]
      local nexcl = 0
      if any_excl then
        while excl[e] and excl[e] < sstop do
          if excl[e] >= sstart then nexcl = nexcl + 1 end
          e = e + 1
        end
      end
      local c, rpos, rneg, rneu, items, why = sentence(sstart, sstop, first, h - 1, ntokens, nexcl,
        plain)
      pscored = true
      local rc = (c * 10000 + 0.5) // 1 / 10000
      local label = "neutral"
      if c >= neutral_band then
        label, positive = "positive", positive + 1
        keep_extreme(most_positive, index, rc, 1, more_positive)
      elseif c <= -neutral_band then
        label, negative = "negative", negative + 1
        keep_extreme(most_negative, index, rc, -1, more_negative)
      end
      ac, ap, an, au = ac + c * ntokens, ap + rpos * ntokens, an + rneg * ntokens, au + rneu * ntokens
      if spans then
        nscored = nscored + 1
        scored_list[nscored] = index
        span_labels[index], span_scores[index] = label, rc
        span_pos[index] = (rpos * 10000 + 0.5) // 1 / 10000
        span_neg[index] = (rneg * 10000 + 0.5) // 1 / 10000
        span_neu[index] = (rneu * 10000 + 0.5) // 1 / 10000
      else
        doc:add("sentiment", { start = sstart, stop = sstop, label = label, score = rc,
          attrs = { pos = round(rpos), neg = round(rneg), neu = round(rneu), explain = why } })
      end
      if state then
        targets.add_sentence(state, mentions, text, sstart, sstop, items,
          cuts_of(hstart, roles, first, h - 1), index)
      end
    else
      au = au + ntokens
      if state then
        targets.add_sentence(state, mentions, text, sstarts[index], sstop, nil,
          cuts_of(hstart, roles, first, h - 1), index)
      end
    end
  end
  if para then
    np = np + 1
    set_paragraph(np, para, as, pscored, aw, ac, ap, an, au)
    tw, tc, tp, tn, tu = tw + aw, tc + ac, tp + ap, tn + an, tu + au
  end
  paragraphs.n = np
  score.finish()
  if spans then
    spans.start, spans.stop = sstarts, sstops
    D.add_many(doc, "sentiment", spans)
    spans.start, spans.stop = nil, nil
  end
  local compound, pos, neg, neu = 0, 0, 0, 1
  if tw > 0 then
    compound, pos, neg, neu = round(tc / tw), round(tp / tw), round(tn / tw), round(tu / tw)
  end
  -- the lexicon's entry is the same for every document of a lexicon
  local about = info.about
  if not about then
    about = { entries = info.entries, sources = info.sources }
    info.about = about
  end
  local value = VALUE
  value.compound, value.pos, value.neg, value.neu = compound, pos, neg, neu
  value.paragraphs, value.positive, value.negative = paragraphs, positive, negative
  value.neutral = nsentences - positive - negative
  value.most_positive, value.most_negative = most_positive, most_negative
  value.method, value.lexicon = METHOD, about
  value.entities = state and targets.finish(state, round) or nil
  D.set(doc, "sentiment", value)
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
