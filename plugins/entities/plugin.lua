-- entities: named entities (people, organizations, places, nationalities,
-- facilities, products, events, laws) and numeric expressions (dates,
-- times, money, percentages, quantities, numbers), linked within the
-- document. See README.md and docs/extraction.md ("## entities").
--
-- Work per document is one LPeg scan of the text for capitalized words,
-- one scan for numeric expressions, and Lua work per candidate name; no
-- Lua object per token. Lexicons and patterns are built once per plugin
-- state (module locals below).
local names = require "names"

local ipairs, pairs, type, tostring = ipairs, pairs, type, tostring
local sort = table.sort
local sub, upper, lower = string.sub, string.upper, string.lower
local lpeg = lpeg or require "lpeg"
local P, R, S, B, V, Cp = lpeg.P, lpeg.R, lpeg.S, lpeg.B, lpeg.V, lpeg.Cp
local match = lpeg.match

local patterns = lector.patterns

-- Numeric expressions are searched with lector.patterns' P.any, but P.any
-- is tried only where one can start: a digit, a sign, a currency or
-- fraction sign, a word P.any opens with (number words, ordinals, months,
-- weekdays, "last", "early", ...), a currency code or a host name. Testing
-- that is one LPeg dispatch on the first letters; trying P.any at every
-- word costs several times more.
-- (Ordinal words are left out: P.any reads "first", "second quarter" as an
-- ordinal, which is not an entity.)
local OPENERS = [[zero one two three four five six seven eight nine ten eleven twelve
  thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty
  seventy eighty ninety tens dozens hundreds thousands millions billions january february april
  june july august september october november december jan feb mar apr jun jul aug sep sept
  oct nov dec monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
  tonight early mid late noon midnight www http https ftp rs]]
-- Words that open an expression only before a number or a word of time:
-- "a dozen", "a week ago", "this year", "last 10 days" (not "a record",
-- "this company"); "may" and "march" only as written for the month.
local BEFORE_TIME = [[a an this last past previous next coming recent]]
local TIME_WORDS = [[dozen dozens hundred hundreds thousand thousands million millions billion
  billions trillion second seconds minute minutes hour hours day days week weeks weekend
  fortnight month months quarter quarters year years decade decades century centuries morning
  afternoon evening night season spring summer autumn fall winter few couple half time
  january february march april may june july august september october november december
  monday tuesday wednesday thursday friday saturday sunday one two three four five six seven
  eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen
  twenty thirty forty fifty sixty seventy eighty ninety several]]
local word_byte = R("az", "AZ", "09") + "_" + R"\128\255"
-- Whole words of lists, in any case, each list with what must follow its
-- words: {{list, tail}, ...}. One trie for all, so that a word is tested
-- one letter at a time along the words that share a prefix ("th" ->
-- "three", "thirty", "this"), and a word that opens none is rejected
-- within a letter or two.
local function words_then(lists)
  local root = {}
  for _, entry in ipairs(lists) do
    local list, tail = entry[1], -word_byte * entry[2]
    for w in list:gmatch "%S+" do
      local node = root
      for k = 1, #w do
        local ch = sub(w, k, k)
        node[ch] = node[ch] or {}
        node = node[ch]
      end
      node[true] = node[true] and node[true] + tail or tail      -- a word ends here
    end
  end
  local function compile(node)
    local letters = {}
    for ch in pairs(node) do
      if ch ~= true then letters[#letters + 1] = ch end
    end
    sort(letters)
    -- a word's end (no word byte after it) and a letter that goes on
    -- exclude each other, so the order of the choices does not matter
    local p = node[true] or P(false)
    for _, ch in ipairs(letters) do
      p = p + S(ch .. upper(ch)) * compile(node[ch])
    end
    return p
  end
  return compile(root)
end
local function any_word(list) return words_then { { list, P(true) } } end
local alnum = R("az", "AZ", "09")
local blank1 = S" \t\n"^1
-- A word then "." or "@": a host name (from a lower-case letter:
-- "reuters.com") or an e-mail address.
local name_byte = alnum + S"_%+-"
local host_or_mail = R"az" * name_byte^0 * ("." * R"az" + "@" * alnum)
  + (name_byte - R"az") * name_byte^0 * "@" * alnum
-- The words that open an expression, with what must follow each.
local opener_word = words_then {
  { OPENERS, P(true) },
  { BEFORE_TIME, blank1 * (R"09" + any_word(TIME_WORDS)) },
  { "may march", blank1 * R"09" },
}
-- Tested by the first byte: after a letter only the branches that can
-- open with it.
local numeric_start = R"09" + S"+-$" + "\226\136\146"            -- digits, signs, minus
  + "\194" * S"\163\165\188\189\190"                            -- £ ¥ ¼ ½ ¾
  + "\226\130" * R"\160\191" + "\226\133" * R"\144\159"           -- ₠-₿ (€ ₹ ₽ ...), ⅓ ⅔ ⅛
  + #R"az" * (opener_word + host_or_mail)
  + #R"AZ" * (R"AZ" * R"AZ"^-2 * "$" + "U.S.$"                     -- US$, HK$, C$
    + R"AZ" * R"AZ" * R"AZ" * -word_byte                           -- USD, EUR
    + opener_word
    + (P"May" + "MAY" + "March" + "MARCH") * -word_byte
    + host_or_mail)
  + host_or_mail
-- Moving on as P.find does: over a word, with the parts lector.patterns
-- joins to it ("Su-30", "3.5"), and the character after it; or over one
-- character between words. After a match that ends inside a word, over the
-- rest of that word and the character after it.
local letter_byte = R("az", "AZ") + R"\128\255"
local joined = (B(letter_byte) * "-" * word_byte^1 + B(R"09") * S".," * #R"09" * word_byte^1)^0
local other = 1 - word_byte
local skip = word_byte^1 * joined * other^-1 + other
local word_rest = B(word_byte) * word_byte^0 * joined * other^-1 * Cp()
local numeric_search
local function numeric_searcher()
  if not numeric_search and patterns and patterns.any then
    numeric_search = P{ Cp() * #numeric_start * patterns.any * Cp() + skip * V(1) }
  end
  return numeric_search
end

-- OntoNotes labels for lector.patterns kinds; kinds not listed are not entities.
local NUMERIC = {
  date = "DATE", duration = "DATE", time = "TIME", money = "MONEY", percent = "PERCENT",
  quantity = "QUANTITY", number = "CARDINAL",
}

-- Normalized value of a numeric expression (attrs.value), plus extra attrs.
local function numeric_value(kind, v, attrs)
  if kind == "date" then
    if v.iso then return v.iso end
    if v.year and v.month and v.day then
      return string.format("%04d-%02d-%02d", v.year, v.month, v.day)
    end
    if v.year and v.month then return string.format("%04d-%02d", v.year, v.month) end
    if v.year then return string.format("%04d", v.year) end
    if v.weekday then attrs.weekday = v.weekday end
    if v.month then attrs.month = v.month end
    if v.offset then attrs.offset = v.offset; attrs.unit = v.unit end
    return v.text
  elseif kind == "money" then
    attrs.currency = v.currency
    return v.amount
  elseif kind == "quantity" then
    attrs.unit = v.unit
    return v.value
  elseif kind == "duration" then
    attrs.unit = v.unit
    return v.value and (tostring(v.value) .. " " .. tostring(v.unit)) or v.text
  elseif kind == "time" then
    return v.iso or v.text
  end
  return v.value
end

-- Numeric spans not overlapping the names already found.
local function numeric_mentions(text, taken)
  local found = {}
  local search = numeric_searcher()
  if not search then return found end
  local ti, n = 1, #taken
  local pos, len = 1, #text
  while pos <= len do
    local start, v, stop = match(search, text, pos)
    if not start then break end
    -- go on after the match, at the next word start
    pos = stop > start and (match(word_rest, text, stop) or stop) or start + 1
    start, stop = start - 1, stop - 1
    local label = type(v) == "table" and NUMERIC[v.kind]
    if label then
      while ti <= n and taken[ti].stop <= start do ti = ti + 1 end
      if not (ti <= n and taken[ti].start < stop) then
        local attrs = { value = nil, unit = nil, currency = nil }   -- sized for the common attrs
        attrs.value = numeric_value(v.kind, v, attrs)
        local surface = sub(text, start + 1, stop)
        found[#found + 1] = { start = start, stop = stop, label = label, attrs = attrs,
          text = surface, key = label .. "\0" .. lower(surface) }
      end
    end
  end
  return found
end

local function by_position(a, b)
  if a.start ~= b.start then return a.start < b.start end
  return a.stop < b.stop
end

-- The list sorted by position; names come mostly in order already, so the
-- sort is skipped when it is not needed.
local function sorted(list)
  local prev = list[1]
  for i = 2, #list do
    local m = list[i]
    local ms, ps = m.start, prev.start
    if ms < ps or ms == ps and m.stop < prev.stop then
      sort(list, by_position)
      return list
    end
    prev = m
  end
  return list
end

-- Two lists sorted by position, merged (on a tie, a's entry first).
local function merge(a, b)
  local nb = #b
  if nb == 0 then return a end
  local out, k, i, j, na = {}, 0, 1, 1, #a
  local x, y = a[1], b[1]
  while x and y do
    local ys, xs = y.start, x.start
    k = k + 1
    if ys < xs or ys == xs and y.stop < x.stop then
      out[k] = y
      j = j + 1
      y = b[j]
    else
      out[k] = x
      i = i + 1
      x = a[i]
    end
  end
  for q = i, na do k = k + 1; out[k] = a[q] end
  for q = j, nb do k = k + 1; out[k] = b[q] end
  return out
end

-- The entities value lists every entity but plain numbers, which are
-- spans only: listing every "16" would bury the names.
local UNLISTED = { layer = "entity", value = "entities", unlisted = { "CARDINAL" } }

return {
  name = "entities",
  version = "1.0.0",
  kind = "extract",
  description = "People, organizations, places, nationalities, products, events, laws, dates, "
    .. "times, money, percentages, quantities and numbers, linked within the document",
  license = "MIT",
  author = "lector",
  provides = { "entity", "entities" },
  options = {
    numbers = { type = "boolean", default = true,
      description = "also mark dates, times, money, percentages, quantities and numbers" },
  },
  run = function(doc, opts, ctx)
    local text = doc.text
    local found = sorted(names.find(doc, text, ctx))
    if opts.numbers then found = merge(found, numeric_mentions(text, found)) end
    doc:add_entities(found, UNLISTED)
  end,
}
