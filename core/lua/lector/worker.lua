-- What a worker thread runs (lector.core.pool starts it in the thread's own
-- trusted state): the pipeline loaded once from a description, then the
-- passes of each document it is handed. Plans, results and the pipeline's
-- description cross between states as text written here: Lua literals,
-- which keep integers, floats and every byte of a string as they were.
local pipeline = require "lector.pipeline"
local sources = require "lector.sources"

local error, ipairs, load, math, pairs, string, table, tostring, type =
  error, ipairs, load, math, pairs, string, table, tostring, type
local _ENV = nil

local worker = {}

local MAX_DEPTH = 32

local function encode_into(value, parts, depth)
  local kind = type(value)
  if kind == "string" or kind == "number" then
    parts[#parts + 1] = string.format("%q", value)
  elseif kind == "boolean" or kind == "nil" then
    parts[#parts + 1] = tostring(value)
  elseif kind == "table" then
    if depth > MAX_DEPTH then error("worker data nested too deep", 0) end
    parts[#parts + 1] = "{"
    for key, item in pairs(value) do
      if type(key) ~= "string" and math.type(key) ~= "integer" then
        error("worker data has a key of type " .. type(key), 0)
      end
      parts[#parts + 1] = "["
      encode_into(key, parts, depth + 1)
      parts[#parts + 1] = "]="
      encode_into(item, parts, depth + 1)
      parts[#parts + 1] = ","
    end
    parts[#parts + 1] = "}"
  else
    error("worker data cannot hold a " .. kind, 0)
  end
end

-- Plain data (strings, numbers, booleans, tables of them) as text.
function worker.encode(value)
  local parts = {}
  encode_into(value, parts, 0)
  return table.concat(parts)
end

-- The value worker.encode wrote. Only lector's own text is decoded: it is
-- loaded as a text chunk with an empty environment all the same.
function worker.decode(text)
  local chunk, err = load("return " .. text, "=worker data", "t", {})
  if not chunk then error(err, 0) end
  return chunk()
end

-- A batch of tasks of sources.read's defer mode as text, without escaping
-- long lines: each task is "L" WHERE NUL LINE (a JSONL record) or "F" PATH
-- (a text file), with a 4-byte length before it. (Neither a path nor a
-- place holds a NUL.)
function worker.encode_tasks(tasks)
  local parts = {}
  for i, task in ipairs(tasks) do
    parts[i] = string.pack("<s4", task.line and "L" .. task.where .. "\0" .. task.line
      or "F" .. task.path)
  end
  return table.concat(parts)
end

local function decode_task(text)
  if text:sub(1, 1) == "F" then return { path = text:sub(2) } end
  local nul = text:find("\0", 2, true)
  return { where = text:sub(2, nul - 1), line = text:sub(nul + 1) }
end

-- A loader's handler: each task of the batch becomes its document. The
-- documents come back after the result, in order; the result lists the
-- tasks that failed, {[i] = {message, status}}, as text.
local function loader(opts)
  return function(_, input)
    local docs, failures, pos, i = {}, {}, 1, 0
    while pos <= #input do
      local text
      text, pos = string.unpack("<s4", input, pos)
      i = i + 1
      local doc, err, status = sources.build(decode_task(text), opts)
      if doc then docs[#docs + 1] = doc else failures[i] = { err, status } end
    end
    return worker.encode(failures), table.unpack(docs)
  end
end

-- worker.start(setup) -> handler. setup, encoded, is either {load = the
-- options of lector.read} — the handler builds documents from tasks — or
-- pipeline.describe's table — handler(doc, job) runs the passes the job
-- names and returns their entries as text. A plugin that cannot be loaded
-- raises, which fails the pool with its message.
function worker.start(setup)
  local spec = worker.decode(setup)
  if spec.load then return loader(spec.load) end
  local p, err = pipeline.open(spec)
  if not p then error(err, 0) end
  return function(doc, input)
    return worker.encode(pipeline.execute(p, doc, worker.decode(input)))
  end
end

return worker
