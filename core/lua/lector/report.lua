-- Reports of analysed documents: a readable text report, or lector's JSON
-- shape (indented objects or one object per line).
local json = require("lector.core").json

local ipairs, math, pairs, pcall, setmetatable, string, table, tonumber, tostring, type, utf8 =
  ipairs, math, pairs, pcall, setmetatable, string, table, tonumber, tostring, type, utf8
local _ENV = nil

local report = {}

-- Spans of each layer quoted in the text report; the rest are counted.
local SPANS_SHOWN = 5
-- Names listed per entity label, and characters of a quote shown.
local ENTITIES_SHOWN = 8
local QUOTE_CHARS = 100

local function one_line(text)
  return (text:gsub("%s+", " "))
end

-- Up to SPANS_SHOWN spans of a layer quoted, the rest counted.
local function write_layer(out, doc, layer)
  local shown, n = {}, 0
  for span in doc:spans(layer) do
    n = n + 1
    if n <= SPANS_SHOWN then shown[n] = (span.label and span.label .. " " or "") .. "«" .. one_line(span.text) .. "»" end
  end
  out:write(string.format("spans:     %s (%d)%s\n", layer, n,
    n > 0 and ": " .. table.concat(shown, ", ") .. (n > SPANS_SHOWN and ", …" or "") or ""))
end

local STRUCTURE_FIELDS = { "headline", "standfirst", "caption", "credit", "byline" }

local function write_structure(out, structure)
  if type(structure) ~= "table" then return end
  out:write "structure:\n"
  for _, field in ipairs(STRUCTURE_FIELDS) do
    if type(structure[field]) == "string" then
      out:write(string.format("  %-11s %s\n", field .. ":", one_line(structure[field])))
    end
  end
  local dateline = structure.dateline
  if type(dateline) == "table" then
    local parts = {}
    for _, field in ipairs { "place", "date", "source" } do
      if type(dateline[field]) == "string" then parts[#parts + 1] = dateline[field] end
    end
    if type(dateline.iso) == "string" then parts[#parts + 1] = "(" .. dateline.iso .. ")" end
    out:write(string.format("  %-11s %s\n", "dateline:", table.concat(parts, " · ")))
  end
  local editor = structure.editor
  if type(editor) == "table" and type(editor.name) == "string" then
    out:write(string.format("  %-11s %s%s\n", "editor:", editor.name,
      type(editor.place) == "string" and " (" .. editor.place .. ")" or ""))
  end
end

-- Entities grouped by label, most mentioned first: "PERSON (8): Nicolás
-- Maduro ×7, Dmitry Peskov ×3, ...". Mentions count under their canonical
-- name when the pass gave one.
local function write_entities(out, doc, layer)
  local by_label, labels, total = {}, {}, 0
  for span in doc:spans(layer) do
    total = total + 1
    local label = span.label or "?"
    local group = by_label[label]
    if not group then
      group = { label = label, names = {}, order = {}, mentions = 0 }
      by_label[label] = group
      labels[#labels + 1] = group
    end
    local name = type(span.attrs.canonical) == "string" and span.attrs.canonical or one_line(span.text)
    if not group.names[name] then
      group.names[name] = 0
      group.order[#group.order + 1] = name
    end
    group.names[name] = group.names[name] + 1
    group.mentions = group.mentions + 1
  end
  table.sort(labels, function(a, b)
    if a.mentions ~= b.mentions then return a.mentions > b.mentions end
    return a.label < b.label
  end)
  out:write(string.format("entities (%d mention%s):\n", total, total == 1 and "" or "s"))
  for _, group in ipairs(labels) do
    local first = {}
    for i, name in ipairs(group.order) do first[name] = i end
    table.sort(group.order, function(a, b)
      if group.names[a] ~= group.names[b] then return group.names[a] > group.names[b] end
      return first[a] < first[b]
    end)
    local shown = {}
    for i, name in ipairs(group.order) do
      if i > ENTITIES_SHOWN then
        shown[#shown + 1] = "…"
        break
      end
      shown[i] = group.names[name] > 1 and name .. " ×" .. group.names[name] or name
    end
    out:write(string.format("  %-12s %3d  %s\n", group.label, #group.order, table.concat(shown, ", ")))
  end
end

-- Quotes with their speakers, shortened.
local function write_quotes(out, doc, layer)
  local lines, n = {}, 0
  for span in doc:spans(layer) do
    n = n + 1
    local speaker = type(span.attrs.speaker) == "string" and span.attrs.speaker or "(unattributed)"
    local text = one_line(span.text)
    if utf8.len(text) and utf8.len(text) > QUOTE_CHARS then
      text = text:sub(1, utf8.offset(text, QUOTE_CHARS + 1) - 1) .. "…"
    end
    lines[#lines + 1] = string.format("  %-9s %s: «%s»", span.label or "", speaker, text)
  end
  out:write(string.format("quotes (%d):\n", n))
  if #lines > 0 then out:write(table.concat(lines, "\n"), "\n") end
end

-- Short forms with their long forms, once each.
local function write_acronyms(out, doc, layer)
  local seen, shown, n = {}, {}, 0
  for span in doc:spans(layer) do
    -- the long form's own span is not a mention of the short form
    if not span.attrs.long_form then n = n + 1 end
    local short, long = span.label, span.attrs.long
    if short and type(long) == "string" and not seen[short] then
      seen[short] = true
      shown[#shown + 1] = short .. " = " .. long
    end
  end
  out:write(string.format("acronyms:  %d mention%s: %s\n", n, n == 1 and "" or "s",
    table.concat(shown, "; ")))
end

-- Sentences quoted at each end of the sentiment scale, and entities listed.
local SENTIMENT_SENTENCES = 2
local SENTIMENT_ENTITIES = 10

local function sentiment_line(doc, item)
  local s = type(item) == "table" and math.tointeger(item.index) and doc:sentence(item.index)
  if not s then return nil end
  local text = one_line(s.text)
  if utf8.len(text) and utf8.len(text) > QUOTE_CHARS then
    text = text:sub(1, utf8.offset(text, QUOTE_CHARS + 1) - 1) .. "…"
  end
  return string.format("  %+.2f  %3d  «%s»", tonumber(item.compound) or 0, item.index, text)
end

-- The document's tone, its most positive and negative sentences, and how
-- each entity is spoken of.
local function write_sentiment(out, doc)
  local v = doc:get "sentiment"
  if type(v) ~= "table" or type(v.compound) ~= "number" then return end
  out:write(string.format("sentiment: %+.3f (positive %.2f, negative %.2f, neutral %.2f); "
    .. "sentences: %d positive, %d negative, %d neutral\n", v.compound, v.pos or 0, v.neg or 0,
    v.neu or 0, v.positive or 0, v.negative or 0, v.neutral or 0))
  for _, side in ipairs { "most_positive", "most_negative" } do
    local lines = {}
    for i, item in ipairs(type(v[side]) == "table" and v[side] or {}) do
      if i > SENTIMENT_SENTENCES then break end
      lines[#lines + 1] = sentiment_line(doc, item)
    end
    if #lines > 0 then
      out:write("  ", side:gsub("_", " "), ":\n", table.concat(lines, "\n"), "\n")
    end
  end
  local entities = type(v.entities) == "table" and v.entities or {}
  if #entities > 0 then
    out:write("  entity                          label     tone  mentions  clauses  +/-/0\n")
    for i, row in ipairs(entities) do
      if i > SENTIMENT_ENTITIES then
        out:write(string.format("  … %d more\n", #entities - SENTIMENT_ENTITIES))
        break
      end
      local name = tostring(row.name)
      if utf8.len(name) and utf8.len(name) > 30 then name = name:sub(1, utf8.offset(name, 30) - 1) .. "…" end
      out:write(string.format("  %s%s %-8s %+.2f  %8d  %7d  %d/%d/%d\n", name,
        string.rep(" ", 31 - (utf8.len(name) or #name)), tostring(row.label or ""),
        tonumber(row.compound) or 0, row.mentions or 0, row.clauses or 0, row.positive or 0,
        row.negative or 0, row.neutral or 0))
    end
  end
end

-- The summary's method, sentence numbers and text.
local function write_summary(out, summary)
  if type(summary) ~= "table" or type(summary.text) ~= "string" then return end
  local indices = {}
  for i, index in ipairs(type(summary.sentences) == "table" and summary.sentences or {}) do
    indices[i] = tostring(index)
  end
  out:write(string.format("summary:   %s, sentences %s\n", tostring(summary.method),
    #indices > 0 and table.concat(indices, ", ") or "none"))
  if summary.text ~= "" then out:write("  ", one_line(summary.text), "\n") end
end

-- Key phrases, best first, with their scores.
local KEYPHRASES_SHOWN = 10
local function write_keyphrases(out, keyphrases)
  if type(keyphrases) ~= "table" then return end
  local shown = {}
  for i, k in ipairs(keyphrases) do
    if i > KEYPHRASES_SHOWN then break end
    if type(k) == "table" and type(k.phrase) == "string" then
      shown[#shown + 1] = type(k.score) == "number" and string.format("%s %.2f", k.phrase, k.score) or k.phrase
    end
  end
  out:write("keyphrases: ", table.concat(shown, ", "), "\n")
end

local SECTIONS = { entity = write_entities, quote = write_quotes, acronym = write_acronyms,
  structure = function() end, sentiment = write_sentiment, keyphrase = function() end }
-- Values the sections above already show.
local SHOWN_VALUES = { structure = true, entities = true, quotes = true, acronyms = true,
  sentiment = true, summary = true, keyphrases = true }

local Text, Json = {}, {}
Text.__index, Json.__index = Text, Json

-- n with a comma every three digits ("1,234,567"); the REPL's pretty
-- printer writes document statistics the same way.
local function thousands(n)
  local s = tostring(n)
  repeat
    local count
    s, count = s:gsub("^(%d+)(%d%d%d)", "%1,%2")
  until count == 0
  return s
end
report.thousands = thousands

function Text:document(doc, saved)
  local out = self.out
  local stats = doc:stats()
  if self.count > 0 then out:write "\n" end
  self.count = self.count + 1
  out:write("== ", doc.source, "\n")
  if doc.title then out:write("title:     ", doc.title, "\n") end
  out:write("id:        ", doc.id, "\n")
  out:write("sha256:    ", doc.sha256, "\n")
  out:write(string.format("size:      %s bytes, %s paragraphs, %s sentences, %s tokens\n",
    thousands(stats.bytes), thousands(stats.paragraphs), thousands(stats.sentences),
    thousands(stats.tokens)))
  if stats.repairs > 0 then
    out:write(string.format("repaired:  %d invalid UTF-8 sequence%s replaced with U+FFFD\n",
      stats.repairs, stats.repairs == 1 and "" or "s"))
  end
  if saved.stored_id then
    if saved.is_new then
      out:write("stored:    ", saved.db, "\n")
    elseif saved.stored_id == doc.id then
      out:write("stored:    already in ", saved.db, "\n")
    else
      out:write("stored:    already in ", saved.db, " as ", saved.stored_id, "\n")
    end
  end
  write_structure(out, doc:get "structure")
  local layers = doc:layers()
  for _, layer in ipairs(layers) do
    local section = SECTIONS[layer]
    if section then section(out, doc, layer) else write_layer(out, doc, layer) end
  end
  write_summary(out, doc:get "summary")
  write_keyphrases(out, doc:get "keyphrases")
  local values = doc:values()
  for key in pairs(SHOWN_VALUES) do values[key] = nil end
  local text = json.encode(values)
  if text ~= "{}" then out:write("values:    ", text, "\n") end
  for _, err in ipairs(doc.errors) do out:write("error:     ", (err:gsub("\n", "\n           ")), "\n") end
  out:write "sentences:\n"
  local width = #tostring(stats.sentences)
  for s in doc:sentences() do
    out:write(string.format("  %" .. width .. "d  ", s.index), (s.text:gsub("\n", " ")), "\n")
  end
end

function Text:failure() end

function Text:finish(stats)
  if stats.documents + stats.failed > 1 then
    self.out:write(string.format("\n%s document%s analysed, %s refused\n",
      thousands(stats.documents), stats.documents == 1 and "" or "s", thousands(stats.failed)))
  end
end

function Json:document(doc)
  if self.format == "jsonl" then
    self.out:write(doc:json(), "\n")
  else
    self.out:write(doc:json { pretty = true }, "\n")
  end
end

-- A refused input still takes its place in the stream, so the output lines
-- match the input records one to one.
function Json:failure(message)
  local ok, text = pcall(json.encode, message)
  if not ok then text = json.encode((message:gsub("[\128-\255]", "?"))) end
  self.out:write('{"id":null,"errors":[', text, "]}\n")
end

function Json:finish() end

function report.new(format, out)
  local class = format == "text" and Text or Json
  return setmetatable({ format = format, out = out, count = 0 }, class)
end

return report
