-- `lector search` end to end: ranking, snippets, each filter, the output
-- formats, and every refusal with its message and exit code.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local json = require "cjson"

local CORPUS = H.fixtures .. "/corpus"
local STRIKE = CORPUS .. "/04_valencia_strike.txt"
local HOSPITAL = CORPUS .. "/01_valencia_hospital.txt"

local corpus_db = H.corpus_db

local function search(...)
  return H.lector { "search", "--db", corpus_db(), ... }
end

-- The ids of the hits of a search, from its JSON lines.
local function ids(...)
  local r = search("-f", "jsonl", ...)
  assert(r.code == 0, r.err)
  local list = {}
  for _, line in ipairs(H.lines(r.out)) do list[#list + 1] = json.decode(line).id end
  return list
end

describe("lector search", function()
  it("lists the best matches first with a highlighted snippet", function()
    local r = search "Valencia"
    assert.equal(0, r.code)
    assert.equal("", r.err)
    local lines = H.lines(r.out)
    assert.equal(6, #lines)
    assert.matches("^1%. " .. STRIKE:gsub("%p", "%%%0") .. "  2025%-06%-09  score %d+%.%d%d$", lines[1])
    assert.equal("   Nurses Strike Over Pay in Valencia as Health Minister Defends Budget", lines[2])
    assert.equal("   Nurses Strike Over Pay in [Valencia] as Health Minister Defends Budget Emergency wards stayed open, but…", lines[3])
    assert.matches("^2%. " .. HOSPITAL:gsub("%p", "%%%0") .. "  2025%-03%-14", lines[4])
  end)

  it("filters by entity, label, plugin value and date", function()
    assert.same({ STRIKE, HOSPITAL }, ids("Valencia", "--entity", "Ortiz"))
    assert.same({ H.article }, ids("Venezuela", "--entity", "Maduro", "--label", "ORG", "--since", "2025-11-01"))
    assert.same({}, ids("Venezuela", "--entity", "Maduro", "--until", "2025-10-31"))
    assert.same({ HOSPITAL }, ids("Valencia", "--value", "sentiment.compound>0"))
    assert.same({ STRIKE }, ids("hospital", "--since", "2025-04-01", "--until", "2025-06-09"))
    assert.same({ STRIKE }, ids("Valencia", "-n", "1"))
  end)

  it("writes CSV and JSON with the snippet on one line", function()
    local r = search("Valencia", "-f", "csv", "--limit", "1")
    assert.equal(0, r.code)
    local lines = H.lines(r.out)
    assert.equal("id,title,date,score,snippet", lines[1])
    assert.equal(2, #lines)
    assert.matches(",2025-06-09,", lines[2], 1, true)
    r = search("title:floods", "-f", "json")
    local hits = json.decode(r.out)
    assert.equal(1, #hits)
    assert.equal(CORPUS .. "/03_andes_floods.txt", hits[1].id)
    assert.equal("[Floods] Kill at Least 31 in the Andes as Rivers Burst Their Banks", hits[1].snippet)
  end)

  it("says so when nothing matches, and succeeds", function()
    local r = search "zeppelin"
    assert.equal(0, r.code)
    assert.equal("", r.out)
    assert.equal("lector: search: no document matches\n", r.err)
  end)

  it("refuses a query that is not FTS5 syntax and bad options", function()
    local r = search "AND OR"
    assert.equal(2, r.code)
    assert.equal('lector: search: the query is not valid FTS5 syntax: fts5: syntax error near "AND"\n', r.err)
    r = search "nosuchcolumn:word"
    assert.equal(2, r.code)
    assert.matches("no such column: nosuchcolumn", r.err, 1, true)
    r = search("x", "--since", "1/2/2025")
    assert.equal(2, r.code)
    assert.equal("lector: search: a date is written YYYY-MM-DD ('1/2/2025') (see 'lector search --help')\n", r.err)
    r = search("x", "--value", "sentiment compound")
    assert.equal(2, r.code)
    assert.matches("a value filter is KEY or KEY.PATH", r.err, 1, true)
    r = search("x", "--limit", "-3")
    assert.equal(2, r.code)
    assert.matches("--limit wants a whole number", r.err, 1, true)
    r = H.lector { "search", "--db", corpus_db() }
    assert.equal(2, r.code)
    assert.matches("search: no query given", r.err, 1, true)
  end)

  it("refuses a missing database", function()
    local dir = H.tmpdir()
    local r = H.lector { "search", "--db", dir .. "/none.db", "x" }
    assert.equal(4, r.code)
    assert.equal("lector: " .. dir .. "/none.db: no database exists at this path\n", r.err)
  end)
end)
