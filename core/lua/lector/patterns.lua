-- lector.patterns: LPeg patterns for dates, times, numbers, money,
-- percentages, quantities, URLs and e-mail addresses, to combine in passes.
--
-- Every pattern matches one expression at the current position and
-- produces one capture: a table with `kind`, `text` (the matched text) and
-- normalized fields (documented in docs/lua-api.md, "Patterns"). The
-- grammar itself is C (core/expressions.c): each pattern here is a
-- match-time capture that asks it what starts at the current position.
-- A PEG match at a position is unique, so such a pattern composes with
-- others exactly as the grammar's own LPeg rules did. The module also runs
-- inside plugin sandboxes, which hand it the C function as its second
-- argument (and the scanner constructor as its third); elsewhere they
-- come from lector.core.
local _, expression, scanner = ...
local lpeg = require "lpeg"
if not expression then
  local core = require "lector.core"
  expression, scanner = core.expression, core.scanner
end

local P, R, S, V, B = lpeg.P, lpeg.R, lpeg.S, lpeg.V, lpeg.B
local Cp, Cmt = lpeg.Cp, lpeg.Cmt
local match, is_pattern = lpeg.match, lpeg.type
local tointeger, huge = math.tointeger, math.huge
local ipairs, type, error, setmetatable = ipairs, type, error, setmetatable

local _ENV = nil

local M = {}

---------------------------------------------------------------------------
-- Characters and word boundaries, for the search helpers

local digit = R"09"
local alpha = R("az", "AZ")
local alnum = alpha + digit
-- UTF-8 punctuation and symbols that separate words like ASCII punctuation:
-- U+0080..U+00BF (no-break space, £, ¥, °, ½, «, » ...), U+2000..U+20FF
-- (typographic spaces, dashes, quotes, …, currency signs such as €) and the
-- minus sign U+2212. Other non-ASCII bytes belong to letters.
local punct_mb = P"\194" * R"\128\191" + P"\226" * R"\128\131" * R"\128\191" + P"\226\136\146"
local ascii_word = alnum + "_"                         -- a charset: runs of it are one LPeg span
local mb_letter = R"\128\255" - punct_mb
local wchar = ascii_word + mb_letter                   -- one byte of a word
local wrun = (ascii_word^1 + mb_letter)^1              -- a run of word bytes
local nchar = (R"\0\127" - ascii_word) + punct_mb      -- one character between words
local word_byte = alnum + "_" + R"\128\255"
local letter_byte = alpha + R"\128\255"
local boundary = -wchar

---------------------------------------------------------------------------
-- The patterns

-- Each is a match-time capture after the expression's first byte, one of
-- the bytes its matches may start with: LPeg then rejects other bytes
-- without a call, and knows that the pattern consumes something, so that
-- it may be repeated (P.number^1) as the grammar could be.
for _, name in ipairs{ "any", "number_words", "integer", "number", "ordinal", "percent", "money",
                       "quantity", "duration", "weekday", "month", "year", "date", "time", "url",
                       "email" } do
  local matcher, first = expression(name)
  M[name] = Cmt(S(first), matcher)
end
M.kinds = { "date", "duration", "email", "money", "number", "ordinal", "percent", "quantity",
            "time", "url" }

---------------------------------------------------------------------------
-- Searching

-- From a position that is not a word start (just after a word byte): the
-- rest of the word, words joined to it by a hyphen after a letter ("Su-30",
-- "three-year") or by a point or comma between digits ("3.5", "12,5"), and
-- the character that ends it.
local joined = (B(letter_byte) * "-" * wrun + B(digit) * S".," * #digit * wrun)^0
local word_rest = wrun^-1 * joined * nchar^-1
-- From a word start where nothing matched: to the next word start.
local skip = wrun * joined * nchar^-1 + nchar
local after = B(word_byte) * word_rest + P(true)
local skip_to = skip * Cp()

local function first_value(v) return v end

-- The search pattern for p: the first match of p at a word start, as
-- start, value, stop, resume (positions 1-based).
local searchers = setmetatable({}, { __mode = "k" })
local function searcher(p)
  local s = searchers[p]
  if not s then
    s = P{ Cp() * (p / first_value) * Cp() * after * Cp() + skip * V(1) }
    searchers[p] = s
  end
  return s
end

M.boundary = boundary

-- P.scanner{words =, before_digit =, before_time =, time_words =,
-- capitalized =} -> a Scanner, whose find(text [, init]) tries P.any at
-- the word starts where an expression may start, the configured words
-- among them, in C (core/lua_scanner.c, docs/lua-api.md#scanners).
M.scanner = scanner

-- P.anywhere(p): a pattern that moves to the first match of p at a word
-- start and produces p's captures.
function M.anywhere(p)
  if is_pattern(p) ~= "pattern" then p = P(p) end
  return P{ p + skip * V(1) }
end

-- P.find(text, p [, init]) -> iterator of start, stop, value: each match of
-- p at a word start, left to right, not overlapping; start and init are
-- 0-based byte offsets, stop is exclusive; value is p's first capture (the
-- matched text when p captures nothing). The search begins at init as if
-- it were the start of the text.
function M.find(text, p, init)
  if type(text) ~= "string" then
    error("bad argument #1 to 'find' (string expected, got " .. type(text) .. ")", 2)
  end
  if is_pattern(p) ~= "pattern" then
    error("bad argument #2 to 'find' (LPeg pattern expected, got " .. type(p) .. ")", 2)
  end
  init = init or 0
  if type(init) ~= "number" or tointeger(init) == nil or init < 0 then
    error("bad argument #3 to 'find' (a byte offset 0.." .. #text .. " expected)", 2)
  end
  local s, pos = searcher(p), tointeger(init) + 1
  return function()
    if pos > #text then return nil end
    local start, value, stop, resume = match(s, text, pos)
    if not start then pos = huge; return nil end
    if resume == start then           -- an empty match: step over one word or character
      resume = match(skip_to, text, start) or #text + 2
    end
    pos = resume
    return start - 1, stop - 1, value
  end
end

return M
