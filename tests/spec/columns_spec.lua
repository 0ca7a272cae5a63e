-- Columns: lex:scan, doc:token_columns, doc:sentence_columns, doc:span_columns and
-- doc:add_many give, in one call, what the per-item APIs give one table or
-- one view at a time. On the test article they must agree exactly.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"

local doc = assert(lector.load(H.article))

local function places()
  local lex = lector.lexicon { fold = true }
  lex:add("Venezuela", "GPE", 1)
  lex:add("Russia", "GPE")
  lex:add("Russian", "NORP", 2.5)
  lex:add("Caracas", "GPE", -3)
  lex:add("military", "WORD")
  lex:add("military cargo planes", "THING", 7)
  lex:add("the", "WORD")
  return lex
end

describe("lex:scan", function()
  local lex = places()

  it("gives the hits of lex:matches as parallel columns", function()
    for _, opts in ipairs { {}, { all = true } } do
      local cols = lex:scan(doc, { all = opts.all,
        fields = { "start", "stop", "first", "last", "label", "value", "text" } })
      local i = 0
      for m in lex:matches(doc, opts) do
        i = i + 1
        assert.same({ m.start, m.stop, m.first, m.last, m.label, m.value, m.text },
          { cols.start[i], cols.stop[i], cols.first[i], cols.last[i], cols.label[i],
            cols.value[i], cols.text[i] })
      end
      assert.equal(i, cols.n)
      assert.is_true(i > 20, "the article has " .. i .. " hits")
    end
  end)

  it("builds only the columns asked for; text only when asked", function()
    local cols = lex:scan(doc)
    assert.is_table(cols.first)
    assert.is_table(cols.label)
    assert.is_nil(cols.text)
    local firsts = lex:scan(doc, { fields = { "first" } })
    assert.same(cols.first, firsts.first)
    assert.is_nil(firsts.start)
    assert.is_nil(firsts.label)
  end)

  it("searches one sentence when given a Sentence", function()
    for s in doc:sentences() do
      local cols = lex:scan(s, { fields = { "start", "label" } })
      local n = 0
      for m in lex:matches(s) do
        n = n + 1
        assert.equal(m.start, cols.start[n])
        assert.equal(m.label, cols.label[n])
      end
      assert.equal(n, cols.n)
    end
  end)

  it("gives labels through relabel, and none for a label it lacks", function()
    local map = { GPE = "place", NORP = "people" }
    local cols = lex:scan(doc, { relabel = map })
    local i, unmapped = 0, 0
    for m in lex:matches(doc) do
      i = i + 1
      assert.equal(map[m.label], cols.label[i])
      assert.equal(m.value, cols.value[i])
      if not map[m.label] then unmapped = unmapped + 1 end
    end
    assert.equal(i, cols.n)
    assert.is_true(unmapped > 0 and unmapped < i)
  end)

  it("fills the tables of into, which then hold this scan's hits only", function()
    local into = {}
    local all = lex:scan(doc, { into = into })
    assert.equal(into, all)
    local fresh = lex:scan(doc)
    assert.same(fresh, all)
    local columns = { all.start, all.value, all.label }
    for s in doc:sentences() do
      local few = lex:scan(s, { into = into })
      assert.equal(into, few)
      assert.equal(columns[1], few.start)
      assert.equal(columns[2], few.value)
      assert.same(lex:scan(s), few)                  -- nothing left from the larger scan
    end
    local empty = assert(lector.doc("Nothing here."))
    assert.same({ n = 0, start = {}, stop = {}, first = {}, last = {}, label = {}, value = {} },
      lex:scan(empty, { into = into }))
  end)

  it("keeps the lists into holds, adds to into the ones it lacks", function()
    local starts = {}
    local into = { start = starts, other = "kept" }
    local cols = lex:scan(doc, { fields = { "start", "label" }, into = into })
    assert.equal(into, cols)
    assert.equal(starts, cols.start)
    assert.same(lex:scan(doc, { fields = { "start", "label" } }),
      { n = cols.n, start = cols.start, label = cols.label })
    assert.equal("kept", into.other)
    local labels = cols.label
    lex:scan(doc, { fields = { "label" }, into = into })
    assert.equal(labels, into.label)
  end)

  it("refuses a lexicon that reading its options closed", function()
    local closing = places()
    local opts = setmetatable({}, { __index = function(_, key)
      if key == "into" then
        local close <close> = closing
      end
    end })
    assert.error_matches(function() closing:scan(doc, opts) end, "the lexicon is closed")
  end)

  it("names the bad argument", function()
    assert.error_matches(function() lex:scan(doc, { relabel = "GPE" }) end,
      "field 'relabel' must be a table")
    assert.error_matches(function() lex:scan(doc, { into = 1 }) end,
      "field 'into' must be a table")
    assert.error_matches(function() lex:scan(doc, { fields = { "start", "colour" } }) end,
      "fields%[2%] is not one of start, stop")
    assert.error_matches(function() lex:scan("text") end, "Document or Sentence expected")
    assert.error_matches(function() lex:scan(doc, { fields = "start" }) end,
      "'fields' must be a list")
  end)
end)

describe("doc:token_columns and doc:sentence_columns", function()
  it("give what the Token views give", function()
    local fields = { "index", "start", "stop", "text", "kind", "shape", "folded", "sentence" }
    local cols = doc:token_columns(fields)
    assert.equal(doc:stats().tokens, cols.n)
    local i = 0
    for t in doc:tokens() do
      i = i + 1
      for _, f in ipairs(fields) do assert.equal(t[f], cols[f][i], f .. " of token " .. i) end
    end
  end)

  it("take a range of tokens, 1-based and inclusive", function()
    local cols = doc:token_columns({ "text", "sentence" }, 40, 60)
    assert.equal(21, cols.n)
    for k = 1, cols.n do
      assert.equal(doc:token(39 + k).text, cols.text[k])
      assert.equal(doc:token(39 + k).sentence, cols.sentence[k])
    end
    assert.equal(0, doc:token_columns({ "start" }, 5, 4).n)
  end)

  it("give what the Sentence views give", function()
    local cols = doc:sentence_columns { "index", "start", "stop", "text", "paragraph",
      "first_token", "last_token", "tokens" }
    local i = 0
    for s in doc:sentences() do
      i = i + 1
      assert.same({ s.index, s.start, s.stop, s.text, s.paragraph, #s },
        { cols.index[i], cols.start[i], cols.stop[i], cols.text[i], cols.paragraph[i],
          cols.tokens[i] })
      assert.equal(s:token(1).index, cols.first_token[i])
      assert.equal(s:token(#s).index, cols.last_token[i])
    end
    assert.equal(i, cols.n)
  end)

  it("fill the tables of into, which then hold this call's entries only", function()
    local start_list = { 7, 7, 7 }
    local fields = { "start", "stop", into = { start = start_list, stale = true } }
    local n = doc:stats().sentences
    local cols = doc:sentence_columns(fields)
    assert.equal(fields.into, cols)
    assert.equal(start_list, cols.start)
    assert.equal(n, cols.n)
    assert.same(doc:sentence_columns { "start" }.start, cols.start)
    assert.is_true(cols.stale)                      -- other fields are left as they are
    local stop_list = cols.stop
    cols = doc:sentence_columns({ "start", "stop", into = fields.into }, 2, 2)
    assert.equal(stop_list, cols.stop)
    assert.equal(1, cols.n)
    assert.same({ doc:sentence(2).start }, cols.start)
    assert.same({ doc:sentence(2).stop }, cols.stop)
    local tokens = doc:token_columns { "text", into = {} }
    local again = doc:token_columns({ "text", into = tokens }, 1, 3)
    assert.equal(tokens, again)
    assert.same(doc:token_columns({ "text" }, 1, 3).text, again.text)
  end)

  it("key each column by its name, fields repeated or in any order", function()
    local plain = doc:sentence_columns { "index", "start", "stop", "tokens", "paragraph" }
    local into = {}
    local cols = doc:sentence_columns { "tokens", "stop", "tokens", "paragraph", "start", "index",
      "stop", into = into }
    for _, name in ipairs { "index", "start", "stop", "tokens", "paragraph" } do
      assert.same(plain[name], cols[name], name)
    end
    local tokens = doc:token_columns { "sentence", "text", "sentence", into = {} }
    assert.same(doc:token_columns { "text" }.text, tokens.text)
    assert.same(doc:token_columns { "sentence" }.sentence, tokens.sentence)
  end)

  it("name the bad argument", function()
    assert.error_matches(function() doc:token_columns { "start", "paragraph" } end,
      "fields%[2%] is not one of index, start")
    assert.error_matches(function() doc:sentence_columns { "shape" } end, "fields%[1%] is not one of")
    assert.error_matches(function() doc:token_columns { "start", into = 1 } end,
      "#1.-field 'into' must be a table")
    assert.error_matches(function() doc:token_columns({ "start" }, 0) end, "#2.-outside the document")
    local n = doc:stats().sentences
    assert.error_matches(function() doc:sentence_columns({ "start" }, 1, n + 1) end,
      "#3.-outside the document")
  end)
end)

describe("doc:add_many", function()
  -- the same spans through doc:add and doc:add_many
  local function spans_of(d, layer)
    local list = {}
    for span in d:spans(layer) do
      list[#list + 1] = { span.start, span.stop, span.label or false, span.score or false,
        lector.json.encode(span.attrs) }
    end
    return list
  end

  it("stores what doc:add stores, attrs from columns of numbers and booleans", function()
    local a, b = assert(lector.load(H.article)), assert(lector.load(H.article))
    local cols = { start = {}, stop = {}, label = {}, score = {},
      attrs = { pos = {}, neg = {}, long = {}, n = {} } }
    local i = 0
    for s in a:sentences() do
      i = i + 1
      local attrs
      if i % 3 ~= 0 then
        attrs = { pos = i / 7, neg = i % 2 == 0 and 0.25 or nil, long = #s > 20, n = #s }
      end
      a:add("tone", { start = s.start, stop = s.stop, label = i % 2 == 0 and "even" or nil,
        score = i % 4 ~= 0 and i / 3 or nil, attrs = attrs })
      cols.start[i], cols.stop[i] = s.start, s.stop
      cols.label[i] = i % 2 == 0 and "even" or nil
      cols.score[i] = i % 4 ~= 0 and i / 3 or nil
      for k, v in pairs(attrs or {}) do cols.attrs[k][i] = v end
    end
    assert.equal(i, b:add_many("tone", cols))
    assert.same(spans_of(a, "tone"), spans_of(b, "tone"))
    assert.equal(a:json(), b:json())
  end)

  it("stores string attrs as doc:add does: escapes, UTF-8, strings longer than a span's buffer",
    function()
    local a, b = assert(lector.load(H.article)), assert(lector.load(H.article))
    local long = string.rep("Peskov \"said\"\n\t", 400)
    local values = { "Nicolás Maduro", "E1", "", "tab\tquote\"back\\slash\1", long }
    local cols = { start = {}, stop = {}, label = {},
      attrs = { canonical = {}, id = {}, mentions = {}, value = {} } }
    local i = 0
    for s in a:sentences() do
      i = i + 1
      local attrs = { canonical = values[i % #values + 1], id = "E" .. i,
        mentions = i % 3 == 0 and i or nil, value = i % 2 == 0 and i / 4 or "x" .. i }
      a:add("entity", { start = s.start, stop = s.stop, label = "PERSON", attrs = attrs })
      cols.start[i], cols.stop[i], cols.label[i] = s.start, s.stop, "PERSON"
      for k, v in pairs(attrs) do cols.attrs[k][i] = v end
    end
    assert.equal(i, b:add_many("entity", cols))
    assert.same(spans_of(a, "entity"), spans_of(b, "entity"))
    assert.equal(a:json(), b:json())
    local found = 0
    for span in b:spans "entity" do
      if span.attrs.canonical == long then found = found + 1 end
    end
    assert.is_true(found > 0)
  end)

  it("stores what doc:add stores for more spans than it reads on the C stack", function()
    -- past 64 spans, what add_many reads before adding is kept in a userdata
    local a, b = assert(lector.load(H.article)), assert(lector.load(H.article))
    local cols = { start = {}, stop = {}, label = {}, score = {}, attrs = { w = {}, s = {} } }
    local labels = { "one", "two", "three" }
    for i = 1, 300 do
      local start = (i * 7) % 40
      local stop = start + i % 5
      local attrs = { w = i % 4 == 0 and i / 8 or nil, s = i % 9 == 0 and ("s" .. i) or nil }
      a:add("many", { start = start, stop = stop, label = labels[i % 4], score = i % 2 == 0 and i or nil,
        attrs = next(attrs) and attrs or nil })
      cols.start[i], cols.stop[i], cols.label[i] = start, stop, labels[i % 4]
      cols.score[i] = i % 2 == 0 and i or nil
      cols.attrs.w[i], cols.attrs.s[i] = attrs.w, attrs.s
    end
    assert.equal(300, b:add_many("many", cols))
    assert.same(spans_of(a, "many"), spans_of(b, "many"))
    assert.equal(a:json(), b:json())
    assert.error_matches(function()
      cols.stop[250] = -1
      b:add_many("more", cols)
    end, "stop%[250%] must be a byte offset")
    assert.same({}, spans_of(b, "more"))
  end)

  it("stores what doc:add stores when the spans' attrs are too many to make as they are read",
    function()
    -- past 16 MB of attrs (here 16 names of 256 bytes, 4000 spans), each
    -- span's are made as it is added
    local a, b = assert(lector.load(H.article)), assert(lector.load(H.article))
    local cols = { start = {}, stop = {}, attrs = {} }
    local names = {}
    for k = 1, 16 do
      names[k] = string.format("a%02d", k) .. ("x"):rep(253)
      cols.attrs[names[k]] = {}
    end
    for i = 1, 4000 do
      local attrs = {}
      for k = 1, 16 do
        if (i + k) % 3 ~= 0 then attrs[names[k]] = (i * k) % 5 == 0 and i / 4 or (i + k) % 2 == 0 end
        cols.attrs[names[k]][i] = attrs[names[k]]
      end
      cols.start[i], cols.stop[i] = i % 30, i % 30 + 2
      a:add("wide", { start = cols.start[i], stop = cols.stop[i], attrs = attrs })
    end
    assert.equal(4000, b:add_many("wide", cols))
    assert.equal(a:json(), b:json())
  end)

  it("takes the count from n, and adds nothing when n is 0", function()
    local d = assert(lector.load(H.article))
    assert.equal(2, d:add_many("x", { start = { 0, 5, 9 }, stop = { 4, 8, 12 }, n = 2 }))
    assert.equal(2, #spans_of(d, "x"))
    assert.equal(0, d:add_many("y", { start = {}, stop = {} }))
    assert.same({}, spans_of(d, "y"))
  end)

  it("checks every span before adding any", function()
    local d = assert(lector.load(H.article))
    local bad = {
      { { start = { 0, 5 }, stop = { 4, 3 } }, "stop%[2%] is before start%[2%]" },
      { { start = { 0, "x" }, stop = { 4, 6 } }, "start%[2%] must be a byte offset" },
      { { start = { 0 }, stop = { 4 }, label = { 3 } }, "label%[1%] must be a string" },
      { { start = { 0 }, stop = { 4 }, score = { 0 / 0 } }, "score%[1%] must be a finite number" },
      { { start = { 0 }, stop = { 4 }, attrs = { note = { {} } } },
        "attrs.note%[1%] must be a string, a finite number, a boolean or nil" },
      { { start = { 0 }, stop = { 4 }, attrs = { note = { "ok\255" } } },
        "attrs.note%[1%] is not valid UTF%-8 %(at byte 2%)" },
      { { start = { 0, 0 }, stop = { 4, 4 },
          attrs = { a = { "", string.rep("x", 6 << 20) }, b = { "", string.rep("y", 6 << 20) } } },
        "the string attrs of span 2 are over 11184810 bytes" },
      { { start = { 0 }, stop = { 4 }, attrs = { ["two words"] = { 1 } } },
        "attribute names must be a letter" },
      { { start = { 0 }, stop = { 4 }, n = -1 }, "'n' must be a count" },
      { { start = { 0 }, stop = { 4 }, n = 1 << 50 }, "start%[2%] must be a byte offset" },
      { { stop = { 4 } }, "field 'start' must be a list" },
    }
    for _, case in ipairs(bad) do
      assert.error_matches(function() d:add_many("x", case[1]) end, "#2.-" .. case[2])
    end
    assert.error_matches(function() d:add_many("bad layer", { start = {}, stop = {} }) end,
      "#1.-layer must be")
    assert.same({}, spans_of(d, "x"))
  end)
end)

describe("doc:span_columns", function()
  -- A document whose spans hold every kind of attribute value.
  local function varied()
    local d = assert(lector.doc("Ana met Bo in Porto. Then Ana left."))
    d:add("person", { start = 26, stop = 29, label = "PERSON", score = 0.5,
      attrs = { canonical = "Ana Silva", count = 2, ratio = 0.25, named = true,
        quote = 'she said "hi" \\ then\n', accent = "Zé ☃", list = { 1, "two" },
        nested = { a = { b = false } } } })
    d:add("person", { start = 0, stop = 3, label = "PERSON", attrs = { canonical = "Ana Silva" } })
    d:add("person", { start = 8, stop = 10 })
    d:add("place", { start = 14, stop = 19, label = "GPE", attrs = { canonical = "Porto" } })
    return d
  end
  local NAMES = { "canonical", "count", "ratio", "named", "quote", "accent", "list", "nested",
    "missing" }

  it("gives what the Span views give, in doc:spans order", function()
    local d = varied()
    local C = d:span_columns("person", { "start", "stop", "text", "label", "score" }, NAMES)
    local i = 0
    for span in d:spans "person" do
      i = i + 1
      assert.same({ span.start, span.stop, span.text, span.label, span.score },
        { C.start[i], C.stop[i], C.text[i], C.label[i], C.score[i] })
      local attrs = span.attrs
      for _, name in ipairs(NAMES) do assert.same(attrs[name], C.attrs[name][i], name) end
    end
    assert.equal(3, i)
    assert.equal(3, C.n)
    assert.same({ 0, 8, 26 }, C.start)
    assert.equal("Ana Silva", C.attrs.canonical[3])
    assert.equal('she said "hi" \\ then\n', C.attrs.quote[3])
    assert.equal("Zé ☃", C.attrs.accent[3])
    assert.equal("integer", math.type(C.attrs.count[3]))
    assert.equal(0.25, C.attrs.ratio[3])
    assert.same({ 1, "two" }, C.attrs.list[3])
    assert.same({ a = { b = false } }, C.attrs.nested[3])
    assert.is_nil(C.attrs.canonical[2])
    assert.is_nil(C.label[2])
    assert.is_nil(C.score[1])
    assert.same({}, C.attrs.missing)
  end)

  it("agrees with the entity spans of the bundled pass on the article", function()
    local d = assert(lector.load(H.article))
    assert(lector.run(d, { "entities" }))
    local E = d:span_columns("entity", { "start", "stop", "label" }, { "canonical", "id", "mentions" })
    local i = 0
    for span in d:spans "entity" do
      i = i + 1
      local attrs = span.attrs
      assert.same({ span.start, span.stop, span.label, attrs.canonical, attrs.id, attrs.mentions },
        { E.start[i], E.stop[i], E.label[i], E.attrs.canonical[i], E.attrs.id[i],
          E.attrs.mentions[i] })
    end
    assert.equal(i, E.n)
    assert.is_true(i > 50, "the article has " .. i .. " entity spans")
  end)

  it("gives the tokens each span covers, none for a span in white space", function()
    local d = varied()
    d:add("range", { start = 4, stop = 13 })          -- "met Bo in"
    d:add("range", { start = 3, stop = 4 })           -- the space after "Ana"
    d:add("range", { start = 15, stop = 35 })         -- "rto. Then Ana left."
    local C = d:span_columns("person", { "first_token", "last_token" })
    assert.same({ n = 3, first_token = { 1, 3, 8 }, last_token = { 1, 3, 8 } }, C)
    local R = d:span_columns("range", { "first_token", "last_token", "start" })
    assert.same({ 2, 2, 5 }, R.first_token)
    assert.same({ 1, 4, 10 }, R.last_token)
    assert.same({ 3, 4, 15 }, R.start)
  end)

  it("gives token ranges that agree with the tokens on the article", function()
    local d = assert(lector.load(H.article))
    assert(lector.run(d, { "entities" }))
    local T = d:token_columns { "start", "stop" }
    local E = d:span_columns("entity", { "start", "stop", "first_token", "last_token" })
    assert.is_true(E.n > 50)
    for j = 1, E.n do
      local first, last = E.first_token[j], E.last_token[j]
      assert.is_true(T.stop[first] > E.start[j] and (first == 1 or T.stop[first - 1] <= E.start[j]))
      assert.is_true(T.start[last] < E.stop[j] and (last == T.n or T.start[last + 1] >= E.stop[j]))
    end
  end)

  it("builds only the columns asked for, and nothing for a layer the document lacks", function()
    local C = varied():span_columns("place", { "label" })
    assert.same({ n = 1, label = { "GPE" } }, C)
    assert.same({ n = 0, start = {}, attrs = { canonical = {} } },
      varied():span_columns("nothing", { "start" }, { "canonical" }))
  end)

  it("names the bad argument", function()
    local d = varied()
    assert.error_matches(function() d:span_columns("person", { "start", "kind" }) end,
      "#2.-fields%[2%] is not one of start, stop, text, label, score")
    assert.error_matches(function() d:span_columns("person", { "start" }, { "a", 3 }) end,
      "#3.-attrs%[2%] is not a string")
    assert.error_matches(function() d:span_columns("person") end, "#2.-table expected")
    assert.error_matches(function() d:span_columns(nil, { "start" }) end, "#1.-string expected")
    local many = {}
    for k = 1, 65 do many[k] = "a" .. k end
    assert.error_matches(function() d:span_columns("person", { "start" }, many) end,
      "more than 64 attribute names")
  end)
end)
