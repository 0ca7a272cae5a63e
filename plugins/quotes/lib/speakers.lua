-- Who spoke: the noun phrase of an attribution ("Kremlin spokesperson Dmitry
-- Peskov told", "he said", "the spokesperson added", "according to X") turned
-- into a speaker, resolved to an entity where the text allows.
--
-- A speaker is {text, start, stop (the words of the attribution), ent (the
-- entity it resolved to, or nil), mention (the entity mention that resolved
-- it), via = "name" | "title" | "pronoun" | "relative" | "possessive" | "text"}.
local model = require "lib.model"
local words = require "lib.words"

local ipairs, math, setmetatable = ipairs, math, setmetatable

local SKIP, PRONOUN, DETERMINER, BOUNDARY = words.SKIP, words.PRONOUN, words.DETERMINER,
  words.BOUNDARY
local PREPOSITION, SPEECH_NOUN, NP_CUT = words.PREPOSITION, words.SPEECH_NOUN, words.NP_CUT

-- The longest noun phrase an attribution may have, in tokens.
local NP_MAX = 8
-- "according to ..." may name a longer source.
local SOURCE_MAX = 14
-- How many paragraphs back a pronoun may find its person.
local PRONOUN_PARAGRAPHS = 2
-- How many person mentions a pronoun looks at, at most.
local PRONOUN_LOOKBACK = 50

local PASSIVE = { was = true, were = true, is = true, are = true, been = true, be = true,
  being = true }

local R = {}
R.__index = R

local speakers = {}

local function key(e)
  return e.id or e.canonical
end

-- The last element of a list sorted by `field` whose field is below `pos`.
local function last_before(list, field, pos)
  local lo, hi = 1, #list
  while lo <= hi do
    local mid = (lo + hi) // 2
    if list[mid][field] < pos then lo = mid + 1 else hi = mid - 1 end
  end
  return hi
end

-- Titles: "Kremlin spokesperson Dmitry Peskov", "Mr. Peskov", "Maria
-- Zakharova, the ministry's spokesperson," name the person a later "the
-- spokesperson" means. Collected once, in document order.
local function collect_titles(m, title_of)
  local by_title, gender = {}, {}
  local function note(title, e)
    local who = title_of(title)
    if not who then return false end
    local list = by_title[title]
    if not list then list = {}; by_title[title] = list end
    list[#list + 1] = { pos = e.first, ent = e }
    if who == "man" then gender[key(e)] = "m" elseif who == "woman" then gender[key(e)] = "f" end
    return true
  end
  for _, e in ipairs(m.persons) do
    -- before the name: up to three words, capitalized or titles
    local k, floor = e.first - 1, m.sent_first[m.sent[e.first]]
    while k >= floor and k >= e.first - 3 and m.kind[k] == "word" do
      if note(m.fold[k], e) then break end
      if not model.capital(m, k) then break end
      k = k - 1
    end
    -- after it, as an apposition: ", the ministry's spokesperson,"
    local a = e.last + 1
    if a <= m.n and m.text[a] == "," and m.sent[a] == m.sent[e.last] then
      for j = a + 1, math.min(a + 5, m.sent_last[m.sent[a]]) do
        if m.kind[j] ~= "word" then break end
        if note(m.fold[j], e) then break end
      end
    end
  end
  return by_title, gender
end

function speakers.new(m, title_of, verb_of)
  local r = setmetatable({ m = m, title_of = title_of, verb_of = verb_of, history = {} }, R)
  r.by_title, r.gender = collect_titles(m, title_of)
  return r
end

local function from_entity(m, e, via, a, b)
  a, b = a or e.first, b or e.last
  return { text = m.src:sub(m.start[a] + 1, m.stop[b]), start = m.start[a], stop = m.stop[b],
    ent = e, mention = e, via = via }
end

local function from_text(m, a, b, via)
  return { text = m.src:sub(m.start[a] + 1, m.stop[b]), start = m.start[a], stop = m.stop[b],
    via = via or "text" }
end

-- An attribution that named a person: later pronouns prefer it.
function R:remember(sp, pos)
  if sp and sp.ent and sp.ent.label == "PERSON" then
    self.history[#self.history + 1] = { pos = pos, ent = sp.ent }
  end
end

function R:gender_ok(e, g)
  local known = self.gender[key(e)]
  return not known or g == "" or known == g
end

-- Is this mention the subject of its sentence (its first words)?
local function opens_sentence(m, e)
  return e.first == m.sent_first[m.sent[e.first]]
end

-- "he"/"she" at token j: the person of the previous attribution, unless
-- another person opened a sentence since; otherwise the only person named
-- in this paragraph and the one before. Unsure: the pronoun stays text.
function R:pronoun(j)
  local m = self.m
  local g = PRONOUN[m.fold[j]]
  local sp = from_text(m, j, j, "pronoun")
  if g == "" then return sp end
  local para = model.para(m, j)
  local floor = para - PRONOUN_PARAGRAPHS
  local persons = m.persons
  local top = last_before(persons, "last", j)
  local prev
  for h = #self.history, 1, -1 do
    local entry = self.history[h]
    if entry.pos < j then
      if model.para(m, entry.pos) >= floor and self:gender_ok(entry.ent, g) then prev = entry end
      break
    end
  end
  local seen, distinct, only = {}, 0, nil
  for k = top, math.max(1, top - PRONOUN_LOOKBACK), -1 do
    local e = persons[k]
    if model.para(m, e.first) < floor or (prev and e.last <= prev.pos) then break end
    if not seen[key(e)] then
      seen[key(e)] = true
      distinct = distinct + 1
      only = e
    end
    if prev and key(e) ~= key(prev.ent) and opens_sentence(m, e) then return sp end
  end
  local e = prev and prev.ent or (distinct == 1 and self:gender_ok(only, g) and only) or nil
  if not e then return sp end
  if g ~= "" and not self.gender[key(e)] then self.gender[key(e)] = g end
  sp.ent, sp.mention = e, (prev and prev.ent or only)
  return sp
end

-- The person last named with this title before token `pos`.
function R:titled(title, pos)
  local list = self.by_title[title]
  if not list then return nil end
  local k = last_before(list, "pos", pos)
  return k >= 1 and list[k].ent or nil
end

-- The noun phrase whose last word (its head) is token h, walking back no
-- further than token lo.
function R:np_ending(h, lo)
  local m = self.m
  if h < lo or m.kind[h] ~= "word" then return nil end
  local f = m.fold[h]
  if PRONOUN[f] then return self:pronoun(h) end
  if BOUNDARY[f] or DETERMINER[f] or SKIP[f] or self.verb_of(h) then return nil end
  local e = m.ent_end[h]
  if e and e.rank > 0 and e.first >= lo then
    -- "diplomats in Caracas": the place only modifies the noun before it
    local b = e.first - 1
    if b >= lo and m.kind[b] == "word" and DETERMINER[m.fold[b]] then b = b - 1 end
    if not (b > lo and PREPOSITION[m.fold[b]] and m.kind[b - 1] == "word"
        and not BOUNDARY[m.fold[b - 1]] and not m.ent_end[b - 1]) then
      return from_entity(m, e, "name")
    end
    local sp = self:np_ending(b - 1, lo)
    if sp and sp.via ~= "pronoun" then
      sp.text, sp.stop = m.src:sub(sp.start + 1, e.stop), e.stop
    end
    return sp
  end
  local a = h
  while a - 1 >= lo and h - a + 1 < NP_MAX and m.kind[a - 1] == "word" do
    local g = m.fold[a - 1]
    if DETERMINER[g] then a = a - 1; break end
    if BOUNDARY[g] or PRONOUN[g] then break end
    a = a - 1
  end
  return self:np_head(a, h)
end

-- A noun phrase a..h whose head is h: a title names the person who last
-- had it, a speech noun ("Peskov's comments") its possessor; otherwise the
-- words themselves are the speaker.
function R:np_head(a, h)
  local m = self.m
  local f = m.fold[h]
  if self.title_of(f) then
    local e = self:titled(f, a)
    if e then
      local sp = from_text(m, a, h, "title")
      sp.ent, sp.mention = e, e
      return sp
    end
  elseif SPEECH_NOUN[f] then
    for k = h - 1, a, -1 do
      local e = m.ent_cover[k]
      if e and e.rank > 0 then
        local sp = from_text(m, a, h, "possessive")
        sp.ent, sp.mention = e, e
        return sp
      end
    end
  end
  return from_text(m, a, h)
end

local function is_participle(m, v)
  return m.fold[v]:sub(-3) == "ing"
end

-- The subject of the verb at token v ("Peskov told", "Zakharova, who
-- reiterated", "Türk condemned ..., labeling"), looking no further back
-- than token lo.
function R:subject_before(v, lo, verb_of)
  local m = self.m
  -- a passive ("it was said that") names no speaker
  if v - 1 >= lo and PASSIVE[m.fold[v - 1]] then return nil end
  local j = v - 1
  while j >= lo and j > v - NP_MAX and m.kind[j] == "word" and SKIP[m.fold[j]] do j = j - 1 end
  if j < lo then return nil end
  local f = m.fold[j]
  if f == "who" or f == "which" then
    local k = j - 1
    if k >= lo and m.text[k] == "," then k = k - 1 end
    local sp = self:np_ending(k, lo)
    if sp and sp.via == "name" then sp.via = "relative" end
    return sp
  end
  if m.text[j] == "," and is_participle(m, v) then return self:main_subject(v, lo, verb_of) end
  return self:np_ending(j, lo)
end

-- A participle after a comma ("..., labeling them as"): its subject is the
-- clause's, found through an earlier speech verb or the last entity that
-- stands before a verb.
function R:main_subject(v, lo, verb_of)
  local m = self.m
  for k = v - 1, lo, -1 do
    if m.kind[k] == "word" and verb_of(k) and not is_participle(m, k) then
      local sp = self:subject_before(k, lo, verb_of)
      if sp then return sp end
    end
  end
  for k = v - 1, lo, -1 do
    local e = m.ent_end[k]
    if e and e.rank > 0 and e.first >= lo then
      local before, after = e.first - 1, e.last + 1
      while after < v and m.kind[after] == "word" and SKIP[m.fold[after]] do after = after + 1 end
      local free = before < lo or m.kind[before] ~= "word"
        or not (DETERMINER[m.fold[before]] or PREPOSITION[m.fold[before]])
      if free and after < v and m.kind[after] == "word" and not model.capital(m, after)
          and not BOUNDARY[m.fold[after]] and not DETERMINER[m.fold[after]] then
        return from_entity(m, e, "name")
      end
    end
  end
  return nil
end

-- A noun phrase starting at token a ("said Peskov", "according to X"),
-- up to token hi: capitalized words, titles, determiners.
function R:np_after(a, hi)
  local m = self.m
  if a > hi or m.kind[a] ~= "word" then return nil end
  if PRONOUN[m.fold[a]] then return self:pronoun(a) end
  local b = a - 1
  while b + 1 <= hi and b - a + 2 <= NP_MAX and m.kind[b + 1] == "word" do
    local g = m.fold[b + 1]
    local ok = model.capital(m, b + 1) or self.title_of(g)
      or (b + 1 == a and DETERMINER[g]) or (m.ent_cover[b + 1] and b + 1 > a)
    if not ok then break end
    b = b + 1
  end
  if b < a then return nil end
  local e = m.ent_end[b]
  if e and e.rank > 0 and e.first >= a then return from_entity(m, e, "name") end
  return self:np_head(a, b)
end

-- The source after "according to", tokens a..(comma or sentence end).
function R:source(a, hi)
  local m = self.m
  local b = a - 1
  while b + 1 <= hi and b - a + 2 <= SOURCE_MAX and m.kind[b + 1] == "word" do
    if b + 1 > a and NP_CUT[m.fold[b + 1]] then break end
    b = b + 1
  end
  if b < a then return nil end
  if PRONOUN[m.fold[a]] and a == b then return self:pronoun(a) end
  local first = a
  if DETERMINER[m.fold[first]] and first < b then first = first + 1 end
  local e = m.ent_end[b]
  if e and e.rank > 0 and e.first <= first then return from_entity(m, e, "name") end
  return self:np_head(a, b)
end

return speakers
