-- Where documents come from: files, folders (recursively), standard input
-- and JSONL streams. Every failure is reported per document, with the file
-- and line, and reading goes on with the next one.
local core = require "lector.core"
local cjson = require "cjson"

local coroutine, error, ipairs, math, os, pairs, pcall, string, tostring, type =
  coroutine, error, ipairs, math, os, pairs, pcall, string, tostring, type
local _ENV = nil

local sources = {}

local json = cjson.new()
json.decode_max_depth(64)

local TEXT_EXTENSIONS = { txt = true, md = true }
local JSONL_EXTENSIONS = { jsonl = true, ndjson = true }
local RECORD_FIELDS = { id = true, title = true, text = true, meta = true }
local MAX_ID_BYTES = 256
local BOM = "\239\187\191"

local function extension(path)
  local ext = path:match "%.([%w]+)$"
  return ext and ext:lower()
end

-- The database used when none is named: $LECTOR_DB, else the XDG data
-- folder.
function sources.default_db()
  local env = os.getenv "LECTOR_DB"
  if env and env ~= "" then return env end
  local data = os.getenv "XDG_DATA_HOME"
  if not data or data == "" then
    local home = os.getenv "HOME"
    if not home or home == "" then return nil, "neither HOME nor XDG_DATA_HOME is set" end
    data = home .. "/.local/share"
  end
  return data .. "/lector/lector.db"
end

local function text_opts(opts, extra)
  local t = { lossy = opts.lossy, max_bytes = opts.max_bytes }
  for k, v in pairs(extra) do t[k] = v end
  return t
end

-- One JSONL record to a document; returns doc or nil, message.
local function record_document(line, where, opts)
  local ok, record = pcall(json.decode, line)
  if not ok then
    return nil, where .. ": not valid JSON (" .. tostring(record):gsub("^.-: ", "") .. ")", "json"
  end
  if type(record) ~= "table" or record[1] ~= nil then
    return nil, where .. ": a record must be a JSON object", "json"
  end
  local id = record.id
  if type(id) == "number" then
    if not math.tointeger(id) or math.abs(id) >= 2 ^ 53 then
      return nil, where .. ': "id" must be a string or an integer below 2^53 (quote larger ones)', "json"
    end
    id = tostring(math.tointeger(id))
  end
  if type(id) ~= "string" or id == "" then
    return nil, where .. ': the record has no "id" (a string or an integer)', "json"
  end
  if #id > MAX_ID_BYTES or id:find("\0", 1, true) then
    return nil, string.format('%s: "id" must be at most %d bytes, without NUL', where, MAX_ID_BYTES), "json"
  end
  if type(record.text) ~= "string" then
    return nil, where .. ": record " .. id .. ': "text" is missing or not a string', "json"
  end
  local title = record.title
  if type(title) ~= "string" then title = nil end
  local meta = record.meta
  if meta == cjson.null then meta = nil end
  if meta ~= nil and (type(meta) ~= "table" or meta[1] ~= nil) then
    return nil, where .. ": record " .. id .. ': "meta" must be an object', "json"
  end
  for key, value in pairs(record) do
    if not RECORD_FIELDS[key] and value ~= cjson.null then
      meta = meta or {}
      if meta[key] == nil then meta[key] = value end
    end
  end
  local doc, err, status = core.doc(record.text, text_opts(opts, {
    id = id, title = title, source = where, meta = meta,
  }))
  if not doc then return nil, where .. ": record " .. id .. ": " .. err, status end
  return doc
end

local function read_jsonl(reader, name, opts, yield)
  local max_line = (opts.max_bytes or core.default_max_bytes) * 2
  while true do
    local line, lineno, length = reader:line(max_line)
    if line == nil then
      if lineno then yield(nil, name .. ": " .. lineno, "io") end
      break
    end
    if lineno == 1 and line and line:sub(1, 3) == BOM then line = line:sub(4) end
    local where = name .. ":" .. lineno
    if line == false then
      yield(nil, string.format("%s: line too long (%d bytes; the limit is %d bytes)",
        where, length, max_line), "too_large")
    elseif line:find "%S" then
      yield(record_document(line, where, opts))
    end
  end
end

local function read_stdin(opts, yield)
  local reader, err = core.reader "-"
  if not reader then return yield(nil, "-: " .. err, "io") end
  local first = reader:peek()
  local mode = opts.input or "auto"
  if mode == "jsonl" or (mode == "auto" and first == "{") then
    read_jsonl(reader, "-", opts, yield)
  else
    local raw, read_err, status = reader:read_all(opts.max_bytes or core.default_max_bytes)
    if not raw then return yield(nil, "-: " .. read_err, status) end
    local doc, doc_err, doc_status = core.doc(raw, text_opts(opts, { source = "-", guess_title = true }))
    if not doc then return yield(nil, "-: " .. doc_err, doc_status) end
    yield(doc)
  end
  reader:close()
end

local function read_file(path, opts, yield)
  local mode = opts.input or "auto"
  if mode == "jsonl" or (mode == "auto" and JSONL_EXTENSIONS[extension(path) or ""]) then
    local reader, err = core.reader(path)
    if not reader then return yield(nil, err, "io") end
    read_jsonl(reader, path, opts, yield)
    reader:close()
    return
  end
  yield(core.load(path, text_opts(opts, {})))
end

local function read_dir(path, opts, yield, stats)
  local entries, err = core.listdir(path)
  if not entries then return yield(nil, err, "io") end
  for _, entry in ipairs(entries) do
    local child = path:gsub("/+$", "") .. "/" .. entry.name
    if entry.kind == "dir" then
      read_dir(child, opts, yield, stats)
    elseif entry.kind == "file" and TEXT_EXTENSIONS[extension(entry.name) or ""] then
      read_file(child, opts, yield)
    else
      stats.skipped = stats.skipped + 1
    end
  end
end

-- A whole small file (a pipeline file, a lock file, a key), refused when
-- over max bytes: text | nil, message.
function sources.read_small(path, max)
  local reader, err = core.reader(path)
  if not reader then return nil, err end
  local text, read_err = reader:read_all(max)
  reader:close()
  if not text then return nil, path .. ": " .. read_err end
  return text
end

-- lector.read(inputs [, opts]) -> iterator of doc | false, message, status
-- inputs: a path, "-" or a list of them. opts: lossy, max_bytes, input
-- ("auto", "text" or "jsonl"), stats (a table that gets counts: documents,
-- failed, skipped).
function sources.read(inputs, opts)
  opts = opts or {}
  if type(inputs) == "string" then inputs = { inputs } end
  if type(inputs) ~= "table" then error("bad argument #1 to 'read' (a path or a list of paths expected)", 2) end
  local stats = opts.stats or {}
  stats.documents, stats.failed, stats.skipped = 0, 0, 0
  local function yield(doc, err, status)
    if doc then stats.documents = stats.documents + 1 else stats.failed = stats.failed + 1 end
    coroutine.yield(doc or false, err, status)
  end
  local producer = coroutine.wrap(function()
    for _, input in ipairs(inputs) do
      if input == "-" then
        read_stdin(opts, yield)
      else
        local kind, err = core.kind(input)
        if kind == "dir" then
          read_dir(input, opts, yield, stats)
        elseif kind then
          read_file(input, opts, yield)
        else
          yield(nil, err, "io")
        end
      end
    end
  end)
  return producer
end

return sources
