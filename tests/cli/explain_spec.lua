-- `lector explain sentiment TEXT`, and the sentiment section of `lector
-- analyze`. The bundled plugin runs from a project copy with a small
-- lexicon written here.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local json = require("lector").json

local EXIT_USAGE = 2

local LEXICON = "good\tvalence\t2\nterrible\tvalence\t-3\nvery\tbooster\t0.3\nnot\tnegation\t0\n"
  .. "condemned\tvalence\t-2.4\npraised\tvalence\t2.6\n"

local function project()
  local dir = H.tmpdir()
  os.execute("mkdir -p " .. H.quote(dir .. "/plugins") .. " && cp -r "
    .. H.quote(H.source_dir .. "/plugins/sentiment") .. " " .. H.quote(dir .. "/plugins/"))
  os.execute("mkdir -p " .. H.quote(dir .. "/plugins/sentiment/data"))
  H.write(dir .. "/plugins/sentiment/data/lexicon.tsv", LEXICON)
  return dir
end

describe("lector explain sentiment", function()
  it("lists each word's contribution and each rule that fired", function()
    local r = H.lector({ "explain", "sentiment", "The food was not very good,", "but the service was TERRIBLE!" },
      { cwd = project() })
    assert.are.equal(0, r.code, r.err)
    assert.matches("sentence 1: The food was not very good, but the service was TERRIBLE!", r.out, 1, true)
    local good = r.out:match "\n  good[^\n]*"
    assert.matches("%+2%.00", good)
    assert.matches("booster 'very' %+0%.30; negated by 'not'", good)
    assert.matches("before 'but'", good)
    assert.matches("TERRIBLE%s+%-3%.00%s+%-[%d.]+%s+capitals", r.out)
    assert.matches("exclamation ×1", r.out)
    assert.matches("compound = tanh", r.out)
    assert.matches("document: compound %-", r.out)
  end)

  it("reads standard input and writes JSON", function()
    local r = H.lector({ "explain", "sentiment", "-f", "json", "-" },
      { cwd = project(), stdin = "It was good. It was not good." })
    assert.are.equal(0, r.code, r.err)
    local out = json.decode(r.out)
    assert.are.equal(2, #out.sentences)
    local w = out.sentences[2].explain.words
    assert.are.equal("not", w[1].text)
    assert.are.equal("good", w[2].text)
    assert.is_true(w[2].after_rules < 0)
    assert.is_true(out.sentiment.compound < out.sentences[1].explain.compound)
  end)

  it("refuses a missing text or an unknown score", function()
    local dir = project()
    local r = H.lector({ "explain", "sentiment" }, { cwd = dir })
    assert.are.equal(EXIT_USAGE, r.code)
    assert.matches("no text given", r.err)
    r = H.lector({ "explain", "summary", "x" }, { cwd = dir })
    assert.are.equal(EXIT_USAGE, r.code)
    assert.matches("unknown score 'summary'", r.err)
    r = H.lector { "help", "explain" }
    assert.are.equal(0, r.code)
    assert.matches("Usage: lector explain sentiment", r.out)
    assert.matches("explain sentiment TEXT", H.lector({ "--help" }).out)
  end)
end)

describe("lector analyze with the sentiment pass", function()
  it("shows the document's tone, its extreme sentences and the entity table", function()
    local dir = project()
    H.write(dir .. "/a.txt", "Paris praised the plan. London condemned it.\n\nParis was very good.\n")
    os.execute("mkdir -p " .. H.quote(dir .. "/plugins/names"))
    H.write(dir .. "/plugins/names/plugin.lua", [[
return { name = "names", version = "1.0.0", kind = "extract", run = function(doc)
  for _, name in ipairs { "Paris", "London" } do
    local at = 1
    while true do
      local a, b = doc.text:find(name, at, true)
      if not a then break end
      doc:add("entity", { start = a - 1, stop = b, label = "GPE", attrs = { canonical = name, id = name } })
      at = b + 1
    end
  end
end }
]])
    local r = H.lector({ "analyze", "--no-store", "-p", "names,sentiment", "a.txt" }, { cwd = dir })
    assert.are.equal(0, r.code, r.err)
    assert.matches("sentiment: %+0%.%d+", r.out)
    assert.matches("sentences: 2 positive, 1 negative, 0 neutral", r.out)
    -- "praised" (2.6) outweighs "very good" (2 + 0.3)
    assert.matches("most positive:\n%s+%+[%d.]+%s+1%s+«Paris praised the plan%.»\n%s+%+[%d.]+%s+3%s+«Paris was very good%.»", r.out)
    assert.matches("most negative:\n%s+%-[%d.]+%s+2%s+«London condemned it%.»", r.out)
    assert.matches("Paris%s+GPE%s+%+[%d.]+%s+2%s+2%s+2/0/0", r.out)
    assert.matches("London%s+GPE%s+%-[%d.]+%s+1%s+1%s+0/1/0", r.out)
    -- the value is not printed again as raw JSON
    assert.not_matches('"sentiment"', r.out)
    r = H.lector({ "analyze", "--no-store", "-p", "sentiment", "-f", "json", "a.txt" }, { cwd = dir })
    local doc = json.decode(r.out)
    assert.is_number(doc.values.sentiment.compound)
    assert.are.equal(3, #doc.spans.sentiment)
  end)
end)
