-- Run with: lector plugin test plugins/keyphrases (CTest: plugin/keyphrases)
local lector = require "lector"

local ARTICLE = (os.getenv "LECTOR_FIXTURES" or "tests/fixtures") .. "/000_eec91c594e6a2ce7.txt"

-- Written for these specs: a story about a port strike.
local STORY = table.concat({
  "Dock Workers Strike at Port of Halden",
  "",
  "Dock workers at the Port of Halden walked out on Monday over pay.",
  "The dock workers union says wages have not kept up with prices.",
  "Port of Halden managers offered a new pay deal, which the union rejected.",
  "Ships are waiting outside the port, and the port authority warned of delays.",
  "Halden's mayor asked both sides to return to talks on the pay deal.",
  "Shipping companies are sending cargo to other ports while the strike lasts.",
}, "\n")

local function analyze(text, options)
  local doc = assert(lector.doc(text))
  local report = assert(lector.run(doc, { "keyphrases", options = { keyphrases = options } }))
  for _, pass in ipairs(report.passes) do assert.equal("ok", pass.status, pass.error) end
  return doc:get "keyphrases", doc
end

local function phrases(value)
  local out = {}
  for i, k in ipairs(value) do out[i] = k.phrase end
  return out
end

local function find(value, phrase)
  for i, k in ipairs(value) do
    if k.phrase == phrase then return k, i end
  end
end

-- The same, ignoring case.
local function find_folded(value, phrase)
  for i, k in ipairs(value) do
    if k.phrase:lower() == phrase then return k, i end
  end
end

describe("keyphrases", function()
  it("ranks the story's subject first, with scores best first", function()
    local value = analyze(STORY)
    assert.is_true(#value >= 5)
    local _, workers = find_folded(value, "dock workers")
    local _, port = find_folded(value, "port of halden")
    assert.truthy(workers and workers <= 3, table.concat(phrases(value), ", "))
    assert.truthy(port and port <= 5, table.concat(phrases(value), ", "))
    assert.equal(1, value[1].score)
    for i = 2, #value do assert.is_true(value[i].score <= value[i - 1].score) end
  end)

  it("merges inflected forms into one phrase", function()
    local value = analyze(STORY)
    -- "port" (2), "ports" (1): one phrase
    local port = find_folded(value, "port")
    assert.truthy(port, table.concat(phrases(value), ", "))
    assert.is_nil(find_folded(value, "ports"))
    local variants = {}
    for _, v in ipairs(port.variants) do variants[v] = true end
    assert.is_true(variants.ports)
    -- "Dock workers", "dock workers union", "Dock Workers Strike": one phrase
    local workers = find_folded(value, "dock workers")
    assert.is_nil(find_folded(value, "dock workers union"))
    variants = {}
    for _, v in ipairs(workers.variants) do variants[v:lower()] = true end
    assert.is_true(variants["dock workers union"])
  end)

  it("never starts or ends a phrase with a stop word, a participle or an adverb", function()
    local value = analyze(STORY, { count = 30 })
    for _, k in ipairs(value) do
      local first, last = k.phrase:match "^(%S+)", k.phrase:match "(%S+)$"
      for _, w in ipairs { first:lower(), last:lower() } do
        assert.is_nil(({ the = 1, of = 1, at = 1, on = 1, ["and"] = 1, which = 1 })[w], k.phrase)
        assert.is_nil(w:match "ing$" or w:match "ed$" or w:match "ly$", k.phrase)
      end
    end
  end)

  it("splits a run of content words at a verb", function()
    local value = analyze("Russia Reiterates Support for Venezuela\n\n"
      .. "The military industry remains strong. Oil prices rose sharply as traders took "
      .. "profits. Russia's military industry grew again, and oil prices fell.", { count = 30 })
    for _, k in ipairs(value) do
      for word in k.phrase:lower():gmatch "%S+" do
        assert.is_nil(({ reiterates = 1, remains = 1, rose = 1, took = 1, grew = 1, fell = 1 })[word],
          k.phrase)
      end
    end
    assert.truthy(find_folded(value, "military industry"), table.concat(phrases(value), ", "))
    assert.truthy(find_folded(value, "oil prices"), table.concat(phrases(value), ", "))
    -- capitalized outside the headline, such a word is part of a name
    value = analyze("Forecasters at the Met Office said LED street lights were a problem. "
      .. "Trump spoke in the Rose Garden.", { count = 30 })
    for _, name in ipairs { "met office", "led street lights", "rose garden" } do
      assert.truthy(find_folded(value, name), table.concat(phrases(value), ", "))
    end
  end)

  it("takes no wire abbreviation or number word for a phrase", function()
    local value = analyze("Acme Foods said net profit was 5 mln dlrs vs 3 mln dlrs, up 10 pct. "
      .. "Sales reached two billion dlrs, and the billion mark was passed.", { count = 30 })
    for _, k in ipairs(value) do
      for word in k.phrase:lower():gmatch "%S+" do
        assert.is_nil(({ vs = 1, mln = 1, dlrs = 1, pct = 1 })[word], k.phrase)
      end
      assert.not_equal("billion", k.phrase:lower())
    end
    assert.truthy(find_folded(value, "net profit"), table.concat(phrases(value), ", "))
  end)

  it("marks the mentions of the kept phrases in the layer 'keyphrase'", function()
    local value, doc = analyze(STORY, { count = 3 })
    local labels, n = {}, 0
    for span in doc:spans "keyphrase" do
      n = n + 1
      labels[span.label] = true
      assert.is_true(span.score > 0 and span.score <= 1)
    end
    assert.is_true(n >= 3)
    for label in pairs(labels) do assert.truthy(find(value, label), label) end
    assert.equal(3, #value)
  end)

  it("merges 'Maduro government' into 'Maduro' on the fixture article", function()
    local value = analyze(assert(io.open(ARTICLE)):read "a")
    local maduro = find(value, "Maduro")
    assert.truthy(maduro, table.concat(phrases(value), ", "))
    local variants = {}
    for _, v in ipairs(maduro.variants) do variants[v] = true end
    assert.is_true(variants["Maduro government"])
    assert.is_nil(find(value, "Maduro government"))
    local _, venezuela = find(value, "Venezuela")
    assert.truthy(venezuela and venezuela <= 3, table.concat(phrases(value), ", "))
  end)

  it("works for another language given its stop words", function()
    local text = "El gobierno de Chile anunció reformas. Las reformas del gobierno llegan al congreso. "
      .. "El congreso de Chile debate las reformas."
    local value = analyze(text, { language = "spanish",
      stopwords = { "el", "la", "las", "los", "de", "del", "al" } })
    local names = {}
    for _, k in ipairs(value) do names[k.phrase:lower()] = true end
    assert.is_true(names.reformas or names["reformas del gobierno"] or false, table.concat(phrases(value), ", "))
    assert.is_nil(names.el)
  end)

  it("refuses a count below 1", function()
    local doc = assert(lector.doc(STORY))
    local report = assert(lector.run(doc, { "keyphrases", options = { keyphrases = { count = 0 } } }))
    local pass = report.passes[#report.passes]
    assert.equal("failed", pass.status)
    assert.truthy(pass.error:find("'count' must be at least 1", 1, true))
  end)
end)
