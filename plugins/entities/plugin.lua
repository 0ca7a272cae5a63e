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

local ipairs, pairs, type, tostring, error = ipairs, pairs, type, tostring, error
local sort, concat = table.sort, table.concat

local patterns = lector.patterns

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
  if not patterns or not patterns.find or not patterns.any then return found end
  local ti, n = 1, #taken
  for start, stop, v in patterns.find(text, patterns.any) do
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
local function publish(doc, text, mentions)
  sort(mentions, by_position)
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
    local surface = text:sub(m.start + 1, m.stop)
    if surface ~= e.name and not e.seen[surface] then
      e.seen[surface] = true
      e.aliases[#e.aliases + 1] = surface
    end
    m.entity = e
  end
  for _, m in ipairs(mentions) do
    local e = m.entity
    local attrs = m.attrs or {}
    attrs.canonical, attrs.id, attrs.mentions = e.name, e.id, e.mentions
    doc:add("entity", { start = m.start, stop = m.stop, label = m.label, attrs = attrs })
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
    local found = names.find(doc, text, ctx)
    if opts.numbers then
      local taken = {}
      for i, m in ipairs(found) do taken[i] = m end
      sort(taken, by_position)
      for _, m in ipairs(numeric_mentions(text, taken)) do found[#found + 1] = m end
    end
    publish(doc, text, found)
  end,
}
