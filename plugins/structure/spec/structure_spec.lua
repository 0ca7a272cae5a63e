-- Run with: lector plugin test plugins/structure (CTest: plugin/structure)
local lector = require "lector"

local ARTICLE = (os.getenv "LECTOR_FIXTURES" or "tests/fixtures") .. "/000_eec91c594e6a2ce7.txt"

-- Runs the pass through the real pipeline; returns the document's spans
-- (as plain tables) and its `structure` value.
local function analyze(doc, options)
  local report = assert(lector.run(doc, { "structure", options = { structure = options } }))
  assert.equal("ok", report.passes[1].status, report.passes[1].error)
  local spans = {}
  for s in doc:spans "structure" do
    spans[#spans + 1] = { label = s.label, text = s.text, attrs = s.attrs }
  end
  return spans, doc:get "structure"
end

local function run(text, options)
  return analyze(assert(lector.doc(text)), options)
end

local function texts(spans, label)
  local out = {}
  for _, s in ipairs(spans) do
    if s.label == label then out[#out + 1] = s.text end
  end
  return out
end

describe("structure on the Venezuelanalysis article", function()
  local spans, value
  setup(function()
    spans, value = analyze(assert(lector.load(ARTICLE)))
  end)

  it("finds the headline and the standfirst", function()
    assert.same({ "Russia Reiterates Support for Venezuela, Maduro Gov’t Requests Military Assistance" },
      texts(spans, "HEADLINE"))
    assert.equal(value.headline, texts(spans, "HEADLINE")[1])
    assert.same({ "Two Russian military cargo planes landed in Caracas in recent days as Venezuela faces escalating US threats." },
      texts(spans, "STANDFIRST"))
  end)

  it("takes the image label as alternative text and the credited line as the caption", function()
    assert.same({ "Venezuela Russia military support",
      "Russian-supplied Sukhoi Su-30 fighter jets are among the Venezuelan armed forces’ most important assets." },
      texts(spans, "CAPTION"))
    assert.same({ "AFP" }, texts(spans, "CREDIT"))
    assert.equal("AFP", value.credit)
    assert.equal("Venezuela Russia military support", value.alt)
    assert.matches("^Russian%-supplied Sukhoi .* assets%.$", value.caption)
  end)

  it("reads the dateline: place, date with its ISO form, source", function()
    assert.same({ "Caracas, November 3, 2025 (venezuelanalysis.com)" }, texts(spans, "DATELINE"))
    assert.same({ place = "Caracas", date = "November 3, 2025", iso = "2025-11-03",
      source = "venezuelanalysis.com" }, value.dateline)
  end)

  it("finds the editor and the place", function()
    assert.same({ "José Luis Granados Ceja" }, texts(spans, "EDITOR"))
    assert.same({ name = "José Luis Granados Ceja", place = "Mexico City, Mexico" }, value.editor)
  end)

  it("invents no byline", function()
    assert.same({}, texts(spans, "BYLINE"))
    assert.is_nil(value.byline)
  end)
end)

describe("structure on other layouts", function()
  it("reads a wire story: byline with agency, dateline with date, closing credits", function()
    local spans, value = run(table.concat({
      "Oil prices fall as demand slows",
      "By Jane Doe and John Roe, Reuters",
      "LONDON, Jan 5 (Reuters) - Oil prices fell on Monday as traders weighed weak demand.",
      "The market was quiet.",
      "Reporting by Jane Doe in London; Additional reporting by Ann Lee in Singapore; Editing by Mark Potter",
    }, "\n\n"))
    assert.same({ "Oil prices fall as demand slows" }, texts(spans, "HEADLINE"))
    assert.same({ "Jane Doe", "John Roe", "Jane Doe", "Ann Lee" }, texts(spans, "BYLINE"))
    assert.equal("Reuters", spans[2].attrs.org)
    assert.equal("Jane Doe and John Roe, Reuters", value.byline)
    assert.same({ "Jane Doe", "John Roe", "Ann Lee" }, value.authors)
    assert.same({ place = "LONDON", date = "Jan 5", source = "Reuters" }, value.dateline)
    assert.same({ name = "Mark Potter" }, value.editor)
    local roles = {}
    for _, s in ipairs(spans) do roles[#roles + 1] = s.attrs.role end
    assert.same({ "by", "by", "reporting", "additional reporting", "editing" }, roles)
    assert.is_nil(value.standfirst)
  end)

  it("reads a dateline without a date and credits in parentheses at the end", function()
    local spans, value = run("Senate passes budget bill\n\nWASHINGTON (Reuters) - The U.S. Senate " ..
      "passed the bill on Friday.\n\nIt now goes to the House. (Writing by Steve Holland; Editing by Alistair Bell)")
    assert.same({ "WASHINGTON (Reuters)" }, texts(spans, "DATELINE"))
    assert.same({ place = "WASHINGTON", source = "Reuters" }, value.dateline)
    assert.same({ "Steve Holland" }, texts(spans, "BYLINE"))
    assert.same({ "Alistair Bell" }, texts(spans, "EDITOR"))
  end)

  it("reads the CoNLL layout: headline, bare name, place and ISO date", function()
    local spans, value = run("EU rejects German call to boycott British lamb .\nPeter Blackburn\n" ..
      "BRUSSELS 1996-08-22\nThe European Commission said on Thursday it disagreed with German advice .")
    assert.equal("EU rejects German call to boycott British lamb .", value.headline)
    assert.same({ "Peter Blackburn" }, texts(spans, "BYLINE"))
    assert.same({ place = "BRUSSELS", date = "1996-08-22", iso = "1996-08-22" }, value.dateline)
  end)

  it("reads photo credits written with 'Photo:' and '(Photo by ...)'", function()
    local spans, value = run("Storm hits coast\n\nBy Maria Garcia\n\nA storm hit the coast on Tuesday." ..
      "\n\nRescuers worked through the night. Photo: Juan Barreto/AFP\n\nMore rain is expected.")
    assert.same({ "Maria Garcia" }, texts(spans, "BYLINE"))
    assert.same({ "Rescuers worked through the night." }, texts(spans, "CAPTION"))
    assert.equal("Juan Barreto/AFP", value.credit)

    spans, value = run("Firefighters battle blaze\n\nA firefighter works near the flames. " ..
      "(Photo by John Smith/Getty Images)\n\nCARACAS, Venezuela (AP) — Firefighters fought a blaze on Sunday.")
    assert.same({ "John Smith/Getty Images" }, texts(spans, "CREDIT"))
    assert.equal("A firefighter works near the flames.", value.caption)
    assert.same({ place = "CARACAS, Venezuela", source = "AP" }, value.dateline)
    assert.is_nil(value.standfirst)
  end)

  it("reads a day-month-year dateline and a byline on the last line", function()
    local _, value = run("Talks resume\n\nGENEVA, 3 November 2025 – Talks resumed on Monday.\n\n" ..
      "Both sides met.\n\nBy Ana Lopes")
    assert.same({ place = "GENEVA", date = "3 November 2025", iso = "2025-11-03" }, value.dateline)
    assert.equal("Ana Lopes", value.byline)
  end)

  it("honours max_headline_chars", function()
    local text = "Markets rally on hopes of a deal\n\nStocks rose on Monday."
    assert.equal("Markets rally on hopes of a deal", select(2, run(text)).headline)
    assert.is_nil(select(2, run(text, { max_headline_chars = 20 })).headline)
  end)
end)

describe("structure stays quiet", function()
  it("gives an article of plain paragraphs no headline, standfirst, caption or byline", function()
    local spans, value = run("The council met on Tuesday to discuss the budget. Members disagreed.\n\n" ..
      "The mayor said the plan would pass (he said it twice). Voting was set for 2008.\n\n" ..
      "By contrast, the opposition was quiet. Its leader spoke (AFP reported) on Monday.")
    assert.same({}, spans)
    assert.same({}, value)
  end)

  it("takes no headline from the first line of hard-wrapped text", function()
    local spans, value = run("The White House welcomed last\nmonth's 0.7 pct increase in the "
      .. "Index of Leading Economic\nIndicators.\n    The increase reversed a decline in January.")
    assert.same({}, texts(spans, "HEADLINE"))
    assert.is_nil(value.headline)
    -- a line that is a sentence of its own still is one
    spans = run("Markets Rally Again\nStocks rose sharply on Monday as traders\nbought banks.")
    assert.same({ "Markets Rally Again" }, texts(spans, "HEADLINE"))
  end)

  it("takes an agency's name alone on the last line as its sign-off", function()
    local spans, value = run("Cocoa arrivals rose in the week, the company said.\n\n" ..
      "Exports were steady.\n  Reuter\n")
    assert.same({ "Reuter" }, texts(spans, "CREDIT"))
    assert.is_true(spans[#spans].attrs.signoff)
    assert.equal("Reuter", value.signoff)
    assert.is_nil(value.credit)
    spans, value = run("Stocks rose on Monday.\n(AP)")
    assert.equal("AP", value.signoff)
    -- not a word that is no agency, nor an agency inside the last sentence
    for _, text in ipairs { "Stocks rose on Monday.\nThanks", "Stocks rose, said Reuters",
      "Reuters" } do
      spans, value = run(text)
      assert.is_nil(value.signoff, text)
    end
  end)

  it("gives a headline over plain paragraphs no standfirst and no caption", function()
    local spans, value = run("Markets rally\n\nStocks rose sharply on Monday. Traders were relieved.\n\n" ..
      "Bonds fell. Analysts expect more gains.\nMore on this later")
    assert.same({ "Markets rally" }, texts(spans, "HEADLINE"))
    assert.equal(1, #spans)
    assert.is_nil(value.standfirst)
    assert.is_nil(value.caption)
  end)

  it("takes no dateline from a capitalized name before a dash, nor a source without one", function()
    local _, value = run("Budget news\n\nTrump – the US president – spoke.\n\nMoscow (Tass) reported it.")
    assert.is_nil(value.dateline)
  end)
end)
