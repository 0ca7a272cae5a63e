-- `lector eval ner`: score an entity pass against labelled sentences, with
-- precision, recall and F1 per label and overall, and the speed.
local lector = require "lector"
local common = require "lector.eval.common"

local io, ipairs, math, pairs, string, table, tostring, type, utf8 =
  io, ipairs, math, pairs, string, table, tostring, type, utf8
local _ENV = nil

local ner_task = {}

ner_task.HELP = [[
Usage: lector eval ner --data FILE.jsonl [OPTIONS]

Run the entity pass over labelled sentences and score it against them.
FILE.jsonl holds one record a line:
  {"id", "doc_id"?, "text", "entities": [{"start", "end", "label"}]}
with character offsets, end exclusive (the CoNLL-2003 JSONL format).
Consecutive records with the same doc_id are analysed as one document
(one paragraph per record), so that names are linked across sentences as
in a real article; the scores are still per record.

lector's labels are mapped to PER, ORG, LOC and MISC before scoring:
PERSON -> PER; ORG -> ORG; GPE, LOC, FAC -> LOC; NORP, EVENT, PRODUCT,
LAW, WORK_OF_ART, LANGUAGE -> MISC; the number and date labels are not
scored. A prediction counts only when its start, end and mapped label all
match a gold entity.

Options:
  --data FILE             the labelled JSONL file (required)
  -p, --plugins LIST      the passes to run (default: entities)
      --layer NAME        the span layer scored (default: entity)
      --map LABEL=TARGET  map one more label (repeatable; TARGET '-' drops it)
  -o NAME.OPTION=VALUE    set a plugin option (repeatable)
      --allow NAME:PERM   grant a plugin a permission (repeatable)
      --limit N           stop after N documents
      --errors FILE       write every error to FILE, one JSON object a line:
                          {"id", "error": "spurious" or "missed", "label",
                          "start", "end", "text", "overlaps": [{"label",
                          "start", "end", "text"}]}, where overlaps are the
                          gold entities a spurious one overlaps, or the
                          predictions overlapping a missed one
  -f, --format FORMAT     text (default) or json
  -h, --help              show this help

Exit codes: 0 scored, 2 usage, 3 the data file could not be read or had
invalid lines (the valid ones are still scored), 4 the --errors file
could not be written, 5 the plugins were refused.
]]

local DEFAULT_MAP = {
  PERSON = "PER", PER = "PER",
  ORG = "ORG",
  GPE = "LOC", LOC = "LOC", FAC = "LOC",
  NORP = "MISC", EVENT = "MISC", PRODUCT = "MISC", LAW = "MISC", WORK_OF_ART = "MISC",
  LANGUAGE = "MISC", MISC = "MISC",
}

local SPEC = common.spec {
  data = { value = true },
  plugins = { short = "p", value = true },
  layer = { value = true },
  map = { value = true, many = true },
  errors = { value = true },
}

-- ---- reading the data --------------------------------------------------------

-- Byte offset of character offset n in s (gold offsets count characters).
local function byte_offset(s, n)
  if n == 0 then return 0 end
  local at = utf8.offset(s, n + 1)
  return at and at - 1 or nil
end

-- One record checked and turned into {text, doc_id, gold = {{start, stop, label}}}
-- with byte offsets; nil, reason when it is not a valid record.
local function read_record(value)
  if type(value) ~= "table" or #value > 0 then return nil, "not a JSON object" end
  if type(value.text) ~= "string" then return nil, "field 'text' missing or not a string" end
  if not utf8.len(value.text) then return nil, "field 'text' is not valid UTF-8" end
  if value.text:find("\n", 1, true) then return nil, "field 'text' holds a line break" end
  local entities = value.entities
  if entities ~= nil and type(entities) ~= "table" then return nil, "field 'entities' is not a list" end
  local gold = {}
  for i, e in ipairs(entities or {}) do
    local start, stop = math.tointeger(e.start), math.tointeger(e["end"])
    if not start or not stop or type(e.label) ~= "string" then
      return nil, "entity " .. i .. " needs integer start and end and a string label"
    end
    local bstart, bstop = byte_offset(value.text, start), byte_offset(value.text, stop)
    if not bstart or not bstop or bstart >= bstop then
      return nil, "entity " .. i .. " lies outside the text"
    end
    gold[#gold + 1] = { start = bstart, stop = bstop, label = e.label }
  end
  local doc_id = value.doc_id
  if doc_id ~= nil and type(doc_id) ~= "string" and type(doc_id) ~= "number" then
    return nil, "field 'doc_id' is not a string"
  end
  return { text = value.text, doc_id = doc_id and tostring(doc_id), id = value.id, gold = gold }
end

-- Iterator over groups of records forming one document, from an iterator
-- over the records (common.records).
local function documents(records)
  local pending
  local function next_record()
    if pending then
      local r = pending
      pending = nil
      return r
    end
    return (records())
  end
  return function()
    local first = next_record()
    if not first then return nil end
    local group = { first }
    while first.doc_id do
      local r = next_record()
      if not r then break end
      if r.doc_id ~= first.doc_id then
        pending = r
        break
      end
      group[#group + 1] = r
    end
    return group
  end
end

-- ---- scoring -----------------------------------------------------------------

local function new_counts() return { tp = 0, fp = 0, fn = 0 } end

local function add_counts(scores, label, field)
  scores[label] = scores[label] or new_counts()
  scores[label][field] = scores[label][field] + 1
end

-- Score one record: predicted and gold are lists of {start, stop, label}
-- (already mapped) relative to the record's text.
-- Returns the predictions that match no gold entity and the gold
-- entities no prediction matched.
local function score_record(scores, predicted, gold)
  local wanted = {}
  for _, g in ipairs(gold) do
    local key = g.start .. ":" .. g.stop .. ":" .. g.label
    wanted[key] = (wanted[key] or 0) + 1
  end
  local spurious, missed = {}, {}
  for _, p in ipairs(predicted) do
    local key = p.start .. ":" .. p.stop .. ":" .. p.label
    if (wanted[key] or 0) > 0 then
      wanted[key] = wanted[key] - 1
      add_counts(scores, p.label, "tp")
    else
      add_counts(scores, p.label, "fp")
      spurious[#spurious + 1] = p
    end
  end
  for _, g in ipairs(gold) do
    local key = g.start .. ":" .. g.stop .. ":" .. g.label
    if (wanted[key] or 0) > 0 then
      wanted[key] = wanted[key] - 1
      add_counts(scores, g.label, "fn")
      missed[#missed + 1] = g
    end
  end
  return spurious, missed
end

-- ---- the error file -------------------------------------------------------------

-- An entity as the data gives it: character offsets into the record's text.
local function entity_entry(text, e)
  -- a span of a custom layer may run past its record: its end is clamped
  local stop = math.min(e.stop, #text)
  return { label = e.label, start = utf8.len(text, 1, math.min(e.start, stop)),
    ["end"] = utf8.len(text, 1, stop), text = text:sub(e.start + 1, e.stop) }
end

-- One line per error of a record: its spurious predictions with the gold
-- entities they overlap, its missed entities with the predictions that
-- overlap them. Sorted by position, spurious before missed on a tie.
local function write_errors(out, record, spurious, missed, predicted, gold)
  local lines = {}
  local function add(kind, e, others)
    local entry = entity_entry(record.text, e)
    entry.id, entry.error = record.id, kind
    local overlaps = lector.json.array()
    for _, o in ipairs(others) do
      if o.start < e.stop and e.start < o.stop then overlaps[#overlaps + 1] = entity_entry(record.text, o) end
    end
    entry.overlaps = overlaps
    lines[#lines + 1] = { at = e.start, order = kind == "spurious" and 0 or 1, json = lector.json.encode(entry) }
  end
  for _, p in ipairs(spurious) do add("spurious", p, gold) end
  for _, g in ipairs(missed) do add("missed", g, predicted) end
  table.sort(lines, function(a, b)
    if a.at ~= b.at then return a.at < b.at end
    if a.order ~= b.order then return a.order < b.order end
    return a.json < b.json
  end)
  for _, line in ipairs(lines) do
    local ok, err = out:write(line.json, "\n")
    if not ok then return nil, err end
  end
  return true
end

local function ratios(c)
  return common.f1(c.tp, c.tp + c.fp, c.tp + c.fn)
end

-- ---- running -----------------------------------------------------------------

-- Build the document for a group of records; nil, reason when lector's
-- normalization would move offsets (then the group cannot be scored).
local function group_document(group, n)
  local parts, bases, at = {}, {}, 0
  for i, r in ipairs(group) do
    bases[i] = at
    parts[i] = r.text
    at = at + #r.text + 2
  end
  local text = table.concat(parts, "\n\n")
  local doc, err = lector.doc(text, { id = group[1].doc_id or group[1].id or ("doc" .. n) })
  if not doc then return nil, err end
  if doc.text ~= text then return nil, "its text changes when normalized (NFC or control characters)" end
  return doc, bases
end

-- Spans of the layer, mapped, split per record (by their start).
local function predictions(doc, layer, map, group, bases)
  local per_record = {}
  for i = 1, #group do per_record[i] = {} end
  local record = 1
  for span in doc:spans(layer) do
    local target = map[span.label or ""]
    if target then
      while record < #group and span.start >= bases[record + 1] do record = record + 1 end
      local base = bases[record]
      local list = per_record[record]
      list[#list + 1] = { start = span.start - base, stop = span.stop - base, label = target }
    end
  end
  return per_record
end

local function parse_map(entries)
  local map = {}
  for k, v in pairs(DEFAULT_MAP) do map[k] = v end
  for _, entry in ipairs(entries or {}) do
    local from, to = entry:match "^([%w_%-]+)=([%w_%-]+)$"
    if not from then return nil, "--map wants LABEL=TARGET, e.g. FAC=LOC (got '" .. entry .. "')" end
    map[from] = to ~= "-" and to or nil
  end
  return map
end

local function print_text(result)
  local out = {}
  out[#out + 1] = string.format("%-8s %9s %9s %9s %7s %7s %7s", "label", "precision", "recall",
    "F1", "gold", "found", "right")
  for _, row in ipairs(result.labels) do
    out[#out + 1] = string.format("%-8s %9.3f %9.3f %9.3f %7d %7d %7d", row.label, row.precision,
      row.recall, row.f1, row.gold, row.found, row.correct)
  end
  local o = result.overall
  out[#out + 1] = string.format("%-8s %9.3f %9.3f %9.3f %7d %7d %7d", "overall", o.precision,
    o.recall, o.f1, o.gold, o.found, o.correct)
  out[#out + 1] = string.format(
    "%d documents, %d sentences, %.2f MB in %.2f s: %.2f MB/s, %.0f sentences/s (passes only)",
    result.documents, result.records, result.bytes / 1e6, result.seconds,
    result.seconds > 0 and result.bytes / 1e6 / result.seconds or 0,
    result.seconds > 0 and result.records / result.seconds or 0)
  if result.skipped > 0 then
    out[#out + 1] = string.format("%d documents skipped (see the messages above)", result.skipped)
  end
  io.stdout:write(table.concat(out, "\n"), "\n")
end

local function result_table(scores, totals)
  local labels, names = {}, {}
  for label in pairs(scores) do names[#names + 1] = label end
  table.sort(names)
  local all = new_counts()
  for _, label in ipairs(names) do
    local c = scores[label]
    local p, r, f = ratios(c)
    labels[#labels + 1] = { label = label, precision = p, recall = r, f1 = f,
      gold = c.tp + c.fn, found = c.tp + c.fp, correct = c.tp }
    all.tp, all.fp, all.fn = all.tp + c.tp, all.fp + c.fp, all.fn + c.fn
  end
  local p, r, f = ratios(all)
  totals.labels = labels
  totals.overall = { precision = p, recall = r, f1 = f, gold = all.tp + all.fn,
    found = all.tp + all.fp, correct = all.tp }
  return totals
end

local function ner(ctx, opts)
  local format, limit = common.check(ctx, opts)
  if not format then return limit end
  local map, map_err = parse_map(opts.map)
  if not map then return ctx.usage(map_err) end
  if opts.errors and opts.errors == opts.data then
    return ctx.usage "--errors would overwrite the --data file"
  end
  local file, chosen = common.open(ctx, "ner", opts, "entities")
  if not file then return chosen end
  local errors_out
  if opts.errors then
    local err
    errors_out, err = io.open(opts.errors, "w")
    if not errors_out then
      file:close()
      chosen:close()
      ctx.say("eval ner: cannot write the errors: ", err)
      return 4
    end
  end
  local layer = opts.layer or "entity"
  local scores = {}
  local totals = { documents = 0, records = 0, bytes = 0, seconds = 0, skipped = 0, bad_lines = 0,
    failed = 0 }
  local records, bad_lines = common.records(ctx, "ner", opts.data, file, read_record)
  for group in documents(records) do
    if limit and totals.documents >= limit then break end
    local doc, bases = group_document(group, totals.documents + 1)
    if not doc then
      totals.skipped = totals.skipped + 1
      ctx.say("eval ner: ", opts.data, ": document ", group[1].doc_id or group[1].id or "?",
        " skipped: ", bases)
    else
      local run_report, failed, seconds = common.run(ctx, "ner", file, chosen, doc)
      if not run_report then
        if errors_out then errors_out:close() end
        return failed
      end
      totals.seconds = totals.seconds + seconds
      totals.failed = totals.failed + failed
      local predicted = predictions(doc, layer, map, group, bases)
      for i, record in ipairs(group) do
        local gold = {}
        for _, g in ipairs(record.gold) do
          local target = map[g.label]
          if target then gold[#gold + 1] = { start = g.start, stop = g.stop, label = target } end
        end
        local spurious, missed = score_record(scores, predicted[i], gold)
        if errors_out then
          local ok, err = write_errors(errors_out, record, spurious, missed, predicted[i], gold)
          if not ok then
            file:close()
            chosen:close()
            errors_out:close()
            ctx.say("eval ner: cannot write the errors: ", err)
            return 4
          end
        end
      end
      totals.documents = totals.documents + 1
      totals.records = totals.records + #group
      totals.bytes = totals.bytes + doc.len
    end
  end
  file:close()
  chosen:close()
  if errors_out then
    local ok, err = errors_out:close()
    if not ok then
      ctx.say("eval ner: cannot write the errors: ", err)
      return 4
    end
  end
  totals.bad_lines = bad_lines()
  common.write(format, result_table(scores, totals), print_text)
  return common.exit_code(ctx, totals.bad_lines, totals.failed)
end

ner_task.SPEC = SPEC
ner_task.run = ner

return ner_task
