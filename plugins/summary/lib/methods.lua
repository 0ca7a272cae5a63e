-- The summary methods. Each takes the candidates (see text.lua), the
-- headline's terms and the options, and returns the candidates' positions
-- best first; select() then takes as many as the length allows.
local M = {}

-- Default edge thresholds below which two sentences are not linked.
local THRESHOLD = { cosine = 0.1, bm25 = 0.1, overlap = 0 }

local function rows_of(cands)
  local rows = {}
  for i, c in ipairs(cands) do rows[i] = c.terms end
  return rows
end

local function graph_of(cands, measure, threshold)
  return lector.graph.similarity(rows_of(cands), {
    measure = measure, threshold = threshold or THRESHOLD[measure] or 0 })
end

-- Positions sorted by score, best first; ties go to the earlier sentence.
local function by_score(scores)
  local order = {}
  for i = 1, #scores do order[i] = i end
  table.sort(order, function(a, b)
    if scores[a] ~= scores[b] then return scores[a] > scores[b] end
    return a < b
  end)
  return order
end

function M.lead(cands)
  local order = {}
  for i = 1, #cands do order[i] = i end
  return order
end

-- TextRank (Mihalcea and Tarau 2004): PageRank over a graph whose edges are
-- the sentences' shared terms (overlap), or their BM25 or TF-IDF
-- similarity when opts.similarity says so.
function M.textrank(cands, _, opts)
  local measure = opts.similarity ~= "" and opts.similarity or "overlap"
  local g = graph_of(cands, measure)
  return by_score(lector.graph.rank(g, { damping = opts.damping }))
end

-- LexRank (Erkan and Radev 2004), continuous: PageRank over the TF-IDF
-- cosine graph, edges under 0.1 dropped.
function M.lexrank(cands, _, opts)
  local measure = opts.similarity ~= "" and opts.similarity or "cosine"
  local g = graph_of(cands, measure)
  return by_score(lector.graph.rank(g, { damping = opts.damping }))
end

-- TF-IDF cosine of each candidate with the query terms (the headline), the
-- IDF taken from the candidates as sentence frequency. One pass over the
-- terms: no pairs of sentences. A candidate without a query term scores 0
-- whatever its norm, so its norm is not worked out.
local function query_similarity(cands, query)
  local sims = {}
  if #query == 0 then
    for i = 1, #cands do sims[i] = 0 end
    return sims
  end
  local qtf = {}
  for _, t in ipairs(query) do qtf[t] = (qtf[t] or 0) + 1 end
  -- term counts per candidate, sentence frequencies, and whether the
  -- candidate has a query term
  local df, tfs, shares = {}, {}, {}
  for i, c in ipairs(cands) do
    local tf, share = {}, false
    for _, t in ipairs(c.terms) do
      local f = tf[t]
      if f then
        tf[t] = f + 1
      else
        tf[t] = 1
        df[t] = (df[t] or 0) + 1
        if qtf[t] then share = true end
      end
    end
    tfs[i], shares[i] = tf, share
  end
  local n, log = #cands, math.log
  local idf = {}
  for t, d in pairs(df) do idf[t] = log((n + 1) / (d + 1)) + 1 end
  local qnorm = 0
  for t, f in pairs(qtf) do qnorm = qnorm + (f * (idf[t] or log((n + 1) / 1) + 1)) ^ 2 end
  qnorm = math.sqrt(qnorm)
  for i = 1, n do
    if shares[i] then
      local dot, norm = 0, 0
      for t, f in pairs(tfs[i]) do
        local v = idf[t]
        local w = f * v
        norm = norm + w * w
        local q = qtf[t]
        if q then dot = dot + w * q * v end
      end
      sims[i] = (norm > 0 and qnorm > 0) and dot / (math.sqrt(norm) * qnorm) or 0
    else
      -- no query term: the dot product, and so the cosine, is 0
      sims[i] = 0
    end
  end
  return sims
end
M.query_similarity = query_similarity

-- Weights of the hybrid method, tuned on news (see docs/summarization.md).
M.HYBRID = {
  position_decay = 5,   -- the prior halves every this many candidate sentences ...
  position_floor = 0.1, -- ... down to this share of the first one's
  query_weight = 1,     -- headline similarity's part in the prior and the relevance
  centrality = 0.2,     -- part of the PageRank score in the relevance
  position = 0.6,       -- part of the position prior in the relevance
  short_words = 8,      -- sentences shorter than this lose relevance in proportion
  long_words = 40,      -- sentences longer than this lose relevance ...
  length_power = 2,     -- ... as (long_words / words) ^ length_power
  lambda = 0.8,         -- MMR: relevance against redundancy
  duplicate = 0.5,      -- a sentence this similar to one chosen is never chosen
}

-- Relevance of each candidate: PageRank on the TF-IDF cosine graph,
-- personalised towards the opening sentences and the headline's words,
-- blended with the position prior itself.
function M.relevance(cands, query, opts, w)
  w = w or M.HYBRID
  local n = #cands
  local measure = opts.similarity ~= "" and opts.similarity or "cosine"
  local g = graph_of(cands, measure)
  local qsim = query_similarity(cands, query)
  local prior, position = {}, {}
  for i = 1, n do
    position[i] = math.max(0.5 ^ ((i - 1) / w.position_decay), w.position_floor)
    prior[i] = position[i] + w.query_weight * qsim[i]
  end
  local rank = lector.graph.rank(g, { damping = opts.damping, prior = prior })
  local top = 0
  for i = 1, n do top = math.max(top, rank[i]) end
  local rel = {}
  for i, c in ipairs(cands) do
    local r = w.centrality * (top > 0 and rank[i] / top or 0) + w.position * position[i]
      + w.query_weight * qsim[i]
    if c.words < w.short_words then r = r * c.words / w.short_words end
    if c.words > w.long_words then r = r * (w.long_words / c.words) ^ w.length_power end
    rel[i] = r
  end
  -- on the same 0..1 scale as the similarities MMR weighs it against
  local best = 0
  for i = 1, n do best = math.max(best, rel[i]) end
  if best > 0 then
    for i = 1, n do rel[i] = rel[i] / best end
  end
  return rel, g
end

-- The hybrid order, and the graph select() uses to leave out near-copies
-- (captions that repeat a sentence are common in news pages).
function M.hybrid(cands, query, opts, w)
  w = w or M.HYBRID
  local rel, g = M.relevance(cands, query, opts, w)
  return lector.graph.mmr(g, rel, #cands, { lambda = w.lambda }), g
end

-- The positions to keep, in document order: the first `sentences` of the
-- order, or, with a word budget, sentences in order of preference while
-- they fit (always at least one). Given a graph, a sentence whose
-- similarity to one already kept reaches `duplicate` is passed over.
function M.select(cands, order, opts, g, duplicate)
  local budget = opts.words
  if budget <= 0 and opts.ratio > 0 then
    local total = 0
    for _, c in ipairs(cands) do total = total + c.words end
    budget = math.max(1, math.floor(total * opts.ratio + 0.5))
  end
  local picked, used = {}, 0
  local function copies(i)
    if not g then return false end
    for _, j in ipairs(picked) do
      if g:weight(i, j) >= duplicate then return true end
    end
    return false
  end
  for _, i in ipairs(order) do
    if copies(i) then
      -- left out: it repeats a sentence already chosen
    elseif budget > 0 then
      local words = cands[i].words
      if #picked == 0 or used + words <= budget then
        picked[#picked + 1] = i
        used = used + words
      end
      if used >= budget then break end
    else
      if #picked >= opts.sentences then break end
      picked[#picked + 1] = i
    end
  end
  table.sort(picked)
  return picked
end

return M
