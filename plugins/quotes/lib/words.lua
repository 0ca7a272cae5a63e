-- Word lists: the data files (speech verbs, titles), loaded through
-- ctx.lexicon when lector offers it, and the few closed classes of English
-- grammar the attribution rules need, which are part of the rules and not data.
local lpeg = require "lpeg"

local ipairs, pcall, setmetatable, string, tostring, type = ipairs, pcall, setmetatable,
  string, tostring, type
local find, match = string.find, lpeg.match

local words = {}

local function set(list)
  local s = {}
  for _, w in ipairs(list) do s[w] = true end
  return s
end

-- Subject pronouns a speaker can be, and the gender they imply.
words.PRONOUN = { he = "m", she = "f", they = "", it = "", we = "", i = "" }

-- Words between a subject and its verb that say nothing about who spoke.
words.SKIP = set {
  "also", "has", "have", "had", "is", "was", "were", "are", "will", "would", "could", "should",
  "may", "might", "can", "did", "does", "do", "not", "never", "been", "being", "reportedly",
  "repeatedly", "recently", "previously", "later", "then", "again", "further", "once", "earlier",
  "already", "publicly", "separately", "likewise", "similarly", "additionally", "often",
  "frequently", "allegedly", "firmly", "openly", "herself", "himself", "themselves", "itself",
  "just", "still", "only", "even", "initially", "first", "last", "subsequently", "previously",
  "privately", "yesterday", "today", "tonight",
}

-- Time words that may sit between a verb and what was said ("said Sunday that").
words.TIME = set {
  "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "yesterday",
  "today", "tonight", "on", "last", "this", "week", "weekend", "month", "year", "morning",
  "afternoon", "evening", "night", "earlier", "later", "recently", "again", "also", "repeatedly",
  "previously", "publicly", "separately",
}

words.DETERMINER = set { "the", "a", "an", "this", "these", "those", "his", "her", "its", "their",
  "our", "my", "your", "some", "many", "several", "two", "three", "other", "another" }

-- Words that end a noun phrase when walking back from its head.
words.BOUNDARY = set {
  "that", "which", "who", "whom", "whose", "when", "while", "whereas", "because", "since",
  "although", "though", "if", "but", "or", "nor", "so", "yet", "as", "than", "after", "before",
  "until", "where", "to", "in", "on", "at", "from", "with", "by", "about", "into", "over",
  "under", "against", "between", "through", "during", "without", "within", "among", "via",
  "per", "like", "not", "also", "has", "have", "had", "is", "was", "were", "are", "be", "been",
  "will", "would", "could", "should", "may", "might", "can", "did", "does", "do", "there",
  "here", "said", "says", "told", "him", "them", "what", "how", "why",
  "however", "meanwhile", "and", "then",
}

-- Prepositions that attach a place or body to the noun before it
-- ("diplomats in Caracas", "a spokesman for the Kremlin").
words.PREPOSITION = set { "in", "at", "from", "of", "for", "near", "with", "on", "inside" }

-- Nouns for what someone said: "Peskov's comments", "the ministry's statement".
words.SPEECH_NOUN = set {
  "comment", "comments", "remark", "remarks", "statement", "statements", "words", "message",
  "letter", "post", "tweet", "speech", "address", "interview", "testimony", "announcement",
}

-- Where the noun phrase after "according to" stops.
words.NP_CUT = set {
  "seen", "obtained", "cited", "published", "released", "reviewed", "quoted", "by", "who",
  "which", "that", "in", "on", "at", "from", "with", "familiar", "close", "speaking",
}

-- Tokens that end a sentence's content (left out of an indirect quote).
words.FINAL = set { ".", "!", "?", "…", "...", "?!", "!?" }

-- Does the text hold "according" in any case? No other letters fold to its
-- ASCII ones, so a text without it has no token that folds to it. Its "cc"
-- is in one of four cases, each found by a plain search (memchr in C), and
-- only there is the word tried: a pattern tried at every byte cost more.
local ACCORDING = lpeg.P(true)
for c in ("according"):gmatch "." do ACCORDING = ACCORDING * lpeg.S(c .. c:upper()) end
local CC = { "cc", "cC", "Cc", "CC" }

function words.has_according(src)
  for _, cc in ipairs(CC) do
    local p = find(src, cc, 2, true)
    while p do
      if match(ACCORDING, src, p - 1) then return true end
      p = find(src, cc, p + 1, true)
    end
  end
  return false
end

-- A lookup table over a data file: lookup(folded_word) -> label | nil.
-- ctx.lexicon (C, shared by the plugin state) when lector has it; otherwise
-- the file read through ctx.read and parsed here, same format.
local function parse_tsv(text, name)
  local map, line_no, pos = {}, 0, 1
  -- plain finds only: the sandbox bounds pattern matching by subject length
  while pos <= #text do
    local nl = text:find("\n", pos, true) or #text + 1
    local line = text:sub(pos, nl - 1)
    pos, line_no = nl + 1, line_no + 1
    local lead = line:sub(1, 1)
    if lead ~= "#" and line:find("[^ \t\r]") then
      local t1 = line:find("\t", 1, true)
      local t2 = t1 and line:find("\t", t1 + 1, true)
      local phrase = t1 and line:sub(1, t1 - 1)
      local label = t1 and line:sub(t1 + 1, (t2 or #line + 1) - 1)
      local value = t2 and line:sub(t2 + 1) or ""
      if not phrase or phrase == "" or label == "" or value:find("\t", 1, true) then
        error(string.format("%s:%d: expected PHRASE<TAB>LABEL[<TAB>VALUE]", name, line_no), 0)
      end
      phrase = phrase:lower()
      if not map[phrase] then map[phrase] = label end
    end
  end
  return map
end

-- Lookups over a Lexicon, kept for the life of the plugin's state: ctx.lexicon
-- gives the same Lexicon for a path every time, so each word is looked up once
-- per state, not once per document. By ctx.lexicon, then path.
local loaded = setmetatable({}, { __mode = "k" })

-- Words a lookup remembers before it starts over (it is asked about
-- arbitrary words, and lives as long as the plugin's state).
local LOOKUP_CACHE_MAX = 8192

local function lexicon_lookup(lex)
  local cache, size = {}, 0
  return function(word)
    local label = cache[word]
    if label == nil then
      label = lex:get(word) or false
      if size >= LOOKUP_CACHE_MAX then cache, size = {}, 0 end
      cache[word], size = label, size + 1
    end
    return label or nil
  end
end

-- lookup(folded_word) -> label | nil, and the Lexicon behind it (nil when
-- the file was read through ctx.read), whose scan finds every word of the
-- list in a document in one call.
function words.load(ctx, path)
  local open = ctx.lexicon
  if type(open) == "function" then
    local mine = loaded[open]
    if not mine then mine = {}; loaded[open] = mine end
    local got = mine[path]
    if got then return got.lookup, got.lex end
    local ok, lex = pcall(open, path, { fold = true })
    if ok then
      got = { lookup = lexicon_lookup(lex), lex = lex }
      mine[path] = got
      return got.lookup, lex
    end
  end
  local ok, text, why = pcall(ctx.read or error, path)
  if not ok or type(text) ~= "string" then
    error(string.format("plugin quotes: cannot load %s: ctx.lexicon is unavailable and "
      .. "ctx.read gave: %s", path, tostring(why or text)), 0)
  end
  local map = parse_tsv(text, path)
  return function(word)
    return map[word]
  end
end

return words
