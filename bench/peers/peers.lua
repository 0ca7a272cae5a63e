-- `make bench-peers`: lector against other NLP libraries, on the same corpus
-- in the same run, each measurement in its own process.
--   lector run bench/peers/peers.lua [--build DIR] [--corpus FILE.jsonl] [--limit N]
--                                      [--no-install]
-- --build: where the lector binary is (default build/); --limit: only the
-- first N documents of the corpus; --no-install: use node_modules as it is.
-- The libraries (wink-nlp with wink-eng-lite-web-model, compromise,
-- vader-sentiment) run on Node.js; their versions are pinned in
-- package.json and package-lock.json beside this file and installed with
-- `npm ci` into node_modules/ here. See docs/benchmarks.md, "Peers".
-- Exit codes: 0 measured; 2 a wrong argument; 3 Node.js or npm is missing
-- or the install failed; 1 a measurement failed.
local B = dofile((arg[0]:match "^(.*)/[^/]*$" or ".") .. "/../common.lua")

local HERE = B.root .. "/bench/peers"
local USAGE = "usage: lector run bench/peers/peers.lua [--build DIR] [--corpus FILE.jsonl]\n" ..
  "                                     [--limit N] [--no-install]"

local tmp -- the scratch folder, once made

local function die(code, ...)
  io.stderr:write("bench-peers: ", ...)
  io.stderr:write "\n"
  if tmp then B.cleanup(tmp) end
  os.exit(code)
end

-- ---- arguments ---------------------------------------------------------------

local function parse(args)
  local opts, i = { install = true, build = B.root .. "/build" }, 0
  while i < #args do
    i = i + 1
    local a = args[i]
    if a == "--corpus" or a == "--limit" or a == "--build" then
      local v = args[i + 1]
      if not v then die(2, a, " needs a value\n", USAGE) end
      i = i + 1
      if a == "--build" then
        opts.build = v
      elseif a == "--corpus" then
        if not B.exists(v) then die(2, "--corpus: ", v, ": no such file") end
        opts.corpus = v
      else
        opts.limit = tonumber(v)
        if not opts.limit or opts.limit < 1 or opts.limit % 1 ~= 0 then
          die(2, "--limit needs a whole number of documents, at least 1, not '", v, "'")
        end
      end
    elseif a == "--no-install" then
      opts.install = false
    elseif a == "--help" or a == "-h" then
      print(USAGE)
      os.exit(0)
    else
      die(2, "unknown argument '", tostring(a), "'\n", USAGE)
    end
  end
  return opts
end

-- ---- Node.js and the packages --------------------------------------------------

local function shell(command)
  local f = assert(io.popen(command .. " 2>/dev/null"))
  local out = f:read "a"
  local ok = f:close()
  return ok and out or nil
end

local function check_node()
  local version = shell "node --version"
  if version then version = version:gsub("%s+$", "") end
  if not version then
    die(3, "Node.js is needed to run the other libraries, and no `node` is on PATH.\n",
      "Install Node.js 18 or newer with npm (Node is not one of the Debian packages\n",
      "`make deps` installs), then run `make bench-peers` again. `make bench` needs no Node.")
  end
  local major = tonumber(version:match "^v(%d+)")
  if not major or major < 18 then
    die(3, "Node.js 18 or newer is needed; `node --version` says ", version)
  end
  if not shell "npm --version" then
    die(3, "npm is needed to install the other libraries, and no `npm` is on PATH\n",
      "(Node.js ", version, " is). Install npm, then run `make bench-peers` again.")
  end
  return version
end

local function install(wanted)
  local modules = HERE .. "/node_modules"
  if not wanted then
    if not B.exists(modules .. "/.package-lock.json") then
      die(3, "--no-install, but ", modules, " holds no installed packages")
    end
    return
  end
  io.stderr:write "bench-peers: npm ci (the versions in bench/peers/package-lock.json)\n"
  local ok = os.execute(string.format("cd %s && npm ci --ignore-scripts --no-audit --no-fund " ..
    "--loglevel=error >&2", B.quote(HERE)))
  if not ok then
    die(3, "`npm ci` in ", HERE, " failed (see above): the npm registry must be reachable,\n",
      "or its packages already in npm's cache")
  end
end

-- ---- measuring -------------------------------------------------------------------

local function measure(command, what)
  local fields, err = B.run(command)
  if not fields then die(1, what, " failed: ", err) end
  return fields
end

local function lector_row(corpus, passes, extra)
  local command = string.format("%s run %s %s %s %s", B.quote(B.lector), B.quote(B.root ..
    "/bench/pipeline.lua"), B.quote(corpus), passes, extra or "")
  return measure(command, "lector " .. passes)
end

local function peer_row(task, corpus, sentences)
  local command = string.format("node %s %s %s %s", B.quote(HERE .. "/peers.js"), task,
    B.quote(corpus), sentences and B.quote(sentences) or "")
  return measure(command, task)
end

-- ---- the table -------------------------------------------------------------------

local MB = 1024 * 1024

local thousands = B.thousands

local FORMAT = "  %-34s %7s %8s %8s %8s %7s %10s %8s %9s"

local function header()
  print(string.format(FORMAT, "", "load s", "wall s", "cpu s", "docs/s", "MB/s", "tokens/s",
    "peak MB", "lector x"))
end

-- One row. r has docs, bytes, load_cpu_s, seconds (wall), cpu_s and
-- peak_rss_kb; `cpu` overrides r.cpu_s (and hides the wall time) for a
-- pass timed alone. Rates are per processor second; tokens is the corpus's
-- token count by lector's segmenter.
local function row(label, r, tokens, cpu, ratio)
  local wall = cpu and "" or string.format("%.2f", r.seconds)
  cpu = cpu or r.cpu_s
  print(string.format(FORMAT, label, string.format("%.2f", r.load_cpu_s), wall,
    string.format("%.2f", cpu), thousands(r.docs / cpu), string.format("%.2f", r.bytes / MB / cpu),
    thousands(tokens / cpu), string.format("%.0f", r.peak_rss_kb / 1024),
    ratio and string.format("%.2f", ratio) or ""))
end

local verdicts = {}

-- A peer against lector's rows, each {label, result [, pass cpu seconds]};
-- the first of them is the like-for-like one.
local function compare(title, notes, peer_label, peer, lector_rows, tokens)
  print(title)
  for _, line in ipairs(notes) do print("  " .. line) end
  header()
  row(peer_label, peer, tokens)
  for k, l in ipairs(lector_rows) do
    local cpu = l[3] or l[2].cpu_s
    local ratio = peer.cpu_s / cpu
    row(l[1], l[2], tokens, l[3], ratio)
    if k == 1 then
      verdicts[#verdicts + 1] = { peer = peer_label, against = l[1], ratio = ratio }
    end
  end
  print ""
end

-- ---- main ------------------------------------------------------------------------

local opts = parse(arg)
B.lector = opts.build .. "/lector"
if not B.exists(B.lector) then die(2, "--build: no lector binary in ", opts.build) end
local node_version = check_node()
install(opts.install)

tmp = B.tmpdir()
local source, name = B.corpus(opts.corpus, tmp)
-- The first --limit records go to a scratch copy; the whole corpus is read
-- where it is.
local corpus = opts.limit and tmp .. "/corpus.jsonl" or source
local records = B.head(source, opts.limit, opts.limit and corpus)
local sentences = tmp .. "/sentences.jsonl"
measure(string.format("%s run %s %s --sentences %s; echo split=1", B.quote(B.lector),
  B.quote(B.root .. "/bench/pipeline.lua"), B.quote(corpus), B.quote(sentences)), "splitting")

io.stderr:write(string.format("bench-peers: %s, %d documents; about %d min on an idle machine\n",
  name, records, math.max(1, records // 2500)))
local load_before, started = B.loadavg(), os.date "!%Y-%m-%d %H:%M UTC"
local full = lector_row(corpus, "default")
local ent_sent = lector_row(corpus, "entities,sentiment")
local names = lector_row(corpus, "entities", "-o entities.numbers=false")
local sent = lector_row(corpus, "sentiment", "--pass sentiment")
local wink = peer_row("wink-ner-sentiment", corpus)
local wink_full = peer_row("wink-full", corpus)
local compromise = peer_row("compromise", corpus)
local vader = peer_row("vader", corpus, sentences)
local load_after = B.loadavg()

local tokens = full.tokens
local cores = tonumber(shell "nproc" or "") or 0
print(string.format("corpus: %s, %s documents, %.1f MB, %s tokens (lector's count, used for " ..
  "every tokens/s)", name, thousands(full.docs), full.bytes / MB, thousands(tokens)))
print(string.format("date: %s; %d cores; load average %.1f before, %.1f after; Node.js %s",
  started, cores, load_before, load_after, node_version))
print "each library on one core in its own process, the texts in memory before timing,"
print "nothing stored"
print "load s: processor seconds to load the library or build the pipeline, apart from the rest"
print "wall s, cpu s: processing every text; the rates are per processor second (cpu s), which"
print "  a busy machine disturbs less than wall time"
print "lector x: the peer's processor time / lector's (above 1: lector is faster)\n"
for _, peer in ipairs { wink, wink_full, compromise, vader } do
  if peer.docs ~= full.docs then
    print(string.format("note: %s read %d documents, lector %d", peer.task, peer.docs, full.docs))
  end
end

compare("entities + sentiment: " .. wink.packages:gsub("%+", " + "), {
  "wink-nlp: pipes sbd, negation, sentiment, ner; entities (dates, times, numbers, money,",
  "  percentages, durations...: its model finds no people, places or organizations) and the",
  "  sentiment of each sentence and of the document",
  "lector: the entities pass (names and numeric expressions, linked) and the sentiment pass",
  "  (each sentence, paragraph, the document and each entity's clauses)" },
  "wink-nlp ner+sentiment", wink, {
    { "lector entities,sentiment", ent_sent },
    { "lector default pipeline", full } }, tokens)
compare("default pipelines: " .. wink_full.packages:gsub("%+", " + "), {
  "wink-nlp: its default pipes (sbd, negation, sentiment, pos, ner, cer), same outputs",
  "lector: every bundled pass (structure, acronyms, entities, quotes, summary, keyphrases,",
  "  sentiment): different work, shown for scale" },
  "wink-nlp default", wink_full, { { "lector default pipeline", full } }, tokens)
compare("people, places, organizations: " .. compromise.packages, {
  "compromise: nlp(text), then .people(), .places(), .organizations()",
  "lector: the entities pass without numeric expressions (-o entities.numbers=false)" },
  "compromise", compromise, {
    { "lector entities (names)", names },
    { "lector default pipeline", full } }, tokens)
compare("sentence sentiment: " .. vader.packages, {
  "vader-sentiment: polarity_scores on each sentence, given already split (by lector)",
  "lector: the sentiment pass alone (time the pipeline records for it), then with",
  "  normalizing and segmenting, then the default pipeline" },
  "vader polarity_scores", vader, {
    { "lector sentiment pass", sent, sent.pass_s },
    { "lector sentiment (+ segmenting)", sent },
    { "lector default pipeline", full } }, tokens)

local ahead, behind = {}, {}
for _, v in ipairs(verdicts) do
  local text = string.format("%s (%s: %.2fx)", v.peer, v.against, v.ratio)
  if v.ratio >= 1 then ahead[#ahead + 1] = text else behind[#behind + 1] = text end
end
print("lector ahead of:  " .. (#ahead > 0 and table.concat(ahead, ", ") or "none"))
print("lector behind:    " .. (#behind > 0 and table.concat(behind, ", ") or "none"))
B.cleanup(tmp)
