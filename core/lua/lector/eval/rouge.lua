-- ROUGE (Lin 2004): how much of a reference summary a candidate summary
-- covers, in shared n-grams (ROUGE-N) and in longest common subsequences
-- over sentences (ROUGE-L, summary level, with union LCS). Tokens are made
-- as the standard ROUGE script makes them: lower case, every character that
-- is not an ASCII letter or digit becomes a space, and, with stemming, words
-- longer than three characters are Porter-stemmed.
local lector = require "lector"

local error, ipairs, math, pairs, setmetatable, string, table, type =
  error, ipairs, math, pairs, setmetatable, string, table, type
local _ENV = nil

local rouge = {}

-- Words up to this many characters are never stemmed (as in ROUGE-1.5.5).
local STEM_MIN_CHARS = 4

local porter
local function porter_stemmer()
  if porter then return porter end
  if type(lector.stemmer) ~= "function" and type(lector.stemmer) ~= "table" then
    error("ROUGE with stemming needs lector.stemmer (Snowball's porter), which this build lacks", 3)
  end
  porter = lector.stemmer "porter"
  return porter
end

-- The tokens of one text: list of strings.
function rouge.tokens(text, opts)
  if type(text) ~= "string" then error("bad argument #1 to 'tokens' (string expected)", 2) end
  local words = {}
  for w in text:lower():gsub("[^a-z0-9]", " "):gmatch "%S+" do words[#words + 1] = w end
  if opts and opts.stem then
    local st = porter_stemmer()
    for i, w in ipairs(words) do
      if #w >= STEM_MIN_CHARS then words[i] = st:stem(w) end
    end
  end
  return words
end

-- A summary as a list of sentences, each a list of tokens. A string is one
-- sentence a line (the standard script's input); a list is taken as its
-- sentences.
local function sentence_tokens(summary, opts, arg, fname)
  local lines = {}
  if type(summary) == "string" then
    for line in summary:gmatch "[^\n]+" do lines[#lines + 1] = line end
  elseif type(summary) == "table" then
    for i, line in ipairs(summary) do
      if type(line) ~= "string" then
        error(("bad argument #%d to '%s' (sentence %d is not a string)"):format(arg, fname, i), 3)
      end
      lines[i] = line
    end
  else
    error(("bad argument #%d to '%s' (string or list of sentences expected)"):format(arg, fname), 3)
  end
  local out = {}
  for _, line in ipairs(lines) do
    local toks = rouge.tokens(line, opts)
    if #toks > 0 then out[#out + 1] = toks end
  end
  return out
end

local function flatten(sentences)
  local all = {}
  for _, s in ipairs(sentences) do
    for _, t in ipairs(s) do all[#all + 1] = t end
  end
  return all
end

local function ngram_counts(tokens, n)
  local counts, total = {}, 0
  for i = 1, #tokens - n + 1 do
    local key = table.concat(tokens, " ", i, i + n - 1)
    counts[key] = (counts[key] or 0) + 1
    total = total + 1
  end
  return counts, total
end

-- Shared n-grams of two token lists, each n-gram counted at most as often
-- as it occurs in both. Returns hits, candidate n-grams, reference n-grams.
function rouge.ngram_hits(candidate, reference, n)
  local cand, cand_total = ngram_counts(candidate, n)
  local ref, ref_total = ngram_counts(reference, n)
  local hits = 0
  for key, c in pairs(cand) do
    local r = ref[key]
    if r then hits = hits + math.min(c, r) end
  end
  return hits, cand_total, ref_total
end

-- The LCS table's backtrack: which positions of a lie on one longest common
-- subsequence of a and b. Returns the set of a's indices.
local function lcs_positions(a, b)
  local rows = {}
  local m, n = #a, #b
  for i = 0, m do
    local row = {}
    for j = 0, n do row[j] = 0 end
    rows[i] = row
  end
  for i = 1, m do
    local row, prev, ai = rows[i], rows[i - 1], a[i]
    for j = 1, n do
      if ai == b[j] then row[j] = prev[j - 1] + 1
      elseif prev[j] >= row[j - 1] then row[j] = prev[j]
      else row[j] = row[j - 1] end
    end
  end
  local picked, i, j = {}, m, n
  while i > 0 and j > 0 do
    if a[i] == b[j] then
      picked[i] = true
      i, j = i - 1, j - 1
    elseif rows[i - 1][j] >= rows[i][j - 1] then
      i = i - 1
    else
      j = j - 1
    end
  end
  return picked, rows[m][n]
end

-- Length of the longest common subsequence of two token lists.
function rouge.lcs(a, b)
  local _, length = lcs_positions(a, b)
  return length
end

-- Summary-level LCS hits: for each reference sentence, the union of the
-- words it shares in order with each candidate sentence; each word counts
-- at most as often as it occurs in the candidate and in the reference.
function rouge.union_lcs_hits(candidate_sentences, reference_sentences)
  local cand_left, ref_left = {}, {}
  for _, s in ipairs(candidate_sentences) do
    for _, t in ipairs(s) do cand_left[t] = (cand_left[t] or 0) + 1 end
  end
  for _, s in ipairs(reference_sentences) do
    for _, t in ipairs(s) do ref_left[t] = (ref_left[t] or 0) + 1 end
  end
  local hits = 0
  for _, ref in ipairs(reference_sentences) do
    local union = {}
    for _, cand in ipairs(candidate_sentences) do
      for i in pairs((lcs_positions(ref, cand))) do union[i] = true end
    end
    for i = 1, #ref do
      local t = ref[i]
      if union[i] and (cand_left[t] or 0) > 0 and (ref_left[t] or 0) > 0 then
        hits = hits + 1
        cand_left[t] = cand_left[t] - 1
        ref_left[t] = ref_left[t] - 1
      end
    end
  end
  return hits
end

local function prf(hits, cand_total, ref_total)
  local r = ref_total > 0 and hits / ref_total or 0
  local p = cand_total > 0 and hits / cand_total or 0
  local f = (p + r) > 0 and 2 * p * r / (p + r) or 0
  return { recall = r, precision = p, f1 = f }
end

-- Scores of one candidate against one reference: {rouge1 =, rouge2 =,
-- rougeL = {recall, precision, f1}}. opts.stem: Porter-stem words;
-- opts.n: the n of ROUGE-N computed (default {1, 2}).
function rouge.score(candidate, reference, opts)
  opts = opts or {}
  local cand_s = sentence_tokens(candidate, opts, 1, "score")
  local ref_s = sentence_tokens(reference, opts, 2, "score")
  local cand, ref = flatten(cand_s), flatten(ref_s)
  local result = {}
  for _, n in ipairs(opts.n or { 1, 2 }) do
    result["rouge" .. n] = prf(rouge.ngram_hits(cand, ref, n))
  end
  result.rougeL = prf(rouge.union_lcs_hits(cand_s, ref_s), #cand, #ref)
  return result
end

-- An average over documents, as the standard script reports it: each
-- document's recall, precision and F1, averaged.
local Mean = {}
Mean.__index = Mean

function rouge.mean()
  return setmetatable({ count = 0, sums = {} }, Mean)
end

function Mean:add(scores)
  self.count = self.count + 1
  for name, s in pairs(scores) do
    local sum = self.sums[name]
    if not sum then
      sum = { recall = 0, precision = 0, f1 = 0 }
      self.sums[name] = sum
    end
    sum.recall = sum.recall + s.recall
    sum.precision = sum.precision + s.precision
    sum.f1 = sum.f1 + s.f1
  end
end

function Mean:result()
  local out = {}
  for name, sum in pairs(self.sums) do
    local n = self.count
    out[name] = { recall = sum.recall / n, precision = sum.precision / n, f1 = sum.f1 / n }
  end
  return out
end

-- Split a plain-text reference into sentences (for ROUGE-L): after . ! ?
-- (and a closing quote) followed by white space.
function rouge.sentences(text)
  local out = {}
  local rest = text:gsub("%s+", " ")
  local from = 1
  for stop in rest:gmatch "[%.!?]['\"”’)]* ()" do
    local s = rest:sub(from, stop - 2):match "^%s*(.-)%s*$"
    if s ~= "" then out[#out + 1] = s end
    from = stop
  end
  local last = rest:sub(from):match "^%s*(.-)%s*$"
  if last ~= "" then out[#out + 1] = last end
  return out
end

return rouge
