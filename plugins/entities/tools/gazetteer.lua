-- Writes data/gazetteer.tsv, the one lexicon the entities plugin loads:
--   countries (GPE) from Debian's iso-codes (ISO 3166-1);
--   states, provinces and regions (GPE_WEAK) from iso-codes (ISO 3166-2);
--   the surnames of data/people.tsv (LAST);
--   COUNTRY for each ISO 3166-1 name, so that a country keeps its GPE label
--   where a city's name stands for a sports club;
--   the hand-written lists data/places.tsv, countries.tsv, events.tsv,
--   norp.tsv, orgs.tsv, people.tsv, given.tsv and words.tsv, as they are;
--   data/frequent.tsv, written by tools/frequent.lua (FREQ);
--   FIRST for each word that opens a phrase of several words, so that the
--   plugin looks longer phrases up only after such a word.
-- Run from the repository root:
--   lector run plugins/entities/tools/gazetteer.lua [ISO_CODES_JSON_DIR]
-- The default folder is /usr/share/iso-codes/json (Debian package iso-codes,
-- LGPL-2.1-or-later). The written files are committed, so nothing is read at
-- run time. The hand-written lists (places, countries, events, norp, orgs, people,
-- given, words) are edited directly.
local lector = require "lector"

local here = (arg and arg[0] or "plugins/entities/tools/gazetteer.lua"):match "^(.*)/tools/[^/]*$"
  or "plugins/entities"
local iso_dir = arg and arg[1] or "/usr/share/iso-codes/json"

local function read(path)
  local f = assert(io.open(path, "rb"))
  local text = f:read "a"
  f:close()
  return text
end

local out, seen, count = {}, {}, 0
local firsts = {}
local function write(name, header, rows)
  table.sort(rows)
  out[#out + 1] = "# " .. name .. ": " .. header
  for _, row in ipairs(rows) do
    if not seen[row] then
      seen[row] = true
      out[#out + 1] = row
      count = count + 1
      local phrase = row:match "^([^\t]*)"
      local first = phrase:match "^(%S+)%s"
      if first then firsts[first] = true end
    end
  end
end

-- Phrases of a hand list with a given label (for filtering).
local function phrases(file, label)
  local set = {}
  for line in read(here .. "/data/" .. file):gmatch "[^\n]+" do
    local phrase, l = line:match "^([^#\t][^\t]*)\t([^\t]+)"
    if phrase and (not label or l == label) then set[phrase:lower()] = true end
  end
  return set
end

local common = phrases("words.tsv", "COMMON")
local given = phrases("given.tsv")

-- A name fit for the gazetteer: no ISO bookkeeping ("Korea, Republic of",
-- "Guyane (française)", "[Sir Benfro GB-BNF]"), not a common English word
-- ("Reading", "Central"), and long enough not to collide with everyday words.
local function usable(name)
  if name:find "[,%(%)%[%]]" then return false end
  if #name < 4 then return false end
  if common[name:lower()] then return false end
  return true
end

-- Words that name a subdivision's kind rather than the place: "Anhui Sheng".
local KIND_SUFFIXES = { " Sheng$", " Shi$", " SAR$", " Zizhiqu$", " Oblast'$", " oblast'$", " kraj$",
  " Respublika$" }

-- Subdivision names that are everyday English words or given names more often than places.
local SUBDIVISION_STOP = {}
for w in ([[central eastern western northern southern north south east west centre center
  capital coast lakes upper lower islands island highland highlands reading bury sutton halton
  bolton brent harrow merton sefton wirral barnet bexley ealing enfield camden trafford kent
  var lot cher aube ain manche somme indre nord gard gers tarn orne eure oise marne aude doubs
  jura loire rhône rhone vienne mayenne savoie lagos river plateau borno delta kogi bay lake
  saint mary george john james anne andrew david peter paul thomas charles victoria alexandria
  florida georgia washington montana orange sucre bolívar bolivar miranda lara mérida merida
  falcón falcon cojedes monagas trujillo guárico apure yaracuy portuguesa vargas amazonas
  santa cruz la paz luxembourg limburg utrecht durham york essex surrey sussex lancaster
  ]]):gmatch "%S+" do
  SUBDIVISION_STOP[w] = true
end

local function json(file)
  return assert(lector.json.decode(read(iso_dir .. "/" .. file)))
end

-- Countries.
local rows = {}
for _, c in ipairs(json("iso_3166-1.json")["3166-1"]) do
  for _, field in ipairs { "name", "common_name", "official_name" } do
    local name = c[field]
    if name and not name:find "[,%(%)]" then
      rows[#rows + 1] = name .. "\tGPE"
      rows[#rows + 1] = name .. "\tCOUNTRY"
    end
  end
end
write("countries", "Debian iso-codes (ISO 3166-1), LGPL-2.1-or-later", rows)

-- Subdivisions.
rows = {}
for _, s in ipairs(json("iso_3166-2.json")["3166-2"]) do
  local name = s.name:gsub("%s*%[.-%]", "")
  for _, suffix in ipairs(KIND_SUFFIXES) do name = name:gsub(suffix, "") end
  if usable(name) and not SUBDIVISION_STOP[name:lower()] and not given[name:lower()] then
    rows[#rows + 1] = name .. "\tGPE_WEAK"
  end
end
write("subdivisions", "Debian iso-codes (ISO 3166-2), LGPL-2.1-or-later", rows)

-- Surnames of the people list: "Maduro" for "Nicolás Maduro".
rows = {}
local places = phrases("places.tsv")
for line in read(here .. "/data/people.tsv"):gmatch "[^\n]+" do
  local name = line:match "^([^#\t][^\t]*)\tPERSON"
  local last = name and name:match "(%S+)$"
  if last and name:find " " and #last >= 4 and not last:find "%." and not common[last:lower()]
    and not places[last:lower()] and not given[last:lower()] then
    rows[#rows + 1] = last .. "\tLAST"
  end
end
write("surnames", "the last words of the names in data/people.tsv", rows)

-- The hand-written lists.
for _, file in ipairs { "places.tsv", "countries.tsv", "events.tsv", "norp.tsv", "orgs.tsv",
  "people.tsv", "given.tsv", "words.tsv" } do
  rows = {}
  for line in read(here .. "/data/" .. file):gmatch "[^\n]+" do
    if not line:match "^#" and line:match "\t" then rows[#rows + 1] = line end
  end
  write(file, "written by hand (docs/data.md)", rows)
end

-- Words news writes in lower case (tools/frequent.lua).
rows = {}
for line in read(here .. "/data/frequent.tsv"):gmatch "[^\n]+" do
  if not line:match "^#" and line:match "\t" then rows[#rows + 1] = line end
end
write("frequent.tsv", "generated by tools/frequent.lua from Reuters-21578 word counts (docs/data.md)",
  rows)

rows = {}
for first in pairs(firsts) do rows[#rows + 1] = first .. "\tFIRST" end
write("first words", "words that open a phrase of several words", rows)

local path = here .. "/data/gazetteer.tsv"
local f = assert(io.open(path, "wb"))
f:write("# Generated by plugins/entities/tools/gazetteer.lua; do not edit (edit the sources it names).\n",
  table.concat(out, "\n"), "\n")
f:close()
print(string.format("%s: %d entries", path, count))
