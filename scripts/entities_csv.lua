-- entities_csv.lua: every entity mention of a corpus as CSV, with the
-- sentence it occurs in, for a spreadsheet or another program.
--
-- Usage: lector run scripts/entities_csv.lua [-o FILE] [-l LABELS] INPUT...
--
--   INPUT       a file, a folder (read recursively: .txt and .md), a JSONL
--               file, or "-" for standard input, as for `lector analyze`
--   -o FILE     write the CSV to FILE instead of standard output
--   -l LABELS   comma-separated entity labels to export (default: all)
--
-- Runs the `entities` pass and writes one row per mention, in document
-- order, under a header row:
--
--   document,entity_id,label,canonical,text,start,stop,sentence,sentence_text
--
-- `start` and `stop` are the mention's byte offsets in the document's
-- normalized text (0-based, stop exclusive, as in lector's JSON),
-- `sentence` the sentence's number (from 1). Fields holding a comma, a
-- double quote or a line break are quoted as RFC 4180 says; lines end with
-- CRLF, as that RFC and spreadsheets expect.
--
--   $ lector run scripts/entities_csv.lua -l PERSON tests/fixtures/000_eec91c594e6a2ce7.txt
--   document,entity_id,label,canonical,text,start,stop,sentence,sentence_text
--   tests/fixtures/000_eec91c594e6a2ce7.txt,E3,PERSON,Nicolás Maduro,Maduro,41,47,1,"Russia ...
--
-- Exit codes: 0 done, 2 bad arguments, 3 an input was refused (the others
-- are still exported), 4 FILE cannot be written, 5 the entities pass could
-- not run.
local lector = require "lector"

local NAME = (arg[0] or "entities_csv.lua"):match "[^/]+$"
local USAGE = [[
Usage: lector run scripts/entities_csv.lua [-o FILE] [-l LABELS] INPUT...
  -o FILE     write the CSV to FILE (default: standard output)
  -l LABELS   comma-separated entity labels to export (default: all)
]]
local COLUMNS = { "document", "entity_id", "label", "canonical", "text", "start", "stop",
  "sentence", "sentence_text" }

local function usage(problem)
  io.stderr:write(NAME, ": ", problem, "\n", USAGE)
  os.exit(2)
end

local function parse(args)
  local opts, inputs, i = {}, {}, 1
  while i <= #args do
    local a = args[i]
    if a == "-h" or a == "--help" then
      io.stdout:write(USAGE)
      os.exit(0)
    elseif a == "-o" or a == "-l" then
      local value = args[i + 1] or usage(a .. " needs a value")
      if a == "-o" then opts.output = value else opts.labels = value end
      i = i + 2
    elseif a:sub(1, 1) == "-" and a ~= "-" then
      usage("unknown option '" .. a .. "'")
    else
      inputs[#inputs + 1] = a
      i = i + 1
    end
  end
  if #inputs == 0 then usage "no input given" end
  if opts.labels then
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

local function csv_field(value)
  local s = tostring(value == nil and "" or value)
  if s:find '[,"\r\n]' then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

local function csv_row(out, fields)
  for i, v in ipairs(fields) do fields[i] = csv_field(v) end
  out:write(table.concat(fields, ","), "\r\n")
end

-- The sentence holding byte offset `at`: sentences are in text order, so
-- a binary search over their starts finds it.
local function sentence_at(sentences, at)
  local lo, hi = 1, #sentences
  while lo < hi do
    local mid = (lo + hi + 1) // 2
    if sentences[mid].start <= at then lo = mid else hi = mid - 1 end
  end
  return sentences[lo]
end

local opts, inputs = parse(arg)
local out = io.stdout
if opts.output then
  local f, open_err = io.open(opts.output, "wb")
  if not f then
    io.stderr:write(NAME, ": ", open_err, "\n")
    os.exit(4)
  end
  out = f
end
local pipeline, err = lector.pipeline { "entities" }
if not pipeline then
  io.stderr:write(NAME, ": ", err, "\n")
  os.exit(5)
end

local code, rows = 0, 0
csv_row(out, { table.unpack(COLUMNS) })
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
    local sentences = {}
    for s in doc:sentences() do sentences[#sentences + 1] = s end
    for e in doc:spans "entity" do
      if not opts.labels or opts.labels[e.label] then
        local s = sentence_at(sentences, e.start)
        csv_row(out, { doc.id, e.attrs.id, e.label, e.attrs.canonical or e.text, e.text,
          e.start, e.stop, s and s.index, s and s.text })
        rows = rows + 1
      end
    end
  end
end
pipeline:close()
if out ~= io.stdout then
  out:close()
  io.stderr:write(string.format("%s: %d rows written to %s\n", NAME, rows, opts.output))
end
os.exit(code)
