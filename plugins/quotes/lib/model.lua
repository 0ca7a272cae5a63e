-- The document as flat arrays indexed by token number, read once, so the
-- rules below can look around a token in constant time; and the entity spans
-- of the `entities` pass mapped onto tokens.
local ipairs, utf8 = ipairs, utf8

local model = {}

-- The first character of a string (texts are valid UTF-8).
local function first_char(s)
  return s:sub(1, (utf8.offset(s, 2) or #s + 1) - 1)
end
model.first_char = first_char

-- Labels whose entities can be a speaker with an id.
local SPEAKER_LABELS = { PERSON = 3, ORG = 2, GPE = 1 }

-- Arrays by token: fold (the case-folded text of words, the text of other
-- tokens; m.text is the same table), cap (a word starting with a capital),
-- word, start, stop, sent; and by sentence: first and last token, paragraph.
function model.read(doc)
  local fold, cap, word, start, stop, sent = {}, {}, {}, {}, {}, {}
  local m = {
    n = 0, fold = fold, text = fold, cap = cap, word = word, start = start, stop = stop,
    sent = sent, sent_first = {}, sent_last = {}, sent_para = {}, doc = doc, src = doc.text,
  }
  local sent_first, sent_last, sent_para = m.sent_first, m.sent_last, m.sent_para
  local n = 0
  for s in doc:sentences() do
    local si = s.index
    sent_para[si] = s.paragraph
    sent_first[si] = n + 1
    for t in s:tokens() do
      n = n + 1
      start[n], stop[n], sent[n] = t.start, t.stop, si
      if t.kind == "word" then
        local folded = t.folded
        word[n], fold[n] = true, folded
        cap[n] = first_char(t.text) ~= first_char(folded)
      else
        word[n], fold[n], cap[n] = false, t.text, false
      end
    end
    sent_last[si] = n
  end
  m.n = n
  return m
end

function model.para(m, i)
  return m.sent_para[m.sent[i]]
end

-- Is the token a word that starts with a capital?
function model.capital(m, i)
  return m.cap[i]
end

-- Entity spans -> records with token ranges. ent_end[i]: the entity ending at
-- token i (a speaker label preferred, then the longest); ent_cover[i]: the
-- entity a token lies in.
function model.entities(m, doc)
  local ents, ent_end, ent_cover = {}, {}, {}
  local i = 1
  for span in doc:spans "entity" do
    local attrs = span.attrs
    local start, stop = span.start, span.stop
    -- spans come sorted by start: the token pointer only moves forward
    while i <= m.n and m.stop[i] <= start do i = i + 1 end
    local first, last = i, i - 1
    while last + 1 <= m.n and m.start[last + 1] < stop do last = last + 1 end
    if last >= first then
      local text = span.text
      local e = {
        start = start, stop = stop, first = first, last = last, label = span.label,
        text = text, canonical = attrs.canonical or text, id = attrs.id,
        rank = SPEAKER_LABELS[span.label] or 0,
      }
      ents[#ents + 1] = e
      local old = ent_end[last]
      if not old or e.rank > old.rank or (e.rank == old.rank and e.first < old.first) then
        ent_end[last] = e
      end
      for k = first, last do
        local c = ent_cover[k]
        if not c or e.rank > c.rank then ent_cover[k] = e end
      end
    end
  end
  m.ents, m.ent_end, m.ent_cover = ents, ent_end, ent_cover
  -- PERSON mentions in order, for pronouns
  local persons = {}
  for _, e in ipairs(ents) do
    if e.label == "PERSON" then persons[#persons + 1] = e end
  end
  m.persons = persons
end

return model
