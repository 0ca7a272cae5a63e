-- The document as flat arrays indexed by token number, read once, so the
-- rules below can look around a token in constant time; and the entity spans
-- of the `entities` pass mapped onto tokens.
--
-- Everything is read in bulk (doc:token_columns, doc:sentence_columns): in
-- the sandbox each field read through a Token view is a call, and a pass
-- that touched every token that way spent most of its time there. What only
-- a few tokens need (capitals, entity attributes) is worked out on demand.
local marks = require "lib.marks"

local ipairs, rawget, rawset, setmetatable, utf8 = ipairs, rawget, rawset, setmetatable, utf8

local MARKS = marks.MARKS

local model = {}

-- The first character of a string (texts are valid UTF-8).
local function first_char(s)
  return s:sub(1, (utf8.offset(s, 2) or #s + 1) - 1)
end
model.first_char = first_char

-- Labels whose entities can be a speaker with an id.
local SPEAKER_LABELS = { PERSON = 3, ORG = 2, GPE = 1 }

local TOKEN_FIELDS = { "start", "stop", "kind", "folded", "sentence" }
local SENTENCE_FIELDS = { "paragraph", "first_token", "last_token" }

-- The tokens that are quotation marks, in order.
local function mark_tokens(src, n, kind, fold, tstart, tstop)
  local at = {}
  local lo = 1
  for _, p in ipairs(marks.positions(src)) do
    p = p - 1
    -- the first token that ends after p, by bisection (marks are few)
    local hi = n
    while lo <= hi do
      local mid = (lo + hi) // 2
      if tstop[mid] <= p then lo = mid + 1 else hi = mid - 1 end
    end
    local i = lo
    if i <= n and tstart[i] == p and kind[i] ~= "word" and MARKS[fold[i]] then at[#at + 1] = i end
  end
  return at
end

-- Arrays by token: fold (the case-folded text; m.text is the same table),
-- kind, start, stop, sent; by sentence: first and last token, paragraph;
-- and mark_at, the tokens that are quotation marks, in order. `src` is
-- doc.text; any_mark, whether it holds a quotation mark.
--
-- Other tokens than words are compared only with strings without letters
-- ("," ":" quotation marks...), and case folding changes letters only, so
-- their folded text serves as their text: the text column is not built.
function model.read(doc, src, any_mark)
  local T = doc:token_columns(TOKEN_FIELDS)
  local S = doc:sentence_columns(SENTENCE_FIELDS)
  local n, kind, fold, tstart, tstop = T.n, T.kind, T.folded, T.start, T.stop
  return {
    n = n, fold = fold, text = fold, cap = {}, kind = kind, start = tstart, stop = tstop,
    sent = T.sentence, sent_first = S.first_token, sent_last = S.last_token,
    sent_para = S.paragraph, doc = doc, src = src,
    mark_at = any_mark and mark_tokens(src, n, kind, fold, tstart, tstop) or {},
  }
end

function model.para(m, i)
  return m.sent_para[m.sent[i]]
end

-- Is the token a word that starts with a capital? (Worked out when first
-- asked: few tokens ever are.)
function model.capital(m, i)
  local c = m.cap[i]
  if c == nil then
    c = m.kind[i] == "word"
      and first_char(m.src:sub(m.start[i] + 1, m.stop[i])) ~= first_char(m.fold[i])
    m.cap[i] = c
  end
  return c
end

-- The entity spans' fields (with the tokens each covers) and attributes a
-- record keeps.
local ENTITY_FIELDS = { "start", "stop", "label", "first_token", "last_token" }
local ENTITY_ATTRS = { "canonical", "id" }

-- Entities whose label cannot be a speaker are only ever tested for being
-- there (a name ends at or covers a token): one shared record stands for
-- them all, and no record is made for each.
local OTHER = { rank = 0 }

-- Entity spans -> records with token ranges. ent_end[i]: the entity ending at
-- token i (a speaker label preferred, then the longest); ent_cover[i]: the
-- entity a token lies in.
function model.entities(m, doc)
  local ent_end, ent_cover, persons = {}, {}, {}
  local src = m.src
  local E = doc:span_columns("entity", ENTITY_FIELDS, ENTITY_ATTRS)
  local starts, stops, labels, firsts, lasts = E.start, E.stop, E.label, E.first_token,
    E.last_token
  local canonicals, ids = E.attrs.canonical, E.attrs.id
  for j = 1, E.n do
    local first, last = firsts[j], lasts[j]
    if last >= first then
      local label = labels[j]
      local rank = SPEAKER_LABELS[label]
      if not rank then
        if not ent_end[last] then ent_end[last] = OTHER end
        for k = first, last do
          if not ent_cover[k] then ent_cover[k] = OTHER end
        end
      else
        local start, stop = starts[j], stops[j]
        local e = { start = start, stop = stop, first = first, last = last, label = label,
          rank = rank, canonical = canonicals[j] or src:sub(start + 1, stop), id = ids[j] }
        if label == "PERSON" then persons[#persons + 1] = e end
        local old = ent_end[last]
        if not old or rank > old.rank or (rank == old.rank and first < old.first) then
          ent_end[last] = e
        end
        for k = first, last do
          local c = ent_cover[k]
          if not c or rank > c.rank then ent_cover[k] = e end
        end
      end
    end
  end
  m.ent_end, m.ent_cover = ent_end, ent_cover
  -- PERSON mentions in order, for pronouns
  m.persons = persons
end

return model
