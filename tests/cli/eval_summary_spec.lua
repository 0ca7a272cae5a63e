-- `lector eval summary`: the summary pass's methods scored with ROUGE
-- against reference summaries, Lead-3 first.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"

local EXIT_INPUT, EXIT_USAGE = 3, 2

-- Two small articles written for this spec, with reference summaries that
-- copy some of their sentences.
local RECORDS = {
  { id = "a1", title = "Bridge Reopens After Repairs",
    article = "The old bridge over the Kell river reopened on Friday after two years of repairs. "
      .. "Engineers replaced the steel cables and the road surface of the bridge. "
      .. "The repairs cost the city twelve million euros. "
      .. "Local shops hope the bridge will bring customers back to the old town. "
      .. "A concert on the bridge is planned for Saturday evening.",
    summary = "The old bridge over the Kell river reopened on Friday after two years of repairs. "
      .. "The repairs cost the city twelve million euros." },
  { id = "a2",
    article = "Farmers in the valley expect a poor harvest after a dry summer. "
      .. "Rain has not fallen for nine weeks, and the wells are running low. "
      .. "The regional government promised help for farmers who lose their crops. "
      .. "Some farmers have started selling cattle because there is no grass. "
      .. "Forecasters expect rain to return next week.",
    summary = "Farmers expect a poor harvest after a dry summer. "
      .. "The government promised help for farmers who lose crops." },
}

local function data_file(dir, records, extra)
  local lines = {}
  for i, r in ipairs(records) do lines[i] = lector.json.encode(r) end
  if extra then lines[#lines + 1] = extra end
  return H.write(dir .. "/data.jsonl", table.concat(lines, "\n") .. "\n")
end

local function eval(args, extra)
  local dir = H.tmpdir()
  data_file(dir, RECORDS, extra)
  local argv = { "eval", "summary", "--data", "data.jsonl" }
  for _, a in ipairs(args or {}) do argv[#argv + 1] = a end
  return H.lector(argv, { cwd = dir })
end

-- The row of a method: {R1 r, p, f, R2 r, p, f, RL r, p, f, words, ms}.
local function row(out, label, stemmed)
  for line in out:gmatch "[^\n]+" do
    local l, st, rest = line:match "^(%S+)%s+(%S+)%s+(.*)$"
    if l == label and st == (stemmed and "yes" or "no") then
      local t = {}
      for n in rest:gmatch "[%d.]+" do t[#t + 1] = tonumber(n) end
      return t
    end
  end
end

describe("lector eval summary", function()
  it("prints Lead-3 and the chosen methods with ROUGE-1, -2 and -L, plain and stemmed", function()
    local r = eval { "--method", "hybrid,textrank" }
    assert.equal(0, r.code, r.err)
    for _, label in ipairs { "lead-3", "hybrid", "textrank" } do
      for _, stemmed in ipairs { false, true } do
        local t = row(r.out, label, stemmed)
        assert.truthy(t, label .. " missing in:\n" .. r.out)
        assert.equal(11, #t)
        for k = 1, 9 do assert.is_true(t[k] >= 0 and t[k] <= 100) end
      end
    end
    assert.truthy(r.out:find("2 articles", 1, true))
    -- lead-3 comes first
    assert.truthy(r.out:find "lead%-3.-hybrid.-textrank")
  end)

  it("scores Lead-3 as ROUGE does by hand on the first article", function()
    -- on a1 alone, lead-3 copies the reference's first sentence, and the
    -- second is its third sentence: every reference word is covered
    local dir = H.tmpdir()
    data_file(dir, { RECORDS[1] })
    local r = H.lector({ "eval", "summary", "--data", "data.jsonl", "-f", "json", "--no-title" },
      { cwd = dir })
    assert.equal(0, r.code, r.err)
    local result = lector.json.decode(r.out)
    local lead = result.methods[1]
    assert.equal("lead-3", lead.label)
    assert.equal(1, lead.plain.rouge1.recall)
    -- the 23 reference words among the 35 words of the first three sentences
    assert.is_true(math.abs(lead.plain.rouge1.precision - 23 / 35) < 1e-9, lead.plain.rouge1.precision)
    assert.equal(1, result.documents)
  end)

  it("takes a length in words", function()
    local r = eval { "--method", "lead", "--words", "20", "-f", "json" }
    assert.equal(0, r.code, r.err)
    local result = lector.json.decode(r.out)
    assert.equal(2, #result.methods)
    assert.is_true(result.methods[2].words <= 20)
    assert.is_true(result.methods[1].words > 20)
  end)

  it("reports invalid lines and scores the rest", function()
    local r = eval({}, '{"id":"bad","article":"no summary here"}')
    assert.equal(EXIT_INPUT, r.code)
    assert.truthy(r.err:find("data.jsonl:3: field 'summary' missing or not a string", 1, true))
    assert.truthy(row(r.out, "hybrid", false))
  end)

  it("refuses an unknown method and a missing --data", function()
    local r = eval { "--method", "magic" }
    assert.equal(EXIT_USAGE, r.code)
    assert.truthy(r.err:find("unknown method 'magic'", 1, true))
    r = H.lector { "eval", "summary" }
    assert.equal(EXIT_USAGE, r.code)
    assert.truthy(r.err:find("--data FILE is required", 1, true))
  end)

  it("is listed by 'lector eval --help'", function()
    local r = H.lector { "eval", "--help" }
    assert.truthy(r.out:find("summary", 1, true))
  end)
end)
