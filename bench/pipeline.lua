-- A pipeline over a corpus held in memory, in its own process, measured the
-- way bench/peers/peers.js measures the other libraries:
--   lector run bench/pipeline.lua CORPUS.jsonl PASSES [-o PLUGIN.OPTION=VALUE]...
--                                 [--pass NAME]
--   lector run bench/pipeline.lua CORPUS.jsonl --sentences OUT.jsonl
-- PASSES is a comma-separated list of plugins, or `default` for every
-- bundled one (what `lector analyze` runs without --plugins).
-- Every record's text is read first (not timed); then the pipeline is built
-- (load_s: finding, checking and loading the plugins in their sandboxes),
-- then each text is made a document (normalized, segmented) and every pass
-- runs on it (seconds). load_cpu_s and cpu_s are the processor time of the
-- same two steps. Nothing is stored. With --pass NAME, pass_s is the
-- time the pipeline recorded for that pass alone. Prints one line of
-- key=value pairs.
-- With --sentences, writes each record's sentences as one JSON array of
-- strings per line, as lector splits them, and measures nothing.
local lector = require "lector"
local json = require "cjson"
local plugins = require "lector.plugins"
local B = dofile((arg[0]:match "^(.*)/[^/]*$" or ".") .. "/common.lua")

local function usage(message)
  io.stderr:write("pipeline.lua: ", message, "\n",
    "usage: lector run bench/pipeline.lua CORPUS.jsonl PASSES [-o P.O=V]... [--pass NAME]\n",
    "       lector run bench/pipeline.lua CORPUS.jsonl --sentences OUT.jsonl\n")
  os.exit(2)
end

local clock, peak_rss_kb = B.clock, B.peak_rss_kb

local function option_value(text)
  if text == "true" then return true end
  if text == "false" then return false end
  return tonumber(text) or text
end

local corpus, passes = arg[1], arg[2]
if not corpus or not passes then usage "a corpus and the passes are needed" end
local options, counted, sentences_out = {}, nil, nil
local i = 2
if passes == "--sentences" then
  sentences_out = arg[3] or usage "--sentences needs a file"
  i = 3
end
while i < #arg do
  i = i + 1
  local a, v = arg[i], arg[i + 1]
  if a == "-o" and v and v:match "^[%w_-]+%.[%w_]+=" then
    local plugin, name, value = v:match "^([%w_-]+)%.([%w_]+)=(.*)$"
    options[plugin] = options[plugin] or {}
    options[plugin][name] = option_value(value)
    i = i + 1
  elseif a == "--pass" and v then
    counted, i = v, i + 1
  else
    usage("unexpected argument '" .. tostring(a) .. "'")
  end
end

local records = {}
for line in io.lines(corpus) do
  local ok, record = pcall(json.decode, line)
  if ok and type(record) == "table" and type(record.text) == "string" then
    records[#records + 1] = { text = record.text, id = tostring(record.id or #records + 1),
      title = type(record.title) == "string" and record.title or nil }
  end
end

if sentences_out then
  local out = assert(io.open(sentences_out, "w"))
  for _, r in ipairs(records) do
    local doc = lector.doc(r.text, { id = r.id })
    local texts = doc and doc:sentence_columns { "text" }.text or {}
    out:write(#texts == 0 and "[]" or json.encode(texts), "\n")
  end
  out:close()
  os.exit(0)
end

local names = {}
if passes == "default" then
  names = plugins.bundled_names()
else
  for name in passes:gmatch "[^,]+" do names[#names + 1] = name end
end

local load_start, load_cpu = clock(), os.clock()
local spec = { options = options }
for k, name in ipairs(names) do spec[k] = name end
local p = assert(lector.pipeline(spec))
local load_s, load_cpu_s = clock() - load_start, os.clock() - load_cpu

local docs, bytes, tokens, failed, refused, pass_s = 0, 0, 0, 0, 0, 0
local start, cpu_start = clock(), os.clock()
for _, r in ipairs(records) do
  local doc = lector.doc(r.text, { id = r.id, title = r.title })
  if doc then
    local report = assert(p:run(doc))
    failed = failed + report.failed
    if counted then
      for _, pass in ipairs(report.passes) do
        if pass.name == counted then pass_s = pass_s + (pass.seconds or 0) end
      end
    end
    docs, bytes, tokens = docs + 1, bytes + doc.len, tokens + doc:stats().tokens
  else
    refused = refused + 1
  end
end
local seconds, cpu_s = clock() - start, os.clock() - cpu_start
p:close()
print(string.format("docs=%d bytes=%d tokens=%d failed=%d refused=%d load_s=%.6f " ..
  "load_cpu_s=%.6f seconds=%.6f cpu_s=%.6f pass_s=%.6f peak_rss_kb=%d", docs, bytes, tokens, failed,
  refused, load_s, load_cpu_s, seconds, cpu_s, pass_s, peak_rss_kb()))
