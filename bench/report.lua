-- Size and time of the HTML reports on a long article and a large corpus:
--   lector run bench/report.lua [--build BUILD_DIR] [--words N] [--docs N]
--                               [--corpus FILE.jsonl] [--keep DIR [--reuse]]
-- The article is the sample article and the small test corpus joined
-- until it has N words (default 20,000). The corpus is the first N
-- records (default 10,000) of Reuters-21578 from ../shared/eval when it
-- is there (see docs/benchmarks.md), else of a generated corpus; its
-- dates become the documents' meta.date. Both are analysed by the bundled
-- passes first (that time is shown apart). When chromium is installed,
-- the time it takes to load each page and dump its DOM is measured
-- against an empty page. --keep DIR keeps the files there; --reuse then
-- reuses the corpus database analysed by an earlier run.
local lector = require "lector"
local json = lector.json
local B = dofile((arg[0]:match "^(.*)/[^/]*$" or ".") .. "/common.lua")

local option, now = B.option, B.clock
local here = B.root
local build = option("build", here .. "/build")
local bin = build .. "/lector"
local words_wanted = tonumber(option("words", "20000"))
local docs_wanted = tonumber(option("docs", "10000"))
local reuse = false
for i = 1, #arg do reuse = reuse or arg[i] == "--reuse" end
local tmp = option("keep") or os.tmpname()
if not option("keep") then os.remove(tmp) end
os.execute("mkdir -p '" .. tmp .. "'")

local function shell(command)
  local t0 = now()
  local ok = os.execute(command)
  return now() - t0, ok
end

local function folder_size(path)
  local p = assert(io.popen("du -sb '" .. path .. "' | cut -f1"))
  local n = tonumber(p:read "l")
  p:close()
  return n
end

local function row(what, value)
  print(string.format("  %-44s %s", what, value))
end

local CHROMIUM
for _, name in ipairs { "chromium", "chromium-browser" } do
  if os.execute("command -v " .. name .. " > /dev/null 2>&1") then
    CHROMIUM = name
    break
  end
end

-- Seconds headless Chromium takes to load a page and dump its DOM (best of
-- three), minus the same for an empty page: the page's own load and
-- render time.
local function browser_seconds(path)
  local function run(page)
    local best = math.huge
    for _ = 1, 3 do
      local t = shell(string.format("timeout 300 %s --headless --no-sandbox --disable-gpu --no-first-run "
        .. "--disable-background-networking --user-data-dir='%s/profile' --host-resolver-rules='MAP * ~NOTFOUND' "
        .. "--dump-dom 'file://%s' > /dev/null 2>&1", CHROMIUM, tmp, page))
      best = math.min(best, t)
    end
    return best
  end
  local blank = tmp .. "/blank.html"
  local f = assert(io.open(blank, "w"))
  f:write "<!DOCTYPE html><html><body></body></html>"
  f:close()
  local base = run(blank)
  return run(path) - base, base
end

-- ---- the long article ---------------------------------------------------------------

local function long_article()
  local sources = { here .. "/tests/fixtures/000_eec91c594e6a2ce7.txt" }
  local p = assert(io.popen("ls '" .. here .. "/tests/fixtures/corpus/'"))
  for name in p:lines() do sources[#sources + 1] = here .. "/tests/fixtures/corpus/" .. name end
  p:close()
  local parts, words = {}, 0
  while words < words_wanted do
    for _, path in ipairs(sources) do
      local doc = assert(lector.load(path))
      local kinds = doc:token_columns { "kind" }
      for i = 1, kinds.n do if kinds.kind[i] == "word" then words = words + 1 end end
      parts[#parts + 1] = doc.text
      if words >= words_wanted then break end
    end
  end
  local path = tmp .. "/long.txt"
  local f = assert(io.open(path, "w"))
  f:write(table.concat(parts, "\n\n"))
  f:close()
  return path, words
end

print "Article page"
local article_path, words = long_article()
local doc = assert(lector.load(article_path))
local stats = doc:stats()
row("article", string.format("%d words, %d sentences, %d bytes", words, stats.sentences, stats.bytes))
local t0 = os.clock()
assert(lector.run(doc, { "structure", "acronyms", "entities", "quotes", "summary", "keyphrases", "sentiment" }))
row("analysis (bundled passes, CPU)", string.format("%.2f s", os.clock() - t0))
local spans = 0
for _ in doc:spans "entity" do spans = spans + 1 end
t0 = os.clock()
local page = tmp .. "/long.html"
local result = assert(lector.report(doc, page))
row("page written (CPU)", string.format("%.3f s", os.clock() - t0))
row("page size", string.format("%.1f KB (%d entity mentions marked)", result.bytes / 1024, spans))
local command_time = shell(string.format("'%s' report '%s' -o '%s/long-cli.html' 2> /dev/null", bin, article_path, tmp))
row("lector report FILE (analysis included, wall)", string.format("%.2f s", command_time))
if CHROMIUM then
  local t, base = browser_seconds(page)
  row("chromium load + render (beyond an empty page)", string.format("%.2f s (empty page %.2f s)", t, base))
end

-- ---- the large corpus ------------------------------------------------------------------

-- A JSONL file of the first n records with their dates as meta.date.
local MONTHS = { JAN = 1, FEB = 2, MAR = 3, APR = 4, MAY = 5, JUN = 6, JUL = 7, AUG = 8, SEP = 9, OCT = 10,
  NOV = 11, DEC = 12 }

local function corpus_file(n)
  local source = option("corpus", here .. "/../shared/eval/reuters21578/corpus.jsonl")
  local path = tmp .. "/corpus.jsonl"
  local out = assert(io.open(path, "w"))
  local count, seen = 0, {}
  local input = io.open(source)
  if input then
    for line in input:lines() do
      local r = json.decode(line)
      -- a text already taken is stored once: skip it so n documents are stored
      if r and type(r.text) == "string" and r.text:match "%S" and not seen[r.text] then
        seen[r.text] = true
        local d, mon, y = tostring(r.date):match "^%s*(%d+)%-(%a+)%-(%d%d%d%d)"
        local meta = {}
        if d and MONTHS[mon:upper()] then meta.date = string.format("%s-%02d-%02d", y, MONTHS[mon:upper()], tonumber(d)) end
        out:write(json.encode { id = r.id, title = r.title, text = r.text, meta = meta }, "\n")
        count = count + 1
        if count >= n then break end
      end
    end
    input:close()
  else
    -- no eval data: the sample article's paragraphs, shuffled into documents
    local sample = assert(lector.load(here .. "/tests/fixtures/000_eec91c594e6a2ce7.txt"))
    local paragraphs = {}
    for p in sample:paragraphs() do paragraphs[#paragraphs + 1] = p.text end
    for i = 1, n do
      local text = {}
      for k = 1, 6 do text[k] = paragraphs[(i * 7 + k * 13) % #paragraphs + 1] end
      text[#text + 1] = "Document " .. i .. "."
      out:write(json.encode { id = "gen-" .. i, title = "Generated " .. i, text = table.concat(text, "\n\n"),
        meta = { date = string.format("2025-%02d-%02d", i % 12 + 1, i % 28 + 1) } }, "\n")
      count = count + 1
    end
    source = "generated"
  end
  out:close()
  return path, count, source
end

print "\nCorpus page"
local corpus_jsonl, count, source = corpus_file(docs_wanted)
row("documents", string.format("%d records (%s)", count, source))
local db_path = tmp .. "/corpus.db"
if reuse and io.open(db_path) then
  row("analysis and storing", "skipped (--reuse: the database in --keep DIR)")
else
  os.remove(db_path)
  local analysis = shell(string.format("'%s' analyze --db '%s' -f jsonl '%s' > /dev/null 2> '%s/analyze.err'", bin,
    db_path, corpus_jsonl, tmp))
  row("analysis and storing (bundled passes, wall)", string.format("%.1f s", analysis))
end
do
  local db <close> = assert(lector.open(db_path, { readonly = true }))
  t0 = os.clock()
  row("documents stored", tostring(db:query("select count(*) as n from documents")[1].n))
  local only = assert(lector.report(db, tmp .. "/only.html", { pages = false }))
  row("corpus page alone (CPU)", string.format("%.2f s, %.1f KB", os.clock() - t0, only.bytes / 1024))
end
local out = tmp .. "/corpus.html"
os.execute("rm -rf '" .. tmp .. "/corpus_articles'")
local with_pages = shell(string.format("'%s' report --db '%s' -o '%s' 2> '%s/report.err'", bin, db_path, out, tmp))
local cpu = tonumber(io.open(tmp .. "/report.err"):read("a"):match "in ([%d.]+) s")
local bytes = folder_size(tmp .. "/corpus_articles")
local p = assert(io.popen("ls '" .. tmp .. "/corpus_articles' | wc -l"))
local pages = tonumber(p:read "l")
p:close()
row("corpus page + every article page", string.format("%.1f s wall, %.1f s CPU; %d pages, %.1f MB (%.1f KB a page)",
  with_pages, cpu or 0, pages, bytes / 1048576, bytes / 1024 / math.max(pages, 1)))
row("corpus page size", string.format("%.1f KB", B.file_size(out) / 1024))
if CHROMIUM then
  local t, base = browser_seconds(out)
  row("chromium load + render (beyond an empty page)", string.format("%.2f s (empty page %.2f s)", t, base))
end
print("\nfiles in " .. tmp)
