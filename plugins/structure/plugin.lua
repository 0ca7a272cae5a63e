-- structure: the news layout around an article's text — headline,
-- standfirst, image caption and credit, dateline, byline and editor.
-- Everything is decided from whole lines (tokens between two line breaks)
-- near the top and the bottom of the article; see README.md.

-- Where the top matter (headline, standfirst, byline, dateline) is looked for.
local TOP_PARAGRAPHS = 6
local TOP_LINES = 12
-- Where the closing credits ("Reporting by ...", "Edited by ...") are looked for.
local BOTTOM_PARAGRAPHS = 3
-- Longest credit, in tokens, inside "(...)" or after "Photo:".
local CREDIT_MAX_TOKENS = 10
-- Longest source inside a dateline's "(...)", in tokens.
local SOURCE_MAX_TOKENS = 6
-- Longest place name of a dateline, in words.
local PLACE_MAX_WORDS = 4
-- Longest line that may be an image's alternative text (between a
-- standfirst and a caption), in characters.
local ALT_MAX_CHARS = 80
-- A standfirst has at least this many words.
local STANDFIRST_MIN_WORDS = 4

local MONTHS = {
  january = 1, jan = 1, february = 2, feb = 2, march = 3, mar = 3, april = 4, apr = 4,
  may = 5, june = 6, jun = 6, july = 7, jul = 7, august = 8, aug = 8, september = 9,
  sep = 9, sept = 9, october = 10, oct = 10, november = 11, nov = 11, december = 12, dec = 12,
}
local DAYS_IN_MONTH = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

-- Lower-case words that may sit inside a place or a person's name.
local PLACE_PARTICLES = { de = true, del = true, da = true, ["do"] = true, dos = true, la = true,
  el = true, al = true, of = true, upon = true, sur = true, am = true, les = true, los = true,
  las = true }
local NAME_PARTICLES = { de = true, da = true, del = true, della = true, di = true, ["do"] = true,
  dos = true, das = true, du = true, van = true, von = true, der = true, den = true, ter = true,
  la = true, le = true, bin = true, ibn = true, al = true, el = true, y = true }

local DASHES = { ["-"] = true, ["–"] = true, ["—"] = true, ["--"] = true, ["―"] = true }
local FULL_STOPS = { ["."] = true, ["!"] = true, ["?"] = true, ["…"] = true, ["..."] = true }
local CLOSING_QUOTES = { ["”"] = true, ["’"] = true, ['"'] = true, ["»"] = true }
-- Words that introduce a photo credit: "Photo: X/AFP", "(Photo by X)".
local CREDIT_WORDS = { photo = true, photos = true, photograph = true, photographs = true,
  picture = true, pictures = true, image = true, images = true, credit = true, video = true }
-- Lower-case words allowed inside a credit ("X via Getty Images").
local CREDIT_CONNECTORS = { via = true, ["for"] = true, ["and"] = true, of = true, the = true,
  de = true }
local CREDIT_PUNCT = { ["/"] = true, ["-"] = true, ["&"] = true, ["."] = true, [","] = true,
  ["|"] = true }

-- Closing credits: the words before the names, and what they make.
local ROLES = {
  { words = { "additional", "reporting", "by" }, role = "additional reporting", label = "BYLINE" },
  { words = { "reporting", "and", "writing", "by" }, role = "reporting and writing", label = "BYLINE" },
  { words = { "reporting", "by" }, role = "reporting", label = "BYLINE" },
  { words = { "reported", "by" }, role = "reporting", label = "BYLINE" },
  { words = { "writing", "by" }, role = "writing", label = "BYLINE" },
  { words = { "written", "by" }, role = "writing", label = "BYLINE" },
  { words = { "compiled", "by" }, role = "compiling", label = "BYLINE" },
  { words = { "additional", "editing", "by" }, role = "editing", label = "EDITOR" },
  { words = { "editing", "by" }, role = "editing", label = "EDITOR" },
  { words = { "edited", "by" }, role = "editing", label = "EDITOR" },
}
local BY_ROLE = { words = { "by" }, role = "by", label = "BYLINE" }

---------------------------------------------------------------------------
-- Tokens and lines
--
-- A line is a run of token indices; its tokens are read as columns
-- (doc:token_columns) only when a parser looks at it, and cheap byte and
-- LPeg tests on its text keep most lines from being read at all. The
-- parsers below take those columns, T, and token numbers within the line.

local lpeg = require "lpeg"
local P, R, S, V, C, Cp, Ct = lpeg.P, lpeg.R, lpeg.S, lpeg.V, lpeg.C, lpeg.Cp, lpeg.Ct
local byte = string.byte

-- A search for patt anywhere in the subject, where patt can only start
-- with a byte of the set `starts`: the bytes in between are skipped by one
-- span, which is much faster than trying patt at each of them.
local function anywhere(patt, starts)
  local skip = (1 - S(starts)) ^ 0
  return P { skip * (patt + 1 * V(1)) }
end

-- Case-insensitive ASCII word (token texts whose folded form is one of the
-- words below are spelt in ASCII letters: none of their letters is what
-- Unicode folding makes of a ligature, "ſ" or the Kelvin sign).
local function ci(word)
  local patt = P(true)
  for ch in word:gmatch "." do patt = patt * S(ch:lower() .. ch:upper()) end
  return patt
end

local DIGIT = R "09"
local DAY = C(DIGIT * DIGIT ^ -1) * (-1 + R("az", "AZ") * R("az", "AZ") * -1)
local YEAR = DIGIT * DIGIT * DIGIT * DIGIT * -1
local TWO_DIGITS = DIGIT * DIGIT * -1
local HAS_LOWER = anywhere(P "x", "x")
local NEWLINES = Ct(((1 - P "\n") ^ 0 * Cp() * P "\n") ^ 0)
-- Bytes that are never part of a token: white space, controls, and (to be
-- safe) any byte of a non-ASCII character.
local GAP = R("\0\32") + P "\127" + R("\128\255")
-- A dateline starts with a capital (an ASCII one, or any non-ASCII
-- character), then come the words of its place (capitalized, or particles)
-- and the token after them: a comma, "(", a dash, a date ("3 November",
-- "1996-08-22") or a month and a day; and (as parse_dateline ends at a
-- dash, or at a date) a dash or a digit follows in the line. Matched at the
-- line's start, over runs of bytes between ASCII white space (never more
-- runs than tokens); a line holds no line break, and looking past its end
-- only lets more lines through.
local DATELINE_HINT_RUNS = 2 * PLACE_MAX_WORDS + 1
local DASH = P "-" + P "\226\128" * S "\147\148\149"
local SPACE_IN_LINE = R("\0\9", "\11\32")
local IN_RUN = 1 - R "\0\32"
local MONTH = P(false)
for name in pairs(MONTHS) do
  if #name == 3 then MONTH = MONTH + ci(name) end
end
local PARTICLE = P(false)
for name in pairs(PLACE_PARTICLES) do PARTICLE = PARTICLE + ci(name) end
local LETTER = R("az", "AZ")
-- One grammar, its rules named so that no pattern is copied per run.
local dateline_rules = {
  "run" .. DATELINE_HINT_RUNS,
  month = MONTH,
  date = DIGIT * DIGIT * DIGIT * DIGIT * -DIGIT +
    DIGIT * DIGIT ^ -1 * (LETTER * LETTER) ^ -1 * SPACE_IN_LINE ^ 0 * V "month" +
    DIGIT * DIGIT ^ -1 * SPACE_IN_LINE ^ 0 * V "month",
  month_day = V "month" * (LETTER + P ".") ^ 0 * SPACE_IN_LINE ^ 0 * (P "." * SPACE_IN_LINE ^ 0) ^ -1 *
    DIGIT,
  found = S ",(" + DASH + V "date",
  run_start = R "AZ" + R "\128\255" + PARTICLE + V "month",
}
for n = 1, DATELINE_HINT_RUNS do
  local after = n > 1 and SPACE_IN_LINE ^ 1 * V("run" .. (n - 1)) or P(false)
  dateline_rules["run" .. n] = V "found" + V "month_day" + #V "run_start" * V("in_run" .. n)
  dateline_rules["in_run" .. n] = V "found" + after + IN_RUN * V("in_run" .. n)
end
local DATELINE_RUNS = P(dateline_rules)
local DASH_OR_DIGIT_IN_LINE = P {
  (1 - S "0123456789-\226\n") ^ 0 * (DIGIT + DASH + (1 - P "\n") * V(1)) }
local DATELINE_HINT = #(R "AZ" + R "\128\255") * #DATELINE_RUNS * DASH_OR_DIGIT_IN_LINE

-- A role's words ("Reporting by", "Additional editing by", ...; see ROLES),
-- and a role at the start of a line, maybe after "(", or "By" (capitalized,
-- never after "(").
local SEP = GAP ^ 0
local ROLE_PHRASE = (ci "additional" * SEP) ^ -1 *
  (ci "reporting" * SEP * (ci "and" * SEP * ci "writing" * SEP) ^ -1 +
    (ci "reported" + ci "writing" + ci "written" + ci "compiled" + ci "editing" + ci "edited") * SEP) *
  ci "by"
local BY_AT_LINE_START = P "B" * S "yY"
local ROLE_START = BY_AT_LINE_START + (P "(" * GAP ^ 0) ^ -1 * ROLE_PHRASE
-- Whether a line might open the top matter (a dateline or a byline), tried
-- where each line after a line break may start: at every byte of the gap
-- after the break.
local TOP_LINE_HINT = DATELINE_HINT + ROLE_START
local AFTER_BREAK = P { TOP_LINE_HINT + GAP * V(1) }
local TOP_HINT_AFTER_BREAK = anywhere(P "\n" * AFTER_BREAK, "\n")
local ROLE_FIRST_BYTES = "aArRwWcCeE"
local ROLE_ANYWHERE = anywhere(ROLE_PHRASE, ROLE_FIRST_BYTES)
-- What a paragraph needs for its lines to be read for closing credits: a
-- role's words, "by" alone only at the start of a line. (A line also starts
-- after a sentence too long to be read; a paragraph with one is not tested
-- this way.)
local CLOSING_PARAGRAPH = BY_AT_LINE_START +
  anywhere(ROLE_PHRASE + P "\n" * GAP ^ 0 * BY_AT_LINE_START, ROLE_FIRST_BYTES .. "\n")
-- A word that opens a credit ("Photo:", "Image by", ...).
local CREDIT_WORD = ci "photo" + ci "picture" + ci "image" + ci "credit" + ci "video"
local CREDIT_FIRST_BYTES = "pPiIcCvV"
local CREDIT_HINT = anywhere(CREDIT_WORD, CREDIT_FIRST_BYTES)
-- What a paragraph needs for its lines to be read for captions.
local CAPTION_PARAGRAPH = anywhere(P ")" + S "Pp" * "hoto" + S "Ii" * "mage" + S "Pp" * "icture" +
  S "Cc" * "redit", ")PpIiCc")
-- What one of its lines needs to be a caption and credit: ")" (or ")" and
-- ".") at its end, before a line break or the paragraph's end, or a credit
-- word. (A line also ends before a sentence too long to be read; a
-- paragraph with one is not tested this way.)
local GAP_IN_LINE = GAP - P "\n"
local CAPTION_LINE_HINT = anywhere(CREDIT_WORD +
  P ")" * GAP_IN_LINE ^ 0 * (P "." * GAP_IN_LINE ^ 0) ^ -1 * (P "\n" + -1), CREDIT_FIRST_BYTES .. ")")

local LINE_FIELDS = { "text", "kind", "shape", "folded", "start", "stop" }
local POSITION_FIELDS = { "start", "stop" }
local SENTENCE_FIELDS = { "first_token", "last_token", "tokens" }

local function is_cap(T, k)
  return T.kind[k] == "word" and byte(T.shape[k]) == 88  -- "X"
end

local function is_upper(T, k)
  return is_cap(T, k) and not HAS_LOWER:match(T.shape[k])
end

local function chars(s)
  return utf8.len(s) or #s
end

local function word_count(T)
  local kind = T.kind
  local n = 0
  for k = 1, T.n do
    if kind[k] == "word" or kind[k] == "number" then n = n + 1 end
  end
  return n
end

-- A sentence longer than this many tokens is body text, never a layout
-- line; skipping it keeps a huge one-line document from costing memory.
local MAX_LAYOUT_SENTENCE_TOKENS = 300

-- The first index k in lo..hi with list[k] >= x (hi + 1 when none).
local function search(list, x, lo, hi)
  hi = hi + 1
  while lo < hi do
    local mid = (lo + hi) // 2
    if list[mid] < x then lo = mid + 1 else hi = mid end
  end
  return lo
end

-- Adds to `lines` the lines of the tokens first..last, given as columns of
-- their starts and stops; `line` is the line the first token may continue
-- (nil when it starts one). A line breaks where a line break lies between
-- two tokens: rather than look at every token (each Lua instruction counts
-- in the sandbox), each line break of the run is placed among the tokens.
-- Returns the last line.
local function add_lines(lines, line, para, nl, first, starts, stops, n)
  local nn = #lines
  local q = search(nl, (line and line.stop or starts[1]) + 1, 1, #nl)
  local at = nl[q]
  if not line or (at and at <= starts[1]) then
    line = { first = first, start = starts[1], para = para }
    nn = nn + 1
    lines[nn] = line
  end
  local k = 1  -- the line's first token within the run
  local stop = stops[n]
  while at and at <= stop do
    -- `at` is a break's 1-based position: its offset at - 1 lies in the gap
    -- before token j if stops[j - 1] <= offset < starts[j]
    local j = search(starts, at, k + 1, n)
    if j <= n and stops[j - 1] < at then
      line.last, line.stop = first + j - 2, stops[j - 1]
      line = { first = first + j - 1, start = starts[j], para = para }
      nn = nn + 1
      lines[nn] = line
      k = j
    end
    q = q + 1
    at = nl[q]
  end
  line.last, line.stop = first + n - 1, stop
  return line
end

-- The lines of a paragraph: runs of its tokens between line breaks, as
-- {first, last (token indices), start, stop, para}. D holds the document,
-- its text, its sentences' columns and the positions of its line breaks.
local function paragraph_lines(D, p)
  local cached = D.lines[p.index]
  if cached then return cached end
  local S, nl = D.sentences, D.newlines
  local lines, line = {}, nil
  local last_sentence = p.first_sentence + p.sentence_count - 1
  local si = p.first_sentence
  while si <= last_sentence do
    if S.tokens[si] > MAX_LAYOUT_SENTENCE_TOKENS then
      line = nil
      si = si + 1
    elseif S.tokens[si] == 0 then
      si = si + 1
    else
      -- a run of short sentences, read in one call
      local sj = si
      while sj < last_sentence and S.tokens[sj + 1] > 0 and S.tokens[sj + 1] <= MAX_LAYOUT_SENTENCE_TOKENS do
        sj = sj + 1
      end
      local first = S.first_token[si]
      local T = D.doc:token_columns(POSITION_FIELDS, first, S.last_token[sj])
      line = add_lines(lines, line, p.index, nl, first, T.start, T.stop, T.n)
      si = sj + 1
    end
  end
  D.lines[p.index] = lines
  return lines
end

-- A line's tokens as columns, read once.
local function toks_of(D, line)
  local T = line.toks
  if not T then
    T = D.doc:token_columns(LINE_FIELDS, line.first, line.last)
    line.toks = T
  end
  return T
end

local function text_of(D, line)
  local s = line.text
  if not s then
    s = D.text:sub(line.start + 1, line.stop)
    line.text = s
  end
  return s
end

local function slice(text, T, a, b)
  return text:sub(T.start[a] + 1, T.stop[b])
end

---------------------------------------------------------------------------
-- Dates: "November 3, 2025", "Nov. 3", "3 November 2025", "1996-08-22"

local function month_of(T, k)
  if T.kind[k] == "word" then
    local low = T.folded[k]
    if byte(low, -1) == 46 then low = low:sub(1, -2) end  -- "Nov."
    return MONTHS[low]
  end
end

local function day_of(T, k)
  if T.kind[k] == "number" then
    local d = tonumber(DAY:match(T.text[k]))
    if d and d >= 1 and d <= 31 then return d end
  end
end

local function year_of(T, k)
  if T.kind[k] == "number" and YEAR:match(T.text[k]) then
    local y = tonumber(T.text[k])
    if y >= 1800 and y <= 2200 then return y end
  end
end

local function glued(T, i, j)
  local start, stop = T.start, T.stop
  for k = i, j - 1 do
    if stop[k] ~= start[k + 1] then return false end
  end
  return true
end

local function make_date(year, month, day)
  if day > DAYS_IN_MONTH[month] then return nil end
  local d = { year = year, month = month, day = day }
  if year then d.iso = string.format("%04d-%02d-%02d", year, month, day) end
  return d
end

-- A date starting at token i: the index after it and {year, month, day, iso}.
local function parse_date(T, i)
  local tx = T.text
  local y = year_of(T, i)
  if y and tx[i + 4] and glued(T, i, i + 4) and tx[i + 1] == "-" and tx[i + 3] == "-" and
      TWO_DIGITS:match(tx[i + 2]) and TWO_DIGITS:match(tx[i + 4]) then
    local m, d = tonumber(tx[i + 2]), tonumber(tx[i + 4])
    if m >= 1 and m <= 12 and d >= 1 then
      local date = make_date(y, m, d)
      if date then return i + 5, date end
    end
  end
  local m = month_of(T, i)
  if m then
    local j = i + 1
    if tx[j] == "." then j = j + 1 end
    local d = day_of(T, j)
    if d then
      j = j + 1
      local k = tx[j] == "," and j + 1 or j
      y = year_of(T, k)
      if y then j = k + 1 end
      local date = make_date(y, m, d)
      if date then return j, date end
    end
    return nil
  end
  local d = day_of(T, i)
  m = month_of(T, i + 1)
  if d and m then
    local j = i + 2
    y = year_of(T, j)
    if y then j = j + 1 end
    local date = make_date(y, m, d)
    if date then return j, date end
  end
  return nil
end

---------------------------------------------------------------------------
-- Datelines: "Caracas, November 3, 2025 (venezuelanalysis.com) –",
-- "WASHINGTON (Reuters) -", "LONDON, Jan 5 (Reuters) -", "BRUSSELS 1996-08-22"

-- Capitalized words from token i (particles allowed inside): the index
-- after them and the number of words, or nil.
local function parse_place(T, i)
  local kind, low = T.kind, T.folded
  local j, words = i, 0
  while kind[j] do
    if is_cap(T, j) and not (month_of(T, j) and day_of(T, j + 1)) then
      words = words + 1
      j = j + 1
    elseif words > 0 and kind[j] == "word" and PLACE_PARTICLES[low[j]] and is_cap(T, j + 1) then
      j = j + 1
    else
      break
    end
  end
  if words == 0 or words > PLACE_MAX_WORDS then return nil end
  return j, words
end

-- "(Reuters)", "(venezuelanalysis.com)": the index after ")" and the text inside.
local function parse_source(text, T, i)
  local tx, kind = T.text, T.kind
  if tx[i] ~= "(" then return nil end
  if not (tx[i + 1] and (is_cap(T, i + 1) or kind[i + 1] == "url")) then return nil end
  for j = i + 1, math.min(T.n, i + 1 + SOURCE_MAX_TOKENS) do
    if tx[j] == ")" then
      if j == i + 1 then return nil end
      return j + 1, slice(text, T, i + 1, j - 1)
    end
    if kind[j] == "word" and not is_cap(T, j) then return nil end
  end
  return nil
end

local function all_upper(T, i, j)
  local kind, low = T.kind, T.folded
  for k = i, j - 1 do
    if kind[k] == "word" and not PLACE_PARTICLES[low[k]] and not is_upper(T, k) then
      return false
    end
  end
  return true
end

-- A dateline at the start of a line: {start, stop, place, date, iso, source}.
local function parse_dateline(text, T)
  local tx = T.text
  local j = parse_place(T, 1)
  if not j then return nil end
  local place_end = j - 1
  local caps = all_upper(T, 1, j)
  local date, source, last
  if caps then
    -- CoNLL style: the place and a date make the whole line.
    local k, d = parse_date(T, j)
    if d and k == T.n + 1 then date, last = d, k - 1 end
  end
  if not date then
    local k, d = parse_date(T, tx[j] == "," and j + 1 or j)
    if d then
      date, j = d, k
    elseif tx[j] == "," then
      -- a region: "CARACAS, Venezuela (AP) —", "Springfield, Ill., Jan 5 —"
      local r = parse_place(T, j + 1)
      if r then
        local k2, d2 = parse_date(T, tx[r] == "," and r + 1 or r)
        if d2 then date, j = d2, k2 end
        if d2 or (tx[r] and (tx[r] == "(" or DASHES[tx[r]])) then
          place_end = r - 1
          j = d2 and j or r
        end
      end
    end
    local k3, src = parse_source(text, T, j)
    if src then source, j = src, k3 end
    -- a dash, and the article goes on after it
    if not (tx[j] and DASHES[tx[j]] and tx[j + 1]) then return nil end
    if not (date or source or caps) then return nil end
    last = j - 1
  end
  local d = {
    start = T.start[1], stop = T.stop[last],
    place = slice(text, T, 1, place_end),
    source = source,
  }
  if date then
    -- the date's own text: from its first token after the place to its last
    local first = place_end + 1
    while tx[first] == "," do first = first + 1 end
    local date_last = last
    if source then
      while tx[date_last] ~= "(" do date_last = date_last - 1 end
      date_last = date_last - 1
    end
    if date_last >= first then d.date = slice(text, T, first, date_last) end
    d.iso = date.iso
  end
  return d
end

---------------------------------------------------------------------------
-- Bylines and closing credits: "By Jane Doe and John Roe, Reuters",
-- "Reporting by X in Place; Editing by Y", "Edited by X in Place."

local ROLES_FIRST = { BY_ROLE }
for _, r in ipairs(ROLES) do ROLES_FIRST[#ROLES_FIRST + 1] = r end

local function match_role(T, i, first)
  local kind, low = T.kind, T.folded
  for _, r in ipairs(first and ROLES_FIRST or ROLES) do
    local ok = true
    for k, w in ipairs(r.words) do
      local j = i + k - 1
      if not (kind[j] == "word" and low[j] == w) then
        ok = false
        break
      end
    end
    -- "By" opens a byline only with a capital letter at the start of a line
    if ok and r == BY_ROLE and not is_cap(T, i) then ok = false end
    if ok then return r, i + #r.words end
  end
  return nil
end

-- A person's name from token i: the index after it and its number of words.
local function parse_name(T, i)
  local kind, low = T.kind, T.folded
  local j, words = i, 0
  while kind[j] do
    if is_cap(T, j) then
      words = words + 1
      j = j + 1
    elseif words > 0 and kind[j] == "word" and NAME_PARTICLES[low[j]] and is_cap(T, j + 1) then
      j = j + 1
    else
      break
    end
  end
  if words == 0 then return nil end
  return j, words
end

-- Whether token j ends a credit segment: the end of the line, ";", a final
-- "." or ")", or a comma before the next role ("..., editing by Y").
local function segment_end(T, j)
  local tx = T.text
  local t = tx[j]
  if t == nil or t == ";" then return true end
  if t == ")" then return tx[j + 1] == nil end
  if t == "." then
    return tx[j + 1] == nil or (tx[j + 1] == ")" and tx[j + 2] == nil)
  end
  return t == "," and match_role(T, j + 1, false) ~= nil
end

-- The names after a role word, up to the end of the segment: a list of
-- {first, last, words, place}, the index of the segment's end, and the
-- agency ("..., Reuters") if one closes the list.
local function parse_names(text, T, i)
  local tx, kind, low = T.text, T.kind, T.folded
  local names = {}
  local j = i
  while true do
    local k, words = parse_name(T, j)
    if not k then return nil end
    local entry = { first = j, last = k - 1, words = words }
    j = k
    if kind[j] == "word" and low[j] == "in" then
      local p = parse_place(T, j + 1)
      if not p then return nil end
      local place_last = p - 1
      -- "in Mexico City, Mexico." — a region only when the segment ends after it
      if tx[p] == "," then
        local r = parse_place(T, p + 1)
        if r and segment_end(T, r) then place_last, p = r - 1, r end
      end
      entry.place = slice(text, T, j + 1, place_last)
      j = p
    end
    names[#names + 1] = entry
    if segment_end(T, j) then break end
    local t = tx[j]
    if t == "," and kind[j + 1] == "word" and low[j + 1] == "and" then
      j = j + 2
    elseif t == "," or t == "&" or (kind[j] == "word" and low[j] == "and") then
      j = j + 1
    else
      return nil
    end
  end
  -- "By Jane Doe and John Roe, Reuters": a last one-word name after a comma is the agency
  local org
  local last = names[#names]
  if #names > 1 and last.words == 1 and not last.place and tx[last.first - 1] == "," then
    org = tx[last.first]
    names[#names] = nil
  end
  for _, n in ipairs(names) do
    if n.words < 2 then return nil end
  end
  return names, j, org
end

-- A line (or, from token `from`, its final "(...)") of bylines or credits:
-- a list of {label, role, org, start, stop, names = {{start, stop, name, place}}}.
local function parse_credits(text, T, from)
  local tx, start, stop = T.text, T.start, T.stop
  local i = from or 1
  local open = tx[i] == "("
  if open then i = i + 1 end
  local found = {}
  while true do
    local role, k = match_role(T, i, i == 1)
    if not role then return nil end
    local names, j, org = parse_names(text, T, k)
    if not names then return nil end
    local entry = { label = role.label, role = role.role, org = org, names = {},
      start = start[k], stop = stop[j - 1] }
    for _, n in ipairs(names) do
      entry.names[#entry.names + 1] = { start = start[n.first], stop = stop[n.last],
        name = slice(text, T, n.first, n.last), place = n.place }
    end
    found[#found + 1] = entry
    local t = tx[j]
    if t == nil or (t == "." and tx[j + 1] == nil) then
      return (not open) and found or nil
    elseif t == ")" or t == "." then
      return open and found or nil
    end
    i = j + 1  -- ";" or "," before the next role
  end
end

---------------------------------------------------------------------------
-- Captions and credits: "... assets. (AFP)", "Photo: X/AFP",
-- "(Photo by X/Getty Images)"

local function after_full_stop(T, i)
  local tx = T.text
  local t = tx[i - 1]
  if t and CLOSING_QUOTES[t] then t = tx[i - 2] end
  return t ~= nil and FULL_STOPS[t] == true
end

-- "Photo:", "Photo by", "File photo:", "Photo credit:": the index after it.
local function credit_prefix(T, i)
  local tx, kind, low = T.text, T.kind, T.folded
  local j = i
  if kind[j] == "word" and low[j] == "file" then j = j + 1 end
  if not (kind[j] == "word" and CREDIT_WORDS[low[j]]) then return nil end
  j = j + 1
  if kind[j] == "word" and (low[j] == "credit" or low[j] == "courtesy") then
    j = j + 1
  end
  if tx[j] == ":" or (kind[j] == "word" and (low[j] == "by" or low[j] == "courtesy")) then
    if kind[j + 1] == "word" and low[j + 1] == "of" then j = j + 1 end
    return j + 1
  end
  return nil
end

-- Whether tokens i..j look like a credit: names, agencies, slashes.
local function credit_names(T, i, j)
  local tx, kind, low = T.text, T.kind, T.folded
  if j < i or j - i + 1 > CREDIT_MAX_TOKENS then return false end
  if not (is_cap(T, i) and (is_cap(T, j) or kind[j] == "word")) then return false end
  for k = i, j do
    if kind[k] == "word" then
      if not is_cap(T, k) and not CREDIT_CONNECTORS[low[k]] then return false end
    elseif not CREDIT_PUNCT[tx[k]] then
      return false
    end
  end
  return true
end

-- A credit at the end of a line: {start, stop, credit, caption_last} where
-- caption_last is the index of the caption's last token (0 when none).
local function parse_caption(text, T)
  local tx, start, stop = T.text, T.start, T.stop
  local n = T.n
  local last = n
  if tx[last] == "." and tx[last - 1] == ")" then last = n - 1 end
  if tx[last] == ")" then
    for open = last - 1, math.max(1, last - CREDIT_MAX_TOKENS - 3), -1 do
      if tx[open] == "(" then
        local first = credit_prefix(T, open + 1)
        local name_first = first or open + 1
        if (first or open == 1 or after_full_stop(T, open)) and credit_names(T, name_first, last - 1) then
          return { start = start[name_first], stop = stop[last - 1],
            credit = slice(text, T, name_first, last - 1), caption_last = open - 1 }
        end
        break
      end
    end
  end
  -- "Photo: X/AFP" at the start of the line or after a full stop
  for k = 1, n do
    if k == 1 or after_full_stop(T, k) then
      local first = credit_prefix(T, k)
      if first then
        local name_last = tx[n] == "." and n - 1 or n
        if credit_names(T, first, name_last) then
          return { start = start[first], stop = stop[name_last],
            credit = slice(text, T, first, name_last), caption_last = k - 1 }
        end
      end
    end
  end
  return nil
end

---------------------------------------------------------------------------
-- Which lines are worth reading: tests on the text that every line a
-- parser accepts passes.

-- The byte before position i (1-based) that is not white space, and its position.
local function byte_before(text, i)
  i = i - 1
  local b = byte(text, i)
  while b and (b <= 32 or b == 127 or b >= 128) do
    i = i - 1
    b = byte(text, i)
  end
  return b, i
end

-- Credits start with a role's first word, maybe after "(".
local function may_be_credits(D, line)
  return ROLE_START:match(D.text, line.start + 1) ~= nil
end

-- Whether the line ends with ")", or with ")" and ".".
local function ends_with_paren(D, line)
  local b, i = byte(D.text, line.stop), line.stop
  if b == 46 then b = byte_before(D.text, i) end  -- "."
  return b == 41  -- ")"
end

-- A caption's credit is "(...)" at the end of the line, or follows a
-- credit word.
local function may_be_caption(D, line)
  return ends_with_paren(D, line) or CREDIT_HINT:match(text_of(D, line)) ~= nil
end

-- Closing credits start the line, or are "(...)" at its end.
local function may_be_closing(D, line)
  return may_be_credits(D, line) or
    (byte(D.text, line.stop) == 41 and ROLE_ANYWHERE:match(text_of(D, line)) ~= nil)
end

---------------------------------------------------------------------------
-- The pass

local function ends_sentence(T)
  local tx = T.text
  local n = T.n
  local t = tx[n]
  if CLOSING_QUOTES[t] and tx[n - 1] then t = tx[n - 1] end
  return t == "."
end

-- Whether the sentence that holds the line's last token goes on after it:
-- the line is a piece of hard-wrapped text ("The White House welcomed
-- last\nmonth's ..."), not a line of its own.
local function wraps_on(D, line)
  local S = D.sentences
  for si = 1, #S.last_token do
    if S.last_token[si] >= line.last then
      return S.first_token[si] <= line.last and S.last_token[si] > line.last
    end
  end
  return false
end

local function is_headline(D, line, opts)
  if chars(text_of(D, line)) > opts.max_headline_chars then return false end
  if wraps_on(D, line) then return false end
  local T = toks_of(D, line)
  if word_count(T) < 2 then return false end
  return is_cap(T, 1) or T.kind[1] == "number" or CLOSING_QUOTES[T.text[1]] or T.text[1] == "“"
end

local function add(doc, found, label, start, stop, attrs)
  doc:add("structure", { start = start, stop = stop, label = label, attrs = attrs })
  found[#found + 1] = label
end

local function add_credits(doc, value, found, credits)
  for _, c in ipairs(credits) do
    for _, n in ipairs(c.names) do
      add(doc, found, c.label, n.start, n.stop, { role = c.role, place = n.place, org = c.org })
      if c.label == "BYLINE" then
        value.authors = value.authors or {}
        local seen = false
        for _, a in ipairs(value.authors) do seen = seen or a == n.name end
        if not seen then value.authors[#value.authors + 1] = n.name end
      elseif not value.editor then
        value.editor = { name = n.name, place = n.place }
      end
    end
    if c.label == "BYLINE" and not value.byline then
      value.byline = doc:slice(c.start, c.stop)
    end
  end
end

local function has_long_sentence(D, p)
  local tokens = D.sentences.tokens
  for si = p.first_sentence, p.first_sentence + p.sentence_count - 1 do
    if tokens[si] > MAX_LAYOUT_SENTENCE_TOKENS then return true end
  end
  return false
end

-- The first TOP_LINES lines of the first TOP_PARAGRAPHS paragraphs: only the
-- first two when no line can be a dateline or a byline (one LPeg scan of
-- their text tells), which is all top_matter then looks at. A line starts a
-- paragraph, follows a line break, or follows a sentence too long to read.
local function top_lines(D, paras)
  local n = math.min(#paras, TOP_PARAGRAPHS)
  local limit = 2
  for i = 1, n do
    local p = paras[i]
    if has_long_sentence(D, p) or TOP_LINE_HINT:match(D.text, p.start + 1) then limit = TOP_LINES end
  end
  if limit < TOP_LINES and n > 0 and TOP_HINT_AFTER_BREAK:match(D.text:sub(paras[1].start + 1, paras[n].stop)) then
    limit = TOP_LINES
  end
  local lines = {}
  for i = 1, n do
    if #lines >= limit then break end
    for _, line in ipairs(paragraph_lines(D, paras[i])) do
      if #lines < limit then lines[#lines + 1] = line end
    end
  end
  return lines
end

local function top_matter(D, lines, opts, value, found, done)
  local doc, text = D.doc, D.text
  -- what each line is, on its own
  local marker
  for i = 1, #lines do
    local line = lines[i]
    -- (the LPeg tests let through every line the parsers could accept)
    if not value.dateline and DATELINE_HINT:match(text, line.start + 1) then
      local d = parse_dateline(text, toks_of(D, line))
      if d then
        line.dateline = d
        value.dateline = { place = d.place, date = d.date, iso = d.iso, source = d.source }
        add(doc, found, "DATELINE", d.start, d.stop, value.dateline)
      end
    end
    if not line.dateline and ROLE_START:match(text, line.start + 1) then
      line.credits = parse_credits(text, toks_of(D, line))
    end
    -- the body starts at the dateline or at an opening byline
    if (line.dateline or (line.credits and line.credits[1].role == "by")) and not marker then
      marker = i
    end
  end
  local first = lines[1]
  local headline = first and not first.dateline and not first.credits and (#lines > 1) and
    is_headline(D, first, opts) and
    not (may_be_caption(D, first) and parse_caption(text, toks_of(D, first))) and
    (not ends_sentence(toks_of(D, first)) or (marker and marker <= 3))
  if headline then
    value.headline = text_of(D, first)
    add(doc, found, "HEADLINE", first.start, first.stop)
  end
  -- CoNLL: a bare name between the headline and the dateline
  if headline and marker == 3 and lines[3].dateline then
    local second = lines[2]
    local T = toks_of(D, second)
    local k, words = parse_name(T, 1)
    if k == T.n + 1 and words >= 2 and words <= 4 then
      second.credits = { { label = "BYLINE", role = "by", start = second.start, stop = second.stop,
        names = { { start = second.start, stop = second.stop, name = text_of(D, second) } } } }
    end
  end
  for _, line in ipairs(lines) do
    if line.credits then
      add_credits(doc, value, found, line.credits)
      done[line.start] = true
    end
  end
  -- a standfirst needs the layout around it: a headline above, and below it
  -- only captions or short labels until the dateline or byline
  local second = lines[2]
  if not (headline and marker and marker > 2 and not second.credits and not second.dateline) then return end
  if chars(text_of(D, second)) > opts.max_standfirst_chars or
      word_count(toks_of(D, second)) < STANDFIRST_MIN_WORDS or parse_caption(text, toks_of(D, second)) then
    return
  end
  local alts = {}
  for i = 3, marker - 1 do
    local line = lines[i]
    local T = toks_of(D, line)
    if not parse_caption(text, T) then
      if chars(text_of(D, line)) > ALT_MAX_CHARS or ends_sentence(T) or word_count(T) < 2 then
        return
      end
      alts[#alts + 1] = line
    end
  end
  value.standfirst = text_of(D, second)
  add(doc, found, "STANDFIRST", second.start, second.stop)
  for _, line in ipairs(alts) do
    value.alt = value.alt or text_of(D, line)
    add(doc, found, "CAPTION", line.start, line.stop, { alt = true })
  end
end


local function captions(D, paras, opts, value, found)
  local doc, text = D.doc, D.text
  for _, p in ipairs(paras) do
    -- only paragraphs that could hold a credit are split into lines
    if CAPTION_PARAGRAPH:match(p.text) and (has_long_sentence(D, p) or CAPTION_LINE_HINT:match(p.text)) then
      for _, line in ipairs(paragraph_lines(D, p)) do
        if not line.dateline and not line.credits and may_be_caption(D, line) and
            chars(text_of(D, line)) <= opts.max_caption_chars then
          local T = toks_of(D, line)
          local c = parse_caption(text, T)
          if c then
            if c.caption_last > 0 then
              local cap_stop = T.stop[c.caption_last]
              add(doc, found, "CAPTION", line.start, cap_stop, { credit = c.credit })
              value.caption = value.caption or doc:slice(line.start, cap_stop)
            end
            add(doc, found, "CREDIT", c.start, c.stop)
            value.credit = value.credit or c.credit
          end
        end
      end
    end
  end
end

-- Wire agencies whose name alone, on the article's last line, signs it
-- off ("Reuter" ends most of Reuters-21578).
local SIGNOFF_AGENCIES = { Reuter = true, Reuters = true, AP = true, AFP = true, UPI = true,
  dpa = true, DPA = true, Xinhua = true, Bloomberg = true, TASS = true, Tass = true, ANSA = true,
  EFE = true, PTI = true, Kyodo = true, Yonhap = true, IANS = true, Interfax = true, AAP = true }

-- The article's last line, when it is an agency's name alone, maybe in
-- brackets or with a period: the name's start and stop (0-based, end
-- exclusive). Read byte by byte from the end: no pattern over the text.
local function signoff_name(text)
  local stop = #text
  while stop > 0 and text:byte(stop) <= 32 do stop = stop - 1 end
  if text:byte(stop) == 46 then stop = stop - 1 end           -- "."
  if text:byte(stop) == 41 then stop = stop - 1 end           -- ")"
  local start = stop
  while start > 0 and stop - start < 16 do
    local b = text:byte(start)
    if not (b >= 65 and b <= 90 or b >= 97 and b <= 122) then break end
    start = start - 1
  end
  if start == stop then return nil end
  local name_start = start                                    -- 0-based
  if text:byte(start) == 40 then start = start - 1 end        -- "("
  while start > 0 and (text:byte(start) == 32 or text:byte(start) == 9) do start = start - 1 end
  if start == 0 or text:byte(start) ~= 10 then return nil end  -- a line of its own, not the first
  return name_start, stop
end

local function signoff(D, value, found)
  local start, stop = signoff_name(D.text)
  local word = start and D.text:sub(start + 1, stop)
  if not (word and SIGNOFF_AGENCIES[word]) then return end
  add(D.doc, found, "CREDIT", start, stop, { signoff = true })
  value.signoff = word
end

local function closing_credits(D, paras, value, found, done)
  local doc, text = D.doc, D.text
  for _, p in ipairs(paras) do
    local lines = (has_long_sentence(D, p) or CLOSING_PARAGRAPH:match(p.text)) and paragraph_lines(D, p) or {}
    for _, line in ipairs(lines) do
      if not done[line.start] and may_be_closing(D, line) then
        local T = toks_of(D, line)
        local tx = T.text
        local credits = parse_credits(text, T)
        if not credits and tx[T.n] == ")" then
          -- "... said. (Reporting by X; Editing by Y)"
          for k = T.n - 1, 1, -1 do
            if tx[k] == "(" then
              credits = after_full_stop(T, k) and parse_credits(text, T, k)
              break
            end
          end
        end
        if credits then add_credits(doc, value, found, credits) end
      end
    end
  end
end

return {
  name = "structure",
  version = "1.1.0",
  kind = "extract",
  description = "News layout: headline, standfirst, caption and credit, dateline, byline, editor",
  license = "MIT",
  author = "lector",
  provides = { "structure" },
  options = {
    max_headline_chars = { type = "integer", default = 200,
      description = "longest first line taken as the headline, in characters" },
    max_standfirst_chars = { type = "integer", default = 400,
      description = "longest line taken as the standfirst, in characters" },
    max_caption_chars = { type = "integer", default = 300,
      description = "longest line (caption and credit) taken as an image caption, in characters" },
  },
  permissions = {},
  run = function(doc, opts)
    local text = doc.text
    local value, found, done = {}, {}, {}
    local paras = {}
    for p in doc:paragraphs() do paras[#paras + 1] = p end
    local D = { doc = doc, text = text, lines = {}, newlines = NEWLINES:match(text),
      sentences = #paras > 0 and doc:sentence_columns(SENTENCE_FIELDS) or nil }
    top_matter(D, top_lines(D, paras), opts, value, found, done)
    captions(D, paras, opts, value, found)
    local bottom = {}
    for i = math.max(#paras - BOTTOM_PARAGRAPHS + 1, 1), #paras do bottom[#bottom + 1] = paras[i] end
    closing_credits(D, bottom, value, found, done)
    signoff(D, value, found)
    doc:set("structure", value)
  end,
}
