-- Named entities for the entities plugin: candidate names from runs of
-- capitalized words, labelled by gazetteers, cue words and context, then
-- linked within the document. docs/extraction.md ("## entities") explains
-- the decisions; the data is in data/*.tsv.
local lpeg = lpeg or require "lpeg"

local P, R, S, C, Cc, Cp, Cs, Ct = lpeg.P, lpeg.R, lpeg.S, lpeg.C, lpeg.Cc, lpeg.Cp, lpeg.Cs, lpeg.Ct
local match = lpeg.match
local ipairs, pairs, error, setmetatable = ipairs, pairs, error, setmetatable
local sub, lower, upper, find, byte = string.sub, string.lower, string.upper, string.find,
  string.byte
local sort = table.sort
local min, max = math.min, math.max

local M = {}

---------------------------------------------------------------------------
-- Scanning: capitalized words and connectors, with byte positions.

local digit = R"09"
-- Upper-case letters: ASCII, Latin-1 (À-Þ without ×), Latin Extended-A
-- (the upper-case member of each pair), Greek and Cyrillic capitals.
local ext_a_upper = P"\196" * S"\128\130\132\134\136\138\140\142\144\146\148\150\152\154\156\158\160\162\164\166\168\170\172\174\176\178\180\182\185\187\189\191"
  + P"\197" * S"\129\131\133\135\138\140\142\144\146\148\150\152\154\156\158\160\162\164\166\168\170\172\174\176\178\180\182\184\185\187\189"
local upper_letter = R"AZ" + P"\195" * (R"\128\150" + R"\152\158") + ext_a_upper
  + P"\206" * (S"\134\136\137\138\140\142\143" + R"\145\161" + R"\163\169") + P"\208" * R"\128\175"
-- Any letter: ASCII, and multi-byte characters other than the punctuation
-- and symbol blocks (U+0080-U+00BF, U+2000-U+2BFF) and emoji.
local cont = R"\128\191"
local mb_letter = R"\195\223" * cont + (R"\224\225" + R"\227\239") * cont * cont
  + P"\240" * R"\144\158" * cont * cont + R"\241\244" * cont * cont * cont
local letter = R("az", "AZ") + mb_letter
local wordch = letter + digit
local apostrophe = P"'" + "\226\128\153"
local hyphen = P"-" + "\226\128\144" + "\226\128\145"
local inner = wordch + hyphen * #wordch + apostrophe * #letter + "&" * #upper_letter
  + "." * #(R"AZ" * ".")
-- A capitalized word: "Venezuela", "Su-30", "Peskov’s", "U.S", "AT&T",
-- "al-Assad", "iPhone". A final period is decided later (abbreviations).
local arabic_article = (P"al" + "el" + "Al" + "El" + "ad" + "as" + "ash" + "an" + "ar" + "at") * hyphen
local abbreviation = P(false)
for w in ([[Mr Mrs Ms Dr Prof Gen Sen Rep Gov Lt Col Maj Capt Adm Sgt Cpl Pvt Rev Fr St Mt
  Ft Jr Sr Inc Corp Co Ltd Bros Cos Dept Univ Ave Blvd Rd Sq Hon Gens Sens Reps Supt Det Insp
  Messrs Msgr Brig Cmdr Amb Atty Pres]]):gmatch "%S+" do
  abbreviation = abbreviation + P(w)
end
local capword = (upper_letter * ".")^2 + upper_letter * "." * -wordch
  + abbreviation * "." * -wordch
  + (upper_letter + arabic_article * #upper_letter + S"ie" * #upper_letter) * inner^0
-- What ends a name inside a capitalized word: a possessive ("Peskov’s" ->
-- "Peskov") or a hyphen before a lower-case word ("Russian-supplied" ->
-- "Russian", "US-bound" -> "US"), but not a particle between two parts of
-- a name ("Inzamam-ul-Haq", "Ata-ur-Rehman").
local name_tail = apostrophe * "s" * -inner + "-" * R"az" * -(R"az"^-2 * "-" * R"AZ")
local name_word = (upper_letter * ".")^2 + upper_letter * "." * -wordch
  + abbreviation * "." * -wordch
  + (upper_letter + arabic_article * #upper_letter + S"ie" * #upper_letter) * (-name_tail * inner)^0
local connectors = {
  "of", "the", "for", "on", "and", "de", "del", "della", "di", "da", "do", "dos", "das", "du",
  "des", "la", "le", "les", "los", "las", "van", "von", "der", "den", "ter", "ten", "bin", "ibn",
  "bint", "al", "el", "y", "upon", "&",
}
local conn = P(false)
sort(connectors, function(a, b) return #a > #b end)
-- The text between two capitalized words that keeps them in one run:
-- white space, or connectors ("of", "of the", "de la", "&") between spaces.
local CONN_GAP = {}
for _, w in ipairs(connectors) do
  conn = conn + P(w)
  CONN_GAP[" " .. w .. " "] = { w }
  for _, w2 in ipairs { "the", "la", "los", "las", "der", "den", "dem", "le" } do
    CONN_GAP[" " .. w .. " " .. w2 .. " "] = { w, w2 }
  end
end
conn = conn * -wordch
local space = S" \t" + "\194\160"
-- Scanning jumps over every byte that cannot start a capitalized word (a
-- span in LPeg's machine) and keeps the capitalized words that do not
-- continue another word: {start1, stop1, start2, stop2, ...} (1-based,
-- stop exclusive).
local cap_lead = R"AZ" + S"\195\196\197\206\208"
local not_after_word = -lpeg.B(R("az", "AZ", "09"))
-- {start1, stop1, cut1, start2, ...}: cut is true when a tail was cut off,
-- which ends the run.
local scanner = Ct(((1 - cap_lead)^1
  + not_after_word * Cp() * name_word * Cp() * -P"$" * (#name_tail * Cc(true) + Cc(false)) + 1)^0)

local blank_gap = (space + "\n")^1 * -1
local to_word = (1 - wordch)^0 * Cp()

-- The first three lines that are not blank (and the blank ones before
-- them): where a headline can be. Gives the position after them.
local blank_line = S" \t\r"^0 * "\n"
local text_line = (1 - P"\n")^1 * (P"\n" + -1)
local top_lines = blank_line^0 * (text_line * blank_line^0)^-3 * Cp()

-- Lower-case words other than connectors, to tell a headline in title case.
local lowercase_words = Ct((conn + capword + R"az" * inner^0 * Cc(true) + digit * inner^0 + 1)^0)

-- The word after a position: "said" in "Peskov said".
-- A lone sentence-initial word that reads as a verb form or an adverb:
-- "Concerning", "Edited", "Reportedly" (not "Ahmed", "Mohammed", "Lebed").
local function ends(suffix, min_len)
  return #P(min_len) * (1 - P(suffix) * -1)^1 * P(suffix) * -1
end
local verb_like = ends("ing", 5) + ends("ly", 4) + (ends("ed", 6) - ends("med", 4) - ends("bed", 4))
-- A date or number after a dateline's place: "BRUSSELS 1996-08-22".
local blanks = S" \t\n\r\v\f"^0
local dateline_digit = blanks * (P"," * blanks)^-1 * digit
local next_word = space^0 * P"\n"^-1 * space^0 * C((R("az", "AZ") + "’" + "'")^1)
-- A comma then "who": "Maduro, who".
local comma_who = space^0 * "," * space^0 * (P"who" + "whose") * -wordch
local word_after = next_word + comma_who * Cc(true)

---------------------------------------------------------------------------
-- Data

-- One lexicon, data/gazetteer.tsv, generated by tools/gazetteer.lua from
-- the lists in data/ and Debian's iso-codes.
local GAZETTEER = "data/gazetteer.tsv"
local HEAD_ORDER = { "ORGHEAD", "FACHEAD", "EVENTHEAD", "LAWHEAD", "LOCHEAD", "GPEHEAD" }
local HEAD_LABEL = { ORGHEAD = "ORG", FACHEAD = "FAC", EVENTHEAD = "EVENT", LAWHEAD = "LAW",
  LOCHEAD = "LOC", GPEHEAD = "GPE" }
-- Words after a name that say it is a person.
local SPEAKS = {}
for w in ([[said says say told tells added adds stated states wrote writes argued argues noted
  notes explained explains warned warns insisted insists asked asks replied replies recalled
  recalls believes believed thinks thought added admitted acknowledged conceded complained
  urged urges claimed claims declared declares continued countered tweeted posted
  ]]):gmatch "%S+" do SPEAKS[w] = true end
-- Speech verbs that come before their speaker at a clause's end: "...,"
-- said Henke. ("told" and "asked" come before whom they address.)
local SPEAKS_BEFORE = {}
for w in ([[said says added adds wrote writes noted notes explained explains warned warns
  insisted insists replied replies recalled recalls admitted acknowledged conceded complained
  declared declares continued countered tweeted]]):gmatch "%S+" do SPEAKS_BEFORE[w] = true end
-- Words before a name that say it is a place.
local PLACE_PREP = { ["in"] = true, at = true, from = true, near = true, to = true, into = true,
  across = true, outside = true, inside = true, toward = true, towards = true, via = true }
local memo, memo_size = {}, 0
local MEMO_MAX = 30000

local gazetteer          -- the Lexicon, once per plugin state
-- The most words (with connectors) one name may hold.
local MAX_RUN = 16

local function load_gazetteer(ctx)
  if gazetteer then return gazetteer end
  if ctx and ctx.lexicon then
    gazetteer = ctx.lexicon(GAZETTEER, { fold = true })
  elseif M.loader then
    gazetteer = M.loader(GAZETTEER)
  else
    error("entities: cannot load " .. GAZETTEER .. " (ctx.lexicon is missing)")
  end
  return gazetteer
end

-- The entity label a gazetteer gives a phrase, by priority.
local PRIORITY = { "PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "PRODUCT",
  "WORK_OF_ART" }

-- Whether a hyphenated word joins month or weekday names only ("May",
-- not a DATEWORD alone because of the verb, is a month here).
local function month_range(phrase)
  for part in phrase:gmatch "[^%-]+" do
    local dateword = part == "May" or part == "MAY"
    for _, label in ipairs(gazetteer:labels(part)) do
      if label == "DATEWORD" then dateword = true end
    end
    if not dateword then return false end
  end
  return true
end

-- Every label of a phrase in the gazetteer, as a set, with `entity` the
-- entity label by priority; memoized for the plugin state's life.
local function labels(phrase)
  local got = memo[phrase]
  if got then return got end
  got = {}
  for _, label in ipairs(gazetteer:labels(phrase)) do got[label] = true end
  if not got.DATEWORD and find(phrase, "-", 1, true) and month_range(phrase) then
    got.DATEWORD = true                       -- "Jan-April", "January-June"
  end
  for _, l in ipairs(PRIORITY) do
    if got[l] then got.entity = l break end
  end
  -- the label a head word gives the name it ends ("Ministry" -> ORG), in a
  -- fixed order: "League" heads an organization before an event
  for _, h in ipairs(HEAD_ORDER) do
    if got[h] then got.head = HEAD_LABEL[h] break end
  end
  if memo_size >= MEMO_MAX then memo, memo_size = {}, 0 end
  memo[phrase] = got
  memo_size = memo_size + 1
  return got
end

local function entity_label(ls) return ls.entity end

---------------------------------------------------------------------------
-- Per document

-- Sentence bounds (0-based starts, exclusive stops).
local BOUNDS = { "start", "stop" }
local function sentence_bounds(doc)
  local columns = doc:sentence_columns(BOUNDS)
  return columns.start, columns.stop
end

-- Is the lower-case form of a word used in the document? ("Military" at a
-- sentence start is common when "military" appears elsewhere.)
local function seen_lowercase(state, word)
  local lw = lower(word)
  if lw == word then return false end
  local cached = state.lower_seen[lw]
  if cached ~= nil then return cached end
  local text, init, found = state.text, 1, false
  for _ = 1, 32 do
    local s, e = find(text, lw, init, true)
    if not s then break end
    local before = s > 1 and byte(text, s - 1) or 32
    local after = byte(text, e + 1) or 32
    local function boundary(b)
      return not ((b >= 65 and b <= 90) or (b >= 97 and b <= 122) or b >= 128 or (b >= 48 and b <= 57))
    end
    if boundary(before) and boundary(after) then
      found = true
      break
    end
    init = e + 1
  end
  state.lower_seen[lw] = found
  return found
end

-- Is a word capitalized elsewhere in the document after another word of
-- its sentence ("Lebed said" at a sentence start, "met Lebed" later)?
local word_after_word = lpeg.B(R("az", "09") + S",;") * space^1
local function seen_inside(state, word)
  local cached = state.inside_seen[word]
  if cached ~= nil then return cached end
  local text, init, found = state.text, 1, false
  for _ = 1, 32 do
    local s, e = find(text, word, init, true)
    if not s then break end
    if s > 2 and match(word_after_word * P(word) * -wordch, text, s - 1) then
      found = true
      break
    end
    init = e + 1
  end
  state.inside_seen[word] = found
  return found
end

-- No lower-case ASCII letter and two capitals in a row: "UNODC", "U.S." is not.
local all_caps = #((1 - R"az")^0 * -1) * (1 - R"AZ" * R"AZ")^0 * R"AZ" * R"AZ"
-- The bytes of a word prev_word returns: ASCII letters, "'" and the bytes
-- of "’" (each alone); and the blanks after it.
local BACK_LETTER, BLANK = {}, {}
for b = 65, 90 do BACK_LETTER[b], BACK_LETTER[b + 32] = true, true end
for _, b in ipairs { 39, 226, 128, 153 } do BACK_LETTER[b] = true end
for _, b in ipairs { 32, 9, 10, 13, 11, 12 } do BLANK[b] = true end
-- The word (letters, apostrophes) just before byte offset ws (0-based)
-- and blanks, looking back at most 24 bytes, and its start (0-based); nil
-- when punctuation is there.
local function prev_word(text, ws)
  if ws < 2 then return nil end
  local b = byte(text, ws)
  if b == 32 then
    -- one space: a word needs a letter or an apostrophe just before it
    local b2 = byte(text, ws - 1)
    if not (b2 >= 97 and b2 <= 122 or b2 >= 65 and b2 <= 90 or b2 == 39 or b2 == 153) then
      return nil
    end
  elseif not (b >= 9 and b <= 13) then
    return nil
  end
  -- back from ws over blanks, then over the word's bytes, not before from
  local from = max(1, ws - 23)
  local k = ws
  while k >= from and BLANK[byte(text, k)] do k = k - 1 end
  local last = k
  while k >= from and BACK_LETTER[byte(text, k)] do k = k - 1 end
  if k == last then return nil end
  return sub(text, k + 1, last), k
end

-- Is the word at byte offset s (0-based) after an opening quote, a bracket
-- or a colon and blanks, within the 4 bytes before it? ("said: “We")
local function opener_before(text, s)
  local k, low = s, max(1, s - 3)
  while k >= low do
    local b = byte(text, k)
    if b == 34 or b == 40 or b == 58 then return true end
    if b == 156 and k >= 3 and byte(text, k - 1) == 128 and byte(text, k - 2) == 226 then
      return k - 2 >= low
    end
    if not (b == 32 or b == 9 or b == 10 or b == 160 and byte(text, k - 1) == 194) then return false end
    k = k - (b == 160 and 2 or 1)
  end
  return false
end

local to_lower = (1 - R"az")^0 * Cp()
local two_caps = (1 - R"AZ" * R"AZ")^0 * R"AZ" * R"AZ"

local function is_all_caps(w)
  return match(all_caps, w) ~= nil
end


local function phrase_of(state, words, i, j)
  return sub(state.text, words[i].s + 1, words[j].e)
end

-- Add a mention.
local function emit(state, words, i, j, label, evidence, extra)
  local start, stop, nwords = words[i].s, words[j].e, 0
  for k = i, j do
    if not words[k].conn then nwords = nwords + 1 end
  end
  -- the fields set later are named too (nil for now): the table is made at
  -- its final size, not grown twice
  local m = { start = start, stop = stop, label = label, evidence = evidence or 1, nwords = nwords,
    text = sub(state.text, start + 1, stop), first_word = words[i].t, last_word = words[j].t,
    caps = nil, link = nil, before_place = nil, after_speech = nil, acronym = nil, key = nil,
    canonical = nil, entity = nil }
  if extra then for k, v in pairs(extra) do m[k] = v end end
  state.found[#state.found + 1] = m
  return m
end

-- Longest gazetteer entity starting at word i (not crossing limit): j, label, labels.
local function gazetteer_at(state, words, i, limit)
  local top = labels(words[i].t).FIRST and min(limit, i + 8) or i
  for j = top, i, -1 do
    if not words[j].conn then
      local ls = labels(phrase_of(state, words, i, j))
      local label = entity_label(ls)
      if label then return j, label, ls end
      if ls.GPE_WEAK then return j, "GPE", ls, true end
    end
  end
  return nil
end

local function has(ls, a, b, c)
  return ls[a] or (b and ls[b]) or (c and ls[c])
end

-- The head label of word k (ORG for "Ministry", "Inc", ...), or nil.
local function head_of(state, w)
  return labels(w.t).head
end

-- Is word k a title ("President", "Minister", "Gen.")? Returns the index
-- after the title chain (TITLEMOD* TITLE (of|for TITLEMOD+)?), or nil.
local function title_chain(state, words, i, n)
  local k = i
  while k <= n and not words[k].conn and labels(words[k].t).TITLEMOD
    and not labels(words[k].t).TITLE do
    k = k + 1
  end
  if k > n or words[k].conn then return nil end
  local ls = labels(words[k].t)
  if not ls.TITLE then return nil end
  k = k + 1
  -- "Secretary of State", "High Commissioner for Human Rights"
  if k < n and words[k].conn and (words[k].t == "of" or words[k].t == "for") then
    local j = k + 1
    while j <= n and not words[j].conn and labels(words[j].t).TITLEMOD do j = j + 1 end
    if j > k + 1 then k = j end
  end
  return k
end

-- Person name starting at i: the index of its last word, or nil. Name
-- words are capitalized words that are not titles or heads; particles
-- (de, van, bin, ...) may join them.
local NAME_PARTICLE = { de = true, del = true, della = true, di = true, da = true, ["do"] = true,
  dos = true, das = true, du = true, la = true, le = true, van = true, von = true, der = true,
  den = true, ter = true, ten = true, bin = true, ibn = true, bint = true, al = true, el = true,
  y = true }
-- An initial: "R."
local initial = R"AZ" * "." * -1

local function person_extent(state, words, i, n)
  local j = i
  local k = i + 1
  while k <= n do
    local w = words[k]
    if w.conn then
      if not NAME_PARTICLE[w.t] then break end
      -- a particle needs a name after it
      local k2 = k
      while k2 <= n and words[k2].conn do
        if not NAME_PARTICLE[words[k2].t] then break end
        k2 = k2 + 1
      end
      if k2 > n or words[k2].conn then break end
      k = k2
    else
      local ls = labels(w.t)
      if ls.TITLE or ls.ORGHEAD then break end
      -- after an initial comes a surname, whatever else the word names ("B. Lara")
      if not match(initial, words[j].t) or ls.COUNTRY or ls.NORP then
        if ls.COMMON and not ls.GIVEN and not ls.LAST then break end
        if (ls.GPE or ls.NORP or ls.ORG) and not (ls.LAST or ls.GIVEN or ls.PERSON) then break end
      end
      j = k
      k = k + 1
    end
  end
  return j
end

-- Label the words i..j of an unknown capitalized sequence by its heads.
local function head_label(state, words, i, j)
  local last = head_of(state, words[j])
  if last and (j > i or last == "ORG" and is_all_caps(words[j].t)) then return last end
  -- "University of X", "Bank of England", "Gulf of Mexico"
  for k = i, j - 1 do
    if words[k + 1].conn and (words[k + 1].t == "of" or words[k + 1].t == "for"
        or words[k + 1].t == "on") then
      local h = head_of(state, words[k])
      if h then return h end
    end
  end
  return nil
end

-- "Su-30", "Il-76", "Kh-31A", "S-300VM", "F-16", "MK2"
local ascii_letter = R("az", "AZ")
local model = R"AZ" * (ascii_letter * ascii_letter^-1 * P"-"^-1 * digit + P"-"^-1 * digit)
  + R"AZ" * ascii_letter^0 * "-" * R"AZ"^-1 * digit
  + R"AZ" * R"az"^1 * "-" * R"AZ" * -1
local function model_like(t)
  return match(model, t) ~= nil
end

-- Split a run of words at its connectors where the connector does not
-- belong to a name: "Russia and China" -> "Russia", "China".
local function keeps_connector(state, words, k)
  local c = words[k].t
  if c == "&" then return true end
  local left, right = words[k - 1], words[k + 1]
  if not left or not right then return false end
  -- particles come in pairs ("von der", "de la"); other connectors follow a name word
  if left.conn and c ~= "the" and not (NAME_PARTICLE[c] and NAME_PARTICLE[left.t]) then
    return false
  end
  if NAME_PARTICLE[c] then return true end
  if c == "the" then return words[k - 1].t == "of" end
  -- of / for / on / and / upon: inside organization and place names only
  local h = head_of(state, left)
  if h then return true end
  if c == "and" then
    -- "Office on Drugs and Crime": an "and" after a connector-joined part
    for j = k - 2, 1, -1 do
      if words[j].conn then
        return words[j].t ~= "and" and words[j].keep == true
      end
    end
    return false
  end
  if c == "of" or c == "for" then
    local ls = labels(left.t)
    if ls.TITLE or ls.TITLEMOD then return true end
  end
  return false
end

-- Analyse one run of words (capitalized words and connectors of one
-- sentence, with no other word between them).
local function analyse_run(state, words, ctx_before, ctx_after)
  local n = #words
  -- drop connectors at the edges
  while n > 0 and words[n].conn do words[n] = nil; n = n - 1 end
  local first = 1
  while first <= n and words[first].conn do first = first + 1 end
  if first > n then return end
  if first > 1 then
    local w = {}
    for k = first, n do w[#w + 1] = words[k] end
    words, n = w, #w
  end
  -- decide connectors; split into parts
  local parts, cur = {}, {}
  for k = 1, n do
    local w = words[k]
    if w.conn then
      if keeps_connector(state, words, k) then
        w.keep = true
        cur[#cur + 1] = w
      else
        if #cur > 0 then parts[#parts + 1] = cur end
        cur = {}
      end
    else
      cur[#cur + 1] = w
    end
  end
  if #cur > 0 then parts[#parts + 1] = cur end
  for pi, part in ipairs(parts) do
    -- a part may end in a dangling connector ("Bank of" before a split)
    while #part > 0 and part[#part].conn do part[#part] = nil end
    if #part > 0 then
      M.analyse_part(state, part, pi == 1 and ctx_before or nil, pi == #parts and ctx_after or nil)
    end
  end
end

-- Analyse one part: gazetteer matches, titles, person names, heads.
function M.analyse_part(state, words, before, after)
  local n = #words
  local i = 1
  local person_next = before and before.title
  while i <= n do
    local w = words[i]
    local t = w.t
    local ls = labels(t)
    local chain = not w.conn and title_chain(state, words, i, n)
    if w.conn then
      -- a connector left over after a date word ("West Bank on Thursday")
      i = i + 1
      goto continue
    end
    local j, label, gls, weak = gazetteer_at(state, words, i, n)
    if chain and not (j and j >= chain) then
      -- a title: the name after it is a person
      person_next = true
      i = chain
    elseif ls.SHIP and i < n then
      -- "USS Gerald R. Ford": the ship is a product, never a person
      emit(state, words, i, n, "PRODUCT", 3)
      return
    elseif ls.MAKER and i < n and (model_like(words[i + 1].t) or labels(words[i + 1].t).PRODUCT) then
      local e = i + 1
      while e < n and not words[e + 1].conn and model_like(words[e + 1].t) do e = e + 1 end
      emit(state, words, i, e, "PRODUCT", 3)
      i = e + 1
    elseif ls.DATEWORD then
      i = i + 1
    elseif j and not (label == "GPE" and weak and person_next) then
      -- a gazetteer entry; it may head a longer name: "Russian Foreign Ministry"
      local k = j
      local ext
      for e = n, j + 1, -1 do
        if not words[e].conn then
          local h = head_of(state, words[e])
          if h and h ~= "GPE" then
            local ok = true
            for q = j + 1, e do
              if not words[q].conn and labels(words[q].t).TITLE then ok = false break end
            end
            if ok then ext = h; k = e break end
          end
        end
      end
      if ext then
        emit(state, words, i, k, ext, 2)
        i = k + 1
      elseif (ls.GIVEN or person_next) and label ~= "PERSON" and j == i and i < n
          and not words[i + 1].conn and not entity_label(labels(words[i + 1].t))
          and not labels(words[i + 1].t).ORGHEAD then
        -- "Victoria Nuland": a given name that is also a place
        local e = person_extent(state, words, i, n)
        emit(state, words, i, e, "PERSON", 2)
        person_next = false
        i = e + 1
      else
        local ev = weak and 1 or 3
        if label == "PERSON" then ev = 4 end
        emit(state, words, i, j, label, ev)
        i = j + 1
      end
    elseif ls.GIVEN or person_next or ls.LAST or (#t == 2 and match(initial, t)) then
      local e = person_extent(state, words, i, n)
      local h = e > i and head_label(state, words, i, e)
      if h and h ~= "GPE" then
        emit(state, words, i, e, h, 2)
      else
        local ev = person_next and 3 or (ls.GIVEN and e > i) and 3 or 2
        emit(state, words, i, e, "PERSON", ev)
      end
      person_next = false
      i = e + 1
    elseif ls.PRODUCT or model_like(t) then
      local e = i
      while e < n and not words[e + 1].conn and (model_like(words[e + 1].t)
        or labels(words[e + 1].t).PRODUCT) do
        e = e + 1
      end
      emit(state, words, i, e, "PRODUCT", 2)
      i = e + 1
    else
      -- an unknown sequence up to the next title or gazetteer entry
      local e = i
      while e < n do
        local nx = words[e + 1]
        if not nx.conn then
          if title_chain(state, words, e + 1, n) then break end
          local nls = labels(nx.t)
          -- "Mushtaq Ahmed": an unknown word and a given name are one name
          if nls.GIVEN and e > i or nls.SHIP or nls.DATEWORD then break end
          local gj, glabel = gazetteer_at(state, words, e + 1, n)
          if gj and glabel ~= "GPE" or (gj and gj < n) then
            -- "Washington Post": a place followed by a head stays in
            if not head_label(state, words, i, gj) then break end
          end
        end
        e = e + 1
      end
      while e > i and words[e].conn do e = e - 1 end
      local h = head_label(state, words, i, e)
      if e == i and #t == 1 then
        -- "I", a grade "C", a compass "N": a lone capital letter is no name
      elseif h then
        emit(state, words, i, e, h, 2)
      else
        local m = emit(state, words, i, e, before and before.dateline and i == 1 and "GPE" or nil, 1)
        if not m.label then m.evidence = 0 end
        m.before_place = before and before.place and i == 1
        m.after_speech = after and after.speech and e == n
          or before and SPEAKS_BEFORE[before.word] and i == 1 and e == n and after and not after.word
        m.acronym = e == i and is_all_caps(t) and #t <= 6
      end
      i = e + 1
    end
    ::continue::
  end
end

-- Break the scanned items of the document into runs and analyse them.
local NO_CONTEXT = setmetatable({}, { __newindex = function() error("entities: NO_CONTEXT is read-only") end })
local function collect_runs(state, items, starts, stops)
  local text = state.text
  local si, ns = 1, #starts
  local run = {}
  local allcaps_sentence = {}
  -- whether each sentence has no lower-case letter (a headline in capitals)
  local next_lower = 0
  local function sentence_caps(k)
    local c = allcaps_sentence[k]
    if c ~= nil then return c end
    local s0, s1 = starts[k], stops[k]
    if next_lower <= s0 then
      -- a 1-based position: the 0-based offset is one less
      next_lower = match(to_lower, text, s0 + 1) - 1
    end
    c = next_lower >= s1 and match(two_caps, sub(text, s0 + 1, min(s1, s0 + 400))) ~= nil
    allcaps_sentence[k] = c
    return c
  end
  -- the context of the run being flushed, reused from run to run (the
  -- analysis reads it and keeps nothing of it)
  local run_before, run_after = {}, {}
  local function flush()
    if #run == 0 then return end
    local words = run
    run = {}
    local first = words[1]
    local s_index = first.sentence
    -- context: the word before and after the run
    local before, after = run_before, run_after
    before.place, before.word, before.title, before.dateline = nil, nil, nil, nil
    after.word, after.speech = nil, nil
    local ws = first.s
    local prev = prev_word(text, ws)
    if prev then
      local lp = lower(prev)
      before.place = PLACE_PREP[lp]
      before.word = lp
      if lp == prev then
        local pls = labels(prev)
        before.title = pls.TITLE
      end
    end
    local last = words[#words]
    local nw = match(word_after, text, last.e + 1)
    if nw == true then
      after.speech = true
    elseif nw then
      after.word = nw
      after.speech = SPEAKS[nw]
    end
    if sentence_caps(s_index) or state.headline(s_index) then
      M.analyse_caps(state, words, first.initial, before, after)
      return
    end
    -- a sentence's first word is often an ordinary word: "The", "Military"
    if not first.initial then
      local ls = labels(first.t)
      if ls.COMMON and not entity_label(ls) and not ls.TITLE and not ls.GIVEN
          and not ls.DATEWORD and (#words == 1 or not head_label(state, words, 1, #words)
            and not gazetteer_at(state, words, 1, #words)) then
        table.remove(words, 1)
        if #words == 0 then return end
        before = NO_CONTEXT
      end
    elseif not first.conn then
      local t = first.t
      local ls = labels(t)
      local drop = false
      if ls.TITLE or ls.DATEWORD then
        drop = false
      elseif entity_label(ls) and not (ls.COMMON and #words == 1) then
        drop = false
      elseif ls.COMMON then
        -- "New Zealand", "New York": a common word opening a known name stays
        drop = not (ls.GIVEN and #words > 1 and not words[2].conn)
          and not (#words > 1 and gazetteer_at(state, words, 1, #words))
      elseif not (ls.GIVEN or ls.LAST or ls.SHIP or ls.MAKER) then
        drop = seen_lowercase(state, t)
          or (#words == 1 and (ls.FREQ and not after.speech or match(verb_like, t))
            and not seen_inside(state, t))
      end
      if drop then
        table.remove(words, 1)
        if #words == 0 then return end
        before = NO_CONTEXT
      elseif ws == starts[s_index] and state.dateline_after(words[#words]) then
        before.dateline = true
      end
    end
    analyse_run(state, words, before, after)
  end
  local n = #items
  local prev_stop = -1   -- 0-based exclusive stop of the previous capitalized word
  local sentence_first = true
  for i = 1, n, 3 do
    local s, e = items[i] - 1, items[i + 1] - 1
    if si < ns and s >= starts[si + 1] then
      flush()
      while si < ns and s >= starts[si + 1] do si = si + 1 end
      sentence_first = true
    end
    -- what lies between this word and the previous one
    local nrun = #run
    if nrun > 0 then
      local gap = s - prev_stop
      if gap == 1 and byte(text, s) == 32 then
        -- one space: the common case, nothing to look at
      elseif gap < 1 or gap > 12 then
        flush()
      else
        local g = sub(text, prev_stop + 1, s)
        local cs = CONN_GAP[g]
        if cs then
          local at = prev_stop + 1
          for _, c in ipairs(cs) do
            run[#run + 1] = { s = at, e = at + #c, t = c, sentence = si, conn = true }
            at = at + #c + 1
          end
        elseif not match(blank_gap, g) then
          flush()
        end
      end
    end
    prev_stop = e
    local t = sub(text, s + 1, e)
    local w = { s = s, e = e, t = t, sentence = si, initial = nil }   -- sized for `initial`
    local poss = items[i + 2]
    -- "al-Assad": the article belongs to the name
    if s >= 3 and byte(text, s) == 45 and byte(text, s - 1) == 108 then
      local a = byte(text, s - 2)
      if (a == 97 or a == 101 or a == 65 or a == 69) and (s == 3 or not match(wordch, text, s - 3)) then
        w.s = s - 3
        w.t = sub(text, w.s + 1, w.e)
      end
    end
    if nrun == 0 then
      if sentence_first then
        -- nothing but punctuation before it in the sentence
        w.initial = match(to_word, text, starts[si] + 1) == s + 1
      end
      if not w.initial then
        -- after an opening quote or a colon: "said: “We"
        w.initial = opener_before(text, s)
      end
    end
    sentence_first = false
    if #w.t > 0 then run[#run + 1] = w end
    -- no name is this long: a longer run is a list or a table
    if poss or #run >= MAX_RUN then flush() end
  end
  flush()
end

-- A run in a sentence written in capitals: only gazetteers and the names
-- found elsewhere in the document are trusted.
function M.analyse_caps(state, words, initial, before, after)
  state.caps_runs[#state.caps_runs + 1] = { words = words, initial = initial }
end

local function resolve_caps(state)
  local known = state.known_upper
  for _, r in ipairs(state.caps_runs) do
    local words = r.words
    local n = #words
    local i = 1
    while i <= n do
      if words[i].conn then
        i = i + 1
      else
        local hit
        for j = labels(words[i].t).FIRST and min(n, i + 5) or i, i, -1 do
          if not words[j].conn then
            local phrase = phrase_of(state, words, i, j)
            local known_m = known[upper(phrase)]
            local label = known_m and known_m.label
            local ev = 3
            if not label then
              local ls = labels(phrase)
              label = entity_label(ls)
              if not label and ls.GIVEN and j == i and i < n and not words[i + 1].conn
                  and not entity_label(labels(words[i + 1].t)) then
                label, j = "PERSON", i + 1
                ev = 2
              end
            end
            if label then
              hit = j
              emit(state, words, i, j, label, ev, { caps = true, link = known_m })
              break
            end
          end
        end
        if not hit and i == 1 and r.initial and n == 1 and state.dateline_after(words[1]) then
          emit(state, words, 1, 1, "GPE", 2, { caps = true })
          hit = 1
        end
        i = (hit or i) + 1
      end
    end
  end
end

---------------------------------------------------------------------------
-- Sports reports: the name of a city, state or county stands for its club
-- ("Leeds beat Arsenal", "Leeds 2 Arsenal 1", "CHICAGO 74 58 .561"), while
-- a country's name keeps its label (national sides are named as places).

-- Headline words of a sports report: "SOCCER - LEEDS BEAT ARSENAL".
local SPORT_WORDS = {}
-- Team sports only: in a tennis or golf report a name is a player's.
for w in ([[SOCCER FOOTBALL CRICKET BASEBALL BASKETBALL RUGBY HOCKEY ICE VOLLEYBALL HANDBALL
  NFL NBA NHL MLB AMERICAN POLO LEAGUE UNION]]):gmatch "%S+" do
  SPORT_WORDS[w] = true
end
local sport_word = C(R"AZ"^2)
local sport_head = lpeg.Cmt(S" \t"^0 * sport_word * (space^1 * sport_word)^0 * space^0 * "-",
  function(_, pos, ...)
    for _, w in ipairs { ... } do if not SPORT_WORDS[w] then return false end end
    return pos
  end)
-- on one of the first three lines
local next_line = (1 - P"\n")^0 * "\n"
local sport_headline = sport_head + next_line * (sport_head + next_line * sport_head)
-- Words around a club's name, outside a sports report (where every city
-- not after a place preposition is taken for a club): a result, "Leeds
-- beat Arsenal", "Leeds v Arsenal", "lost to Leeds". Not "drew with",
-- "against", "won", "faces", "hosts" and the like: they speak of
-- governments as often ("talks with Caracas", "Moscow won support",
-- "sanctions against Minsk").
local TEAM_BEFORE = { beat = true, beating = true, v = true, vs = true, ["lost to"] = true }
local TEAM_AFTER = { beat = true, beats = true, v = true, vs = true }
local LOST = { lost = true, lose = true, loses = true, losing = true, fell = true, slipped = true }
local lower_word = C(R"az"^1) * -wordch
local next_lower_word = space^1 * lower_word
-- What follows the place of a dateline: "LONDON 1996-08-22", "PARIS, Aug 3", "ROME (Reuters)".
local dateline_rest = space^0 * (S",(" + digit * digit * digit * digit * S"-/")
-- A score after a name: " 2", " 2-1" (not a date or a year).
local score = space^1 * digit * digit^-1 * ("-" * digit * digit^-1)^-1 * -(wordch + S"-/:" + "." * digit)
-- Capitalized words then a score, counted along a line: a result line has two.
local score_item = not_after_word * upper_letter * (letter + S".'")^0
  * (space^1 * upper_letter * (letter + S".'")^0)^0 * score
local score_count = Ct((score_item * Cc(true) + (1 - P"\n"))^0)

-- The word before byte offset pos (0-based), lower-cased, and its start.
local function word_before(text, pos)
  local w, at = prev_word(text, pos)
  if w then return lower(w), at end
  return nil
end

local function line_start(text, pos)
  local k = pos
  while k > 0 and byte(text, k) ~= 10 and pos - k < 400 do k = k - 1 end
  return k + 1
end

local function sports_teams(state)
  local text = state.text
  local sports = state.sports
  local team_text, candidates = {}, {}
  for _, m in ipairs(state.found) do
    if m.label == "GPE" and not labels(m.text).COUNTRY then
      local prev, at = word_before(text, m.start)
      -- "lost to Leeds": the club is the one that won
      if prev == "to" and LOST[word_before(text, at)] then prev = "lost to" end
      local starts_line = m.start == 0 or byte(text, m.start) == 10
      if not (PLACE_PREP[prev] or starts_line and match(dateline_rest, text, m.stop + 1)) then
        candidates[#candidates + 1] = m
        local key = lower(m.text)
        if sports or TEAM_BEFORE[prev] or TEAM_AFTER[match(next_lower_word, text, m.stop + 1)]
            or match(score, text, m.stop + 1)
              and #match(score_count, text, line_start(text, m.start)) >= 2 then
          team_text[key] = true
        end
      end
    end
  end
  for _, m in ipairs(candidates) do
    if team_text[lower(m.text)] then m.label = "ORG" end
  end
end

-- "United Nations" -> "UN": the capital letter opening each word.
local nonblank = 1 - S" \t\n\r\v\f"
local initials = Cs(((1 - nonblank)^1 / "" + R"AZ" * (nonblank^0 / "") + nonblank^1 / "")^0)
local open_bracket = blanks * "(" * -1

-- Words that end a company's name. The name without them, and its first
-- word, are what an article calls the company afterwards ("GTE Corp" ...
-- "GTE said", "Geodome Resources Ltd" ... "Geodome Resources").
local COMPANY_SUFFIX = {}
for w in ([[Corp Corp. Corporation Inc Inc. Incorporated Ltd Ltd. Limited Co Co. Cos Cos. plc
  Plc PLC AG SA S.A. NV N.V. LLC GmbH SpA S.p.A. BV B.V. AB ASA Oyj Bhd Berhad
  Holdings]]):gmatch "%S+" do
  COMPANY_SUFFIX[w] = true
end

-- A name split before its last word: the words before, and that word.
local name_sep = S" \t\r\n,"
local final_word = (1 - name_sep)^1 * -1
local name_and_last = C((1 - name_sep^1 * final_word)^1) * name_sep^1 * C(final_word)

-- Note the short names of company m in shorts (the first company met
-- keeps a short name): the name without its suffixes, and its first word
-- unless the gazetteers give that word a label of its own ("American"
-- of "American Motors Corp").
local function company_short_names(m, shorts)
  local name, stripped = m.text, false
  while true do
    local rest, last = match(name_and_last, name)
    if not rest or not COMPANY_SUFFIX[last] then break end
    name, stripped = rest, true
  end
  if not stripped then return end
  if not shorts[name] and not labels(name).entity then shorts[name] = m end
  local first = m.first_word
  if first ~= name and not shorts[first] and not labels(first).entity then shorts[first] = m end
end

-- Between two items of a list: ", ", " and ", " or ", ", and ".
local list_gap = space^0 * "," * space^0 * (P"and" * space^1)^-1 * -1
  + space^1 * (P"and" + "or") * space^1 * -1

-- A one-word name labelled by default (in the set guessed) that is listed
-- with places is a place: "Canada , Kazakstan and Ghana", "Haarlem and
-- Almere" after a known place; in both directions, so that the label goes
-- down a list. A comma after a place that opens its clause ("In Kenya,
-- Safaricom ...") is no list.
local function places_in_lists(state, found, guessed)
  local text = state.text
  local function listed(a, b)
    if a.stop > b.start then return false end
    local gap = sub(text, a.stop + 1, b.start)
    if not match(list_gap, gap) then return false end
    local joined = find(gap, "and", 1, true) or find(gap, "or", 1, true)
    return joined or not PLACE_PREP[word_before(text, a.start) or ""]
  end
  local function spread(from, to, step)
    for k = from, to, step do
      local m, other = found[k], found[k - step]
      if guessed[m] and m.nwords == 1 and other.label == "GPE"
          and (step == 1 and listed(other, m) or step == -1 and listed(m, other)) then
        m.label, guessed[m] = "GPE", nil
      end
    end
  end
  spread(2, #found, 1)
  spread(#found - 1, 1, -1)
end

-- Document-level decisions: label unknown names from their other
-- mentions, link surnames, acronyms and short company names, choose
-- canonical names.
local function resolve(state)
  local found = state.found
  local guessed = {}          -- mentions labelled by default, for places_in_lists
  -- evidence per surface text
  local best = {}
  local persons_by_last = {}
  local orgs_by_acronym = {}
  local companies = {}
  for _, m in ipairs(found) do
    if m.label == "ORG" and m.nwords >= 2 then company_short_names(m, companies) end
    if m.label then
      local b = best[m.text]
      if not b or m.evidence > b.evidence then best[m.text] = m end
      if m.label == "PERSON" and m.nwords >= 2 then
        local last = m.last_word
        local p = persons_by_last[last]
        if not p or #m.text > #p.text then persons_by_last[last] = m end
      end
      if (m.label == "ORG" or m.label == "GPE") and m.nwords >= 2 then
        local acr = match(initials, m.text)
        if #acr >= 2 and not orgs_by_acronym[acr] then orgs_by_acronym[acr] = m end
      end
    end
  end
  -- "(UNODC)" right after an organization's name: its acronym
  for k, m in ipairs(found) do
    local prev = found[k - 1]
    if prev and prev.label and (prev.label == "ORG" or prev.label == "GPE") and m.nwords == 1
        and is_all_caps(m.text) then
      local gap = sub(state.text, prev.stop + 1, m.start)
      if match(open_bracket, gap) then orgs_by_acronym[m.text] = prev end
    end
  end
  for _, m in ipairs(found) do
    local p = m.nwords == 1 and persons_by_last[m.text]
    if p and m.label ~= "PERSON" and (not m.label or m.evidence < 4) then
      -- a surname of a person named in full is that person, even in
      -- "the Maduro administration"
      m.label = "PERSON"
      m.link = p
    elseif p then
      m.link = p
    end
    local o = m.nwords == 1 and orgs_by_acronym[m.text]
    if o and m ~= o and (not m.label or m.label == o.label or m.evidence <= 3) then
      m.label = o.label
      m.link = o
    end
    local c = companies[m.text]
    if c and m ~= c and not p and (not m.label or m.evidence < 4) then
      -- a short name of a company named in full is that company ("GTE
      -- said"), unless it is the surname of a person named in full
      m.label = "ORG"
      m.link = c
    elseif not m.label and m.nwords >= 2 and companies[m.first_word] then
      -- a unit of it ("Alcan Australia" after "Alcan Aluminium Ltd")
      m.label = "ORG"
    end
    if not m.label then
      local b = best[m.text]
      if b then
        m.label = b.label
      elseif m.after_speech then
        m.label = "PERSON"
      elseif m.acronym then
        m.label = "ORG"
      elseif m.before_place then
        m.label = "GPE"
      elseif m.nwords >= 2 then
        m.label = "PERSON"
        guessed[m] = true
      elseif state.sports and not match(score, state.text, m.stop + 1) then
        -- in a sports report an unknown name without a score is a player's
        m.label = "PERSON"
        guessed[m] = true
      else
        m.label = "ORG"
        guessed[m] = true
      end
    elseif m.evidence < 3 then
      local b = best[m.text]
      if b and b.evidence > m.evidence then m.label = b.label end
    end
  end
  places_in_lists(state, found, guessed)
  -- the names of the document, upper-cased, for headlines in capitals
  -- (read by resolve_caps only, for the runs of such headlines)
  if #state.caps_runs == 0 then return end
  for _, m in ipairs(found) do
    if not m.caps and m.label then
      local k = upper(m.text)
      local old = state.known_upper[k]
      if not old or m.evidence > old.evidence then state.known_upper[k] = m end
    end
  end
  for _, m in ipairs(found) do
    if not m.caps and m.label == "PERSON" and m.nwords >= 2 then
      local k = upper(m.last_word)
      if not state.known_upper[k] then state.known_upper[k] = m end
    end
  end
end

-- Entity keys and canonical names.
local function finish(state)
  -- the mentions themselves are the output: no copies
  local out = {}
  for _, m in ipairs(state.found) do
    if m.label then
      local root = m
      local guard = 0
      while root.link and guard < 8 do root = root.link; guard = guard + 1 end
      if root.label ~= m.label then root = m end
      local key = root.canonical_key or (m.label .. "\0" .. lower(root.text))
      root.canonical_key = key
      m.key, m.canonical = key, root.text
      out[#out + 1] = m
    end
  end
  -- the canonical name of an entity is its longest mention
  local longest = {}
  for _, m in ipairs(out) do
    local l = longest[m.key]
    if not l or #m.canonical > #l then longest[m.key] = m.canonical end
  end
  for _, m in ipairs(out) do m.canonical = longest[m.key] end
  return out
end

-- The names of a document: a list of {start, stop, label, key, canonical}.
function M.find(doc, text, ctx)
  load_gazetteer(ctx)
  local state = { text = text, found = {}, lower_seen = {}, inside_seen = {}, caps_runs = {},
    known_upper = {} }
  if #text == 0 then return {} end
  local starts, stops = sentence_bounds(doc)
  if #starts == 0 then return {} end
  -- a word alone before a date or number at a paragraph's start: "BRUSSELS 1996-08-22"
  state.dateline_after = function(w)
    return match(dateline_digit, text, w.e + 1) ~= nil
  end
  local items = match(scanner, text) or {}
  -- capitalized words per sentence, for headlines in title case
  local caps, si, ns = {}, 1, #starts
  for k = 1, #items, 3 do
    local s = items[k] - 1
    while si < ns and s >= starts[si + 1] do si = si + 1 end
    caps[si] = (caps[si] or 0) + 1
  end
  -- a headline in title case opens the document: on one of its first
  -- three lines (a line of results further down, "5. Isolde Kostner
  -- ( Italy ) 1:18.19", has no lower-case word either)
  local headlines = {}
  local top = match(top_lines, text) - 1
  state.headline = function(k)
    local h = headlines[k]
    if h ~= nil then return h end
    local c = caps[k] or 0
    local len = stops[k] - starts[k]
    h = false
    if c >= 3 and c * 12 >= len and len <= 400 and starts[k] < top then
      h = #match(lowercase_words, sub(text, starts[k] + 1, stops[k])) == 0
    end
    headlines[k] = h
    return h
  end
  state.sports = match(sport_headline, text) ~= nil
  collect_runs(state, items, starts, stops)
  resolve(state)
  resolve_caps(state)
  sports_teams(state)
  return finish(state)
end

-- For scripts and specs that run the module outside the sandbox: a
-- function(path) -> Lexicon used when ctx.lexicon is not available.
function M.set_loader(f)
  M.loader = f
  gazetteer = nil
end

return M
