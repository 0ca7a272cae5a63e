-- Finding reported speech and who said it.
--
-- Direct quotations come from lib.marks; indirect speech is found here, at
-- speech verbs ("said that", "told Tass Sunday that", "reiterated calls
-- for") and "according to". Then every quotation, in text order, gets its
-- speaker: an attribution after it ('," he said'), a speech verb before it
-- in its sentence ("Maduro requested “...”"), or the quotation before it in
-- the paragraph ('“X,” she said. “Y.”'). Text order matters because a
-- pronoun prefers the person of the attribution before it.
local marks = require "lib.marks"
local model = require "lib.model"
local speakers = require "lib.speakers"
local words = require "lib.words"

local ipairs, math, select = ipairs, math, select

local has_according, MARKS = words.has_according, marks.MARKS
local FINAL, TIME, DETERMINER, PRONOUN, BOUNDARY, SKIP = words.FINAL, words.TIME,
  words.DETERMINER, words.PRONOUN, words.BOUNDARY, words.SKIP

-- How far (tokens) "that" may follow its verb: "told Russian news agency
-- Tass Sunday that".
local THAT_WINDOW = 10
-- How far back from a quotation, or from a verb, a speaker is looked for.
local WINDOW = 60
-- Speech verbs looked at per sentence (keeps a pathological sentence linear).
local CUES_PER_SENTENCE = 16
-- Indirect speech without "that" must report at least this many tokens.
local BARE_MIN_TOKENS = 3

local attribute = {}

-- Conjunctions that, after a comma, start a clause the speaker did not say.
local CUT_CONJ = { though = true, although = true, but = true, whereas = true, however = true,
  ["while"] = true }

-- The speech verbs of the document: class and lemma by token, and their
-- tokens in order. `hits` is the verb list's Lexicon scan (every word form
-- of the list in one call); without a Lexicon each word is looked up.
function attribute.verbs(m, hits, lemma_of, class_of)
  local class_at, lemma_at, at = {}, {}, {}
  local function note(i, lemma)
    local class = lemma and class_of(lemma)
    if class then
      class_at[i], lemma_at[i] = class, lemma
      at[#at + 1] = i
    end
  end
  local kind = m.kind
  if hits then
    local first, last, label = hits.first, hits.last, hits.label
    for k = 1, hits.n do
      local i = first[k]
      if last[k] == i and kind[i] == "word" then note(i, label[k]) end
    end
  else
    local fold = m.fold
    for i = 1, m.n do
      if kind[i] == "word" then note(i, lemma_of(fold[i])) end
    end
  end
  return { class = class_at, lemma = lemma_at, at = at }
end

local function verb_lookup(m, verbs)
  local class_at, lemma_at = verbs.class, verbs.lemma
  m.verb_at = class_at
  return function(i)
    local class = class_at[i]
    if class then return class, lemma_at[i] end
  end
end

local function is_mark(m, i)
  return m.kind[i] ~= "word" and marks.MARKS[m.text[i]] ~= nil
end

-- The last token of reported content that starts at cs in a sentence ending
-- at sl: the sentence's final stop and closing marks are left out, except a
-- quotation's own closing mark; a clause after ", though" is cut.
local function content_end(m, cs, sl, inq, close_of, first_comma)
  local stop = math.min(sl, cs + WINDOW * 4)
  local text = m.text
  for k = cs, stop - 1 do
    if text[k] == "," and not inq[k] and (first_comma or CUT_CONJ[text[k + 1]]) then
      stop = k - 1
      break
    end
  end
  local e = stop
  while e >= cs and m.kind[e] ~= "word" and (FINAL[m.text[e]] or is_mark(m, e)) do e = e - 1 end
  for k = e + 1, stop do
    local q = close_of[k]
    if q and q.open_tok >= cs then e = k end
  end
  return e
end

-- Where reported content starts after a speech verb at token i, or nil.
local function content_start(m, i, sl, class, verb_of)
  if class == "content" then
    local k = i + 1
    if k <= sl and m.kind[k] == "word" and not BOUNDARY[m.fold[k]] then return k, false end
    return nil
  end
  local fold, kind, verb_at = m.fold, m.kind, m.verb_at
  for k = i + 1, math.min(sl, i + THAT_WINDOW) do
    local f = fold[k]
    if f == "that" then return k + 1, false end
    -- is_mark, ";", ":" or a speech verb
    if (MARKS[f] and kind[k] ~= "word") or f == ";" or f == ":" or verb_at[k] then break end
  end
  if class ~= "say" then return nil end
  local k = i + 1
  while k <= sl and m.kind[k] == "word" and TIME[m.fold[k]] do k = k + 1 end
  if k > sl or m.kind[k] ~= "word" then return nil end
  local f = m.fold[k]
  if model.capital(m, k) or DETERMINER[f] or PRONOUN[f] then return k, true end
  return nil
end

-- "The talks failed, Reuters said." / "..., said Reuters.": the reporting
-- clause closes the sentence and the content is everything before its comma.
local function inverted(m, i, sf, sl, lemma, inq, out)
  local k = i + 1
  while k <= sl and m.kind[k] == "word" and TIME[m.fold[k]] do k = k + 1 end
  local comma
  if i - 1 > sf and m.text[i - 1] == "," then
    -- ", said Reuters."
    local b = k
    while b <= sl and m.kind[b] == "word" and b - k < 8 do b = b + 1 end
    if b <= k or (b <= sl and not FINAL[m.text[b]]) then return end
    comma = i - 1
    out[#out + 1] = { kind = "indirect", cue = i, lemma = lemma, cs = sf, ce = comma - 1,
      after = { k, b - 1 }, anchor = i }
    return
  end
  if k <= sl and not FINAL[m.text[k]] then return end
  -- ", Reuters said."
  for c = i - 1, math.max(sf + 1, i - 8), -1 do
    if m.kind[c] ~= "word" then
      if m.text[c] == "," then comma = c end
      break
    end
  end
  if not comma or is_mark(m, comma - 1) or inq[comma - 1] then return end
  local ce = comma - 1
  if ce >= sf then
    out[#out + 1] = { kind = "indirect", cue = i, lemma = lemma, cs = sf, ce = ce,
      lo = comma + 1, anchor = i }
  end
end

-- Indirect speech at a candidate cue, token i of a sentence sf..sl:
-- candidates {kind, cue, lemma, cs, ce, lo} go to `out`. Returns 1 when
-- the token is a cue (it counts against CUES_PER_SENTENCE), else 0.
local function indirect_at(m, i, sf, sl, verb_of, inq, close_of, out)
  local lo = math.max(sf, i - WINDOW)
  if m.fold[i] == "according" and i < sl and m.fold[i + 1] == "to" then
    local src_last = i + 1
    while src_last + 1 <= sl and m.text[src_last + 1] ~= "," and src_last - i < WINDOW do
      src_last = src_last + 1
    end
    local cs, ce
    if i == sf and src_last + 2 <= sl then
      cs = src_last + 2
      ce = content_end(m, cs, sl, inq, close_of, false)
    elseif i - 1 > sf and m.text[i - 1] == "," then
      cs, ce = sf, i - 2
    end
    if cs and ce >= cs then
      out[#out + 1] = { kind = "indirect", cue = i, lemma = "according to", cs = cs, ce = ce,
        src = { i + 2, src_last }, anchor = i }
    end
    return 1
  end
  local class, lemma = verb_of(i)
  if not class or class == "frame" then return 0 end
  local cs, bare = content_start(m, i, sl, class, verb_of)
  local after_quote = i > sf and (is_mark(m, i - 1) or (m.text[i - 1] == ","
    and i - 2 >= sf and is_mark(m, i - 2)))
  local before = #out
  if not after_quote and class ~= "content" then inverted(m, i, sf, sl, lemma, inq, out) end
  if cs and not after_quote and #out == before then
    local ce = content_end(m, cs, sl, inq, close_of, class == "content")
    if ce >= cs and (not bare or ce - cs + 1 >= BARE_MIN_TOKENS) then
      out[#out + 1] = { kind = "indirect", cue = i, lemma = lemma, cs = cs, ce = ce,
        lo = lo, anchor = i }
    end
  end
  return 1
end

-- Indirect speech in the whole document, sentence by sentence, looking only
-- at the candidate cues (speech verbs and "according", in token order).
local function find_indirect(m, cands, verb_of, inq, close_of, out)
  local sent, sent_first, sent_last = m.sent, m.sent_first, m.sent_last
  local cur, cues = nil, 0
  for _, i in ipairs(cands) do
    local si = sent[i]
    if si ~= cur then cur, cues = si, 0 end
    if cues < CUES_PER_SENTENCE and not inq[i] then
      cues = cues + indirect_at(m, i, sent_first[si], sent_last[si], verb_of, inq, close_of, out)
    end
  end
end

-- After a quotation: '," he said', '," said Peskov', '!" the spokesperson added'.
local function after_quote(r, m, q, verb_of)
  local c = q.close_tok
  if not c or c >= m.n then return nil end
  local last = q.last
  local k = c + 1
  if m.text[k] == "," then k = k + 1 end
  if k > m.n or m.sent[k] ~= m.sent[c] or m.kind[k] ~= "word" then return nil end
  if FINAL[m.text[last]] and model.capital(m, k) then return nil end
  local sl = m.sent_last[m.sent[k]]
  local class, lemma = verb_of(k)
  if class and class ~= "frame" then
    local sp = r:np_after(k + 1, sl)
    if sp then return sp, lemma end
    return nil
  end
  for v = k, math.min(sl, k + 8) do
    if m.kind[v] ~= "word" then break end
    class, lemma = verb_of(v)
    if class and class ~= "frame" and class ~= "content" then
      return r:subject_before(v, k, verb_of), lemma
    end
    if BOUNDARY[m.fold[v]] and not SKIP[m.fold[v]] then break end
  end
  return nil
end

-- The speech verbs and "according to" outside quotations, in text order,
-- so a quotation finds the ones before it without walking every token.
local function cue_positions(m, cands, verb_of, inq)
  local list = {}
  for _, i in ipairs(cands) do
    if not inq[i] and (verb_of(i)
        or (m.fold[i] == "according" and i < m.n and m.fold[i + 1] == "to")) then
      list[#list + 1] = i
    end
  end
  return list
end

-- The index in `cues` of the last cue before token `pos` (0 when none).
local function last_cue(cues, pos)
  local lo, hi = 1, #cues
  while lo <= hi do
    local mid = (lo + hi) // 2
    if cues[mid] < pos then lo = mid + 1 else hi = mid - 1 end
  end
  return hi
end

-- Before a quotation in its sentence: the nearest speech verb (any class,
-- "labeling them as “unacceptable”" too) with a subject, or "according to".
local function before_quote(r, m, from, verb_of, cues)
  local sf = m.sent_first[m.sent[from]]
  local lo = math.max(sf, from - WINDOW)
  for c = last_cue(cues, from), 1, -1 do
    local k = cues[c]
    if k < lo then break end
    if m.fold[k] == "according" then
      local b = k + 2
      while b + 1 < from and m.text[b + 1] ~= "," do b = b + 1 end
      local sp = r:source(k + 2, b)
      if sp then return sp, "according to" end
    else
      local sp = r:subject_before(k, math.max(lo, k - WINDOW), verb_of)
      if sp then return sp, select(2, verb_of(k)) end
    end
  end
  return nil
end

-- A quotation opening its sentence after "X said:" at the end of the
-- sentence before.
local function colon_before(r, m, q, verb_of, cues)
  local o = q.open_tok
  if o <= 1 or m.sent_first[m.sent[o]] ~= o or m.text[o - 1] ~= ":" then return nil end
  return before_quote(r, m, o - 1, verb_of, cues)
end

local function resolve_direct(r, m, q, verb_of, cues, prev)
  local sp, cue = after_quote(r, m, q, verb_of)
  if not sp then sp, cue = before_quote(r, m, q.open_tok, verb_of, cues) end
  if not sp then sp, cue = colon_before(r, m, q, verb_of, cues) end
  if not sp and prev and prev.speaker then
    local p_para, q_para = model.para(m, prev.last), model.para(m, q.open_tok)
    local opens_para = m.sent_first[m.sent[q.open_tok]] == q.open_tok
    if p_para == q_para or (opens_para and p_para == q_para - 1) then
      q.inherited = true
      return prev.speaker, prev.cue
    end
  end
  return sp, cue
end

local function resolve_indirect(r, m, c, verb_of)
  if c.src then return r:source(c.src[1], c.src[2]) end
  if c.after then return r:np_after(c.after[1], c.after[2]) end
  return r:subject_before(c.cue, c.lo, verb_of)
end

-- Tokens that are "according" (ASCII letters only fold to it, so a text
-- without it in any case has none: words.has_according usually settles it).
local function according_at(m)
  local at = {}
  if not has_according(m.src) then return at end
  local kind, fold = m.kind, m.fold
  for i = 1, m.n do
    if kind[i] == "word" and fold[i] == "according" then at[#at + 1] = i end
  end
  return at
end

-- Two ascending lists of token indices as one, without repeats.
local function merge(x, y)
  if #y == 0 then return x end
  local out, a, b = {}, 1, 1
  while a <= #x or b <= #y do
    local u, v = x[a], y[b]
    if v == nil or (u ~= nil and u < v) then
      out[#out + 1], a = u, a + 1
    elseif u == v then
      out[#out + 1], a, b = u, a + 1, b + 1
    else
      out[#out + 1], b = v, b + 1
    end
  end
  return out
end

-- Everything: returns the direct quotations and the indirect speech, each
-- with .speaker (a speaker of lib.speakers, or nil) and .cue. `verbs` is
-- attribute.verbs(m, ...). The entity spans are read only when there is
-- something to attribute.
function attribute.find(m, verbs, title_of, opts)
  local verb_of = verb_lookup(m, verbs)
  local quotes = marks.scan(m)
  local inq, close_of = {}, {}
  for _, q in ipairs(quotes) do
    q.kind = "direct"
    q.anchor = q.close_tok or q.last
    for k = q.open_tok, q.close_tok or q.last do inq[k] = q end
    if q.close_tok then close_of[q.close_tok] = q end
  end
  local cands = merge(verbs.at, according_at(m))
  local indirect = {}
  if opts.indirect ~= false then find_indirect(m, cands, verb_of, inq, close_of, indirect) end
  if #quotes == 0 and #indirect == 0 then return quotes, indirect end
  -- both lists are in anchor order already: merge them
  local events, a, b = {}, 1, 1
  while a <= #quotes or b <= #indirect do
    local q, c = quotes[a], indirect[b]
    if q and (not c or q.anchor <= c.anchor) then
      events[#events + 1], a = q, a + 1
    else
      events[#events + 1], b = c, b + 1
    end
  end
  model.entities(m, m.doc)
  local r = speakers.new(m, title_of, verb_of)
  local cues = cue_positions(m, cands, verb_of, inq)
  local prev
  for _, e in ipairs(events) do
    if e.kind == "direct" then
      e.speaker, e.cue = resolve_direct(r, m, e, verb_of, cues, prev)
      prev = e
    else
      e.speaker = resolve_indirect(r, m, e, verb_of)
      e.cue = e.lemma
    end
    if e.speaker and not e.inherited then r:remember(e.speaker, e.anchor) end
  end
  return quotes, indirect
end

attribute.is_mark = is_mark

return attribute
