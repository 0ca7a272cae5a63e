-- Shared by the sentiment specs: the plugin's folder, a small lexicon
-- written for the specs (so they do not depend on the default lexicon's
-- numbers), a ctx like the one a pipeline gives, and running the pass.
local lector = require "lector"

local S = {}

local function plugin_dir()
  local src = debug.getinfo(1, "S").source
  local here = src:sub(1, 1) == "@" and src:sub(2):match "^(.*)/spec/[^/]*$"
  if here then return here end
  return os.getenv "LECTOR_SOURCE_DIR" .. "/plugins/sentiment"
end

S.dir = plugin_dir()
S.fixtures = os.getenv "LECTOR_FIXTURES" or (S.dir .. "/../../tests/fixtures")
S.article = S.fixtures .. "/000_eec91c594e6a2ce7.txt"
-- `lector plugin test` puts the folder on package.path; `lector run` does not
if not package.path:find(S.dir .. "/?.lua", 1, true) then
  package.path = S.dir .. "/?.lua;" .. package.path
end
S.plugin = dofile(S.dir .. "/plugin.lua")

-- Values on the default lexicon's scale (-4..4), chosen for the specs.
S.LEXICON = table.concat({
  "good\tvalence\t1.9", "great\tvalence\t3.1", "happy\tvalence\t2.7", "excellent\tvalence\t3.2",
  "peace\tvalence\t2.5", "reforms\tvalence\t1.2", "democracy\tvalence\t1.6",
  "bad\tvalence\t-2.5", "terrible\tvalence\t-3.1", "attack\tvalence\t-2.1", "war\tvalence\t-2.9",
  "crisis\tvalence\t-3.1", "false\tvalence\t-1.8", "terrorists\tvalence\t-3.0",
  "condemned\tvalence\t-2.4", "praised\tvalence\t2.6", "killed\tvalence\t-3.5",
  "zone of peace\tidiom\t2.0", "false flag\tidiom\t-2.6", "regime change\tidiom\t-1.5",
  "cease fire\tidiom\t1.6", "ceasefire\tvalence\t1.6",
  "very\tbooster\t0.3", "extremely\tbooster\t0.4", "slightly\tbooster\t-0.3",
  "largely\tbooster\t0.2",
  "not\tnegation\t0", "never\tnegation\t0", "no longer\tnegation\t0", "without\tnegation\t0",
  "n't\tnegation\t0",
}, "\n") .. "\n"

-- A ctx whose default lexicon is S.LEXICON (or `lexicon`) and whose
-- ctx.read reads `files` by name (or the plugin folder when `files` is nil).
function S.ctx(lexicon, files)
  local ctx = { name = "sentiment", version = S.plugin.version, dir = S.dir, lines = {} }
  function ctx.log(...)
    local parts = {}
    for i = 1, select("#", ...) do parts[i] = tostring((select(i, ...))) end
    ctx.lines[#ctx.lines + 1] = table.concat(parts)
  end
  function ctx.read(rel)
    if files then
      if files[rel] then return files[rel] end
      return nil, rel .. ": no such file"
    end
    local f, err = io.open(S.dir .. "/" .. rel, "rb")
    if not f then return nil, err end
    local data = f:read "a"
    f:close()
    return data
  end
  local cache = {}
  function ctx.lexicon(rel, o)
    local k = rel .. tostring(o and o.fold)
    if not cache[k] then
      local lex = lector.lexicon(o or {})
      lex:load(lexicon or S.LEXICON, rel)
      cache[k] = lex
    end
    return cache[k]
  end
  return ctx
end

-- The options with their defaults, as a pipeline fills them in.
function S.options(given)
  local opts = {}
  for name, spec in pairs(S.plugin.options) do opts[name] = spec.default end
  for name, value in pairs(given or {}) do opts[name] = value end
  return opts
end

-- Run the pass on a text (or a Document); returns doc, the sentence spans
-- (as plain tables) and the value.
function S.run(text, given, ctx)
  local doc = type(text) == "string" and assert(lector.doc(text)) or text
  S.plugin.run(doc, S.options(given), ctx or S.ctx())
  local spans = {}
  for span in doc:spans "sentiment" do
    spans[#spans + 1] = { text = span.text, score = span.score, label = span.label,
      pos = span.attrs.pos, neg = span.attrs.neg, neu = span.attrs.neu,
      explain = span.attrs.explain }
  end
  return doc, spans, doc:get "sentiment"
end

-- The compound score of a one-sentence text.
function S.compound(text, given, ctx)
  local _, spans = S.run(text, given, ctx)
  assert(#spans == 1, "expected one sentence in: " .. text)
  return spans[1].score
end

-- Entity spans by hand: { {"United States", "GPE", "E1"}, ... }; every
-- whole-word occurrence becomes a mention.
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
  return doc
end

return S
