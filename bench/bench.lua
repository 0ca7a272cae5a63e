-- `make bench`: throughput and memory of segmentation, of
-- load+segment+store, of the default pipeline through the `lector` command
-- on one and on N worker threads, and of each bundled pass, printed as
-- tables, then the targets.
--   lector run bench/bench.lua --build BUILD_DIR [--corpus FILE.jsonl] [--rounds N]
--                              [--jobs N | --jobs none] [--passes a,b | none]
-- The corpus is Reuters-21578 from ../shared/eval when it is there (see
-- docs/benchmarks.md), else a generated one.
local B = dofile((arg[0]:match "^(.*)/[^/]*$" or ".") .. "/common.lua")

local option = B.option

local function nproc()
  local f = io.popen "nproc 2>/dev/null"
  local n = f and tonumber(f:read "l")
  if f then f:close() end
  return n or 1
end

local build = option("build", B.root .. "/build")
local rounds = tonumber(option("rounds", "3"))
local cores = nproc()
local tmp = B.tmpdir()
local lector = build .. "/lector"
local corpus, corpus_name = B.corpus(option("corpus"), tmp)

local function must(fields, err)
  if not fields then
    io.stderr:write("bench: ", err, "\n")
    B.cleanup(tmp)
    os.exit(1)
  end
  return fields
end

-- The texts, NUL-separated, for the segmentation timer.
local texts = tmp .. "/texts.bin"
local records = 0
do
  local json = require "cjson"
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

local MB = 1024 * 1024
local thousands = B.thousands

print(string.format("corpus: %s (%d documents); %d cores; %s; load average %.1f\n", corpus_name,
  records, cores, os.date "!%Y-%m-%d %H:%M UTC", B.loadavg()))
print(string.format("%-28s %12s %14s %12s", "measure", "MB/s", "per second", "peak RSS"))
print(string.rep("-", 70))

local seg = must(B.run(string.format("%s/lector-segment-bench %s %d", B.quote(build),
  B.quote(texts), rounds)))
-- The corpus as lector reads it, for the per-token and per-MB figures.
local corpus_bytes, corpus_tokens = seg.bytes / rounds, seg.tokens / rounds
print(string.format("%-28s %12.1f %14s %12s", "normalize (NFC, UTF-8)",
  seg.bytes / MB / seg.normalize_s, "", ""))
print(string.format("%-28s %12.1f %14s %12s", "segment", seg.bytes / MB / seg.segment_s,
  string.format("%.2fM tok", seg.tokens / seg.segment_s / 1e6), ""))

for _, share in ipairs { 0.25, 0.5, 1 } do
  local limit = math.max(1, math.floor(records * share))
  local r = must(B.run(string.format("%s run %s/bench/ingest.lua %s %d %s/ingest.db",
    B.quote(lector), B.quote(B.root), B.quote(corpus), limit, B.quote(tmp))))
  print(string.format("%-28s %12.1f %14s %9.1f MB",
    string.format("load+segment+store %3d%%", share * 100), r.bytes / MB / r.seconds,
    string.format("%.0f docs", r.docs / r.seconds), r.peak_rss_kb / 1024))
end

-- The same through the command, whose loader threads read, segment and
-- hash while one thread stores: what `lector ingest -p ''` gives on this
-- machine's cores (wall time).
do
  local jobs = math.max(2, cores)
  local db = tmp .. "/ingest-none.db"
  local words = { B.quote(build .. "/lector-bench-measure"), "/dev/null", "/dev/null", B.quote(lector),
    "ingest", "-q", "-p", B.quote "", "-j", tostring(jobs), "--db", B.quote(db), B.quote(corpus) }
  local m = must(B.run(table.concat(words, " ")))
  if m.status ~= 0 and m.status ~= 3 then must(nil, "lector ingest -p '' exited with " .. m.status) end
  print(string.format("%-28s %12.1f %14s %9.1f MB", string.format("  ingest -p '' -j%d", jobs),
    corpus_bytes / MB / m.seconds, string.format("%.0f docs", records / m.seconds), m.peak_rss_kb / 1024))
  os.execute("rm -f " .. B.quote(db) .. "*")
end

-- ---- the default pipeline, as a user runs it ----------------------------------
-- `lector ingest -j N` when this lector has it, else `lector analyze -j N`,
-- else `lector analyze` on one core only. Each run stores into a fresh
-- database; its wall time and peak memory are taken by lector-bench-measure.

local function help_of(command)
  local f = io.popen(string.format("%s %s --help 2>/dev/null", B.quote(lector), command))
  local text = f:read "a"
  local ok = f:close()
  return ok and text or ""
end

local function has_option(help, long)
  return help:find("%-%-" .. long .. "[%s=]") ~= nil
end

-- How to run the pipeline: {name, args(jobs, db) -> list, jobs = bool, timings = bool}.
local function pipeline_command()
  local ingest, analyze = help_of "ingest", help_of "analyze"
  if has_option(ingest, "jobs") or ingest:find "%-j[%s,]" then
    return { name = "lector ingest -j N", jobs = true, timings = has_option(ingest, "timings"),
      args = function(jobs, db) return { "ingest", corpus, "--db", db, "-j", jobs } end }
  end
  local timings = has_option(analyze, "timings")
  if has_option(analyze, "jobs") then
    return { name = "lector analyze -j N -f jsonl", jobs = true, timings = timings,
      args = function(jobs, db)
        return { "analyze", corpus, "--db", db, "-f", "jsonl", "-j", jobs }
      end }
  end
  return { name = "lector analyze -f jsonl", jobs = false, timings = timings,
    args = function(_, db) return { "analyze", corpus, "--db", db, "-f", "jsonl" } end }
end

-- Run the pipeline with `jobs` workers; returns the measure, the stderr
-- text and the database's size in bytes.
local function run_pipeline(how, jobs)
  local db = string.format("%s/pipeline-j%d.db", tmp, jobs)
  local words = { B.quote(build .. "/lector-bench-measure"), "/dev/null", B.quote(tmp .. "/err"),
    B.quote(lector) }
  local args = how.args(tostring(jobs), db)
  if how.timings then args[#args + 1] = "--timings" end
  for _, a in ipairs(args) do words[#words + 1] = B.quote(a) end
  local m = must(B.run(table.concat(words, " ")))
  local err = B.read(tmp .. "/err")
  -- 3: some records refused, 5: a pass failed on some documents; the rest ran.
  if m.status ~= 0 and m.status ~= 3 and m.status ~= 5 then
    must(nil, string.format("%s exited with %d:\n%s", how.name, m.status, err:sub(-2000)))
  end
  local size = B.file_size(db) + B.file_size(db .. "-wal")
  os.execute("rm -f " .. B.quote(db) .. "*")
  return m, err, size
end

-- Per-pass totals from --timings: {name, ms} in pipeline order.
local function timing_totals(err)
  local t = {}
  for name, ms in err:gmatch "timing total: ([%w_-]+): [%d,]+ documents?, ([%d.]+) ms" do
    t[#t + 1] = { name = name, ms = tonumber(ms) }
  end
  return t
end

local jobs_option = option("jobs", tostring(cores))
local summary = {}
if jobs_option ~= "none" then
  local jobs = math.max(2, tonumber(jobs_option) or cores)
  local how = pipeline_command()
  print(string.rep("-", 70))
  print(string.format("default pipeline (%s), whole corpus, stored", how.name))
  print(string.format("  %-6s %8s %8s %8s %11s %7s %9s %9s", "", "wall s", "cpu s", "docs/s",
    "tokens/s", "MB/s", "peak RSS", "DB MB/MB"))
  local function show(label, m, size)
    print(string.format("  %-6s %8.1f %8.1f %8s %11s %7.2f %6.1f MB %9.1f", label, m.seconds,
      m.cpu_s, thousands(records / m.seconds), thousands(corpus_tokens / m.seconds),
      corpus_bytes / MB / m.seconds, m.peak_rss_kb / 1024, size / corpus_bytes))
  end
  -- The command's own summary, when it prints one: what it stored.
  local function stored(err)
    local line = err:match "lector: ingest: %d+ documents %b() in [^\n]*"
    if line then print("         " .. line) end
  end
  local one, err1, size1 = run_pipeline(how, 1)
  show("-j1", one, size1)
  stored(err1)
  summary.one, summary.size = one, size1
  if how.jobs then
    local many, err_n, size_n = run_pipeline(how, jobs)
    show("-j" .. jobs, many, size_n)
    stored(err_n)
    print(string.format("  speedup on %d workers: %.2fx (wall time; load average now %.1f)", jobs,
      one.seconds / many.seconds, B.loadavg()))
    summary.many, summary.jobs = many, jobs
  else
    print(string.format("  -j%d: not measured: this lector has no -j option on ingest or analyze",
      jobs))
  end
  local totals = timing_totals(err1)
  if #totals > 0 then
    print "  time per pass (-j1, --timings totals; share of the process's processor time):"
    for _, t in ipairs(totals) do
      print(string.format("    %-14s %9.1f s %8.2f ms/doc %5.1f %%", t.name, t.ms / 1000,
        t.ms / records, 100 * t.ms / 1000 / one.cpu_s))
    end
  end
end

-- Each bundled pass alone (with what it requires run but not counted),
-- over the whole corpus; --passes a,b picks some, --passes none skips.
local passes = option("passes", "structure,acronyms,entities,quotes,summary,keyphrases,sentiment")
if passes ~= "none" then
  print(string.rep("-", 70))
  print(string.format("%-28s %12s %14s %12s %9s", "pass (sandboxed, one core)", "MB/s",
    "per second",
    "peak state", "seconds"))
  for name in passes:gmatch "[^,]+" do
    local r = must(B.run(string.format("%s run %s/bench/passes.lua %s %d %s", B.quote(lector),
      B.quote(B.root), B.quote(corpus), records, name)))
    print(string.format("%-28s %12.1f %14s %9.1f MB %9.1f%s", name, r.bytes / MB / r.seconds,
      string.format("%.0f docs", r.docs / r.seconds), r.peak_kb / 1024, r.seconds,
      r.failed > 0 and string.format("  (%d failed)", r.failed) or ""))
  end
end

-- ---- targets ----------------------------------------------------------------------
if summary.one then
  local function verdict(ok) return ok and "met" or "not met" end
  print(string.rep("-", 70))
  print "targets (default pipeline, whole corpus)"
  local per_core = corpus_tokens / summary.one.seconds
  local per_cpu = corpus_tokens / summary.one.cpu_s
  print(string.format("  tokens/s on one worker     %12s   target 1,000,000   %s",
    thousands(per_core), verdict(per_core >= 1e6)))
  print(string.format("    per processor second     %12s                      %s",
    thousands(per_cpu), verdict(per_cpu >= 1e6)))
  if summary.many then
    local speedup = summary.one.seconds / summary.many.seconds
    print(string.format("  speedup on %d workers        %11.2fx   target 1.8x on 2   %s",
      summary.jobs, speedup, verdict(speedup >= 1.8)))
  else
    print "  speedup on 2 cores            not measured (no -j)"
  end
  local peak = math.max(summary.one.peak_rss_kb, summary.many and summary.many.peak_rss_kb or 0)
  print(string.format("  peak RSS                   %9.1f MB   target < 100 MB    %s", peak / 1024,
    verdict(peak < 100 * 1024)))
  print(string.format("  database per MB of text    %9.1f MB   (no target)",
    summary.size / corpus_bytes))
  print "  against other libraries: make bench-peers"
end
B.cleanup(tmp)
