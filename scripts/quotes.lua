-- quotes.lua: who is quoted, how often, and whom they talk about.
--
-- Usage: lector run scripts/quotes.lua [--tsv] [--direct] INPUT...
--
--   INPUT      a file, a folder (read recursively: .txt and .md), a JSONL
--              file, or "-" for standard input, as for `lector analyze`
--   --tsv      list every quotation, one per line, as tab-separated
--              columns: document, speaker, kind, cue, mentions, quote
--   --direct   direct quotations only (no reported speech)
--
-- Runs the `entities` and `quotes` passes. By default prints one row per
-- speaker, the most quoted first: quotations (direct and indirect), the
-- documents quoting them, and the entities their quotations mention most
-- ("talks about"), the speaker excepted. A quotation without a speaker is
-- counted under "(unattributed)".
--
--   $ lector run scripts/quotes.lua tests/fixtures/000_eec91c594e6a2ce7.txt
--   speaker          quotes  direct  indirect  documents  talks about
--   Maria Zakharova       5       3         2          1  Venezuelan, Caribbean, ...
--   Dmitry Peskov         2       1         1          1  Caracas, Latin America, Moscow
--
-- Exit codes: 0 done, 2 bad arguments, 3 an input was refused (the others
-- are still read), 5 a pass could not run.
local lector = require "lector"

local NAME = (arg[0] or "quotes.lua"):match "[^/]+$"
local USAGE = [[
Usage: lector run scripts/quotes.lua [--tsv] [--direct] INPUT...
  --tsv      every quotation on a line: document, speaker, kind, cue, mentions, quote
  --direct   direct quotations only
]]
-- Entity labels that can be talked about (dates and numbers cannot).
local NAMED = { PERSON = true, ORG = true, GPE = true, LOC = true, NORP = true, FAC = true,
  PRODUCT = true, EVENT = true, LAW = true, WORK_OF_ART = true }

local function usage(problem)
  io.stderr:write(NAME, ": ", problem, "\n", USAGE)
  os.exit(2)
end

local opts, inputs = {}, {}
for _, a in ipairs(arg) do
  if a == "-h" or a == "--help" then
    io.stdout:write(USAGE)
    os.exit(0)
  elseif a == "--tsv" then opts.tsv = true
  elseif a == "--direct" then opts.direct = true
  elseif a:sub(1, 1) == "-" and a ~= "-" then usage("unknown option '" .. a .. "'")
  else inputs[#inputs + 1] = a end
end
if #inputs == 0 then usage "no input given" end

local function width(s)
  return utf8.len(s) or #s
end

-- A TSV field holds no tab or line break.
local function field(s)
  return (tostring(s):gsub("[\t\r\n]+", " "))
end

-- The canonical names of the named entities inside [start, stop), in
-- order, each once, the speaker's own left out.
local function mentions_in(entities, start, stop, speaker)
  local names, seen = {}, { [speaker or ""] = true }
  for _, e in ipairs(entities) do
    if e.start >= stop then break end
    if e.start >= start and e.stop <= stop and NAMED[e.label] then
      local name = e.attrs.canonical or e.text
      if not seen[name] then
        seen[name] = true
        names[#names + 1] = name
      end
    end
  end
  return names
end

local pipeline, err = lector.pipeline { "entities", "quotes" }
if not pipeline then
  io.stderr:write(NAME, ": ", err, "\n")
  os.exit(5)
end

local speakers, order, code = {}, {}, 0
if opts.tsv then print "document\tspeaker\tkind\tcue\tmentions\tquote" end
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
    local entities = {}
    for e in doc:spans "entity" do entities[#entities + 1] = e end
    local short = doc.id:match "[^/]+$"
    for q in doc:spans "quote" do
      if q.label == "direct" or not opts.direct then
        local speaker = q.attrs.speaker or "(unattributed)"
        local names = mentions_in(entities, q.start, q.stop, q.attrs.speaker)
        if opts.tsv then
          print(table.concat({ field(short), field(speaker), q.label, field(q.attrs.cue or ""),
            field(table.concat(names, "; ")), field(q.text) }, "\t"))
        else
          local s = speakers[speaker]
          if not s then
            s = { name = speaker, quotes = 0, direct = 0, indirect = 0, docs = {}, ndocs = 0,
                  about = {}, first = #order + 1 }
            speakers[speaker] = s
            order[#order + 1] = s
          end
          s.quotes = s.quotes + 1
          s[q.label] = (s[q.label] or 0) + 1
          if not s.docs[doc.id] then
            s.docs[doc.id] = true
            s.ndocs = s.ndocs + 1
          end
          for _, name in ipairs(names) do s.about[name] = (s.about[name] or 0) + 1 end
        end
      end
    end
  end
end
pipeline:close()

if not opts.tsv then
  table.sort(order, function(a, b)
    if a.quotes ~= b.quotes then return a.quotes > b.quotes end
    return a.first < b.first
  end)
  local w = width "speaker"
  for _, s in ipairs(order) do w = math.max(w, width(s.name)) end
  local function row(name, quotes, direct, indirect, docs, about)
    print(string.format("%s%s  %6s  %6s  %8s  %9s  %s", name, string.rep(" ", w - width(name)),
      quotes, direct, indirect, docs, about))
  end
  row("speaker", "quotes", "direct", "indirect", "documents", "talks about")
  for _, s in ipairs(order) do
    local about = {}
    for name, n in pairs(s.about) do about[#about + 1] = { name = name, n = n } end
    table.sort(about, function(a, b)
      if a.n ~= b.n then return a.n > b.n end
      return a.name < b.name
    end)
    local names = {}
    for i = 1, math.min(5, #about) do names[i] = about[i].name end
    row(s.name, s.quotes, s.direct, s.indirect, s.ndocs, table.concat(names, ", "))
  end
  if #order == 0 then print "(no quotations found)" end
end
os.exit(code)
