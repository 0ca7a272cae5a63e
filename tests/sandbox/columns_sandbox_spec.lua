-- lex:scan, doc:token_columns, doc:sentence_columns, doc:add_many and
-- doc:add_entities in the plugin sandbox: their tables come from the
-- plugin's allocator and the spans they add count as results, so each
-- stops at the memory limit (kind "memory") and the plugin can run again
-- afterwards.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"
local core = require "lector.core"

local LIMIT = 8 * 1024 * 1024

local function plugin(body)
  local dir = H.tmpdir()
  local source = "return { name = 'cols', version = '1.0.0', run = function(doc, opts, ctx)\n"
    .. body .. "\nend }"
  return assert(core.sandbox { name = "cols", dir = dir, file = H.write(dir .. "/plugin.lua", source),
    memory = LIMIT })
end

-- The test article ten times over: about 60 KB and 12,000 tokens.
local TEXT = string.rep(H.read(H.article) .. "\n\n", 10)

describe("column methods in a plugin", function()
  local state = plugin [[
    kept = kept or {}
    if opts.what == "scan" then
      local lex = lector.lexicon { fold = true }
      lex:add("the", "WORD", 1)
      lex:add("Venezuela", "GPE")
      for i = 1, 10^6 do kept[i] = lex:scan(doc, { all = true, fields = { "start", "stop", "first", "last", "label", "value", "text" } }) end
    elseif opts.what == "tokens" then
      for i = 1, 10^6 do kept[i] = doc:token_columns { "start", "stop", "text", "folded", "shape", "kind" } end
    elseif opts.what == "sentences" then
      for i = 1, 10^6 do kept[i] = doc:sentence_columns { "start", "stop", "text", "tokens" } end
    elseif opts.what == "spans" then
      local cols = doc:sentence_columns { "start", "stop" }
      cols.score, cols.attrs = {}, { pos = {}, neg = {} }
      for i = 1, cols.n do cols.score[i], cols.attrs.pos[i], cols.attrs.neg[i] = i / 3, i / 7, -i end
      for i = 1, 10^6 do doc:add_many("tone", cols) end
    elseif opts.what == "string attrs" then
      local cols = doc:sentence_columns { "start", "stop", "text" }
      cols.attrs = { text = cols.text }
      for i = 1, 10^6 do doc:add_many("said", cols) end
    elseif opts.what == "entities" then
      local cols = doc:sentence_columns { "start", "stop" }
      local mentions = {}
      for i = 1, cols.n do
        mentions[i] = { start = cols.start[i], stop = cols.stop[i], label = "S", key = "k" .. i % 7,
          attrs = { n = i } }
      end
      for i = 1, 10^6 do doc:add_entities(mentions, { layer = "said", value = "v" .. i % 2 }) end
    else
      kept = nil
      local n = doc:add_many("tone", doc:sentence_columns { "start", "stop" })
      doc:set("ok", { n = n, tokens = doc:token_columns({ "start" }).n })
    end]]

  for _, what in ipairs { "scan", "tokens", "sentences", "spans", "string attrs", "entities" } do
    it(what .. " stops at the memory limit, and the plugin goes on", function()
      local ok, message, kind = state:run(assert(lector.doc(TEXT)), { what = what })
      assert.is_nil(ok, what)
      assert.equal("memory", kind, what .. ": " .. tostring(message))
      assert.matches("memory limit exceeded %(8388608 bytes%)", message)
      local doc = assert(lector.doc(TEXT))
      assert.is_true(state:run(doc, { what = "none" }))
      assert.equal(doc:stats().sentences, doc:get("ok").n)
      assert.equal(doc:stats().tokens, doc:get("ok").tokens)
      assert.is_true(state:stats().memory <= LIMIT)
    end)
  end
end)
