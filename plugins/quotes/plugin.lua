-- quotes: direct quotations and reported speech, with their speakers.
-- See README.md and the "quotes" section of docs/extraction.md.
local attribute = require "lib.attribute"
local marks = require "lib.marks"
local model = require "lib.model"
local words = require "lib.words"
-- A table written as a JSON list even when empty ([], not {}).
local list_of = require("lector").json.array

local ipairs, pairs, string, table = ipairs, pairs, string, table


-- The attrs every quote span carries about its speaker.
local function speaker_attrs(q)
  local attrs = { cue = q.cue }
  local sp = q.speaker
  if not sp then return attrs end
  local e = sp.ent
  attrs.speaker = e and e.canonical or sp.text
  attrs.speaker_id = e and e.id or nil
  local mention = sp.mention or sp
  attrs.speaker_start, attrs.speaker_stop = mention.start, mention.stop
  attrs.via = sp.via
  if sp.mention and sp.via ~= "name" and sp.via ~= "relative" then
    attrs.anaphor, attrs.anaphor_start, attrs.anaphor_stop = sp.text, sp.start, sp.stop
  end
  if q.inherited then attrs.inherited = true end
  return attrs
end

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

-- Tally by speaker for the `quotes` value, in order of first quotation.
local function tally(list, index, q)
  local sp = q.speaker
  if not sp then return end
  local e = sp.ent
  local name = e and e.canonical or sp.text
  local id = e and e.id or nil
  local k = (id or "") .. "\0" .. name
  local row = index[k]
  if not row then
    row = { speaker = name, speaker_id = id, count = 0, direct = 0, indirect = 0,
      first = #list + 1 }
    index[k] = row
    list[#list + 1] = row
  end
  row.count = row.count + 1
  row[q.kind] = row[q.kind] + 1
end

local SCAN = { fields = { "first", "last", "label" } }

local function run(doc, opts, ctx)
  local lemma_of, verb_lex = words.load(ctx, "data/speech_verbs.tsv")
  local class_of = words.load(ctx, "data/speech_classes.tsv")
  local titles = words.load(ctx, "data/titles.tsv")
  local hits = verb_lex and verb_lex:scan(doc, SCAN)
  local src = doc.text
  local any_mark = marks.any(src)
  -- no speech verb, no quotation mark, no "according": nothing to find
  if hits and hits.n == 0 and not any_mark and not words.has_according(src) then
    doc:set("quotes", list_of())
    return
  end
  local m = model.read(doc, src, any_mark)
  local verbs = attribute.verbs(m, hits, lemma_of, class_of)
  local direct, indirect = attribute.find(m, verbs, titles, opts)
  local rows, index = {}, {}
  local all = {}
  for _, q in ipairs(direct) do all[#all + 1] = q end
  for _, q in ipairs(indirect) do all[#all + 1] = q end
  table.sort(all, function(a, b) return (a.first or a.cs) < (b.first or b.cs) end)
  for _, q in ipairs(all) do
    if q.speaker or (opts.unattributed and q.kind == "direct") then
      local attrs = speaker_attrs(q)
      if q.kind == "direct" then
        -- a quotation that starts in lower case is a fragment of the writer's sentence
        local c = model.first_char(m.fold[q.first])
        if m.kind[q.first] == "word" and not model.capital(m, q.first) and c ~= c:upper() then
          attrs.partial = true
        end
        if q.unclosed then attrs.unclosed = true end
        for k, piece in ipairs(q.pieces) do
          local a = attrs
          if #q.pieces > 1 then
            a = copy(attrs)
            a.part, a.parts = k, #q.pieces
          end
          doc:add("quote", { start = m.start[piece.first], stop = m.stop[piece.last],
            label = "direct", attrs = a })
        end
      else
        doc:add("quote", { start = m.start[q.cs], stop = m.stop[q.ce], label = "indirect",
          attrs = attrs })
      end
      if q.speaker then tally(rows, index, q) end
    end
  end
  table.sort(rows, function(a, b)
    if a.count ~= b.count then return a.count > b.count end
    return a.first < b.first
  end)
  for _, row in ipairs(rows) do row.first = nil end
  doc:set("quotes", list_of(rows))
end

return {
  name = "quotes",
  version = "0.1.0",
  kind = "extract",
  description = "Direct quotations and reported speech, each with its speaker",
  license = "MIT",
  author = "lector",
  requires = { "entities >= 0.1" },
  provides = { "quote", "quotes" },
  options = {
    indirect = { type = "boolean", default = true,
      description = "also mark reported speech (\"X said that ...\", \"according to X, ...\")" },
    unattributed = { type = "boolean", default = true,
      description = "keep direct quotations whose speaker was not found (without speaker attrs)" },
  },
  run = run,
}
