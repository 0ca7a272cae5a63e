-- The quotes pass behind the real entities pass, as `lector analyze` runs it.
local lector = require "lector"
local source = debug.getinfo(1, "S").source:sub(2)
local S = dofile(source:match "^(.*)/[^/]*$" .. "/support.lua")

-- The entities plugin is written alongside this one; until it exists these
-- specs are pending rather than failing for a reason outside this plugin.
local entities = io.open(S.dir .. "/../entities/plugin.lua")
if entities then entities:close() end

describe("quotes in a pipeline", function()
  it("attributes the sample article's quotations through the entities pass", function()
    if not entities then
      pending("plugins/entities/plugin.lua does not exist yet")
      return
    end
    local doc = assert(lector.load(S.article))
    local report, err = lector.run(doc, { "quotes" })
    -- what this spec waits for: a working entities pass and ctx.lexicon in the sandbox
    local waiting = (err and err:find "plugin entities") or nil
    for _, pass in ipairs(report and report.passes or {}) do
      if pass.status ~= "ok" and (pass.name == "entities"
          or (pass.error or ""):find("ctx.lexicon is unavailable", 1, true)) then
        waiting = pass.error
      end
    end
    if waiting then
      pending("waiting for the entities pass and ctx.lexicon: " .. tostring(waiting):sub(1, 200))
      return
    end
    assert(report, err)
    for _, pass in ipairs(report.passes) do assert.equal("ok", pass.status, pass.error) end
    local quotes = {}
    for span in doc:spans "quote" do
      quotes[#quotes + 1] = { text = span.text, label = span.label, speaker = span.attrs.speaker,
        speaker_id = span.attrs.speaker_id }
    end
    local q = assert(S.find(quotes, "We want everything to remain peaceful", "direct"))
    assert.equal("Dmitry Peskov", q.speaker)
    assert.is_string(q.speaker_id)
    q = assert(S.find(quotes, "Moscow remains in close contact", "indirect"))
    assert.equal("Dmitry Peskov", q.speaker)
    for _, prefix in ipairs { "zone of peace", "existing and potential threats" } do
      assert.equal("Maria Zakharova", assert(S.find(quotes, prefix, "direct")).speaker)
    end
    assert.equal("Volker Türk", assert(S.find(quotes, "unacceptable", "direct")).speaker)
  end)
end)
