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

local function verb_lookup(m, lookup)
  local cache = {}
  return function(i)
    if not m.word[i] then return nil end
    local f = m.fold[i]
    local hit = cache[f]
    if hit == nil then
      local class, lemma = lookup(f)
      hit = class and { class, lemma or f } or false
      cache[f] = hit
    end
    if hit then return hit[1], hit[2] end
  end
end

local function is_mark(m, i)
  return not m.word[i] and marks.MARKS[m.text[i]] ~= nil
end

-- The last token of reported content that starts at cs in a sentence ending
-- at sl: the sentence's final stop and closing marks are left out, except a
-- quotation's own closing mark; a clause after ", though" is cut.
local function content_end(m, cs, sl, inq, close_of, first_comma)
  local stop = math.min(sl, cs + WINDOW * 4)
  for k = cs, stop - 1 do
    if m.text[k] == "," and not inq[k] and (first_comma or CUT_CONJ[m.fold[k + 1]]) then
      stop = k - 1
      break
    end
  end
  local e = stop
  while e >= cs and not m.word[e] and (FINAL[m.text[e]] or is_mark(m, e)) do e = e - 1 end
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
    if k <= sl and m.word[k] and not BOUNDARY[m.fold[k]] then return k, false end
    return nil
  end
  for k = i + 1, math.min(sl, i + THAT_WINDOW) do
    if m.fold[k] == "that" then return k + 1, false end
    if is_mark(m, k) or m.text[k] == ";" or m.text[k] == ":" or verb_of(k) then break end
  end
  if class ~= "say" then return nil end
  local k = i + 1
  while k <= sl and m.word[k] and TIME[m.fold[k]] do k = k + 1 end
  if k > sl or not m.word[k] then return nil end
  local f = m.fold[k]
  if model.capital(m, k) or DETERMINER[f] or PRONOUN[f] then return k, true end
  return nil
end

-- "The talks failed, Reuters said." / "..., said Reuters.": the reporting
-- clause closes the sentence and the content is everything before its comma.
local function inverted(m, i, sf, sl, lemma, inq, out)
  local k = i + 1
  while k <= sl and m.word[k] and TIME[m.fold[k]] do k = k + 1 end
  local comma
  if i - 1 > sf and m.text[i - 1] == "," then
    -- ", said Reuters."
    local b = k
    while b <= sl and m.word[b] and b - k < 8 do b = b + 1 end
    if b <= k or (b <= sl and not FINAL[m.text[b]]) then return end
    comma = i - 1
    out[#out + 1] = { kind = "indirect", cue = i, lemma = lemma, cs = sf, ce = comma - 1,
      after = { k, b - 1 }, anchor = i }
    return
  end
  if k <= sl and not FINAL[m.text[k]] then return end
  -- ", Reuters said."
  for c = i - 1, math.max(sf + 1, i - 8), -1 do
    if not m.word[c] then
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

-- Indirect speech in one sentence: candidates {kind, cue, lemma, cs, ce, lo}.
local function sentence_indirect(m, si, verb_of, inq, close_of, out)
  local sf, sl = m.sent_first[si], m.sent_last[si]
  local cues = 0
  for i = sf, sl do
    if cues >= CUES_PER_SENTENCE then break end
    if m.word[i] and not inq[i] then
      local lo = math.max(sf, i - WINDOW)
      if m.fold[i] == "according" and i < sl and m.fold[i + 1] == "to" then
        cues = cues + 1
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
      else
        local class, lemma = verb_of(i)
        if class and class ~= "frame" then
          cues = cues + 1
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
        end
      end
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
  if k > m.n or m.sent[k] ~= m.sent[c] or not m.word[k] then return nil end
  if FINAL[m.text[last]] and model.capital(m, k) then return nil end
  local sl = m.sent_last[m.sent[k]]
  local class, lemma = verb_of(k)
  if class and class ~= "frame" then
    local sp = r:np_after(k + 1, sl)
    if sp then return sp, lemma end
    return nil
  end
  for v = k, math.min(sl, k + 8) do
    if not m.word[v] then break end
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
local function cue_positions(m, verb_of, inq)
  local list = {}
  for i = 1, m.n do
    if m.word[i] and not inq[i] and (verb_of(i)
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

-- Everything: returns the direct quotations and the indirect speech, each
-- with .speaker (a speaker of lib.speakers, or nil) and .cue.
function attribute.find(m, verb_lookup_fn, title_of, opts)
  local verb_of = verb_lookup(m, verb_lookup_fn)
  local quotes = marks.scan(m)
  local inq, close_of = {}, {}
  for _, q in ipairs(quotes) do
    q.kind = "direct"
    q.anchor = q.close_tok or q.last
    for k = q.open_tok, q.close_tok or q.last do inq[k] = q end
    if q.close_tok then close_of[q.close_tok] = q end
  end
  local indirect = {}
  if opts.indirect ~= false then
    for si = 1, #m.sent_first do
      if m.sent_first[si] then sentence_indirect(m, si, verb_of, inq, close_of, indirect) end
    end
  end
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
  local r = speakers.new(m, title_of, verb_of)
  local cues = cue_positions(m, verb_of, inq)
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
