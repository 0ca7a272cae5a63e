-- The sentences a summary may use, and their terms: stemmed words with the
-- function words left out.
--
-- This runs over every token of every article, in the sandbox, where each
-- Lua instruction is counted: tokens are read as columns (one call per
-- block of sentences, no Token object), and a word's term is computed once
-- per plugin state and remembered, so a token usually costs a few table
-- look-ups.
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

-- Sentences whose tokens are read in one call: a huge text is never held
-- whole as columns.
local SENTENCE_BLOCK = 256

-- Per-word results kept across documents: a news corpus repeats its words,
-- and in the sandbox a string function costs a few hundred nanoseconds and
-- a lexicon look-up or a stemmer call about a microsecond, against tens for
-- a table look-up. The memos are started afresh when they hold this many
-- words, so memory stays bounded.
local MEMO_LIMIT = 60000

-- 1 for the token kinds that count as words (every kind is listed: a
-- missing one would cost a metamethod call per token)
local WORD_KINDS = setmetatable({ word = 1, number = 1, punct = 0, symbol = 0, url = 0,
  email = 0, emoji = 0, other = 0 }, { __index = function() return 0 end })

-- Stop-word lexicons and stemmers, made once per plugin state and
-- language; word tests once per language and list of extra stop words.
local stop_lexicons, stemmers, word_tests = {}, {}, {}

-- The token's word for term purposes: folded, curly apostrophe made
-- straight, a possessive 's dropped; false for tokens without a letter or
-- digit and for stop words.
local function word_of(folded, is_stop)
  local w = folded:gsub("’", "'"):gsub("'s$", "")
  if not w:find "[%w\128-\255]" or is_stop(w) then return false end
  return w
end

-- The memos of one word test (see M.stopwords), emptied together:
-- stop[word] whether it is a stop word;
-- stem[folded] the term of a word token (its word's stem) or false;
-- number[folded] the term of a number token (its word) or false; made[w]
-- true for every word some word token in the memo gave (so a number's
-- word that is not there is no word's word); generation counts the times
-- they were emptied.
local function clear(test)
  test.stop, test.stem, test.number, test.made, test.n = {}, {}, {}, {}, 0
  test.generation = test.generation + 1
end

local function remember(test, memo, key, value)
  if test.n >= MEMO_LIMIT then clear(test) end
  test[memo][key] = value
  test.n = test.n + 1
end

-- The word test for a language and its extra stop words: {is_stop =
-- function(word), and the memos above}. Its stop
-- words are those of data/stopwords/LANGUAGE.tsv when the file exists, and
-- the extra ones.
function M.stopwords(ctx, language, extra)
  local key = language .. "\0" .. table.concat(extra or {}, "\0")
  local test = word_tests[key]
  if test then return test end
  local lex = stop_lexicons[language]
  if lex == nil then
    local ok, loaded = pcall(ctx.lexicon, "data/stopwords/" .. language .. ".tsv", { fold = true })
    lex = ok and loaded or false
    stop_lexicons[language] = lex
  end
  local more = {}
  for _, w in ipairs(extra or {}) do more[utf8.len(w) and w:lower() or w] = true end
  test = { generation = 0 }
  test.is_stop = function(word)
    local known = test.stop[word]
    if known == nil then
      known = more[word] == true or (lex and lex:get(word) ~= nil) or false
      remember(test, "stop", word, known)
    end
    return known
  end
  clear(test)
  word_tests[key] = test
  return test
end

function M.stemmer(language)
  local st = stemmers[language]
  if not st then
    st = lector.stemmer(language)
    stemmers[language] = st
  end
  return st
end

-- The term of a word token met for the first time: its word's stem.
local function word_term(test, stemmer, folded)
  local w = word_of(folded, test.is_stop)
  local term = w and stemmer:stem(w)
  remember(test, "stem", folded, term)
  if w then test.made[w] = true end
  return term
end

local function number_term(test, folded)
  local w = word_of(folded, test.is_stop)
  remember(test, "number", folded, w)
  return w
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

local function covered(ranges, start, stop)
  local n = 0
  for _, r in ipairs(ranges) do
    local a, b = math.max(r[1], start), math.min(r[2], stop)
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

-- The terms of the tokens from..to of the lists kinds and folds (repeats
-- kept), and how many of them are words or numbers. A number's term is
-- its word, noted in numbers ({terms lists}, {positions}) to be corrected
-- later.
local function terms_of(kinds, folds, from, to, test, stemmer, numbers)
  local stem, number = test.stem, test.number
  local terms, n, words = {}, 0, 0
  for k = from, to do
    local kind = kinds[k]
    if kind == "word" then
      words = words + 1
      local term = stem[folds[k]]
      if term == nil then
        term = word_term(test, stemmer, folds[k])
        stem, number = test.stem, test.number   -- the memos may have started afresh
      end
      if term then
        n = n + 1
        terms[n] = term
      end
    elseif kind == "number" then
      words = words + 1
      local w = number[folds[k]]
      if w == nil then
        w = number_term(test, folds[k])
        stem, number = test.stem, test.number
      end
      if w then
        n = n + 1
        terms[n] = w
        local m = numbers.n + 1
        numbers.n, numbers.lists[m], numbers.at[m] = m, terms, n
      end
    end
  end
  return terms, words
end

-- The words of the word tokens from..to, into set.
local function words_into(set, kinds, folds, from, to, is_stop)
  for k = from, to do
    if kinds[k] == "word" then
      local w = word_of(folds[k], is_stop)
      if w then set[w] = true end
    end
  end
end

-- A number's term is its word, unless a word token of the query or of a
-- candidate has the same word: then it is that word's stem (the terms are
-- stemmed by word). Rare, so checked by the memo's record of words made,
-- and worked out exactly only when that cannot rule it out.
local function fix_numbers(numbers, list, query_tokens, test, stemmer, generation)
  local lists, at = numbers.lists, numbers.at
  local made, maybe = test.made, test.generation ~= generation
  for i = 1, numbers.n do
    if maybe then break end
    if made[lists[i][at[i]]] then maybe = true end
  end
  if not maybe then return end
  local words = {}
  words_into(words, query_tokens.kind, query_tokens.folded, 1, #query_tokens.kind, test.is_stop)
  for _, c in ipairs(list) do
    words_into(words, c.T.kind, c.T.folded, c.from, c.to, test.is_stop)
  end
  for i = 1, numbers.n do
    local w = lists[i][at[i]]
    if words[w] then lists[i][at[i]] = stemmer:stem(w) end
  end
end

-- The tokens of sentences i..j of S as columns, with off such that
-- T.kind[k - off] is the document's token k.
local function token_block(doc, S, i, j, fields)
  local first, last = S.first_token[i], S.first_token[j] + S.tokens[j] - 1
  if last < first then return { n = 0, off = 0, kind = {}, folded = {}, start = {}, stop = {} } end
  local T = doc:token_columns(fields, first, last)
  T.off = first - 1
  return T
end

-- The candidates: {index, position (1.. among candidates), paragraph,
-- words, terms = {stems}, start, stop (the sentence without an opening
-- dateline)} for every sentence with at least min_words words that is not
-- a layout unit. Also returns the terms of the headline and standfirst (a
-- list, maybe empty) and the sentences left out. test is M.stopwords's.
function M.candidates(doc, opts, test, stemmer)
  local ranges, query_ranges, datelines = layout_ranges(doc)
  local has_layout = #ranges > 0
  local fields = has_layout and { "kind", "folded", "start", "stop" } or { "kind", "folded" }
  local S = doc:sentence_columns { "index", "start", "stop", "paragraph", "first_token", "tokens" }
  local generation = test.generation
  local list, skipped = {}, 0
  local numbers = { n = 0, lists = {}, at = {} }
  local query_tokens = { kind = {}, folded = {} }
  local T, block_end = nil, 0
  for si = 1, S.n do
    if #list >= M.MAX_CANDIDATES then break end
    if si > block_end then
      block_end = math.min(S.n, si + SENTENCE_BLOCK - 1)
      T = token_block(doc, S, si, block_end, fields)
    end
    local from = S.first_token[si] - T.off
    local to = from + S.tokens[si] - 1
    local start, stop = S.start[si], S.stop[si]
    local kinds = T.kind
    local mark = numbers.n
    local terms, words = terms_of(kinds, T.folded, from, to, test, stemmer, numbers)
    local in_layout = has_layout and covered(ranges, start, stop) or 0
    if in_layout > 0 and #query_ranges > 0 then
      local qk, qf = query_tokens.kind, query_tokens.folded
      for k = from, to do
        if covered(query_ranges, T.start[k], T.stop[k]) > 0 then
          qk[#qk + 1], qf[#qf + 1] = kinds[k], T.folded[k]
        end
      end
    end
    if in_layout >= LAYOUT_SHARE * (stop - start) or words < opts.min_words then
      skipped = skipped + 1
      for i = numbers.n, mark + 1, -1 do numbers.lists[i], numbers.at[i] = nil, nil end
      numbers.n = mark
    else
      local body = start
      if #datelines > 0 then body = body_start(datelines, start, stop, T.start, kinds, from, to) end
      if body > start then
        words = 0
        for k = from, to do
          if T.start[k] >= body then words = words + WORD_KINDS[kinds[k]] end
        end
      end
      list[#list + 1] = { index = S.index[si], position = #list + 1, paragraph = S.paragraph[si],
        words = words, terms = terms, start = body, stop = stop, T = T, from = from, to = to }
    end
  end
  local query = terms_of(query_tokens.kind, query_tokens.folded, 1, #query_tokens.kind, test,
    stemmer, numbers)
  fix_numbers(numbers, list, query_tokens, test, stemmer, generation)
  for _, c in ipairs(list) do c.T, c.from, c.to = nil, nil, nil end
  return list, query, skipped
end

return M
