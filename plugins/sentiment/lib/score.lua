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

-- Every lexicon hit of a document, with its role and value (the per-run
-- overrides applied): hits, role, value are parallel lists in text order.
function score.hits(lex, doc, info)
  local hits, role, value = {}, {}, {}
  local overrides = info and info.has_overrides and info.overrides
  local n = 0
  for m in lex:matches(doc) do
    n = n + 1
    hits[n] = m
    local o = overrides and overrides[lexicons.key(m.text)]
    if o then
      role[n], value[n] = o.role, o.value
    else
      role[n], value[n] = ROLE[m.label], m.value
    end
  end
  return hits, role, value
end

-- Score one sentence.
--   text: the document's text; sstart, sstop: the sentence's offsets;
--   hits, role, value: the document's hits (score.hits), of which
--   first..last lie in this sentence; ntokens: its token count; nexcl: '!'
--   in it;
--   o: {explain = bool, items = bool, blocked = function(start, stop) -> name|nil}
-- Returns {sum, compound, pos, neg, neu, items = {{start, c}} when asked,
-- explain = {...} when asked}.
function score.sentence(text, sstart, sstop, hits, role, value, first, last, ntokens, nexcl, o)
  local explain = o.explain
  local contrast_at, contrast_word, conc
  local before_contrast, after_contrast = K.before_contrast, K.after_contrast
  for i = first, last do
    local r = role[i]
    if r == "contrast" then
      contrast_at, contrast_word = hits[i].start, hits[i].text
      -- a lexicon value is the weight after the cue; before it, 2 - value
      local v = value[i]
      if v and v > 0 and v < 2 then
        before_contrast, after_contrast = 2 - v, v
      else
        before_contrast, after_contrast = K.before_contrast, K.after_contrast
      end
    elseif r == "concession" or r == "hedge" then
      local h = hits[i]
      local v = value[i]
      local w = (v and v > 0) and v or K.concession
      local from = r == "hedge" and clause_start(text, sstart, h.start) or h.start
      conc = conc or {}
      conc[#conc + 1] = { from, clause_end(text, h.stop, sstop), h.text, w, r }
    end
  end
  local sum, P, N, covered = 0, 0, 0, 0
  local items = o.items and {} or nil
  local words = explain and {} or nil
  local has_lower
  for i = first, last do
    local h = hits[i]
    local r = role[i]
    if r == "valence" then
      local v = value[i] or 0
      local fired = explain and {} or nil
      local name = o.blocked and o.blocked(h.start, h.stop)
      if name then
        if explain then
          fired[1] = "part of the name '" .. name .. "': not counted"
          words[#words + 1] = { text = h.text, valence = v, after_rules = 0, rules = fired }
        end
        goto continue
      end
      local sign = v < 0 and -1 or 1
      local boost, negator, scare = 0, nil, nil
      for j = i - 1, first, -1 do
        local p = hits[j]
        local gap = h.first - p.last - 1
        local rj = role[j]
        if gap >= max(K.neg_scope, K.boost_reach) or rj == "valence" or rj == "contrast"
            or rj == "concession" or rj == "neutral" or rj == nil then
          break
        end
        -- a hedge is transparent: "not likely to succeed"
        if has_boundary(text, p.stop, h.start) then break end
        if rj == "booster" and gap < K.boost_reach then
          local b = (value[j] or 0) * K.boost_decay ^ gap
          boost = boost + b
          if explain then fired[#fired + 1] = "booster '" .. p.text .. "' " .. (b >= 0 and "+" or "") .. num(b) end
        elseif rj == "negation" and not negator and gap < K.neg_scope then
          negator = p
        elseif rj == "scare" and gap <= 1 then
          scare = p.text
        end
      end
      local after = sign * max(abs(v) + boost, 0)
      local t = h.text
      if not t:find "%l" and t:find "%u%u" then
        if has_lower == nil then has_lower = text:sub(sstart + 1, sstop):find "%l" ~= nil end
        if has_lower then
          after = after + sign * K.caps
          if explain then fired[#fired + 1] = "capitals " .. (sign > 0 and "+" or "-") .. num(K.caps) end
        end
      end
      if negator then
        after = after * K.neg_factor
        if explain then fired[#fired + 1] = "negated by '" .. negator.text .. "' ×" .. num(K.neg_factor) end
      end
      if not scare and in_scare_quotes(text, h.start, h.stop) then scare = "quotation marks" end
      if scare and after ~= 0 then
        local f = after > 0 and K.scare_positive or K.scare_negative
        after = after * f
        if explain then fired[#fired + 1] = "scare word (" .. scare .. ") ×" .. num(f) end
      end
      if contrast_at then
        local f = h.start < contrast_at and before_contrast or after_contrast
        after = after * f
        if explain then
          fired[#fired + 1] = (h.start < contrast_at and "before '" or "after '") .. contrast_word
            .. "' ×" .. num(f)
        end
      end
      if conc then
        for _, c in ipairs(conc) do
          if h.start >= c[1] and h.start < c[2] then
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
      covered = covered + (h.last - h.first + 1)
      if items then items[#items + 1] = { h.start, after } end
      if explain then
        words[#words + 1] = { text = h.text, valence = v, after_rules = after, rules = fired }
      end
    elseif explain and r then
      words[#words + 1] = { text = h.text, rules = { r } }
    end
    ::continue::
  end
  local sentence_rules = explain and {} or nil
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
