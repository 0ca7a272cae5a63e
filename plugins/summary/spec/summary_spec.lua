-- Run with: lector plugin test plugins/summary (CTest: plugin/summary)
local lector = require "lector"

local ARTICLE = (os.getenv "LECTOR_FIXTURES" or "tests/fixtures") .. "/000_eec91c594e6a2ce7.txt"

-- A short news story written for these specs: a headline, a caption with
-- its credit, and eight body sentences, the first after a dateline. Sentence 3 of the
-- body (the flood barrier) is what most others talk about.
local STORY = table.concat({
  "River Flood Barrier Holds as Town Braces for Storm",
  "",
  "Workers check the flood barrier near the old mill. (Photo: Ana Ruiz/AFP)",
  "",
  "RIVERTON, March 2, 2024 (Valley Post) – The council of Riverton met on Monday to discuss the storm expected this week.",
  "Heavy rain is forecast for the whole valley from Wednesday.",
  "The new flood barrier along the river protected the town centre, and engineers say the flood barrier will hold the river back again.",
  "Engineers inspected the flood barrier and the river banks on Tuesday.",
  "The flood barrier cost the town four million euros and took two years to build.",
  "Shops near the river were told to keep sandbags ready behind the flood barrier.",
  "A local bakery is offering free coffee to volunteers.",
  "The school football match was moved to Saturday.",
}, "\n")

local function summarize(text, options, plugins)
  local doc = assert(lector.doc(text))
  local report = assert(lector.run(doc, { plugins or "summary", options = { summary = options } }))
  for _, pass in ipairs(report.passes) do
    assert.equal("ok", pass.status, pass.error)
  end
  return doc:get "summary", doc
end

local function index_of(doc, prefix)
  for s in doc:sentences() do
    if s.text:sub(1, #prefix) == prefix then return s.index end
  end
  error("no sentence starts with " .. prefix)
end

describe("summary: lead", function()
  it("takes the first body sentences, not the headline, dateline or caption", function()
    local value, doc = summarize(STORY, { method = "lead" })
    assert.equal("lead", value.method)
    assert.same({ index_of(doc, "RIVERTON"), index_of(doc, "Heavy rain"), index_of(doc, "The new flood") },
      value.sentences)
    -- the dateline opening the first sentence is left out of the text
    assert.equal("The council of Riverton met on Monday to discuss the storm expected this week. "
      .. "Heavy rain is forecast for the whole valley from Wednesday. "
      .. "The new flood barrier along the river protected the town centre, and engineers say the "
      .. "flood barrier will hold the river back again.", value.text)
  end)

  it("follows the sentences, words and ratio options", function()
    local value = summarize(STORY, { method = "lead", sentences = 1 })
    assert.equal(1, #value.sentences)
    -- 14 + 10 words fit in 25; the third sentence (24 words) does not
    value = summarize(STORY, { method = "lead", words = 25 })
    assert.equal(2, #value.sentences)
    -- a word budget smaller than the first sentence still gives one
    value = summarize(STORY, { method = "lead", words = 3 })
    assert.equal(1, #value.sentences)
    local all = summarize(STORY, { method = "lead", ratio = 1 })
    assert.equal(8, #all.sentences)
  end)

  it("leaves out sentences shorter than min_words", function()
    local value, doc = summarize(STORY, { method = "lead", min_words = 11, sentences = 2 })
    assert.same({ index_of(doc, "RIVERTON"), index_of(doc, "The new flood") }, value.sentences)
  end)
end)

describe("summary: graph methods", function()
  for _, method in ipairs { "textrank", "lexrank" } do
    it(method .. " picks the sentence the others are about, and not the off-topic ones", function()
      local value, doc = summarize(STORY, { method = method, sentences = 2 })
      assert.equal(method, value.method)
      local picked = {}
      for _, i in ipairs(value.sentences) do picked[i] = true end
      assert.is_true(picked[index_of(doc, "The new flood barrier")])
      assert.is_nil(picked[index_of(doc, "A local bakery")])
      assert.is_nil(picked[index_of(doc, "The school football")])
    end)
  end

  it("gives the sentences in document order", function()
    for _, method in ipairs { "textrank", "lexrank", "hybrid" } do
      local value = summarize(STORY, { method = method, sentences = 4 })
      assert.equal(4, #value.sentences)
      for i = 2, #value.sentences do assert.is_true(value.sentences[i - 1] < value.sentences[i]) end
    end
  end)

  it("takes a similarity measure by option", function()
    local value, doc = summarize(STORY, { method = "textrank", similarity = "bm25", sentences = 1 })
    assert.same({ index_of(doc, "The new flood barrier") }, value.sentences)
  end)
end)

describe("summary: hybrid", function()
  it("is the default, and does not repeat itself", function()
    -- two near-copies open the story: lead takes both, hybrid only one
    local text = "Storm Hits Coast\n\n"
      .. "A powerful storm hit the northern coast on Sunday, cutting power to thousands of homes.\n"
      .. "A powerful storm hit the northern coast on Sunday and cut power to thousands of homes.\n"
      .. "Emergency crews worked through the night to restore electricity to the coast.\n"
      .. "The storm is expected to move inland on Monday, weather officials said.\n"
      .. "Schools along the coast will stay closed until the power is back."
    local lead = summarize(text, { method = "lead", sentences = 2 })
    assert.same({ 2, 3 }, lead.sentences)
    local value = summarize(text, { sentences = 2 })
    assert.equal("hybrid", value.method)
    local copies = 0
    for _, i in ipairs(value.sentences) do
      if i == 2 or i == 3 then copies = copies + 1 end
    end
    assert.equal(1, copies)
  end)

  it("summarizes the fixture article from its body", function()
    local value, doc = summarize(assert(io.open(ARTICLE)):read "a", {})
    assert.equal(3, #value.sentences)
    local layout = {}
    for span in doc:spans "structure" do layout[#layout + 1] = span end
    for _, i in ipairs(value.sentences) do
      local s = doc:sentence(i)
      for _, span in ipairs(layout) do
        assert.is_false(span.start <= s.start and span.stop >= s.stop,
          "sentence " .. i .. " is a " .. tostring(span.label))
      end
    end
    -- the article's first body sentence says what it is about
    assert.truthy(value.text:find("reaffirmed its support for the Nicolás Maduro administration", 1, true))
  end)
end)

describe("summary: other languages", function()
  it("stems with the chosen Snowball stemmer and takes stop words by option", function()
    local text = table.concat({
      "El gobierno anunció un plan nuevo para las escuelas del país.",
      "Los gobiernos regionales apoyan el plan de escuelas del gobierno.",
      "El plan del gobierno llega a las escuelas en septiembre.",
      "Ayer llovió mucho en la costa y el tráfico fue lento.",
    }, "\n")
    local value = summarize(text, { method = "lexrank", language = "spanish", sentences = 1,
      stopwords = { "el", "la", "los", "las", "del", "de", "un", "para", "en", "a", "y" } })
    assert.not_equal(4, value.sentences[1])
  end)
end)

describe("summary: refusals and limits", function()
  it("fails the pass on an unknown method, naming it", function()
    local doc = assert(lector.doc(STORY))
    local report = assert(lector.run(doc, { "summary", options = { summary = { method = "magic" } } }))
    local pass = report.passes[#report.passes]
    assert.equal("failed", pass.status)
    assert.truthy(pass.error:find("unknown method 'magic'", 1, true))
  end)

  it("gives an empty summary for a text with no body sentence", function()
    local value = summarize("Too short.", {})
    assert.same({}, value.sentences)
    assert.equal("", value.text)
  end)

  it("summarizes a 500-sentence document quickly", function()
    local words = {}
    for i = 1, 400 do words[i] = "term" .. string.char(97 + i % 26) .. string.char(97 + (i * 7) % 26) end
    local lines = {}
    for i = 1, 500 do
      local s = {}
      for k = 1, 14 do s[k] = words[(i * 13 + k * k * 7) % #words + 1] end
      lines[i] = "Sentence " .. table.concat(s, " ") .. "."
    end
    local text = table.concat(lines, " ")
    for _, method in ipairs { "textrank", "lexrank", "hybrid" } do
      local started = os.clock()
      local value = summarize(text, { method = method })
      assert.equal(3, #value.sentences)
      assert.is_true(os.clock() - started < 2, method .. " took " .. (os.clock() - started) .. " s")
    end
  end)
end)
