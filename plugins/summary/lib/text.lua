-- The sentences a summary may use, and their terms: stemmed words with the
-- function words left out.
local M = {}

-- Structure units that are layout, not the article's body: never summary
-- sentences (the headline and standfirst are used as a query instead).
local NOT_BODY = { HEADLINE = true, STANDFIRST = true, CAPTION = true, CREDIT = true,
  DATELINE = true, BYLINE = true, EDITOR = true }
-- A sentence at least this share of whose bytes lie in such units is one of them.
local LAYOUT_SHARE = 0.5
-- Candidates after this many are not considered: the graphs stay within
-- lector.graph's limits and a huge text takes bounded time.
M.MAX_CANDIDATES = 1000

-- Stop-word tests and stemmers, made once per plugin state and language.
local stop_lexicons, stemmers = {}, {}

-- A function telling whether a folded word is a stop word: the words of
-- data/stopwords/LANGUAGE.tsv when the file exists, and the extra ones.
function M.stopwords(ctx, language, extra)
  local lex = stop_lexicons[language]
  if lex == nil then
    local ok, loaded = pcall(ctx.lexicon, "data/stopwords/" .. language .. ".tsv", { fold = true })
    lex = ok and loaded or false
    stop_lexicons[language] = lex
  end
  local more = {}
  for _, w in ipairs(extra or {}) do more[utf8.len(w) and w:lower() or w] = true end
  local memo = {}
  return function(word)
    local known = memo[word]
    if known == nil then
      known = more[word] == true or (lex and lex:get(word) ~= nil) or false
      memo[word] = known
    end
    return known
  end
end

function M.stemmer(language)
  local st = stemmers[language]
  if not st then
    st = lector.stemmer(language)
    stemmers[language] = st
  end
  return st
end

-- The token's word for term purposes: folded, curly apostrophe made
-- straight, a possessive 's dropped; nil for punctuation and symbols.
local function word_of(t)
  if t.kind ~= "word" and t.kind ~= "number" then return nil end
  local w = t.folded:gsub("’", "'")
  w = w:gsub("'s$", "")
  if not w:find "[%w\128-\255]" then return nil end
  return w, t.kind == "number"
end

-- Byte ranges of the layout units, from the structure pass's spans; the
-- headline and standfirst are query ranges too.
local function layout_ranges(doc)
  local ranges, query, datelines = {}, {}, {}
  for span in doc:spans "structure" do
    local label = span.label or ""
    if NOT_BODY[label] then ranges[#ranges + 1] = { span.start, span.stop } end
    if label == "HEADLINE" or label == "STANDFIRST" then query[#query + 1] = { span.start, span.stop } end
    if label == "DATELINE" then datelines[#datelines + 1] = { span.start, span.stop } end
  end
  return ranges, query, datelines
end

-- Where a sentence's own words start: after a dateline that opens it
-- ("RIVERTON (Valley Post) – The council ...").
local function body_start(datelines, s, tokens)
  for _, r in ipairs(datelines) do
    if r[1] <= s.start and r[2] > s.start and r[2] < s.stop then
      for _, t in ipairs(tokens) do
        if t.start >= r[2] and (t.kind == "word" or t.kind == "number") then return t.start end
      end
    end
  end
  return s.start
end

local function covered(ranges, start, stop)
  local n = 0
  for _, r in ipairs(ranges) do
    local a, b = math.max(r[1], start), math.min(r[2], stop)
    if b > a then n = n + (b - a) end
  end
  return n
end

-- Terms of a list of tokens: a list of stems (repeats kept).
local function terms_of(tokens, is_stop, pending)
  local terms = {}
  for _, t in ipairs(tokens) do
    local w, number = word_of(t)
    if w and not is_stop(w) then
      terms[#terms + 1] = w
      if not number then pending[w] = true end
    end
  end
  return terms
end

-- The candidates: {index, position (1.. among candidates), paragraph,
-- words, terms = {stems}, start, stop (the sentence without an opening dateline)} for every sentence with at least min_words
-- words that is not a layout unit. Also returns the terms of the headline
-- and standfirst (a list, maybe empty) and the sentences left out.
function M.candidates(doc, opts, is_stop, stemmer)
  local ranges, query_ranges, datelines = layout_ranges(doc)
  local pending, list, query_tokens, skipped = {}, {}, {}, 0
  for s in doc:sentences() do
    if #list >= M.MAX_CANDIDATES then break end
    local tokens, words = {}, 0
    for t in s:tokens() do
      tokens[#tokens + 1] = t
      if t.kind == "word" or t.kind == "number" then words = words + 1 end
    end
    local in_layout = #ranges > 0 and covered(ranges, s.start, s.stop) or 0
    if in_layout > 0 and #query_ranges > 0 then
      for _, t in ipairs(tokens) do
        if covered(query_ranges, t.start, t.stop) > 0 then query_tokens[#query_tokens + 1] = t end
      end
    end
    if in_layout >= LAYOUT_SHARE * (s.stop - s.start) or words < opts.min_words then
      skipped = skipped + 1
    else
      local start = body_start(datelines, s, tokens)
      if start > s.start then
        words = 0
        for _, t in ipairs(tokens) do
          if t.start >= start and (t.kind == "word" or t.kind == "number") then words = words + 1 end
        end
      end
      list[#list + 1] = { index = s.index, position = #list + 1, paragraph = s.paragraph,
        words = words, tokens = tokens, start = start, stop = s.stop }
    end
  end
  local query = terms_of(query_tokens, is_stop, pending)
  for _, c in ipairs(list) do
    c.terms = terms_of(c.tokens, is_stop, pending)
    c.tokens = nil
  end
  -- stem each distinct word once, in one call
  local words = {}
  for w in pairs(pending) do words[#words + 1] = w end
  table.sort(words)
  local stems = #words > 0 and stemmer:stems(words) or {}
  local stem_of = {}
  for i, w in ipairs(words) do stem_of[w] = stems[i] end
  local function stem_all(terms)
    for i, w in ipairs(terms) do terms[i] = stem_of[w] or w end
  end
  stem_all(query)
  for _, c in ipairs(list) do stem_all(c.terms) end
  return list, query, skipped
end

return M
