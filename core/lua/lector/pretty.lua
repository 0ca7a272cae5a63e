-- lector.pretty(value [, opts]) -> string: a readable rendering of any Lua
-- value for the REPL and for scripts. Tables are indented with cycles
-- marked; a Document shows as a header; lists of spans and lists of flat
-- rows (db:query results) as aligned tables; long values are cut with a
-- note. See docs/lua-api.md#pretty.
local core = require "lector.core"
local report = require "lector.report"

local debug, ipairs, math, next, pairs, pcall, rawget, rawlen, select, string, table, tostring,
  type, utf8 =
  debug, ipairs, math, next, pairs, pcall, rawget, rawlen, select, string, table, tostring,
  type, utf8
local _ENV = nil

local pretty = {}

local DEFAULTS = {
  color = false,   -- ANSI colors
  width = 100,     -- a table fits on one line when its rendering is at most this wide
  depth = 6,       -- nesting shown before a table becomes {…}
  items = 50,      -- entries shown per table
  rows = 20,       -- rows shown of a span or row table
  string = 300,    -- characters shown of a string
  cell = 40,       -- characters shown in one cell of an aligned table
}
pretty.DEFAULTS = DEFAULTS

local COLORS = { string = "32", number = "36", boolean = "35", ["nil"] = "35", key = "34",
  note = "2", head = "1", class = "33", func = "33" }

local getmetatable = debug and debug.getmetatable or nil

local function paint(opts, kind, text)
  if not opts.color then return text end
  return "\27[" .. COLORS[kind] .. "m" .. text .. "\27[0m"
end

local function width_of(text)
  return utf8.len(text) or #text
end

-- text cut to at most n characters, with "…" when cut.
local function cut(text, n)
  local len = utf8.len(text)
  if not len then
    text = text:gsub("[\128-\255]", "?")
    len = #text
  end
  if len <= n then return text, false end
  return text:sub(1, utf8.offset(text, n) - 1) .. "…", true
end

local function one_line(text)
  return (text:gsub("%s+", " "))
end

local function class_of(value)
  if type(value) ~= "userdata" or not getmetatable then return nil end
  local mt = getmetatable(value)
  local name = type(mt) == "table" and rawget(mt, "__name")
  return type(name) == "string" and name:match "^lector%.(.+)$" or nil
end
pretty.class_of = class_of

local function quote(value, opts)
  local text, was_cut = cut(value, opts.string)
  text = string.format("%q", text):gsub("\\\n", "\\n")
  local note = was_cut and paint(opts, "note", string.format(" (%d bytes, cut)", #value)) or ""
  return paint(opts, "string", text) .. note
end

local function number(value)
  if math.type(value) == "float" and value == math.floor(value) and value > -1e15 and value < 1e15 then
    return string.format("%.1f", value)
  end
  return math.type(value) == "float" and string.format("%.14g", value) or tostring(value)
end

local function func(value, opts)
  local info = debug and debug.getinfo(value, "S")
  if info and info.what ~= "C" then
    return paint(opts, "func", string.format("function <%s:%d>", info.short_src, info.linedefined))
  end
  return paint(opts, "func", "function: builtin")
end

-- ---- lector objects, in one line --------------------------------------------

local function span_line(s)
  return string.format("%s%s [%d, %d) «%s»", s.layer, s.label and " " .. s.label or "", s.start,
    s.stop, cut(one_line(s.text), 40))
end

local SHORT = {
  Document = function(d)
    local stats = d:stats()
    return string.format("%s%s, %d sentences", d.id, d.title and " «" .. cut(d.title, 40) .. "»" or "",
      stats.sentences)
  end,
  Sentence = function(s)
    return string.format("%d [%d, %d) «%s»", s.index, s.start, s.stop, cut(one_line(s.text), 60))
  end,
  Token = function(t)
    return string.format("%d %s %s [%d, %d) «%s»", t.index, t.kind, t.shape, t.start, t.stop, t.text)
  end,
  Span = span_line,
  Store = function(db) return db.path end,
  Lexicon = function(lex) return string.format("%d entries", #lex) end,
  Matcher = function(m) return string.format("%d patterns", #m) end,
  Graph = function(g) return string.format("%d nodes, %d edges", #g, g:edges()) end,
}

local function object(value, class, opts)
  local describe = SHORT[class]
  local ok, text = false, nil
  if describe then ok, text = pcall(describe, value) end
  if not ok then ok, text = pcall(tostring, value) end
  return paint(opts, "class", "<" .. class .. (ok and " " .. one_line(text) or "") .. ">")
end

-- ---- aligned tables -------------------------------------------------------------

local KEY_ATTRS = { "canonical", "id", "speaker", "value", "long", "mentions", "cue" }

local function scalar_text(v)
  if type(v) == "string" then return one_line(v) end
  if type(v) == "number" then return number(v) end
  if v == core.json.null then return "null" end
  return tostring(v)
end

-- The attributes worth a column: the usual ones first, then the rest by name.
local function key_attrs(attrs, n)
  local keys, seen = {}, {}
  for _, k in ipairs(KEY_ATTRS) do
    if attrs[k] ~= nil then keys[#keys + 1] = k; seen[k] = true end
  end
  local rest = {}
  for k in pairs(attrs) do if type(k) == "string" and not seen[k] then rest[#rest + 1] = k end end
  table.sort(rest)
  for _, k in ipairs(rest) do keys[#keys + 1] = k end
  local parts = {}
  for i = 1, math.min(n, #keys) do
    local v = attrs[keys[i]]
    parts[i] = keys[i] .. "=" .. (type(v) == "table" and "{…}" or scalar_text(v))
  end
  if #keys > n then parts[#parts + 1] = "…" end
  return table.concat(parts, " ")
end

local function aligned(header, rows, total, opts)
  local widths = {}
  for i, h in ipairs(header) do widths[i] = width_of(h) end
  for _, row in ipairs(rows) do
    for i = 1, #header do
      -- the last column has no neighbour to push: it may be twice as wide
      row[i] = cut(row[i] or "", i == #header and opts.cell * 2 or opts.cell)
      if width_of(row[i]) > widths[i] then widths[i] = width_of(row[i]) end
    end
  end
  local function line(cells, numeric, kind)
    local out = {}
    for i = 1, #header do
      local pad = string.rep(" ", widths[i] - width_of(cells[i]))
      local text = numeric and numeric[i] and pad .. cells[i] or cells[i] .. pad
      out[i] = kind and paint(opts, kind, text) or text
    end
    return (table.concat(out, "  "):gsub("%s+$", ""))
  end
  local numeric = {}
  for i = 1, #header do
    numeric[i] = #rows > 0
    for _, row in ipairs(rows) do
      if row[i] ~= "" and not row[i]:match "^%-?[%d.]+$" then numeric[i] = false end
    end
  end
  local lines = { line(header, numeric, "head") }
  for _, row in ipairs(rows) do lines[#lines + 1] = line(row, numeric) end
  if total > #rows then
    lines[#lines + 1] = paint(opts, "note", string.format("… %d more rows (%d in all)", total - #rows, total))
  end
  return table.concat(lines, "\n")
end

local function span_table(list, opts)
  local rows = {}
  for i = 1, math.min(#list, opts.rows) do
    local s = list[i]
    rows[i] = { one_line(s.text), s.label or "", tostring(s.start), tostring(s.stop),
      key_attrs(s.attrs, 3) }
  end
  return aligned({ "text", "label", "start", "end", "attrs" }, rows, #list, opts)
end

local function row_table(list, opts)
  local columns, seen = {}, {}
  for _, row in ipairs(list) do
    for k in next, row do
      if not seen[k] then seen[k] = true; columns[#columns + 1] = k end
    end
  end
  -- db:query rows do not keep the column order: names sort, ids first
  table.sort(columns, function(a, b)
    if (a == "id") ~= (b == "id") then return a == "id" end
    return a < b
  end)
  local rows = {}
  for i = 1, math.min(#list, opts.rows) do
    local cells = {}
    for j, k in ipairs(columns) do
      local v = list[i][k]
      cells[j] = v == nil and "" or scalar_text(v)
    end
    rows[i] = cells
  end
  return aligned(columns, rows, #list, opts)
end

-- A list (keys exactly 1..n, n >= 1) whose items are all Spans, or all
-- flat records (string keys, scalar values).
local function list_kind(t)
  local n = rawlen(t)
  if n == 0 or getmetatable and getmetatable(t) then return nil end
  local count = 0
  for _ in next, t do count = count + 1 end
  if count ~= n then return nil end
  if class_of(t[1]) == "Span" then
    for i = 2, n do if class_of(t[i]) ~= "Span" then return nil end end
    return "spans"
  end
  for i = 1, n do
    local row = t[i]
    if type(row) ~= "table" or getmetatable and getmetatable(row) or next(row) == nil then return nil end
    for k, v in next, row do
      local tv = type(v)
      if type(k) ~= "string" or not (tv == "string" or tv == "number" or tv == "boolean"
          or v == core.json.null) then
        return nil
      end
    end
  end
  return "rows"
end

-- ---- a Document ------------------------------------------------------------------

local thousands = report.thousands

local function document(d, opts)
  local stats = d:stats()
  local lines = { paint(opts, "head", "Document " .. d.id) }
  local function field(name, text)
    lines[#lines + 1] = "  " .. paint(opts, "key", string.format("%-8s", name)) .. " " .. text
  end
  if d.title then field("title", cut(one_line(d.title), opts.width)) end
  if d.source ~= d.id then field("source", d.source) end
  field("size", string.format("%s bytes, %s paragraphs, %s sentences, %s tokens, %s spans",
    thousands(stats.bytes), thousands(stats.paragraphs), thousands(stats.sentences),
    thousands(stats.tokens), thousands(stats.spans)))
  local layers = {}
  for _, layer in ipairs(d:layers()) do
    local n = 0
    for _ in d:spans(layer) do n = n + 1 end
    layers[#layers + 1] = string.format("%s (%d)", layer, n)
  end
  field("layers", #layers > 0 and table.concat(layers, ", ") or paint(opts, "note", "none"))
  local keys = {}
  for k in pairs(d:values()) do keys[#keys + 1] = k end
  table.sort(keys)
  field("values", #keys > 0 and table.concat(keys, ", ") or paint(opts, "note", "none"))
  if stats.repairs > 0 then field("repairs", tostring(stats.repairs)) end
  if #d.errors > 0 then field("errors", tostring(#d.errors) .. ": " .. cut(one_line(d.errors[1]), 80)) end
  return table.concat(lines, "\n")
end

-- ---- nested tables ------------------------------------------------------------------

local IDENTIFIER = "^[%a_][%w_]*$"
local KEYWORDS = {}
for word in ("and break do else elseif end false for function goto if in local nil not or "
    .. "repeat return then true until while"):gmatch "%a+" do KEYWORDS[word] = true end

local TYPE_ORDER = { number = 1, string = 2, boolean = 3 }

local function sorted_keys(t, n)
  local keys = {}
  for k in next, t do
    if not (math.type(k) == "integer" and k >= 1 and k <= n) then keys[#keys + 1] = k end
  end
  table.sort(keys, function(a, b)
    local ta, tb = TYPE_ORDER[type(a)] or 4, TYPE_ORDER[type(b)] or 4
    if ta ~= tb then return ta < tb end
    if ta <= 2 then return a < b end
    return tostring(a) < tostring(b)
  end)
  return keys
end

local render

local function key_text(k, opts)
  if type(k) == "string" and k:match(IDENTIFIER) and not KEYWORDS[k] then return paint(opts, "key", k) end
  return "[" .. render(k, opts, 0, {}, "") .. "]"
end

local function table_text(t, opts, depth, path, indent)
  if path[t] then return paint(opts, "note", string.format("<cycle: table: %p>", t)) end
  if next(t) == nil then return "{}" end
  if depth >= opts.depth then return paint(opts, "note", "{…}") end
  local kind = list_kind(t)
  if kind and depth == 0 then
    return kind == "spans" and span_table(t, opts) or row_table(t, opts)
  end
  path[t] = true
  local n = rawlen(t)
  local parts, shown, total = {}, 0, 0
  local inner = indent .. "  "
  for i = 1, n do
    total = total + 1
    if shown < opts.items then
      shown = shown + 1
      parts[shown] = render(rawget(t, i), opts, depth + 1, path, inner)
    end
  end
  for _, k in ipairs(sorted_keys(t, n)) do
    total = total + 1
    if shown < opts.items then
      shown = shown + 1
      parts[shown] = key_text(k, opts) .. " = " .. render(rawget(t, k), opts, depth + 1, path, inner)
    end
  end
  path[t] = nil
  if total > shown then parts[#parts + 1] = paint(opts, "note", string.format("… %d more", total - shown)) end
  local flat = "{ " .. table.concat(parts, ", ") .. " }"
  if not flat:find("\n", 1, true) and width_of(flat) + #indent <= opts.width then return flat end
  return "{\n" .. inner .. table.concat(parts, ",\n" .. inner) .. "\n" .. indent .. "}"
end

function render(value, opts, depth, path, indent)
  local tv = type(value)
  if tv == "string" then return quote(value, opts) end
  if tv == "number" then return paint(opts, "number", number(value)) end
  if tv == "boolean" or tv == "nil" then return paint(opts, tv, tostring(value)) end
  if tv == "function" then return func(value, opts) end
  if value == core.json.null then return paint(opts, "nil", "json.null") end
  local class = class_of(value)
  if class then
    if class == "Document" and depth == 0 then
      local ok, text = pcall(document, value, opts)
      if ok then return text end
    end
    return object(value, class, opts)
  end
  if tv == "table" then return table_text(value, opts, depth, path, indent) end
  return paint(opts, "func", tostring(value))
end

-- pretty.format(value [, opts]) -> string
function pretty.format(value, opts)
  local o = {}
  for k, v in pairs(DEFAULTS) do o[k] = v end
  for k, v in pairs(opts or {}) do o[k] = v end
  if type(value) == "string" and o.raw then
    local text, was_cut = cut(value, o.string)
    if not was_cut or o.note == false then return text end
    return text .. paint(o, "note", string.format(" (%d bytes, cut)", #value))
  end
  return render(value, o, 0, {}, "")
end

-- pretty.values(opts, ...) -> string: several results, tab-separated when
-- each fits on one line, else one after the other.
function pretty.values(opts, ...)
  local n = select("#", ...)
  local parts, multi = {}, false
  for i = 1, n do
    parts[i] = pretty.format((select(i, ...)), opts)
    multi = multi or parts[i]:find("\n", 1, true) ~= nil
  end
  return table.concat(parts, multi and "\n" or "\t")
end

return pretty
