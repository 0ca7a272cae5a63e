-- The quotes pass inside the plugin sandbox, under its instruction budget and
-- memory limit: on the sample article and on texts made of quotation marks.
local lector = require "lector"
local core = require "lector.core"
local source = debug.getinfo(1, "S").source:sub(2)
local S = dofile(source:match "^(.*)/[^/]*$" .. "/support.lua")

local OPTIONS = { indirect = true, unattributed = true }

-- `read` lets the pass read its word lists until ctx.lexicon reaches the sandbox.
local function sandbox()
  return assert(core.sandbox { name = "quotes", file = S.dir .. "/plugin.lua",
    permissions = { read = true }, exact_count = true })
end

local function count(doc)
  local n = 0
  for _ in doc:spans "quote" do n = n + 1 end
  return n
end

-- Instructions the pass spends on a text.
local function cost(state, text)
  local doc = assert(lector.doc(text))
  local ok, err = state:run(doc, OPTIONS, {})
  assert(ok, err)
  return state:stats().instructions, doc
end

describe("quotes in the sandbox", function()
  local state = sandbox()

  it("gives Peskov his quotation on the sample article", function()
    local doc = assert(lector.load(S.article))
    S.entities(doc, S.ARTICLE_ENTITIES)
    assert(state:run(doc, OPTIONS, {}))
    local found
    for span in doc:spans "quote" do
      if span.text:find("^We want everything") then found = span end
    end
    assert.equal("direct", found.label)
    assert.equal("Dmitry Peskov", found.attrs.speaker)
    assert.equal("E1", found.attrs.speaker_id)
    assert.equal("Maria Zakharova", doc:get("quotes")[1].speaker)
    local direct = 0
    for span in doc:spans "quote" do
      if span.label == "direct" and not (span.attrs.part and span.attrs.part > 1) then direct = direct + 1 end
    end
    assert.equal(7, direct)
    assert.same({}, state:logs())   -- a bundled pass is quiet
  end)

  it("survives 100,000 opening marks, linearly, and pairs none of them", function()
    local small = cost(state, string.rep("“", 10000))
    local big, doc = cost(state, string.rep("“", 100000))
    assert.equal(0, count(doc))
    assert.is_true(big < small * 15, ("%d instructions for 10x %d"):format(big, small))
  end)

  it("pairs 20,000 short quotations, each in constant work", function()
    local small, doc1 = cost(state, string.rep("“a” ", 2000))
    local big, doc2 = cost(state, string.rep("“a” ", 20000))
    assert.equal(2000, count(doc1))
    assert.equal(20000, count(doc2))
    assert.is_true(big < small * 15, ("%d instructions for 10x %d"):format(big, small))
  end)

  it("survives 100,000 straight quotes and 10,000 stray marks, one per paragraph", function()
    local _, doc = cost(state, string.rep('"', 100000))
    assert.equal(0, count(doc))
    -- every paragraph opens with a mark: one quotation running over all of them
    _, doc = cost(state, string.rep("“a\n\n", 10000))
    assert.equal(10000, count(doc))
    for span in doc:spans "quote" do
      assert.equal("a", span.text)
      assert.is_true(span.attrs.unclosed)
    end
  end)

  it("keeps attribution linear on many attributed quotations in one paragraph", function()
    local small, doc1 = cost(state, string.rep('"a," Peskov said. ', 2000))
    local big = cost(state, string.rep('"a," Peskov said. ', 20000))
    assert.equal(2000, count(doc1))
    assert.is_true(big < small * 15, ("%d instructions for 10x %d"):format(big, small))
  end)
end)
