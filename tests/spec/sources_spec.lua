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
  end)
end)
