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
local sub, upper = string.sub, string.upper
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
-- a whole word of the list, in any case
local function any_word(list)
  local groups = {}
  for w in list:gmatch "%S+" do
    local c = sub(w, 1, 1)
    groups[c] = groups[c] or {}
    groups[c][#groups[c] + 1] = w
  end
  local firsts = {}
  for c in pairs(groups) do firsts[#firsts + 1] = c end
  sort(firsts)
  local branches = {}
  for i, c in ipairs(firsts) do
    local words = groups[c]
    sort(words, function(a, b) return #a > #b or #a == #b and a < b end)
    local rest = P(false)
    for _, w in ipairs(words) do
      local q = P(true)
      for k = 2, #w do
        local ch = sub(w, k, k)
        q = q * S(ch .. upper(ch))
      end
      rest = rest + q * -word_byte
    end
    branches[i] = S(c .. upper(c)) * rest
  end
  -- a balanced tree of choices: LPeg tests a subtree's first letters at
  -- once, so a word that opens none is rejected in a few tests
  local function tree(i, j)
    if i == j then return branches[i] end
    local mid = (i + j) // 2
    return tree(i, mid) + tree(mid + 1, j)
  end
  return tree(1, #branches)
end
local alnum = R("az", "AZ", "09")
local numeric_start = R"09" + S"+-$" + "\226\136\146"            -- digits, signs, minus
  + "\194" * S"\163\165\188\189\190"                            -- £ ¥ ¼ ½ ¾
  + "\226\130" * R"\160\191" + "\226\133" * R"\144\159"           -- ₠-₿ (€ ₹ ₽ ...), ⅓ ⅔ ⅛
  + R"AZ" * R"AZ"^-2 * "$" + "U.S.$"                               -- US$, HK$, C$
  + R"AZ" * R"AZ" * R"AZ" * -word_byte                             -- USD, EUR
  + any_word(OPENERS)
  + any_word(BEFORE_TIME) * S" \t\n"^1 * (R"09" + any_word(TIME_WORDS))
  + (P"May" + "MAY" + "March" + "MARCH") * -word_byte
  + any_word "may march" * S" \t\n"^1 * R"09"
  + R"az" * (alnum + S"_%+-")^0 * "." * R"az"                       -- host names
  + (alnum + S"_%+-")^1 * "@" * alnum                               -- e-mail
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
        local attrs = {}
        attrs.value = numeric_value(v.kind, v, attrs)
        found[#found + 1] = { start = start, stop = stop, label = label, attrs = attrs,
          key = label .. "\0" .. text:sub(start + 1, stop):lower() }
      end
    end
  end
  return found
end

local function by_position(a, b)
  if a.start ~= b.start then return a.start < b.start end
  return a.stop < b.stop
end

-- Give every mention an entity id, count mentions, and write the layer and
-- the `entities` value.
-- The list sorted by position; names come mostly in order already, so the
-- sort is skipped when it is not needed.
local function sorted(list)
  for i = 2, #list do
    if by_position(list[i], list[i - 1]) then
      sort(list, by_position)
      return list
    end
  end
  return list
end

-- Two lists sorted by position, merged.
local function merge(a, b)
  if #b == 0 then return a end
  local out, i, j, na, nb = {}, 1, 1, #a, #b
  while i <= na or j <= nb do
    if j > nb or i <= na and not by_position(b[j], a[i]) then
      out[#out + 1] = a[i]
      i = i + 1
    else
      out[#out + 1] = b[j]
      j = j + 1
    end
  end
  return out
end

-- mentions: sorted by position.
local function publish(doc, text, mentions)
  local entities, by_key = {}, {}
  for _, m in ipairs(mentions) do
    local e = by_key[m.key]
    if not e then
      e = { id = "E" .. (#entities + 1), label = m.label, name = m.canonical
        or text:sub(m.start + 1, m.stop), mentions = 0, aliases = {}, seen = {} }
      entities[#entities + 1] = e
      by_key[m.key] = e
    end
    e.mentions = e.mentions + 1
    local surface = m.text or text:sub(m.start + 1, m.stop)
    if surface ~= e.name and not e.seen[surface] then
      e.seen[surface] = true
      e.aliases[#e.aliases + 1] = surface
    end
    m.entity = e
  end
  -- doc:add copies what it is given, so one span table and one attrs table
  -- for the names serve every call
  local span, name_attrs = {}, {}
  for _, m in ipairs(mentions) do
    local e = m.entity
    local attrs = m.attrs or name_attrs
    attrs.canonical, attrs.id, attrs.mentions = e.name, e.id, e.mentions
    span.start, span.stop, span.label, span.attrs = m.start, m.stop, m.label, attrs
    doc:add("entity", span)
  end
  -- plain numbers are spans only: listing every "16" would bury the names
  local list = {}
  for _, e in ipairs(entities) do
    if e.label ~= "CARDINAL" then
      list[#list + 1] = { id = e.id, label = e.label, name = e.name, mentions = e.mentions,
        aliases = e.aliases }
    end
  end
  doc:set("entities", list)
end

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
    publish(doc, text, found)
  end,
}
