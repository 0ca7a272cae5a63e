-- `make bench`: throughput and memory of segmentation, of
-- load+segment+store, and of each bundled pass, printed as a table.
--   lector run bench/bench.lua --build BUILD_DIR [--corpus FILE.jsonl] [--rounds N]
--                              [--passes a,b | none]
-- The corpus is Reuters-21578 from ../shared/eval when it is there (see
-- docs/benchmarks.md), else a generated one.
local json = require "cjson"

local function option(name, default)
  for i = 1, #arg do
    if arg[i] == "--" .. name then return arg[i + 1] end
  end
  return default
end

local here = arg[0]:match "^(.*)/bench/[^/]*$" or "."
local build = option("build", here .. "/build")
local rounds = tonumber(option("rounds", "3"))
local tmp = os.tmpname()
os.remove(tmp)
os.execute("mkdir -p " .. tmp)

local function exists(path)
  local f = io.open(path)
  if f then f:close() end
  return f ~= nil
end

-- A deterministic news-like corpus for machines without the eval data.
local function generate(path, count)
  local words = { "the", "government", "said", "on", "Tuesday", "that", "exports", "rose",
    "by", "4.5", "pct", "in", "March", "U.S.", "officials", "Mr.", "Smith", "told",
    "Reuters", "prices", "of", "1,250", "dlrs", "a", "tonne", "were", "expected", "to",
    "fall", "company", "shares", "Inc.", "analysts", "market", "week", "Brazil", "coffee" }
  local seed = 12345
  local function random(n)
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed % n + 1
  end
  local f = assert(io.open(path, "w"))
  for i = 1, count do
    local paragraphs = {}
    for p = 1, 3 + random(4) do
      local sentences = {}
      for s = 1, 2 + random(3) do
        local w = {}
        for k = 1, 8 + random(18) do w[k] = words[random(#words)] end
        w[1] = w[1]:gsub("^%l", string.upper)
        sentences[s] = table.concat(w, " ") .. "."
      end
      paragraphs[p] = table.concat(sentences, " ")
    end
    f:write(json.encode { id = "gen-" .. i, title = "Generated " .. i,
      text = table.concat(paragraphs, "\n\n") }, "\n")
  end
  f:close()
end

local corpus = option("corpus", here .. "/../shared/eval/reuters21578/corpus.jsonl")
local corpus_name = "Reuters-21578"
if not exists(corpus) then
  corpus = tmp .. "/generated.jsonl"
  corpus_name = "generated"
  generate(corpus, 20000)
end

-- The texts, NUL-separated, for the segmentation timer.
local texts = tmp .. "/texts.bin"
local records = 0
do
  local out = assert(io.open(texts, "wb"))
  for line in io.lines(corpus) do
    local ok, record = pcall(json.decode, line)
    if ok and type(record) == "table" and type(record.text) == "string" then
      out:write(record.text, "\0")
      records = records + 1
    end
  end
  out:close()
end

local function run(command)
  local f = assert(io.popen(command))
  local output = f:read "a"
  f:close()
  local fields = {}
  for k, v in output:gmatch "([%w_]+)=([%d%.]+)" do fields[k] = tonumber(v) end
  assert(next(fields), "no result from: " .. command .. "\n" .. output)
  return fields
end

local MB = 1024 * 1024
print(string.format("corpus: %s (%d documents)\n", corpus_name, records))
print(string.format("%-28s %12s %14s %12s", "measure", "MB/s", "per second", "peak RSS"))
print(string.rep("-", 70))

local seg = run(string.format("%s/lector-segment-bench %s %d", build, texts, rounds))
print(string.format("%-28s %12.1f %14s %12s", "normalize (NFC, UTF-8)",
  seg.bytes / MB / seg.normalize_s, "", ""))
print(string.format("%-28s %12.1f %14s %12s", "segment", seg.bytes / MB / seg.segment_s,
  string.format("%.2fM tok", seg.tokens / seg.segment_s / 1e6), ""))

for _, share in ipairs { 0.25, 0.5, 1 } do
  local limit = math.max(1, math.floor(records * share))
  local r = run(string.format("%s/lector run %s/bench/ingest.lua %s %d %s/ingest.db",
    build, here, corpus, limit, tmp))
  print(string.format("%-28s %12.1f %14s %9.1f MB",
    string.format("load+segment+store %3d%%", share * 100), r.bytes / MB / r.seconds,
    string.format("%.0f docs", r.docs / r.seconds), r.peak_rss_kb / 1024))
end
-- Each bundled pass alone (with what it requires run but not counted),
-- over the whole corpus; --passes a,b picks some, --passes none skips.
local passes = option("passes", "structure,acronyms,entities,quotes,summary,keyphrases,sentiment")
if passes ~= "none" then
  print(string.rep("-", 70))
  print(string.format("%-28s %12s %14s %12s", "pass (sandboxed, one core)", "MB/s", "per second",
    "peak state"))
  for name in passes:gmatch "[^,]+" do
    local r = run(string.format("%s/lector run %s/bench/passes.lua %s %d %s", build, here, corpus,
      records, name))
    print(string.format("%-28s %12.1f %14s %9.1f MB%s", name, r.bytes / MB / r.seconds,
      string.format("%.0f docs", r.docs / r.seconds), r.peak_kb / 1024,
      r.failed > 0 and string.format("  (%d failed)", r.failed) or ""))
  end
end
os.execute("rm -rf " .. tmp)
