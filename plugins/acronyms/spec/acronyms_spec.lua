-- Run with: lector plugin test plugins/acronyms (CTest: plugin/acronyms)
local lector = require "lector"

local ARTICLE = (os.getenv "LECTOR_FIXTURES" or "tests/fixtures") .. "/000_eec91c594e6a2ce7.txt"

-- Runs the pass through the real pipeline; returns the spans (as plain
-- tables) and the `acronyms` value.
local function analyze(doc, options)
  local report = assert(lector.run(doc, { "acronyms", options = { acronyms = options } }))
  assert.equal("ok", report.passes[1].status, report.passes[1].error)
  local spans = {}
  for s in doc:spans "acronym" do
    spans[#spans + 1] = { label = s.label, text = s.text, attrs = s.attrs }
  end
  return spans, doc:get "acronyms"
end

local function run(text, options)
  return analyze(assert(lector.doc(text)), options)
end

-- "LABEL text kind" for each span, kind being defines, long_form or mention.
local function listed(spans)
  local out = {}
  for _, s in ipairs(spans) do
    local kind = s.attrs.defines and "defines" or s.attrs.long_form and "long_form" or "mention"
    out[#out + 1] = s.label .. " " .. s.text .. " " .. kind
  end
  return out
end

describe("acronyms on the Venezuelanalysis article", function()
  local spans, value
  setup(function()
    spans, value = analyze(assert(lector.load(ARTICLE)))
  end)

  it("pairs each defined short form with its long form, leaving out the 'US' before DEA", function()
    assert.same({
      UN = "United Nations",
      UNODC = "United Nations Office on Drugs and Crime",
      DEA = "Drug Enforcement Agency",
    }, value)
  end)

  it("marks the long forms, the definitions and the later bare 'UN'", function()
    assert.same({
      "UN United Nations long_form", "UN UN defines", "UN UN mention",
      "UNODC United Nations Office on Drugs and Crime long_form", "UNODC UNODC defines",
      "DEA Drug Enforcement Agency long_form", "DEA DEA defines",
    }, listed(spans))
    for _, s in ipairs(spans) do
      assert.equal(value[s.label], s.attrs.long)
      assert.equal(s.label, s.attrs.short)
    end
  end)

  it("pairs nothing with (AFP) or (venezuelanalysis.com)", function()
    assert.is_nil(value.AFP)
    for _, s in ipairs(spans) do assert.not_equal("AFP", s.label) end
  end)
end)

describe("acronyms on short texts", function()
  it("reads the reverse order and marks a possessive mention without its 's", function()
    local spans, value = run("Officials at UNODC (United Nations Office on Drugs and Crime) spoke. " ..
      "UNODC’s report was clear.")
    assert.same({ UNODC = "United Nations Office on Drugs and Crime" }, value)
    assert.same({ "UNODC UNODC defines", "UNODC United Nations Office on Drugs and Crime long_form",
      "UNODC UNODC mention" }, listed(spans))
  end)

  it("lets a function word give a letter, and mixed-case short forms", function()
    local _, value = run("He works for the Department of Defense (DoD) now. The DoD declined to comment.")
    assert.same({ DoD = "Department of Defense" }, value)
  end)

  it("aligns inside hyphenated words, across '&' and for plurals", function()
    local _, value = run("Non-governmental organizations (NGOs) came. Research & Development (R&D) grew. " ..
      "The North Atlantic Treaty Organization (NATO) met.")
    assert.same({ NGOs = "Non-governmental organizations", ["R&D"] = "Research & Development",
      NATO = "North Atlantic Treaty Organization" }, value)
  end)

  it("marks mentions before the definition too, with the definition's long form", function()
    local spans = run("The UN met. The United Nations (UN) said so.")
    assert.same({ "UN UN mention", "UN United Nations long_form", "UN UN defines" }, listed(spans))
    assert.equal("United Nations", spans[1].attrs.long)
  end)

  it("rejects credits, domains, years, asides and letters that do not spell the words", function()
    local spans, value = run("The plane landed. (AFP) Data from the site (venezuelanalysis.com) and a " ..
      "study (2008) show it (he said). The most important assets (AFP) were moved. " ..
      "The Foreign Ministry (MFA) spoke. US forces (US) left.")
    assert.same({}, spans)
    assert.same({}, value)
  end)

  it("honours min_length", function()
    local text = "The United Nations (UN) and the European Central Bank (ECB) met."
    assert.same({ UN = "United Nations", ECB = "European Central Bank" }, select(2, run(text)))
    assert.same({ ECB = "European Central Bank" }, select(2, run(text, { min_length = 3 })))
  end)
end)
