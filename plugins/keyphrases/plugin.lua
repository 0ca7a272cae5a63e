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
local ENGLISH_NUMBER_WORDS = { one = true, two = true, three = true, four = true, five = true,
  six = true, seven = true, eight = true, nine = true, ten = true, dozens = true, hundreds = true,
  thousands = true, millions = true, first = true, second = true, third = true, hundred = true,
  thousand = true, million = true, billion = true, trillion = true, billions = true }

-- Stop words that may join two capitalized words into one name ("Port of
-- Halden", "Office on Drugs and Crime", "Banco de España").
local CONNECTORS = { of = true, on = true, ["for"] = true, ["and"] = true, de = true, del = true,
  la = true, van = true, von = true }

-- Per-word results kept across documents (content word, stem): a news
-- corpus repeats its words, and in the sandbox a string function costs a
-- few hundred nanoseconds and a lexicon look-up or a stemmer call about a
-- microsecond, against tens for a table look-up. A memo is started afresh
-- when it reaches this many words, so memory stays bounded (a few MB).
local MEMO_LIMIT = 20000

-- A table written as a JSON list even when empty ([], not {}).
local list_of = require("lector").json.array

local lexicons, stemmers, stem_memos, word_tests = {}, {}, {}, {}

-- The word list FOLDER/LANGUAGE.tsv of the plugin, loaded once per plugin
-- state; false when the language has none.
local function lexicon_of(ctx, folder, language)
  local path = folder .. language .. ".tsv"
  local lex = lexicons[path]
  if lex == nil then
    local ok, loaded = pcall(ctx.lexicon, path, { fold = true })
    lex = ok and loaded or false
    lexicons[path] = lex
  end
  return lex
end

local function new_memo() return { map = {}, n = 0 } end

local function memo_put(memo, key, value)
  if memo.n >= MEMO_LIMIT then
    memo.map, memo.n = {}, 0
  end
  memo.map[key] = value
  memo.n = memo.n + 1
end

-- A content word: letters (a hyphen or apostrophe inside allowed), not a
-- stop word. Returns the word to stem (folded, possessive dropped), or
-- false.
local function content_of(folded, is_stop)
  local w = folded:gsub("’", "'"):gsub("'s$", "")
  if not w:find "^[%a\128-\255]" or w:find "%d" then return false end
  if utf8.len(w) and utf8.len(w) < 2 then return false end
  if is_stop(w) then return false end
  return w
end

-- Whether a word may stand at a phrase's edge (English only: other
-- languages keep every edge).
local function weak_edge(word, language)
  if language ~= "english" then return false end
  if ENGLISH_NUMBER_WORDS[word] then return true end
  for _, suffix in ipairs(ENGLISH_EDGE_SUFFIXES) do
    if #word > #suffix + 2 and word:sub(-#suffix) == suffix then return true end
  end
  return false
end

-- The word tests for one language and list of extra stop words, made once
-- per plugin state, with their memos: words.map[folded] is content_of's
-- answer for a word token (fill(folded) works it out the first time);
-- possessive[folded] is true for the content words among them whose folded
-- form ends in 's (a token whose text does necessarily does: folding keeps
-- the apostrophe and the s); weak(word) is weak_edge's answer.
local function word_test(ctx, language, extra)
  local key = language .. "\0" .. table.concat(extra or {}, "\0")
  local test = word_tests[key]
  if test then return test end
  local lex = lexicon_of(ctx, "data/stopwords/", language)
  local verbs = lexicon_of(ctx, "data/verbs/", language)
  local more = {}
  for _, w in ipairs(extra or {}) do more[w:lower()] = true end
  local function is_stop(word)
    return more[word] == true or (lex and lex:get(word) ~= nil) or false
  end
  local weak, verb_memo = new_memo(), new_memo()
  test = { words = new_memo(), possessive = {} }
  function test.fill(folded)
    local w = content_of(folded, is_stop)
    if test.words.n >= MEMO_LIMIT then test.possessive = {} end
    memo_put(test.words, folded, w)
    if w and folded:find "['’]s$" then test.possessive[folded] = true end
    return w
  end
  -- a verb splits a phrase as a stop word does, written in lower case (not
  -- "Met Office", "LED lights", "Rose Garden") or in the headline
  function test.verb(folded)
    local v = verb_memo.map[folded]
    if v == nil then
      v = verbs and verbs:get(folded) ~= nil or false
      memo_put(verb_memo, folded, v)
    end
    return v
  end
  function test.weak(word)
    local v = weak.map[word]
    if v == nil then
      v = weak_edge(word, language)
      memo_put(weak, word, v)
    end
    return v
  end
  word_tests[key] = test
  return test
end

local function stemmer_for(language)
  local st = stemmers[language]
  if not st then
    st = lector.stemmer(language)
    stemmers[language] = st
    stem_memos[language] = new_memo()
  end
  return st, stem_memos[language]
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

local function inside(ranges, start)
  for _, r in ipairs(ranges) do
    if start >= r[1] and start < r[2] then return true end
  end
  return false
end

-- The tokens collect() reads: the sentences' tokens up to MAX_TOKENS, in
-- one call (a Token object per token costs several times more).
local function token_table(doc)
  local S = doc:sentence_columns { "index", "first_token", "tokens" }
  local read, last = 0, 0
  for i = 1, S.n do
    if read >= MAX_TOKENS then break end
    local take = math.min(S.tokens[i], MAX_TOKENS - read)
    if take > 0 then last = math.max(last, S.first_token[i] + take - 1) end
    read = read + take
  end
  local T = last > 0 and doc:token_columns({ "start", "stop", "kind", "shape", "folded" }, 1, last)
    or { n = 0 }
  return S, T
end

-- Runs of content words in each sentence: a list of occurrences
-- {words = {folded}, first = token index, last = token index, capital =
-- bool, sentence}, and the list of every token's word or false, per
-- sentence, for the graph. The run being read is kept in parallel lists
-- (word, token, capital, connector), not a table per token.
local function collect(doc, opts, test)
  local ranges, headline = skipped_ranges(doc)
  local h0, h1 = headline and headline[1] or -1, headline and headline[2] or -1
  -- tokens outside lo..hi need no look at the ranges
  local lo, hi = math.huge, -1
  for _, r in ipairs(ranges) do lo, hi = math.min(lo, r[1]), math.max(hi, r[2]) end
  local S, T = token_table(doc)
  local starts, stops, kinds, shapes, folds = T.start, T.stop, T.kind, T.shape, T.folded
  local fill, weak, verb = test.fill, test.weak, test.verb
  local wmap, possessive = test.words.map, test.possessive
  local max_words = opts.max_words
  local occurrences, sequences = {}, {}
  local read, distinct = 0, {}
  local ndistinct = 0
  -- whether a token is capitalized, by its shape
  local capital_shape = setmetatable({}, { __index = function(memo, shape)
    local c = shape:sub(1, 1) == "X"
    memo[shape] = c
    return c
  end })
  local rw, rt, rc, rx, nr = {}, {}, {}, {}, 0
  local sentence
  -- the run cut into pieces of max_words, each trimmed of weak edge words
  local function flush()
    for start = 1, nr, max_words do
      local from, to = start, math.min(start + max_words - 1, nr)
      while from <= to and (rx[from] or weak(rw[from])) do from = from + 1 end
      while to >= from and (rx[to] or weak(rw[to])) do to = to - 1 end
      if from <= to then
        local words, cap = {}, true
        for k = from, to do
          words[k - from + 1] = rw[k]
          if not rc[k] then cap = false end
        end
        occurrences[#occurrences + 1] = { words = words, capital = cap, sentence = sentence,
          first = rt[from], last = rt[to] }
      end
    end
    nr = 0
  end
  for si = 1, S.n do
    if read >= MAX_TOKENS or ndistinct >= MAX_WORDS then break end
    sentence = S.index[si]
    local seq, ns = {}, 0
    local first = S.first_token[si]
    local take = math.min(S.tokens[si], MAX_TOKENS - read)
    read = read + take + (take < S.tokens[si] and 1 or 0)
    local last = first + take - 1
    for k = first, last do
      local folded = folds[k]
      local w = false
      local at = starts[k]
      if kinds[k] == "word" and not (at >= lo and at < hi and inside(ranges, at)) then
        w = wmap[folded]
        if w == nil then
          w = fill(folded)
          wmap, possessive = test.words.map, test.possessive
        end
        -- capitalized, a verb splits only in the headline, where every word is
        if w and verb(folded) and (not capital_shape[shapes[k]] or at >= h0 and at < h1) then
          w = false
        end
      end
      if not w and nr > 0 and rc[nr] and CONNECTORS[folded] and k < last
          and kinds[k + 1] == "word" and capital_shape[shapes[k + 1]] then
        local after = wmap[folds[k + 1]]
        if after == nil then
          after = fill(folds[k + 1])
          wmap, possessive = test.words.map, test.possessive
        end
        if after then
          -- a connector inside a name: part of the phrase, not of the graph
          nr = nr + 1
          rw[nr], rt[nr], rc[nr], rx[nr] = folded, k, true, true
          ns = ns + 1
          seq[ns] = false
        else
          if nr > 0 then flush() end
          ns = ns + 1
          seq[ns] = false   -- a connector is a word: it keeps distance
        end
      elseif w and (distinct[w] or ndistinct < MAX_WORDS) then
        if not distinct[w] then
          distinct[w] = true
          ndistinct = ndistinct + 1
        end
        nr = nr + 1
        rw[nr], rt[nr], rc[nr], rx[nr] = w, k, capital_shape[shapes[k]], false
        ns = ns + 1
        seq[ns] = w
        -- a possessive ends a phrase: "Russia’s military" is two
        if possessive[folded] and doc:slice(starts[k], stops[k]):find "['’]s$" then flush() end
      else
        if nr > 0 then flush() end
        if kinds[k] == "word" then
          ns = ns + 1
          seq[ns] = false   -- a stop word: keeps distance
        end
      end
    end
    if nr > 0 then flush() end
    sequences[#sequences + 1] = seq
  end
  return occurrences, sequences, T
end

-- The stem of every word of the sequences, for this document only (a
-- connector word keeps its own form unless the document also has it as a
-- content word). Stems missing from the memo are made in one call.
local function stems_of(sequences, language)
  local st, memo = stemmer_for(language)
  local stem_of, missing = {}, {}
  for _, seq in ipairs(sequences) do
    for _, w in ipairs(seq) do
      if w and stem_of[w] == nil then
        local stem = memo.map[w]
        if stem then
          stem_of[w] = stem
        else
          stem_of[w] = false
          missing[#missing + 1] = w
        end
      end
    end
  end
  if #missing > 0 then
    local stems = st:stems(missing)
    for i, w in ipairs(missing) do
      stem_of[w] = stems[i]
      memo_put(memo, w, stems[i])
    end
  end
  return stem_of
end

-- PageRank over the word co-occurrence graph with a prior that favours
-- words met early (the sum of 1 / position of each occurrence). Each edge
-- is added once with its count, in the order of first meeting: the graph
-- is the same as with one g:add per pair, for a fraction of the calls.
local function rank_words(sequences, stem_of)
  local node, names, prior, nodes = {}, {}, {}, {}
  local position = 0
  for si, seq in ipairs(sequences) do
    local ids = {}
    for i, w in ipairs(seq) do
      position = position + 1
      local id = false
      if w then
        local stem = stem_of[w]
        id = node[stem]
        if not id then
          names[#names + 1] = stem
          id = #names
          node[stem] = id
          prior[id] = 0
        end
        prior[id] = prior[id] + 1 / position
      end
      ids[i] = id
    end
    nodes[si] = ids
  end
  if #names == 0 then return {}, node end
  local n = #names
  local stride = n + 1
  local weight, edges = {}, {}
  for _, ids in ipairs(nodes) do
    for i = 1, #ids do
      local a = ids[i]
      if a then
        for j = i + 1, i + WINDOW - 1 do
          local b = ids[j]   -- nil past the sentence's end
          if b and a ~= b then
            local key = a < b and a * stride + b or b * stride + a
            local w = weight[key]
            if w then
              weight[key] = w + 1
            else
              weight[key] = 1
              edges[#edges + 1] = key
            end
          end
        end
      end
    end
  end
  local g = lector.graph.new(n)
  local add = g.add
  for _, key in ipairs(edges) do add(g, key // stride, key % stride, weight[key]) end
  local scores = lector.graph.rank(g, { prior = prior })
  local by_stem = {}
  for i, stem in ipairs(names) do by_stem[stem] = scores[i] end
  return by_stem
end

-- Groups of occurrences with the same stems: {key, stems, forms = {text =
-- count}, count, capital (most occurrences capitalized), occurrences}.
local form_memo = new_memo()
local function form_of(text)
  local form = form_memo.map[text]
  if not form then
    form = text:gsub("’s$", ""):gsub("'s$", ""):gsub("%s+", " ")
    memo_put(form_memo, text, form)
  end
  return form
end

local function group(occurrences, stem_of)
  local groups, order = {}, {}
  for _, o in ipairs(occurrences) do
    local words, stems, key = o.words, nil, nil
    if #words == 1 then
      key = stem_of[words[1]] or words[1]
      stems = { key }
    else
      stems = {}
      for i, w in ipairs(words) do stems[i] = stem_of[w] or w end
      key = table.concat(stems, " ")
    end
    local gr = groups[key]
    if not gr then
      gr = { key = key, stems = stems, count = 0, capitals = 0, occurrences = {},
        first = #order + 1 }
      groups[key] = gr
      order[#order + 1] = gr
    end
    gr.count = gr.count + 1
    if o.capital then gr.capitals = gr.capitals + 1 end
    gr.occurrences[#gr.occurrences + 1] = o
  end
  return order, groups
end

-- The forms of a group's own occurrences (its first `own`; a variant's
-- come after them once merged), {text = count}: made only for the groups
-- shown, since slicing the text costs more than the rest of grouping.
local function forms_of(gr, doc, T)
  local forms, starts, stops, occurrences = {}, T.start, T.stop, gr.occurrences
  for i = 1, gr.own do
    local o = occurrences[i]
    local form = form_of(doc:slice(starts[o.first], stops[o.last]))
    forms[form] = (forms[form] or 0) + 1
  end
  return forms
end

local function best_form(forms)
  local best, n
  for form, c in pairs(forms) do
    if not best or c > n or (c == n and (#form < #best or (#form == #best and form < best))) then
      best, n = form, c
    end
  end
  return best
end

local sqrt, log = math.sqrt, math.log
local function score_groups(order, word_score)
  for _, gr in ipairs(order) do
    local sum, stems = 0, gr.stems
    for i = 1, #stems do sum = sum + (word_score[stems[i]] or 0) end
    -- a phrase met again is more likely a key one; a single word must earn it
    -- and a long phrase is not better for having more words
    gr.score = sum / sqrt(#stems) * (1 + log(gr.count))
    gr.name = gr.capitals * 2 > gr.count
    gr.own = gr.count
  end
end

-- Where the stems of a lie in those of b (with at most MERGE_EXTRA_WORDS
-- more): "start", "end" or nil.
local MERGE_EXTRA_WORDS = 2
local function edge_of(a, b)
  if #a >= #b or #b - #a > MERGE_EXTRA_WORDS then return nil end
  local head, tail = true, true
  for k = 1, #a do
    if a[k] ~= b[k] then head = false end
    if a[k] ~= b[#b - #a + k] then tail = false end
  end
  return head and "start" or tail and "end" or nil
end

-- The phrase a longer one is a variant of: a name it starts with
-- ("Maduro government" of "Maduro"; not "Port of Halden" of "Halden"), or
-- a phrase of several words it starts or ends with ("new pay deal" of "pay
-- deal"; not "port authority" of "port"). The longest such phrase, the
-- first met among equally long ones. Only the groups keyed by the long
-- phrase's first or last words can be one, so they are looked up by key
-- rather than compared with every group.
local function host_of(long, groups)
  local stems, n = long.stems, #long.stems
  for m = n - 1, math.max(1, n - MERGE_EXTRA_WORDS), -1 do
    local host
    local function consider(short)
      local edge = short and edge_of(short.stems, stems)
      if edge and (#short.stems > 1 or (short.name and edge == "start"))
          and (not host or short.first < host.first) then
        host = short
      end
    end
    consider(groups[table.concat(stems, " ", 1, m)])
    consider(groups[table.concat(stems, " ", n - m + 1, n)])
    if host then return host end
  end
  return nil
end

-- Merge each variant into its host (the host's own host, and so on); the
-- host keeps the higher score and takes the counts, forms and mentions.
local function merge_variants(order, groups)
  local parent = {}
  for _, gr in ipairs(order) do parent[gr] = host_of(gr, groups) end
  local kept = {}
  for _, gr in ipairs(order) do
    local root = parent[gr]
    while root and parent[root] do root = parent[root] end
    if root then
      root.variants = root.variants or {}
      root.variants[#root.variants + 1] = gr
      root.score = math.max(root.score, gr.score)
      root.count = root.count + gr.count
      for _, o in ipairs(gr.occurrences) do root.occurrences[#root.occurrences + 1] = o end
    else
      kept[#kept + 1] = gr
    end
  end
  return kept
end

-- Whether group a ranks before b: the higher score, then the first met.
local function ranks_before(a, b)
  if a.score ~= b.score then return a.score > b.score end
  return a.first < b.first
end

-- The count best groups, best first (an insertion into a short list: a
-- document has hundreds of groups and shows ten).
local function best_groups(groups, count)
  local best, n = {}, 0
  for _, gr in ipairs(groups) do
    local last = n == count and best[n]
    -- most groups score below the last kept one: one comparison, no call
    if not last or gr.score >= last.score and ranks_before(gr, last) then
      local at = n < count and n + 1 or n
      while at > 1 and ranks_before(gr, best[at - 1]) do
        best[at] = best[at - 1]
        at = at - 1
      end
      best[at] = gr
      if n < count then n = n + 1 end
    end
  end
  return best
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
    local test = word_test(ctx, opts.language, opts.stopwords)
    local occurrences, sequences, T = collect(doc, opts, test)
    local stem_of = stems_of(sequences, opts.language)
    local word_score = rank_words(sequences, stem_of)
    local order, groups = group(occurrences, stem_of)
    score_groups(order, word_score)
    local kept = best_groups(merge_variants(order, groups), opts.count)
    local top = kept[1] and kept[1].score or 0
    local value = list_of()
    local spans = { start = {}, stop = {}, label = {}, score = {}, n = 0 }
    for i = 1, #kept do
      local gr = kept[i]
      local forms = forms_of(gr, doc, T)
      local phrase = best_form(forms)
      local variants, listed = list_of(), { [phrase] = true }
      local function list(forms)
        local names = {}
        for form in pairs(forms) do names[#names + 1] = form end
        table.sort(names)
        for _, form in ipairs(names) do
          if not listed[form] then
            listed[form] = true
            variants[#variants + 1] = form
          end
        end
      end
      list(forms)
      for _, v in ipairs(gr.variants or {}) do list(forms_of(v, doc, T)) end
      value[i] = { phrase = phrase, score = top > 0 and gr.score / top or 0, variants = variants,
        count = gr.count }
      for _, o in ipairs(gr.occurrences) do
        local k = spans.n + 1
        spans.start[k], spans.stop[k] = T.start[o.first], T.stop[o.last]
        spans.label[k], spans.score[k] = phrase, value[i].score
        spans.n = k
      end
    end
    if spans.n > 0 then doc:add_many("keyphrase", spans) end
    doc:set("keyphrases", value)
  end,
}
