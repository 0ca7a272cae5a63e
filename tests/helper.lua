-- Shared by the specs: where things are, and how to run the lector binary
-- and look at what it did.
local H = {}

H.bin = assert(os.getenv "LECTOR_BIN", "LECTOR_BIN is not set (run the specs through ctest)")
H.fixtures = assert(os.getenv "LECTOR_FIXTURES")
H.source_dir = assert(os.getenv "LECTOR_SOURCE_DIR")
H.article = H.fixtures .. "/000_eec91c594e6a2ce7.txt"

function H.quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

function H.read(path)
  local f = assert(io.open(path, "rb"))
  local data = f:read "a"
  f:close()
  return data
end

function H.write(path, bytes)
  local f = assert(io.open(path, "wb"))
  f:write(bytes)
  f:close()
  return path
end

local counter = 0
-- A fresh, empty folder for one test.
function H.tmpdir()
  counter = counter + 1
  local base = os.getenv "LECTOR_TEST_HOME" or "/tmp"
  local path = string.format("%s/tmp-%d-%d", base, os.time(), counter)
  os.execute("rm -rf " .. H.quote(path) .. " && mkdir -p " .. H.quote(path))
  return path
end

-- Run `lector ARGS...`; opts.stdin is a string fed on standard input,
-- opts.env a string of VAR=value words. Returns {code, out, err}.
function H.lector(args, opts)
  opts = opts or {}
  local dir = H.tmpdir()
  local words = {}
  for i, a in ipairs(args) do words[i] = H.quote(a) end
  local input = "/dev/null"
  if opts.stdin then input = H.write(dir .. "/stdin", opts.stdin) end
  local command = string.format("cd %s && %s %s %s < %s > %s/out 2> %s/err",
    H.quote(opts.cwd or dir), opts.env or "", H.quote(H.bin), table.concat(words, " "),
    H.quote(input), H.quote(dir), H.quote(dir))
  local _, _, code = os.execute(command)
  return { code = code, out = H.read(dir .. "/out"), err = H.read(dir .. "/err") }
end

-- Turn the lector database at path back into schema version 6 (doc_values
-- WITHOUT ROWID, as version 6 made it), in one connection: an older file
-- for the tests of upgrades.
function H.downgrade_to_schema_6(path)
  local script = H.write(H.tmpdir() .. "/downgrade.lua", [[
    local db = assert(require("lector").open(arg[1]))
    for _, sql in ipairs {
      "CREATE TABLE old_values AS SELECT doc_id, key, value, run_id FROM doc_values",
      "DROP TABLE doc_values",
      "CREATE TABLE doc_values(doc_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, "
        .. "run_id INTEGER, PRIMARY KEY (doc_id, key)) WITHOUT ROWID",
      "INSERT INTO doc_values SELECT * FROM old_values",
      "DROP TABLE old_values",
      "PRAGMA user_version = 6",
    } do assert(db:query(sql)) end
    db:close()]])
  local r = H.lector { "run", script, path }
  assert(r.code == 0, r.err)
end

function H.lines(s)
  local t = {}
  for line in s:gmatch "[^\n]+" do t[#t + 1] = line end
  return t
end

-- A plugin "slow" whose pass takes a few milliseconds per document and
-- sets the value "slow": long enough runs to interrupt.
H.SLOW_PLUGIN = [[
  return { name = "slow", version = "1.0.0", kind = "x", run = function(doc)
    local x = 0
    for i = 1, 200000 do x = x + i % 7 end
    doc:set("slow", x)
  end }]]

-- Whether pred() comes true within about `seconds`, asking every 0.1 s.
function H.eventually(pred, seconds)
  for _ = 1, seconds * 10 do
    if pred() then return true end
    os.execute "sleep 0.1"
  end
  return pred() and true or false
end

local Background = {}
Background.__index = Background

-- Start `lector ARGS...` in the background in folder dir, its standard
-- input a pipe (the FIFO dir/stdin) that the test writes to and keeps open
-- until it closes it, its output in dir/out and dir/err.
function H.background(dir, args)
  local words = {}
  for i, a in ipairs(args) do words[i] = H.quote(a) end
  assert(os.execute("mkfifo " .. H.quote(dir .. "/stdin")))
  os.execute(string.format("cd %s && (%s %s < stdin > out 2> err & echo $! > pid; wait $!; echo $? > rc) &",
    H.quote(dir), H.quote(H.bin), table.concat(words, " ")))
  local input = assert(io.open(dir .. "/stdin", "wb"))   -- once lector opened its end
  local pid
  assert(H.eventually(function()
    local f = io.open(dir .. "/pid")
    pid = f and tonumber(f:read "a")
    if f then f:close() end
    return pid ~= nil
  end, 10), "lector did not start")
  return setmetatable({ dir = dir, pid = pid, input = input }, Background)
end

function Background:write(bytes)
  self.input:write(bytes)
  self.input:flush()
end

function Background:signal(name)
  os.execute("kill -" .. name .. " " .. self.pid)
end

function Background:read(name)
  local f = io.open(self.dir .. "/" .. name, "rb")
  local text = f and f:read "a" or ""
  if f then f:close() end
  return text
end

-- The exit code once lector has exited by itself, within `seconds`; nil
-- when it has not (it is then killed).
function Background:exit_code(seconds)
  local code
  H.eventually(function()
    code = tonumber(self:read "rc")
    return code ~= nil
  end, seconds)
  if not code then self:kill() end
  return code
end

-- Kill lector if it still runs, and close its input.
function Background:kill()
  if self:read "rc" == "" then os.execute("kill -9 " .. self.pid .. " 2> /dev/null") end
  if self.input then
    self.input:close()
    self.input = nil
  end
end

-- A fresh folder holding FILES (relative path -> content).
function H.project(files)
  local dir = H.tmpdir()
  for path, body in pairs(files) do
    local folder = path:match "^(.*)/"
    if folder then os.execute("mkdir -p " .. H.quote(dir .. "/" .. folder)) end
    H.write(dir .. "/" .. path, body)
  end
  return dir
end

-- A database holding the fixture article and the small corpus, analysed with
-- the bundled passes once per spec file.
local analysed_corpus
function H.corpus_db()
  if not analysed_corpus then
    analysed_corpus = H.tmpdir() .. "/corpus.db"
    local r = H.lector { "analyze", "--db", analysed_corpus, H.article, H.fixtures .. "/corpus" }
    assert(r.code == 0, r.err)
  end
  return analysed_corpus
end

return H
