-- The quotes pass on the sample article and on small texts written for each
-- rule. Entity spans are added by hand (as the entities pass would add them)
-- so these specs test this pass alone; quotes_pipeline_spec.lua runs it
-- behind the real entities pass.
local lector = require "lector"
local source = debug.getinfo(1, "S").source:sub(2)
local S = dofile(source:match "^(.*)/[^/]*$" .. "/support.lua")

local function doc_of(text, names)
  local doc = assert(lector.doc(text))
  S.entities(doc, names or {})
  return doc
end

local function texts(quotes, label)
  local out = {}
  for _, q in ipairs(quotes) do
    if not label or q.label == label then out[#out + 1] = q.text end
  end
  return out
end

describe("quotes on the sample article", function()
  local doc = assert(lector.load(S.article))
  S.entities(doc, S.ARTICLE_ENTITIES)
  local quotes = S.run(doc)

  it("attributes Peskov's quotation, after 'he said', to Dmitry Peskov", function()
    local q = assert(S.find(quotes, "We want everything to remain peaceful", "direct"))
    assert.equal("We want everything to remain peaceful, and we don’t want any new conflicts "
      .. "to arise in the region. The world is already full of conflicts,", q.text)
    assert.equal("Dmitry Peskov", q.speaker)
    assert.equal("E1", q.speaker_id)
    assert.equal("say", q.cue)
    assert.equal("pronoun", q.via)
    assert.equal("he", q.anaphor)
    -- the mention that resolved "he" is the name in the paragraph before
    assert.equal("Dmitry Peskov", doc:slice(q.speaker_start, q.speaker_stop))
    assert.equal("he", doc:slice(q.anaphor_start, q.anaphor_stop))
    assert.is_nil(q.partial)
  end)

  it("finds Peskov's reported speech after 'told Russian news agency Tass Sunday that'", function()
    local q = assert(S.find(quotes, "Moscow remains", "indirect"))
    assert.equal("Moscow remains in close contact with Caracas and wishes for peace to prevail "
      .. "in Latin America", q.text)
    assert.equal("Dmitry Peskov", q.speaker)
    assert.equal("E1", q.speaker_id)
    assert.equal("tell", q.cue)
  end)

  it("gives Zakharova's partial quotations, inside her reported speech, to her", function()
    for _, prefix in ipairs { "zone of peace", "firm support for the Venezuelan government",
      "existing and potential threats." } do
      local q = assert(S.find(quotes, prefix, "direct"), prefix)
      assert.equal("Maria Zakharova", q.speaker)
      assert.equal("E2", q.speaker_id)
      assert.is_true(q.partial)
    end
    assert.equal("reiterate", S.find(quotes, "zone of peace").cue)
    assert.equal("relative", S.find(quotes, "zone of peace").via)
    assert.equal("add", S.find(quotes, "existing and potential").cue)
    local said = assert(S.find(quotes, "the Vladimir Putin administration remained", "indirect"))
    assert.equal("Maria Zakharova", said.speaker)
    -- the reported speech keeps the quotation inside it whole, with its mark
    assert.matches("“existing and potential threats%.”$", said.text)
  end)

  it("gives “unacceptable” to Volker Türk and the radars to Maduro", function()
    local q = assert(S.find(quotes, "unacceptable", "direct"))
    assert.equal("Volker Türk", q.speaker)
    assert.equal("label", q.cue)
    q = assert(S.find(quotes, "defensive radars, aircraft repairs and potentially missiles"))
    assert.equal("Nicolás Maduro", q.speaker)
    assert.equal("E4", q.speaker_id)
    assert.equal("request", q.cue)
  end)

  it("gives the scare quote “flooding” to the Trump administration, without an id", function()
    local q = assert(S.find(quotes, "flooding", "direct"))
    assert.equal("flooding", q.text)
    assert.equal("The Trump administration", q.speaker)
    assert.is_nil(q.speaker_id)
    assert.equal("accuse", q.cue)
  end)

  it("reads 'according to X, ...' and names the source without its modifiers", function()
    local q = assert(S.find(quotes, "Maduro requested", "indirect"))
    assert.equal("according to", q.cue)
    assert.equal("US government documents", q.speaker)
  end)

  it("counts quotations by speaker in the value 'quotes', the most quoted first", function()
    local rows = doc:get "quotes"
    assert.equal("Maria Zakharova", rows[1].speaker)
    assert.equal("E2", rows[1].speaker_id)
    assert.equal(5, rows[1].count)
    assert.equal(3, rows[1].direct)
    assert.equal(2, rows[1].indirect)
    local total = 0
    for _, row in ipairs(rows) do total = total + row.count end
    assert.equal(#quotes, total)
  end)

  it("leaves the marks out of every direct quotation", function()
    for _, q in ipairs(quotes) do
      if q.label == "direct" then
        assert.is_nil(q.text:find "^[“”\"]")
        assert.is_nil(q.text:find "[“”\"]$")
      end
    end
  end)
end)

describe("quotes, direct quotations", function()
  local PESKOV = { { "Dmitry Peskov", "PERSON", "E1" }, { "Peskov", "PERSON", "E1", "Dmitry Peskov" } }

  it("pairs straight quotes by the spaces around them", function()
    local quotes = S.run(doc_of('"We will not give up," said Dmitry Peskov. He called it "a '
      .. 'provocation" and left.', PESKOV))
    assert.same({ "We will not give up,", "a provocation" }, texts(quotes, "direct"))
    assert.equal("Dmitry Peskov", quotes[1].speaker)
    assert.equal("name", quotes[1].via)
    assert.equal("say", quotes[1].cue)
    assert.equal("Dmitry Peskov", quotes[2].speaker)
    assert.equal("call", quotes[2].cue)
  end)

  it("gives the quotation after a mid attribution to the same speaker", function()
    local quotes = S.run(doc_of('Maria Zakharova spoke on Friday.\n\n"We want peace," she '
      .. 'said. "We always did."', { { "Maria Zakharova", "PERSON", "E2" } }))
    assert.same({ "We want peace,", "We always did." }, texts(quotes, "direct"))
    assert.equal("Maria Zakharova", quotes[1].speaker)
    assert.equal("Maria Zakharova", quotes[2].speaker)
    assert.is_true(quotes[2].inherited)
    assert.is_nil(quotes[1].inherited)
  end)

  it("reads a quotation over several paragraphs as one, in parts", function()
    local text = "Dmitry Peskov spoke to reporters.\n\n"
      .. "“We want peace,” Peskov said. “The region has seen enough.\n\n"
      .. "“Nobody wants a war.\n\n"
      .. "“We will keep talking.”\n\n"
      .. "The talks resume on Monday."
    local quotes = S.run(doc_of(text, PESKOV))
    assert.same({ "We want peace,", "The region has seen enough.", "Nobody wants a war.",
      "We will keep talking." }, texts(quotes, "direct"))
    for i = 2, 4 do
      assert.equal(i - 1, quotes[i].part)
      assert.equal(3, quotes[i].parts)
      assert.equal("Dmitry Peskov", quotes[i].speaker)
    end
    assert.is_nil(quotes[1].part)
  end)

  it("bounds a stray opening mark to its paragraph", function()
    local text = "He said “this never ends.\n\nThe next paragraph has no quotation at all. "
      .. "Then a “short one” comes.\n\nAnd a last paragraph."
    local doc = doc_of(text)
    local quotes = S.run(doc)
    assert.same({ "short one" }, texts(quotes))
    assert.is_nil(quotes[1].speaker)
  end)

  it("keeps an unclosed quotation that ran over paragraphs, up to where it stops", function()
    local text = "Peskov said: “It started here.\n\n“And went on here.\n\nNo more quotes here."
    local quotes = S.run(doc_of(text, PESKOV))
    assert.same({ "It started here.", "And went on here." }, texts(quotes))
    assert.is_true(quotes[2].unclosed)
    assert.equal("Dmitry Peskov", quotes[1].speaker)
  end)

  it("keeps single quotes inside a double quotation as its text", function()
    local quotes = S.run(doc_of("“He told me ‘never again’ and left,” Peskov said. It was "
      .. "the ‘last’ time.", PESKOV))
    assert.same({ "He told me ‘never again’ and left," }, texts(quotes, "direct"))
    assert.equal("Dmitry Peskov", quotes[1].speaker)
  end)

  it("reads guillemets and „low“ quotes", function()
    local quotes = S.run(doc_of("Peskov a dit « non merci » hier. Er sagte „nein danke“ dann.",
      PESKOV))
    assert.same({ "non merci", "nein danke" }, texts(quotes, "direct"))
  end)

  it("resolves 'the spokesperson' to the last person with that title", function()
    local text = "Kremlin spokesperson Dmitry Peskov met reporters on Sunday. Vladimir Putin was "
      .. "away.\n\n“We are calm,” the spokesperson said."
    local quotes = S.run(doc_of(text, { PESKOV[1], PESKOV[2],
      { "Vladimir Putin", "PERSON", "E5" } }))
    assert.equal("Dmitry Peskov", quotes[1].speaker)
    assert.equal("title", quotes[1].via)
    assert.equal("the spokesperson", quotes[1].anaphor)
  end)

  it("leaves 'he' unresolved when another person opened a sentence since", function()
    local text = "Dmitry Peskov said that talks went well. Vladimir Putin met Nicolás Maduro "
      .. "later.\n\n“We are calm,” he said."
    local quotes = S.run(doc_of(text, { PESKOV[1], { "Vladimir Putin", "PERSON", "E5" },
      { "Nicolás Maduro", "PERSON", "E4" } }))
    local q = assert(S.find(quotes, "We are calm", "direct"))
    assert.equal("he", q.speaker)
    assert.is_nil(q.speaker_id)
  end)

  it("resolves 'she' to the only person named just before", function()
    local text = "Maria Zakharova held a briefing in Moscow.\n\n“Nothing changed,” she said."
    local quotes = S.run(doc_of(text, { { "Maria Zakharova", "PERSON", "E2" },
      { "Moscow", "GPE", "E9" } }))
    assert.equal("Maria Zakharova", quotes[1].speaker)
    assert.equal("E2", quotes[1].speaker_id)
  end)

  it("drops unattributed quotations when asked", function()
    local doc = doc_of("The so-called “peace plan” was new.")
    assert.same({ "peace plan" }, texts((S.run(doc))))
    doc = doc_of("The so-called “peace plan” was new.")
    assert.same({}, texts((S.run(doc, { unattributed = false }))))
  end)
end)

describe("quotes, reported speech", function()
  local NAMES = { { "Dmitry Peskov", "PERSON", "E1" }, { "Peskov", "PERSON", "E1", "Dmitry Peskov" },
    { "Tass", "ORG", "E7" }, { "Caracas", "GPE", "E10" } }

  it("reads 'X said that', 'X told Y that', 'X added that' and a bare 'X said'", function()
    local quotes = S.run(doc_of("Dmitry Peskov said that the talks failed. Peskov told Tass on "
      .. "Sunday that he was calm. Peskov added that nothing had changed. Peskov said the "
      .. "region needs calm.", NAMES))
    assert.same({ "the talks failed", "he was calm", "nothing had changed",
      "the region needs calm" }, texts(quotes, "indirect"))
    local cues = {}
    for i, q in ipairs(quotes) do
      cues[i] = q.cue
      assert.equal("Dmitry Peskov", q.speaker)
    end
    assert.same({ "say", "tell", "add", "say" }, cues)
  end)

  it("reads 'according to X, ...' and '..., according to X.'", function()
    local quotes = S.run(doc_of("According to Dmitry Peskov, the talks failed. The talks "
      .. "resume in Caracas, according to Tass.", NAMES))
    assert.same({ "the talks failed", "The talks resume in Caracas" }, texts(quotes))
    assert.equal("Dmitry Peskov", quotes[1].speaker)
    assert.equal("Tass", quotes[2].speaker)
    assert.equal("E7", quotes[2].speaker_id)
    assert.equal("according to", quotes[2].cue)
  end)

  it("reads a reporting clause at the end: ', Reuters said.' and ', said Reuters.'", function()
    local names = { NAMES[1], { "Reuters", "ORG", "E20" } }
    local quotes = S.run(doc_of("The talks failed, Reuters said. Prices rose, said Reuters.",
      names))
    assert.same({ "The talks failed", "Prices rose" }, texts(quotes))
    assert.equal("Reuters", quotes[1].speaker)
    assert.equal("Reuters", quotes[2].speaker)
  end)

  it("names no speaker for a passive, and keeps a place inside the speaker's words", function()
    local quotes = S.run(doc_of("It was said that things happened. Diplomats in Caracas said "
      .. "that the talks failed.", NAMES))
    assert.same({ "the talks failed" }, texts(quotes))
    assert.equal("Diplomats in Caracas", quotes[1].speaker)
    assert.is_nil(quotes[1].speaker_id)
  end)

  it("gives a possessor's statement to the possessor", function()
    local quotes = S.run(doc_of("Peskov’s statement said that the talks failed.", NAMES))
    assert.equal("the talks failed", quotes[1].text)
    assert.equal("Dmitry Peskov", quotes[1].speaker)
    assert.equal("possessive", quotes[1].via)
  end)

  it("does not take a verb used after a quotation, or 'said' without a clause, as reported speech",
    function()
      local quotes = S.run(doc_of("“We are calm,” said Peskov. Peskov said in a statement.", NAMES))
      assert.same({}, texts(quotes, "indirect"))
      assert.equal("Dmitry Peskov", quotes[1].speaker)
    end)

  it("can be switched off", function()
    local quotes = S.run(doc_of("Peskov said that the talks failed.", NAMES), { indirect = false })
    assert.same({}, quotes)
  end)
end)

describe("quotes, edge cases", function()
  it("finds nothing in a text without quotations or speech", function()
    local doc = doc_of("x")
    assert.same({}, S.run(doc))
    assert.same({}, doc:get "quotes")
  end)

  it("skips an empty quotation", function()
    assert.same({}, S.run(doc_of("He wrote “” and then \"\" twice.")))
  end)
end)
