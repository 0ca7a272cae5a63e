-- The example scripts in scripts/: each run as a user runs it
-- (`lector run scripts/NAME.lua ARGS...`) on the sample article and on
-- tests/fixtures/corpus (four short articles written for these tests; the
-- people in them are invented), checking what it prints.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")

local SCRIPTS = H.source_dir .. "/scripts/"
local CORPUS = H.fixtures .. "/corpus"
local HOSPITAL = CORPUS .. "/01_valencia_hospital.txt"
local FLOODS = CORPUS .. "/03_andes_floods.txt"
local STRIKE = CORPUS .. "/04_valencia_strike.txt"

local function script(name, ...)
  return H.lector { "run", SCRIPTS .. name .. ".lua", ... }
end

-- The lines of an aligned table whose first column is `first`, split on
-- runs of two or more spaces (names hold single spaces).
local function rows(out)
  local t = {}
  for _, line in ipairs(H.lines(out)) do
    local cells = {}
    for cell in (line:gsub("^%s+", "") .. "  "):gmatch "(.-)%s%s+" do cells[#cells + 1] = cell end
    t[#t + 1] = cells
  end
  return t
end

local function find_row(t, col, value)
  for _, r in ipairs(t) do
    if r[col] == value then return r end
  end
end

local function expect_usage(r, problem)
  assert.equal(2, r.code)
  assert.equal("", r.out)
  assert.matches(problem, r.err, 1, true)
  assert.matches("Usage: lector run scripts/", r.err, 1, true)
end

-- RFC 4180 records: quoted fields may hold commas, quotes and line breaks.
local function parse_csv(text)
  local records, record, field, i, quoted = {}, {}, {}, 1, false
  while i <= #text do
    local c = text:sub(i, i)
    if quoted then
      if c == '"' and text:sub(i + 1, i + 1) == '"' then
        field[#field + 1] = '"'
        i = i + 1
      elseif c == '"' then
        quoted = false
      else
        field[#field + 1] = c
      end
    elseif c == '"' then
      quoted = true
    elseif c == "," then
      record[#record + 1] = table.concat(field)
      field = {}
    elseif c == "\r" and text:sub(i + 1, i + 1) == "\n" then
      record[#record + 1] = table.concat(field)
      records[#records + 1] = record
      record, field = {}, {}
      i = i + 1
    else
      field[#field + 1] = c
    end
    i = i + 1
  end
  assert(not quoted and #field == 0 and #record == 0, "the CSV does not end with a whole record")
  return records
end

describe("scripts/", function()
  it("every script has a header saying what it does and how to run it, and is tested here", function()
    local names = {}
    local p = io.popen("ls " .. H.quote(SCRIPTS))
    for file in p:lines() do
      if file:match "%.lua$" then names[#names + 1] = file end
    end
    p:close()
    local spec = H.read(H.source_dir .. "/tests/cli/scripts_spec.lua")
    assert.is_true(#names >= 5, "fewer than five scripts")
    for _, file in ipairs(names) do
      local text = H.read(SCRIPTS .. file)
      assert.matches("^%-%- " .. file:gsub("%p", "%%%0") .. ": %S", text)
      assert.matches("\n%-%- Usage: lector run scripts/" .. file:gsub("%p", "%%%0"), text)
      assert.matches('describe("' .. file .. '"', spec, 1, true)
    end
  end)
end)

describe("top_entities.lua", function()
  it("ranks a corpus's entities by documents, then mentions", function()
    local r = script("top_entities", "-n", "5", CORPUS)
    assert.equal(0, r.code, r.err)
    local t = rows(r.out)
    assert.same({ "rank", "entity", "label", "documents", "mentions" }, t[1])
    assert.same({ "1", "Carmen Ortiz", "PERSON", "4" }, { table.unpack(t[2], 1, 4) })
    assert.is_true(tonumber(t[2][5]) >= 4)
    assert.equal(7, #t)   -- header, five entities, the totals
    for i = 3, 6 do
      assert.is_true(tonumber(t[i][4]) <= tonumber(t[i - 1][4]), "not sorted by documents")
    end
    assert.matches("^4 documents, %d+ distinct entities$", t[7][1])
  end)

  it("finds Maduro among the article's top people and keeps to the labels asked for", function()
    local r = script("top_entities", "-n", "3", "-l", "PERSON", H.article)
    assert.equal(0, r.code, r.err)
    local t = rows(r.out)
    assert.equal(5, #t)
    assert.same({ "1", "Nicolás Maduro", "PERSON", "1" }, { table.unpack(t[2], 1, 4) })
    for i = 2, 4 do assert.equal("PERSON", t[i][3]) end
    assert.matches("^1 document, ", t[5][1])
  end)

  it("counts a surname alone for the one full name that ends with it", function()
    local dir = H.tmpdir()
    H.write(dir .. "/a.txt", "Carmen Ortiz opened the hospital in Valencia on Friday.\n")
    H.write(dir .. "/b.txt", "Health Minister Ortiz was criticized on Monday.\n")
    local r = script("top_entities", "-l", "PERSON", dir)
    assert.equal(0, r.code, r.err)
    local t = rows(r.out)
    assert.same({ "1", "Carmen Ortiz", "PERSON", "2", "2" }, t[2])
    assert.is_nil(find_row(t, 2, "Ortiz"))
  end)

  it("refuses bad arguments with its usage and exit code 2", function()
    expect_usage(script "top_entities", "no input given")
    expect_usage(script("top_entities", "-n", "0", CORPUS), "-n must be a whole number")
    expect_usage(script("top_entities", "-l", "person", CORPUS), "'person' is not an entity label")
    expect_usage(script("top_entities", "--top", "3", CORPUS), "unknown option '--top'")
    expect_usage(script("top_entities", CORPUS, "-n"), "-n needs a value")
  end)

  it("reports an unreadable input, counts the others, and exits with 3", function()
    local r = script("top_entities", "/no/such/file.txt", STRIKE)
    assert.equal(3, r.code)
    assert.matches("top_entities.lua: /no/such/file.txt:", r.err, 1, true)
    assert.matches("Carmen Ortiz", r.out, 1, true)
    assert.matches("\n1 document, ", r.out, 1, true)
  end)
end)

describe("quotes.lua", function()
  it("tables who is quoted in the article, and whom they talk about", function()
    local r = script("quotes", H.article)
    assert.equal(0, r.code, r.err)
    local t = rows(r.out)
    assert.same({ "speaker", "quotes", "direct", "indirect", "documents", "talks about" }, t[1])
    local peskov = assert(find_row(t, 1, "Dmitry Peskov"), r.out)
    assert.is_true(tonumber(peskov[3]) >= 1, "Peskov has no direct quotation")
    assert.equal(tonumber(peskov[2]), tonumber(peskov[3]) + tonumber(peskov[4]))
    assert.matches("Latin America", peskov[6], 1, true)
    local zakharova = assert(find_row(t, 1, "Maria Zakharova"))
    assert.is_true(tonumber(zakharova[2]) >= tonumber(peskov[2]))
    for i = 3, #t do assert.is_true(tonumber(t[i][2]) <= tonumber(t[i - 1][2]), "not sorted") end
  end)

  it("counts the documents quoting each speaker in a corpus", function()
    local r = script("quotes", CORPUS)
    assert.equal(0, r.code, r.err)
    local t = rows(r.out)
    local ortiz = assert(find_row(t, 1, "Carmen Ortiz"), r.out)
    assert.is_true(tonumber(ortiz[5]) >= 3, "Carmen Ortiz quoted in fewer than 3 documents")
    assert.equal("2", assert(find_row(t, 1, "Andrés Villalba"))[5])
    assert.truthy(find_row(t, 1, "Gabriela Montilla"))
  end)

  it("lists every quotation as TSV, direct ones only with --direct", function()
    local r = script("quotes", "--tsv", "--direct", CORPUS)
    assert.equal(0, r.code, r.err)
    local lines = H.lines(r.out)
    assert.equal("document\tspeaker\tkind\tcue\tmentions\tquote", lines[1])
    local found = false
    for i = 2, #lines do
      local cols = {}
      for c in (lines[i] .. "\t"):gmatch "(.-)\t" do cols[#cols + 1] = c end
      assert.equal(6, #cols, lines[i])
      assert.equal("direct", cols[3])
      if cols[2] == "Carmen Ortiz" and cols[6]:find("We are fighting against time", 1, true) then
        assert.equal("03_andes_floods.txt", cols[1])
        found = true
      end
    end
    assert.is_true(found, r.out)
    local all = H.lines(script("quotes", "--tsv", CORPUS).out)
    assert.is_true(#all > #lines, "--direct dropped nothing")
  end)

  it("refuses bad arguments with its usage and exit code 2", function()
    expect_usage(script "quotes", "no input given")
    expect_usage(script("quotes", "--csv", CORPUS), "unknown option '--csv'")
  end)
end)

describe("actor_sentiment.lua", function()
  local function tone_ok(row)
    local tone = tonumber(row[5])
    assert.is_true(tone >= -1 and tone <= 1, row[5])
    local word = tone >= 0.05 and "positive" or tone <= -0.05 and "negative" or "neutral"
    assert.equal(word, row[9])
    assert.is_true(tonumber(row[6]) + tonumber(row[7]) + tonumber(row[8]) > 0)
  end

  it("scores the tone around each actor of a corpus", function()
    local r = script("actor_sentiment", CORPUS)
    assert.equal(0, r.code, r.err)
    local t = rows(r.out)
    assert.same({ "actor", "label", "docs", "mentions", "tone", "pos", "neg", "neu" }, t[1])
    local ortiz = assert(find_row(t, 1, "Carmen Ortiz"), r.out)
    assert.equal("PERSON", ortiz[2])
    assert.equal("4", ortiz[3])
    for i = 2, #t do
      tone_ok(t[i])
      assert.truthy(({ PERSON = 1, ORG = 1, GPE = 1, NORP = 1 })[t[i][2]], t[i][2])
      if i > 2 then assert.is_true(tonumber(t[i][4]) <= tonumber(t[i - 1][4]), "not sorted") end
    end
  end)

  it("keeps to the labels and the count asked for on the article", function()
    local r = script("actor_sentiment", "-n", "4", "-l", "PERSON", H.article)
    assert.equal(0, r.code, r.err)
    local t = rows(r.out)
    assert.equal(5, #t)
    assert.equal("Nicolás Maduro", t[2][1])
    for i = 2, 5 do
      assert.equal("PERSON", t[i][2])
      tone_ok(t[i])
    end
  end)

  it("refuses bad arguments with its usage and exit code 2", function()
    expect_usage(script("actor_sentiment", "-n", "-1", CORPUS), "-n must be a whole number")
    expect_usage(script("actor_sentiment", "-l", "", CORPUS), "-l names no label")
    expect_usage(script "actor_sentiment", "no input given")
  end)
end)

describe("compare.lua", function()
  -- The names listed after "Only in A (N): " or "Only in B (N): ".
  local function only(out, which)
    local list = out:match("\nOnly in " .. which .. " %(%d+%): ([^\n]*)")
    local set = {}
    for name in (list .. ", "):gmatch "(.-), " do set[name] = true end
    return set
  end

  it("sets two articles on one story side by side", function()
    local r = script("compare", HOSPITAL, STRIKE)
    assert.equal(0, r.code, r.err)
    assert.matches("^A  01_valencia_hospital.txt: Children’s Hospital Reopens in Valencia", r.out)
    assert.matches("\nB  04_valencia_strike.txt: Nurses Strike Over Pay", r.out)
    assert.matches("dateline: Valencia, 2025-03-14\n", r.out, 1, true)
    assert.matches("dateline: Valencia, 2025-06-09\n", r.out, 1, true)
    local both = r.out:match "\nIn both %(%d+%):\n(.-)\n\n"
    local t = rows(both)
    assert.same({ "entity", "label", "A mentions", "B mentions", "A tone", "B tone" }, t[1])
    local ortiz = assert(find_row(t, 1, "Carmen Ortiz"), both)
    assert.equal("PERSON", ortiz[2])
    assert.truthy(find_row(t, 1, "Rosa Benítez"))
    assert.is_true(only(r.out, "A")["Thomas Eriksen"])
    assert.is_true(only(r.out, "B")["Gabriela Montilla"])
    assert.is_nil(only(r.out, "A")["Carmen Ortiz"])
    assert.matches("\nQuoted in B: [^\n]*Gabriela Montilla %(1%)", r.out)
    local shared, union, jaccard = r.out:match "Entity overlap: (%d+) of (%d+) %(Jaccard ([%d.]+)%)"
    assert.equal(#t - 1, tonumber(shared))
    assert.near(shared / union, tonumber(jaccard), 0.005)
  end)

  it("compares articles on different stories", function()
    local r = script("compare", H.article, FLOODS)
    assert.equal(0, r.code, r.err)
    assert.matches("\n  Venezuela +GPE", r.out)
    assert.is_true(only(r.out, "A")["Dmitry Peskov"])
    assert.is_true(only(r.out, "B")["Ingrid Solberg"])
    assert.matches("\nQuoted in A: [^\n]*Dmitry Peskov %(%d+%)", r.out)
    assert.matches("\nQuoted in B: [^\n]*Ingrid Solberg %(1%)", r.out)
  end)

  it("needs exactly two readable articles", function()
    expect_usage(script("compare", HOSPITAL), "give exactly two articles (1 given)")
    expect_usage(script("compare", HOSPITAL, STRIKE, FLOODS), "give exactly two articles (3 given)")
    local r = script("compare", HOSPITAL, "/no/such/article.txt")
    assert.equal(3, r.code)
    assert.matches("compare.lua: /no/such/article.txt:", r.err, 1, true)
  end)
end)

describe("entities_csv.lua", function()
  local HEADER = { "document", "entity_id", "label", "canonical", "text", "start", "stop",
    "sentence", "sentence_text" }

  it("exports each mention with its offsets and sentence", function()
    local r = script("entities_csv", H.article)
    assert.equal(0, r.code, r.err)
    local records = parse_csv(r.out)
    assert.same(HEADER, records[1])
    local lector = require "lector"
    local doc = assert(lector.load(H.article))
    local maduro, quoted = 0, false
    for i = 2, #records do
      local rec = records[i]
      assert.equal(9, #rec)
      assert.equal(H.article, rec[1])
      local start, stop = tonumber(rec[6]), tonumber(rec[7])
      assert.equal(rec[5], doc:slice(start, stop))
      local s = doc:sentence(tonumber(rec[8]))
      assert.equal(s.text, rec[9])
      assert.is_true(s.start <= start and stop <= s.stop)
      if rec[4] == "Nicolás Maduro" then maduro = maduro + 1 end
      quoted = quoted or rec[9]:find(",", 1, true) ~= nil
    end
    assert.is_true(maduro >= 3, "too few Maduro mentions")
    assert.is_true(quoted, "no field needed quoting")
    assert.matches('\r\n[^\r\n]*,"Russia Reiterates Support for Venezuela, Maduro', r.out)
  end)

  it("writes a corpus to a file, only the labels asked for", function()
    local out = H.tmpdir() .. "/people.csv"
    local r = script("entities_csv", "-o", out, "-l", "PERSON", CORPUS)
    assert.equal(0, r.code, r.err)
    assert.equal("", r.out)
    local records = parse_csv(H.read(out))
    assert.same(HEADER, records[1])
    local docs, ortiz = {}, 0
    for i = 2, #records do
      assert.equal(9, #records[i])
      assert.equal("PERSON", records[i][3])
      docs[records[i][1]:match "[^/]+$"] = true
      if records[i][4] == "Carmen Ortiz" then ortiz = ortiz + 1 end
    end
    assert.same({ ["01_valencia_hospital.txt"] = true, ["02_cucuta_bridge.txt"] = true,
      ["03_andes_floods.txt"] = true, ["04_valencia_strike.txt"] = true }, docs)
    assert.is_true(ortiz >= 8)
    assert.matches(#records - 1 .. " rows written to " .. out, r.err, 1, true)
  end)

  it("refuses bad arguments and an output it cannot write", function()
    expect_usage(script("entities_csv", CORPUS, "-o"), "-o needs a value")
    expect_usage(script "entities_csv", "no input given")
    local r = script("entities_csv", "-o", "/no/such/dir/out.csv", CORPUS)
    assert.equal(4, r.code)
    assert.matches("/no/such/dir/out.csv", r.err, 1, true)
  end)
end)

describe("brief.lua", function()
  it("briefs the article: headline, summary, people, quotes, acronyms, tone", function()
    local r = script("brief", H.article)
    assert.equal(0, r.code, r.err)
    local lines = H.lines(r.out)
    assert.equal("Russia Reiterates Support for Venezuela, Maduro Gov’t Requests Military Assistance",
      lines[1])
    assert.equal("Caracas, 2025-11-03 (venezuelanalysis.com)", lines[2])
    assert.matches("\nPeople\n  Nicolás Maduro %(%d+%), ", r.out)
    assert.matches("\n  Dmitry Peskov %(say%): “We want everything to remain peaceful", r.out)
    assert.matches("\n  UNODC  United Nations Office on Drugs and Crime\n", r.out, 1, true)
    assert.matches("\nTone\n  [+-]%d%.%d%d%d %(%a+%): %d+ positive, %d+ negative, %d+ neutral sentences", r.out)
    local summary = r.out:match "\nSummary\n  ([^\n]+)"
    assert.truthy(summary:find("Kremlin spokesperson Dmitry Peskov", 1, true) or summary:find("Maduro", 1, true))
  end)

  it("makes the summary as long as asked", function()
    local one = script("brief", "-s", "1", FLOODS)
    local three = script("brief", FLOODS)
    assert.equal(0, one.code, one.err)
    local s1 = one.out:match "\nSummary\n  ([^\n]+)"
    local s3 = three.out:match "\nSummary\n  ([^\n]+)"
    assert.is_true(#s1 < #s3)
    assert.matches("Quotations\n[^\n]*\n?.-  Ingrid Solberg %(tell%): “Whole villages", one.out)
  end)

  it("refuses bad arguments with its usage and exit code 2", function()
    expect_usage(script("brief", HOSPITAL, STRIKE), "give one article")
    expect_usage(script("brief", "-s", "many", HOSPITAL), "-s must be a whole number")
    expect_usage(script "brief", "no article given")
    assert.equal(3, script("brief", "/no/such/article.txt").code)
  end)
end)
