-- sentiment: the tone of each sentence, paragraph and document, and of the
-- clauses about each entity, from a valence lexicon and rules. See
-- README.md and docs/sentiment.md.
local lexicons = require "lib.lexicons"
local score = require "lib.score"
local targets = require "lib.targets"

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

-- The value's tables are kept from one document to the next, as the span
-- columns are (see OUT): doc:set copies the value out as JSON, and making
-- a table costs more than setting its fields. The paragraphs' entries are
-- rows given as columns (written as a list of objects; only entries 1..n
-- are read, so an earlier document's need no clearing).
local PARAGRAPHS = json.rows { n = 0, index = {}, compound = {}, pos = {}, neg = {}, neu = {},
  sentences = {} }
local MOST_POSITIVE, MOST_NEGATIVE = list_of(), list_of()
local VALUE = {}

-- The sentences' columns, filled into the same tables for every document.
local SENTENCE_FIELDS = { "start", "stop", "tokens", "paragraph", into = {} }

-- What the scorer fills (docs/lua-api.md#valence): the sentence spans as
-- columns for one doc:add_many ("neutral" and 0 for a sentence without a
-- valence word, with no attrs: encoding them would cost more than all the
-- scoring), the paragraphs' entries and the lists of the most positive and
-- negative sentences. Tables are much of what a document costs the pass, so
-- these are kept from one document to the next (the sentence columns while
-- they hold at most REUSE_MAX sentences; longer ones are let go after
-- their document).
local REUSE_MAX = 4096
local function new_spans()
  return { n = 0, start = {}, stop = {}, label = {}, score = {},
    attrs = { pos = {}, neg = {}, neu = {} } }
end
local OUT = { sentences = new_spans(), paragraphs = PARAGRAPHS, most_positive = MOST_POSITIVE,
  most_negative = MOST_NEGATIVE }
local SCORE_OPTS = { extremes = EXTREMES }

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

-- The scorer's methods, looked up once (each look-up is a call of the
-- userdata's __index): score_hits takes lex:scan's columns, which
-- explanations and the per-run overrides need; score_lexicon finds the
-- same hits itself, without making the columns.
local scorer = score.scorer
local score_hits, score_lexicon = scorer.score, scorer.score_document

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

-- The pass runs in a sandbox that counts every Lua instruction, on every
-- document: the scorer does the per-sentence and per-paragraph work in C,
-- and what is left here is a few calls per document.
local function run(doc, opts, ctx)
  local lex, info = lexicons.get(ctx, opts)
  local explain = opts.explain and true or false
  local mentions = opts.entities and targets.mentions(doc) or nil
  local by_hits = explain or info.has_overrides
  -- the text and the sentences' columns only where this code reads them:
  -- otherwise the scorer reads the document's own
  local text = by_hits and doc.text or nil
  local D = DOC or doc_methods(doc)
  local S = by_hits and D.sentence_columns(doc, SENTENCE_FIELDS) or nil
  local o = SCORE_OPTS
  o.explain = explain
  o.blocked = mentions and targets.ranges(mentions) or nil
  o.targets = mentions
  local H, R
  if by_hits then
    H = score.hits(lex, doc, info, explain)
    R = score_hits(scorer, text, H, S, OUT, o)
  else
    R = score_lexicon(scorer, doc, lex, S, OUT, o)
  end
  o.blocked, o.targets = nil, nil
  if explain then
    add_explained(doc, R, S, text, H, mentions)
  else
    D.add_many(doc, "sentiment", R.sentences)
  end
  if R.sentences.n > REUSE_MAX then OUT.sentences = new_spans() end
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
  value.most_positive, value.most_negative = R.most_positive, R.most_negative
  value.method, value.lexicon = METHOD, about
  value.entities = mentions and targets.finish(R.targets, mentions, round) or nil
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
