-- Reports of analysed documents: a readable text report, or lector's JSON
-- shape (indented objects or one object per line).
local json = require("lector.core").json

local ipairs, pcall, setmetatable, string, table, tostring =
  ipairs, pcall, setmetatable, string, table, tostring
local _ENV = nil

local report = {}

-- Spans of each layer quoted in the text report; the rest are counted.
local SPANS_SHOWN = 5

local Text, Json = {}, {}
Text.__index, Json.__index = Text, Json

local function thousands(n)
  local s = tostring(n)
  repeat
    local count
    s, count = s:gsub("^(%d+)(%d%d%d)", "%1,%2")
  until count == 0
  return s
end

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
  local layers = doc:layers()
  for _, layer in ipairs(layers) do
    local shown, n = {}, 0
    for span in doc:spans(layer) do
      n = n + 1
      if n <= SPANS_SHOWN then shown[n] = (span.label and span.label .. " " or "") .. "«" .. span.text:gsub("\n", " ") .. "»" end
    end
    out:write(string.format("spans:     %s (%d)%s\n", layer, n,
      n > 0 and ": " .. table.concat(shown, ", ") .. (n > SPANS_SHOWN and ", …" or "") or ""))
  end
  local values = json.encode(doc:values())
  if values ~= "{}" then out:write("values:    ", values, "\n") end
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
