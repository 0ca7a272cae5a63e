-- Scoring one sentence from its lexicon hits: the valence of each word or
-- expression, changed by the rules around it (boosters, negation,
-- capitals, scare quotes, contrast and concession), summed and squashed
-- into a compound score in [-1, 1]. Only the hits are visited, never every
-- token, so the cost grows with the number of sentiment words.
local lpeg = require "lpeg"
local rules = require "lib.rules"
local lexicons = require "lib.lexicons"

local exp, max, min = math.exp, math.max, math.min
local byte, format = string.byte, string.format
local P, S, Cp, match = lpeg.P, lpeg.S, lpeg.Cp, lpeg.match

local score = {}

local ROLE, K = rules.ROLE, rules.K
-- |compound| below this is neutral.
score.NEUTRAL = K.neutral

-- tanh, which Lua's math library lacks; exact enough and safe for any x.
local function squash(x)
  if x > 20 then return 1 elseif x < -20 then return -1 end
  local e = exp(2 * x)
  return (e - 1) / (e + 1)
end
score.squash = squash

function score.compound(sum)
  return squash(sum / K.scale)
end

-- Clause marks, found with LPeg: a Lua pattern tries its class at every
-- byte of a sentence, LPeg runs over the bytes that are none in one step.
local DASH = P "\226\128" * S "\147\148"               -- en and em dash
local CLAUSE_MARK = S ",;:()"
local BOUNDARY_MARK = S ",;:()[]!?" + DASH
-- the position of the first boundary mark, or nil
local FIRST_BOUNDARY = (1 - BOUNDARY_MARK)^0 * Cp() * BOUNDARY_MARK
-- the position of the first clause mark or dash, else #s + 1
local FIRST_CLAUSE_END = (1 - (CLAUSE_MARK + DASH))^0 * Cp()
-- the position after the last clause mark (dashes aside), else 1
local AFTER_LAST_CLAUSE_MARK = ((1 - CLAUSE_MARK)^0 * CLAUSE_MARK)^0 * Cp()

-- The bytes a boundary mark can start with: the marks themselves and the
-- first byte of the dashes.
local MAY_BOUND = { [226] = true }
for c in (",;:()[]!?"):gmatch "." do MAY_BOUND[byte(c)] = true end

-- Punctuation that ends a clause: rules do not reach across it. A gap of
-- up to 8 bytes with none of MAY_BOUND (most: " the ", " of the ") is
-- settled by its bytes, without a string or a match (each costs more than
-- the rest of a word's rules).
local function has_boundary(text, from, to)
  if to <= from then return false end
  if to - from <= 8 then
    local a, b, c, d, e, f, g, h = byte(text, from + 1, to)
    if not (MAY_BOUND[a] or MAY_BOUND[b] or MAY_BOUND[c] or MAY_BOUND[d] or MAY_BOUND[e]
        or MAY_BOUND[f] or MAY_BOUND[g] or MAY_BOUND[h]) then
      return false
    end
  end
  return match(FIRST_BOUNDARY, text:sub(from + 1, to)) ~= nil
end
score.has_boundary = has_boundary

-- Where the clause that starts at `from` ends (0-based, exclusive).
local function clause_end(text, from, stop)
  local piece = text:sub(from + 1, stop)
  local at = match(FIRST_CLAUSE_END, piece)
  return at <= #piece and from + at - 1 or stop
end

-- Where the clause holding offset `at` starts (0-based), within the sentence.
local function clause_start(text, sstart, at)
  return sstart + match(AFTER_LAST_CLAUSE_MARK, text:sub(sstart + 1, at)) - 1
end

local OPEN = { ['"'] = true, ["'"] = true, ["`"] = true, ["\u{201C}"] = true,
  ["\u{2018}"] = true, ["\u{00AB}"] = true }
local CLOSE = { ['"'] = true, ["'"] = true, ["\u{201D}"] = true, ["\u{2019}"] = true,
  ["\u{00BB}"] = true }

-- The last byte of each opening mark of OPEN.
local QUOTE_LAST_BYTE = { [34] = true, [39] = true, [96] = true, [0x9C] = true, [0x98] = true,
  [0xAB] = true }

-- A quotation mark right before the hit and one right after it: the
-- writer puts this word, and only it, in quotes.
local function in_scare_quotes(text, start, stop)
  -- most words follow a space: decide on one byte
  if not QUOTE_LAST_BYTE[byte(text, start)] then return false end
  local before = text:sub(start, start)
  if not OPEN[before] then
    before = text:sub(start - 2, start)
    if not OPEN[before] then
      before = text:sub(start - 1, start)
      if not OPEN[before] then return false end
    end
  end
  return CLOSE[text:sub(stop + 1, stop + 1)] or CLOSE[text:sub(stop + 1, stop + 3)]
    or CLOSE[text:sub(stop + 1, stop + 2)] or false
end
score.in_scare_quotes = in_scare_quotes

local function num(x)
  return format("%.2f", x)
end

-- The columns lex:scan builds: text only where it is needed (overrides
-- are keyed by it; explanations show it); elsewhere it is sliced on demand.
-- Labels come back as their roles (relabel), nil for a label that has none.
-- The columns are filled into the same tables for every document (into):
-- no table is made per document.
local FIELDS = { fields = { "start", "stop", "first", "last", "label", "value" }, relabel = ROLE,
  into = {} }
local FIELDS_TEXT = { fields = { "start", "stop", "first", "last", "label", "value", "text" },
  relabel = ROLE, into = {} }

-- Every lexicon hit of a document, with its role and value (the per-run
-- overrides applied): H is lex:scan's columns (H.n hits in text order,
-- entries past H.n left from an earlier document;
-- start, stop, first, last, label (the role), value, and text when
-- with_text or when there are overrides); role and value are H.label and
-- H.value.
-- lex.scan is looked up once: every Lexicon has the same (a lookup is a
-- call of the userdata's __index).
local scan

function score.hits(lex, doc, info, with_text)
  local overrides = info and info.has_overrides and info.overrides
  if not scan then scan = lex.scan end
  local H = scan(lex, doc, (overrides or with_text) and FIELDS_TEXT or FIELDS)
  local role, value = H.label, H.value
  if overrides then
    local texts, key = H.text, lexicons.key
    for i = 1, H.n do
      local o = overrides[key(texts[i])]
      if o then role[i], value[i] = o.role, o.value end
    end
  end
  return H, role, value
end

-- The document score.sentence reads, set by score.begin: its text, its
-- hits' columns and the options of o. A sentence is scored a few times per
-- document, and the sandbox counts every instruction: upvalues set once
-- per document spare each call a dozen arguments and look-ups.
local TEXT, HSTART, HSTOP, HFIRST, HLAST, HTEXT, ROLES, VALUES
local EXPLAIN, ITEMS, BLOCKED

-- o: {explain = bool, items = bool, blocked = function(start, stop) -> name|nil}.
function score.begin(text, H, role, value, o)
  TEXT, HSTART, HSTOP, HFIRST, HLAST, HTEXT = text, H.start, H.stop, H.first, H.last, H.text
  ROLES, VALUES = role, value
  EXPLAIN, ITEMS, BLOCKED = o.explain, o.items, o.blocked
end

-- Let go of the document (its text and hits).
function score.finish()
  TEXT, HSTART, HSTOP, HFIRST, HLAST, HTEXT = nil, nil, nil, nil, nil, nil
  ROLES, VALUES, BLOCKED = nil, nil, nil
end

-- The text of hit i of the document.
local function hit_text(i)
  return HTEXT and HTEXT[i] or TEXT:sub(HSTART[i] + 1, HSTOP[i])
end

local LOWER_A, LOWER_Z = byte "a", byte "z"
local NEG_SCOPE, BOOST_REACH, BOOST_DECAY = K.neg_scope, K.boost_reach, K.boost_decay
local REACH = max(K.neg_scope, K.boost_reach)
local NEG_FACTOR, NEG_NEGATIVE, CAPS = K.neg_factor, K.neg_negative, K.caps
local SCARE_POSITIVE, SCARE_NEGATIVE = K.scare_positive, K.scare_negative
local BARE_NEGATION, EXCL, EXCL_MAX, SCALE = K.bare_negation, K.excl, K.excl_max, K.scale

-- Roles that end a look-back from a valence word: their words are not
-- the rules of the word after them.
local STOPS_LOOK_BACK = { valence = true, contrast = true, concession = true, neutral = true }

-- has_boundary for a gap of one byte (most words are one space apart):
-- the dashes take three bytes, so only these can end a clause there.
local BOUNDARY_BYTE = {}
for c in (",;:()[]!?"):gmatch "." do BOUNDARY_BYTE[byte(c)] = true end

-- The rules over hits first..last of a sentence with rule words (not
-- plain): where a contrast cuts it (contrast_at, nil when none), the
-- weights before and after it, and the clauses of its concession and
-- hedge cues, each {clause start, clause end, cue text, weight, role, cue
-- start, cue stop}, the bounds false until a valence word needs them.
local function sentence_rules_of(first, last)
  local contrast_at, contrast_word, conc
  local before_contrast, after_contrast = K.before_contrast, K.after_contrast
  for i = first, last do
    local r = ROLES[i]
    if r == "contrast" then
      contrast_at = HSTART[i]
      if EXPLAIN then contrast_word = hit_text(i) end
      -- a lexicon value is the weight after the cue; before it, 2 - value
      local v = VALUES[i]
      if v and v > 0 and v < 2 then
        before_contrast, after_contrast = 2 - v, v
      else
        before_contrast, after_contrast = K.before_contrast, K.after_contrast
      end
    elseif r == "concession" or r == "hedge" then
      local v = VALUES[i]
      local w = (v and v > 0) and v or K.concession
      -- a hedge's clause starts before it
      conc = conc or {}
      conc[#conc + 1] = { r ~= "hedge" and HSTART[i], false, EXPLAIN and hit_text(i), w, r,
        HSTART[i], HSTOP[i] }
    end
  end
  return contrast_at, contrast_word, before_contrast, after_contrast, conc
end

-- Score one sentence of the document of score.begin.
--   sstart, sstop: its offsets; first..last: its hits; ntokens: its token
--   count; nexcl: '!' in it; plain: true when every hit first..last is a
--   valence word, so that no rule word can act (the caller knows it from
--   its own pass over the hits).
-- Returns compound, pos, neg, neu, and items ({{start, c}}, when o.items)
-- and the explanation (when o.explain). This keeps to numbers and locals:
-- no table is made unless items or an explanation is asked for.
function score.sentence(sstart, sstop, first, last, ntokens, nexcl, plain)
  -- locals: each use of an upvalue is one more instruction
  local explain, text, hstart, hstop, hfirst, hlast = EXPLAIN, TEXT, HSTART, HSTOP, HFIRST, HLAST
  local roles, values = ROLES, VALUES
  local contrast_at, contrast_word, before_contrast, after_contrast, conc
  if not plain then
    contrast_at, contrast_word, before_contrast, after_contrast, conc =
      sentence_rules_of(first, last)
  end
  local sum, P, N, covered = 0, 0, 0, 0
  local items = ITEMS and {} or nil
  local words = explain and {} or nil
  local has_lower, negated
  for i = first, last do
    local r = roles[i]
    if r == "valence" then
      local v = values[i] or 0
      local fired = explain and {} or nil
      local h_start, h_first = hstart[i], hfirst[i]
      local name = BLOCKED and BLOCKED(h_start, hstop[i])
      if name then
        if explain then
          fired[1] = "part of the name '" .. name .. "': not counted"
          words[#words + 1] = { text = hit_text(i), valence = v, after_rules = 0, rules = fired }
        end
        goto continue
      end
      local sign = v < 0 and -1 or 1
      local boost, negator, scare = 0, nil, nil
      if not plain then
        for j = i - 1, first, -1 do
          local gap = h_first - hlast[j] - 1
          local rj = roles[j]
          if gap >= REACH or rj == nil or STOPS_LOOK_BACK[rj] then break end
          -- a hedge is transparent: "not likely to succeed"
          local from = hstop[j]
          local between = h_start - from
          if between == 1 then
            if BOUNDARY_BYTE[byte(text, h_start)] then break end
          elseif between > 1 and has_boundary(text, from, h_start) then
            break
          end
          if rj == "booster" and gap < BOOST_REACH then
            local b = (values[j] or 0) * BOOST_DECAY ^ gap
            boost = boost + b
            if explain then fired[#fired + 1] = "booster '" .. hit_text(j) .. "' " .. (b >= 0 and "+" or "") .. num(b) end
          elseif rj == "negation" and not negator and gap < NEG_SCOPE then
            negator = j
          elseif rj == "scare" and gap <= 1 then
            scare = j
          end
        end
      end
      -- sign * max(|v| + boost, 0), without the calls
      local m = (v < 0 and -v or v) + boost
      if m < 0 then m = 0 end
      local after = sign * m
      -- the byte before the hit (for scare quotes) and its first two, in
      -- one call; at offset 0 there is none before, and string.byte
      -- reads from byte 1 on
      local b0, b1, b2 = byte(text, h_start, h_start + 2)
      if h_start == 0 then b0, b1, b2 = nil, b0, b1 end
      -- capitals: no lower-case letter and two capitals in a row; most
      -- words start with a lower-case letter or have one second, which
      -- settles it at once
      if (b1 < LOWER_A or b1 > LOWER_Z)
          and not (b2 and b2 >= LOWER_A and b2 <= LOWER_Z and hstop[i] - h_start >= 2) then
        local t = text:sub(h_start + 1, hstop[i])
        if not t:find "%l" and t:find "%u%u" then
          if has_lower == nil then has_lower = text:sub(sstart + 1, sstop):find "%l" ~= nil end
          if has_lower then
            after = after + sign * CAPS
            if explain then fired[#fired + 1] = "capitals " .. (sign > 0 and "+" or "-") .. num(CAPS) end
          end
        end
      end
      if negator then
        -- a negated negative word is weaker than a positive one ("not bad")
        local f = after < 0 and NEG_NEGATIVE or NEG_FACTOR
        after = after * f
        negated = negated or {}
        negated[negator] = true
        if explain then fired[#fired + 1] = "negated by '" .. hit_text(negator) .. "' ×" .. num(f) end
      end
      if scare then scare = hit_text(scare)
      elseif QUOTE_LAST_BYTE[b0] and in_scare_quotes(text, h_start, hstop[i]) then
        scare = "quotation marks"
      end
      if scare and after ~= 0 then
        local f = after > 0 and SCARE_POSITIVE or SCARE_NEGATIVE
        after = after * f
        if explain then fired[#fired + 1] = "scare word (" .. scare .. ") ×" .. num(f) end
      end
      if contrast_at then
        local f = h_start < contrast_at and before_contrast or after_contrast
        after = after * f
        if explain then
          fired[#fired + 1] = (h_start < contrast_at and "before '" or "after '") .. contrast_word
            .. "' ×" .. num(f)
        end
      end
      if conc then
        for k = 1, #conc do
          local c = conc[k]
          -- in the clause: from its start (the cue, or for a hedge the
          -- clause mark before it) up to the clause mark after the cue
          local inside
          if h_start >= c[6] then
            local stop = c[2]
            if not stop then
              stop = clause_end(text, c[7], sstop)
              c[2] = stop
            end
            inside = h_start < stop
          elseif c[5] == "hedge" then
            local from = c[1]
            if not from then
              from = clause_start(text, sstart, c[6])
              c[1] = from
            end
            inside = h_start >= from
          end
          if inside then
            after = after * c[4]
            if explain then
              fired[#fired + 1] = (c[5] == "hedge" and "hedged by '" or "in the clause of '") .. c[3]
                .. "' ×" .. num(c[4])
            end
          end
        end
      end
      sum = sum + after
      if after > 0 then P = P + after else N = N - after end
      covered = covered + (hlast[i] - h_first + 1)
      if items then items[#items + 1] = { h_start, after } end
      if explain then
        words[#words + 1] = { text = hit_text(i), valence = v, after_rules = after, rules = fired }
      end
    elseif explain and r then
      words[#words + 1] = { text = hit_text(i), rules = { r } }
    end
    ::continue::
  end
  local sentence_rules = explain and {} or nil
  -- a negation that reaches no valence word still denies something
  if not plain then
    for i = first, last do
      if roles[i] == "negation" and not (negated and negated[i]) then
        sum = sum + BARE_NEGATION
        N = N - BARE_NEGATION
        if explain then
          sentence_rules[#sentence_rules + 1] = format("negation '%s' negates no word: %.2f",
            hit_text(i), BARE_NEGATION)
        end
      end
    end
  end
  if nexcl > 0 and sum ~= 0 then
    local e = min(nexcl, EXCL_MAX) * EXCL
    sum = sum + (sum > 0 and e or -e)
    if explain then sentence_rules[#sentence_rules + 1] = format("exclamation ×%d: %s%.2f", min(nexcl, EXCL_MAX), sum > 0 and "+" or "-", e) end
  end
  -- squash(sum / SCALE), inlined
  local x = sum / SCALE
  local compound
  if x > 20 then compound = 1 elseif x < -20 then compound = -1
  else
    local e = exp(2 * x)
    compound = (e - 1) / (e + 1)
  end
  local neutral = ntokens - covered
  if neutral < 0 then neutral = 0 end
  local total = P + N + neutral
  if not explain then
    if total > 0 then return compound, P / total, N / total, neutral / total, items end
    return compound, 0, 0, 1, items
  end
  if contrast_at then
    sentence_rules[#sentence_rules + 1] = format("contrast '%s': words before ×%.2f, after ×%.2f",
      contrast_word, before_contrast, after_contrast)
  end
  for _, c in ipairs(conc or {}) do
    sentence_rules[#sentence_rules + 1] = format("%s '%s': its clause ×%.2f", c[5], c[3], c[4])
  end
  sentence_rules[#sentence_rules + 1] = format("sum %.3f, compound = tanh(sum / %.2f) = %.3f",
    sum, SCALE, compound)
  local why = { words = words, rules = sentence_rules, sum = sum, compound = compound }
  if total > 0 then return compound, P / total, N / total, neutral / total, items, why end
  return compound, 0, 0, 1, items, why
end

return score
