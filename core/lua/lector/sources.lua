-- Where documents come from: files, folders (recursively), standard input,
-- JSONL streams (gzip-compressed or not) and file-name patterns. Every
-- failure is reported per document, with the file and line, and reading
-- goes on with the next one.
--
-- Standard input on a pipe or a terminal is a stream: its records are given
-- as soon as their lines are whole, and it cannot be read again, so
-- opts.stop does not end it. It ends at its end of input, or when the
-- process is interrupted: its reader then reads nothing more and gives the
-- records it holds whole (core/lua_reader.c).
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

-- .jsonl and .ndjson files, gzip-compressed (.jsonl.gz) or not.
local function is_jsonl(path)
  local ext = extension(path) or ""
  if ext == "gz" then ext = extension(path:sub(1, -4)) or "" end
  return JSONL_EXTENSIONS[ext] == true
end

-- A name the shell would expand: *, ? or [.
local function is_pattern(input)
  return input:find "[%*%?%[]" ~= nil
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

-- Whether opts.stop asks the reading to end.
local function stopping(opts)
  return opts.stop ~= nil and opts.stop()
end

local function read_jsonl(reader, name, opts, yield, stats)
  local max_line = (opts.max_bytes or core.default_max_bytes) * 2
  local before = stats.input_bytes
  local stream = reader:stream()
  local function put(doc, err, status)
    yield(doc, err, status, stream)
  end
  while true do
    if not stream and stopping(opts) then break end
    local line, lineno, length = reader:line(max_line, not (stream and opts.waits))
    if line == true then
      -- The next record is not whole yet: the caller may finish its work
      -- before this waits for it.
      coroutine.yield(false, nil, "wait")
      line, lineno, length = reader:line(max_line)
    end
    stats.input_bytes = before + reader:offset()
    if line == nil then
      if lineno then put(nil, name .. ": " .. lineno, "io") end
      break
    end
    if lineno == 1 and line and line:sub(1, 3) == BOM then line = line:sub(4) end
    local where = name .. ":" .. lineno
    if line == false then
      put(nil, string.format("%s: line too long (%d bytes; the limit is %d bytes)",
        where, length, max_line), "too_large")
    elseif not line:find "%S" then
      -- a blank line is no record
    elseif opts.defer then
      put { line = line, where = where }
    else
      put(record_document(line, where, opts))
    end
  end
end

local function read_stdin(opts, yield, stats)
  local reader, err = core.reader "-"
  if not reader then return yield(nil, "-: " .. err, "io") end
  local first = reader:peek()
  local mode = opts.input or "auto"
  if mode == "jsonl" or (mode == "auto" and first == "{") then
    read_jsonl(reader, "-", opts, yield, stats)
  else
    local stream = reader:stream()
    local raw, read_err, status = reader:read_all(opts.max_bytes or core.default_max_bytes)
    if raw then
      local doc, doc_err, doc_status = core.doc(raw, text_opts(opts, { source = "-", guess_title = true }))
      if doc then yield(doc, nil, nil, stream)
      else yield(nil, "-: " .. doc_err, doc_status, stream) end
    elseif read_err then
      yield(nil, "-: " .. read_err, status, stream)
    end
    -- (neither: an interruption ended the stream before the text did, and
    -- what came of it is dropped)
  end
  reader:close()
end

local function read_file(path, opts, yield, stats, size)
  local mode = opts.input or "auto"
  local before = stats.input_bytes
  if mode == "jsonl" or (mode == "auto" and is_jsonl(path)) then
    local reader, err = core.reader(path)
    if not reader then return yield(nil, err, "io") end
    read_jsonl(reader, path, opts, yield, stats)
    reader:close()
  else
    stats.input_bytes = before + (size or 0)
    if opts.defer then yield { path = path }
    else yield(core.load(path, text_opts(opts, {}))) end
  end
  if size then stats.input_bytes = before + size end
end

-- Does a folder walk take this file? .txt and .md; with folder_jsonl,
-- JSONL files too.
local function wanted(name, opts)
  return TEXT_EXTENSIONS[extension(name) or ""] or (opts.folder_jsonl and is_jsonl(name))
end

local function read_dir(path, opts, yield, stats)
  local entries, err = core.listdir(path)
  if not entries then return yield(nil, err, "io") end
  for _, entry in ipairs(entries) do
    if stopping(opts) then return end
    local child = path:gsub("/+$", "") .. "/" .. entry.name
    if entry.kind == "dir" then
      read_dir(child, opts, yield, stats)
    elseif entry.kind == "file" and wanted(entry.name, opts) then
      local _, size = core.kind(child)
      read_file(child, opts, yield, stats, size)
    else
      stats.skipped = stats.skipped + 1
    end
  end
end

-- sources.build(task, opts) -> doc | nil, message, status: the document a
-- task of lector.read's defer mode stands for ({line =, where =}, a JSONL
-- record, or {path =}, a text file), built as lector.read would have.
function sources.build(task, opts)
  if task.line then return record_document(task.line, task.where, opts) end
  return core.load(task.path, text_opts(opts, {}))
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

-- The files a pattern names, or the pattern's failure.
local function expand(input)
  local paths, err = core.glob(input)
  if not paths then return nil, err end
  if #paths == 0 then return nil, input .. ": no file matches this pattern" end
  return paths
end

-- One input: "-", a folder, a file, or a pattern (when no file has that
-- very name).
local function read_input(input, opts, yield, stats)
  if input == "-" then return read_stdin(opts, yield, stats) end
  local kind, size = core.kind(input)
  if kind == "dir" then
    read_dir(input, opts, yield, stats)
  elseif kind then
    read_file(input, opts, yield, stats, size)
  elseif is_pattern(input) then
    local paths, err = expand(input)
    if not paths then return yield(nil, err, "io") end
    for _, path in ipairs(paths) do
      if stopping(opts) then return end
      read_input(path, opts, yield, stats)
    end
  else
    yield(nil, size, "io")
  end
end

local function size_of(input, opts)
  if input == "-" then return nil end
  local kind, size = core.kind(input)
  if kind == "file" then return size end
  if kind == "dir" then
    local total = 0
    for _, entry in ipairs(core.listdir(input) or {}) do
      local child = input:gsub("/+$", "") .. "/" .. entry.name
      if entry.kind == "dir" then
        total = total + (size_of(child, opts) or 0)
      elseif entry.kind == "file" and wanted(entry.name, opts) then
        total = total + (size_of(child, opts) or 0)
      end
    end
    return total
  end
  if not kind and is_pattern(input) then
    local total = 0
    for _, path in ipairs(expand(input) or {}) do total = total + (size_of(path, opts) or 0) end
    return total
  end
  return 0
end

-- sources.size(inputs [, opts]) -> the bytes lector.read will read from
-- files (compressed bytes for gzip), or nil when standard input is among
-- the inputs: what a progress display measures against.
function sources.size(inputs, opts)
  local total = 0
  for _, input in ipairs(inputs) do
    local size = size_of(input, opts or {})
    if not size then return nil end
    total = total + size
  end
  return total
end

-- lector.read(inputs [, opts]) -> iterator of doc | false, message, status
-- inputs: a path, a pattern ("corpus/*.jsonl.gz"), "-" or a list of them.
-- opts: lossy, max_bytes, input ("auto", "text" or "jsonl"), folder_jsonl
-- (folders give their JSONL files too), stats (a table that gets counts:
-- documents, failed, skipped, and input_bytes, the bytes of input files
-- read so far), defer (give a task, plain data for sources.build, instead
-- of each JSONL record's or text file's document, so that another thread
-- can build it; tasks count as documents), stop (a function checked before
-- each input, file and record: once it returns true, reading ends; a
-- stream, though, is read on: see the top of this file), waits
-- (give false, nil, "wait" before waiting for a stream's next record, and
-- count it nowhere).
-- A fourth value comes with each document or failure: true when it was
-- read from a stream.
function sources.read(inputs, opts)
  opts = opts or {}
  if type(inputs) == "string" then inputs = { inputs } end
  if type(inputs) ~= "table" then error("bad argument #1 to 'read' (a path or a list of paths expected)", 2) end
  if opts.stop ~= nil and type(opts.stop) ~= "function" then
    error("bad argument #2 to 'read' (field 'stop' must be a function)", 2)
  end
  local stats = opts.stats or {}
  stats.documents, stats.failed, stats.skipped, stats.input_bytes = 0, 0, 0, 0
  local function yield(doc, err, status, stream)
    if doc then stats.documents = stats.documents + 1 else stats.failed = stats.failed + 1 end
    coroutine.yield(doc or false, err, status, stream or false)
  end
  local producer = coroutine.wrap(function()
    for _, input in ipairs(inputs) do
      if stopping(opts) then return end
      read_input(input, opts, yield, stats)
    end
  end)
  return producer
end

return sources
