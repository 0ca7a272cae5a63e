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
