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

-- The value's tables are kept from one document to the next, as the span
-- columns are (see OUT): doc:set copies the value out as JSON, and making
-- a table costs more than setting its fields. The paragraphs' entries are
-- rows given as columns (written as a list of objects; only entries 1..n
-- are read, so an earlier document's need no clearing).
local PARAGRAPHS = json.rows { n = 0, index = {}, compound = {}, pos = {}, neg = {}, neu = {},
  sentences = {} }
local MOST_POSITIVE, MOST_NEGATIVE = list_of(), list_of()
local VALUE = {}

local function more_positive(a, b) return a.compound > b.compound end
local function more_negative(a, b) return a.compound * -1 > b.compound * -1 end

-- Keep the EXTREMES sentences with the highest (sign 1, before =
-- more_positive) or lowest (sign -1, more_negative) rounded compound rc,
-- in the order table.sort with `before` gives. When rc or the kept ones
-- tie, that order is table.sort's own, so it decides; otherwise the order
-- is the only sorted one, found without it. The scorer hands over only
-- the sentences that can change a list (out.extremes).
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

-- The sentences' columns, filled into the same tables for every document.
local SENTENCE_FIELDS = { "start", "stop", "tokens", "paragraph", into = {} }

-- What the scorer fills (docs/lua-api.md#valence): the sentence spans as
-- columns for one doc:add_many ("neutral" and 0 for a sentence without a
-- valence word, with no attrs: encoding them would cost more than all the
-- scoring), the paragraphs' entries and the sentences that may be among
-- the extremes. Tables are much of what a document costs the pass, so
-- these are kept from one document to the next (the sentence columns up
-- to REUSE_MAX sentences; a longer document gets its own).
local REUSE_MAX = 4096
local function new_spans()
  return { n = 0, label = {}, score = {}, attrs = { pos = {}, neg = {}, neu = {} } }
end
local OUT = { sentences = new_spans(), paragraphs = PARAGRAPHS, extremes = {} }
local BIG_OUT = { paragraphs = PARAGRAPHS, extremes = {} }
local SCORE_OPTS = {}

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

local scorer = score.scorer
local score_document = scorer.score

-- Put the sentences that may change the extremes into the two lists.
local function keep_extremes(X)
  local most_positive, most_negative = MOST_POSITIVE, MOST_NEGATIVE
  if most_positive[1] then clear_extremes(most_positive) end
  if most_negative[1] then clear_extremes(most_negative) end
  local index, rc, sign = X.index, X.score, X.sign
  for k = 1, X.n do
    if sign[k] > 0 then keep_extreme(most_positive, index[k], rc[k], 1, more_positive)
    else keep_extreme(most_negative, index[k], rc[k], -1, more_negative) end
  end
end

-- With `explain`: a span per sentence, each with its explanation.
local function add_explained(doc, R, S, text, H, mentions)
  local spans, why = R.sentences, R.explain
  local labels, scores, attrs = spans.label, spans.score, spans.attrs
  for index = 1, S.n do
    doc:add("sentiment", { start = S.start[index], stop = S.stop[index], label = labels[index],
      score = scores[index], attrs = { pos = attrs.pos[index], neg = attrs.neg[index],
        neu = attrs.neu[index], explain = score.explain(why[index], text, H, mentions) } })
  end
end

-- The clauses about each entity, sentence by sentence.
local function entity_scores(R, S, text, mentions)
  local state = { by_key = {}, order = {}, next = 1 }
  local items, cuts, starts, stops = R.items, R.cuts, S.start, S.stop
  for index = 1, S.n do
    targets.add_sentence(state, mentions, text, starts[index], stops[index], items[index],
      cuts[index] or NOTHING, index)
  end
  return targets.finish(state, round)
end

-- The pass runs in a sandbox that counts every Lua instruction, on every
-- document: the scorer does the per-sentence and per-paragraph work in C,
-- and what is left here is a few calls per document.
local function run(doc, opts, ctx)
  local lex, info = lexicons.get(ctx, opts)
  local text = doc.text
  local explain = opts.explain and true or false
  local H = score.hits(lex, doc, info, explain)
  local mentions = opts.entities and targets.mentions(doc, text) or nil
  local D = DOC or doc_methods(doc)
  local S = D.sentence_columns(doc, SENTENCE_FIELDS)
  local o = SCORE_OPTS
  o.explain, o.items = explain, mentions ~= nil
  o.blocked = mentions and targets.ranges(mentions) or nil
  local out = OUT
  if S.n > REUSE_MAX then
    out = BIG_OUT
    out.sentences = new_spans()
  end
  local R = score_document(scorer, text, H, S, out, o)
  o.blocked = nil
  keep_extremes(R.extremes)
  if explain then
    add_explained(doc, R, S, text, H, mentions)
  else
    local spans = R.sentences
    spans.start, spans.stop = S.start, S.stop
    D.add_many(doc, "sentiment", spans)
    spans.start, spans.stop = nil, nil
  end
  if out == BIG_OUT then out.sentences = nil end
  -- the lexicon's entry is the same for every document of a lexicon
  local about = info.about
  if not about then
    about = { entries = info.entries, sources = info.sources }
    info.about = about
  end
  local value = VALUE
  value.compound, value.pos, value.neg, value.neu = R.compound, R.pos, R.neg, R.neu
  value.paragraphs, value.positive, value.negative = R.paragraphs, R.positive, R.negative
  value.neutral = R.neutral
  value.most_positive, value.most_negative = MOST_POSITIVE, MOST_NEGATIVE
  value.method, value.lexicon = METHOD, about
  value.entities = mentions and entity_scores(R, S, text, mentions) or nil
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
