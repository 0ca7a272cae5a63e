-- `lector eval sentiment`: scoring the sentiment pass against human ratings.
-- The bundled plugin runs from a project copy with a small lexicon written
-- here, so the predictions are known.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local json = require("lector").json

local EXIT_INPUT, EXIT_USAGE = 3, 2
local K = dofile(H.source_dir .. "/plugins/sentiment/lib/rules.lua").K

local LEXICON = "good\tvalence\t2\ngreat\tvalence\t3\nbad\tvalence\t-2\nawful\tvalence\t-3\n"
  .. "not\tnegation\t0\n"

local function project()
  local dir = H.tmpdir()
  os.execute("mkdir -p " .. H.quote(dir .. "/plugins") .. " && cp -r "
    .. H.quote(H.source_dir .. "/plugins/sentiment") .. " " .. H.quote(dir .. "/plugins/"))
  os.execute("mkdir -p " .. H.quote(dir .. "/plugins/sentiment/data"))
  H.write(dir .. "/plugins/sentiment/data/lexicon.tsv", LEXICON)
  return dir
end

local function record(id, text, score)
  return json.encode { id = id, text = text, score = score }
end

local function eval(dir, lines, args)
  H.write(dir .. "/data.jsonl", table.concat(lines, "\n") .. "\n")
  local argv = { "eval", "sentiment", "--data", "data.jsonl" }
  for _, a in ipairs(args or { "--scale", "-4:4" }) do argv[#argv + 1] = a end
  return H.lector(argv, { cwd = dir })
end

local function tanh(x) return (math.exp(2 * x) - 1) / (math.exp(2 * x) + 1) end

local function pearson(x, y)
  local n, mx, my = #x, 0, 0
  for i = 1, n do mx, my = mx + x[i] / n, my + y[i] / n end
  local sxy, sxx, syy = 0, 0, 0
  for i = 1, n do
    sxy = sxy + (x[i] - mx) * (y[i] - my)
    sxx, syy = sxx + (x[i] - mx) ^ 2, syy + (y[i] - my) ^ 2
  end
  return sxy / math.sqrt(sxx * syy)
end

local DATA = {
  record("a", "A great day.", 3.5), record("b", "A good day.", 1.2), record("c", "A day.", 0.1),
  record("d", "A bad day.", -2.0), record("e", "An awful day.", -3.0),
  record("f", "Not a good day.", -0.6),
}

describe("lector eval sentiment", function()
  it("prints the correlations, the 3-class scores, the confusion matrix and the speed", function()
    local r = eval(project(), DATA)
    assert.are.equal(0, r.code, r.err)
    local predicted = { tanh(3 / K.scale), tanh(2 / K.scale), 0, tanh(-2 / K.scale),
      tanh(-3 / K.scale), tanh(2 * K.neg_factor / K.scale) }
    local gold = { 3.5, 1.2, 0.1, -2.0, -3.0, -0.6 }
    -- the pass rounds its compounds to 4 decimals
    local shown = tonumber(r.out:match "pearson%s+([%d.]+)")
    assert.is_true(math.abs(shown - pearson(predicted, gold)) < 0.002, shown)
    -- the order of the predictions is that of the ratings
    assert.matches("spearman%s+1%.000", r.out)
    assert.matches("macro F1%s+1%.000", r.out)
    assert.matches("records%s+6 %(0 skipped%)", r.out)
    assert.matches("negative%s+3%s+0%s+0\n", r.out)
    assert.matches("neutral%s+0%s+1%s+0\n", r.out)
    assert.matches("positive%s+0%s+0%s+2\n", r.out)
    assert.matches("MB/s", r.out)
  end)

  it("puts ratings in classes by the --neutral band, in the scale's units", function()
    -- with a band of 1.3, "good" (1.2) and "not good" (-0.6) are neutral ratings
    local r = eval(project(), DATA, { "--scale", "-4:4", "--neutral", "1.3", "-f", "json" })
    assert.are.equal(0, r.code, r.err)
    local result = json.decode(r.out)
    assert.are.equal(1, result.confusion.neutral.positive)
    assert.are.equal(1, result.confusion.neutral.negative)
    assert.are.equal(1, result.confusion.neutral.neutral)
    assert.are.equal(6, result.records)
    -- the same ratings on a scale ten times wider give the same correlations
    local wide = {}
    for i, line in ipairs(DATA) do
      local v = json.decode(line)
      wide[i] = record(v.id, v.text, v.score * 25)
    end
    local r2 = eval(project(), wide, { "--scale", "-100:100", "-f", "json" })
    local result2 = json.decode(r2.out)
    assert.is_true(math.abs(result.pearson - result2.pearson) < 1e-9)
    assert.is_true(math.abs(result.mae - result2.mae) < 1e-9)
  end)

  it("refuses a missing --data or --scale, and an unknown format", function()
    local dir = project()
    H.write(dir .. "/data.jsonl", DATA[1])
    local r = H.lector({ "eval", "sentiment", "--data", "data.jsonl" }, { cwd = dir })
    assert.are.equal(EXIT_USAGE, r.code)
    assert.matches("%-%-scale MIN:MAX is required", r.err)
    r = H.lector({ "eval", "sentiment", "--scale", "-4:4" }, { cwd = dir })
    assert.are.equal(EXIT_USAGE, r.code)
    assert.matches("%-%-data FILE is required", r.err)
    r = eval(dir, DATA, { "--scale", "4:-4" })
    assert.are.equal(EXIT_USAGE, r.code)
    r = eval(dir, DATA, { "--scale", "-4:4", "-f", "xml" })
    assert.are.equal(EXIT_USAGE, r.code)
  end)

  it("reports invalid lines with their number, scores the rest and exits 3", function()
    local r = eval(project(), { DATA[1], "{oops", '{"id":"x","text":"no score"}', DATA[5] })
    assert.are.equal(EXIT_INPUT, r.code)
    assert.matches("data.jsonl:2: invalid JSON", r.err)
    assert.matches("data.jsonl:3: field 'score' missing", r.err)
    assert.matches("records%s+2", r.out)
  end)

  it("is listed by 'lector eval --help' and has its own help", function()
    local r = H.lector { "eval", "--help" }
    assert.matches("sentiment", r.out)
    r = H.lector { "eval", "sentiment", "--help" }
    assert.are.equal(0, r.code)
    assert.matches("%-%-scale MIN:MAX", r.out)
  end)
end)
