-- `lector eval summary`: run the summary pass's methods over articles with
-- reference summaries and score them with ROUGE-1, ROUGE-2 and ROUGE-L
-- (recall, precision, F1; plain and Porter-stemmed), with Lead-3 always
-- printed as the baseline, and the speed.
local lector = require "lector"
local common = require "lector.eval.common"
local rouge = require "lector.eval.rouge"

local io, ipairs, math, os, string, table, tonumber, tostring, type, utf8 =
  io, ipairs, math, os, string, table, tonumber, tostring, type, utf8
local _ENV = nil

local summary_task = {}

summary_task.HELP = [[
Usage: lector eval summary --data FILE.jsonl [OPTIONS]

Summarize articles with the summary pass and score the summaries against
reference ones with ROUGE-1, ROUGE-2 and ROUGE-L (summary level), recall,
precision and F1, with and without Porter stemming, averaged over the
articles as the standard ROUGE script does. Lead-3 (the first three
sentences) is always scored first, as the baseline. FILE.jsonl holds one
record a line:
  {"id", "article", "summary", "title"?}
A title, when present, is put before the article as its headline line
(the structure pass finds it; no method picks it as a summary sentence).

Options:
  --data FILE             the JSONL file (required)
  -m, --method LIST       methods to score, comma-separated
                          (lead, textrank, lexrank, hybrid; default hybrid)
      --sentences N       summary length in sentences (default 3)
      --words N           summary length as a word budget instead
      --ratio R           summary length as a share of the article's words
      --no-title          leave the records' titles out
  -o NAME.OPTION=VALUE    set a plugin option (repeatable)
      --allow NAME:PERM   grant a plugin a permission (repeatable)
      --limit N           stop after N articles
  -f, --format FORMAT     text (default) or json
  -h, --help              show this help

Exit codes: 0 scored, 2 usage, 3 the data file could not be read or had
invalid lines (the valid ones are still scored), 5 the plugins were
refused or failed.
]]

local SPEC = common.spec {
  data = { value = true },
  method = { short = "m", value = true },
  sentences = { value = true },
  words = { value = true },
  ratio = { value = true },
  ["no-title"] = { key = "no_title" },
}

local BASELINE = { method = "lead", label = "lead-3", length = { "summary.sentences=3" } }
local METHODS = { lead = true, textrank = true, lexrank = true, hybrid = true }

-- One record checked: {id, text, reference}; nil, reason when invalid.
local function read_record(value, with_title)
  if type(value) ~= "table" or #value > 0 then return nil, "not a JSON object" end
  if type(value.article) ~= "string" then return nil, "field 'article' missing or not a string" end
  if type(value.summary) ~= "string" then return nil, "field 'summary' missing or not a string" end
  if not utf8.len(value.article) or not utf8.len(value.summary) then
    return nil, "the article or summary is not valid UTF-8"
  end
  local text = value.article
  if with_title and type(value.title) == "string" and value.title:match "%S" then
    text = value.title:gsub("%s+", " ") .. "\n\n" .. text
  end
  return { id = value.id and tostring(value.id), text = text, reference = value.summary }
end

-- The valid records (at most limit) and the number of bad lines; nil and
-- the exit code when the file cannot be read.
local function read_records(ctx, opts, limit)
  local file, code = common.open_data(ctx, "summary", opts.data)
  if not file then return nil, code end
  local next_record, bad = common.records(ctx, "summary", opts.data, file, function(value)
    return read_record(value, not opts.no_title)
  end)
  local records = {}
  while not (limit and #records >= limit) do
    local record = next_record()
    if not record then break end
    records[#records + 1] = record
  end
  file:close()
  return records, bad()
end

-- The length options given on the command line, as -o settings.
local function length_options(opts)
  local given = {}
  for _, name in ipairs { "sentences", "words", "ratio" } do
    if opts[name] then
      local v = tonumber(opts[name])
      if not v or v < 0 or (name ~= "ratio" and not math.tointeger(v)) or (name == "ratio" and v > 1) then
        return nil, "--" .. name .. " wants " .. (name == "ratio" and "a number in 0..1" or "a whole number")
      end
      given[#given + 1] = "summary." .. name .. "=" .. opts[name]
    end
  end
  if #given == 0 then given[1] = "summary.sentences=3" end
  return given
end

local function new_run(method, label, length)
  return { method = method, label = label, length = length, plain = rouge.mean(),
    stemmed = rouge.mean(), seconds = 0, words = 0, sentences = 0, documents = 0, failed = 0 }
end

-- Score one method over every record.
local function score_method(ctx, opts, run, records, stemming)
  local options = {}
  for _, o in ipairs(opts.option or {}) do options[#options + 1] = o end
  for _, o in ipairs(run.length) do options[#options + 1] = o end
  options[#options + 1] = "summary.method=" .. run.method
  local chosen, err = ctx.choose_pipeline { plugins = "summary", option = options, allow = opts.allow }
  if not chosen then return nil, err or "no passes to run" end
  for i, record in ipairs(records) do
    local doc, doc_err = lector.doc(record.text, { id = record.id or ("doc" .. i) })
    if not doc then
      ctx.say("eval summary: ", record.id or i, ": ", doc_err)
      run.failed = run.failed + 1
    else
      local started = os.clock()
      local report, run_err = chosen:run(doc)
      run.seconds = run.seconds + (os.clock() - started)
      if not report then
        chosen:close()
        return nil, run_err
      end
      local value = doc:get "summary"
      if type(value) ~= "table" then
        for _, pass in ipairs(report.passes) do
          if pass.status == "failed" then ctx.say("eval summary: ", doc.id, ": ", pass.error or "failed") end
        end
        run.failed = run.failed + 1
      else
        local sentences = {}
        for k, index in ipairs(value.sentences or {}) do
          local s = doc:sentence(index)
          sentences[k] = s and s.text:gsub("%s+", " ") or ""
          for _ in sentences[k]:gmatch "%S+" do run.words = run.words + 1 end
        end
        run.sentences = run.sentences + #sentences
        local reference = rouge.sentences(record.reference)
        run.plain:add(rouge.score(sentences, reference))
        if stemming then run.stemmed:add(rouge.score(sentences, reference, { stem = true })) end
        run.documents = run.documents + 1
      end
    end
  end
  chosen:close()
  return run
end

local SCORES = { "rouge1", "rouge2", "rougeL" }

local function result_of(run, stemming)
  local out = { method = run.method, label = run.label, length = run.length,
    documents = run.documents, failed = run.failed, seconds = run.seconds,
    words = run.documents > 0 and run.words / run.documents or 0,
    sentences = run.documents > 0 and run.sentences / run.documents or 0,
    plain = run.plain:result() }
  if stemming then out.stemmed = run.stemmed:result() end
  return out
end

local function print_text(path, results, stemming)
  local out = {}
  out[#out + 1] = string.format("%s: %d articles; ROUGE %% (R recall, P precision, F F1), mean per article",
    path, results[1] and results[1].documents or 0)
  out[#out + 1] = string.format("%-10s %-7s %-20s %-20s %-20s %6s %8s", "", "", "ROUGE-1", "ROUGE-2",
    "ROUGE-L", "", "")
  out[#out + 1] = string.format("%-10s %-7s %-20s %-20s %-20s %6s %8s", "method", "stemmed",
    "    R     P     F", "    R     P     F", "    R     P     F", "words", "ms/doc")
  for _, r in ipairs(results) do
    for _, kind in ipairs(stemming and { "plain", "stemmed" } or { "plain" }) do
      local cells = {}
      for _, name in ipairs(SCORES) do
        local s = r[kind][name] or { recall = 0, precision = 0, f1 = 0 }
        cells[#cells + 1] = string.format("%5.2f %5.2f %5.2f", 100 * s.recall, 100 * s.precision, 100 * s.f1)
      end
      out[#out + 1] = string.format("%-10s %-7s %-20s %-20s %-20s %6.1f %8.2f", r.label,
        kind == "plain" and "no" or "yes", cells[1], cells[2], cells[3], r.words,
        r.documents > 0 and 1000 * r.seconds / r.documents or 0)
    end
  end
  if not stemming then out[#out + 1] = "(stemmed scores need lector.stemmer, missing in this build)" end
  out[#out + 1] = "ms/doc: the structure and summary passes per article, on one core"
  io.stdout:write(table.concat(out, "\n"), "\n")
end

local function summary(ctx, opts)
  local format, limit = common.check(ctx, opts)
  if not format then return limit end
  local length, length_err = length_options(opts)
  if not length then return ctx.usage(length_err) end
  local runs = { new_run(BASELINE.method, BASELINE.label, BASELINE.length) }
  local baseline_length = table.concat(BASELINE.length, " ")
  for name in (opts.method or "hybrid"):gmatch "[^,%s]+" do
    if not METHODS[name] then
      return ctx.usage("unknown method '" .. name .. "' (lead, textrank, lexrank or hybrid)")
    end
    if not (name == "lead" and table.concat(length, " ") == baseline_length) then
      runs[#runs + 1] = new_run(name, name, length)
    end
  end
  local records, bad = read_records(ctx, opts, limit)
  if not records then return bad end
  local stemming = lector.stemmer ~= nil
  local results = {}
  for i, run in ipairs(runs) do
    local done, err = score_method(ctx, opts, run, records, stemming)
    if not done then
      ctx.say("eval summary: ", err)
      return ctx.EXIT.plugin
    end
    results[i] = result_of(done, stemming)
  end
  common.write(format, { data = opts.data, documents = #records, methods = results }, function()
    print_text(opts.data, results, stemming)
  end)
  local failed = 0
  for _, r in ipairs(results) do failed = failed + r.failed end
  return common.exit_code(ctx, bad, failed)
end

summary_task.SPEC = SPEC
summary_task.run = summary

return summary_task
