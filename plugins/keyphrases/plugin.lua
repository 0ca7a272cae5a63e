-- keyphrases: the article's key terms and phrases, scored. Candidate
-- phrases are runs of content words; the words are ranked by PageRank on
-- their co-occurrence graph, biased towards the words that come early
-- (TextRank with PositionRank's prior); a phrase scores the sum of its
-- words' ranks, weighted by how often it occurs; variants of one phrase
-- ("government", "governments"; "Maduro", "Maduro government") are merged.
-- See docs/summarization.md.

-- Structure units left out: not the article's text.
local SKIPPED_UNITS = { CAPTION = true, CREDIT = true, BYLINE = true, EDITOR = true,
  DATELINE = true }
-- Words this close in a run of content words (or across one stop word)
-- are linked in the word graph.
local WINDOW = 3
-- Tokens read, and distinct words ranked, at most: the article's opening is
-- where its key phrases are, and the memory and the graph stay bounded
-- (lector.graph takes at most 20,000 nodes).
local MAX_TOKENS = 20000
local MAX_WORDS = 10000

-- English words that rarely end or start a key phrase: participles,
-- adverbs, number words ("escalating", "reportedly", "two").
local ENGLISH_EDGE_SUFFIXES = { "ed", "ing", "ly" }
local ENGLISH_NUMBER_WORDS = { "one", "two", "three", "four", "five", "six", "seven", "eight",
  "nine", "ten", "dozens", "hundreds", "thousands", "millions", "first", "second", "third",
  "hundred", "thousand", "million", "billion", "trillion", "billions" }

-- Stop words that may join two capitalized words into one name ("Port of
-- Halden", "Office on Drugs and Crime", "Banco de España").
local CONNECTORS = { "of", "on", "for", "and", "de", "del", "la", "van", "von" }

-- A table written as a JSON list even when empty ([], not {}).
local list_of = require("lector").json.array

local lexicons, extractors = {}, {}

-- The word list FOLDER/LANGUAGE.tsv of the plugin, loaded once per plugin
-- state; nil when the language has none.
local function lexicon_of(ctx, folder, language)
  local path = folder .. language .. ".tsv"
  local lex = lexicons[path]
  if lex == nil then
    local ok, loaded = pcall(ctx.lexicon, path, { fold = true })
    lex = ok and loaded or false
    lexicons[path] = lex
  end
  return lex or nil
end

-- The phrase extractor for one language and list of extra stop words, made
-- once per plugin state (it keeps its memos of words and stems). A verb
-- splits a phrase as a stop word does, written in lower case (not "Met
-- Office", "LED lights", "Rose Garden") or in the headline. Only English
-- has weak edge words: other languages keep every edge.
local function extractor_for(ctx, opts)
  local language, extra = opts.language, opts.stopwords
  local key = language .. "\0" .. opts.max_words .. "\0" .. table.concat(extra, "\0")
  local ph = extractors[key]
  if ph then return ph end
  local more = {}
  for i, w in ipairs(extra) do more[i] = w:lower() end
  local english = language == "english"
  ph = lector.phrases {
    stemmer = lector.stemmer(language),
    stopwords = lexicon_of(ctx, "data/stopwords/", language),
    verbs = lexicon_of(ctx, "data/verbs/", language),
    more_stopwords = more,
    connectors = CONNECTORS,
    edge_words = english and ENGLISH_NUMBER_WORDS or nil,
    edge_suffixes = english and ENGLISH_EDGE_SUFFIXES or nil,
    max_words = opts.max_words, window = WINDOW, max_tokens = MAX_TOKENS,
    max_distinct = MAX_WORDS,
  }
  extractors[key] = ph
  return ph
end

-- The ranges left out, and the headline's (nil when none).
local function skipped_ranges(doc)
  local ranges, headline = {}, nil
  for span in doc:spans "structure" do
    if SKIPPED_UNITS[span.label or ""] then ranges[#ranges + 1] = { span.start, span.stop } end
    if span.label == "HEADLINE" then headline = { span.start, span.stop } end
  end
  return ranges, headline
end

return {
  name = "keyphrases",
  version = "1.0.0",
  kind = "extract",
  description = "Key terms and phrases, scored, with their variants merged",
  license = "MIT",
  author = "lector",
  requires = { "structure >= 1" },
  provides = { "keyphrases", "keyphrase" },
  options = {
    count = { type = "integer", default = 10, description = "phrases kept" },
    max_words = { type = "integer", default = 4, description = "longest phrase, in words" },
    language = { type = "string", default = "english",
      description = "Snowball stemmer; data/stopwords/LANGUAGE.tsv gives its stop words" },
    stopwords = { type = "list", default = {}, description = "more stop words" },
  },
  permissions = {},
  run = function(doc, opts, ctx)
    if opts.count < 1 then error("keyphrases: option 'count' must be at least 1", 0) end
    if opts.max_words < 1 then error("keyphrases: option 'max_words' must be at least 1", 0) end
    local ranges, headline = skipped_ranges(doc)
    local kept = extractor_for(ctx, opts):extract(doc, { count = opts.count, skip = ranges,
      headline = headline })
    local top = kept[1] and kept[1].score or 0
    local value = list_of()
    local spans = { start = {}, stop = {}, label = {}, score = {}, n = 0 }
    for i = 1, #kept do
      local found = kept[i]
      local phrase, score = found.phrase, top > 0 and found.score / top or 0
      value[i] = { phrase = phrase, score = score, variants = list_of(found.variants),
        count = found.count }
      local starts, stops, n = found.starts, found.stops, spans.n
      for j = 1, found.count do
        spans.start[n + j], spans.stop[n + j] = starts[j], stops[j]
        spans.label[n + j], spans.score[n + j] = phrase, score
      end
      spans.n = n + found.count
    end
    if spans.n > 0 then doc:add_many("keyphrase", spans) end
    doc:set("keyphrases", value)
  end,
}
