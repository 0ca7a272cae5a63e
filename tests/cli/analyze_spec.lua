-- `lector analyze` end to end: the real binary on the fixture and on every
-- kind of bad input, checking output, messages and exit codes.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local json = require "cjson"

local HEADLINE = "Russia Reiterates Support for Venezuela, Maduro Gov’t Requests Military Assistance"

local function analyze(args, opts)
  local full = { "analyze" }
  for _, a in ipairs(args) do full[#full + 1] = a end
  return H.lector(full, opts)
end

local function db_in(dir) return dir .. "/test.db" end

describe("lector analyze", function()
  it("prints a text report of the bundled article and stores it", function()
    local dir = H.tmpdir()
    local r = analyze { "--db", db_in(dir), H.article }
    assert.equal(0, r.code)
    assert.equal("", r.err)
    assert.matches("title:     " .. HEADLINE, r.out, 1, true)
    assert.matches("stored:    " .. db_in(dir), r.out, 1, true)
    assert.matches("\n   1  " .. HEADLINE .. "\n", r.out, 1, true)
    assert.matches("  Edited by José Luis Granados Ceja in Mexico City, Mexico.\n", r.out, 1, true)
    local again = analyze { "--db", db_in(dir), H.article }
    assert.equal(0, again.code)
    assert.matches("stored:    already in " .. db_in(dir), again.out, 1, true)
  end)

  it("groups entities, quotes, acronyms and structure in the text report", function()
    local dir = H.tmpdir()
    os.execute("mkdir -p " .. H.quote(dir .. "/plugins/fake"))
    -- A pass that writes the layers and values the bundled extractors write,
    -- from offsets it finds itself in the article.
    H.write(dir .. "/plugins/fake/plugin.lua", [[
local function add(doc, layer, needle, label, attrs, nth)
  local at = 1
  for _ = 1, nth or 1 do
    local s, e = doc.text:find(needle, at, true)
    at = e + 1
    if _ == (nth or 1) then doc:add(layer, { start = s - 1, stop = e, label = label, attrs = attrs }) end
  end
end
return { name = "fake", version = "1.0.0", kind = "extract", run = function(doc)
  add(doc, "entity", "Nicolás Maduro", "PERSON", { canonical = "Nicolás Maduro" })
  add(doc, "entity", "Maduro", "PERSON", { canonical = "Nicolás Maduro" }, 3)
  add(doc, "entity", "Dmitry Peskov", "PERSON", { canonical = "Dmitry Peskov" })
  add(doc, "entity", "Caracas", "GPE", {})
  add(doc, "quote", "We want everything", "direct", { speaker = "Dmitry Peskov" })
  add(doc, "acronym", "UNODC", "UNODC", { long = "United Nations Office on Drugs and Crime" })
  doc:set("structure", { headline = "Russia Reiterates Support", dateline = { place = "Caracas",
    date = "November 3, 2025", iso = "2025-11-03" }, editor = { name = "José Luis Granados Ceja",
    place = "Mexico City, Mexico" } })
  doc:set("entities", { { id = "E1" } })
  doc:set("other", 7)
end }
]])
    local r = H.lector({ "analyze", "--no-store", "-p", "fake", H.article }, { cwd = dir })
    assert.equal(0, r.code, r.err)
    assert.matches("structure:\n  headline:   Russia Reiterates Support\n", r.out, 1, true)
    assert.matches("  dateline:   Caracas · November 3, 2025 · (2025-11-03)\n", r.out, 1, true)
    assert.matches("  editor:     José Luis Granados Ceja (Mexico City, Mexico)\n", r.out, 1, true)
    assert.matches("entities (4 mentions):\n  PERSON         2  Nicolás Maduro ×2, Dmitry Peskov\n"
      .. "  GPE            1  Caracas\n", r.out, 1, true)
    assert.matches("quotes (1):\n  direct    Dmitry Peskov: «We want everything»\n", r.out, 1, true)
    assert.matches("acronyms:  1 mention: UNODC = United Nations Office on Drugs and Crime\n", r.out, 1, true)
    -- values shown in their sections are not repeated; others are
    assert.matches('values:    {"other":7}\n', r.out, 1, true)
  end)

  it("uses the default database under XDG_DATA_HOME", function()
    local dir = H.tmpdir()
    local r = analyze({ H.article }, { env = "XDG_DATA_HOME=" .. H.quote(dir) })
    assert.equal(0, r.code, r.err)
    assert.matches("stored:    " .. dir .. "/lector/lector.db", r.out, 1, true)
  end)

  it("runs the bundled passes by default", function()
    local r = analyze { "--no-store", "--format", "json", H.article }
    assert.equal(0, r.code, r.err)
    assert.equal("", r.err)
    local doc = json.decode(r.out)
    local people = {}
    for _, span in ipairs(doc.spans.entity) do
      if span.label == "PERSON" then people[span.attrs.canonical] = true end
    end
    assert.is_true(people["Dmitry Peskov"])
    assert.is_true(people["Nicolás Maduro"])
    local peskov
    for _, span in ipairs(doc.spans.quote) do
      if span.text:find("^We want everything") then peskov = span.attrs.speaker end
    end
    assert.equal("Dmitry Peskov", peskov)
    assert.equal("2025-11-03", doc.values.structure.dateline.iso)
    assert.equal("United Nations Office on Drugs and Crime", doc.values.acronyms.UNODC)
  end)

  it("prints lector's JSON shape with --format json", function()
    local r = analyze { "--no-store", "--plugins", "", "--format", "json", H.article }
    assert.equal(0, r.code, r.err)
    local doc = json.decode(r.out)
    assert.equal(H.article, doc.id)
    assert.equal(H.article, doc.source)
    assert.equal(HEADLINE, doc.title)
    assert.equal(64, #doc.sha256)
    assert.equal(HEADLINE, doc.sentences[1].text)
    assert.equal(1, doc.sentences[1].index)
    assert.equal(0, doc.sentences[1].start)
    assert.equal(#HEADLINE, doc.sentences[1]["end"])
    assert.equal(#doc.sentences, doc.stats.sentences)
    assert.same({}, doc.errors)
    assert.same({}, doc.values)
  end)

  it("writes the passes' empty lists as [] in JSON, never {}", function()
    local input = H.write(H.tmpdir() .. "/plain.jsonl", json.encode {
      id = "plain", text = "Oil prices rose on Monday. Analysts said supply was tight." } .. "\n")
    local r = analyze { "--no-store", "--format", "jsonl", input }
    assert.equal(0, r.code, r.err)
    for _, list in ipairs { '"quotes":[]', '"aliases":[]', '"variants":[]', '"most_positive":[]',
        '"most_negative":[]' } do
      assert.is_truthy(r.out:find(list, 1, true), list .. " in " .. r.out)
    end
    -- the only empty objects left are maps: span attributes and two values
    local empty_objects, seen = {}, {}
    for key in r.out:gmatch '"([%w_]+)":{}' do
      if not seen[key] then empty_objects[#empty_objects + 1], seen[key] = key, true end
    end
    table.sort(empty_objects)
    assert.same({ "acronyms", "attrs", "structure" }, empty_objects)
  end)

  it("streams JSONL in, JSONL out, keeping ids and order", function()
    local input = table.concat({
      json.encode { id = "a", title = "First", text = "One sentence. Two sentences." },
      json.encode { id = 7, text = "Numbered id.", meta = { lang = "en" }, date = "1987" },
      json.encode { id = "c", text = "Third record." },
    }, "\n") .. "\n"
    local r = analyze({ "--no-store", "--format", "jsonl", "-" }, { stdin = input })
    assert.equal(0, r.code, r.err)
    local lines = H.lines(r.out)
    assert.equal(3, #lines)
    local a, b, c = json.decode(lines[1]), json.decode(lines[2]), json.decode(lines[3])
    assert.equal("a", a.id)
    assert.equal("First", a.title)
    assert.equal(2, #a.sentences)
    assert.equal("7", b.id)
    assert.same({ lang = "en", date = "1987" }, b.meta)
    assert.equal("c", c.id)
  end)

  it("reports a bad JSONL line with its number and goes on", function()
    local dir = H.tmpdir()
    local path = H.write(dir .. "/in.jsonl", table.concat({
      '{"id":"ok1","text":"Fine."}',
      '{"id":"broken","text":',
      '["not", "an", "object"]',
      '{"text":"no id"}',
      '{"id":"x","text":42}',
      '{"id":"bad-utf8","text":"ab\255cd"}',
      '',
      '{"id":"ok2","text":"Also fine."}',
    }, "\n"))
    local r = analyze { "--db", db_in(dir), "--format", "jsonl", path }
    assert.equal(3, r.code)
    assert.matches(path .. ":2: not valid JSON", r.err, 1, true)
    assert.matches(path .. ":3: a record must be a JSON object", r.err, 1, true)
    assert.matches(path .. ':4: the record has no "id"', r.err, 1, true)
    assert.matches(path .. ':5: record x: "text" is missing or not a string', r.err, 1, true)
    assert.matches(path .. ":6: record bad-utf8: invalid UTF-8 at byte 2", r.err, 1, true)
    local lines = H.lines(r.out)
    assert.equal(7, #lines)
    assert.equal("ok1", json.decode(lines[1]).id)
    assert.equal(json.null, json.decode(lines[2]).id)
    assert.equal("ok2", json.decode(lines[7]).id)
    local count = H.lector { "run", H.write(dir .. "/count.lua", [[
      local db = assert(require("lector").open(arg[1]))
      print(db:query("select count(*) as n from documents")[1].n)
    ]]), db_in(dir) }
    assert.equal("2\n", count.out)
  end)

  it("refuses records with unusable ids one by one", function()
    local input = table.concat({
      '{"id":"' .. ("x"):rep(300) .. '","text":"Long id."}',
      '{"id":12345678901234567890,"text":"Huge id."}',
      '{"id":"fine","text":"Fine."}',
    }, "\n")
    local r = analyze({ "--no-store", "--format", "jsonl", "-" }, { stdin = input })
    assert.equal(3, r.code)
    assert.matches('-:1: "id" must be at most 256 bytes', r.err, 1, true)
    assert.matches('-:2: "id" must be a string or an integer below 2^53', r.err, 1, true)
    assert.equal("fine", json.decode(H.lines(r.out)[3]).id)
  end)

  it("reads JSONL that starts with a byte order mark", function()
    local body = '\239\187\191{"id":"bom","text":"After a BOM."}\r\n{"id":"two","text":"Second."}\r\n'
    local path = H.write(H.tmpdir() .. "/bom.jsonl", body)
    local r = analyze { "--no-store", "--format", "jsonl", path }
    assert.equal(0, r.code, r.err)
    assert.equal("bom", json.decode(H.lines(r.out)[1]).id)
    r = analyze({ "--no-store", "--format", "jsonl", "-" }, { stdin = body })
    assert.equal(0, r.code, r.err)
    assert.equal(2, #H.lines(r.out))
  end)

  it("takes the title of standard input from the normalized text", function()
    local r = analyze({ "--no-store", "--format", "json", "-" }, { stdin = "\239\187\191My Title\r\n\r\nBody.\r\n" })
    assert.equal(0, r.code, r.err)
    assert.equal("My Title", json.decode(r.out).title)
  end)

  it("refuses a JSONL line over the limit and reads the next", function()
    local dir = H.tmpdir()
    local path = H.write(dir .. "/big.jsonl",
      '{"id":"huge","text":"' .. ("x"):rep(3000) .. '"}\n{"id":"small","text":"Small."}\n')
    local r = analyze { "--no-store", "--max-bytes", "1K", "--format", "jsonl", path }
    assert.equal(3, r.code)
    assert.matches(path .. ":1: line too long (3023 bytes; the limit is 2048 bytes)", r.err, 1, true)
    assert.equal("small", json.decode(H.lines(r.out)[2]).id)
  end)

  it("refuses invalid UTF-8 with the byte offset, unless --lossy", function()
    local dir = H.tmpdir()
    local path = H.write(dir .. "/bad.txt", "Good start.\nThen \192\175 bad.\n")
    local r = analyze { "--db", db_in(dir), path }
    assert.equal(3, r.code)
    assert.equal("lector: " .. path .. ": invalid UTF-8 at byte 17\n", r.err)
    assert.equal("", r.out)
    r = analyze { "--db", db_in(dir), "--lossy", "--format", "json", path }
    assert.equal(0, r.code, r.err)
    local doc = json.decode(r.out)
    assert.equal(2, doc.stats.repairs)
    assert.matches("Then \239\191\189\239\191\189 bad.", doc.sentences[2].text, 1, true)
  end)

  it("refuses empty, blank and binary files with their own messages", function()
    local dir = H.tmpdir()
    local empty = H.write(dir .. "/empty.txt", "")
    local blank = H.write(dir .. "/blank.txt", " \n\t\n")
    local binary = H.write(dir .. "/binary.txt", "PK\3\4\0\0\1binary")
    for path, message in pairs {
      [empty] = "empty input (no text)",
      [blank] = "empty input (no text)",
      [binary] = "binary data (NUL byte at byte 4)",
    } do
      local r = analyze { "--no-store", path }
      assert.equal(3, r.code)
      assert.equal("lector: " .. path .. ": " .. message .. "\n", r.err)
    end
  end)

  it("refuses a file over --max-bytes", function()
    local path = H.write(H.tmpdir() .. "/long.txt", ("word "):rep(1000))
    local r = analyze { "--no-store", "--max-bytes", "1k", path }
    assert.equal(3, r.code)
    assert.matches(path .. ": too large (5000 bytes; the limit is 1024 bytes)", r.err, 1, true)
  end)

  it("segments a 1 MB line with no punctuation", function()
    local path = H.write(H.tmpdir() .. "/run.txt", ("abc "):rep(262144))
    local r = analyze { "--no-store", "--format", "jsonl", path }
    assert.equal(0, r.code, r.err)
    assert.equal(262144, json.decode(r.out).stats.tokens)
  end)

  it("reads folders recursively, skipping and counting other files", function()
    local dir = H.tmpdir()
    os.execute("mkdir -p " .. H.quote(dir .. "/corpus/sub"))
    H.write(dir .. "/corpus/a.txt", "Alpha text.")
    H.write(dir .. "/corpus/sub/b.md", "# Beta\n\nBeta text.")
    H.write(dir .. "/corpus/sub/c.json", "{}")
    H.write(dir .. "/corpus/image.png", "\137PNG")
    local r = analyze { "--no-store", "--format", "jsonl", dir .. "/corpus" }
    assert.equal(0, r.code)
    local lines = H.lines(r.out)
    assert.equal(2, #lines)
    assert.equal(dir .. "/corpus/a.txt", json.decode(lines[1]).id)
    local beta = json.decode(lines[2])
    assert.equal("Beta", beta.title)
    assert.equal("lector: skipped 2 files that are not .txt or .md\n", r.err)
  end)

  it("reads plain text from standard input", function()
    local r = analyze({ "--no-store", "--format", "json", "-" }, { stdin = "Headline here\n\nBody text. More text.\n" })
    assert.equal(0, r.code, r.err)
    local doc = json.decode(r.out)
    assert.equal("Headline here", doc.title)
    assert.equal("-", doc.source)
    assert.equal(3, #doc.sentences)
  end)

  it("goes on after a missing file and says which", function()
    local r = analyze { "--no-store", "--format", "jsonl", "/no/such/file.txt", H.article }
    assert.equal(3, r.code)
    assert.matches("lector: /no/such/file.txt: No such file or directory", r.err, 1, true)
    assert.equal(2, #H.lines(r.out))
  end)

  describe("refuses a database it must not touch", function()
    it("a file that is not SQLite", function()
      local path = H.write(H.tmpdir() .. "/notes.txt", "my notes\n")
      local r = analyze { "--db", path, H.article }
      assert.equal(4, r.code)
      assert.matches("^lector: " .. path:gsub("%p", "%%%0") .. ": not a lector database", r.err)
      assert.equal("", r.out)
      assert.equal("my notes\n", H.read(path))
    end)

    it("a database of a newer schema", function()
      local dir = H.tmpdir()
      assert.equal(0, analyze({ "--db", db_in(dir), H.article }).code)
      H.lector { "run", H.write(dir .. "/bump.lua", [[
        local db = assert(require("lector").open(arg[1]))
        db:query("pragma user_version = 99")
        db:close()
      ]]), db_in(dir) }
      local before = H.read(db_in(dir))
      local r = analyze { "--db", db_in(dir), H.article }
      assert.equal(4, r.code)
      assert.matches("schema version 99 is newer than this lector supports (7)", r.err, 1, true)
      assert.equal(before, H.read(db_in(dir)))
    end)

    it("a location that cannot be written", function()
      local r = analyze { "--db", "/proc/lector-test.db", H.article }
      assert.equal(4, r.code)
      assert.matches("^lector: /proc/lector%-test%.db: ", r.err)
    end)
  end)

  describe("usage errors exit with 2", function()
    for _, case in ipairs {
      { { "analyze" }, "no input given" },
      { { "analyze", "--format", "xml", "x" }, "unknown format 'xml'" },
      { { "analyze", "--frobnicate", "x" }, "unknown option '--frobnicate'" },
      { { "analyze", "--max-bytes", "lots", "x" }, "--max-bytes wants a size" },
      { { "analyze", "--db" }, "option '--db' needs a value" },
      { { "nosuchcommand" }, "unknown command 'nosuchcommand'" },
    } do
      it(table.concat(case[1], " "), function()
        local r = H.lector(case[1])
        assert.equal(2, r.code)
        assert.matches(case[2], r.err, 1, true)
      end)
    end
  end)

  it("has --help, --version and help for every command", function()
    local r = H.lector { "--help" }
    assert.equal(0, r.code)
    assert.matches("Usage: lector COMMAND", r.out, 1, true)
    r = H.lector { "--version" }
    assert.equal(0, r.code)
    assert.matches("^lector %d+%.%d+%.%d+\n$", r.out)
    for _, command in ipairs { "analyze", "run" } do
      r = H.lector { command, "--help" }
      assert.equal(0, r.code)
      assert.matches("Usage: lector " .. command, r.out, 1, true)
      assert.equal(r.out, H.lector({ "help", command }).out)
    end
  end)
end)

describe("an interrupted analyze", function()
  local function sh(command)
    local _, _, code = os.execute(command)
    return code
  end

  it("stops on Ctrl-C with exit code 130, every line it printed whole and stored", function()
    local dir = H.project { ["plugins/slow/plugin.lua"] = H.SLOW_PLUGIN }
    local lines = {}
    for i = 1, 3000 do
      lines[i] = json.encode { id = "d" .. i, text = "Document number " .. i .. " was filed in Lisbon." }
    end
    H.write(dir .. "/corpus.jsonl", table.concat(lines, "\n") .. "\n")
    sh(string.format("cd %s && (%s analyze -j 2 -p slow --format jsonl --db a.db corpus.jsonl > out 2> err"
      .. " & echo $! > pid; wait $!; echo $? > rc) &", H.quote(dir), H.quote(H.bin)))
    local pid
    for _ = 1, 600 do
      local f = io.open(dir .. "/pid")
      pid = f and tonumber(f:read "a")
      if f then f:close() end
      local out = io.open(dir .. "/out")
      local printed = out and out:read "a" or ""
      if out then out:close() end
      if pid and #printed > 1000 then break end
      sh "sleep 0.05"
    end
    assert(pid, "analyze did not start")
    sh("kill -INT " .. pid)
    local rc
    for _ = 1, 600 do
      local f = io.open(dir .. "/rc")
      rc = f and f:read "a"
      if f then f:close() end
      if rc and rc ~= "" then break end
      sh "sleep 0.1"
    end
    assert.equal("130", rc:match "%d+")
    local printed = H.lines(H.read(dir .. "/out"))
    assert.is_true(#printed > 0 and #printed < 3000, #printed .. " lines")
    for i, line in ipairs(printed) do
      local record = json.decode(line)   -- whole lines only
      assert.equal("d" .. i, record.id)
      assert.is_number(record.values.slow)
    end
    assert.matches("lector: analyze: interrupted after " .. #printed .. " documents\n",
      H.read(dir .. "/err"), 1, true)
    local lector = require "lector"
    local db <close> = assert(lector.open(dir .. "/a.db", { readonly = true }))
    assert.equal(#printed, db:query("select count(*) as n from doc_values where key = 'slow'")[1].n)
  end)

  -- The id of each report, in each format.
  local REPORT_ID = {
    jsonl = '^{"id":"([^"]+)"',
    json = '^  "id": "([^"]+)",$',
    text = "^id: +(%S+)$",
  }
  local function report_ids(out, format)
    local ids = {}
    for line in out:gmatch "[^\n]+" do ids[#ids + 1] = line:match(REPORT_ID[format]) end
    return ids
  end

  for _, case in ipairs {
    { jobs = "1", format = "jsonl", signal = "INT", code = 130 },
    { jobs = "2", format = "json", signal = "TERM", code = 143 },
    { jobs = "2", format = "text", signal = "INT", code = 130 },
  } do
    it(string.format("stops on SIG%s while -j %s waits for more standard input, with every record it read (%s)",
      case.signal, case.jobs, case.format), function()
      local N = 5
      local dir = H.project { ["plugins/slow/plugin.lua"] = H.SLOW_PLUGIN }
      local lector = H.background(dir, { "analyze", "-j", case.jobs, "-p", "slow", "--format",
        case.format, "--db", "a.db", "-" })
      finally(function() lector:kill() end)
      for i = 1, N do
        lector:write(json.encode { id = "d" .. i, text = "Document number " .. i .. " was filed in Lisbon." } .. "\n")
      end
      -- a record not yet whole when the signal comes: dropped
      lector:write '{"id": "partial", "text": "Document'
      assert.is_true(H.eventually(function() return #report_ids(lector:read "out", case.format) == N end, 20),
        "the records written were not reported while standard input stayed open")
      lector:signal(case.signal)
      assert.equal(case.code, lector:exit_code(20), "lector did not stop by itself")
      local ids = report_ids(lector:read "out", case.format)
      assert.equal(N, #ids)
      for i, id in ipairs(ids) do assert.equal("d" .. i, id) end
      assert.equal("lector: analyze: interrupted after " .. N .. " documents\n", lector:read "err")
      local db <close> = assert(require("lector").open(dir .. "/a.db", { readonly = true }))
      assert.equal(N, db:query("select count(*) as n from documents")[1].n)
      assert.equal(N, db:query("select count(*) as n from doc_values where key = 'slow'")[1].n)
    end)
  end
end)
