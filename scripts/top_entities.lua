-- top_entities.lua: the people, organizations and places a corpus talks
-- about most.
--
-- Usage: lector run scripts/top_entities.lua [-n N] [-l LABELS] INPUT...
--
--   INPUT       a file, a folder (read recursively: .txt and .md), a JSONL
--               file, or "-" for standard input, as for `lector analyze`
--   -n N        show the N first entities (default 10)
--   -l LABELS   comma-separated entity labels to count (default: the named
--               ones, PERSON,ORG,GPE,LOC,NORP,FAC,PRODUCT,EVENT,LAW,
--               WORK_OF_ART); "all" counts dates, money and the rest too
--
-- Runs the `entities` pass on every document and ranks each entity (its
-- canonical name and label) by the number of documents that mention it,
-- then by its mentions in all. Across documents, a one-word PERSON name
-- ("Ortiz") counts for the only longer PERSON name that ends with it
-- ("Carmen Ortiz"), since a document that names someone once in full may
-- be the only one to do so.
--
--   $ lector run scripts/top_entities.lua -n 3 tests/fixtures/corpus
--   rank  entity        label   documents  mentions
--      1  Carmen Ortiz  PERSON          4         8
--   ...
--
-- Exit codes: 0 done, 2 bad arguments, 3 an input was refused (the others
-- are still counted), 5 the entities pass could not run.
local lector = require "lector"

local NAME = (arg[0] or "top_entities.lua"):match "[^/]+$"
local USAGE = [[
Usage: lector run scripts/top_entities.lua [-n N] [-l LABELS] INPUT...
  -n N        show the N first entities (default 10)
  -l LABELS   comma-separated labels to count, or "all"
              (default PERSON,ORG,GPE,LOC,NORP,FAC,PRODUCT,EVENT,LAW,WORK_OF_ART)
]]
local NAMED = "PERSON,ORG,GPE,LOC,NORP,FAC,PRODUCT,EVENT,LAW,WORK_OF_ART"

local function usage(problem)
  io.stderr:write(NAME, ": ", problem, "\n", USAGE)
  os.exit(2)
end

local function parse(args)
  local opts, inputs, i = { top = 10, labels = NAMED }, {}, 1
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
  if opts.labels ~= "all" then
    local set = {}
    for label in opts.labels:gmatch "[^,]+" do
      if not label:match "^[%u_]+$" then usage("'" .. label .. "' is not an entity label (e.g. PERSON)") end
      set[label] = true
    end
    if not next(set) then usage "-l names no label" end
    opts.labels = set
  end
  return opts, inputs
end

local function width(s)
  return utf8.len(s) or #s
end

-- Fold "Ortiz" into "Carmen Ortiz" when that is the only PERSON ending so.
local function merge_surnames(counts)
  local longer = {}
  for _, e in pairs(counts) do
    if e.label == "PERSON" and e.name:find " " then
      local last = e.name:match "(%S+)$"
      longer[last] = longer[last] == nil and e or false
    end
  end
  for key, e in pairs(counts) do
    local full = e.label == "PERSON" and not e.name:find " " and longer[e.name]
    if full then
      for doc in pairs(e.docs) do full.docs[doc] = true end
      full.mentions = full.mentions + e.mentions
      counts[key] = nil
    end
  end
end

local opts, inputs = parse(arg)
local pipeline, err = lector.pipeline { "entities" }
if not pipeline then
  io.stderr:write(NAME, ": ", err, "\n")
  os.exit(5)
end

local counts, documents, code = {}, 0, 0
for doc, read_err in lector.read(inputs) do
  if not doc then
    io.stderr:write(NAME, ": ", read_err, "\n")
    code = math.max(code, 3)
  else
    documents = documents + 1
    local report = assert(pipeline:run(doc))
    if report.failed > 0 then
      for _, pass in ipairs(report.passes) do
        if pass.error then io.stderr:write(NAME, ": ", doc.id, ": ", pass.error, "\n") end
      end
      code = 5
    end
    for _, e in ipairs(doc:get "entities" or {}) do
      if opts.labels == "all" or opts.labels[e.label] then
        local key = e.label .. "\t" .. e.name
        local entry = counts[key] or { name = e.name, label = e.label, docs = {}, mentions = 0 }
        counts[key] = entry
        entry.docs[doc.id] = true
        entry.mentions = entry.mentions + e.mentions
      end
    end
  end
end
pipeline:close()

merge_surnames(counts)
local ranked = {}
for _, e in pairs(counts) do
  local n = 0
  for _ in pairs(e.docs) do n = n + 1 end
  e.documents = n
  ranked[#ranked + 1] = e
end
table.sort(ranked, function(a, b)
  if a.documents ~= b.documents then return a.documents > b.documents end
  if a.mentions ~= b.mentions then return a.mentions > b.mentions end
  return a.name < b.name
end)

local shown = math.min(opts.top, #ranked)
local name_w, label_w = width "entity", width "label"
for i = 1, shown do
  name_w = math.max(name_w, width(ranked[i].name))
  label_w = math.max(label_w, width(ranked[i].label))
end
local function row(rank, name, label, docs, mentions)
  io.write(string.format("%4s  %s%s  %s%s  %9s  %8s\n", rank, name,
    string.rep(" ", name_w - width(name)), label, string.rep(" ", label_w - width(label)),
    docs, mentions))
end
row("rank", "entity", "label", "documents", "mentions")
for i = 1, shown do
  local e = ranked[i]
  row(i, e.name, e.label, e.documents, e.mentions)
end
io.write(string.format("%d document%s, %d distinct entit%s\n", documents,
  documents == 1 and "" or "s", #ranked, #ranked == 1 and "y" or "ies"))
os.exit(code)
