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
  thousands = true, millions = true, first = true, second = true, third = true }

-- Stop words that may join two capitalized words into one name ("Port of
-- Halden", "Office on Drugs and Crime", "Banco de España").
local CONNECTORS = { of = true, on = true, ["for"] = true, ["and"] = true, de = true, del = true,
  la = true, van = true, von = true }

local stop_lexicons, stemmers = {}, {}

local function stop_test(ctx, language, extra)
  local lex = stop_lexicons[language]
  if lex == nil then
    local ok, loaded = pcall(ctx.lexicon, "data/stopwords/" .. language .. ".tsv", { fold = true })
    lex = ok and loaded or false
    stop_lexicons[language] = lex
  end
  local more = {}
  for _, w in ipairs(extra or {}) do more[w:lower()] = true end
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

local function stemmer_for(language)
  local st = stemmers[language]
  if not st then
    st = lector.stemmer(language)
    stemmers[language] = st
  end
  return st
end

local function skipped_ranges(doc)
  local ranges = {}
  for span in doc:spans "structure" do
    if SKIPPED_UNITS[span.label or ""] then ranges[#ranges + 1] = { span.start, span.stop } end
  end
  return ranges
end

local function inside(ranges, start)
  for _, r in ipairs(ranges) do
    if start >= r[1] and start < r[2] then return true end
  end
  return false
end

-- A content word: letters (a hyphen or apostrophe inside allowed), not a
-- stop word. Returns the word to stem (folded, possessive dropped).
local function content_word(t, is_stop)
  if t.kind ~= "word" then return nil end
  local w = t.folded:gsub("’", "'"):gsub("'s$", "")
  if not w:find "^[%a\128-\255]" or w:find "%d" then return nil end
  if utf8.len(w) and utf8.len(w) < 2 then return nil end
  if is_stop(w) then return nil end
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

-- A run of content words cut to its phrase: weak words dropped from both
-- edges; nil when nothing is left.
local function trim(run, from, to, language)
  local function weak(item) return item.connector or weak_edge(item.word, language) end
  while from <= to and weak(run[from]) do from = from + 1 end
  while to >= from and weak(run[to]) do to = to - 1 end
  if from > to then return nil end
  return from, to
end

-- Runs of content words in each sentence: a list of occurrences
-- {words = {folded}, first = token, last = token, capital = bool, sentence},
-- and the list of every token's word or false, per sentence, for the graph.
local function collect(doc, opts, is_stop)
  local ranges = skipped_ranges(doc)
  local occurrences, sequences = {}, {}
  local read, distinct = 0, {}
  local ndistinct = 0
  for s in doc:sentences() do
    if read >= MAX_TOKENS or ndistinct >= MAX_WORDS then break end
    local run, seq = {}, {}
    local function flush()
      if #run > 0 then
        -- a run longer than max_words is cut into pieces of max_words
        for start = 1, #run, opts.max_words do
          local from, to = trim(run, start, math.min(start + opts.max_words - 1, #run), opts.language)
          local piece = from and { words = {}, capital = true, sentence = s.index }
          for k = from or 1, to or 0 do
            local item = run[k]
            piece.words[#piece.words + 1] = item.word
            piece.first = piece.first or item.token
            piece.last = item.token
            if not item.capital then piece.capital = false end
          end
          if piece then occurrences[#occurrences + 1] = piece end
        end
        run = {}
      end
    end
    local toks = {}
    for t in s:tokens() do
      read = read + 1
      if read > MAX_TOKENS then break end
      toks[#toks + 1] = t
    end
    for k, t in ipairs(toks) do
      local w = not inside(ranges, t.start) and content_word(t, is_stop)
      local after = toks[k + 1]
      if not w and #run > 0 and run[#run].capital and CONNECTORS[t.folded] and after
          and after.shape:sub(1, 1) == "X" and content_word(after, is_stop) then
        -- a connector inside a name: part of the phrase, not of the graph
        run[#run + 1] = { word = t.folded, token = t, capital = true, connector = true }
        seq[#seq + 1] = false
      elseif w and (distinct[w] or ndistinct < MAX_WORDS) then
        if not distinct[w] then
          distinct[w] = true
          ndistinct = ndistinct + 1
        end
        run[#run + 1] = { word = w, token = t, capital = t.shape:sub(1, 1) == "X" }
        seq[#seq + 1] = w
        -- a possessive ends a phrase: "Russia’s military" is two
        if t.text:find "['’]s$" then flush() end
      else
        flush()
        if t.kind == "word" then seq[#seq + 1] = false end   -- a stop word: keeps distance
      end
    end
    flush()
    sequences[#sequences + 1] = seq
  end
  return occurrences, sequences
end

-- PageRank over the word co-occurrence graph with a prior that favours
-- words met early (the sum of 1 / position of each occurrence).
local function rank_words(sequences, stem_of)
  local node, names, prior = {}, {}, {}
  local position = 0
  for _, seq in ipairs(sequences) do
    for _, w in ipairs(seq) do
      position = position + 1
      if w then
        local stem = stem_of[w]
        if not node[stem] then
          names[#names + 1] = stem
          node[stem] = #names
          prior[#names] = 0
        end
        prior[node[stem]] = prior[node[stem]] + 1 / position
      end
    end
  end
  if #names == 0 then return {}, node end
  local g = lector.graph.new(#names)
  for _, seq in ipairs(sequences) do
    for i, w in ipairs(seq) do
      if w then
        local a = node[stem_of[w]]
        for j = i + 1, math.min(i + WINDOW - 1, #seq) do
          local v = seq[j]
          if v then
            local b = node[stem_of[v]]
            if a ~= b then g:add(a, b, 1) end
          end
        end
      end
    end
  end
  local scores = lector.graph.rank(g, { prior = prior })
  local by_stem = {}
  for i, stem in ipairs(names) do by_stem[stem] = scores[i] end
  return by_stem
end

-- Groups of occurrences with the same stems: {key, stems, forms = {text =
-- count}, count, capital (most occurrences capitalized), occurrences}.
local function group(occurrences, stem_of, doc)
  local groups, order = {}, {}
  for _, o in ipairs(occurrences) do
    local stems = {}
    for i, w in ipairs(o.words) do stems[i] = stem_of[w] or w end
    local key = table.concat(stems, " ")
    local gr = groups[key]
    if not gr then
      gr = { key = key, stems = stems, forms = {}, count = 0, capitals = 0, occurrences = {},
        first = #order + 1 }
      groups[key] = gr
      order[#order + 1] = gr
    end
    local form = doc:slice(o.first.start, o.last.stop):gsub("’s$", ""):gsub("'s$", "")
      :gsub("%s+", " ")
    gr.forms[form] = (gr.forms[form] or 0) + 1
    gr.count = gr.count + 1
    if o.capital then gr.capitals = gr.capitals + 1 end
    gr.occurrences[#gr.occurrences + 1] = o
  end
  return order
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

local function score_groups(order, word_score)
  for _, gr in ipairs(order) do
    local sum = 0
    for _, s in ipairs(gr.stems) do sum = sum + (word_score[s] or 0) end
    -- a phrase met again is more likely a key one; a single word must earn it
    -- and a long phrase is not better for having more words
    gr.score = sum / math.sqrt(#gr.stems) * (1 + math.log(gr.count))
    gr.name = gr.capitals * 2 > gr.count
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
-- deal"; not "port authority" of "port"). The longest such phrase.
local function host_of(long, order)
  local host
  for _, short in ipairs(order) do
    local edge = short ~= long and edge_of(short.stems, long.stems)
    if edge and (#short.stems > 1 or (short.name and edge == "start"))
        and (not host or #short.stems > #host.stems) then
      host = short
    end
  end
  return host
end

-- Merge each variant into its host (the host's own host, and so on); the
-- host keeps the higher score and takes the counts, forms and mentions.
local function merge_variants(order)
  local parent = {}
  for _, gr in ipairs(order) do parent[gr] = host_of(gr, order) end
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
    local is_stop = stop_test(ctx, opts.language, opts.stopwords)
    local occurrences, sequences = collect(doc, opts, is_stop)
    local distinct, seen = {}, {}
    for _, seq in ipairs(sequences) do
      for _, w in ipairs(seq) do
        if w and not seen[w] then
          seen[w] = true
          distinct[#distinct + 1] = w
        end
      end
    end
    table.sort(distinct)
    local stems = #distinct > 0 and stemmer_for(opts.language):stems(distinct) or {}
    local stem_of = {}
    for i, w in ipairs(distinct) do stem_of[w] = stems[i] end
    local word_score = rank_words(sequences, stem_of)
    local order = group(occurrences, stem_of, doc)
    score_groups(order, word_score)
    local kept = merge_variants(order)
    table.sort(kept, function(a, b)
      if a.score ~= b.score then return a.score > b.score end
      return a.first < b.first
    end)
    local top = kept[1] and kept[1].score or 0
    local value = {}
    for i = 1, math.min(opts.count, #kept) do
      local gr = kept[i]
      local phrase = best_form(gr.forms)
      local variants, listed = {}, { [phrase] = true }
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
      list(gr.forms)
      for _, v in ipairs(gr.variants or {}) do list(v.forms) end
      value[i] = { phrase = phrase, score = top > 0 and gr.score / top or 0, variants = variants,
        count = gr.count }
      for _, o in ipairs(gr.occurrences) do
        doc:add("keyphrase", { start = o.first.start, stop = o.last.stop, label = phrase,
          score = value[i].score })
      end
    end
    doc:set("keyphrases", value)
  end,
}
