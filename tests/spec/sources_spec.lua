-- lector.read: every document of files, folders and JSONL, with failures
-- reported in place and counted.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"

describe("lector.read", function()
  it("reads a folder recursively in name order and counts what it skips", function()
    local dir = H.tmpdir()
    os.execute("mkdir -p " .. H.quote(dir .. "/b") .. " " .. H.quote(dir .. "/a"))
    H.write(dir .. "/b/two.txt", "Two.")
    H.write(dir .. "/a/one.md", "One.")
    H.write(dir .. "/a/notes.csv", "x,y")
    os.execute("ln -s " .. H.quote(dir .. "/b/two.txt") .. " " .. H.quote(dir .. "/a/link.txt"))
    local stats, ids = {}, {}
    for doc in lector.read(dir, { stats = stats }) do ids[#ids + 1] = doc.id end
    assert.same({ dir .. "/a/one.md", dir .. "/b/two.txt" }, ids)
    assert.same({ documents = 2, failed = 0, skipped = 2, input_bytes = 8 }, stats)
  end)

  it("gives false and a message for a refused document, then goes on", function()
    local dir = H.tmpdir()
    local jsonl = H.write(dir .. "/in.jsonl", '{"id":"1","text":"Fine."}\n{oops}\n{"id":"3","text":""}\n{"id":"4","text":"Also fine."}\n')
    local seen = {}
    local stats = {}
    for doc, err, status in lector.read({ jsonl, dir .. "/missing.txt" }, { stats = stats }) do
      seen[#seen + 1] = doc and doc.id or (status .. ": " .. err)
    end
    assert.equal("1", seen[1])
    assert.matches("^json: " .. jsonl:gsub("%p", "%%%0") .. ":2: not valid JSON", seen[2])
    assert.equal("empty: " .. jsonl .. ":3: record 3: empty input (no text)", seen[3])
    assert.equal("4", seen[4])
    assert.matches("^io: .*missing.txt: No such file or directory", seen[5])
    assert.same({ documents = 2, failed = 3, skipped = 0, input_bytes = #H.read(jsonl) }, stats)
  end)

  it("can force the input mode", function()
    local path = H.write(H.tmpdir() .. "/records.txt", '{"id":"r","text":"As JSON."}\n')
    local docs = {}
    for doc in lector.read(path, { input = "jsonl" }) do docs[#docs + 1] = doc end
    assert.equal("r", docs[1].id)
    for doc in lector.read(path) do assert.equal(path, doc.id) end
  end)

  it("refuses a bad argument", function()
    assert.error_matches(function() lector.read(42) end, "bad argument #1 to 'read'")
    assert.error_matches(function() lector.read("x.txt", { stop = true }) end,
      "field 'stop' must be a function")
  end)

  it("stops between records and inputs once stop says so", function()
    local dir = H.tmpdir()
    local jsonl = H.write(dir .. "/in.jsonl", '{"id":"1","text":"One."}\n{"id":"2","text":"Two."}\n{"id":"3","text":"Three."}\n')
    local ids = {}
    for doc in lector.read({ jsonl, H.article }, { stop = function() return #ids == 2 end }) do
      ids[#ids + 1] = doc.id
    end
    assert.same({ "1", "2" }, ids)
  end)

  -- Records in gzip, from a shell pipeline writing to FILE.
  local function gzip_file(dir, name, shell)
    local path = dir .. "/" .. name
    assert(os.execute("cd " .. H.quote(dir) .. " && (" .. shell .. ") > " .. H.quote(name)))
    return path
  end

  it("reads gzip members written one after the other, and nothing of what follows them", function()
    local dir = H.tmpdir()
    local path = gzip_file(dir, "two.jsonl.gz", [[
      printf '{"id":"1","text":"One."}\n' | gzip -c
      printf '{"id":"2","text":"Two."}\n' | gzip -c
      printf 'not gzip'
    ]])
    local ids = {}
    for doc, err in lector.read(path) do ids[#ids + 1] = doc and doc.id or err end
    assert.same({ "1", "2" }, ids)
  end)

  it("reads gzip data larger than its buffers whole", function()
    local dir = H.tmpdir()
    local lines, letters = {}, {}
    local seed = 7
    for i = 1, 400 do
      for j = 1, 1000 do
        seed = (seed * 1103515245 + 12345) % 2147483648
        letters[j] = string.char(97 + seed // 65536 % 26)
      end
      lines[i] = string.format('{"id":"r%d","text":"%s."}', i, table.concat(letters))
    end
    H.write(dir .. "/big.jsonl", table.concat(lines, "\n") .. "\n")
    local path = gzip_file(dir, "big.jsonl.gz", "gzip -c big.jsonl")
    assert.is_true(#H.read(path) > 128 * 1024)   -- more than the first read takes
    local n, stats = 0, {}
    for doc in lector.read(path, { stats = stats }) do
      n = n + 1
      assert.equal("r" .. n, doc.id)
    end
    assert.equal(400, n)
    assert.equal(#H.read(path), stats.input_bytes)
  end)

  it("refuses gzip data cut short, after the records it held whole", function()
    local dir = H.tmpdir()
    local whole = gzip_file(dir, "whole.jsonl.gz",
      [[printf '{"id":"1","text":"One."}\n{"id":"2","text":"Two."}\n' | gzip -c]])
    local bytes = H.read(whole)
    local cut = H.write(dir .. "/cut.jsonl.gz", bytes:sub(1, #bytes - 4))   -- no length at the end
    local seen = {}
    for doc, err, status in lector.read(cut) do seen[#seen + 1] = doc and doc.id or (status .. ": " .. err) end
    assert.same({ "1", "2", "io: " .. cut .. ": read: not valid gzip data (unexpected end of file)" }, seen)
  end)
end)
