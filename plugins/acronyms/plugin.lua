-- acronyms: pairs a short form with the long form it is defined by —
-- "United Nations Office on Drugs and Crime (UNODC)" or
-- "UNODC (United Nations Office on Drugs and Crime)" — then marks every
-- later bare "UNODC". The pairing aligns the short form's letters, right to
-- left, with the initials of the words next to the parenthesis, in the
-- spirit of Schwartz and Hearst (2003); see README.md.

-- How many words beyond the short form's letters a long form may have
-- (Schwartz and Hearst's window: at most min(letters + 5, 2 * letters)).
local EXTRA_WORDS = 5
-- A long form has at least this many words.
local LONG_MIN_WORDS = 2

local lpeg = require "lpeg"

-- Where a definition may be is found without splitting the text into
-- tokens, so that most documents (and sentences) are never split here: an
-- LPeg span finds every "(", then a few bytes around each tell whether a
-- short form could be next to it. A short form is a token of letters,
-- digits, ".", "&" and "-" starting with an ASCII capital; between two
-- tokens there is only white space, which may be any byte outside ASCII's
-- printable characters.
local OPENS = lpeg.Ct(((1 - lpeg.P "(") ^ 0 * lpeg.Cp() * lpeg.P "(") ^ 0)
local SHORT_BYTE, CAPITAL = {}, {}
for b = 0, 255 do
  local c = string.char(b)
  CAPITAL[b] = c >= "A" and c <= "Z"
  SHORT_BYTE[b] = CAPITAL[b] or (c >= "a" and c <= "z") or (c >= "0" and c <= "9") or c == "." or
    c == "&" or c == "-"
end

local function is_gap(b)
  return b ~= nil and (b <= 32 or b >= 127)
end

-- Whether the "(" at byte `at` (1-based) may open "long form (SHORT)" (a
-- capital starts the next token) or follow "SHORT (" (the run of short-form
-- bytes before it holds two capitals). Each byte is looked at at most twice
-- over a document.
local function candidate(text, at)
  local byte = string.byte
  local i = at + 1
  local b = byte(text, i)
  while is_gap(b) do i = i + 1 b = byte(text, i) end
  if b and CAPITAL[b] then return true end
  i = at - 1
  b = byte(text, i)
  while is_gap(b) do i = i - 1 b = byte(text, i) end
  local capitals = 0
  while b and SHORT_BYTE[b] do
    if CAPITAL[b] then
      capitals = capitals + 1
      if capitals == 2 then return true end
    end
    i = i - 1
    b = byte(text, i)
  end
  return false
end

-- Words a long form may leave out of the short form ("Office on Drugs and
-- Crime" -> ODC), or give their initial to ("Department of Defense" -> DoD).
local FUNCTION_WORDS = { a = true, an = true, ["and"] = true, at = true, by = true, de = true,
  del = true, des = true, du = true, ["for"] = true, ["in"] = true, of = true, on = true,
  the = true, to = true, la = true, le = true, el = true, ["&"] = true }

-- A token that can be a short form: a capital first, at least two capitals,
-- letters, digits and inner ".", "&", "-" ("UNODC", "DoD", "U.S.", "R&D").
-- Returns its letters, lower-cased (a plural "s" dropped: "NGOs" -> ngo).
local function short_letters(kind, s, opts)
  if kind ~= "word" then return nil end
  if not s:match "^%u[%w%.&%-]*$" then return nil end
  local _, capitals = s:gsub("%u", "")
  if capitals < 2 then return nil end
  if s:match "^%u%u+s$" then s = s:sub(1, -2) end
  local letters = {}
  for c in s:gmatch "%w" do letters[#letters + 1] = c:lower() end
  if #letters < opts.min_length or #letters > opts.max_length then return nil end
  return letters
end

-- The words of the tokens i..j of T (token columns), hyphenated tokens cut
-- at their hyphens: {start, stop, text, initial, rest, fn}.
local function words_of(T, i, j)
  local words = {}
  for k = i, j do
    local text, tstart = T.text[k], T.start[k]
    local pos = 1
    for part, stop in text:gmatch "([^%-]+)()" do
      local at = text:find(part, pos, true)
      local w = { start = tstart + at - 1, stop = tstart + stop - 1, text = part }
      w.initial = part:sub(1, 1):lower()
      w.rest = part:sub(2):lower()
      w.fn = FUNCTION_WORDS[part:lower()] == true
      words[#words + 1] = w
      pos = stop
    end
  end
  return words
end

-- Whether the letters l[a+1..b] appear in order in s.
local function in_order(s, l, a, b)
  local pos = 1
  for k = a + 1, b do
    local at = s:find(l[k], pos, true)
    if not at then return false end
    pos = at + 1
  end
  return true
end

-- Spells letters[1..li] with words[..wi], right to left: every content word
-- gives its initial (and maybe more of its letters, in order); a function
-- word gives its initial or nothing. Returns the index of the word that gave
-- the first letter, or nil.
local function spell(words, letters, wi, li)
  if wi < 1 then return nil end
  local w = words[wi]
  if w.fn then
    local start = spell(words, letters, wi - 1, li)
    if start then return start end
  end
  for a = li, 1, -1 do
    if letters[a] == w.initial and in_order(w.rest, letters, a, li) then
      if a == 1 then
        if not w.fn then return wi end
      else
        local start = spell(words, letters, wi - 1, a - 1)
        if start then return start end
      end
    end
  end
  return nil
end

-- The long form for letters among words[1..#words] ending at the last word:
-- the index of its first word, or nil. whole = it must use every word.
local function align(words, letters, whole)
  local start = spell(words, letters, #words, #letters)
  if not start or (whole and start ~= 1) then return nil end
  if #words - start + 1 < LONG_MIN_WORDS then return nil end
  return start
end

local function window(n)
  return math.min(n + EXTRA_WORDS, 2 * n)
end

-- Word tokens (and "&") running back from token j, at most `limit` of them.
local function words_before(T, j, limit)
  local kind, text = T.kind, T.text
  local i = j
  while i >= 1 and j - i + 1 <= limit and (kind[i] == "word" or text[i] == "&") do
    i = i - 1
  end
  return i + 1
end

-- Definitions in one sentence's token columns T (text, start, stop, kind):
-- {short, long, short_start, short_stop, long_start, long_stop}.
local function definitions(T, opts, out)
  local text, kind, start, stop = T.text, T.kind, T.start, T.stop
  local n = T.n
  for k = 2, n - 1 do
    if text[k] == "(" then
      local close
      for c = k + 1, n do
        if text[c] == ")" then close = c break end
        if text[c] == "(" then break end
      end
      local inner = close and k + 1
      local letters = close == k + 2 and short_letters(kind[inner], text[inner], opts)
      if letters then
        -- long form (SHORT)
        local first = words_before(T, k - 1, window(#letters))
        if first <= k - 1 then
          local words = words_of(T, first, k - 1)
          local long_start = align(words, letters, false)
          if long_start then
            out[#out + 1] = { short = text[inner], short_start = start[inner], short_stop = stop[inner],
              long_start = words[long_start].start, long_stop = words[#words].stop }
          end
        end
      elseif close and close > k + 2 then
        -- SHORT (long form)
        letters = short_letters(kind[k - 1], text[k - 1], opts)
        if letters and words_before(T, close - 1, window(#letters)) == k + 1 then
          local words = words_of(T, k + 1, close - 1)
          if align(words, letters, true) then
            out[#out + 1] = { short = text[k - 1], short_start = start[k - 1],
              short_stop = stop[k - 1], long_start = words[1].start, long_stop = words[#words].stop }
          end
        end
      end
    end
  end
end

local SENTENCE_FIELDS = { "start", "stop", "first_token", "last_token" }
local DEFINITION_FIELDS = { "text", "start", "stop", "kind" }
local MENTION_FIELDS = { "text", "start", "kind" }

-- The definitions of the document, sentence by sentence, looking only at
-- the sentences that hold a candidate "(".
local function find_definitions(doc, text, opts)
  local defs = {}
  local S
  local si, last = 1, 0
  for _, at in ipairs(OPENS:match(text)) do
    if candidate(text, at) then
      S = S or doc:sentence_columns(SENTENCE_FIELDS)
      local offset = at - 1
      while si <= S.n and S.stop[si] <= offset do si = si + 1 end
      if si > S.n then break end
      if si ~= last and S.start[si] <= offset then
        last = si
        definitions(doc:token_columns(DEFINITION_FIELDS, S.first_token[si], S.last_token[si]), opts, defs)
      end
    end
  end
  return defs
end

-- "UNODC’s": the short form a word may be the possessive of.
local function possessive_base(word)
  local n = #word
  if word:byte(n) ~= 115 then return nil end
  if n >= 4 and word:byte(n - 3) == 0xE2 and word:byte(n - 2) == 0x80 and word:byte(n - 1) == 0x99 then
    return word:sub(1, n - 4)
  end
  if n >= 2 and word:byte(n - 1) == 39 then return word:sub(1, n - 2) end
  return nil
end

return {
  name = "acronyms",
  version = "1.0.0",
  kind = "extract",
  description = "Pairs acronyms with their long forms and marks their later mentions",
  license = "MIT",
  author = "lector",
  provides = { "acronym", "acronyms" },
  options = {
    min_length = { type = "integer", default = 2,
      description = "fewest letters in a short form" },
    max_length = { type = "integer", default = 10,
      description = "most letters in a short form" },
  },
  permissions = {},
  run = function(doc, opts)
    local text = doc.text
    local defs = find_definitions(doc, text, opts)
    local value, at_short = {}, {}
    local any = false
    for _, d in ipairs(defs) do
      d.long = text:sub(d.long_start + 1, d.long_stop)
      if d.long ~= d.short then
        any = true
        value[d.short] = value[d.short] or d.long
        at_short[d.short_start] = true
        doc:add("acronym", { start = d.short_start, stop = d.short_stop, label = d.short,
          attrs = { short = d.short, long = d.long, defines = true } })
        doc:add("acronym", { start = d.long_start, stop = d.long_stop, label = d.short,
          attrs = { short = d.short, long = d.long, long_form = true } })
      end
    end
    if any then
      -- bare mentions take the long form of the latest definition before them
      local T = doc:token_columns(MENTION_FIELDS)
      local ttext, tstart, tkind = T.text, T.start, T.kind
      local current = {}
      local next_def = 1
      for i = 1, T.n do
        local t_start = tstart[i]
        while defs[next_def] and defs[next_def].short_start <= t_start do
          local d = defs[next_def]
          if value[d.short] then current[d.short] = d.long end
          next_def = next_def + 1
        end
        if tkind[i] == "word" and not at_short[t_start] then
          local word = ttext[i]
          local short = value[word] and word or possessive_base(word)
          if short and value[short] then
            doc:add("acronym", { start = t_start, stop = t_start + #short, label = short,
              attrs = { short = short, long = current[short] or value[short] } })
          end
        end
      end
    end
    doc:set("acronyms", value)
  end,
}
