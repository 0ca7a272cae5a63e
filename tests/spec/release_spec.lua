-- A Document let go of while one of its C functions is still using it.
-- Lua code that such a function calls back into (a metamethod of an
-- argument, an LPeg match-time capture, a finalizer run by an allocation)
-- releases the document; the function then goes on reading it. The
-- release must only mark the document: the function finishes (or raises
-- cleanly), the document's memory goes when the function is done, and
-- every later use raises. Run under AddressSanitizer, a document freed at
-- once shows up here as a read of freed memory.
local lector = require "lector"
local core = require "lector.core"
local lpeg = require "lpeg"

local TEXT = ("Ships reached Caracas on Monday. Oil prices rose in Tokyo and Lagos. "):rep(40)

-- Every way a script has to let go of a Document at once.
local RELEASES = {
  { "lector.core.release", function(doc) core.release(doc) end },
  { "a <close> variable", function(doc) local _ <close> = doc end },
  { "a direct call of __gc", function(doc) debug.getmetatable(doc).__gc(doc) end },
}

-- A new document, and the document memory the state counted before it.
local function new_doc(text)
  collectgarbage()
  local before = core.document_memory()
  return assert(lector.doc(text or TEXT)), before
end

-- Released for good: the document and its views refuse every use, and its
-- memory is no longer counted.
local function assert_released(doc, before, view)
  assert.error_matches(function() return doc.text end, "document was released")
  assert.error_matches(function() return doc:stats() end, "bad argument #1 to 'index' %(document was released%)")
  if view then assert.error_matches(function() return view.text end, "its document was released") end
  assert.equal(before, core.document_memory())
end

-- A table whose field `key` is read through __index, which first runs
-- release(doc); the other fields are plain.
local function releasing_at(key, fields, release, doc)
  local mt = { __index = function(_, k)
    if k == key then release(doc) end
    return nil
  end }
  return setmetatable(fields, mt)
end

-- A matcher element whose LPeg test matches any token, running
-- release(doc) the first time it is called.
local function releasing_test(release, doc)
  local released = false
  return { pattern = lpeg.Cmt(lpeg.P(1) ^ 1, function()
    if not released then released = true; release(doc) end
    return true
  end) }
end

for _, way in ipairs(RELEASES) do
  local name, release = way[1], way[2]
  describe("a document released by " .. name, function()
    it("from a metamethod that doc:add calls is freed once the span is added", function()
      local doc, before = new_doc()
      -- label is read after start and stop were checked against the text
      local span = doc:add("place", releasing_at("label", { start = 14, stop = 21 }, release, doc))
      assert_released(doc, before, span)
    end)

    it("from a metamethod that doc:add_many calls is freed once the spans are added", function()
      local doc, before = new_doc()
      local columns = releasing_at("n", { start = { 0, 14 }, stop = { 5, 21 } }, release, doc)
      assert.equal(2, doc:add_many("place", columns))
      assert_released(doc, before)
    end)

    it("from an LPeg test of m:count is freed once the count is done", function()
      local doc, before = new_doc()
      local m = lector.matcher()
      m:add("W", { releasing_test(release, doc) })
      assert.equal(doc:stats().tokens, m:count(doc))
      assert_released(doc, before)
    end)

    it("from an LPeg test of an m:matches loop stops the loop at its next step", function()
      local doc, before = new_doc()
      local m = lector.matcher()
      m:add("W", { releasing_test(release, doc), { kind = "word" } })
      local seen = 0
      local ok, err = pcall(function() for _ in m:matches(doc:sentence(2)) do seen = seen + 1 end end)
      assert.is_false(ok)
      assert.matches("document was released", err)
      assert.equal(1, seen)   -- the hit found while it was released is still whole
      assert_released(doc, before)
    end)

    it("from a metamethod of lex:scan's options is freed once the scan is done", function()
      local doc, before = new_doc()
      local lex = lector.lexicon { fold = true }
      lex:add("oil prices", "TOPIC")
      lex:add("caracas", "GPE")
      local opts = releasing_at("relabel", { fields = { "start", "label", "text" } }, release, doc)
      local hits = lex:scan(doc, opts)
      assert.equal(80, hits.n)
      assert.equal("Caracas", hits.text[1])
      assert_released(doc, before)
    end)

    it("in a doc:spans() loop stops the loop at its next step", function()
      local doc, before = new_doc()
      doc:add("place", { start = 14, stop = 21 })
      doc:add("place", { start = 0, stop = 5 })
      local seen = {}
      local ok, err = pcall(function()
        for span in doc:spans "place" do
          seen[#seen + 1] = span
          release(doc)
        end
      end)
      assert.is_false(ok)
      assert.matches("document was released", err)
      assert.equal(1, #seen)   -- the loop looks its document up at every step
      assert_released(doc, before, seen[1])
    end)
  end)
end

describe("a document released from a finalizer", function()
  -- Run f with finalizers pending that release doc: the collector runs in
  -- steps while f's C function allocates, and each of its cycles ends with
  -- the finalizers due. Each finalizer leaves another for the next cycle,
  -- and the one of the third cycle releases doc, well inside f. Returns
  -- whether the release came while f ran, and what f returned.
  local function release_while(doc, f)
    local mode = collectgarbage "incremental"
    collectgarbage("incremental", 110, 400)   -- short cycles, one soon after another
    collectgarbage()
    local armed, inside, cycles = false, false, 0
    local function pending()
      setmetatable({}, { __gc = function()
        if not armed then return end
        cycles = cycles + 1
        if cycles < 3 then return pending() end
        inside = true
        core.release(doc)
      end })
    end
    pending()
    armed = true
    local ok, result = pcall(f)
    armed = false
    collectgarbage("incremental", 200, 100)
    collectgarbage(mode)
    assert(ok, result)
    return inside, result
  end

  -- Many distinct words: each column entry is a new string.
  local function many_words(n)
    local words = {}
    for i = 1, n do words[i] = "w" .. i end
    return table.concat(words, " ") .. "."
  end

  it("while doc:token_columns builds its columns is freed once they are built", function()
    local doc, before = new_doc(many_words(20000))
    local FIELDS = { "text", "folded", "start" }
    local inside, columns = release_while(doc, function() return doc:token_columns(FIELDS) end)
    assert.is_true(inside, "the finalizer ran inside doc:token_columns")
    assert.equal(20001, columns.n)
    assert.equal("w20000", columns.text[20000])
    assert_released(doc, before)
  end)

  it("while doc:span_columns builds its columns is freed once they are built", function()
    local doc, before = new_doc(many_words(20000))
    local starts, stops, names = {}, {}, {}
    local t = doc:token_columns { "start", "stop", "text" }
    for i = 1, t.n do starts[i], stops[i], names[i] = t.start[i], t.stop[i], t.text[i] end
    doc:add_many("word", { start = starts, stop = stops, attrs = { name = names } })
    t, starts, stops, names = nil, nil, nil, nil
    local FIELDS, ATTRS = { "text", "start" }, { "name" }
    local inside, columns = release_while(doc, function()
      return doc:span_columns("word", FIELDS, ATTRS)
    end)
    assert.is_true(inside, "the finalizer ran inside doc:span_columns")
    assert.equal(20001, columns.n)
    assert.equal("w7", columns.attrs.name[7])
    assert_released(doc, before)
  end)
end)

describe("a document released while it is in use", function()
  -- doc:add(layer, fields) where reading fields.label releases doc, then raises.
  local function add_failing(doc)
    return doc:add("place", setmetatable({ start = 0, stop = 5 }, { __index = function(_, k)
      if k == "label" then core.release(doc); error("no label here", 0) end
    end }))
  end

  -- A coroutine that died of add_failing's error, never closed.
  local function dead_coroutine(doc)
    local co = coroutine.create(add_failing)
    assert.same({ false, "no label here" }, { coroutine.resume(co, doc) })
    return co
  end

  it("is freed when the error that ends the use is caught", function()
    local doc, before = new_doc()
    local ok, err = pcall(add_failing, doc)
    assert.is_false(ok)
    assert.equal("no label here", err)
    assert_released(doc, before)
  end)

  it("in a coroutine that dies of the error is freed when the Document is collected", function()
    local doc, before = new_doc()
    local co = dead_coroutine(doc)
    assert.error_matches(function() return doc.text end, "document was released")
    assert.is_true(core.document_memory() > before, "still held by the dead coroutine")
    doc, co = nil, nil
    collectgarbage()
    collectgarbage()
    assert.equal(before, core.document_memory())
  end)

  it("in a coroutine that dies of the error is freed when the coroutine is closed", function()
    local doc, before = new_doc()
    local co = dead_coroutine(doc)
    assert.is_true(core.document_memory() > before, "still held by the dead coroutine")
    assert.same({ false, "no label here" }, { coroutine.close(co) })
    assert_released(doc, before)
  end)

  it("still counts and frees once when released again, or collected, before the use ends", function()
    local doc, before = new_doc()
    local inner
    local span = doc:add("place", setmetatable({ start = 0, stop = 5 }, { __index = function(_, k)
      if k == "label" then
        core.release(doc)
        core.release(doc)
        debug.getmetatable(doc).__gc(doc)
        inner = core.document_memory()
      end
    end }))
    assert.is_true(inner > before, "kept until doc:add returns")
    assert_released(doc, before, span)
  end)

  it("stays usable when a use ends without releasing it", function()
    local doc, before = new_doc()
    local plain = setmetatable({ start = 0, stop = 5 }, { __index = function() return nil end })
    local span = doc:add("place", plain)
    assert.equal("Ships", span.text)
    local ok = pcall(doc.add, doc, "place", setmetatable({}, { __index = function() error "x" end }))
    assert.is_false(ok)
    core.release(doc)
    assert_released(doc, before, span)
  end)
end)

describe("a document handed to a worker", function()
  it("is let go of after the handler, also when the handler dropped it", function()
    -- A worker's own state finds modules in the working folder, which
    -- ctest gives each spec for itself.
    local f = assert(io.open("release_worker.lua", "wb"))
    f:write [[
      return { start = function() return function(doc, input)
        doc = nil
        collectgarbage()
        collectgarbage()
        return input
      end end }
    ]]
    f:close()
    local pool <close> = assert(core.pool { threads = 1, module = "release_worker" })
    local doc = assert(lector.doc(TEXT))
    pool:submit(doc, "handled")
    assert.equal("handled", pool:next())
    assert.equal(TEXT:sub(1, 5), doc.text:sub(1, 5))
  end)
end)
