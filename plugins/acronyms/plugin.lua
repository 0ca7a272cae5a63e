-- acronyms: pairs a short form with the long form it is defined by —
-- "United Nations Office on Drugs and Crime (UNODC)" or
-- "UNODC (United Nations Office on Drugs and Crime)" — then marks every
-- later bare "UNODC". The pairing aligns the short form's letters, right to
-- left, with the initials of the words next to the parenthesis, in the
-- spirit of Schwartz and Hearst (2003); see README.md.

-- How many words beyond the short form's letters a long form may have
-- (Schwartz and Hearst's window: at most min(letters + 5, 2 * letters)).
local EXTRA_WORDS = 5
-- A long form has at least this many words.
local LONG_MIN_WORDS = 2

-- Words a long form may leave out of the short form ("Office on Drugs and
-- Crime" -> ODC), or give their initial to ("Department of Defense" -> DoD).
local FUNCTION_WORDS = { a = true, an = true, ["and"] = true, at = true, by = true, de = true,
  del = true, des = true, du = true, ["for"] = true, ["in"] = true, of = true, on = true,
  the = true, to = true, la = true, le = true, el = true, ["&"] = true }

-- A token that can be a short form: a capital first, at least two capitals,
-- letters, digits and inner ".", "&", "-" ("UNODC", "DoD", "U.S.", "R&D").
-- Returns its letters, lower-cased (a plural "s" dropped: "NGOs" -> ngo).
local function short_letters(t, opts)
  if t.kind ~= "word" then return nil end
  local s = t.text
  if not s:match "^%u[%w%.&%-]*$" then return nil end
  local _, capitals = s:gsub("%u", "")
  if capitals < 2 then return nil end
  if s:match "^%u%u+s$" then s = s:sub(1, -2) end
  local letters = {}
  for c in s:gmatch "%w" do letters[#letters + 1] = c:lower() end
  if #letters < opts.min_length or #letters > opts.max_length then return nil end
  return letters
end

-- The words of the tokens toks[i..j], hyphenated tokens cut at their
-- hyphens: {start, stop, text, initial, rest, fn}.
local function words_of(toks, i, j)
  local words = {}
  for k = i, j do
    local t = toks[k]
    local pos = 1
    for part, stop in t.text:gmatch "([^%-]+)()" do
      local at = t.text:find(part, pos, true)
      local w = { start = t.start + at - 1, stop = t.start + stop - 1, text = part }
      w.initial = part:sub(1, 1):lower()
      w.rest = part:sub(2):lower()
      w.fn = FUNCTION_WORDS[part:lower()] == true
      words[#words + 1] = w
      pos = stop
    end
  end
  return words
end

-- Whether the letters l[a+1..b] appear in order in s.
local function in_order(s, l, a, b)
  local pos = 1
  for k = a + 1, b do
    local at = s:find(l[k], pos, true)
    if not at then return false end
    pos = at + 1
  end
  return true
end

-- Spells letters[1..li] with words[..wi], right to left: every content word
-- gives its initial (and maybe more of its letters, in order); a function
-- word gives its initial or nothing. Returns the index of the word that gave
-- the first letter, or nil.
local function spell(words, letters, wi, li)
  if wi < 1 then return nil end
  local w = words[wi]
  if w.fn then
    local start = spell(words, letters, wi - 1, li)
    if start then return start end
  end
  for a = li, 1, -1 do
    if letters[a] == w.initial and in_order(w.rest, letters, a, li) then
      if a == 1 then
        if not w.fn then return wi end
      else
        local start = spell(words, letters, wi - 1, a - 1)
        if start then return start end
      end
    end
  end
  return nil
end

-- The long form for letters among words[1..#words] ending at the last word:
-- the index of its first word, or nil. whole = it must use every word.
local function align(words, letters, whole)
  local start = spell(words, letters, #words, #letters)
  if not start or (whole and start ~= 1) then return nil end
  if #words - start + 1 < LONG_MIN_WORDS then return nil end
  return start
end

local function window(n)
  return math.min(n + EXTRA_WORDS, 2 * n)
end

-- Word tokens (and "&") running back from toks[j], at most `limit` of them.
local function words_before(toks, j, limit)
  local i = j
  while i >= 1 and j - i + 1 <= limit and (toks[i].kind == "word" or toks[i].text == "&") do
    i = i - 1
  end
  return i + 1
end

-- Definitions in one sentence's tokens: {short, long, short_start,
-- short_stop, long_start, long_stop}.
local function definitions(text, toks, opts, out)
  for k = 2, #toks - 1 do
    if toks[k].text == "(" then
      local close
      for c = k + 1, #toks do
        if toks[c].text == ")" then close = c break end
        if toks[c].text == "(" then break end
      end
      local inner = close and toks[k + 1]
      local letters = close == k + 2 and short_letters(inner, opts)
      if letters then
        -- long form (SHORT)
        local first = words_before(toks, k - 1, window(#letters))
        if first <= k - 1 then
          local words = words_of(toks, first, k - 1)
          local start = align(words, letters, false)
          if start then
            out[#out + 1] = { short = inner.text, short_start = inner.start, short_stop = inner.stop,
              long_start = words[start].start, long_stop = words[#words].stop }
          end
        end
      elseif close and close > k + 2 then
        -- SHORT (long form)
        letters = short_letters(toks[k - 1], opts)
        if letters and words_before(toks, close - 1, window(#letters)) == k + 1 then
          local words = words_of(toks, k + 1, close - 1)
          if align(words, letters, true) then
            out[#out + 1] = { short = toks[k - 1].text, short_start = toks[k - 1].start,
              short_stop = toks[k - 1].stop, long_start = words[1].start, long_stop = words[#words].stop }
          end
        end
      end
    end
  end
end

return {
  name = "acronyms",
  version = "1.0.0",
  kind = "extract",
  description = "Pairs acronyms with their long forms and marks their later mentions",
  license = "MIT",
  author = "lector",
  provides = { "acronym", "acronyms" },
  options = {
    min_length = { type = "integer", default = 2,
      description = "fewest letters in a short form" },
    max_length = { type = "integer", default = 10,
      description = "most letters in a short form" },
  },
  permissions = {},
  run = function(doc, opts)
    local text = doc.text
    local defs = {}
    for s in doc:sentences() do
      if s.text:find("(", 1, true) then
        local toks = {}
        for t in s:tokens() do
          toks[#toks + 1] = { text = t.text, start = t.start, stop = t.stop, kind = t.kind }
        end
        definitions(text, toks, opts, defs)
      end
    end
    local value, at_short = {}, {}
    for _, d in ipairs(defs) do
      d.long = text:sub(d.long_start + 1, d.long_stop)
      if d.long ~= d.short then
        value[d.short] = value[d.short] or d.long
        at_short[d.short_start] = true
        doc:add("acronym", { start = d.short_start, stop = d.short_stop, label = d.short,
          attrs = { short = d.short, long = d.long, defines = true } })
        doc:add("acronym", { start = d.long_start, stop = d.long_stop, label = d.short,
          attrs = { short = d.short, long = d.long, long_form = true } })
      end
    end
    -- bare mentions take the long form of the latest definition before them
    local current = {}
    local next_def = 1
    for t in doc:tokens() do
      while defs[next_def] and defs[next_def].short_start <= t.start do
        local d = defs[next_def]
        if value[d.short] then current[d.short] = d.long end
        next_def = next_def + 1
      end
      if t.kind == "word" and not at_short[t.start] then
        local word = t.text
        -- "UNODC’s": the possessive is left out of the span
        local short = value[word] and word or word:match "^(.-)’s$" or word:match "^(.-)'s$"
        if short and value[short] then
          doc:add("acronym", { start = t.start, stop = t.start + #short, label = short,
            attrs = { short = short, long = current[short] or value[short] } })
        end
      end
    end
    doc:set("acronyms", value)
  end,
}
