-- `lector eval ner`: scoring an entity pass against labelled sentences.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")

local EXIT_INPUT, EXIT_USAGE, EXIT_PLUGIN = 3, 2, 5

-- A project folder whose ./plugins/names marks the words in `people` as
-- PERSON and the words in `places` as GPE; a bare surname counts only when
-- the full name came earlier in the same document.
local function project(extra)
  local dir = H.tmpdir()
  os.execute("mkdir -p " .. H.quote(dir .. "/plugins/names"))
  H.write(dir .. "/plugins/names/plugin.lua", [[
local PEOPLE = { ["John Smith"] = true, ["José Núñez"] = true }
local PLACES = { ["Zürich"] = true, ["Paris"] = true, ["Leeds"] = true }
return {
  name = "names", version = "1.0.0", kind = "extract",
  run = function(doc)
    local text = doc.text
    for name in pairs(PEOPLE) do
      local at = 1
      while true do
        local s, e = text:find(name, at, true)
        if not s then break end
        doc:add("entity", { start = s - 1, stop = e, label = "PERSON" })
        local surname = name:match "%S+$"
        local from = e + 1
        while true do
          local s2, e2 = text:find(surname, from, true)
          if not s2 then break end
          if text:sub(s2 - 1, s2 - 1) == " " then
            doc:add("entity", { start = s2 - 1, stop = e2, label = "PERSON" })
          end
          from = e2 + 1
        end
        at = e + 1
      end
    end
    for place in pairs(PLACES) do
      local s, e = text:find(place, 1, true)
      if s then doc:add("entity", { start = s - 1, stop = e, label = "GPE" }) end
    end
    doc:add("entity", { start = 0, stop = 1, label = "CARDINAL" })
    ]] .. (extra or "") .. [[
  end,
}
]])
  return dir
end

local function record(doc_id, text, entities)
  local parts = {}
  for i, e in ipairs(entities) do
    parts[i] = string.format('{"start":%d,"end":%d,"label":"%s"}', e[1], e[2], e[3])
  end
  return string.format('{"id":"%s-%d","doc_id":"%s","text":"%s","entities":[%s]}', doc_id,
    #text, doc_id, text, table.concat(parts, ","))
end

local function eval(dir, data, args)
  H.write(dir .. "/data.jsonl", data)
  local argv = { "eval", "ner", "--data", "data.jsonl", "-p", "names" }
  for _, a in ipairs(args or {}) do argv[#argv + 1] = a end
  return H.lector(argv, { cwd = dir })
end

local function overall(out)
  local p, r, f = out:match "overall%s+([%d.]+)%s+([%d.]+)%s+([%d.]+)"
  return tonumber(p), tonumber(r), tonumber(f)
end

describe("lector eval ner", function()
  it("scores exact matches per label and overall", function()
    local dir = project()
    local data = table.concat({
      record("d1", "John Smith flew to Paris .", { { 0, 10, "PER" }, { 19, 24, "LOC" } }),
      -- the pass misses nothing here, but the gold has an ORG it cannot find
      record("d2", "Leeds beat Arsenal .", { { 0, 5, "ORG" }, { 11, 18, "ORG" } }),
    }, "\n") .. "\n"
    local r = eval(dir, data)
    assert.are.equal(0, r.code, r.err)
    -- PER 1/1, LOC: Paris right, Leeds predicted as LOC but gold ORG
    assert.matches("PER%s+1%.000%s+1%.000%s+1%.000%s+1%s+1%s+1", r.out)
    assert.matches("LOC%s+0%.500%s+1%.000%s+0%.667%s+1%s+2%s+1", r.out)
    assert.matches("ORG%s+0%.000%s+0%.000%s+0%.000%s+2%s+0%s+0", r.out)
    local p, rec, f = overall(r.out)
    assert.are.equal(0.667, p)
    assert.are.equal(0.5, rec)
    assert.are.equal(0.571, f)
    assert.matches("2 documents, 2 sentences", r.out)
    -- CARDINAL is not scored: it would otherwise be a false positive
    assert.not_matches("CARDINAL", r.out)
  end)

  it("analyses the records of one doc_id as one document", function()
    local dir = project()
    local data = table.concat({
      record("d1", "John Smith arrived .", { { 0, 10, "PER" } }),
      record("d1", "Later Smith left .", { { 6, 11, "PER" } }),
      record("d2", "Smith stayed .", { { 0, 5, "PER" } }),
    }, "\n")
    local r = eval(dir, data)
    assert.are.equal(0, r.code, r.err)
    -- the second sentence's Smith is linked through its document; d2's is not
    assert.matches("PER%s+1%.000%s+0%.667%s+0%.800%s+3%s+2%s+2", r.out)
    assert.matches("2 documents, 3 sentences", r.out)
  end)

  it("reads character offsets in non-ASCII text", function()
    local dir = project()
    -- "José Núñez" is 10 characters and 12 bytes; Zürich starts at character 20
    local r = eval(dir, record("d1", "José Núñez lives in Zürich .", { { 0, 10, "PER" }, { 20, 26, "LOC" } }))
    assert.are.equal(0, r.code, r.err)
    assert.are.same({ 1, 1, 1 }, { overall(r.out) })
  end)

  it("writes every spurious and missed entity with --errors, in character offsets", function()
    local dir = project()
    local data = table.concat({
      -- all right: no line
      record("d1", "John Smith flew to Paris .", { { 0, 10, "PER" }, { 19, 24, "LOC" } }),
      -- Leeds found as LOC where the gold says ORG; Arsenal missed
      record("d2", "Leeds beat Arsenal .", { { 0, 5, "ORG" }, { 11, 18, "ORG" } }),
      -- non-ASCII before the error; the gold's longer name overlaps the found one
      record("d3", "Señor José Núñez is in Zürich .", { { 0, 16, "PER" }, { 23, 29, "LOC" } }),
    }, "\n") .. "\n"
    local r = eval(dir, data, { "--errors", "errors.jsonl" })
    assert.are.equal(0, r.code, r.err)
    local json = require("lector").json
    local lines = {}
    for line in H.read(dir .. "/errors.jsonl"):gmatch "[^\n]+" do lines[#lines + 1] = json.decode(line) end
    assert.same({
      { id = "d2-20", error = "spurious", label = "LOC", start = 0, ["end"] = 5, text = "Leeds",
        overlaps = { { label = "ORG", start = 0, ["end"] = 5, text = "Leeds" } } },
      { id = "d2-20", error = "missed", label = "ORG", start = 0, ["end"] = 5, text = "Leeds",
        overlaps = { { label = "LOC", start = 0, ["end"] = 5, text = "Leeds" } } },
      { id = "d2-20", error = "missed", label = "ORG", start = 11, ["end"] = 18, text = "Arsenal",
        overlaps = {} },
      { id = "d3-36", error = "missed", label = "PER", start = 0, ["end"] = 16, text = "Señor José Núñez",
        overlaps = { { label = "PER", start = 6, ["end"] = 16, text = "José Núñez" } } },
      { id = "d3-36", error = "spurious", label = "PER", start = 6, ["end"] = 16, text = "José Núñez",
        overlaps = { { label = "PER", start = 0, ["end"] = 16, text = "Señor José Núñez" } } },
    }, lines)
    -- an empty list of overlaps is a JSON list
    assert.matches('"overlaps":%[%]', H.read(dir .. "/errors.jsonl"))
    -- a file that cannot be written: exit 4, said why
    r = eval(dir, data, { "--errors", dir .. "/no/such/dir/errors.jsonl" })
    assert.are.equal(4, r.code)
    assert.matches("eval ner: cannot write the errors: .*No such file", r.err)
    -- nor may it be the data file
    r = eval(dir, data, { "--errors", "data.jsonl" })
    assert.are.equal(EXIT_USAGE, r.code)
    assert.matches("%-%-errors would overwrite the %-%-data file", r.err)
    assert.matches("Leeds", H.read(dir .. "/data.jsonl"))
  end)

  it("maps labels with --map and writes JSON", function()
    local dir = project()
    local r = eval(dir, record("d1", "Leeds won .", { { 0, 5, "ORG" } }), { "--map", "GPE=ORG", "-f", "json" })
    assert.are.equal(0, r.code, r.err)
    local result = require("lector").json.decode(r.out)
    assert.are.equal(1, result.overall.f1)
    assert.are.equal("ORG", result.labels[1].label)
    assert.are.equal(1, result.documents)
  end)

  it("reports invalid lines with their number, scores the rest and exits 3", function()
    local dir = project()
    local data = table.concat({
      record("d1", "John Smith arrived .", { { 0, 10, "PER" } }),
      "{not json",
      '{"id":"x","text":"Paris .","entities":[{"start":0,"end":99,"label":"LOC"}]}',
      '{"id":"y"}',
      '[1,2]',
    }, "\n")
    local r = eval(dir, data)
    assert.are.equal(EXIT_INPUT, r.code)
    assert.matches("data.jsonl:2: invalid JSON", r.err)
    assert.matches("data.jsonl:3: entity 1 lies outside the text", r.err)
    assert.matches("data.jsonl:4: field 'text' missing", r.err)
    assert.matches("data.jsonl:5: not a JSON object", r.err)
    assert.matches("PER%s+1%.000%s+1%.000%s+1%.000", r.out)
  end)

  it("scores an empty file as nothing found", function()
    local dir = project()
    local r = eval(dir, "")
    assert.are.equal(0, r.code, r.err)
    assert.matches("overall%s+0%.000%s+0%.000%s+0%.000%s+0%s+0%s+0", r.out)
  end)

  it("refuses a missing --data, a missing file, a bad option and unknown plugins", function()
    local dir = project()
    local r = H.lector({ "eval", "ner" }, { cwd = dir })
    assert.are.equal(EXIT_USAGE, r.code)
    assert.matches("%-%-data FILE is required", r.err)
    r = H.lector({ "eval", "ner", "--data", "nope.jsonl", "-p", "names" }, { cwd = dir })
    assert.are.equal(EXIT_INPUT, r.code)
    assert.matches("nope.jsonl", r.err)
    r = H.lector({ "eval", "ner", "--data", "x", "--limit", "0" }, { cwd = dir })
    assert.are.equal(EXIT_USAGE, r.code)
    r = H.lector({ "eval", "bogus" }, { cwd = dir })
    assert.are.equal(EXIT_USAGE, r.code)
    assert.matches("unknown task 'bogus'", r.err)
    H.write(dir .. "/data.jsonl", "")
    r = H.lector({ "eval", "ner", "--data", "data.jsonl", "-p", "nosuchplugin" }, { cwd = dir })
    assert.are.equal(EXIT_PLUGIN, r.code)
    assert.matches("nosuchplugin", r.err)
  end)

  it("counts a failing pass and exits 5, still scoring", function()
    local dir = project("error 'boom'")
    local r = eval(dir, record("d1", "John Smith arrived .", { { 0, 10, "PER" } }))
    assert.are.equal(EXIT_PLUGIN, r.code)
    assert.matches("boom", r.err)
    assert.matches("overall", r.out)
  end)
end)
