-- compare.lua: how two articles cover a story: who and what each names,
-- whom each quotes, its key phrases and its tone.
--
-- Usage: lector run scripts/compare.lua ARTICLE_A ARTICLE_B
--
-- Runs the `structure`, `entities`, `quotes`, `keyphrases` and `sentiment`
-- passes on both articles, then prints:
--   - each article's headline, dateline and overall tone;
--   - the named entities both mention, with their mentions and the tone of
--     the text around them in each (see actor_sentiment.lua);
--   - the entities only one of them mentions;
--   - the speakers each quotes, and the key phrases they share;
--   - the overlap of their entities (Jaccard: shared / all).
-- Entities are matched by canonical name and label, ignoring case.
--
--   $ lector run scripts/compare.lua tests/fixtures/corpus/01_valencia_hospital.txt \
--                                    tests/fixtures/corpus/04_valencia_strike.txt
--   A  01_valencia_hospital.txt: Children’s Hospital Reopens in Valencia ...
--   ...
--   In both (8):
--     entity        label   A mentions  B mentions  A tone  B tone
--     Carabobo      GPE              4           2  +0.179  +0.000
--     Valencia      GPE              3           3  +0.000  +0.042
--     Carmen Ortiz  PERSON           2           2  +0.201  -0.127
--
-- Exit codes: 0 done, 2 bad arguments, 3 an article was refused, 5 a pass
-- could not run.
local lector = require "lector"

local NAME = (arg[0] or "compare.lua"):match "[^/]+$"
local USAGE = "Usage: lector run scripts/compare.lua ARTICLE_A ARTICLE_B\n"
local NAMED = { PERSON = true, ORG = true, GPE = true, LOC = true, NORP = true, FAC = true,
  PRODUCT = true, EVENT = true, LAW = true, WORK_OF_ART = true }
local PASSES = { "structure", "entities", "quotes", "keyphrases", "sentiment" }

if arg[1] == "-h" or arg[1] == "--help" then
  io.stdout:write(USAGE)
  os.exit(0)
end
if #arg ~= 2 then
  io.stderr:write(NAME, ": give exactly two articles (", #arg, " given)\n", USAGE)
  os.exit(2)
end

local function width(s)
  return utf8.len(s) or #s
end

local function pad(s, n)
  return s .. string.rep(" ", n - width(s))
end

local function tone_word(x)
  if x >= 0.05 then return "positive" elseif x <= -0.05 then return "negative" end
  return "neutral"
end

-- Everything compared about one article, read from the values its passes
-- stored.
local function profile(doc)
  local p = { doc = doc, short = doc.id:match "[^/]+$", entities = {}, speakers = {},
              phrases = {} }
  local structure = doc:get "structure" or {}
  p.headline = structure.headline or doc.title or "(no headline)"
  local d = structure.dateline
  p.dateline = d and table.concat({ d.place, d.iso or d.date }, ", ")
  local sentiment = doc:get "sentiment" or {}
  p.tone = sentiment.compound or 0
  local tone_of = {}
  for _, e in ipairs(sentiment.entities or {}) do tone_of[e.id] = e.compound end
  for _, e in ipairs(doc:get "entities" or {}) do
    if NAMED[e.label] then
      p.entities[e.label .. "\t" .. e.name:lower()] = {
        name = e.name, label = e.label, mentions = e.mentions, tone = tone_of[e.id] }
    end
  end
  for _, q in ipairs(doc:get "quotes" or {}) do
    p.speakers[#p.speakers + 1] = string.format("%s (%d)", q.speaker, q.count)
  end
  for _, k in ipairs(doc:get "keyphrases" or {}) do p.phrases[k.phrase:lower()] = k.phrase end
  return p
end

local pipeline, err = lector.pipeline(PASSES)
if not pipeline then
  io.stderr:write(NAME, ": ", err, "\n")
  os.exit(5)
end
local profiles = {}
for i = 1, 2 do
  local doc, load_err = lector.load(arg[i])
  if not doc then
    io.stderr:write(NAME, ": ", load_err, "\n")
    os.exit(3)
  end
  local report = assert(pipeline:run(doc))
  if report.failed > 0 then
    for _, pass in ipairs(report.passes) do
      if pass.error then io.stderr:write(NAME, ": ", doc.id, ": ", pass.error, "\n") end
    end
    os.exit(5)
  end
  profiles[i] = profile(doc)
end
pipeline:close()
local A, B = profiles[1], profiles[2]

local function sorted_keys(set, by)
  local keys = {}
  for k in pairs(set) do keys[#keys + 1] = k end
  table.sort(keys, by)
  return keys
end

for i, p in ipairs(profiles) do
  print(string.format("%s  %s: %s", i == 1 and "A" or "B", p.short, p.headline))
  if p.dateline then print("   dateline: " .. p.dateline) end
  print(string.format("   tone: %+.3f (%s)", p.tone, tone_word(p.tone)))
end

local both, only = {}, { {}, {} }
for key in pairs(A.entities) do
  if B.entities[key] then both[key] = true else only[1][key] = true end
end
for key in pairs(B.entities) do
  if not A.entities[key] then only[2][key] = true end
end

-- Shared entities, the most mentioned in all first.
local shared = sorted_keys(both, function(x, y)
  local mx = A.entities[x].mentions + B.entities[x].mentions
  local my = A.entities[y].mentions + B.entities[y].mentions
  if mx ~= my then return mx > my end
  return x < y
end)
print(string.format("\nIn both (%d):", #shared))
if #shared > 0 then
  local name_w, label_w = width "entity", width "label"
  for _, key in ipairs(shared) do
    name_w = math.max(name_w, width(A.entities[key].name))
    label_w = math.max(label_w, width(A.entities[key].label))
  end
  local function tone(x) return x and string.format("%+.3f", x) or "-" end
  print(string.format("  %s  %s  %10s  %10s  %6s  %6s", pad("entity", name_w),
    pad("label", label_w), "A mentions", "B mentions", "A tone", "B tone"))
  for _, key in ipairs(shared) do
    local a, b = A.entities[key], B.entities[key]
    print(string.format("  %s  %s  %10d  %10d  %6s  %6s", pad(a.name, name_w),
      pad(a.label, label_w), a.mentions, b.mentions, tone(a.tone), tone(b.tone)))
  end
end

for i, p in ipairs(profiles) do
  local keys = sorted_keys(only[i], function(x, y)
    local ex, ey = p.entities[x], p.entities[y]
    if ex.mentions ~= ey.mentions then return ex.mentions > ey.mentions end
    return x < y
  end)
  local names = {}
  for j, key in ipairs(keys) do names[j] = p.entities[key].name end
  print(string.format("\nOnly in %s (%d): %s", i == 1 and "A" or "B", #keys,
    #keys > 0 and table.concat(names, ", ") or "-"))
end

print()
for i, p in ipairs(profiles) do
  print(string.format("Quoted in %s: %s", i == 1 and "A" or "B",
    #p.speakers > 0 and table.concat(p.speakers, ", ") or "-"))
end

local phrases = {}
for key, phrase in pairs(A.phrases) do
  if B.phrases[key] then phrases[#phrases + 1] = phrase end
end
table.sort(phrases)
print("Key phrases in both: " .. (#phrases > 0 and table.concat(phrases, ", ") or "-"))

local union = #shared
for _ in pairs(only[1]) do union = union + 1 end
for _ in pairs(only[2]) do union = union + 1 end
print(string.format("Entity overlap: %d of %d (Jaccard %.2f)", #shared, union,
  union > 0 and #shared / union or 0))
