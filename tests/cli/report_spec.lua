-- `lector report`: the article page of a file or of a stored document, the
-- corpus page with its article pages, escaping of everything that comes
-- from articles and plugins, lector.report and the REPL's :report, and the
-- pages opened in headless Chromium (skipped when it is missing, unless
-- CI=true, where it must be installed: `make deps` installs it).
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")

local EXIT_FAILURE, EXIT_USAGE, EXIT_INPUT, EXIT_DATABASE, EXIT_PLUGIN = 1, 2, 3, 4, 5

local function count(haystack, needle)
  local n, at = 0, 1
  while true do
    local s, e = haystack:find(needle, at, true)
    if not s then return n end
    n, at = n + 1, e + 1
  end
end

-- A database holding the sample article and the small corpus, analysed by
-- the bundled passes.
local function stored_corpus()
  local dir = H.tmpdir()
  local r = H.lector { "analyze", "--db", dir .. "/c.db", "-f", "jsonl", H.article, H.fixtures .. "/corpus" }
  assert.are.equal(0, r.code, r.err)
  return dir, dir .. "/c.db"
end

-- The tags of a page, each {name =, attrs = its text with the quoted
-- attribute values left out}, skipping the insides of scripts, styles and
-- comments: what a browser would make elements of.
local function tags(page)
  local list, at = {}, 1
  while true do
    local s, e, name = page:find("<(/?[%a!][%w%-]*)", at)
    if not s then return list end
    name = name:lower()
    local i, attrs = e + 1, {}
    while i <= #page do
      local c = page:sub(i, i)
      if c == '"' or c == "'" then
        i = (page:find(c, i + 1, true) or #page) + 1
        attrs[#attrs + 1] = '""'
      elseif c == ">" then
        break
      else
        attrs[#attrs + 1] = c
        i = i + 1
      end
    end
    list[#list + 1] = { name = name, attrs = table.concat(attrs) }
    at = i + 1
    if name == "script" or name == "style" then
      at = (page:find("</" .. name .. ">", at, true) or #page) + 1
    elseif name == "!--" then
      at = (page:find("-->", at, true) or #page) + 1
    end
  end
end

-- The elements a page may have: lector's own, and nothing an article or
-- plugin could bring in (img, iframe, object, b, i, ...).
local ALLOWED = {}
for name in ([[!doctype html head meta title style body header h1 h2 h3 div code nav a main span svg rect line
    text polyline circle g mark table thead tbody tr th td strong label input script ul li pre p details
    summary]]):gmatch "%S+" do
  ALLOWED[name] = true
  ALLOWED["/" .. name] = true
end

local function assert_only_own_elements(page)
  for _, tag in ipairs(tags(page)) do
    assert.is_true(ALLOWED[tag.name], "unexpected element <" .. tag.name .. tag.attrs .. ">")
    assert.is_nil(tag.attrs:find "[%s\"]on%a+%s*=", "an event handler attribute: <" .. tag.name .. tag.attrs .. ">")
    assert.is_nil(tag.attrs:find "[%s\"]src%s*=", "a page loads nothing: <" .. tag.name .. tag.attrs .. ">")
  end
end

-- Each page is self-contained: no resource from anywhere, one script, ours.
local function assert_self_contained(page)
  assert_only_own_elements(page)
  assert.is_nil(page:find '<a href="[%a+.-]+:', "no link leaves the page")
  assert.is_nil(page:find("url(", 1, true))
  assert.is_nil(page:find("@import", 1, true))
  assert.are.equal(1, count(page, "<script"))
  assert.matches("default-src 'none'", page, 1, true)
end

-- ---- a hostile article and plugin ---------------------------------------------------

local EVIL_ARTICLE = "The <script>document.body.setAttribute('data-pwned','1')</script> minister "
  .. "Jane <b>Doe</b> said \"<img src=x onerror=alert(1)>\" on Monday.\n\n"
  .. "A second paragraph with </div></main></body> and a \"quote\" & more ]]> <!-- comment -->.\n"

local EVIL_PLUGIN = [==[
local BAD = "<script>document.body.setAttribute('data-pwned','2')</script>\"'><img src=x onerror=alert(2)>"
return {
  name = "evil", version = "1.0.0", kind = "extract", description = "writes markup everywhere",
  provides = { "entity", "entities", "quote", "summary", "keyphrases", "structure", "sentiment" },
  options = { note = { type = "string", default = "</td><script>alert(3)</script>", description = "x" } },
  run = function(doc)
    local s = doc:sentence(1)
    doc:add("entity", { start = s.start, stop = s.start + 3, label = BAD,
      attrs = { canonical = BAD, id = BAD } })
    doc:add("entity", { start = s.start + 4, stop = s.start + 12, label = "PERSON",
      attrs = { canonical = "<i>Canon</i>", id = "E2" } })
    doc:add("quote", { start = s.start, stop = s.stop, label = BAD, attrs = { speaker = BAD, cue = BAD } })
    for sentence in doc:sentences() do
      doc:add("sentiment", { start = sentence.start, stop = sentence.stop, score = -0.5, label = BAD })
    end
    doc:set("entities", { { name = BAD, label = BAD, mentions = 1, id = BAD, aliases = { BAD } } })
    doc:set("summary", { method = BAD, sentences = { 1 }, text = BAD })
    doc:set("keyphrases", { { phrase = BAD, score = 1, count = BAD } })
    doc:set("structure", { headline = BAD, byline = BAD, dateline = { place = BAD, iso = BAD } })
    doc:set("sentiment", { compound = -0.5, entities = { { name = BAD, label = BAD, id = BAD, compound = 0.2 } } })
  end,
}
]==]

local function evil_project()
  local dir = H.tmpdir()
  os.execute("mkdir -p " .. H.quote(dir .. "/plugins/evil"))
  H.write(dir .. "/plugins/evil/plugin.lua", EVIL_PLUGIN)
  H.write(dir .. "/evil.txt", EVIL_ARTICLE)
  return dir
end

-- ---- the browser ---------------------------------------------------------------------

-- $LECTOR_CHROMIUM names the browser to use instead (a path or a command).
local function find_chromium()
  local names = { "chromium", "chromium-browser" }
  if os.getenv "LECTOR_CHROMIUM" then names = { os.getenv "LECTOR_CHROMIUM" } end
  for _, name in ipairs(names) do
    local ok = os.execute("command -v " .. H.quote(name) .. " > /dev/null 2>&1")
    if ok then return H.quote(name) end
  end
  return nil
end

local CHROMIUM = find_chromium()
local CI = os.getenv "CI" == "true"

-- Runs headless Chromium with no network (every host name fails to
-- resolve, and the proxy is a closed port) on a page; returns stdout and
-- the browser's log (console messages included).
local function browser(args, page)
  local dir = H.tmpdir()
  local command = string.format("timeout 120 %s --headless --no-sandbox --disable-gpu --no-first-run "
    .. "--disable-background-networking --disable-extensions --disable-sync --hide-scrollbars "
    .. "--user-data-dir=%s --host-resolver-rules='MAP * ~NOTFOUND' --proxy-server=127.0.0.1:9 "
    .. "--enable-logging=stderr --v=0 %s %s > %s 2> %s", CHROMIUM, H.quote(dir .. "/profile"), args,
    H.quote("file://" .. page), H.quote(dir .. "/out"), H.quote(dir .. "/log"))
  os.execute(command)
  return H.read(dir .. "/out"), H.read(dir .. "/log")
end

local function dump_dom(page)
  local dom, log = browser("--dump-dom", page)
  return dom, log
end

-- Console lines that say a script failed or a request was blocked.
local function script_errors(log)
  local bad = {}
  for line in log:gmatch "[^\n]+" do
    if line:find("CONSOLE", 1, true) or line:find("Refused to", 1, true)
        or line:find("Content Security Policy", 1, true) then
      bad[#bad + 1] = line
    end
  end
  return bad
end

-- PNG width, height and the bytes of its image data (IDAT chunks).
local function png_info(bytes)
  assert.are.equal("\137PNG\r\n\26\n", bytes:sub(1, 8), "not a PNG")
  local width, height = string.unpack(">I4I4", bytes, 17)
  local at, data = 9, 0
  while at < #bytes do
    local length, kind = string.unpack(">I4c4", bytes, at)
    if kind == "IDAT" then data = data + length end
    at = at + 12 + length
  end
  return width, height, data
end

local function screenshot(page, png, size)
  browser(string.format("--window-size=%s --screenshot=%s", size, H.quote(png)), page)
  return H.read(png)
end

-- ---- specs ------------------------------------------------------------------------------

describe("lector report", function()
  it("writes the article page of a file: marked text, arc, tables and plugins", function()
    local dir = H.tmpdir()
    local out = dir .. "/article.html"
    local r = H.lector { "report", H.article, "-o", out }
    assert.are.equal(0, r.code, r.err)
    assert.matches("report: wrote " .. out, r.err, 1, true)
    local page = H.read(out)
    assert_self_contained(page)
    -- entities highlighted with a class per type, listed in the legend
    assert.matches('<mark class="e t%d+" data%-e="E14" title="PERSON · Dmitry Peskov">Dmitry Peskov</mark>', page)
    assert.matches('data%-type="t%d+"><span class="swatch t%d+"></span>PERSON', page)
    -- a quote with its speaker on hover
    assert.matches('<span class="quote" title="Speaker: Dmitry Peskov %(direct quote, cue: say%)"', page)
    -- the summary sentences (5, 6 and 11) are marked
    assert.matches('<div class="s sum" id="s5">', page, 1, true)
    assert.matches('<div class="s sum" id="s11">', page, 1, true)
    assert.matches('<div class="s" id="s7">', page, 1, true)
    -- every sentence has its sentiment bar
    assert.are.equal(41, count(page, '<span class="bar" style="background:#'))
    -- the arc, with the two extremes labelled
    assert.matches('<svg class="arc"', page, 1, true)
    assert.matches("most negative: sentence 13 %(−0%.%d+%)", page)
    assert.matches("most positive: sentence %d+ %(%+0%.%d+%)", page)
    -- tables
    assert.matches("<td>Nicolás Maduro <span class=\"muted\">(Maduro)</span></td>", page, 1, true)
    assert.matches("<td>Maria Zakharova</td><td>direct</td>", page, 1, true)
    assert.matches("<td>military buildup</td>", page, 1, true)
    assert.matches("<td>dateline</td><td>Caracas · November 3, 2025 · venezuelanalysis.com (2025-11-03)</td>", page, 1, true)
    assert.matches("<td>editor</td><td>José Luis Granados Ceja (Mexico City, Mexico)</td>", page, 1, true)
    -- which plugin versions produced what, and when
    assert.matches("<td>entities</td><td>%d+%.%d+%.%d+</td><td>.-</td><td>ok</td>"
      .. "<td>%d%d%d%d%-%d%d%-%d%dT[%d:]+Z</td><td>entity: 145 spans; values: entities</td>", page)
  end)

  it("reads a JSONL file of one record as its document, and refuses one of several", function()
    local dir = H.tmpdir()
    local json = require("lector").json
    local record = json.encode { id = "rec-1", title = "The record's own title",
      text = "Caracas, March 3, 2024 – Dmitry Peskov said the talks went well." }
    H.write(dir .. "/one.jsonl", record .. "\n")
    local r = H.lector { "report", dir .. "/one.jsonl", "-p", "structure,entities", "-o", dir .. "/one.html" }
    assert.are.equal(0, r.code, r.err)
    local page = H.read(dir .. "/one.html")
    assert.matches("<h1>The record's own title</h1>", page, 1, true)
    assert.matches("Dmitry Peskov</mark>", page, 1, true)
    assert.is_nil(page:find('{"id"', 1, true))   -- not the record's JSON as text
    H.write(dir .. "/two.jsonl", record .. "\n" .. record:gsub("rec%-1", "rec-2") .. "\n")
    r = H.lector { "report", dir .. "/two.jsonl", "-o", dir .. "/two.html" }
    assert.are.equal(EXIT_USAGE, r.code, r.err)
    assert.matches("two.jsonl holds more than one document: store them with 'lector ingest", r.err, 1, true)
    assert.is_nil(io.open(dir .. "/two.html"))
  end)

  it("writes the page of a stored document with the runs that produced it", function()
    local dir, db = stored_corpus()
    local out = dir .. "/doc.html"
    local r = H.lector { "report", "--db", db, "--doc", H.article, "-o", out }
    assert.are.equal(0, r.code, r.err)
    local page = H.read(out)
    assert.matches("Dmitry Peskov</mark>", page, 1, true)
    assert.matches("<td>sentiment</td><td>%d+%.%d+%.%d+</td>.-<td>ok</td><td>%d%d%d%d%-%d%d%-%d%dT[%d:]+Z</td>"
      .. "<td>sentiment: 41 spans; values: sentiment</td>", page)
    r = H.lector { "report", "--db", db, "--doc", "no-such-document", "-o", out }
    assert.are.equal(EXIT_INPUT, r.code)
    assert.matches("no%-such%-document: no stored document has this id", r.err)
  end)

  it("writes the corpus page and an article page per document beside it", function()
    local dir, db = stored_corpus()
    local out = dir .. "/corpus.html"
    local r = H.lector { "report", "--db", db, "-o", out }
    assert.are.equal(0, r.code, r.err)
    assert.matches("and 5 article pages", r.err, 1, true)
    local page = H.read(out)
    assert_self_contained(page)
    assert.matches("5 documents · 5 with a date %(2025%-03%-14 to 2025%-11%-03%)", page)
    assert.matches("<h3>.-GPE <span class=\"muted\">%d+ mentions of %d+ names</span></h3>", page)
    assert.matches("<td>Venezuela</td><td class=\"n\">3</td>", page, 1, true)
    assert.matches('<svg class="trend"', page, 1, true)
    assert.matches('<svg class="network"', page, 1, true)
    assert.matches("<title>Venezuela — ", page, 1, true)
    for n = 1, 5 do
      assert.matches('<a href="corpus_articles/' .. n .. '.html">', page, 1, true)
      local article = H.read(dir .. "/corpus_articles/" .. n .. ".html")
      assert.matches('<a href="../corpus.html">← corpus</a>', article, 1, true)
      assert.matches('<mark class="e t', article, 1, true)
    end
    -- without the article pages
    r = H.lector { "report", "--db", db, "-o", dir .. "/only.html", "--no-pages" }
    assert.are.equal(0, r.code, r.err)
    assert.is_nil(H.read(dir .. "/only.html"):find("only_articles/", 1, true))
    assert.is_nil(io.open(dir .. "/only_articles/1.html"))
  end)

  it("escapes everything an article or a plugin gives it", function()
    local dir = evil_project()
    local r = H.lector({ "report", "evil.txt", "-p", "evil", "-o", "evil.html" }, { cwd = dir })
    assert.are.equal(0, r.code, r.err)
    local page = H.read(dir .. "/evil.html")
    assert_self_contained(page)
    for _, raw in ipairs { "<img", "<b>", "<i>", "</b>", "<!--", "<script>document", "<script>alert" } do
      assert.is_nil(page:find(raw, 1, true), raw .. " came through")
    end
    assert.matches("The &lt;script&gt;document.body.setAttribute('data-pwned','1')&lt;/script&gt; minister", page, 1, true)
    assert.matches("&lt;/div&gt;&lt;/main&gt;&lt;/body&gt;", page, 1, true)
    assert.matches('title="Speaker: &lt;script&gt;document.body.setAttribute(&#39;data-pwned&#39;,&#39;2&#39;)'
      .. '&lt;/script&gt;&quot;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;', page, 1, true)
    assert.matches("&lt;i&gt;Canon&lt;/i&gt;", page, 1, true)
    assert.matches("&lt;\\/td&gt;&lt;script&gt;alert(3)&lt;\\/script&gt;", page, 1, true)
    -- the page still has its structure after all of it
    assert.matches("</main>\n<script>", page, 1, true)
    assert.matches("</script>\n</body>\n</html>\n$", page)
  end)

  it("refuses bad command lines and inputs with clear messages", function()
    local dir = H.tmpdir()
    local cases = {
      { { "report", H.article }, EXIT_USAGE, "no output given %(%-o PAGE%.html%)" },
      { { "report", "-o", "x.html" }, EXIT_USAGE, "no input given" },
      { { "report", H.article, H.article, "-o", "x.html" }, EXIT_USAGE, "one FILE at a time" },
      { { "report", H.article, "--db", "x.db", "-o", "x.html" }, EXIT_USAGE, "either FILE or %-%-db" },
      { { "report", "--doc", "x", "-o", "x.html" }, EXIT_USAGE, "%-%-doc needs %-%-db" },
      { { "report", "--db", "x.db", "-p", "entities", "-o", "x.html" }, EXIT_USAGE, "apply to FILE" },
      { { "report", H.article, "--no-pages", "-o", "x.html" }, EXIT_USAGE, "corpus page only" },
      { { "report", "--bogus" }, EXIT_USAGE, "unknown option '%-%-bogus'" },
      { { "report", dir .. "/missing.txt", "-o", "x.html" }, EXIT_INPUT, "missing%.txt" },
      { { "report", "--db", dir .. "/missing.db", "-o", "x.html" }, EXIT_DATABASE, "missing%.db" },
      { { "report", H.article, "-p", "no-such-plugin", "-o", "x.html" }, EXIT_PLUGIN, "no%-such%-plugin" },
      { { "report", H.article, "-p", "entities", "-o", dir .. "/no/such/dir/x.html" }, EXIT_FAILURE,
        "cannot write the report: .*no/such/dir/x%.html" },
    }
    for _, case in ipairs(cases) do
      local r = H.lector(case[1], { cwd = dir })
      assert.are.equal(case[2], r.code, table.concat(case[1], " ") .. ": " .. r.err)
      assert.matches(case[3], r.err)
    end
    local r = H.lector { "help", "report" }
    assert.are.equal(0, r.code)
    assert.matches("Usage: lector report FILE", r.out, 1, true)
    assert.matches("report FILE|--db PATH", H.lector({ "--help" }).out, 1, true)
  end)
end)

describe("lector.report", function()
  it("writes the page of a Document, of a stored one and of a Store", function()
    local lector = require "lector"
    local dir = H.tmpdir()
    local doc = assert(lector.load(H.article))
    assert(lector.run(doc, { "entities", "sentiment" }))
    local result = assert(lector.report(doc, dir .. "/a.html"))
    assert.are.equal(dir .. "/a.html", result.path)
    assert.are.equal(#H.read(dir .. "/a.html"), result.bytes)
    assert.matches("Dmitry Peskov</mark>", H.read(dir .. "/a.html"), 1, true)
    local db <close> = assert(lector.open(dir .. "/c.db"))
    local id = assert(db:save(doc))
    result = assert(lector.report(db, dir .. "/s.html", { doc = id }))
    assert.matches("<h1>Russia Reiterates Support", H.read(result.path), 1, true)
    result = assert(lector.report(db, dir .. "/c.html"))
    assert.are.equal(1, result.pages)
    assert.matches("1 document ·", H.read(dir .. "/c.html"), 1, true)
    local missing = { lector.report(db, dir .. "/m.html", { doc = "nope" }) }
    assert.is_nil(missing[1])
    assert.matches("nope", missing[2])
    assert.error_matches(function() lector.report("x", dir .. "/x.html") end,
      "bad argument #1 to 'report' (Document or Store expected, got string)", 1, true)
    assert.error_matches(function() lector.report(doc, 42) end,
      "bad argument #2 to 'report' (string expected, got number)", 1, true)
  end)
end)

describe("the corpus page", function()
  -- Stored documents with hand-made results: the same name under two
  -- types, dates from the metadata, and one document without results.
  it("reads dates from the metadata, and tells one name under two types apart", function()
    local lector = require "lector"
    local dir = H.tmpdir()
    local db <close> = assert(lector.open(dir .. "/c.db"))
    for i = 1, 4 do
      local doc = lector.doc("Paris met Paris in Lyon, said the story number " .. i .. ".",
        { id = "d" .. i, title = "Story <" .. i .. ">", meta = { date = string.format("2024-%02d-10T08:00:00Z", 3 * i - 2) } })
      doc:set("entities", {
        { name = "Paris", label = "GPE", mentions = 1, id = "E1" },
        { name = "Paris", label = "PERSON", mentions = 1, id = "E2" },
        { name = "Lyon", label = "GPE", mentions = 1, id = "E3" },
      })
      doc:set("sentiment", { compound = i / 10, entities = {
        { name = "Paris", label = "GPE", compound = -0.5, mentions = 1 },
        { name = "Paris", label = "PERSON", compound = 0.25 * i, mentions = 1 },
      } })
      assert(db:save(doc))
    end
    assert(db:save(lector.doc("A document nothing ran on.", { id = "bare" })))
    -- values of other shapes under the same keys (another plugin's) are passed over
    local odd = lector.doc("Values of another shape.", { id = "odd", meta = { date = "yesterday" } })
    odd:set("entities", { "Paris", 42, { name = "Lille", label = "GPE" } })
    odd:set("sentiment", { compound = "high", positive = 2.5, entities = { "Paris" } })
    odd:set("structure", "a headline")
    assert(db:save(odd))
    db:flush()
    local result = assert(lector.report(db, dir .. "/corpus.html", { pages = false }))
    assert.are.equal(0, result.pages)
    local page = H.read(result.path)
    assert.matches("6 documents · 4 with a date (2024-01-10 to 2024-10-10)", page, 1, true)
    assert.matches("Mean sentiment toward each entity per month, weighted by mentions; 4 months.", page, 1, true)
    assert.matches("<title>Paris, 2024-10: −0.50 (1 doc)</title>", page, 1, true)
    assert.matches("<title>Paris, 2024-10: +1.00 (1 doc)</title>", page, 1, true)
    assert.matches("<title>Paris — Paris: 4 documents</title>", page, 1, true)
    assert.matches("<td>Story &lt;1&gt; <span class=\"muted\">d1</span></td>", page, 1, true)
    assert.matches("<td>bare</td>", page, 1, true)   -- no title: the id
    assert.matches("<td>Lille</td><td class=\"n\">1</td><td class=\"n\">0</td>", page, 1, true)  -- no mentions
    local article = dir .. "/odd.html"
    assert(lector.report(db, article, { doc = "odd" }))
    assert.matches("<h1>odd</h1>", H.read(article), 1, true)
    assert.is_nil(page:find '<a href="[^#]', "without article pages the list links nowhere")
  end)

  it("takes `published` when `date` is not YYYY-MM-DD, and shows the id for a blank title", function()
    local lector = require "lector"
    local dir = H.tmpdir()
    local db <close> = assert(lector.open(dir .. "/c.db"))
    assert(db:save(lector.doc("The first story.", { id = "d1",
      meta = { date = "March 3, 2024", published = "2024-03-03" } })))
    assert(db:save(lector.doc("The second story.", { id = "blank", title = "  " })))
    db:flush()
    local page = H.read(assert(lector.report(db, dir .. "/corpus.html", { pages = false })).path)
    assert.matches("2 documents · 1 with a date (2024-03-03 to 2024-03-03)", page, 1, true)
    assert.matches("<td>blank</td>", page, 1, true)
    local article = dir .. "/blank.html"
    assert(lector.report(db, article, { doc = "blank" }))
    assert.matches("<h1>blank</h1>", H.read(article), 1, true)
    assert.matches("<title>blank", H.read(article), 1, true)
  end)

  it("fills the network with names however many numbers rank above them", function()
    local lector = require "lector"
    local dir = H.tmpdir()
    local db <close> = assert(lector.open(dir .. "/c.db"))
    for i = 1, 3 do
      local entities = {}
      for k = 1, 100 do entities[#entities + 1] = { name = tostring(k), label = "CARDINAL", mentions = 9 } end
      for k = 1, 40 do entities[#entities + 1] = { name = "Person " .. k, label = "PERSON", mentions = 1 } end
      local doc = lector.doc("Story " .. i .. ".", { id = "d" .. i })
      doc:set("entities", entities)
      assert(db:save(doc))
    end
    db:flush()
    local page = H.read(assert(lector.report(db, dir .. "/corpus.html", { pages = false })).path)
    assert.matches("The 30 entities in the most documents", page, 1, true)
    assert.is_nil(page:find("<title>7 ", 1, true), "numbers stay out of the network")
  end)

  it("cuts a long document list into sections of 1000", function()
    local lector = require "lector"
    local dir = H.tmpdir()
    local db <close> = assert(lector.open(dir .. "/many.db"))
    for i = 1, 1001 do assert(db:save(lector.doc("Document number " .. i .. ".", { id = "n" .. i }))) end
    db:flush()
    local page = H.read(assert(lector.report(db, dir .. "/many.html", { pages = false })).path)
    assert.matches('<details open><summary>Documents 1–1000</summary>', page, 1, true)
    assert.matches('<details><summary>Documents 1001–1001</summary>', page, 1, true)
    assert.are.equal(2, count(page, '<table class="docs">'))
    assert.matches("<td>n1001</td>", page, 1, true)
  end)

  it("says what is missing in an empty database", function()
    local lector = require "lector"
    local dir = H.tmpdir()
    local db <close> = assert(lector.open(dir .. "/empty.db"))
    local result = assert(lector.report(db, dir .. "/empty.html"))
    local page = H.read(result.path)
    assert.matches("0 documents · 0 with a date", page, 1, true)
    assert.matches("No entities stored (run the entities pass).", page, 1, true)
    assert.matches("Too few entities shared between documents to draw a network.", page, 1, true)
  end)
end)

describe("the REPL's :report", function()
  it("writes the page of 'doc', else the corpus page of 'db'", function()
    local dir = H.tmpdir()
    local r = H.lector({ "repl", H.article }, { stdin = ":run quotes\n:report " .. dir .. "/r.html\n" })
    assert.are.equal(0, r.code, r.err)
    assert.matches("wrote " .. dir .. "/r.html (", r.out, 1, true)
    assert.matches('<span class="quote" title="Speaker: Dmitry Peskov', H.read(dir .. "/r.html"), 1, true)
    local _, db = stored_corpus()
    r = H.lector({ "repl", "--db", db }, { stdin = ":report " .. dir .. "/c.html\n:report\n" })
    assert.are.equal(1, r.code)
    assert.matches("wrote " .. dir .. "/c.html (", r.out, 1, true)
    assert.matches("bytes, and 5 article pages)", r.out, 1, true)
    assert.matches("where to? (:report PATH)", r.err, 1, true)
    r = H.lector({ "repl" }, { stdin = ":report x.html\n" })
    assert.matches("nothing to report: ':load FILE' or ':open DB' first", r.err, 1, true)
  end)
end)

if not CHROMIUM and not CI then
  io.stderr:write("report_spec: chromium is not installed: the browser tests are skipped "
    .. "(install it with 'make deps' or 'apt-get install chromium'; under CI=true they must run)\n")
  pending("browser tests: chromium is not installed (make deps installs it)")
else
  describe("the pages in headless Chromium", function()
    local dir, article_page, corpus_page

    setup(function()
      assert(CHROMIUM, "CI=true and chromium is not installed: 'make deps' installs it")
      local db
      dir, db = stored_corpus()
      article_page = dir .. "/article.html"
      assert.are.equal(0, H.lector({ "report", H.article, "-o", article_page }).code)
      corpus_page = dir .. "/corpus.html"
      assert.are.equal(0, H.lector({ "report", "--db", db, "-o", corpus_page }).code)
    end)

    it("renders the article page, runs its script without errors and adds the toggles", function()
      local dom, log = dump_dom(article_page)
      assert.matches('<html lang="en" data%-script="ok">', dom)
      assert.are.same({}, script_errors(log))
      assert.matches('<mark class="e t%d+" data%-e="E14" title="PERSON · Dmitry Peskov">Dmitry Peskov</mark>', dom)
      assert.matches('<svg class="arc"', dom, 1, true)
      assert.matches("<polyline", dom, 1, true)
      -- the script replaced each legend item by a checkbox and its label
      assert.matches('<label><input type="checkbox" aria%-label="show PERSON', dom)
    end)

    it("turns a type's highlighting off and on, and outlines an entity's mentions on hover", function()
      -- a copy of the page with a script that uses the controls as a reader would
      local probe = dir .. "/probe.html"
      H.write(probe, (H.read(article_page):gsub("</body>", function() return [[
<script>
var box=document.querySelector(".legend input[type=checkbox]");
var cls=box.parentNode.querySelector("[data-type]").getAttribute("data-type");
var mark=document.querySelector("mark.e."+cls);
var colours=[getComputedStyle(mark).backgroundColor];
box.click();colours.push(getComputedStyle(mark).backgroundColor);
box.click();colours.push(getComputedStyle(mark).backgroundColor);
document.documentElement.setAttribute("data-toggle",colours.join("|"));
var peskov=document.querySelector('mark.e[data-e="E14"]');
peskov.dispatchEvent(new MouseEvent("mouseover",{bubbles:true}));
document.documentElement.setAttribute("data-outlined",document.querySelectorAll("mark.e.hl").length);
</script>
</body>]] end)))
      local dom, log = dump_dom(probe)
      assert.are.same({}, script_errors(log))
      local on, off, again = dom:match 'data%-toggle="([^|"]+)|([^|"]+)|([^|"]+)"'
      assert.is_not_nil(on, "the probe did not run")
      assert.are.equal("rgba(0, 0, 0, 0)", off)
      assert.are_not.equal(off, on)
      assert.are.equal(on, again)
      assert.matches('data%-outlined="2"', dom)     -- Dmitry Peskov, Peskov
    end)

    it("renders the corpus page and an article page written beside it", function()
      local dom, log = dump_dom(corpus_page)
      assert.matches('data%-script="ok"', dom)
      assert.are.same({}, script_errors(log))
      assert.matches('<svg class="network"', dom, 1, true)
      assert.matches('<input id="filter" type="search"', dom, 1, true)
      dom, log = dump_dom(dir .. "/corpus_articles/3.html")
      assert.matches('data%-script="ok"', dom)
      assert.are.same({}, script_errors(log))
    end)

    it("runs nothing an article or a plugin wrote", function()
      local project = evil_project()
      H.lector({ "report", "evil.txt", "-p", "evil", "-o", "evil.html" }, { cwd = project })
      local dom, log = dump_dom(project .. "/evil.html")
      assert.matches('data%-script="ok"', dom)
      assert.are.same({}, script_errors(log))
      assert.is_nil(dom:find('data-pwned="', 1, true))
      assert_only_own_elements(dom)
      assert.matches("&lt;script&gt;document.body.setAttribute('data-pwned','1')&lt;/script&gt;", dom, 1, true)
      -- the page's own parts are all there after the hostile text
      assert.matches('<h2 id="provenance">Plugins</h2>', dom, 1, true)
    end)

    it("takes a screenshot that is not blank", function()
      local blank = dir .. "/blank.html"
      H.write(blank, "<!DOCTYPE html><html><body></body></html>")
      local _, _, blank_data = png_info(screenshot(blank, dir .. "/blank.png", "1000,1400"))
      local width, height, data = png_info(screenshot(article_page, dir .. "/article.png", "1000,1400"))
      assert.are.equal(1000, width)
      assert.are.equal(1400, height)
      -- a blank page compresses to almost nothing; text, colours and the
      -- arc do not
      assert.is_true(data > 20 * blank_data, string.format("image data %d bytes, blank %d", data, blank_data))
    end)
  end)
end
