-- Weighted graphs: building by hand, similarity graphs over the fixture
-- article's sentences, PageRank and MMR on them, bad arguments, a long
-- synthetic document, and both tools inside the plugin sandbox.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"
local core = require "lector.core"
local G = lector.graph

-- A tiny stop list: enough to keep function words from linking every
-- sentence to every other.
local STOP = {}
for w in ([[a an the and or but of in on at to for from by with as is are was were be been
  has have had it its this that these those there their they them he she his her we our you
  not no also will would can could which who whom what when where while than then so if
  into out up about over after before between both any all more most other such only]]):gmatch "%S+" do
  STOP[w] = true
end

-- One row per sentence: the stems of its folded words, stop words skipped.
local function rows_of(doc)
  local st = lector.stemmer "english"
  local rows, texts = {}, {}
  for s in doc:sentences() do
    local row = {}
    for t in s:tokens() do
      if t.kind == "word" and not STOP[t.folded] then row[#row + 1] = st:stem(t.folded) end
    end
    rows[#rows + 1] = row
    texts[#texts + 1] = s.text
  end
  return rows, texts
end

-- Node indices ordered by score, best first (ties by index).
local function by_score(scores)
  local order = {}
  for i = 1, #scores do order[i] = i end
  table.sort(order, function(a, b)
    if scores[a] ~= scores[b] then return scores[a] > scores[b] end
    return a < b
  end)
  return order
end

local function sum(list)
  local total = 0
  for _, v in ipairs(list) do total = total + v end
  return total
end

describe("lector.graph", function()
  it("builds graphs by hand: undirected edges whose weights add up", function()
    local g = G.new(4)
    assert.equal(4, #g)
    assert.equal(0, g:edges())
    g:add(1, 2, 0.5)
    g:add(2, 1, 0.25)
    g:add(3, 4, 2)
    g:add(1, 3, 0)            -- weight 0: no edge
    assert.equal(2, g:edges())
    assert.equal(0.75, g:weight(1, 2))
    assert.equal(0.75, g:weight(2, 1))
    assert.equal(0, g:weight(1, 3))
    assert.matches("lector.Graph %(4 nodes, 2 edges%)", tostring(g))
    assert.equal(0, #G.new(0))
    -- the path 1 - 2 - 3: hand-solved PageRank 19/74, 18/37, 19/74
    local path = G.new(3)
    path:add(1, 2, 1)
    path:add(2, 3, 1)
    local scores, iterations = G.rank(path, { tolerance = 1e-12, iterations = 1000 })
    assert.near(19 / 74, scores[1], 1e-9)
    assert.near(18 / 37, scores[2], 1e-9)
    assert.near(19 / 74, scores[3], 1e-9)
    assert.is_true(iterations > 1 and iterations < 1000)
    -- methods too
    assert.same(scores, path:rank { tolerance = 1e-12, iterations = 1000 })
    assert.same({ 2, 3, 1 }, path:mmr({ 0.2, 0.9, 0.5 }, 3, { lambda = 1 }))
    local g2 <close> = G.new(2)
    assert.equal(2, #g2)
  end)

  it("links the fixture's sentences and ranks content sentences first", function()
    local doc = assert(lector.load(H.article))
    local rows, texts = rows_of(doc)
    assert.equal(41, #rows)
    local g = G.similarity(rows)
    assert.equal(#rows, #g)
    assert.is_true(g:edges() > #rows, "sentences about the same things are linked")
    assert.is_true(g:edges() < #rows * (#rows - 1) / 2, "the threshold drops weak pairs")
    local scores = G.rank(g)
    assert.equal(#rows, #scores)
    assert.near(1, sum(scores), 1e-9)
    local order = by_score(scores)
    local editor, lead
    for i, text in ipairs(texts) do
      if text:find "^Edited by" then editor = i end
      if text:find "The Russian government reaffirmed its support" then lead = i end
    end
    assert.is_not_nil(editor)
    assert.is_not_nil(lead)
    -- each measure: the lead among the top five, never the caption or the
    -- editor's line, which ranks in the bottom half
    for _, measure in ipairs { "cosine", "bm25", "overlap" } do
      local ranked = by_score(G.rank(G.similarity(rows, { measure = measure })))
      local top = {}
      for k = 1, 5 do
        top[ranked[k]] = true
        assert.is_nil(texts[ranked[k]]:find "%(AFP%)", measure)
      end
      assert.is_true(top[lead], measure)
      for place, i in ipairs(ranked) do
        if i == editor then assert.is_true(place > #rows / 2, measure) end
      end
      -- bm25 adds up shared terms without dividing by both rows' lengths
      -- as cosine does, so its top sentences are full ones, not tag lines
      if measure == "bm25" then
        for k = 1, 5 do
          assert.is_true(#rows[ranked[k]] >= 8, "a top sentence has content: " .. texts[ranked[k]])
        end
      end
    end

    -- a prior (position weights) lifts the opening sentences
    local prior = {}
    for i = 1, #rows do prior[i] = 1 / i end
    local biased = G.rank(g, { prior = prior })
    assert.is_true(biased[2] > scores[2])
    assert.is_true(biased[#rows - 1] < scores[#rows - 1])

    -- mmr: k distinct sentences; with lambda 1 simply the best by score
    assert.same({ order[1], order[2], order[3] }, G.mmr(g, scores, 3, { lambda = 1 }))
    local picked = G.mmr(g, scores, 5, { lambda = 0.3 })
    assert.equal(5, #picked)
    assert.equal(order[1], picked[1])
    local seen = {}
    for _, i in ipairs(picked) do
      assert.is_nil(seen[i])
      seen[i] = true
    end
    -- the picks are less alike than the five best by score
    local function overlap(list)
      local total = 0
      for a = 1, #list do
        for b = a + 1, #list do total = total + g:weight(list[a], list[b]) end
      end
      return total
    end
    assert.is_true(overlap(picked) < overlap { order[1], order[2], order[3], order[4], order[5] })
  end)

  it("offers cosine, bm25 and overlap, and a caller's idf", function()
    local doc = assert(lector.load(H.article))
    local rows = rows_of(doc)
    local cosine = G.similarity(rows, { threshold = 0 })
    local bm25 = G.similarity(rows, { measure = "bm25", threshold = 0 })
    local overlap = G.similarity(rows, { measure = "overlap", threshold = 0 })
    -- every pair sharing a term is linked by each measure alike
    assert.equal(cosine:edges(), bm25:edges())
    assert.equal(cosine:edges(), overlap:edges())
    for i = 1, #rows do
      for j = i + 1, #rows do
        local c = cosine:weight(i, j)
        assert.is_true(c >= 0 and c <= 1)
        assert.equal(c > 0, bm25:weight(i, j) > 0)
      end
    end
    -- a higher threshold keeps a subset
    local strict = G.similarity(rows, { threshold = 0.3 })
    assert.is_true(strict:edges() < cosine:edges())
    for i = 1, #rows do
      for j = i + 1, #rows do
        local w = strict:weight(i, j)
        assert.is_true(w == 0 or (w >= 0.3 and w == cosine:weight(i, j)))
      end
    end
    -- idf given: a term worth nothing links nothing
    local g = G.similarity({ { "russia", "venezuela" }, { "russia", "caracas" }, { "venezuela" } },
                           { idf = { russia = 0, venezuela = 2 }, threshold = 0 })
    assert.equal(0, g:weight(1, 2))
    assert.is_true(g:weight(1, 3) > 0)
    -- terms missing from the idf table take its largest value
    local same = G.similarity({ { "x", "y" }, { "x", "z" } }, { idf = { x = 1, y = 3 }, threshold = 0 })
    local explicit = G.similarity({ { "x", "y" }, { "x", "z" } }, { idf = { x = 1, y = 3, z = 3 }, threshold = 0 })
    assert.near(explicit:weight(1, 2), same:weight(1, 2), 1e-12)
  end)

  it("raises on bad arguments, naming their position", function()
    local g = G.new(3)
    assert.error_matches(function() G.new(-1) end, "bad argument #1 to 'new' %(a graph has 0 to 20000 nodes%)")
    assert.error_matches(function() G.new(20001) end, "bad argument #1 to 'new'")
    assert.error_matches(function() G.new "x" end, "bad argument #1 to 'new'")
    assert.error_matches(function() g:add(0, 1, 1) end, "bad argument #1 to 'add' %(node 0 is not in the graph")
    assert.error_matches(function() g:add(1, 4, 1) end, "bad argument #2 to 'add' %(node 4 is not in the graph %(nodes 1 to 3%)%)")
    assert.error_matches(function() g:add(2, 2, 1) end, "bad argument #2 to 'add' %(an edge joins two different nodes%)")
    assert.error_matches(function() g:add(1, 2, -1) end, "bad argument #3 to 'add'")
    assert.error_matches(function() g:add(1, 2, 0 / 0) end, "bad argument #3 to 'add'")
    assert.error_matches(function() g:weight(1, 9) end, "bad argument #2 to 'weight'")
    assert.error_matches(function() G.rank "x" end, "bad argument #1 to 'rank' %(lector.Graph expected")
    assert.error_matches(function() G.rank(g, { damping = 2 }) end, "bad argument #2 to 'rank' %(field 'damping' must be between 0 and 1%)")
    assert.error_matches(function() G.rank(g, { damping = "high" }) end, "field 'damping' must be a number")
    assert.error_matches(function() G.rank(g, { tolerance = 0 }) end, "bad argument #2 to 'rank'")
    assert.error_matches(function() G.rank(g, { iterations = 1001 }) end, "field 'iterations' must be 1 to 1000")
    assert.error_matches(function() G.rank(g, { prior = { 1, 2 } }) end, "field 'prior' must hold 3 numbers")
    assert.error_matches(function() G.rank(g, { prior = { 1, -2, 1 } }) end, "prior item 2 must be a finite number, 0 or more")
    assert.error_matches(function() G.rank(g, { prior = { 0, 0, 0 } }) end, "must not all be 0")
    assert.error_matches(function() G.mmr(g, { 1, 2 }, 1) end, "bad argument #2 to 'mmr' %(the relevance list must hold 3 numbers")
    assert.error_matches(function() G.mmr(g, { 1, "x", 3 }, 1) end, "relevance list item 2 is a string")
    assert.error_matches(function() G.mmr(g, { 1, 2, 3 }, -1) end, "bad argument #3 to 'mmr'")
    assert.error_matches(function() G.mmr(g, { 1, 2, 3 }, 1, { lambda = 2 }) end, "bad argument #4 to 'mmr'")
    assert.error_matches(function() G.similarity "x" end, "bad argument #1 to 'similarity'")
    assert.error_matches(function() G.similarity { { "a" }, "b" } end, "bad argument #1 to 'similarity' %(row 2 is a string, not a list of terms%)")
    assert.error_matches(function() G.similarity { { "a", 3 } } end, "row 1, item 2 is a number, not a string")
    assert.error_matches(function() G.similarity({ { "a" } }, { measure = "jaccard" }) end, "bad argument #2 to 'similarity' %(field 'measure' must be cosine, bm25 or overlap")
    assert.error_matches(function() G.similarity({ { "a" } }, { k1 = -1, measure = "bm25" }) end, "bad argument #2 to 'similarity' %(field 'k1'")
    assert.error_matches(function() G.similarity({ { "a" } }, { idf = { a = "x" } }) end, "the idf of 'a' is a string")
    assert.error_matches(function() G.similarity({ { "a" } }, { idf = { a = -1 } }) end, "bad argument #2 to 'similarity' %(the idf of a term must be")
    local rows = {}
    for i = 1, 20001 do rows[i] = {} end
    assert.error_matches(function() G.similarity(rows) end, "bad argument #1 to 'similarity' %(20001 rows: a graph holds at most 20000 nodes%)")
    -- a closed graph refuses use
    local closed = G.new(2)
    do local _ <close> = closed end
    assert.matches("closed", tostring(closed))
    assert.error_matches(function() closed:add(1, 2, 1) end, "the graph is closed")
  end)

  -- A finalizer may run at the allocations G.rank and G.mmr make before
  -- they read the graph; one that closes it must not leave them reading
  -- freed memory (the sanitizer build stops the run on such a read).
  -- Rounds of garbage of many sizes make finalizers run at different
  -- points of the call.
  it("raises, not reads freed memory, when a finalizer closes the graph inside rank or mmr", function()
    local calls = {
      function(g, weights) return G.rank(g, { prior = weights, iterations = 3 }) end,
      function(g, weights) return G.mmr(g, weights, 10) end,
    }
    for _, call in ipairs(calls) do
      local during = 0
      for round = 1, 3000 do
        local g = G.new(50)
        for i = 1, 49 do g:add(i, i + 1, 1) end
        local weights = {}
        for i = 1, 50 do weights[i] = 1 end
        local inside = false
        local mt = { __gc = function()
          if inside then during = during + 1; local closing <close> = g end
        end }
        for _ = 1, round % 97 + 1 do setmetatable({}, mt) end
        local junk = {}
        for i = 1, round % 13 do junk[i] = {} end
        inside = true
        local ok, err = pcall(call, g, weights)
        inside = false
        if not ok then assert.matches("the graph is closed", err) end
      end
      assert.is_true(during > 0, "no finalizer ran inside the call")
    end
  end)

  it("ranks a 2,000-sentence document", function()
    -- sentences drawn from a fixed vocabulary by a fixed sequence
    local words = {}
    for w in ([[troops planes ministry minister talks treaty sanctions oil exports drones radars
      missiles elections protests court judges banks markets prices ports ships storms floods
      farmers harvest schools teachers hospitals doctors vaccines trains roads bridges]]):gmatch "%S+" do
      words[#words + 1] = w
    end
    local seed, sentences = 7, {}
    for i = 1, 2000 do
      local s = {}
      for k = 1, 8 + i % 7 do
        seed = (seed * 1103515245 + 12345) % 2147483648
        s[k] = words[seed % #words + 1]
      end
      sentences[i] = "The " .. table.concat(s, " ") .. "."
    end
    local doc = assert(lector.doc(table.concat(sentences, " ")))
    local rows = rows_of(doc)
    assert.equal(2000, #rows)
    local g = G.similarity(rows, { threshold = 0.2 })
    assert.is_true(g:edges() > 2000)
    local scores = G.rank(g)
    assert.equal(2000, #scores)
    assert.near(1, sum(scores), 1e-9)
    local picked = G.mmr(g, scores, 10)
    assert.equal(10, #picked)
  end)

  it("serves plugins in the sandbox: a stemmer and a read-only lector.graph", function()
    local dir = H.tmpdir()
    H.write(dir .. "/plugin.lua", [[
      local STOP = { the = true, ["in"] = true, of = true, a = true }
      return { name = "ranker", version = "1.0.0", run = function(doc)
        local st = lector.stemmer "english"
        local rows = {}
        for s in doc:sentences() do
          local row = {}
          for t in s:tokens() do
            if t.kind == "word" and not STOP[t.folded] then row[#row + 1] = st:stem(t.folded) end
          end
          rows[#rows + 1] = row
        end
        local g = lector.graph.similarity(rows, { measure = "bm25", threshold = 0 })
        local scores = lector.graph.rank(g)
        local best = 1
        for i = 2, #scores do if scores[i] > scores[best] then best = i end end
        doc:set("best", best)
        doc:set("stem", st:stem "governments")
        doc:set("picked", lector.graph.mmr(g, scores, 2, { lambda = 0.5 }))
        doc:set("languages", #lector.stemmer_languages())
        doc:set("writable", (pcall(function() lector.graph.new = nil end)))
        local ok, err = pcall(lector.graph.new, -1)
        doc:set("error", err)
      end }
    ]])
    local state = assert(core.sandbox { name = "ranker", dir = dir, file = dir .. "/plugin.lua" })
    -- a path 1 - 2 - 3 and a lone sentence: the middle one ranks first
    -- whatever the weights
    local doc = assert(lector.doc("Tokyo markets closed. Rice prices rose in Tokyo markets. "
      .. "Rice prices rose sharply. The weather was fine."))
    assert.is_true(state:run(doc))
    assert.equal("govern", doc:get "stem")
    assert.equal(2, doc:get "best")
    assert.equal(2, #doc:get "picked")
    assert.is_true(doc:get "languages" > 20)
    assert.is_false(doc:get "writable")
    assert.matches("bad argument #1 to '.*' %(a graph has 0 to 20000 nodes%)", doc:get "error")
    state:close()
  end)

  it("counts a plugin's graphs against its memory limit", function()
    local dir = H.tmpdir()
    -- 19,900 edges per 200 rows sharing a term; ten such graphs kept alive
    -- need far more than 4 MiB
    H.write(dir .. "/plugin.lua", [[
      return { name = "hog", version = "1.0.0", run = function(doc)
        local rows = {}
        for i = 1, 200 do rows[i] = { "same" } end
        local kept = {}
        for i = 1, 10 do kept[i] = lector.graph.similarity(rows, { measure = "overlap" }) end
        doc:set("kept", #kept)
      end }
    ]])
    local state = assert(core.sandbox { name = "hog", dir = dir, file = dir .. "/plugin.lua",
                                        memory = 4 * 2^20 })
    local ok, message, kind = state:run(assert(lector.doc "One sentence."))
    assert.is_nil(ok)
    assert.equal("memory", kind)
    assert.matches("memory", message)
    state:close()
  end)
end)
