-- One pass's throughput, in its own process:
--   lector run bench/passes.lua CORPUS.jsonl LIMIT PASS
-- Runs the bundled pass PASS (and the passes it requires) over the first
-- LIMIT records, then prints key=value pairs for bench.lua: the bytes
-- analysed and the seconds spent in PASS alone, as the pipeline times it
-- (loading and segmenting are not counted).
local lector = require "lector"

local corpus, limit, name = arg[1], tonumber(arg[2]), arg[3]
assert(corpus and limit and name, "usage: passes.lua CORPUS LIMIT PASS")

local p = assert(lector.pipeline { name })
local docs, bytes, seconds, failed, peak = 0, 0, 0, 0, 0
for doc in lector.read(corpus) do
  if doc then
    local report = assert(p:run(doc))
    for _, pass in ipairs(report.passes) do
      if pass.name == name then
        seconds = seconds + (pass.seconds or 0)
        peak = math.max(peak, pass.memory or 0)
        if pass.status == "failed" then failed = failed + 1 end
      end
    end
    docs, bytes = docs + 1, bytes + doc.len
  end
  if docs >= limit then break end
end
p:close()
print(string.format("docs=%d bytes=%d failed=%d seconds=%.6f peak_kb=%d", docs, bytes, failed,
  seconds, peak // 1024))
