-- What the bench scripts share: command-line
-- options, the corpus (Reuters-21578 from ../shared/eval, else a generated
-- one), running a helper process and reading its key=value line, and a
-- scratch folder. Loaded with dofile(ROOT .. "/bench/common.lua").
local json = require "cjson"

local B = {}

-- The repository's root, from the path of the running script
-- (ROOT/bench/x.lua or ROOT/bench/peers/x.lua).
B.root = arg[0]:match "^(.*)/bench/peers/[^/]*$" or arg[0]:match "^(.*)/bench/[^/]*$" or "."

function B.quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- 1234567 -> "1,234,567"
function B.thousands(n)
  local s = string.format("%.0f", n)
  return (s:reverse():gsub("(%d%d%d)", "%1,"):reverse():gsub("^,", ""))
end

function B.exists(path)
  local f = io.open(path)
  if f then f:close() end
  return f ~= nil
end

-- The value after --NAME on the command line, else default.
function B.option(name, default)
  for i = 1, #arg do
    if arg[i] == "--" .. name then return arg[i + 1] end
  end
  return default
end

-- Wall-clock seconds (Lua has no such clock of its own).
function B.clock()
  local f = assert(io.popen "date +%s.%N")
  local t = tonumber(f:read "l")
  f:close()
  return t
end

-- This process's peak resident memory, in KiB.
function B.peak_rss_kb()
  for line in io.lines "/proc/self/status" do
    local kb = line:match "^VmHWM:%s+(%d+)"
    if kb then return tonumber(kb) end
  end
  return 0
end

-- A fresh scratch folder, removed by B.cleanup.
function B.tmpdir()
  local tmp = os.tmpname()
  os.remove(tmp)
  assert(os.execute("mkdir -p " .. B.quote(tmp)))
  return tmp
end

function B.cleanup(dir)
  os.execute("rm -rf " .. B.quote(dir))
end

-- Run a shell command; return the table of the key=value pairs it printed
-- (numbers where they read as numbers) and its output, or nil, message.
-- Its standard error is left alone, so its complaints are seen.
function B.run(command)
  local f = assert(io.popen(command))
  local output = f:read "a"
  local ok, _, code = f:close()
  local fields = {}
  for k, v in output:gmatch "([%w_]+)=(%S+)" do fields[k] = tonumber(v) or v end
  if not ok or not next(fields) then
    return nil, string.format("%s\nexited with %s:\n%s", command, tostring(code), output)
  end
  return fields, output
end

-- The one-minute load average: how busy the machine was (others' work
-- disturbs every wall-clock figure).
function B.loadavg()
  local text = B.read "/proc/loadavg"
  return tonumber(text:match "^(%S+)") or 0
end

function B.read(path)
  local f = io.open(path, "rb")
  if not f then return "" end
  local data = f:read "a"
  f:close()
  return data
end

function B.file_size(path)
  local f = io.open(path, "rb")
  if not f then return 0 end
  local size = f:seek "end"
  f:close()
  return size
end

-- A deterministic news-like corpus for machines without the eval data.
function B.generate(path, count)
  local words = { "the", "government", "said", "on", "Tuesday", "that", "exports", "rose",
    "by", "4.5", "pct", "in", "March", "U.S.", "officials", "Mr.", "Smith", "told",
    "Reuters", "prices", "of", "1,250", "dlrs", "a", "tonne", "were", "expected", "to",
    "fall", "company", "shares", "Inc.", "analysts", "market", "week", "Brazil", "coffee" }
  local seed = 12345
  local function random(n)
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed % n + 1
  end
  local f = assert(io.open(path, "w"))
  for i = 1, count do
    local paragraphs = {}
    for p = 1, 3 + random(4) do
      local sentences = {}
      for s = 1, 2 + random(3) do
        local w = {}
        for k = 1, 8 + random(18) do w[k] = words[random(#words)] end
        w[1] = w[1]:gsub("^%l", string.upper)
        sentences[s] = table.concat(w, " ") .. "."
      end
      paragraphs[p] = table.concat(sentences, " ")
    end
    f:write(json.encode { id = "gen-" .. i, title = "Generated " .. i,
      text = table.concat(paragraphs, "\n\n") }, "\n")
  end
  f:close()
end

B.REUTERS = B.root .. "/../shared/eval/reuters21578/corpus.jsonl"

-- The corpus to measure: `given` when set, else Reuters-21578 when it is
-- there, else a generated one written into tmp. Returns path, name.
function B.corpus(given, tmp)
  if given then return given, given:match "[^/]*$" end
  if B.exists(B.REUTERS) then return B.REUTERS, "Reuters-21578" end
  local path = tmp .. "/generated.jsonl"
  B.generate(path, 20000)
  return path, "generated"
end

-- The first `limit` records of a JSONL corpus that have a text (all of
-- them when limit is nil), copied to `path` when it is given. Returns how
-- many there are.
function B.head(corpus, limit, path)
  local out = path and assert(io.open(path, "w"))
  local n = 0
  for line in io.lines(corpus) do
    if limit and n >= limit then break end
    local ok, record = pcall(json.decode, line)
    if ok and type(record) == "table" and type(record.text) == "string" then
      if out then out:write(line, "\n") end
      n = n + 1
    end
  end
  if out then out:close() end
  return n
end

return B
