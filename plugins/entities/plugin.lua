-- entities: named entities (people, organizations, places, nationalities,
-- facilities, products, events, laws) and numeric expressions (dates,
-- times, money, percentages, quantities, numbers), linked within the
-- document. See README.md and docs/extraction.md ("## entities").
--
-- Work per document is one scan of the text for capitalized words, one
-- scan for numeric expressions, and Lua work per candidate name; no Lua
-- object per token. Lexicons and patterns are built once per plugin
-- state (module locals below).
local names = require "names"

local tostring = tostring
local sort = table.sort
local lower = string.lower

local patterns = lector.patterns

-- Numeric expressions are found by a lector.patterns scanner: one C pass
-- over the text that tries P.any only where an expression can start: a
-- digit, a sign, a currency or fraction sign, a currency code, a host
-- name, or one of the words below with what it requires after it. Trying
-- P.any at every word costs several times more.
-- Words that open an expression: number words, months, weekdays, "early",
-- "late", ... (Ordinal words are left out: P.any reads "first", "second
-- quarter" as an ordinal, which is not an entity.)
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
local MONTH_WORDS = "may march"   -- before a number ("may 5"), or as "May", "MARCH"
local numeric_scanner
local function numeric_scan()
  if not numeric_scanner and patterns and patterns.scanner then
    numeric_scanner = patterns.scanner {
      words = OPENERS, before_time = BEFORE_TIME, time_words = TIME_WORDS,
      before_digit = MONTH_WORDS, capitalized = MONTH_WORDS,
    }
  end
  return numeric_scanner
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
  local scanner = numeric_scan()
  if not scanner then return found end
  local ti, n = 1, #taken
  for start, stop, v in scanner:find(text) do
    local label = NUMERIC[v.kind]
    if label then
      while ti <= n and taken[ti].stop <= start do ti = ti + 1 end
      if not (ti <= n and taken[ti].start < stop) then
        local attrs = { value = nil, unit = nil, currency = nil }   -- sized for the common attrs
        attrs.value = numeric_value(v.kind, v, attrs)
        local surface = v.text         -- the text matched, as sub(text, start + 1, stop)
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
