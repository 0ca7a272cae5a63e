-- summary: an extractive summary, unsupervised — the article's own
-- sentences, chosen by position (lead), by their centrality in a graph of
-- sentence similarity (textrank, lexrank), or by both with the headline and
-- redundancy control (hybrid, the default). See docs/summarization.md.
local text = require "lib.text"
local methods = require "lib.methods"
-- A table written as a JSON list even when empty ([], not {}).
local list_of = require("lector").json.array

local METHODS = { lead = true, textrank = true, lexrank = true, hybrid = true }
local MEASURES = { [""] = true, cosine = true, bm25 = true, overlap = true }

local function check(opts)
  if not METHODS[opts.method] then
    error("summary: unknown method '" .. tostring(opts.method)
      .. "' (lead, textrank, lexrank or hybrid)", 0)
  end
  if not MEASURES[opts.similarity] then
    error("summary: unknown similarity '" .. tostring(opts.similarity)
      .. "' (cosine, bm25 or overlap)", 0)
  end
  if opts.sentences < 1 then error("summary: option 'sentences' must be at least 1", 0) end
  if opts.words < 0 then error("summary: option 'words' must not be negative", 0) end
  if opts.ratio < 0 or opts.ratio > 1 then error("summary: option 'ratio' must lie in 0..1", 0) end
  if opts.damping <= 0 or opts.damping >= 1 then
    error("summary: option 'damping' must lie between 0 and 1", 0)
  end
end

return {
  name = "summary",
  version = "1.0.0",
  kind = "summarize",
  description = "Extractive summary: lead, TextRank, LexRank or a hybrid of centrality, position and the headline",
  license = "MIT",
  author = "lector",
  requires = { "structure >= 1" },
  provides = { "summary" },
  options = {
    method = { type = "string", default = "hybrid",
      description = "lead, textrank, lexrank or hybrid" },
    sentences = { type = "integer", default = 3,
      description = "sentences in the summary (unless words or ratio is set)" },
    words = { type = "integer", default = 0,
      description = "a word budget instead of a sentence count (0: not used)" },
    ratio = { type = "number", default = 0,
      description = "a word budget as a share of the article's words (0: not used)" },
    similarity = { type = "string", default = "",
      description = "sentence similarity: cosine (TF-IDF), bm25 or overlap (default: the method's own)" },
    damping = { type = "number", default = 0.85, description = "PageRank's damping factor" },
    min_words = { type = "integer", default = 5,
      description = "shorter sentences are never chosen" },
    language = { type = "string", default = "english",
      description = "Snowball stemmer; data/stopwords/LANGUAGE.tsv gives its stop words" },
    stopwords = { type = "list", default = {}, description = "more stop words" },
  },
  permissions = {},
  run = function(doc, opts, ctx)
    check(opts)
    local reader = text.reader(ctx, opts.language, opts.stopwords)
    local cands, query = text.candidates(doc, opts, reader, text.stemmer(opts.language))
    local picked = {}
    if #cands > 0 then
      local order, g = methods[opts.method](cands, query, opts)
      picked = methods.select(cands, order, opts, g, methods.HYBRID.duplicate)
    end
    local indices, texts = {}, {}
    for k, i in ipairs(picked) do
      local c = cands[i]
      indices[k] = c.index
      -- line breaks become spaces (no repetition in the pattern: a
      -- sentence may be a megabyte long)
      texts[k] = (doc:slice(c.start, c.stop):gsub("[\r\n\t]", " "))
    end
    doc:set("summary", { method = opts.method, sentences = list_of(indices), text = table.concat(texts, " ") })
  end,
}
