-- One ingest run, in its own process so its peak memory is its own:
--   lector run bench/ingest.lua CORPUS.jsonl LIMIT DB
-- Loads, segments and stores the first LIMIT records, then prints
-- key=value pairs for bench.lua.
local lector = require "lector"
local B = dofile((arg[0]:match "^(.*)/[^/]*$" or ".") .. "/common.lua")

local corpus, limit, db_path = arg[1], tonumber(arg[2]), arg[3]
assert(corpus and limit and db_path, "usage: ingest.lua CORPUS LIMIT DB")

local clock, peak_rss_kb = B.clock, B.peak_rss_kb

os.remove(db_path)
local db = assert(lector.open(db_path))
local docs, bytes, failed = 0, 0, 0
local start = clock()
for doc in lector.read(corpus) do
  if doc then
    assert(db:save(doc))
    docs, bytes = docs + 1, bytes + doc.len
  else
    failed = failed + 1
  end
  if docs >= limit then break end
end
db:close()
local seconds = clock() - start
print(string.format("docs=%d bytes=%d failed=%d seconds=%.6f peak_rss_kb=%d",
  docs, bytes, failed, seconds, peak_rss_kb()))
