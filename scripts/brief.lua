-- brief.lua: a one-screen briefing on one article: headline, dateline,
-- summary, key phrases, who and what it names, who says what, acronyms and
-- tone.
--
-- Usage: lector run scripts/brief.lua [-s N] ARTICLE
--
--   ARTICLE   a text or Markdown file
--   -s N      sentences in the summary (default 3)
--
-- Runs every bundled pass (structure, entities, quotes, acronyms, summary,
-- keyphrases, sentiment) and prints what they found, reading the values
-- they store (doc:get) and the quotation spans (doc:spans "quote").
--
--   $ lector run scripts/brief.lua tests/fixtures/000_eec91c594e6a2ce7.txt
--   Russia Reiterates Support for Venezuela, Maduro Gov’t Requests Military Assistance
--   Caracas, 2025-11-03 (venezuelanalysis.com)
--
--   Summary
--     The Russian government reaffirmed its support for the Nicolás Maduro ...
--   ...
--
-- Exit codes: 0 done, 2 bad arguments, 3 the article was refused, 5 a pass
-- could not run.
local lector = require "lector"

local NAME = (arg[0] or "brief.lua"):match "[^/]+$"
local USAGE = "Usage: lector run scripts/brief.lua [-s N] ARTICLE\n  -s N   sentences in the summary (default 3)\n"
local GROUPS = {
  { title = "People", labels = { PERSON = true } },
  { title = "Organizations", labels = { ORG = true } },
  { title = "Places", labels = { GPE = true, LOC = true, FAC = true } },
  { title = "Dates", labels = { DATE = true } },
  { title = "Amounts", labels = { MONEY = true, PERCENT = true, QUANTITY = true } },
}
local QUOTE_WIDTH = 100   -- characters of a quotation shown

local function usage(problem)
  io.stderr:write(NAME, ": ", problem, "\n", USAGE)
  os.exit(2)
end

local sentences, path = 3, nil
do
  local i = 1
  while i <= #arg do
    local a = arg[i]
    if a == "-h" or a == "--help" then
      io.stdout:write(USAGE)
      os.exit(0)
    elseif a == "-s" then
      local value = arg[i + 1] or usage "-s needs a value"
      sentences = math.tointeger(tonumber(value))
      if not sentences or sentences < 1 then usage("-s must be a whole number of at least 1, not '" .. value .. "'") end
      i = i + 2
    elseif a:sub(1, 1) == "-" then
      usage("unknown option '" .. a .. "'")
    elseif path then
      usage "give one article"
    else
      path = a
      i = i + 1
    end
  end
end
if not path then usage "no article given" end

local doc, load_err = lector.load(path)
if not doc then
  io.stderr:write(NAME, ": ", load_err, "\n")
  os.exit(3)
end
local report, run_err = lector.run(doc, {
  "structure", "entities", "quotes", "acronyms", "summary", "keyphrases", "sentiment",
  options = { summary = { sentences = sentences } },
})
if not report then
  io.stderr:write(NAME, ": ", run_err, "\n")
  os.exit(5)
end
if report.failed > 0 then
  for _, pass in ipairs(report.passes) do
    if pass.error then io.stderr:write(NAME, ": ", pass.error, "\n") end
  end
  os.exit(5)
end

local function shorten(text, n)
  if (utf8.len(text) or #text) <= n then return text end
  return text:sub(1, utf8.offset(text, n) - 1) .. "…"
end

local function section(title)
  print()
  print(title)
end

local structure = doc:get "structure" or {}
print(structure.headline or doc.title or doc.id)
local d = structure.dateline
if d then
  print(string.format("%s, %s%s", d.place or "?", d.iso or d.date or "?",
    d.source and " (" .. d.source .. ")" or ""))
end
if structure.standfirst then print(structure.standfirst) end

section "Summary"
print("  " .. ((doc:get "summary" or {}).text or "(none)"))

section "Key phrases"
local phrases = {}
for i, k in ipairs(doc:get "keyphrases" or {}) do phrases[i] = k.phrase end
print("  " .. (#phrases > 0 and table.concat(phrases, ", ") or "(none)"))

-- Entities come from the `entities` value, by first mention; each group
-- lists the most mentioned first.
local entities = doc:get "entities" or {}
for _, group in ipairs(GROUPS) do
  local list = {}
  for _, e in ipairs(entities) do
    if group.labels[e.label] then list[#list + 1] = e end
  end
  if #list > 0 then
    table.sort(list, function(a, b)
      if a.mentions ~= b.mentions then return a.mentions > b.mentions end
      return a.name < b.name
    end)
    local names = {}
    for i, e in ipairs(list) do
      names[i] = e.mentions > 1 and string.format("%s (%d)", e.name, e.mentions) or e.name
    end
    section(group.title)
    print("  " .. table.concat(names, ", "))
  end
end

section "Quotations"
local any = false
for q in doc:spans "quote" do
  any = true
  local text = q.label == "direct" and "“" .. shorten(q.text, QUOTE_WIDTH) .. "”"
    or shorten(q.text, QUOTE_WIDTH)
  print(string.format("  %s (%s): %s", q.attrs.speaker or "(unattributed)", q.attrs.cue or q.label,
    text))
end
if not any then print "  (none)" end

local acronyms = doc:get "acronyms" or {}
local shorts = {}
for short in pairs(acronyms) do shorts[#shorts + 1] = short end
if #shorts > 0 then
  table.sort(shorts)
  section "Acronyms"
  for _, short in ipairs(shorts) do print(string.format("  %s  %s", short, acronyms[short])) end
end

local sentiment = doc:get "sentiment"
if sentiment then
  section "Tone"
  local word = sentiment.compound >= 0.05 and "positive"
    or sentiment.compound <= -0.05 and "negative" or "neutral"
  print(string.format("  %+.3f (%s): %d positive, %d negative, %d neutral sentences",
    sentiment.compound, word, sentiment.positive or 0, sentiment.negative or 0,
    sentiment.neutral or 0))
  for _, which in ipairs { "most_positive", "most_negative" } do
    local best = (sentiment[which] or {})[1]
    if best then
      local s = doc:sentence(best.index)
      print(string.format("  %s (%+.3f): %s", which:gsub("_", " "), best.compound,
        shorten(s.text, QUOTE_WIDTH)))
    end
  end
end
