-- doc:add_entities: mentions linked into entities by key, written as a span
-- layer and a document value, checked before anything is added.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"

-- What add_entities writes, made with doc:add and doc:set: the meaning it
-- must keep.
local function reference(doc, mentions, unlisted)
  local entities, by_key = {}, {}
  for _, m in ipairs(mentions) do
    local surface = m.text or doc.text:sub(m.start + 1, m.stop)
    local key = m.key or (m.label .. "\0" .. surface)
    local e = by_key[key]
    if not e then
      e = { id = "E" .. (#entities + 1), label = m.label, name = m.canonical or surface,
        mentions = 0, aliases = lector.json.array(), seen = {} }
      entities[#entities + 1] = e
      by_key[key] = e
    end
    e.mentions = e.mentions + 1
    if surface ~= e.name and not e.seen[surface] then
      e.seen[surface] = true
      e.aliases[#e.aliases + 1] = surface
    end
    m.entity = e
  end
  for _, m in ipairs(mentions) do
    local attrs = {}
    for k, v in pairs(m.attrs or {}) do attrs[k] = v end
    attrs.canonical, attrs.id, attrs.mentions = m.entity.name, m.entity.id, m.entity.mentions
    doc:add("entity", { start = m.start, stop = m.stop, label = m.label, attrs = attrs })
    m.entity = nil
  end
  local list = lector.json.array()
  for _, e in ipairs(entities) do
    e.seen = nil
    if not (unlisted and unlisted[e.label]) then list[#list + 1] = e end
  end
  doc:set("entities", list)
  return #entities
end

-- Mentions of the test article: each capitalized word, keyed by its last
-- four letters (so that different words link), every third one with
-- attrs, every fifth with a canonical name, numbers as CARDINAL.
local function article_mentions(doc)
  local mentions = {}
  local text = doc.text
  for s, word, e in text:gmatch "()(%u[%a’]+)()" do
    local i = #mentions + 1
    mentions[i] = { start = s - 1, stop = e - 1, label = i % 2 == 0 and "PERSON" or "ORG",
      key = word:sub(-4):lower(), text = i % 4 == 0 and word or nil,
      canonical = i % 5 == 0 and (word .. " Jr") or nil,
      attrs = i % 3 == 0 and { value = i / 4, unit = "u" .. i, n = i, flag = i % 2 == 0 } or nil }
  end
  for s, digits, e in text:gmatch "()(%d+)()" do
    mentions[#mentions + 1] = { start = s - 1, stop = e - 1, label = "CARDINAL",
      attrs = { value = tonumber(digits) } }
  end
  return mentions
end

describe("doc:add_entities", function()
  it("links the article's mentions as doc:add and doc:set would", function()
    local a, b = assert(lector.load(H.article)), assert(lector.load(H.article))
    local mentions = article_mentions(a)
    assert.is_true(#mentions > 200)
    local count = reference(a, mentions, { CARDINAL = true })
    assert.equal(count, b:add_entities(mentions, { unlisted = { "CARDINAL" } }))
    assert.equal(a:json(), b:json())
    local listed = b:get("entities")
    assert.is_true(#listed > 10 and #listed < count)
    for _, e in ipairs(listed) do assert.not_equal("CARDINAL", e.label) end
  end)

  it("names the layer and the value, and lists every label by default", function()
    local doc = assert(lector.doc("Dmitry Peskov said Peskov would call PESKOV."))
    local n = doc:add_entities({
      { start = 0, stop = 13, label = "PERSON", key = "peskov" },
      { start = 19, stop = 25, label = "PERSON", key = "peskov" },
      { start = 37, stop = 43, label = "PERSON", key = "peskov", attrs = { loud = true } },
    }, { layer = "people", value = "who" })
    assert.equal(1, n)
    assert.same({ { id = "E1", label = "PERSON", name = "Dmitry Peskov", mentions = 3,
      aliases = { "Peskov", "PESKOV" } } }, doc:get("who"))
    local spans = {}
    for span in doc:spans "people" do spans[#spans + 1] = span.attrs end
    assert.same({ canonical = "Dmitry Peskov", id = "E1", mentions = 3, loud = true }, spans[3])
    assert.is_nil(doc:get("entities"))
  end)

  it("writes an empty list for no mention, and adds no layer", function()
    local doc = assert(lector.doc("Nothing here."))
    assert.equal(0, doc:add_entities({}))
    assert.matches('"values":{"entities":%[%]}', doc:json())
    assert.same({}, doc:layers())
  end)

  it("takes names and attrs longer than its buffers on the C stack", function()
    local a, b = assert(lector.load(H.article)), assert(lector.load(H.article))
    local long = string.rep("Nicolás \"Maduro\"\n", 3000)
    local mentions = {}
    for i = 1, 40 do
      mentions[i] = { start = i, stop = i + 1, label = "PERSON", key = "k" .. i % 3,
        canonical = long .. i, attrs = { note = long } }
    end
    reference(a, mentions)
    b:add_entities(mentions)
    assert.equal(a:json(), b:json())
  end)

  it("refuses attributes or a value over 64 MiB as JSON, and adds no value", function()
    local doc = assert(lector.doc("Caracas and Moscow."))
    -- each control byte takes six as JSON: 12 MB of them are 72 MB
    local huge = string.rep("\1", 12 * 1024 * 1024)
    assert.error_matches(function()
      doc:add_entities({ { start = 0, stop = 7, label = "GPE", canonical = huge } })
    end, "the entities' JSON is over 67108864 bytes")
    assert.is_nil(doc:get("entities"))
  end)

  it("checks every mention before it adds any", function()
    local doc = assert(lector.doc("Caracas and Moscow."))
    local good = { start = 0, stop = 7, label = "GPE" }
    local cases = {
      { { good, { start = 12, stop = 40, label = "GPE" } },
        "bad argument #1 to 'add_entities' %(mentions%[2%]%.stop must be a byte offset in the text %(0%.%.19%)" },
      { { good, { start = 12, stop = 18 } }, "mentions%[2%]%.label must be a string" },
      { { good, { start = 12, stop = 18, label = "GPE", text = "\255" } },
        "mentions%[2%]%.text is not valid UTF%-8" },
      { { good, { start = 12, stop = 18, label = "GPE", attrs = { id = "x" } } },
        "other than canonical, id and mentions" },
      { { good, { start = 12, stop = 18, label = "GPE", attrs = { v = {} } } },
        "mentions%[2%]%.attrs%.v must be a string, a finite number or a boolean" },
      { { good, { start = 12, stop = 18, label = "GPE", attrs = { v = 0 / 0 } } },
        "must be a string, a finite number or a boolean" },
      { { good, { start = 12, stop = 10, label = "GPE" } }, "mentions%[2%]%.stop is before its start" },
      { { good, "Moscow" }, "mentions%[2%] must be a table" },
    }
    for _, case in ipairs(cases) do
      assert.error_matches(function() doc:add_entities(case[1]) end, case[2])
    end
    assert.error_matches(function() doc:add_entities({ good }, { layer = "no good" }) end,
      "bad argument #2 to 'add_entities' %(field 'layer' must be")
    assert.error_matches(function() doc:add_entities({ good }, { unlisted = { 1 } }) end,
      "field 'unlisted' must be a list of labels")
    assert.error_matches(function() doc:add_entities("Caracas") end, "bad argument #1")
    assert.same({}, doc:layers())
    assert.is_nil(doc:get("entities"))
  end)
end)
