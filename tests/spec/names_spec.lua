-- lector.names: the entities pass's name finder, configured from Lua with a
-- gazetteer and word lists, run over a Document.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"

local function gazetteer()
  local lex = lector.lexicon { fold = true }
  lex:load "president\tTITLE\njohn\tGIVEN\nministry\tORGHEAD\nrussia\tGPE\nrussia\tCOUNTRY\n"
  return lex
end

local function finder(extra)
  local config = { gazetteer = gazetteer(), priority = { "PERSON", "ORG", "GPE" },
    heads = { { "ORGHEAD", "ORG" } }, connectors = { "of", "the", "and" },
    place_prep = { "in", "at", "from" }, speaks = { "said" } }
  for k, v in pairs(extra or {}) do config[k] = v end
  return lector.names(config)
end

-- The mentions by text: {text = {label, key, canonical}}
local function by_text(list)
  local out = {}
  for _, m in ipairs(list) do out[m.text] = { m.label, m.key, m.canonical } end
  return out
end

describe("lector.names", function()
  it("finds names with their labels, keys and canonical names", function()
    local doc = assert(lector.doc "Talks were led by President Zuma in Kravia. Later Zuma said no.")
    local found = finder():find(doc)
    local t = by_text(found)
    assert.same({ "PERSON", "PERSON\0zuma", "Zuma" }, t["Zuma"])
    assert.same({ "GPE", "GPE\0kravia", "Kravia" }, t["Kravia"])
    for _, m in ipairs(found) do
      assert.equal(m.text, doc.text:sub(m.start + 1, m.stop))
    end
    assert.equal("lector.Names", tostring(finder()))
  end)

  it("finds nothing in a document without capitals", function()
    assert.same({}, finder():find(assert(lector.doc "nothing here at all.")))
  end)

  it("refuses misuse with the argument's position", function()
    local nf = finder()
    assert.has_error(function() nf:find("text") end,
      "bad argument #1 to 'find' (Document expected, got string)")
    local doc = assert(lector.doc "A Sentence Here.")
    assert.has_error(function() nf:find(doc:sentence(1)) end)
    assert.has_error(function() nf.find({}, doc) end)
    assert.has_error(function() lector.names() end,
      "bad argument #1 to 'names' (table expected, got no value)")
  end)

  it("refuses a bad configuration, naming the field", function()
    assert.has_error(function() lector.names { priority = {}, heads = {} } end,
      "bad argument #1 to 'names' (field 'gazetteer' must be a Lexicon)")
    assert.has_error(function() finder { speaks = { "said", 3 } } end,
      "bad argument #1 to 'names' (speaks[2] must be a word of 1 to 64 bytes without NUL)")
    assert.has_error(function() finder { speaks = { "" } } end,
      "bad argument #1 to 'names' (speaks[1] must be a word of 1 to 64 bytes without NUL)")
    assert.has_error(function() finder { speaks = "said" } end,
      "bad argument #1 to 'names' (field 'speaks' must be a list of strings)")
    assert.has_error(function() finder { spaeks = { "said" } } end,
      "bad argument #1 to 'names' (unknown field 'spaeks')")
    assert.has_error(function() finder { heads = { "ORGHEAD" } } end,
      "bad argument #1 to 'names' (heads[1] must be a pair {head, label})")
    assert.has_error(function() finder { priority = "PERSON" } end,
      "bad argument #1 to 'names' (field 'priority' must be a list)")
    local many = {}
    for i = 1, 70 do many[i] = "L" .. i end
    assert.has_error(function() finder { priority = many } end)
  end)

  it("gives a find's own mentions when a finalizer finds with the same finder inside it", function()
    local nf = finder()
    local parts, other = {}, {}
    for i = 1, 300 do parts[i] = "Met John Smith" .. i % 50 .. " and Alpha Beta in Gamma Delta." end
    for i = 1, 3000 do other[i] = "Zed Qua" .. string.char(97 + i % 26) .. " spoke." end
    local small, big = assert(lector.doc(table.concat(parts, " "))), assert(lector.doc(table.concat(other, " ")))
    local expected = nf:find(small)
    -- rounds of garbage until one of its finalizers has run inside the find
    local calls, inside = 0, false
    local mt = { __gc = function()
      if not inside then return end
      calls = calls + 1
      if calls < 3 then nf:find(big) end
    end }
    for _ = 1, 50 do
      for _ = 1, 2000 do setmetatable({}, mt) end
      inside = true
      local found = nf:find(small)
      inside = false
      assert.same(expected, found)
      if calls > 0 then break end
    end
    assert.is_true(calls > 0, "no finalizer ran inside the find")
  end)

  it("reads a hostile text in time linear in its length", function()
    -- each of these made a find read the text once per word: quadratic
    -- work in one C call (the suite's timeout stops a regression)
    local nf = finder()
    assert.same({}, nf:find(assert(lector.doc(("É"):rep(200000) .. "$ went home."))))
    local parts = {}
    for i = 1, 40000 do
      local w, k = {}, i
      repeat w[#w + 1] = string.char(97 + k % 26); k = k // 26 until k == 0
      parts[i] = "Q" .. table.concat(w) .. " went home."
    end
    local found = nf:find(assert(lector.doc(table.concat(parts, " "))))
    assert.is_true(#found > 30000)
    -- a word before "$" is a currency's, not a name, as before
    local money = nf:find(assert(lector.doc("Prices rose to US$ 5 in Kravia.")))
    for _, m in ipairs(money) do assert.not_equal("US", m.text) end
  end)

  it("keeps its gazetteer when the lexicon is closed", function()
    local nf
    do
      local lex <close> = gazetteer()
      nf = lector.names { gazetteer = lex, priority = { "GPE" }, heads = {} }
    end
    collectgarbage()
    local t = by_text(nf:find(assert(lector.doc "Officials met in Russia today.")))
    assert.same({ "GPE", "GPE\0russia", "Russia" }, t["Russia"])
  end)

  it("runs the entities plugin's rules on a real article", function()
    local dir = H.source_dir .. "/plugins/entities/"
    local names = dofile(dir .. "names.lua")
    names.set_loader(function(rel)
      local lex = lector.lexicon { fold = true }
      lex:load(H.read(dir .. rel), rel)
      return lex
    end)
    local doc = assert(lector.load(H.article))
    local t = by_text(names.find(doc, doc.text))
    assert.equal("PERSON", t["Maduro"][1])
    assert.equal("Nicolás Maduro", t["Maduro"][3])
    assert.equal("PRODUCT", t["USS Gerald R. Ford"][1])
    assert.equal("ORG", t["UNODC"][1])
  end)
end)
