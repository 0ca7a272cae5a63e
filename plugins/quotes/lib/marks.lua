-- Direct quotations: pairing quotation marks, in one pass over the marks.
--
-- Marks pair inside a paragraph. A quotation still open at a paragraph's end
-- goes on only if the next paragraph opens with a quotation mark (the news
-- convention for a quotation over several paragraphs); otherwise it was a
-- stray mark and is dropped, so one stray mark costs at most one paragraph.
-- Single quotes are never marks here: ’ is mostly an apostrophe, and a single
-- quote inside a double one is part of the quoted text.
local ipairs, pairs, table = ipairs, pairs, table
local find = string.find

local marks = {}

-- mark text -> role, family. "either" marks (the straight ") are decided
-- by the characters around them.
local MARKS = {
  ["“"] = { "open", "double" }, ["”"] = { "close", "double" }, ["„"] = { "open", "low" },
  ["‟"] = { "open", "double" }, ['"'] = { "either", "double" }, ["«"] = { "open", "guillemet" },
  ["»"] = { "close", "guillemet" }, ["「"] = { "open", "corner" }, ["」"] = { "close", "corner" },
  ["『"] = { "open", "white" }, ["』"] = { "close", "white" },
}

marks.MARKS = MARKS

-- Every mark is one character, so a plain search for each (memchr and
-- memcmp in C) finds all of them: no mark begins with a byte that can
-- continue a character, and none begins another. A pattern tried at every
-- byte of the text cost far more.
local MARK_LIST = {}
for mark in pairs(MARKS) do MARK_LIST[#MARK_LIST + 1] = mark end
table.sort(MARK_LIST)

-- Does the text hold a quotation mark? (A text without one has no quotation.)
function marks.any(src)
  for _, mark in ipairs(MARK_LIST) do
    if find(src, mark, 1, true) then return true end
  end
  return false
end

-- The quotation marks of a text: {position...}, 1-based byte offsets, ascending.
function marks.positions(src)
  local at = {}
  for _, mark in ipairs(MARK_LIST) do
    local p = find(src, mark, 1, true)
    while p do
      at[#at + 1] = p
      p = find(src, mark, p + #mark, true)
    end
  end
  table.sort(at)
  return at
end

-- What may close a quotation opened in each family.
local CLOSES = {
  double = { ["”"] = true, ['"'] = true },
  low = { ["“"] = true, ["”"] = true },
  guillemet = { ["»"] = true },
  corner = { ["」"] = true },
  white = { ["』"] = true },
}

local function space(c)
  return c == "" or c:find "^%s" ~= nil
end

-- A straight quote opens when it follows white space (or an opening bracket
-- or dash) and precedes a character; it closes in the opposite case.
local function straight_role(m, i, open)
  local src, start, stop = m.src, m.start[i], m.stop[i]
  local before = start > 0 and src:sub(start, start) or ""
  local after = src:sub(stop + 1, stop + 1)
  local opens = (before == "" or space(before) or before:find "^[%(%[{/]" ~= nil
    or before == "\148" or before == "\147") and not space(after)
  local closes = before ~= "" and not space(before) and (space(after) or after:find "^%p" ~= nil)
  if opens ~= closes then return opens and "open" or "close" end
  return open and "close" or "open"
end

local function role(m, i, open)
  if m.kind[i] == "word" then return nil end
  local mark = MARKS[m.text[i]]
  if not mark then return nil end
  local r, family = mark[1], mark[2]
  if open and CLOSES[open.family][m.text[i]] then
    if r ~= "either" or straight_role(m, i, open) == "close" then return "close", family end
  end
  if r == "either" then r = straight_role(m, i, open) end
  if r == "close" and not open and m.text[i] == "”" and straight_role(m, i, nil) == "open" then
    r = "open" -- ”text” (Swedish, Finnish)
  end
  return r, family
end

-- The first token after token i that starts another paragraph (m.n + 1
-- when none does).
local function next_para_start(m, i)
  local sent_para, sent_first, sent_last = m.sent_para, m.sent_first, m.sent_last
  local s = m.sent[i]
  local p = sent_para[s]
  for s2 = s + 1, #sent_para do
    if sent_para[s2] ~= p and sent_last[s2] >= sent_first[s2] then return sent_first[s2] end
  end
  return m.n + 1
end

-- Is token i the first of its paragraph?
local function opens_para(m, i)
  local sent, sent_para = m.sent, m.sent_para
  return i == 1 or sent_para[sent[i]] ~= sent_para[sent[i - 1]]
end

-- Every direct quotation, in order: {open_tok, close_tok (nil when never
-- closed), pieces = {{first, last}...} (content tokens per paragraph),
-- first, last, unclosed}. Only the marks (m.mark_at) are visited: between
-- two of them all that can happen is that a paragraph break drops the
-- quotation left open.
function marks.scan(m)
  local quotes, open = {}, nil
  local function piece(upto)
    if open.tok + 1 <= upto then
      open.pieces[#open.pieces + 1] = { first = open.tok + 1, last = upto }
    end
  end
  local function emit(close_tok)
    local pieces = open.pieces
    if #pieces > 0 then
      quotes[#quotes + 1] = {
        open_tok = open.first_tok, close_tok = close_tok, pieces = pieces,
        first = pieces[1].first, last = pieces[#pieces].last, unclosed = close_tok == nil,
      }
    end
    open = nil
  end
  -- an open quotation that will not be closed: kept only when it already
  -- ran over a paragraph break, bounded to where it stops
  local function abandon(upto)
    if open.continued then
      piece(upto)
      emit(nil)
    end
    open = nil
  end
  local prev = 0
  for _, i in ipairs(m.mark_at) do
    if open and m.sent_para[m.sent[i]] ~= m.sent_para[m.sent[prev]] then
      -- the walk stops at i's paragraph: the walks add up to one over the text
      local j = next_para_start(m, prev)
      if j < i then abandon(j - 1) end
    end
    local r, family = role(m, i, open)
    if open and opens_para(m, i) then
      if r == "open" then
        piece(i - 1)
        open.tok, open.continued, r = i, true, nil
      else
        abandon(i - 1)
      end
    end
    if r == "open" then
      if open then abandon(i - 1) end
      open = { tok = i, first_tok = i, family = family, pieces = {} }
    elseif r == "close" and open then
      piece(i - 1)
      emit(i)
    end
    prev = i
  end
  if open then abandon(next_para_start(m, prev) - 1) end
  return quotes
end

return marks
