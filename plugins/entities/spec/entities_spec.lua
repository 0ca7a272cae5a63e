-- The entities pass on the sample article and on small texts written for
-- each rule, run through lector.run as `lector analyze` runs it.
local lector = require "lector"

local fixture = (os.getenv("LECTOR_FIXTURES") or "tests/fixtures") .. "/000_eec91c594e6a2ce7.txt"

local function run(doc)
  local report, err = lector.run(doc, { "entities" })
  assert(report, err)
  for _, pass in ipairs(report.passes) do
    assert(pass.status == "ok" or pass.status == "done", pass.error)
  end
  return doc
end

local function analyse(text)
  return run(assert(lector.doc(text)))
end

-- Mentions as a list and by text: by_text["Maduro"] = {span, span, ...}
local function mentions(doc)
  local list, by_text = {}, {}
  for span in doc:spans "entity" do
    list[#list + 1] = span
    by_text[span.text] = by_text[span.text] or {}
    table.insert(by_text[span.text], span)
  end
  return list, by_text
end

local function labels_of(by_text, text)
  local set = {}
  for _, s in ipairs(by_text[text] or {}) do set[s.label] = true end
  return set
end

describe("entities on the sample article", function()
  local doc, list, by_text
  setup(function()
    doc = run(assert(lector.load(fixture)))
    list, by_text = mentions(doc)
  end)

  it("finds every person and links later mentions to the full name", function()
    for _, name in ipairs { "Nicolás Maduro", "Dmitry Peskov", "Maria Zakharova", "Vladimir Putin",
      "Volker Türk", "Trump", "Hugo Chávez", "José Luis Granados Ceja" } do
      assert.is_true(labels_of(by_text, name).PERSON, name)
    end
    for _, s in ipairs(by_text["Maduro"]) do
      assert.equal("PERSON", s.label)
      assert.equal("Nicolás Maduro", s.attrs.canonical)
    end
    local full = by_text["Nicolás Maduro"][1]
    assert.equal(full.attrs.id, by_text["Maduro"][1].attrs.id)
    assert.equal(#by_text["Maduro"] + #by_text["Nicolás Maduro"], full.attrs.mentions)
    assert.equal("Dmitry Peskov", by_text["Peskov"][1].attrs.canonical)
    assert.equal("Maria Zakharova", by_text["Zakharova"][1].attrs.canonical)
    assert.equal("Vladimir Putin", by_text["Putin"][1].attrs.canonical)
  end)

  it("strips the possessive: Peskov’s is the mention Peskov", function()
    local s = by_text["Peskov"][1]
    assert.equal("Peskov", doc:slice(s.start, s.stop))
    assert.is_nil(by_text["Peskov’s"])
  end)

  it("reads USS Gerald R. Ford as a ship, not a person", function()
    assert.equal("PRODUCT", by_text["USS Gerald R. Ford"][1].label)
    for _, s in ipairs(list) do
      if s.text:find("Gerald", 1, true) then assert.are_not.equal("PERSON", s.label) end
    end
  end)

  it("finds the places, nationalities and organizations", function()
    for _, name in ipairs { "Venezuela", "Russia", "Caracas", "Moscow", "Washington", "US", "China",
      "Iran", "Ukraine", "Mexico City", "Saint Petersburg" } do
      assert.is_true(labels_of(by_text, name).GPE, name)
    end
    for _, name in ipairs { "Russian", "Venezuelan", "Chinese", "Iranian" } do
      assert.is_true(labels_of(by_text, name).NORP, name)
    end
    for _, name in ipairs { "United Nations", "UNODC", "DEA", "Rostec", "Conviasa", "Kremlin", "Tass",
      "CIA" } do
      assert.is_true(labels_of(by_text, name).ORG, name)
    end
    assert.equal("United Nations", by_text["UN"][1].attrs.canonical)
    assert.equal("United Nations Office on Drugs and Crime", by_text["UNODC"][1].attrs.canonical)
  end)

  it("never takes a sentence's ordinary first word for a name", function()
    for _, word in ipairs { "The", "Edited", "Foreign", "Military", "Concerning", "Reports" } do
      assert.is_nil(by_text[word], word)
    end
  end)

  it("normalizes dates, quantities and numbers", function()
    local date = by_text["November 3, 2025"][1]
    assert.equal("DATE", date.label)
    assert.equal("2025-11-03", date.attrs.value)
    assert.equal("QUANTITY", by_text["50 tons"][1].label)
    assert.equal("CARDINAL", by_text["16"][1].label)
    assert.equal(16, by_text["16"][1].attrs.value)
  end)

  it("lists the entities in order of first mention, with aliases", function()
    local entities = doc:get "entities"
    assert.is_table(entities)
    local maduro
    for i, e in ipairs(entities) do
      assert.equal("E" .. e.id:sub(2), e.id)
      if i > 1 then assert.is_true(tonumber(e.id:sub(2)) > tonumber(entities[i - 1].id:sub(2))) end
      if e.name == "Nicolás Maduro" then maduro = e end
    end
    assert.is_table(maduro)
    assert.equal("PERSON", maduro.label)
    assert.is_true(maduro.mentions >= 5)
    local aliases = {}
    for _, a in ipairs(maduro.aliases) do aliases[a] = true end
    assert.is_true(aliases.Maduro)
  end)

  it("gives each entity exactly id, label, name, mentions and aliases, each alias once", function()
    local by_id = {}
    for _, e in ipairs(doc:get "entities") do
      local keys = {}
      for k in pairs(e) do keys[#keys + 1] = k end
      table.sort(keys)
      assert.same({ "aliases", "id", "label", "mentions", "name" }, keys)
      local seen = {}
      for _, a in ipairs(e.aliases) do
        assert.is_nil(seen[a], a)
        assert.are_not.equal(e.name, a)
        seen[a] = true
      end
      by_id[e.id] = e
    end
    -- the mentions counted are the spans of the entity
    local spans = {}
    for _, s in ipairs(list) do spans[s.attrs.id] = (spans[s.attrs.id] or 0) + 1 end
    for id, e in pairs(by_id) do assert.equal(spans[id], e.mentions, e.name) end
  end)
end)

describe("entities rules", function()
  it("reads a title before a name as a person", function()
    local _, by_text = mentions(analyse("The talks were led by President Ramaphosa and Gen. Mark Milley."))
    assert.equal("PERSON", by_text["Ramaphosa"][1].label)
    assert.equal("PERSON", by_text["Mark Milley"][1].label)
  end)

  it("labels organizations by their heads and places after prepositions", function()
    local _, by_text = mentions(analyse(
      "Shares of Zorvex Industries fell after the Ministry of Finance spoke in Qaraghandy."))
    assert.equal("ORG", by_text["Zorvex Industries"][1].label)
    assert.equal("ORG", by_text["Ministry of Finance"][1].label)
    assert.equal("GPE", by_text["Qaraghandy"][1].label)
  end)

  it("reads the short names of a company named in full as that company", function()
    local doc = analyse("Zorvex Holdings Corp said on Monday it would sell Zorvex Kemet. "
      .. "Zorvex said the sale of Brantwell Mining Ltd would close soon. Brantwell Mining "
      .. "shares rose. American Motors Corp cut prices, American officials said.")
    local _, by_text = mentions(doc)
    assert.equal("ORG", by_text["Zorvex Holdings Corp"][1].label)
    for _, short in ipairs { "Zorvex", "Brantwell Mining", "Zorvex Kemet" } do
      assert.equal("ORG", by_text[short][1].label, short)
    end
    -- linked: one entity for the company and its short names
    local company = by_text["Zorvex Holdings Corp"][1].attrs.id
    for _, span in ipairs(by_text["Zorvex"]) do assert.equal(company, span.attrs.id) end
    assert.equal(by_text["Brantwell Mining Ltd"][1].attrs.id, by_text["Brantwell Mining"][1].attrs.id)
    -- a first word the gazetteers know keeps its own label
    assert.equal("NORP", by_text["American"][1].label)
  end)

  it("reads an unknown name after 'said' at a clause's end as a person", function()
    local _, by_text = mentions(analyse("\"I did not hit it well,\" said Henke. "
      .. "He said Zorvex was wrong, and officials told Brantwell on Monday."))
    assert.equal("PERSON", by_text["Henke"][1].label)
    assert.equal("ORG", by_text["Zorvex"][1].label)       -- a clause goes on after it
    assert.equal("ORG", by_text["Brantwell"][1].label)    -- "told" names whom it addresses
  end)

  it("keeps each of those rules to its own case", function()
    local _, by_text = mentions(analyse("Dubai Holdings sold its stake. Prices in Dubai fell. "
      .. "In Kenya, Safaricom shares rose. He took vitamin C. China said it would respond. "
      .. "Target said quarterly sales fell."))
    -- a company's short name does not take over a known place
    for _, span in ipairs(by_text["Dubai"]) do assert.equal("GPE", span.label) end
    -- a comma after a place that opens its clause is no list
    assert.not_equal("GPE", by_text["Safaricom"][1].label)
    -- after a letter and a full stop, a country keeps its label
    assert.equal("GPE", by_text["China"][1].label)
    -- a word news writes in lower case, before a speech verb, is a name
    assert.is_table(by_text["Target"])
  end)

  it("reads an unknown name listed with places as a place", function()
    local _, by_text = mentions(analyse("Exports rose to Canada, Qaraghandy and Ghana. "
      .. "Zorvex and Brantwell signed a deal."))
    assert.equal("GPE", by_text["Qaraghandy"][1].label)
    assert.equal("GPE", by_text["Ghana"][1].label)
    -- listed with each other only, unknown names keep the label they get by default
    assert.equal("ORG", by_text["Zorvex"][1].label)
    assert.equal("ORG", by_text["Brantwell"][1].label)
  end)

  it("keeps countries apart when joined by and", function()
    local _, by_text = mentions(analyse("Officials from Brazil and Argentina met in Montevideo."))
    assert.equal("GPE", by_text["Brazil"][1].label)
    assert.equal("GPE", by_text["Argentina"][1].label)
    assert.is_nil(by_text["Brazil and Argentina"])
  end)

  it("reads a line in title case as a headline only at the top of the document", function()
    local doc = analyse("Skiers Race Down Icy Slopes In Cortina\n\nCORTINA 1996-12-20\n\n"
      .. "Results of the women's downhill on Friday:\n\n1. Katja Seizinger ( Germany ) 1:17.50\n\n"
      .. "5. Isolde Kostner ( Italy ) 1:18.19\n\n6. Minna Karhu ( Finland ) 1:18.40")
    local _, by_text = mentions(doc)
    -- the headline: only what the gazetteers know
    assert.is_nil(by_text["Skiers Race Down Icy Slopes"])
    assert.is_nil(by_text["Icy Slopes"])
    -- the lines of results further down are read as any sentence
    for _, name in ipairs { "Katja Seizinger", "Isolde Kostner", "Minna Karhu" } do
      assert.equal("PERSON", by_text[name][1].label, name)
    end
    assert.equal("GPE", by_text["Finland"][1].label)
  end)

  it("trusts only gazetteers and known names in a headline in capitals", function()
    local _, by_text = mentions(analyse("SOCCER - JAPAN GET LUCKY WIN , CHINA IN SURPRISE DEFEAT .\n\n"
      .. "Japan beat Syria in the Asian Cup on Friday."))
    assert.equal("GPE", by_text["JAPAN"][1].label)
    assert.equal("GPE", by_text["CHINA"][1].label)
    assert.is_nil(by_text["LUCKY WIN"])
    assert.is_nil(by_text["SURPRISE DEFEAT"])
    assert.is_nil(by_text["SOCCER"])
  end)
end)

describe("entities in sports reports", function()
  it("reads a city as a club in a sports report, but not a country or a dateline", function()
    local doc = analyse("RUGBY LEAGUE - SYDNEY STAY TOP\n\nSYDNEY 1996-08-22\n\n"
      .. "Sydney lost to Brisbane on Sunday but stayed top. Coach Omar Haddad said Sydney "
      .. "would recover before Australia meet France.")
    local list, by_text = mentions(doc)
    local dateline = doc.text:find("SYDNEY 1996", 1, true) - 1
    local labels = {}
    for _, span in ipairs(list) do
      if span.text == "SYDNEY" then
        labels[span.start == dateline and "dateline" or "headline"] = span.label
      end
    end
    assert.equal("GPE", labels.dateline)
    assert.equal("ORG", labels.headline)
    for _, s in ipairs(by_text["Sydney"]) do assert.equal("ORG", s.label) end
    assert.equal("ORG", by_text["Brisbane"][1].label)
    assert.equal("PERSON", by_text["Omar Haddad"][1].label)
    assert.equal("GPE", by_text["Australia"][1].label)
    assert.equal("GPE", by_text["France"][1].label)
  end)

  it("reads clubs from results and from the words around them in any text", function()
    local _, by_text = mentions(analyse("Madrid 2 Lisbon 1\n\nBrazil 3 Norway 0"))
    assert.equal("ORG", by_text["Madrid"][1].label)
    assert.equal("ORG", by_text["Lisbon"][1].label)
    assert.equal("GPE", by_text["Brazil"][1].label)
    assert.equal("GPE", by_text["Norway"][1].label)
    local _, beat = mentions(analyse(
      "Bristol beat Cardiff 2-0 on Saturday in front of 12,000 fans in Bristol."))
    assert.equal("ORG", beat["Bristol"][1].label)
    assert.equal("ORG", beat["Cardiff"][1].label)
    assert.equal("GPE", beat["Bristol"][2].label)    -- "in Bristol" is the place
    local _, pact = mentions(analyse("Lisbon and Madrid signed a trade pact on Monday."))
    assert.equal("GPE", pact["Lisbon"][1].label)
    assert.equal("GPE", pact["Madrid"][1].label)
    local _, lost = mentions(analyse("Cardiff lost to Bristol at home."))
    assert.equal("ORG", lost["Bristol"][1].label)
  end)

  it("keeps a city a place after words governments share with clubs", function()
    -- "with", "against", "won", "faces", "hosts" mark a club only in a sports report
    local _, by_text = mentions(analyse("Moscow remains in close contact with Caracas. Caracas "
      .. "also requested drones. Sanctions against Minsk grew, and Kyiv won support while "
      .. "Warsaw hosts the summit."))
    for _, city in ipairs { "Moscow", "Caracas", "Minsk", "Kyiv", "Warsaw" } do
      for _, span in ipairs(by_text[city]) do assert.equal("GPE", span.label, city) end
    end
    assert.equal(2, #by_text["Caracas"])
  end)

  it("names competitions as events", function()
    local _, by_text = mentions(analyse("The Premier League and the US Open start soon."))
    assert.equal("EVENT", by_text["Premier League"][1].label)
    assert.equal("EVENT", by_text["US Open"][1].label)
  end)
end)

describe("entities name boundaries", function()
  it("takes no lone capital letter, currency prefix or stray connector for a name", function()
    local doc = analyse("I think the grade C results were fine, said Omar Haddad. "
      .. "Brascan sold C$ 100 million of bonds. Talks in the West Bank on Thursday ended.")
    local _, by_text = mentions(doc)
    for _, word in ipairs { "I", "C", "on", "West Bank on Thursday" } do
      assert.is_nil(by_text[word], word)
    end
    assert.equal("MONEY", by_text["C$ 100 million"][1].label)
    assert.equal("GPE", by_text["West Bank"][1].label)
  end)

  it("takes the word after an initial for a surname, even a place's name", function()
    local _, by_text = mentions(analyse("The score was close. West Indies made 296 with "
      .. "B. Lara scoring 63 and J. Russell 45."))
    assert.equal("PERSON", by_text["B. Lara"][1].label)
    assert.equal("PERSON", by_text["J. Russell"][1].label)
    assert.is_nil(by_text["Lara"])
  end)

  it("takes no month range or pronoun for a name", function()
    local _, by_text = mentions(analyse("Sales rose 5 pct in Jan-April and in March-May. "
      .. "\"My plan is simple,\" Haddad said."))
    for _, range in ipairs { "Jan-April", "March-May" } do
      for _, span in ipairs(by_text[range] or {}) do assert.equal("DATE", span.label, range) end
    end
    assert.is_nil(by_text["My"])
    assert.equal("PERSON", by_text["Haddad"][1].label)
  end)

  it("keeps two particles in a row inside a name", function()
    local _, by_text = mentions(analyse("Ursula von der Leyen met Edwin van der Sar and "
      .. "Maria de la Cruz in Brussels."))
    for _, name in ipairs { "Ursula von der Leyen", "Edwin van der Sar", "Maria de la Cruz" } do
      assert.equal("PERSON", by_text[name][1].label, name)
    end
    assert.is_nil(by_text["Leyen"])
    assert.is_nil(by_text["Sar"])
  end)

  it("drops a word news writes in lower case where it opens a sentence, unless it is a name", function()
    local _, by_text = mentions(analyse("Approval of the plan fell sharply. Acceptance was slow. "
      .. "Bird said the deal was done. Analysts told Bird it was late."))
    assert.is_nil(by_text["Approval"])
    assert.is_nil(by_text["Acceptance"])
    -- "Bird" is such a word too, but the text writes it capitalized inside a sentence
    assert.equal(2, #by_text["Bird"])
  end)

  it("keeps a name that opens with a common word or looks like a verb form", function()
    local _, by_text = mentions(analyse("New Zealand won the toss. Lebed met officials on "
      .. "Monday. Officials said Lebed would return. Inzamam-ul-Haq scored 40."))
    assert.equal("GPE", by_text["New Zealand"][1].label)
    assert.is_nil(by_text["Zealand"])
    assert.equal(2, #by_text["Lebed"])
    assert.is_table(by_text["Inzamam-ul-Haq"])
  end)

  it("finds numeric expressions only where they start", function()
    local _, by_text = mentions(analyse("Sales rose 5 pct last year to a record 3.5 mln dlrs; "
      .. "a week ago the firm said the first quarter was weak, and this company may report on "
      .. "March 3. Profit fell in the next three years."))
    assert.equal("PERCENT", by_text["5 pct"][1].label)
    assert.equal("DATE", by_text["last year"][1].label)
    assert.equal(3500000, by_text["3.5 mln dlrs"][1].attrs.value)
    assert.equal("DATE", by_text["a week ago"][1].label)
    assert.equal("DATE", by_text["March 3"][1].label)
    assert.equal("DATE", by_text["next three years"][1].label)
    for _, text in ipairs { "a record", "first", "this company", "may" } do
      assert.is_nil(by_text[text], text)
    end
  end)
end)

describe("entities on bad input", function()
  it("handles an empty text and text without names", function()
    -- lector refuses an empty document before any pass; a document of
    -- punctuation alone reaches the pass and gives nothing
    assert.is_nil((lector.doc ""))
    assert.equal(0, #mentions(analyse("… — !")))
    local doc = analyse("nothing here is a name, not even one word.")
    for span in doc:spans "entity" do assert.equal("CARDINAL", span.label) end
  end)

  it("handles ten thousand capitalized words in linear time", function()
    local words = {}
    for i = 1, 10000 do words[i] = (i % 7 == 0) and "Venezuela" or ("Word" .. (i % 97)) end
    local started = os.clock()
    local doc = analyse(table.concat(words, " "))
    local seconds = os.clock() - started
    local list = mentions(doc)
    assert.is_true(#list > 0)
    for _, s in ipairs(list) do assert.is_true(s.stop > s.start) end
    assert.is_true(seconds < 5, "took " .. seconds .. " s")
  end)

  it("finds numbers in texts built to slow a search down in linear time", function()
    -- each made a try of P.any or the search for its starts read on to the
    -- end of the text at every place: seconds for these, minutes for a megabyte
    for _, unit in ipairs { "1-", "may ", "a.", "_%" } do
      local started = os.clock()
      local doc = analyse(unit:rep(20000))
      local seconds = os.clock() - started
      local list = mentions(doc)
      assert.equal(unit == "1-" and 20000 or 0, #list, unit)
      assert.is_true(seconds < 5, unit .. " took " .. seconds .. " s")
    end
  end)

  it("handles text in capitals and text in other scripts", function()
    local doc = analyse("MOSCOW AND WASHINGTON TRADE WORDS OVER VENEZUELA\n\n"
      .. "Москва заявила, что Россия поддерживает Венесуэлу. 東京で会議が開かれた。")
    local _, by_text = mentions(doc)
    assert.equal("GPE", by_text["MOSCOW"][1].label)
    assert.equal("GPE", by_text["VENEZUELA"][1].label)
    for span in doc:spans "entity" do
      assert.is_true(utf8.len(span.text) ~= nil)
    end
  end)
end)
