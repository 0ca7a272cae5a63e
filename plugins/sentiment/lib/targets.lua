-- Sentiment about entities: the tone of the clauses that mention each one
-- (not of whole sentences, which often speak of several parties at once).
-- Entity spans come from a pass that ran before this one (the bundled
-- `entities` pass writes them); without them there is nothing to do.
local score = require "lib.score"
-- A table written as a JSON list even when empty ([], not {}).
local list_of = require("lector").json.array

local find, gmatch, sub, sort = string.find, string.gmatch, string.sub, table.sort
local compound_of, NEUTRAL = score.compound, score.NEUTRAL

local targets = {}

-- Labels that name something a text can speak well or ill of.
local NAMED = { PERSON = true, ORG = true, GPE = true, LOC = true, NORP = true, FAC = true,
  PRODUCT = true, EVENT = true, LAW = true, WORK_OF_ART = true }

local SPAN_FIELDS, SPAN_ATTRS = { "start", "stop", "label" }, { "canonical", "id" }

-- doc.layers, looked up once: every Document has the same (a lookup is a
-- call of the userdata's __index).
local layers_of

-- Whether the document has an entity layer: a look at its layer names
-- costs less than the columns of a layer that is not there.
local function has_entities(doc)
  if not layers_of then layers_of = doc.layers end
  for _, layer in ipairs(layers_of(doc)) do
    if layer == "entity" then return true end
  end
  return false
end

-- The named mentions, in text order: {start, stop, key, name, label, id};
-- nil when there are none. Read as columns: no Span or attrs table per
-- entity span.
function targets.mentions(doc)
  if not has_entities(doc) then return nil end
  local text
  local E = doc:span_columns("entity", SPAN_FIELDS, SPAN_ATTRS)
  local starts, stops, labels = E.start, E.stop, E.label
  local canonicals, ids = E.attrs.canonical, E.attrs.id
  local list
  for i = 1, E.n do
    local label = labels[i]
    if NAMED[label] then
      local start, stop = starts[i], stops[i]
      local name = canonicals[i]
      if type(name) ~= "string" then
        text = text or doc.text
        name = text:sub(start + 1, stop)
      end
      local id = ids[i]
      if type(id) ~= "string" then id = nil end
      list = list or {}
      list[#list + 1] = { start = start, stop = stop, key = id or (label .. ":" .. name),
        name = name, label = label, id = id }
    end
  end
  return list
end

-- The mentions' ranges as columns, for the scorer, which counts no word
-- inside a name (and tells it by the mention's number).
function targets.ranges(mentions)
  local starts, stops = {}, {}
  for i = 1, #mentions do
    local m = mentions[i]
    starts[i], stops[i] = m.start, m.stop
  end
  return { start = starts, stop = stops }
end

-- Clause boundaries of a sentence: punctuation, and the contrast and
-- concession words (their offsets come in `cuts`), in order. The marks come
-- in order from one scan; dashes and cuts are rare, and only they need a
-- sort.
local function clause_starts(text, sstart, sstop, cuts)
  local starts, n = { sstart }, 1
  local piece = sub(text, sstart + 1, sstop)
  for at in gmatch(piece, "()[,;:%(%)]") do
    n = n + 1
    starts[n] = sstart + at
  end
  local unsorted = false
  if find(piece, "\226\128[\147\148]") then
    for at in gmatch(piece, "()\226\128[\147\148]") do
      n = n + 1
      starts[n] = sstart + at + 2
    end
    unsorted = true
  end
  for i = 1, #cuts do
    n = n + 1
    starts[n] = cuts[i]
    unsorted = true
  end
  if unsorted then sort(starts) end
  return starts
end

local function clause_of(starts, at)
  local lo, hi = 1, #starts
  while lo < hi do
    local mid = (lo + hi + 1) // 2
    if starts[mid] <= at then lo = mid else hi = mid - 1 end
  end
  return lo
end

-- Add one sentence's clauses to the per-entity table.
--   state = {by_key = {}, order = {}, next = 1 (next mention to place)}
--   items: the sentence's scored words ({{start, contribution}}, or nil
--   when it has none); cuts: offsets of contrast and concession words.
function targets.add_sentence(state, mentions, text, sstart, sstop, items, cuts, index)
  local k = state.next
  while mentions[k] and mentions[k].start < sstart do k = k + 1 end
  if not mentions[k] or mentions[k].start >= sstop then
    state.next = k
    return
  end
  local starts = clause_starts(text, sstart, sstop, cuts)
  local sums = {}
  if items then
    for i = 1, #items do
      local item = items[i]
      local c = clause_of(starts, item[1])
      sums[c] = (sums[c] or 0) + item[2]
    end
  end
  -- the clauses of the sentence each entity was met in: a bit per clause
  -- by row (a key string past the 62nd clause)
  local seen = {}
  local by_key, order = state.by_key, state.order
  while mentions[k] and mentions[k].start < sstop do
    local m = mentions[k]
    local row = by_key[m.key]
    if not row then
      row = { id = m.id, name = m.name, label = m.label, mentions = 0, clauses = 0, sum = 0,
        positive = 0, negative = 0, neutral = 0, sentences = {} }
      by_key[m.key] = row
      order[#order + 1] = row
    end
    row.mentions = row.mentions + 1
    local c = clause_of(starts, m.start)
    local first_in_clause
    if c <= 62 then
      local bits, bit = seen[row] or 0, 1 << c
      first_in_clause = bits & bit == 0
      if first_in_clause then seen[row] = bits | bit end
    else
      local seen_key = m.key .. "\0" .. c
      first_in_clause = not seen[seen_key]
      if first_in_clause then seen[seen_key] = true end
    end
    if first_in_clause then
      local compound = compound_of(sums[c] or 0)
      row.clauses = row.clauses + 1
      row.sum = row.sum + compound
      if compound >= NEUTRAL then row.positive = row.positive + 1
      elseif compound <= -NEUTRAL then row.negative = row.negative + 1
      else row.neutral = row.neutral + 1 end
      local sentences = row.sentences
      if sentences[#sentences] ~= index then sentences[#sentences + 1] = index end
    end
    k = k + 1
  end
  state.next = k
end

-- The table of the `sentiment` value: most mentioned first.
function targets.finish(state, round)
  local list = list_of()
  for i, row in ipairs(state.order) do
    row.first = i
    list[#list + 1] = row
  end
  table.sort(list, function(a, b)
    if a.mentions ~= b.mentions then return a.mentions > b.mentions end
    return a.first < b.first
  end)
  for _, row in ipairs(list) do
    row.compound = round(row.clauses > 0 and row.sum / row.clauses or 0)
    row.sum, row.first = nil, nil
  end
  return list
end

return targets
