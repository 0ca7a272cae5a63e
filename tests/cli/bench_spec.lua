-- The benchmark harness's own handling of its arguments and of a machine
-- without Node.js (bench/peers/peers.lua), and its helpers on real text
-- (bench/pipeline.lua, lector-bench-measure). No timing is asserted.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local json = require "cjson"

local PEERS = H.source_dir .. "/bench/peers/peers.lua"
local PIPELINE = H.source_dir .. "/bench/pipeline.lua"
local BUILD = H.bin:match "^(.*)/[^/]*$"

local function peers(args, env)
  local full = { "run", PEERS }
  for _, a in ipairs(args) do full[#full + 1] = a end
  return H.lector(full, { env = env })
end

-- A folder holding only a `node` that prints `version`.
local function fake_node(version)
  local dir = H.tmpdir()
  H.write(dir .. "/node", "#!/bin/sh\necho " .. version .. "\n")
  os.execute("chmod +x " .. H.quote(dir .. "/node"))
  return dir
end

-- The sample article as a one-record JSONL corpus.
local function article_corpus()
  local path = H.tmpdir() .. "/corpus.jsonl"
  H.write(path, json.encode { id = "article", text = H.read(H.article) } .. "\n")
  return path
end

local function fields(out)
  local t = {}
  for k, v in out:gmatch "([%w_]+)=(%S+)" do t[k] = tonumber(v) or v end
  return t
end

describe("make bench-peers (bench/peers/peers.lua)", function()
  it("refuses an unknown argument with exit code 2 and the usage", function()
    local r = peers { "--frobnicate" }
    assert.equal(2, r.code)
    assert.matches("bench-peers: unknown argument '--frobnicate'", r.err, 1, true)
    assert.matches("usage: lector run bench/peers/peers.lua", r.err, 1, true)
  end)

  it("refuses a --limit that is not a whole number of documents", function()
    for _, bad in ipairs { "0", "-3", "2.5", "many" } do
      local r = peers { "--build", BUILD, "--limit", bad }
      assert.equal(2, r.code)
      assert.matches("--limit needs a whole number of documents, at least 1, not '" .. bad .. "'",
        r.err, 1, true)
    end
  end)

  it("refuses an option without its value, a missing corpus and a build without lector", function()
    local r = peers { "--corpus" }
    assert.equal(2, r.code)
    assert.matches("--corpus needs a value", r.err, 1, true)
    r = peers { "--corpus", "/nonexistent/corpus.jsonl" }
    assert.equal(2, r.code)
    assert.matches("--corpus: /nonexistent/corpus.jsonl: no such file", r.err, 1, true)
    r = peers { "--build", "/nonexistent" }
    assert.equal(2, r.code)
    assert.matches("--build: no lector binary in /nonexistent", r.err, 1, true)
  end)

  it("says Node.js is missing, with exit code 3, when no node is on PATH", function()
    local r = peers({ "--build", BUILD }, "PATH=/nonexistent")
    assert.equal(3, r.code)
    assert.matches("Node.js is needed to run the other libraries, and no `node` is on PATH",
      r.err, 1, true)
    assert.matches("`make bench` needs no Node", r.err, 1, true)
  end)

  it("says which Node.js is too old", function()
    local r = peers({ "--build", BUILD }, "PATH=" .. H.quote(fake_node "v16.20.0"))
    assert.equal(3, r.code)
    assert.equal("bench-peers: Node.js 18 or newer is needed; `node --version` says v16.20.0\n",
      r.err)
  end)

  it("says npm is missing when node is there without it", function()
    local r = peers({ "--build", BUILD }, "PATH=" .. H.quote(fake_node "v20.1.0"))
    assert.equal(3, r.code)
    assert.matches("npm is needed to install the other libraries, and no `npm` is on PATH",
      r.err, 1, true)
  end)

  it("pins every package it installs to one version", function()
    local manifest = json.decode(H.read(H.source_dir .. "/bench/peers/package.json"))
    local lock = json.decode(H.read(H.source_dir .. "/bench/peers/package-lock.json"))
    local names = { "wink-nlp", "wink-eng-lite-web-model", "compromise", "vader-sentiment" }
    for _, name in ipairs(names) do
      local version = manifest.dependencies[name]
      assert.matches("^%d+%.%d+%.%d+$", version, 1)
      assert.equal(version, lock.packages["node_modules/" .. name].version)
      assert.is_string(lock.packages["node_modules/" .. name].integrity)
    end
  end)
end)

describe("bench/pipeline.lua", function()
  it("runs the sentiment pass over the article and reports what it measured", function()
    local r = H.lector { "run", PIPELINE, article_corpus(), "sentiment", "--pass", "sentiment" }
    assert.equal(0, r.code)
    local f = fields(r.out)
    assert.equal(1, f.docs)
    assert.equal(959, f.tokens)
    assert.equal(0, f.failed)
    assert.is_true(f.pass_s > 0 and f.pass_s <= f.cpu_s)
    assert.is_true(f.peak_rss_kb > 0)
  end)

  it("passes plugin options and refuses what it does not know", function()
    local r = H.lector { "run", PIPELINE, article_corpus(), "entities", "-o", "entities.nope=1" }
    assert.equal(1, r.code)
    assert.matches("plugin entities has no option 'nope'", r.err, 1, true)
    r = H.lector { "run", PIPELINE, article_corpus(), "entities", "--bogus" }
    assert.equal(2, r.code)
    assert.matches("pipeline.lua: unexpected argument '--bogus'", r.err, 1, true)
  end)

  it("writes each record's sentences for vader-sentiment", function()
    local out = H.tmpdir() .. "/sentences.jsonl"
    local r = H.lector { "run", PIPELINE, article_corpus(), "--sentences", out }
    assert.equal(0, r.code)
    local sentences = json.decode(H.read(out))
    assert.equal(41, #sentences)
    assert.equal(
      "Russia Reiterates Support for Venezuela, Maduro Gov’t Requests Military Assistance",
      sentences[1])
  end)
end)

describe("lector-bench-measure", function()
  it("reports a command's exit code and memory and sends its output to files", function()
    local dir = H.tmpdir()
    local f = assert(io.popen(string.format("%s/lector-bench-measure %s/out %s/err sh -c %s",
      H.quote(BUILD), H.quote(dir), H.quote(dir), H.quote "echo to-out; echo to-err >&2; exit 7")))
    local result = fields(f:read "a")
    f:close()
    assert.equal(7, result.status)
    assert.is_true(result.peak_rss_kb > 0)
    assert.is_true(result.seconds >= 0 and result.cpu_s >= 0)
    assert.equal("to-out\n", H.read(dir .. "/out"))
    assert.equal("to-err\n", H.read(dir .. "/err"))
  end)
end)
