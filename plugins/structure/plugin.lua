-- structure: the news layout around an article's text — headline,
-- standfirst, image caption and credit, dateline, byline and editor.
-- Everything is decided from whole lines (tokens between two line breaks)
-- near the top and the bottom of the article; see README.md.

-- Where the top matter (headline, standfirst, byline, dateline) is looked for.
local TOP_PARAGRAPHS = 6
local TOP_LINES = 12
-- Where the closing credits ("Reporting by ...", "Edited by ...") are looked for.
local BOTTOM_PARAGRAPHS = 3
-- Longest credit, in tokens, inside "(...)" or after "Photo:".
local CREDIT_MAX_TOKENS = 10
-- Longest source inside a dateline's "(...)", in tokens.
local SOURCE_MAX_TOKENS = 6
-- Longest place name of a dateline, in words.
local PLACE_MAX_WORDS = 4
-- Longest line that may be an image's alternative text (between a
-- standfirst and a caption), in characters.
local ALT_MAX_CHARS = 80
-- A standfirst has at least this many words.
local STANDFIRST_MIN_WORDS = 4

local MONTHS = {
  january = 1, jan = 1, february = 2, feb = 2, march = 3, mar = 3, april = 4, apr = 4,
  may = 5, june = 6, jun = 6, july = 7, jul = 7, august = 8, aug = 8, september = 9,
  sep = 9, sept = 9, october = 10, oct = 10, november = 11, nov = 11, december = 12, dec = 12,
}
local DAYS_IN_MONTH = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 }

-- Lower-case words that may sit inside a place or a person's name.
local PLACE_PARTICLES = { de = true, del = true, da = true, ["do"] = true, dos = true, la = true,
  el = true, al = true, of = true, upon = true, sur = true, am = true, les = true, los = true,
  las = true }
local NAME_PARTICLES = { de = true, da = true, del = true, della = true, di = true, ["do"] = true,
  dos = true, das = true, du = true, van = true, von = true, der = true, den = true, ter = true,
  la = true, le = true, bin = true, ibn = true, al = true, el = true, y = true }

local DASHES = { ["-"] = true, ["–"] = true, ["—"] = true, ["--"] = true, ["―"] = true }
local FULL_STOPS = { ["."] = true, ["!"] = true, ["?"] = true, ["…"] = true, ["..."] = true }
local CLOSING_QUOTES = { ["”"] = true, ["’"] = true, ['"'] = true, ["»"] = true }
-- Words that introduce a photo credit: "Photo: X/AFP", "(Photo by X)".
local CREDIT_WORDS = { photo = true, photos = true, photograph = true, photographs = true,
  picture = true, pictures = true, image = true, images = true, credit = true, video = true }
-- Lower-case words allowed inside a credit ("X via Getty Images").
local CREDIT_CONNECTORS = { via = true, ["for"] = true, ["and"] = true, of = true, the = true,
  de = true }
local CREDIT_PUNCT = { ["/"] = true, ["-"] = true, ["&"] = true, ["."] = true, [","] = true,
  ["|"] = true }

-- Closing credits: the words before the names, and what they make.
local ROLES = {
  { words = { "additional", "reporting", "by" }, role = "additional reporting", label = "BYLINE" },
  { words = { "reporting", "and", "writing", "by" }, role = "reporting and writing", label = "BYLINE" },
  { words = { "reporting", "by" }, role = "reporting", label = "BYLINE" },
  { words = { "reported", "by" }, role = "reporting", label = "BYLINE" },
  { words = { "writing", "by" }, role = "writing", label = "BYLINE" },
  { words = { "written", "by" }, role = "writing", label = "BYLINE" },
  { words = { "compiled", "by" }, role = "compiling", label = "BYLINE" },
  { words = { "additional", "editing", "by" }, role = "editing", label = "EDITOR" },
  { words = { "editing", "by" }, role = "editing", label = "EDITOR" },
  { words = { "edited", "by" }, role = "editing", label = "EDITOR" },
}
local BY_ROLE = { words = { "by" }, role = "by", label = "BYLINE" }

---------------------------------------------------------------------------
-- Tokens and lines

local function is_cap(t)
  return t ~= nil and t.kind == "word" and t.shape:sub(1, 1) == "X"
end

local function is_upper(t)
  return is_cap(t) and not t.shape:find("x", 1, true)
end

local function chars(s)
  return utf8.len(s) or #s
end

local function word_count(toks)
  local n = 0
  for _, t in ipairs(toks) do
    if t.kind == "word" or t.kind == "number" then n = n + 1 end
  end
  return n
end

-- A sentence longer than this many tokens is body text, never a layout
-- line; skipping it keeps a huge one-line document from costing memory.
local MAX_LAYOUT_SENTENCE_TOKENS = 300

-- The lines of a paragraph: runs of its tokens between line breaks.
local function paragraph_lines(doc, text, p)
  local lines, line, prev = {}, nil, nil
  for si = p.first_sentence, p.first_sentence + p.sentence_count - 1 do
    local sentence = doc:sentence(si)
    if #sentence > MAX_LAYOUT_SENTENCE_TOKENS then
      line = nil
      goto next_sentence
    end
    for t in sentence:tokens() do
      local tok = { text = t.text, start = t.start, stop = t.stop, kind = t.kind,
        shape = t.shape, low = t.folded }
      if not line or text:sub(prev.stop + 1, tok.start):find("\n", 1, true) then
        line = { toks = {}, para = p.index, start = tok.start }
        lines[#lines + 1] = line
      end
      line.toks[#line.toks + 1] = tok
      line.stop = tok.stop
      prev = tok
    end
    ::next_sentence::
  end
  for _, l in ipairs(lines) do l.text = text:sub(l.start + 1, l.stop) end
  return lines
end

local function slice(text, a, b)
  return text:sub(a.start + 1, b.stop)
end

---------------------------------------------------------------------------
-- Dates: "November 3, 2025", "Nov. 3", "3 November 2025", "1996-08-22"

local function month_of(t)
  if t and t.kind == "word" then return MONTHS[(t.low:gsub("%.$", ""))] end
end

local function day_of(t)
  if t and t.kind == "number" then
    local d = t.text:match "^(%d%d?)$" or t.text:match "^(%d%d?)%a%a$"
    d = tonumber(d)
    if d and d >= 1 and d <= 31 then return d end
  end
end

local function year_of(t)
  if t and t.kind == "number" and t.text:match "^%d%d%d%d$" then
    local y = tonumber(t.text)
    if y >= 1800 and y <= 2200 then return y end
  end
end

local function glued(toks, i, j)
  for k = i, j - 1 do
    if toks[k].stop ~= toks[k + 1].start then return false end
  end
  return true
end

local function make_date(year, month, day)
  if day > DAYS_IN_MONTH[month] then return nil end
  local d = { year = year, month = month, day = day }
  if year then d.iso = string.format("%04d-%02d-%02d", year, month, day) end
  return d
end

-- A date starting at toks[i]: the index after it and {year, month, day, iso}.
local function parse_date(toks, i)
  local a = toks[i]
  local y = year_of(a)
  if y and toks[i + 4] and glued(toks, i, i + 4) and toks[i + 1].text == "-" and toks[i + 3] and
      toks[i + 3].text == "-" and toks[i + 2].text:match "^%d%d$" and toks[i + 4].text:match "^%d%d$" then
    local m, d = tonumber(toks[i + 2].text), tonumber(toks[i + 4].text)
    if m >= 1 and m <= 12 and d >= 1 then
      local date = make_date(y, m, d)
      if date then return i + 5, date end
    end
  end
  local m = month_of(a)
  if m then
    local j = i + 1
    if toks[j] and toks[j].text == "." then j = j + 1 end
    local d = day_of(toks[j])
    if d then
      j = j + 1
      local k = (toks[j] and toks[j].text == ",") and j + 1 or j
      y = year_of(toks[k])
      if y then j = k + 1 end
      local date = make_date(y, m, d)
      if date then return j, date end
    end
    return nil
  end
  local d = day_of(a)
  m = month_of(toks[i + 1])
  if d and m then
    local j = i + 2
    y = year_of(toks[j])
    if y then j = j + 1 end
    local date = make_date(y, m, d)
    if date then return j, date end
  end
  return nil
end

---------------------------------------------------------------------------
-- Datelines: "Caracas, November 3, 2025 (venezuelanalysis.com) –",
-- "WASHINGTON (Reuters) -", "LONDON, Jan 5 (Reuters) -", "BRUSSELS 1996-08-22"

-- Capitalized words from toks[i] (particles allowed inside): the index after
-- them and the number of words, or nil.
local function parse_place(toks, i)
  local j, words = i, 0
  while toks[j] do
    local t = toks[j]
    if is_cap(t) and not (month_of(t) and day_of(toks[j + 1])) then
      words = words + 1
      j = j + 1
    elseif words > 0 and t.kind == "word" and PLACE_PARTICLES[t.low] and is_cap(toks[j + 1]) then
      j = j + 1
    else
      break
    end
  end
  if words == 0 or words > PLACE_MAX_WORDS then return nil end
  return j, words
end

-- "(Reuters)", "(venezuelanalysis.com)": the index after ")" and the text inside.
local function parse_source(text, toks, i)
  if not (toks[i] and toks[i].text == "(") then return nil end
  local first = toks[i + 1]
  if not (first and (is_cap(first) or first.kind == "url")) then return nil end
  for j = i + 1, math.min(#toks, i + 1 + SOURCE_MAX_TOKENS) do
    local t = toks[j]
    if t.text == ")" then
      if j == i + 1 then return nil end
      return j + 1, slice(text, toks[i + 1], toks[j - 1])
    end
    if t.kind == "word" and not is_cap(t) then return nil end
  end
  return nil
end

local function all_upper(toks, i, j)
  for k = i, j - 1 do
    if toks[k].kind == "word" and not PLACE_PARTICLES[toks[k].low] and not is_upper(toks[k]) then
      return false
    end
  end
  return true
end

-- A dateline at the start of a line: {start, stop, place, date, iso, source}.
local function parse_dateline(text, toks)
  local j = parse_place(toks, 1)
  if not j then return nil end
  local place_end = j - 1
  local caps = all_upper(toks, 1, j)
  local date, source, last
  if caps then
    -- CoNLL style: the place and a date make the whole line.
    local k, d = parse_date(toks, j)
    if d and k == #toks + 1 then date, last = d, k - 1 end
  end
  if not date then
    local k, d = parse_date(toks, toks[j] and toks[j].text == "," and j + 1 or j)
    if d then
      date, j = d, k
    elseif toks[j] and toks[j].text == "," then
      -- a region: "CARACAS, Venezuela (AP) —", "Springfield, Ill., Jan 5 —"
      local r = parse_place(toks, j + 1)
      if r then
        local k2, d2 = parse_date(toks, toks[r] and toks[r].text == "," and r + 1 or r)
        if d2 then date, j = d2, k2 end
        if d2 or (toks[r] and (toks[r].text == "(" or DASHES[toks[r].text])) then
          place_end = r - 1
          j = d2 and j or r
        end
      end
    end
    local k3, src = parse_source(text, toks, j)
    if src then source, j = src, k3 end
    -- a dash, and the article goes on after it
    if not (toks[j] and DASHES[toks[j].text] and toks[j + 1]) then return nil end
    if not (date or source or caps) then return nil end
    last = j - 1
  end
  local d = {
    start = toks[1].start, stop = toks[last].stop,
    place = slice(text, toks[1], toks[place_end]),
    source = source,
  }
  if date then
    -- the date's own text: from its first token after the place to its last
    local first = place_end + 1
    while toks[first].text == "," do first = first + 1 end
    local date_last = last
    if source then
      while toks[date_last].text ~= "(" do date_last = date_last - 1 end
      date_last = date_last - 1
    end
    if date_last >= first then d.date = slice(text, toks[first], toks[date_last]) end
    d.iso = date.iso
  end
  return d
end

---------------------------------------------------------------------------
-- Bylines and closing credits: "By Jane Doe and John Roe, Reuters",
-- "Reporting by X in Place; Editing by Y", "Edited by X in Place."

local function match_role(toks, i, first)
  local candidates = first and { BY_ROLE } or {}
  for _, r in ipairs(ROLES) do candidates[#candidates + 1] = r end
  for _, r in ipairs(candidates) do
    local ok = true
    for k, w in ipairs(r.words) do
      local t = toks[i + k - 1]
      if not (t and t.kind == "word" and t.low == w) then
        ok = false
        break
      end
    end
    -- "By" opens a byline only with a capital letter at the start of a line
    if ok and r == BY_ROLE and not is_cap(toks[i]) then ok = false end
    if ok then return r, i + #r.words end
  end
  return nil
end

-- A person's name from toks[i]: the index after it and its number of words.
local function parse_name(toks, i)
  local j, words = i, 0
  while toks[j] do
    local t = toks[j]
    if is_cap(t) then
      words = words + 1
      j = j + 1
    elseif words > 0 and t.kind == "word" and NAME_PARTICLES[t.low] and is_cap(toks[j + 1]) then
      j = j + 1
    else
      break
    end
  end
  if words == 0 then return nil end
  return j, words
end

-- Whether toks[j] ends a credit segment: the end of the line, ";", a final
-- "." or ")", or a comma before the next role ("..., editing by Y").
local function segment_end(toks, j)
  local t = toks[j]
  if t == nil or t.text == ";" then return true end
  if t.text == ")" then return toks[j + 1] == nil end
  if t.text == "." then
    return toks[j + 1] == nil or (toks[j + 1].text == ")" and toks[j + 2] == nil)
  end
  return t.text == "," and match_role(toks, j + 1, false) ~= nil
end

-- The names after a role word, up to the end of the segment: a list of
-- {first, last, words, place}, the index of the segment's end, and the
-- agency ("..., Reuters") if one closes the list.
local function parse_names(text, toks, i)
  local names = {}
  local j = i
  while true do
    local k, words = parse_name(toks, j)
    if not k then return nil end
    local entry = { first = j, last = k - 1, words = words }
    j = k
    if toks[j] and toks[j].kind == "word" and toks[j].low == "in" then
      local p = parse_place(toks, j + 1)
      if not p then return nil end
      local place_last = p - 1
      -- "in Mexico City, Mexico." — a region only when the segment ends after it
      if toks[p] and toks[p].text == "," then
        local r = parse_place(toks, p + 1)
        if r and segment_end(toks, r) then place_last, p = r - 1, r end
      end
      entry.place = slice(text, toks[j + 1], toks[place_last])
      j = p
    end
    names[#names + 1] = entry
    if segment_end(toks, j) then break end
    local t = toks[j]
    if t.text == "," and toks[j + 1] and toks[j + 1].kind == "word" and toks[j + 1].low == "and" then
      j = j + 2
    elseif t.text == "," or t.text == "&" or (t.kind == "word" and t.low == "and") then
      j = j + 1
    else
      return nil
    end
  end
  -- "By Jane Doe and John Roe, Reuters": a last one-word name after a comma is the agency
  local org
  local last = names[#names]
  if #names > 1 and last.words == 1 and not last.place and toks[last.first - 1].text == "," then
    org = toks[last.first].text
    names[#names] = nil
  end
  for _, n in ipairs(names) do
    if n.words < 2 then return nil end
  end
  return names, j, org
end

-- A line (or, from toks[from], its final "(...)") of bylines or credits: a
-- list of {label, role, org, start, stop, names = {{start, stop, name, place}}}.
local function parse_credits(text, toks, from)
  local i = from or 1
  local open = toks[i] and toks[i].text == "("
  if open then i = i + 1 end
  local found = {}
  while true do
    local role, k = match_role(toks, i, i == 1)
    if not role then return nil end
    local names, j, org = parse_names(text, toks, k)
    if not names then return nil end
    local entry = { label = role.label, role = role.role, org = org, names = {},
      start = toks[k].start, stop = toks[j - 1].stop }
    for _, n in ipairs(names) do
      entry.names[#entry.names + 1] = { start = toks[n.first].start, stop = toks[n.last].stop,
        name = slice(text, toks[n.first], toks[n.last]), place = n.place }
    end
    found[#found + 1] = entry
    local t = toks[j]
    if t == nil or (t.text == "." and toks[j + 1] == nil) then
      return (not open) and found or nil
    elseif t.text == ")" or t.text == "." then
      return open and found or nil
    end
    i = j + 1  -- ";" or "," before the next role
  end
end

---------------------------------------------------------------------------
-- Captions and credits: "... assets. (AFP)", "Photo: X/AFP",
-- "(Photo by X/Getty Images)"

local function after_full_stop(toks, i)
  local t = toks[i - 1]
  if t and CLOSING_QUOTES[t.text] then t = toks[i - 2] end
  return t ~= nil and FULL_STOPS[t.text] == true
end

-- "Photo:", "Photo by", "File photo:", "Photo credit:": the index after it.
local function credit_prefix(toks, i)
  local j = i
  if toks[j] and toks[j].kind == "word" and toks[j].low == "file" then j = j + 1 end
  local t = toks[j]
  if not (t and t.kind == "word" and CREDIT_WORDS[t.low]) then return nil end
  j = j + 1
  if toks[j] and toks[j].kind == "word" and (toks[j].low == "credit" or toks[j].low == "courtesy") then
    j = j + 1
  end
  t = toks[j]
  if t and (t.text == ":" or (t.kind == "word" and (t.low == "by" or t.low == "courtesy"))) then
    if toks[j + 1] and toks[j + 1].kind == "word" and toks[j + 1].low == "of" then j = j + 1 end
    return j + 1
  end
  return nil
end

-- Whether toks[i..j] look like a credit: names, agencies, slashes.
local function credit_names(toks, i, j)
  if j < i or j - i + 1 > CREDIT_MAX_TOKENS then return false end
  if not (is_cap(toks[i]) and (is_cap(toks[j]) or toks[j].kind == "word")) then return false end
  for k = i, j do
    local t = toks[k]
    if t.kind == "word" then
      if not is_cap(t) and not CREDIT_CONNECTORS[t.low] then return false end
    elseif not CREDIT_PUNCT[t.text] then
      return false
    end
  end
  return true
end

-- A credit at the end of a line: {start, stop, credit, caption_last} where
-- caption_last is the index of the caption's last token (0 when none).
local function parse_caption(text, toks)
  local n = #toks
  local last = n
  if toks[last].text == "." and toks[last - 1] and toks[last - 1].text == ")" then last = n - 1 end
  if toks[last].text == ")" then
    for open = last - 1, math.max(1, last - CREDIT_MAX_TOKENS - 3), -1 do
      if toks[open].text == "(" then
        local first = credit_prefix(toks, open + 1)
        local name_first = first or open + 1
        if (first or open == 1 or after_full_stop(toks, open)) and credit_names(toks, name_first, last - 1) then
          return { start = toks[name_first].start, stop = toks[last - 1].stop,
            credit = slice(text, toks[name_first], toks[last - 1]), caption_last = open - 1 }
        end
        break
      end
    end
  end
  -- "Photo: X/AFP" at the start of the line or after a full stop
  for k = 1, n do
    if k == 1 or after_full_stop(toks, k) then
      local first = credit_prefix(toks, k)
      if first then
        local name_last = toks[n].text == "." and n - 1 or n
        if credit_names(toks, first, name_last) then
          return { start = toks[first].start, stop = toks[name_last].stop,
            credit = slice(text, toks[first], toks[name_last]), caption_last = k - 1 }
        end
      end
    end
  end
  return nil
end

---------------------------------------------------------------------------
-- The pass

local function ends_sentence(toks)
  local t = toks[#toks]
  if CLOSING_QUOTES[t.text] and toks[#toks - 1] then t = toks[#toks - 1] end
  return t.text == "."
end

local function is_headline(line, opts)
  local toks = line.toks
  if chars(line.text) > opts.max_headline_chars or word_count(toks) < 2 then return false end
  local first = toks[1]
  return is_cap(first) or first.kind == "number" or CLOSING_QUOTES[first.text] or first.text == "“"
end

local function add(doc, found, label, start, stop, attrs)
  doc:add("structure", { start = start, stop = stop, label = label, attrs = attrs })
  found[#found + 1] = label
end

local function add_credits(doc, value, found, credits)
  for _, c in ipairs(credits) do
    for _, n in ipairs(c.names) do
      add(doc, found, c.label, n.start, n.stop, { role = c.role, place = n.place, org = c.org })
      if c.label == "BYLINE" then
        value.authors = value.authors or {}
        local seen = false
        for _, a in ipairs(value.authors) do seen = seen or a == n.name end
        if not seen then value.authors[#value.authors + 1] = n.name end
      elseif not value.editor then
        value.editor = { name = n.name, place = n.place }
      end
    end
    if c.label == "BYLINE" and not value.byline then
      value.byline = doc:slice(c.start, c.stop)
    end
  end
end

local function top_matter(doc, text, lines, opts, value, found, done)
  -- what each line is, on its own
  local marker
  for i, line in ipairs(lines) do
    if not value.dateline then
      local d = parse_dateline(text, line.toks)
      if d then
        line.dateline = d
        value.dateline = { place = d.place, date = d.date, iso = d.iso, source = d.source }
        add(doc, found, "DATELINE", d.start, d.stop, value.dateline)
      end
    end
    if not line.dateline then line.credits = parse_credits(text, line.toks) end
    -- the body starts at the dateline or at an opening byline
    if (line.dateline or (line.credits and line.credits[1].role == "by")) and not marker then
      marker = i
    end
  end
  local first = lines[1]
  local headline = first and not first.dateline and not first.credits and is_headline(first, opts) and
    not parse_caption(text, first.toks) and
    (#lines > 1) and (not ends_sentence(first.toks) or (marker and marker <= 3))
  if headline then
    value.headline = first.text
    add(doc, found, "HEADLINE", first.start, first.stop)
  end
  -- CoNLL: a bare name between the headline and the dateline
  if headline and marker == 3 and lines[3].dateline then
    local k, words = parse_name(lines[2].toks, 1)
    if k == #lines[2].toks + 1 and words >= 2 and words <= 4 then
      lines[2].credits = { { label = "BYLINE", role = "by", start = lines[2].start, stop = lines[2].stop,
        names = { { start = lines[2].start, stop = lines[2].stop, name = lines[2].text } } } }
    end
  end
  for _, line in ipairs(lines) do
    if line.credits then
      add_credits(doc, value, found, line.credits)
      done[line.start] = true
    end
  end
  -- a standfirst needs the layout around it: a headline above, and below it
  -- only captions or short labels until the dateline or byline
  local second = lines[2]
  if not (headline and marker and marker > 2 and not second.credits and not second.dateline) then return end
  if chars(second.text) > opts.max_standfirst_chars or word_count(second.toks) < STANDFIRST_MIN_WORDS or
      parse_caption(text, second.toks) then
    return
  end
  local alts = {}
  for i = 3, marker - 1 do
    local line = lines[i]
    if not parse_caption(text, line.toks) then
      if chars(line.text) > ALT_MAX_CHARS or ends_sentence(line.toks) or word_count(line.toks) < 2 then
        return
      end
      alts[#alts + 1] = line
    end
  end
  value.standfirst = second.text
  add(doc, found, "STANDFIRST", second.start, second.stop)
  for _, line in ipairs(alts) do
    value.alt = value.alt or line.text
    add(doc, found, "CAPTION", line.start, line.stop, { alt = true })
  end
end

local function captions(doc, text, opts, value, found, top)
  for p in doc:paragraphs() do
    -- only paragraphs that could hold a credit are split into lines
    local pt = p.text
    if pt:find(")", 1, true) or pt:find("[Pp]hoto") or pt:find("[Ii]mage") or pt:find("[Pp]icture") or
        pt:find("[Cc]redit") then
      for _, line in ipairs(top[p.index] or paragraph_lines(doc, text, p)) do
        if not line.dateline and not line.credits and chars(line.text) <= opts.max_caption_chars then
          local c = parse_caption(text, line.toks)
          if c then
            if c.caption_last > 0 then
              local cap_stop = line.toks[c.caption_last].stop
              add(doc, found, "CAPTION", line.start, cap_stop, { credit = c.credit })
              value.caption = value.caption or doc:slice(line.start, cap_stop)
            end
            add(doc, found, "CREDIT", c.start, c.stop)
            value.credit = value.credit or c.credit
          end
        end
      end
    end
  end
end

local function closing_credits(doc, text, paras, value, found, done)
  for _, p in ipairs(paras) do
    for _, line in ipairs(paragraph_lines(doc, text, p)) do
      if not done[line.start] then
        local credits = parse_credits(text, line.toks)
        if not credits and line.toks[#line.toks].text == ")" then
          -- "... said. (Reporting by X; Editing by Y)"
          for k = #line.toks - 1, 1, -1 do
            if line.toks[k].text == "(" then
              credits = after_full_stop(line.toks, k) and parse_credits(text, line.toks, k)
              break
            end
          end
        end
        if credits then add_credits(doc, value, found, credits) end
      end
    end
  end
end

return {
  name = "structure",
  version = "1.0.0",
  kind = "extract",
  description = "News layout: headline, standfirst, caption and credit, dateline, byline, editor",
  license = "MIT",
  author = "lector",
  provides = { "structure" },
  options = {
    max_headline_chars = { type = "integer", default = 200,
      description = "longest first line taken as the headline, in characters" },
    max_standfirst_chars = { type = "integer", default = 400,
      description = "longest line taken as the standfirst, in characters" },
    max_caption_chars = { type = "integer", default = 300,
      description = "longest line (caption and credit) taken as an image caption, in characters" },
  },
  permissions = {},
  run = function(doc, opts)
    local text = doc.text
    local value, found, done = {}, {}, {}
    local paras = {}
    for p in doc:paragraphs() do paras[#paras + 1] = p end
    local lines, top = {}, {}
    for i = 1, math.min(#paras, TOP_PARAGRAPHS) do
      top[i] = paragraph_lines(doc, text, paras[i])
      for _, line in ipairs(top[i]) do
        if #lines < TOP_LINES then lines[#lines + 1] = line end
      end
    end
    top_matter(doc, text, lines, opts, value, found, done)
    captions(doc, text, opts, value, found, top)
    local bottom = {}
    for i = math.max(#paras - BOTTOM_PARAGRAPHS + 1, 1), #paras do bottom[#bottom + 1] = paras[i] end
    closing_credits(doc, text, bottom, value, found, done)
    doc:set("structure", value)
  end,
}
