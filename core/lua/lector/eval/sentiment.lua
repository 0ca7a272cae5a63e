-- `lector eval sentiment`: score a sentiment pass against human ratings,
-- with Pearson and Spearman correlation, 3-class macro F1, a confusion
-- matrix and the speed.
local lector = require "lector"
local common = require "lector.eval.common"

local io, ipairs, math, string, table, tonumber, tostring, type, utf8 =
  io, ipairs, math, string, table, tonumber, tostring, type, utf8
local _ENV = nil

local sentiment_task = {}

sentiment_task.HELP = [[
Usage: lector eval sentiment --data FILE.jsonl --scale MIN:MAX [OPTIONS]

Run the sentiment pass over rated texts and compare its scores with the
human ones. FILE.jsonl holds one record a line:
  {"id", "text", "score"}
where score is the human rating on the scale MIN:MAX (-4:4 for the VADER
sets, -100:100 for SemEval-2007 headlines). Each record is one document;
the pass's document compound (in [-1, 1]) is its prediction.

Printed: Pearson and Spearman correlation between prediction and rating,
the mean absolute error after putting the rating on [-1, 1], and 3-class
precision, recall and F1 (macro F1 over the classes) with the confusion
matrix. Classes: a rating is positive when it is at least NEUTRAL above
the middle of the scale, negative when at least NEUTRAL below it, neutral
otherwise; a prediction is positive when its compound is at least
THRESHOLD, negative when at most -THRESHOLD.

Options:
  --data FILE             the rated JSONL file (required)
  --scale MIN:MAX         the scale of the ratings (required), e.g. -4:4
  --neutral N             half-width of the ratings' neutral band, in the
                          scale's units (default: (MAX - MIN) / 16, so 0.5
                          on -4:4; the SemEval task uses 50 on -100:100)
  --threshold T           half-width of the predictions' neutral band
                          (default 0.05)
  -p, --plugins LIST      the passes to run (default: sentiment)
      --value KEY         the value holding the compound (default: sentiment)
  -o NAME.OPTION=VALUE    set a plugin option (repeatable)
      --allow NAME:PERM   grant a plugin a permission (repeatable)
      --limit N           stop after N records
  -f, --format FORMAT     text (default) or json
  -h, --help              show this help

Exit codes: 0 scored, 2 usage, 3 the data file could not be read or had
invalid lines (the valid ones are still scored), 5 the plugins were
refused or failed.
]]

local SPEC = common.spec {
  data = { value = true },
  scale = { value = true },
  neutral = { value = true },
  threshold = { value = true },
  plugins = { short = "p", value = true },
  value = { value = true },
}

local CLASSES = { "negative", "neutral", "positive" }

-- ---- statistics ----------------------------------------------------------------

local function pearson(x, y)
  local n = #x
  if n < 2 then return 0 end
  local mx, my = 0, 0
  for i = 1, n do mx, my = mx + x[i], my + y[i] end
  mx, my = mx / n, my / n
  local sxy, sxx, syy = 0, 0, 0
  for i = 1, n do
    local dx, dy = x[i] - mx, y[i] - my
    sxy, sxx, syy = sxy + dx * dy, sxx + dx * dx, syy + dy * dy
  end
  if sxx == 0 or syy == 0 then return 0 end
  return sxy / math.sqrt(sxx * syy)
end

-- Ranks from 1, ties sharing their mean rank.
local function ranks(x)
  local order = {}
  for i = 1, #x do order[i] = i end
  table.sort(order, function(a, b)
    if x[a] ~= x[b] then return x[a] < x[b] end
    return a < b
  end)
  local r = {}
  local i = 1
  while i <= #order do
    local j = i
    while j < #order and x[order[j + 1]] == x[order[i]] do j = j + 1 end
    local mean = (i + j) / 2
    for k = i, j do r[order[k]] = mean end
    i = j + 1
  end
  return r
end

local function spearman(x, y)
  return pearson(ranks(x), ranks(y))
end

local function class_of(v, band)
  if v >= band then return "positive" end
  if v <= -band then return "negative" end
  return "neutral"
end

local function f1_table(matrix)
  local rows, sum = {}, 0
  for _, c in ipairs(CLASSES) do
    local tp, gold, found = matrix[c][c], 0, 0
    for _, other in ipairs(CLASSES) do
      gold = gold + matrix[c][other]
      found = found + matrix[other][c]
    end
    local p, r, f = common.f1(tp, found, gold)
    rows[#rows + 1] = { class = c, precision = p, recall = r, f1 = f, gold = gold, found = found }
    sum = sum + f
  end
  return rows, sum / #CLASSES
end

-- ---- reading -------------------------------------------------------------------

local function read_record(value)
  if type(value) ~= "table" or #value > 0 then return nil, "not a JSON object" end
  if type(value.text) ~= "string" then return nil, "field 'text' missing or not a string" end
  if not utf8.len(value.text) then return nil, "field 'text' is not valid UTF-8" end
  if type(value.score) ~= "number" then return nil, "field 'score' missing or not a number" end
  return { id = value.id and tostring(value.id), text = value.text, score = value.score }
end

local function parse_scale(text)
  local lo, hi = (text or ""):match "^%s*([-+]?[%d.]+)%s*:%s*([-+]?[%d.]+)%s*$"
  lo, hi = tonumber(lo), tonumber(hi)
  if not lo or not hi or lo >= hi then return nil end
  return lo, hi
end

local function positive_number(text, what)
  local n = tonumber(text)
  if not n or n < 0 then return nil, what .. " wants a number of at least 0 (got '" .. tostring(text) .. "')" end
  return n
end

-- ---- output --------------------------------------------------------------------

local function print_text(r)
  local out = {}
  out[#out + 1] = string.format("records    %d (%d skipped)", r.records, r.skipped)
  out[#out + 1] = string.format("pearson    %.3f", r.pearson)
  out[#out + 1] = string.format("spearman   %.3f", r.spearman)
  out[#out + 1] = string.format("mae        %.3f (ratings put on [-1, 1])", r.mae)
  out[#out + 1] = string.format("macro F1   %.3f (ratings neutral within %g of %g; predictions within %g of 0)",
    r.macro_f1, r.neutral, r.middle, r.threshold)
  out[#out + 1] = string.format("%-10s %9s %9s %9s %7s %7s", "class", "precision", "recall", "F1", "gold", "found")
  for _, row in ipairs(r.classes) do
    out[#out + 1] = string.format("%-10s %9.3f %9.3f %9.3f %7d %7d", row.class, row.precision,
      row.recall, row.f1, row.gold, row.found)
  end
  out[#out + 1] = "confusion (rows: gold, columns: predicted)"
  out[#out + 1] = string.format("%-10s %9s %9s %9s", "", "negative", "neutral", "positive")
  for _, g in ipairs(CLASSES) do
    local m = r.confusion[g]
    out[#out + 1] = string.format("%-10s %9d %9d %9d", g, m.negative, m.neutral, m.positive)
  end
  out[#out + 1] = string.format("%.2f MB in %.3f s: %.2f MB/s, %.0f records/s (passes only)",
    r.bytes / 1e6, r.seconds, r.seconds > 0 and r.bytes / 1e6 / r.seconds or 0,
    r.seconds > 0 and r.records / r.seconds or 0)
  io.stdout:write(table.concat(out, "\n"), "\n")
end

-- ---- running -------------------------------------------------------------------

local function check_options(ctx, opts)
  if not opts.data then return nil, ctx.usage "--data FILE is required" end
  local lo, hi = parse_scale(opts.scale)
  if not lo then return nil, ctx.usage "--scale MIN:MAX is required, with MIN < MAX (e.g. -4:4)" end
  local s = { lo = lo, hi = hi, middle = (lo + hi) / 2 }
  local code
  s.format, code = common.format(ctx, opts)
  if not s.format then return nil, code end
  local err
  s.neutral, err = positive_number(opts.neutral or tostring((hi - lo) / 16), "--neutral")
  if not s.neutral then return nil, ctx.usage(err) end
  s.threshold, err = positive_number(opts.threshold or "0.05", "--threshold")
  if not s.threshold then return nil, ctx.usage(err) end
  s.limit, code = common.limit(ctx, opts)
  if code then return nil, code end
  return s
end

local function run(ctx, opts)
  local s, code = check_options(ctx, opts)
  if not s then return code end
  local file, chosen = common.open(ctx, "sentiment", opts, "sentiment")
  if not file then return chosen end
  local key = opts.value or "sentiment"
  local predicted, gold = {}, {}
  local matrix = {}
  for _, g in ipairs(CLASSES) do matrix[g] = { negative = 0, neutral = 0, positive = 0 } end
  local t = { records = 0, skipped = 0, bytes = 0, seconds = 0, failed = 0, mae = 0 }
  local half = (s.hi - s.lo) / 2
  local next_record, bad_lines = common.records(ctx, "sentiment", opts.data, file, read_record)
  while not (s.limit and t.records >= s.limit) do
    local record, line_number = next_record()
    if not record then break end
    local doc, doc_err = lector.doc(record.text, { id = record.id or ("line" .. line_number) })
    if not doc then
      t.skipped = t.skipped + 1
      ctx.say("eval sentiment: ", opts.data, ":", line_number, ": skipped: ", doc_err)
    else
      local report, failed = common.run(ctx, "sentiment", file, chosen, doc)
      if not report then return failed end
      t.failed = t.failed + failed
      for _, pass in ipairs(report.passes) do t.seconds = t.seconds + (pass.seconds or 0) end
      local v = doc:get(key)
      local compound = type(v) == "table" and tonumber(v.compound) or nil
      if compound then
        local scaled = (record.score - s.middle) / half
        t.records = t.records + 1
        predicted[t.records], gold[t.records] = compound, scaled
        t.mae = t.mae + math.abs(compound - scaled)
        t.bytes = t.bytes + doc.len
        local g = class_of(record.score - s.middle, s.neutral)
        local p = class_of(compound, s.threshold)
        matrix[g][p] = matrix[g][p] + 1
      else
        t.skipped = t.skipped + 1
      end
    end
  end
  file:close()
  chosen:close()
  local classes, macro = f1_table(matrix)
  local result = { records = t.records, skipped = t.skipped, pearson = pearson(predicted, gold),
    spearman = spearman(predicted, gold), mae = t.records > 0 and t.mae / t.records or 0,
    macro_f1 = macro, classes = classes, confusion = matrix, neutral = s.neutral,
    middle = s.middle, threshold = s.threshold, bytes = t.bytes, seconds = t.seconds }
  common.write(s.format, result, print_text)
  return common.exit_code(ctx, bad_lines(), t.failed)
end

sentiment_task.SPEC = SPEC
sentiment_task.run = run
sentiment_task.pearson = pearson
sentiment_task.spearman = spearman

return sentiment_task
