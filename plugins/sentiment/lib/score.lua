-- Scoring one sentence from its lexicon hits: the valence of each word or
-- expression, changed by the rules around it (boosters, negation,
-- capitals, scare quotes, contrast and concession), summed and squashed
-- into a compound score in [-1, 1]. Only the hits are visited, never every
-- token, so the cost grows with the number of sentiment words.
local rules = require "lib.rules"
local lexicons = require "lib.lexicons"

local abs, exp, max, min = math.abs, math.exp, math.max, math.min
local byte, format = string.byte, string.format

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

-- Punctuation that ends a clause: rules do not reach across it.
local function has_boundary(text, from, to)
  if to <= from then return false end
  local piece = text:sub(from + 1, to)
  return piece:find "[,;:%(%)%[%]!?]" ~= nil or piece:find "\226\128[\147\148]" ~= nil
end
score.has_boundary = has_boundary

-- Where the clause that starts at `from` ends (0-based, exclusive).
local function clause_end(text, from, stop)
  local piece = text:sub(from + 1, stop)
  local a = piece:find "[,;:%(%)]"
  local b = piece:find "\226\128[\147\148]"
  local at = a and b and min(a, b) or a or b
  return at and from + at - 1 or stop
end

local OPEN = { ['"'] = true, ["'"] = true, ["`"] = true, ["\u{201C}"] = true,
  ["\u{2018}"] = true, ["\u{00AB}"] = true }
local CLOSE = { ['"'] = true, ["'"] = true, ["\u{201D}"] = true, ["\u{2019}"] = true,
  ["\u{00BB}"] = true }

-- A quotation mark right before the hit and one right after it: the
-- writer puts this word, and only it, in quotes.
-- Where the clause holding offset `at` starts (0-based), within the sentence.
local function clause_start(text, sstart, at)
  local last
  for p in text:sub(sstart + 1, at):gmatch "()[,;:%(%)]" do last = p end
  return last and sstart + last or sstart
end

local QUOTE_LAST_BYTE = { [34] = true, [39] = true, [96] = true, [0x9C] = true, [0x98] = true,
  [0xAB] = true }

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
local FIELDS = { fields = { "start", "stop", "first", "last", "label", "value" } }
local FIELDS_TEXT = { fields = { "start", "stop", "first", "last", "label", "value", "text" } }

-- Every lexicon hit of a document, with its role and value (the per-run
-- overrides applied): H is lex:scan's columns (H.n hits in text order;
-- start, stop, first, last, label, value, and text when with_text or
-- when there are overrides); role and value are parallel lists.
function score.hits(lex, doc, info, with_text)
  local overrides = info and info.has_overrides and info.overrides
  local H = lex:scan(doc, (overrides or with_text) and FIELDS_TEXT or FIELDS)
  local labels, value = H.label, H.value
  local role = {}
  for i = 1, H.n do role[i] = ROLE[labels[i]] end
  if overrides then
    local texts, key = H.text, lexicons.key
    for i = 1, H.n do
      local o = overrides[key(texts[i])]
      if o then role[i], value[i] = o.role, o.value end
    end
  end
  return H, role, value
end

-- The text of hit i.
local function hit_text(text, H, i)
  local texts = H.text
  return texts and texts[i] or text:sub(H.start[i] + 1, H.stop[i])
end
score.hit_text = hit_text

local LOWER_A, LOWER_Z = byte "a", byte "z"

-- Score one sentence.
--   text: the document's text; sstart, sstop: the sentence's offsets;
--   H, role, value: the document's hits (score.hits), of which
--   first..last lie in this sentence; ntokens: its token count; nexcl: '!'
--   in it;
--   o: {explain = bool, items = bool, blocked = function(start, stop) -> name|nil}
-- Returns {sum, compound, pos, neg, neu, items = {{start, c}} when asked,
-- explain = {...} when asked}.
function score.sentence(text, sstart, sstop, H, role, value, first, last, ntokens, nexcl, o)
  local explain = o.explain
  local hstart, hstop, hfirst, hlast = H.start, H.stop, H.first, H.last
  local contrast_at, contrast_word, conc
  local before_contrast, after_contrast = K.before_contrast, K.after_contrast
  for i = first, last do
    local r = role[i]
    if r == "contrast" then
      contrast_at = hstart[i]
      if explain then contrast_word = hit_text(text, H, i) end
      -- a lexicon value is the weight after the cue; before it, 2 - value
      local v = value[i]
      if v and v > 0 and v < 2 then
        before_contrast, after_contrast = 2 - v, v
      else
        before_contrast, after_contrast = K.before_contrast, K.after_contrast
      end
    elseif r == "concession" or r == "hedge" then
      local v = value[i]
      local w = (v and v > 0) and v or K.concession
      local from = r == "hedge" and clause_start(text, sstart, hstart[i]) or hstart[i]
      conc = conc or {}
      conc[#conc + 1] = { from, clause_end(text, hstop[i], sstop), explain and hit_text(text, H, i),
        w, r }
    end
  end
  local sum, P, N, covered = 0, 0, 0, 0
  local items = o.items and {} or nil
  local words = explain and {} or nil
  local blocked = o.blocked
  local reach = max(K.neg_scope, K.boost_reach)
  local has_lower, negated
  for i = first, last do
    local r = role[i]
    if r == "valence" then
      local v = value[i] or 0
      local fired = explain and {} or nil
      local h_start, h_stop, h_first = hstart[i], hstop[i], hfirst[i]
      local name = blocked and blocked(h_start, h_stop)
      if name then
        if explain then
          fired[1] = "part of the name '" .. name .. "': not counted"
          words[#words + 1] = { text = hit_text(text, H, i), valence = v, after_rules = 0, rules = fired }
        end
        goto continue
      end
      local sign = v < 0 and -1 or 1
      local boost, negator, scare = 0, nil, nil
      for j = i - 1, first, -1 do
        local gap = h_first - hlast[j] - 1
        local rj = role[j]
        if gap >= reach or rj == "valence" or rj == "contrast"
            or rj == "concession" or rj == "neutral" or rj == nil then
          break
        end
        -- a hedge is transparent: "not likely to succeed"
        if has_boundary(text, hstop[j], h_start) then break end
        if rj == "booster" and gap < K.boost_reach then
          local b = (value[j] or 0) * K.boost_decay ^ gap
          boost = boost + b
          if explain then fired[#fired + 1] = "booster '" .. hit_text(text, H, j) .. "' " .. (b >= 0 and "+" or "") .. num(b) end
        elseif rj == "negation" and not negator and gap < K.neg_scope then
          negator = j
        elseif rj == "scare" and gap <= 1 then
          scare = j
        end
      end
      local after = sign * max(abs(v) + boost, 0)
      -- capitals: no lower-case letter and two capitals in a row; most
      -- words start with a lower-case letter, which settles it at once
      local b1 = byte(text, h_start + 1)
      if b1 < LOWER_A or b1 > LOWER_Z then
        local t = text:sub(h_start + 1, h_stop)
        if not t:find "%l" and t:find "%u%u" then
          if has_lower == nil then has_lower = text:sub(sstart + 1, sstop):find "%l" ~= nil end
          if has_lower then
            after = after + sign * K.caps
            if explain then fired[#fired + 1] = "capitals " .. (sign > 0 and "+" or "-") .. num(K.caps) end
          end
        end
      end
      if negator then
        -- a negated negative word is weaker than a positive one ("not bad")
        local f = after < 0 and K.neg_negative or K.neg_factor
        after = after * f
        negated = negated or {}
        negated[negator] = true
        if explain then fired[#fired + 1] = "negated by '" .. hit_text(text, H, negator) .. "' ×" .. num(f) end
      end
      if scare then scare = hit_text(text, H, scare)
      elseif in_scare_quotes(text, h_start, h_stop) then scare = "quotation marks" end
      if scare and after ~= 0 then
        local f = after > 0 and K.scare_positive or K.scare_negative
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
        for _, c in ipairs(conc) do
          if h_start >= c[1] and h_start < c[2] then
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
        words[#words + 1] = { text = hit_text(text, H, i), valence = v, after_rules = after, rules = fired }
      end
    elseif explain and r then
      words[#words + 1] = { text = hit_text(text, H, i), rules = { r } }
    end
    ::continue::
  end
  local sentence_rules = explain and {} or nil
  -- a negation that reaches no valence word still denies something
  for i = first, last do
    if role[i] == "negation" and not (negated and negated[i]) then
      sum = sum + K.bare_negation
      N = N - K.bare_negation
      if explain then
        sentence_rules[#sentence_rules + 1] = format("negation '%s' negates no word: %.2f",
          hit_text(text, H, i), K.bare_negation)
      end
    end
  end
  if nexcl > 0 and sum ~= 0 then
    local e = min(nexcl, K.excl_max) * K.excl
    sum = sum + (sum > 0 and e or -e)
    if explain then sentence_rules[#sentence_rules + 1] = format("exclamation ×%d: %s%.2f", min(nexcl, K.excl_max), sum > 0 and "+" or "-", e) end
  end
  local compound = squash(sum / K.scale)
  local neutral = max(ntokens - covered, 0)
  local total = P + N + neutral
  local r = { sum = sum, compound = compound, items = items,
    pos = total > 0 and P / total or 0, neg = total > 0 and N / total or 0,
    neu = total > 0 and neutral / total or 1 }
  if explain then
    if contrast_at then
      sentence_rules[#sentence_rules + 1] = format("contrast '%s': words before ×%.2f, after ×%.2f",
        contrast_word, before_contrast, after_contrast)
    end
    for _, c in ipairs(conc or {}) do
      sentence_rules[#sentence_rules + 1] = format("%s '%s': its clause ×%.2f", c[5], c[3], c[4])
    end
    sentence_rules[#sentence_rules + 1] = format("sum %.3f, compound = tanh(sum / %.2f) = %.3f",
      sum, K.scale, compound)
    r.explain = { words = words, rules = sentence_rules, sum = sum, compound = compound }
  end
  return r
end

return score
