-- Sentiment about entities: the tone of the clauses that mention each one
-- (not of whole sentences, which often speak of several parties at once).
-- Entity spans come from a pass that ran before this one (the bundled
-- `entities` pass writes them); without them there is nothing to do.
-- A table written as a JSON list even when empty ([], not {}).
local list_of = require("lector").json.array

local sub = string.sub

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

-- The named mentions, in text order, as columns: n, start, stop, key (a
-- number that the mentions of one entity share, from 1), and the name,
-- label and id of each; nil when there are none. Read as columns: no Span
-- or attrs table per entity span.
function targets.mentions(doc)
  if not has_entities(doc) then return nil end
  local text
  local E = doc:span_columns("entity", SPAN_FIELDS, SPAN_ATTRS)
  local starts, stops, labels = E.start, E.stop, E.label
  local canonicals, ids = E.attrs.canonical, E.attrs.id
  local M, n, keys, nkeys
  for i = 1, E.n do
    local label = labels[i]
    if NAMED[label] then
      local start = starts[i]
      local name = canonicals[i]
      if type(name) ~= "string" then
        text = text or doc.text
        name = sub(text, start + 1, stops[i])
      end
      local id = ids[i]
      if type(id) ~= "string" then id = nil end
      if not M then
        M = { start = {}, stop = {}, key = {}, name = {}, label = {}, id = {} }
        n, keys, nkeys = 0, {}, 0
      end
      local key = id or (label .. ":" .. name)
      local number = keys[key]
      if not number then
        nkeys = nkeys + 1
        number = nkeys
        keys[key] = number
      end
      n = n + 1
      M.start[n], M.stop[n], M.key[n] = start, stops[i], number
      M.name[n], M.label[n], M.id[n] = name, label, id or false
    end
  end
  if M then M.n = n end
  return M
end

-- The mentions' ranges, for the scorer, which counts no word inside a
-- name.
function targets.ranges(M)
  return { start = M.start, stop = M.stop }
end

-- The table of the `sentiment` value from the scorer's out.targets (one
-- row per entity, most mentioned first, then in the order its first
-- mention was counted).
function targets.finish(T, M, round)
  local list = list_of()
  local mention, mentions, clauses, sums = T.mention, T.mentions, T.clauses, T.sum
  local positive, negative, neutral, sentences = T.positive, T.negative, T.neutral, T.sentences
  local names, labels, ids = M.name, M.label, M.id
  for i = 1, T.n do
    local m = mention[i]
    local id = ids[m]
    list[i] = { id = id or nil, name = names[m], label = labels[m], mentions = mentions[i],
      clauses = clauses[i], positive = positive[i], negative = negative[i],
      neutral = neutral[i], sentences = sentences[i],
      compound = round(clauses[i] > 0 and sums[i] / clauses[i] or 0) }
  end
  return list
end

return targets
