-- The sentiment pass as `lector analyze` runs it: in the sandbox, with the
-- default lexicon, behind the real entities pass.
local lector = require "lector"
local source = debug.getinfo(1, "S").source:sub(2)
local S = dofile(source:match "^(.*)/[^/]*$" .. "/support.lua")

-- The default lexicon is written alongside this plugin; until it exists
-- these specs are pending rather than failing for a reason outside it.
local lexicon = io.open(S.dir .. "/data/lexicon.tsv")
if lexicon then lexicon:close() end

local function run(doc, passes)
  local report = assert(lector.run(doc, passes))
  for _, pass in ipairs(report.passes) do assert.equal("ok", pass.status, pass.error) end
  return doc:get "sentiment"
end

describe("sentiment in a pipeline", function()
  it("scores sentences with the default lexicon in the sandbox", function()
    if not lexicon then return pending "plugins/sentiment/data/lexicon.tsv does not exist yet" end
    local doc = assert(lector.doc("The talks were a great success. The attack killed many people "
      .. "and was condemned as a terrible crime. The meeting is on Monday."))
    local v = run(doc, { "sentiment" })
    local spans = {}
    for span in doc:spans "sentiment" do spans[#spans + 1] = span end
    assert.equal(3, #spans)
    assert.is_true(spans[1].score > 0.3, spans[1].score)
    assert.is_true(spans[2].score < -0.3, spans[2].score)
    assert.equal("neutral", spans[3].label)
    assert.is_true(v.lexicon.entries > 1000)
    assert.equal(3, v.positive + v.negative + v.neutral)
  end)

  it("reads the idioms of the default lexicon as wholes", function()
    if not lexicon then return pending "plugins/sentiment/data/lexicon.tsv does not exist yet" end
    local doc = assert(lector.doc "They denounced a false flag operation.")
    run(doc, { "sentiment", options = { sentiment = { explain = true } } })
    local e = lector.explain(doc, 1)
    local texts = {}
    for _, w in ipairs(e.words) do texts[#texts + 1] = w.text end
    assert.matches("false flag", table.concat(texts, "|"), 1, true)
  end)

  it("reads the editorial cues of the default lexicon", function()
    if not lexicon then return pending "plugins/sentiment/data/lexicon.tsv does not exist yet" end
    local doc = assert(lector.doc("The new rules mean fewer deaths on the roads. The park is less "
      .. "safe than it was. The riders deserve better. The fares are far too high. Health and "
      .. "safety reform was on the agenda."))
    run(doc, { "sentiment" })
    local scores = {}
    for span in doc:spans "sentiment" do scores[#scores + 1] = span.score end
    assert.equal(5, #scores)
    assert.is_true(scores[1] > 0, scores[1])   -- "fewer" flips "deaths"
    assert.is_true(scores[2] < 0, scores[2])   -- "less safe"
    assert.is_true(scores[3] < 0, scores[3])   -- "deserve better" says it is lacking
    assert.is_true(scores[4] < 0, scores[4])   -- excess
    assert.equal(0, scores[5])                 -- topic words, no judgement
  end)

  it("scores the clauses about each entity of the sample article", function()
    if not lexicon then return pending "plugins/sentiment/data/lexicon.tsv does not exist yet" end
    local doc = assert(lector.load(S.article))
    local v = run(doc, { "entities", "sentiment" })
    assert.is_table(v.entities)
    local us
    for _, row in ipairs(v.entities) do if row.name == "US" then us = row end end
    assert(us, "the US is in the entity table")
    assert.is_true(us.mentions >= 10)
    assert.is_true(us.clauses >= 1 and us.clauses <= us.mentions)
    assert.is_true(us.compound >= -1 and us.compound <= 1)
    assert.equal(#v.paragraphs, doc:stats().paragraphs)
  end)

  it("takes words of any length from the words option in the sandbox", function()
    if not lexicon then return pending "plugins/sentiment/data/lexicon.tsv does not exist yet" end
    local text = "The quarterly report came out. The report came out."
    local doc = assert(lector.doc(text))
    assert.equal(0, run(doc, { "sentiment" }).compound)
    -- longer than the patterns the sandbox allows on such strings
    local words = { "  quarterly report  =  2.5 ", "out=booster:0.75", "report = -1" }
    doc = assert(lector.doc(text))
    run(doc, { "sentiment", options = { sentiment = { words = words, explain = true } } })
    local first, second = lector.explain(doc, 1), lector.explain(doc, 2)
    assert.equal("quarterly report", first.words[1].text)
    assert.equal(2.5, first.words[1].valence)
    assert.equal("report", second.words[1].text)
    assert.equal(-1, second.words[1].valence)
    assert.same({ "booster" }, second.words[2].rules)
  end)

  it("refuses extra lexicon files without the read permission, naming the option", function()
    if not lexicon then return pending "plugins/sentiment/data/lexicon.tsv does not exist yet" end
    local doc = assert(lector.doc "Fine.")
    local report = assert(lector.run(doc, { "sentiment",
      options = { sentiment = { lexicons = { "data/lexicon.tsv" } } } }))
    assert.equal("failed", report.passes[1].status)
    assert.matches("--allow sentiment:read", report.passes[1].error, 1, true)
    report = assert(lector.run(doc, { "sentiment", allow = { sentiment = { read = true } },
      options = { sentiment = { lexicons = { "lector:data/lexicon.tsv" } } } }))
    assert.equal("ok", report.passes[1].status, report.passes[1].error)
  end)
end)
