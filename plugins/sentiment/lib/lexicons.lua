-- The lexicon the pass matches with: the default file (ctx.lexicon, no
-- permission needed), the rule words of lib/rules.lua, the files the
-- `lexicons` option names and the `words` option, merged into one Lexicon
-- so that one C call finds every hit of a document.
local formats = require "lib.formats"
local rules = require "lib.rules"

local lexicons = {}

-- A phrase that keeps a rule role (negation, booster, ...) is not turned
-- into a valence by a lexicon file: the rules depend on those words.
local VALENCE_LABELS = { valence = true, idiom = true }

-- Set a phrase's valence, keeping "idiom" when it was one. Returns false
-- when the phrase holds a rule role.
local function set_valence(lex, phrase, value)
  local first = lex:labels(phrase)[1]
  if first ~= nil and not VALENCE_LABELS[first] then return false end
  lex:add(phrase, first or "valence", value)
  return true
end

local function add_rule_words(lex)
  for label, list in pairs(rules.WORDS) do
    for _, phrase in ipairs(list) do
      if #lex:labels(phrase) == 0 then lex:add(phrase, label, 0) end
    end
  end
end

-- One `lexicons` entry: "FORMAT:PATH" or "PATH" (format guessed).
local function parse_source(entry)
  local format, path = entry:match "^(%a+):(.+)$"
  if format and formats.NAMES[format] then return format, path end
  return nil, entry
end

local function read_source(ctx, entry)
  local format, path = parse_source(entry)
  local ok, text, err = pcall(ctx.read, path)
  if not ok then
    error("option lexicons: reading '" .. path .. "' needs the read permission (grant it with "
      .. "--allow " .. ctx.name .. ":read): " .. tostring(text), 0)
  end
  if not text then error("option lexicons: " .. path .. ": " .. tostring(err), 0) end
  return format or formats.sniff(text), path, text
end

local function add_entry(lex, e, name, overrides)
  local ok, err = pcall(function()
    if VALENCE_LABELS[e.label] then
      if not set_valence(lex, e.phrase, e.value or 0) and overrides then
        overrides[#overrides + 1] = e
      end
    else
      lex:add(e.phrase, e.label, e.value)
    end
  end)
  if not ok then error(name .. ":" .. e.line .. ": " .. tostring(err):gsub("^bad argument.-%((.*)%)$", "%1"), 0) end
end

-- s without the white space (%s) at either end. By bytes, not by a
-- pattern with repetitions: the sandbox refuses those on longer strings.
local SPACE = { [9] = true, [10] = true, [11] = true, [12] = true, [13] = true, [32] = true }
local function trim(s)
  local first = s:find "%S"
  if not first then return "" end
  local last = #s
  while SPACE[s:byte(last)] do last = last - 1 end
  return s:sub(first, last)
end

-- "PHRASE=VALUE" (a valence) or "PHRASE=LABEL[:VALUE]": the phrase is what
-- comes before the first "=", the label the letters after it.
local function parse_word(entry)
  local eq = entry:find("=", 1, true)
  if not eq then return nil end
  local phrase, rest = trim(entry:sub(1, eq - 1)), trim(entry:sub(eq + 1))
  if phrase == "" or rest == "" then return nil end
  local value = tonumber(rest)
  if value then return { phrase = phrase, label = "valence", value = value } end
  local letters_end = (rest:find "%A" or #rest + 1) - 1
  local label, v = rest:sub(1, letters_end), rest:sub(letters_end + 1)
  if v:byte(1) == 58 then v = v:sub(2) end   -- ':'
  if not rules.ROLE[label] then return nil end
  value = v ~= "" and tonumber(v) or (v == "" and 0) or nil
  if not value then return nil end
  return { phrase = phrase, label = label, value = value }
end

-- Normalized key of a phrase for the overrides table: folded tokens
-- joined by one space.
function lexicons.key(text)
  return (text:lower():gsub("%s+", " "))
end

-- Build (once per state and options) the Lexicon. Returns lex, info where
-- info = {entries =, sources = {...}, overrides = {key -> {role, value}}}.
local built = setmetatable({}, { __mode = "k" })

-- Two option lists with the same entries.
local function same_list(a, b)
  if a == b then return true end
  if a == nil or b == nil or #a ~= #b then return false end
  for i = 1, #a do
    if a[i] ~= b[i] then return false end
  end
  return true
end

-- The last answer, reused while the option values and ctx's functions are
-- the same: a pipeline gives every document a fresh ctx and a fresh copy
-- of the options, but the same functions (their caches live in the
-- plugin's state) and the same values.
local last = {}

function lexicons.get(ctx, opts)
  if last.lexicon_fn == ctx.lexicon and last.read_fn == ctx.read and last.lexicon == opts.lexicon
      and same_list(last.lexicons, opts.lexicons) and same_list(last.words, opts.words) then
    return last.base, last.info
  end
  local base, info = lexicons.build(ctx, opts)
  last = { lexicon_fn = ctx.lexicon, read_fn = ctx.read, lexicon = opts.lexicon,
    lexicons = opts.lexicons, words = opts.words, base = base, info = info }
  return base, info
end

function lexicons.build(ctx, opts)
  local base = ctx.lexicon(opts.lexicon, { fold = true })
  local signature = table.concat(opts.lexicons or {}, "\0") .. "\1" .. table.concat(opts.words or {}, "\0")
  local cached = built[base]
  if cached and cached.signature == signature then return base, cached end
  local info = { signature = signature, sources = { opts.lexicon }, overrides = {} }
  local forced = {}
  add_rule_words(base)
  for _, entry in ipairs(opts.lexicons or {}) do
    local format, path, text = read_source(ctx, entry)
    local entries = formats[format](text, path)
    for _, e in ipairs(entries) do add_entry(base, e, path) end
    info.sources[#info.sources + 1] = format .. ":" .. path
  end
  for i, entry in ipairs(opts.words or {}) do
    local e = parse_word(entry)
    if not e then
      error("option words: item " .. i .. " '" .. entry .. "' is not PHRASE=VALUE or "
        .. "PHRASE=LABEL[:VALUE] (labels: valence, idiom, booster, negation, contrast, "
        .. "concession, scare, neutral)", 0)
    end
    e.line = i
    local first = base:labels(e.phrase)[1]
    if first == nil or first == e.label then
      add_entry(base, e, "option words")
    else
      -- the phrase holds another label first: the hit is re-read at match time
      forced[#forced + 1] = e
    end
  end
  for _, e in ipairs(forced) do
    info.overrides[lexicons.key(e.phrase)] = { role = rules.ROLE[e.label], value = e.value }
  end
  if #(opts.words or {}) > 0 then info.sources[#info.sources + 1] = "option words" end
  info.has_overrides = next(info.overrides) ~= nil
  info.entries = #base
  built[base] = info
  return base, info
end

lexicons.parse_word = parse_word

return lexicons
