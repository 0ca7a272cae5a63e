-- The sentences a summary may use, and their terms: stemmed words with the
-- function words left out.
--
-- A sentence's terms are read in C (lector.phrases's terms method, which
-- keeps memos of the terms of folded words across documents): the Lua
-- here works per sentence, not per token, and reads token columns only
-- for the few sentences in layout units or opening with a dateline.
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

-- 1 for the token kinds that count as words (every kind is listed: a
-- missing one would cost a metamethod call per token)
local WORD_KINDS = setmetatable({ word = 1, number = 1, punct = 0, symbol = 0, url = 0,
  email = 0, emoji = 0, other = 0 }, { __index = function() return 0 end })

-- Stop-word lexicons, stemmers and term readers, made once per plugin
-- state and language; readers once per language and list of extra stop
-- words (a reader keeps its memos).
local stop_lexicons, stemmers, readers = {}, {}, {}

function M.stemmer(language)
  local st = stemmers[language]
  if not st then
    st = lector.stemmer(language)
    stemmers[language] = st
  end
  return st
end

-- The term reader for a language and its extra stop words. Its stop words
-- are those of data/stopwords/LANGUAGE.tsv when the file exists, and the
-- extra ones.
function M.reader(ctx, language, extra)
  local key = language .. "\0" .. table.concat(extra or {}, "\0")
  local reader = readers[key]
  if reader then return reader end
  local lex = stop_lexicons[language]
  if lex == nil then
    local ok, loaded = pcall(ctx.lexicon, "data/stopwords/" .. language .. ".tsv", { fold = true })
    lex = ok and loaded or false
    stop_lexicons[language] = lex
  end
  local more = {}
  for _, w in ipairs(extra or {}) do
    -- an empty word is never a term's word anyway
    if w ~= "" then more[#more + 1] = utf8.len(w) and w:lower() or w end
  end
  reader = lector.phrases { stemmer = M.stemmer(language), stopwords = lex or nil,
    more_stopwords = more }
  readers[key] = reader
  return reader
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

-- The bytes of start..stop that lie in the ranges (called for every
-- sentence: comparisons, not math.max and math.min calls).
local function covered(ranges, start, stop)
  local n = 0
  for i = 1, #ranges do
    local r = ranges[i]
    local a, b = r[1], r[2]
    if a < start then a = start end
    if b > stop then b = stop end
    if b > a then n = n + (b - a) end
  end
  return n
end

-- Where a sentence's own words start: after a dateline that opens it
-- ("RIVERTON (Valley Post) – The council ..."). starts and kinds hold the
-- sentence's tokens from..to.
local function body_start(datelines, start, stop, starts, kinds, from, to)
  for _, r in ipairs(datelines) do
    if r[1] <= start and r[2] > start and r[2] < stop then
      for k = from, to do
        if starts[k] >= r[2] and WORD_KINDS[kinds[k]] == 1 then return starts[k] end
      end
    end
  end
  return start
end

-- Note a sentence's numbers and the words that could be numbers' (see
-- fix_numbers): terms is the list numbers point into.
local function note_numbers(found, terms, numbers, like)
  if numbers then
    local n = found.n + 2
    found.n, found[n - 1], found[n] = n, terms, numbers
  end
  if like then
    for _, w in ipairs(like) do found.like[w] = true end
  end
end

-- A number's term is its word, unless a word token of the query or of a
-- candidate has the same word: then it is that word's stem (the terms are
-- stemmed by word).
local function fix_numbers(found, stemmer)
  local like = found.like
  if next(like) == nil then return end
  for i = 1, found.n, 2 do
    local terms = found[i]
    for _, at in ipairs(found[i + 1]) do
      local w = terms[at]
      if like[w] then terms[at] = stemmer:stem(w) end
    end
  end
end

-- The terms of the tokens of sentence-range first..last that lie in the
-- query ranges, appended to query; T holds the tokens' columns.
local function query_terms(reader, doc, query, found, T, first, query_ranges)
  local k, n = 1, T.n
  while k <= n do
    if covered(query_ranges, T.start[k], T.stop[k]) > 0 then
      local j = k
      while j < n and covered(query_ranges, T.start[j + 1], T.stop[j + 1]) > 0 do j = j + 1 end
      local terms, _, numbers, like = reader:terms(doc, first + k - 1, first + j - 1)
      local off = #query
      for i, t in ipairs(terms) do query[off + i] = t end
      if numbers then
        for i, at in ipairs(numbers) do numbers[i] = off + at end
      end
      note_numbers(found, query, numbers, like)
      k = j + 1
    else
      k = k + 1
    end
  end
end

-- The columns of tokens first..last (none when last < first).
local function columns(doc, first, last)
  if last < first then return { n = 0, kind = {}, start = {}, stop = {} } end
  return doc:token_columns({ "kind", "start", "stop" }, first, last)
end

-- The words of a sentence from its body on (its tokens' columns T).
local function body_words(T, body)
  local words = 0
  for k = 1, T.n do
    if T.start[k] >= body then words = words + WORD_KINDS[T.kind[k]] end
  end
  return words
end

-- The candidates: {index, position (1.. among candidates), paragraph,
-- words, terms = {stems}, start, stop (the sentence without an opening
-- dateline)} for every sentence with at least min_words words that is not
-- a layout unit. Also returns the terms of the headline and standfirst (a
-- list, maybe empty) and the sentences left out. reader is M.reader's.
function M.candidates(doc, opts, reader, stemmer)
  local ranges, query_ranges, datelines = layout_ranges(doc)
  local has_layout = #ranges > 0
  local S = doc:sentence_columns { "index", "start", "stop", "paragraph", "first_token", "tokens" }
  local list, skipped, query = {}, 0, {}
  local found = { n = 0, like = {} }
  for si = 1, S.n do
    if #list >= M.MAX_CANDIDATES then break end
    local first = S.first_token[si]
    local last = first + S.tokens[si] - 1
    local start, stop = S.start[si], S.stop[si]
    local in_layout = has_layout and covered(ranges, start, stop) or 0
    local T
    if in_layout > 0 and #query_ranges > 0 then
      T = columns(doc, first, last)
      query_terms(reader, doc, query, found, T, first, query_ranges)
    end
    if in_layout >= LAYOUT_SHARE * (stop - start) then
      skipped = skipped + 1
    else
      local terms, words, numbers, like = reader:terms(doc, first, last)
      if words < opts.min_words then
        skipped = skipped + 1
      else
        note_numbers(found, terms, numbers, like)
        local body = start
        if #datelines > 0 then
          T = T or columns(doc, first, last)
          body = body_start(datelines, start, stop, T.start, T.kind, 1, T.n)
          if body > start then words = body_words(T, body) end
        end
        list[#list + 1] = { index = S.index[si], position = #list + 1, paragraph = S.paragraph[si],
          words = words, terms = terms, start = body, stop = stop }
      end
    end
  end
  fix_numbers(found, stemmer)
  return list, query, skipped
end

return M
