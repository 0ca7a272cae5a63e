-- docs/extraction.md's example plugin, taken from the page and run on the
-- sample article, so that the page stays true.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local json = require("lector").json

-- The files the page shows: a "<!-- file: PATH -->" line, then a fenced block.
local function files_of(page)
  local files = {}
  for path, body in page:gmatch "<!%-%- file: (%S+) %-%->\n```[%w]*\n(.-)\n```" do
    files[path] = body .. "\n"
  end
  return files
end

describe("docs/extraction.md", function()
  it("has an example plugin that finds the hardware it says it finds", function()
    local files = files_of(H.read(H.source_dir .. "/docs/extraction.md"))
    assert.truthy(files["plugins/hardware/plugin.lua"])
    assert.truthy(files["plugins/hardware/makers.tsv"])
    local dir = H.tmpdir()
    os.execute("mkdir -p " .. H.quote(dir .. "/plugins/hardware"))
    for path, body in pairs(files) do H.write(dir .. "/" .. path, body) end
    local r = H.lector({ "analyze", "--no-store", "--format", "json", "-p", "hardware", H.article },
      { cwd = dir })
    assert.equal(0, r.code, r.err)
    local found = {}
    for _, span in ipairs(json.decode(r.out).spans.hardware) do
      found[#found + 1] = span.text .. "/" .. tostring(span.attrs.maker) .. "/" .. tostring(span.attrs.count)
    end
    assert.same({ "Su-30/Sukhoi/nil", "Il-76/Ilyushin/nil", "Su-30 MK2/Sukhoi/nil", "Kh-31A/nil/nil",
      "Su-30/nil/24", "S-300VM/nil/nil", "Buk-M2/nil/nil", "Igla-S/nil/nil" }, found)
  end)
end)
