-- actor_sentiment.lua: the tone of the text around each actor (person,
-- organization, country, nationality), over one article or a corpus.
--
-- Usage: lector run scripts/actor_sentiment.lua [-n N] [-l LABELS] INPUT...
--
--   INPUT       a file, a folder (read recursively: .txt and .md), a JSONL
--               file, or "-" for standard input, as for `lector analyze`
--   -n N        show the N most mentioned actors (default 20)
--   -l LABELS   comma-separated entity labels that count as actors
--               (default PERSON,ORG,GPE,NORP)
--
-- Runs the `entities` and `sentiment` passes. The sentiment pass scores
-- the clauses that mention each entity (see docs/sentiment.md); this
-- script adds them up over the documents: the tone is the mean compound
-- score weighted by each document's clauses, between -1 and 1, and is
-- called positive at 0.05 or more, negative at -0.05 or less. The columns
-- pos, neg and neu count the clauses of each kind. It measures how the
-- text around a name reads, not the writer's stance toward it.
--
--   $ lector run scripts/actor_sentiment.lua -n 3 tests/fixtures/corpus
--   actor         label   docs  mentions    tone  pos  neg  neu
--   Carmen Ortiz  PERSON     4         8  -0.086    2    3    3  negative
--   Carabobo      GPE        2         6  +0.119    2    0    4  positive
--   Valencia      GPE        2         6  +0.021    1    0    5  neutral
--
-- Exit codes: 0 done, 2 bad arguments, 3 an input was refused (the others
-- are still read), 5 a pass could not run.
local lector = require "lector"

local NAME = (arg[0] or "actor_sentiment.lua"):match "[^/]+$"
local USAGE = [[
Usage: lector run scripts/actor_sentiment.lua [-n N] [-l LABELS] INPUT...
  -n N        show the N most mentioned actors (default 20)
  -l LABELS   comma-separated labels that count as actors (default PERSON,ORG,GPE,NORP)
]]

local function usage(problem)
  io.stderr:write(NAME, ": ", problem, "\n", USAGE)
  os.exit(2)
end

local function parse(args)
  local opts, inputs, i = { top = 20, labels = "PERSON,ORG,GPE,NORP" }, {}, 1
  while i <= #args do
    local a = args[i]
    if a == "-h" or a == "--help" then
      io.stdout:write(USAGE)
      os.exit(0)
    elseif a == "-n" or a == "-l" then
      local value = args[i + 1] or usage(a .. " needs a value")
      if a == "-n" then
        opts.top = math.tointeger(tonumber(value))
        if not opts.top or opts.top < 1 then usage("-n must be a whole number of at least 1, not '" .. value .. "'") end
      else
        opts.labels = value
      end
      i = i + 2
    elseif a:sub(1, 1) == "-" and a ~= "-" then
      usage("unknown option '" .. a .. "'")
    else
      inputs[#inputs + 1] = a
      i = i + 1
    end
  end
  if #inputs == 0 then usage "no input given" end
  local set = {}
  for label in opts.labels:gmatch "[^,]+" do
    if not label:match "^[%u_]+$" then usage("'" .. label .. "' is not an entity label (e.g. PERSON)") end
    set[label] = true
  end
  if not next(set) then usage "-l names no label" end
  opts.labels = set
  return opts, inputs
end

local function width(s)
  return utf8.len(s) or #s
end

local function tone(x)
  if x >= 0.05 then return "positive" elseif x <= -0.05 then return "negative" end
  return "neutral"
end

local opts, inputs = parse(arg)
local pipeline, err = lector.pipeline { "entities", "sentiment" }
if not pipeline then
  io.stderr:write(NAME, ": ", err, "\n")
  os.exit(5)
end

local actors, code = {}, 0
for doc, read_err in lector.read(inputs) do
  if not doc then
    io.stderr:write(NAME, ": ", read_err, "\n")
    code = math.max(code, 3)
  else
    local report = assert(pipeline:run(doc))
    for _, pass in ipairs(report.passes) do
      if pass.error then
        io.stderr:write(NAME, ": ", doc.id, ": ", pass.error, "\n")
        code = 5
      end
    end
    local sentiment = doc:get "sentiment"
    for _, e in ipairs(sentiment and sentiment.entities or {}) do
      if opts.labels[e.label] and (e.clauses or 0) > 0 then
        local key = e.label .. "\t" .. e.name
        local a = actors[key] or { name = e.name, label = e.label, docs = 0, mentions = 0,
                                   clauses = 0, sum = 0, pos = 0, neg = 0, neu = 0 }
        actors[key] = a
        a.docs = a.docs + 1
        a.mentions = a.mentions + e.mentions
        a.clauses = a.clauses + e.clauses
        a.sum = a.sum + e.compound * e.clauses
        a.pos = a.pos + (e.positive or 0)
        a.neg = a.neg + (e.negative or 0)
        a.neu = a.neu + (e.neutral or 0)
      end
    end
  end
end
pipeline:close()

local ranked = {}
for _, a in pairs(actors) do
  a.tone = a.sum / a.clauses
  ranked[#ranked + 1] = a
end
table.sort(ranked, function(a, b)
  if a.mentions ~= b.mentions then return a.mentions > b.mentions end
  if a.docs ~= b.docs then return a.docs > b.docs end
  return a.name < b.name
end)

local shown = math.min(opts.top, #ranked)
local name_w, label_w = width "actor", width "label"
for i = 1, shown do
  name_w = math.max(name_w, width(ranked[i].name))
  label_w = math.max(label_w, width(ranked[i].label))
end
local function row(name, label, docs, mentions, score, pos, neg, neu, word)
  print(string.format("%s%s  %s%s  %4s  %8s  %6s  %3s  %3s  %3s%s", name,
    string.rep(" ", name_w - width(name)), label, string.rep(" ", label_w - width(label)),
    docs, mentions, score, pos, neg, neu, word and "  " .. word or ""))
end
row("actor", "label", "docs", "mentions", "tone", "pos", "neg", "neu")
for i = 1, shown do
  local a = ranked[i]
  row(a.name, a.label, a.docs, a.mentions, string.format("%+.3f", a.tone), a.pos, a.neg, a.neu,
    tone(a.tone))
end
if #ranked == 0 then print "(no actors found)" end
os.exit(code)
