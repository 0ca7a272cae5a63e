-- Shared by the quotes specs: the plugin's folder, a ctx like the one a
-- pipeline gives, entity spans added by hand, and running the pass.
local lector = require "lector"

local S = {}

local function plugin_dir()
  local env = os.getenv "LECTOR_SOURCE_DIR"
  local src = debug.getinfo(1, "S").source
  local here = src:sub(1, 1) == "@" and src:sub(2):match "^(.*)/spec/[^/]*$"
  if here then return here end
  return env .. "/plugins/quotes"
end

S.dir = plugin_dir()
S.fixtures = os.getenv "LECTOR_FIXTURES" or (S.dir .. "/../../tests/fixtures")
S.article = S.fixtures .. "/000_eec91c594e6a2ce7.txt"

function S.read(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read "a"
  f:close()
  return data
end

S.plugin = dofile(S.dir .. "/plugin.lua")

-- A ctx as the sandbox gives it; data files are read from the plugin's
-- folder (through ctx.lexicon once lector has it, ctx.read until then).
function S.ctx()
  local ctx = { name = "quotes", version = S.plugin.version, dir = S.dir, lines = {} }
  function ctx.log(...)
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
    ctx.lines[#ctx.lines + 1] = table.concat(parts)
  end
  function ctx.read(rel)
    local f, err = io.open(S.dir .. "/" .. rel, "rb")
    if not f then return nil, err end
    local data = f:read "a"
    f:close()
    return data
  end
  local ok = pcall(lector.lexicon, { fold = true })
  if ok then
    local cache = {}
    function ctx.lexicon(rel, o)
      local k = rel .. tostring(o and o.fold)
      if not cache[k] then
        local lex = lector.lexicon(o or {})
        lex:load(assert(ctx.read(rel)), rel)
        cache[k] = lex
      end
      return cache[k]
    end
  end
  return ctx
end

-- Add entity spans by hand: names = { {"Dmitry Peskov", "PERSON", "E1", canonical}, ... };
-- every occurrence of each phrase (whole words) becomes a mention.
function S.entities(doc, names)
  local text = doc.text
  for _, e in ipairs(names) do
    local phrase, label, id, canonical = e[1], e[2], e[3], e[4] or e[1]
    local init = 1
    while true do
      local a, b = text:find(phrase, init, true)
      if not a then break end
      local before, after = text:sub(a - 1, a - 1), text:sub(b + 1, b + 1)
      if not before:find "[%w\128-\255]" and not after:find "[%w]" then
        doc:add("entity", { start = a - 1, stop = b, label = label,
          attrs = { canonical = canonical, id = id } })
      end
      init = b + 1
    end
  end
end

-- Run the pass; returns the quote spans as plain tables, in order.
function S.run(doc, opts)
  local o = {}
  for name, spec in pairs(S.plugin.options) do o[name] = spec.default end
  for k, v in pairs(opts or {}) do o[k] = v end
  local ctx = S.ctx()
  S.plugin.run(doc, o, ctx)
  local out = {}
  for span in doc:spans "quote" do
    local q = { text = span.text, label = span.label, start = span.start, stop = span.stop }
    for k, v in pairs(span.attrs) do q[k] = v end
    out[#out + 1] = q
  end
  return out, ctx
end

-- The first quote whose text starts with `prefix`.
function S.find(quotes, prefix, label)
  for _, q in ipairs(quotes) do
    if q.text:sub(1, #prefix) == prefix and (not label or q.label == label) then return q end
  end
end

-- The entities of the sample article, as an entity pass would give them
-- (longer names first so that "Peskov" alone is a second mention).
S.ARTICLE_ENTITIES = {
  { "Dmitry Peskov", "PERSON", "E1" }, { "Peskov", "PERSON", "E1", "Dmitry Peskov" },
  { "Maria Zakharova", "PERSON", "E2" }, { "Zakharova", "PERSON", "E2", "Maria Zakharova" },
  { "Volker Türk", "PERSON", "E3" }, { "Nicolás Maduro", "PERSON", "E4" },
  { "Maduro", "PERSON", "E4", "Nicolás Maduro" }, { "Vladimir Putin", "PERSON", "E5" },
  { "Trump", "PERSON", "E6" }, { "Tass", "ORG", "E7" }, { "Kremlin", "ORG", "E8" },
  { "Moscow", "GPE", "E9" }, { "Caracas", "GPE", "E10" }, { "Washington Post", "ORG", "E11" },
  { "UN", "ORG", "E12" }, { "US", "GPE", "E13" }, { "Latin America", "LOC", "E14" },
  { "Russian Foreign Ministry", "ORG", "E15" }, { "60 Minutes", "WORK_OF_ART", "E16" },
}

return S
