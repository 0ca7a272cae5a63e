-- lector's JSON encoder on the shapes passes hand it: small flat objects
-- (sorted on the C stack), objects of many keys, and values too long for
-- the encoder's first buffer; the same text whichever path a value takes.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"
local encode, decode = lector.json.encode, lector.json.decode

-- {k01 = 1, ..., kNN = N} and the JSON text it must give, keys in byte order.
local function numbered(n)
  local t, parts = {}, {}
  for i = n, 1, -1 do t[string.format("k%02d", i)] = i end
  for i = 1, n do parts[i] = string.format('"k%02d":%d', i, i) end
  return t, "{" .. table.concat(parts, ",") .. "}"
end

describe("lector.json.encode", function()
  it("sorts the keys of small and large objects alike, by bytes", function()
    for _, n in ipairs { 1, 15, 16, 17, 40 } do
      local t, expected = numbered(n)
      assert.equal(expected, encode(t), n .. " keys")
    end
    assert.equal('{"A":1,"B":2,"a":3,"b":4,"ba":5}', encode { b = 4, ba = 5, a = 3, B = 2, A = 1 })
    local nested = numbered(20)
    nested.k05 = { z = 1, y = { 3, 2 } }
    assert.matches('"k05":{"y":%[3,2%],"z":1}', encode(nested))
  end)

  it("sorts the keys of records alike, whatever order each was made in", function()
    local made_alike, made_otherwise = {}, {}
    for i = 1, 5 do
      made_alike[i] = { b = i, a = { z = i, y = 0 }, c = "x" }
      local t = {}
      if i % 2 == 0 then t.c, t.b, t.a = "x", i, { y = 0, z = i } else t.a, t.b, t.c = { z = i, y = 0 }, i, "x" end
      made_otherwise[i] = t
    end
    local expected = {}
    for i = 1, 5 do expected[i] = '{"a":{"y":0,"z":' .. i .. '},"b":' .. i .. ',"c":"x"}' end
    expected = "[" .. table.concat(expected, ",") .. "]"
    assert.equal(expected, encode(made_alike))
    assert.equal(expected, encode(made_otherwise))
    assert.equal('[{"a":1,"b\\"":2},{"a":1,"b":2},{"a":1,"b\\"":2},{"\\u0001":0,"a":1}]',
      encode { { a = 1, ['b"'] = 2 }, { a = 1, b = 2 }, { a = 1, ['b"'] = 2 }, { a = 1, ["\1"] = 0 } })
  end)

  it("sorts objects of keys an earlier call met, among other objects, as the first time", function()
    -- shapes are kept from one call to the next: objects of the same keys
    -- (made in another order too), of other keys, more shapes than are
    -- kept, and keys whose strings were collected in between
    local function object(keys, seed)
      local t, parts, sorted = {}, {}, {}
      for i, k in ipairs(keys) do t[k] = seed + i; sorted[i] = k end
      table.sort(sorted)
      local value = {}
      for i, k in ipairs(keys) do value[k] = seed + i end
      for i, k in ipairs(sorted) do parts[i] = string.format('"%s":%d', k, value[k]) end
      return t, "{" .. table.concat(parts, ",") .. "}"
    end
    for round = 1, 3 do
      for shape = 1, 12 do
        local keys = {}
        for i = 1, 4 + shape % 6 do keys[i] = string.format("%s%d_%d", i % 2 == 0 and "z" or "a", shape, i) end
        if round == 2 then
          local reversed = {}
          for i = #keys, 1, -1 do reversed[#reversed + 1] = keys[i] end
          keys = reversed
        end
        local t, expected = object(keys, shape * round)
        assert.equal(expected, encode(t), "shape " .. shape .. ", round " .. round)
        assert.equal("[" .. expected .. "," .. expected .. "]", encode { t, t })
      end
      collectgarbage()
    end
    local rows = lector.json.rows { n = 1, d = { 4 }, c = { 3 }, b = { 2 }, a = { 1 } }
    for _ = 1, 2 do
      assert.equal('[{"a":1,"b":2,"c":3,"d":4}]', encode(rows))
      assert.equal('{"a":1,"b":2,"c":3,"d":4}', encode { d = 4, c = 3, b = 2, a = 1 })
    end
  end)

  it("writes integers with every digit, negatives included", function()
    assert.equal("[0,-1,9007199254740993,-9223372036854775808,9223372036854775807]",
      encode { 0, -1, 9007199254740993, math.mininteger, math.maxinteger })
  end)

  it("writes floats as the shortest of %.15g, %.16g and %.17g that reads back", function()
    local function shortest(x)
      for digits = 15, 17 do
        local text = string.format("%." .. digits .. "g", x)
        if tonumber(text) == x then return text end
      end
    end
    local values = { 0.0, -0.0, 1.0, -2.0, 0.1, 0.1 + 0.2, 1 / 3, -1 / 7, 1e-4, 9.99e-5, 1e-5,
      123456789012345.0, 1e15, 1e16, 2 ^ 53 + 0.0, 0.30000000000000004, 1e300, -1e-300,
      12.5, 0.05, -100.0, 1234567.891, 99999999999.9999, 99999999999.99995, 100000000000.0001,
      123456789012.5, 0.00015, 1.00000001, 0.12345678, 0.123456789 }
    local state = 12345
    for _ = 1, 3000 do                               -- scores rounded to 4 places, and not
      state = (state * 1103515245 + 12345) % 2147483648
      local x = state / 2147483648 * 2 - 1
      values[#values + 1] = x
      values[#values + 1] = (x * 10000 + 0.5) // 1 / 10000
      values[#values + 1] = (x * 1e6 * 10000 + 0.5) // 1 / 10000
    end
    for _, x in ipairs(values) do
      assert.equal("[" .. shortest(x) .. "]", encode { x }, string.format("%.17g", x))
    end
  end)

  it("gives the same text for values longer than its first buffer", function()
    local words, parts = {}, {}
    for i = 1, 3000 do
      words[i] = { id = "E" .. i, n = i, name = "Name " .. i }
      parts[i] = string.format('{"id":"E%d","n":%d,"name":"Name %d"}', i, i, i)
    end
    local text = encode(words)
    assert.equal("[" .. table.concat(parts, ",") .. "]", text)
    assert.is_true(#text > 64 * 1024)
    assert.same(words, decode(text))
    local long = ("é"):rep(5000)
    assert.equal('{"s":"' .. long .. '"}', encode { s = long })
  end)

  it("tells lists from objects whatever key comes first", function()
    -- an object is written at once from its first key when that is a string
    local mixed = { "a", "b", x = 1 }
    local later = { x = 1 }
    later[1] = "a"
    for _, t in ipairs { mixed, later, { [2] = "b", y = 2 }, { [1.5] = 1 } } do
      assert.error_matches(function() encode(t) end, "key but is not a list 1%.%.n")
    end
    assert.equal('[{},{"x":1},["a","b"],[{"y":{}}]]', encode { {}, { x = 1 }, { "a", "b" }, { { y = {} } } })
    assert.equal('{"1x":[1,2],"x":{"1":true}}', encode { x = { ["1"] = true }, ["1x"] = { 1, 2 } })
  end)

  it("escapes a string's special bytes wherever they stand among plain ones", function()
    -- plain ASCII strings are checked eight bytes at a time
    local named = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r" }
    local function escaped(s)
      return (s:gsub('[%c"\\]', function(c)
        if c == "\127" then return c end
        return named[c] or string.format("\\u%04x", c:byte())
      end))
    end
    for _, special in ipairs { '"', "\\", "\n", "\t", "\r", "\0", "\1", "\31", "\127", "é", " ", "~" } do
      for len = 1, 19 do
        for at = 1, len do
          local s = ("a"):rep(at - 1) .. special .. ("b"):rep(len - at)
          assert.equal('["' .. escaped(s) .. '"]', encode { s }, string.format("%q at %d", special, at))
        end
      end
    end
    assert.error_matches(function() encode { ("a"):rep(9) .. "\255" } end, "not valid UTF%-8")
  end)

  it("writes numbers and rows the same at every distance from the end of its first buffer", function()
    -- numbers and row keys are copied in fixed-size steps while there is
    -- room for them; near a buffer's end, byte by byte
    local rows = lector.json.rows
    for pad = 1990, 2060 do
      local s = ("x"):rep(pad)
      local t = { a = s, b = { -1234567890123, 0.1234, -0.0, 1e300, 12.5 },
        c = rows { n = 2, compound = { 0.5, -0.25 }, index = { 1, 2 } } }
      assert.equal('{"a":"' .. s .. '","b":[-1234567890123,0.1234,-0,1e+300,12.5],'
        .. '"c":[{"compound":0.5,"index":1},{"compound":-0.25,"index":2}]}', encode(t), pad)
    end
  end)

  it("names what cannot be stored, on either path", function()
    for _, pad in ipairs { "", ("x"):rep(5000) } do
      assert.error_matches(function() encode { pad = pad, bad = "\255" } end,
        "the value cannot be stored as JSON: a string is not valid UTF%-8")
      assert.error_matches(function() encode { pad = pad, [true] = 1 } end,
        "the value cannot be stored as JSON: a table has a boolean key but is not a list 1%.%.n %(JSON objects need string keys%)")
      assert.error_matches(function() encode { pad = pad, f = print } end,
        "the value cannot be stored as JSON: a function cannot be stored as JSON")
      assert.error_matches(function() encode { pad = pad, x = 0 / 0 } end, "not finite")
    end
  end)

  it("writes a table made a list by lector.json.array as a list, empty or not", function()
    local array = lector.json.array
    assert.equal('{"a":[],"b":{},"c":[1,2]}', encode { a = array(), b = {}, c = array { 1, 2 } })
    local names = array()
    names[1], names[2] = "Maduro", "Putin"
    assert.equal('["Maduro","Putin"]', encode(names))
    names[2], names[1] = nil, nil
    assert.equal("[]", encode(names))
    local kept = { 3 }
    assert.equal(kept, array(kept))
    assert.equal(kept, array(kept))                       -- marking twice is harmless
    assert.error_matches(function() encode(array { x = 1 }) end,
      "a table made a list by lector.json.array has keys other than 1%.%.n")
    assert.error_matches(function() encode(array { 1, nil, 3 }) end, "keys other than 1%.%.n")
    -- the mark cannot be taken, changed or replaced from Lua
    assert.equal("lector.json.array", getmetatable(array()))
    assert.error_matches(function() setmetatable(array(), {}) end, "protected metatable")
    assert.error_matches(function() array(setmetatable({}, {})) end,
      "bad argument #1 to 'array' %(the table already has a metatable%)")
    assert.error_matches(function() array "x" end, "bad argument #1 to 'array' %(table expected")
    -- decoding gives plain tables: [] and {} alike come back empty
    assert.same({ a = {}, b = { 1 } }, decode '{"a":[],"b":[1]}')
  end)

  it("writes a table made rows by lector.json.rows as a list of objects, from its columns", function()
    local rows = lector.json.rows
    local t = rows { n = 3, b = { 1, 2, 3, 4 }, a = { "x", nil, "z" }, ['q"'] = { true },
      nested = { { 1 }, nil, { k = 0.5 } } }
    assert.equal('[{"a":"x","b":1,"nested":[1],"q\\"":true},{"b":2},{"a":"z","b":3,"nested":{"k":0.5}}]',
      encode(t))
    t.n = 1                                              -- entries past n are not read
    assert.equal('[{"a":"x","b":1,"nested":[1],"q\\"":true}]', encode(t))
    t.n = 0
    assert.equal('{"r":[]}', encode { r = t })
    assert.equal("[]", encode(rows { n = 0 }))
    assert.equal("[{},{}]", encode(rows { n = 2, a = {} }))
    assert.same({ { a = "x", b = 1 }, { b = 2 } }, decode(encode(rows { n = 2, a = { "x" }, b = { 1, 2 } })))
    assert.equal(t, rows(t))                              -- marking twice is harmless
    assert.error_matches(function() encode(rows {}) end,
      "a table made rows by lector.json.rows needs n, a count")
    assert.error_matches(function() encode(rows { n = -1 }) end, "needs n, a count")
    assert.error_matches(function() encode(rows { n = 1, a = 1 }) end,
      "a column of lector.json.rows is not a list")
    assert.error_matches(function() encode(rows { n = 1, [1] = {} }) end, "a number key")
    local wide = rows { n = 1 }
    for i = 1, 17 do wide["c" .. i] = { i } end
    assert.error_matches(function() encode(wide) end, "more than 16 columns")
    assert.error_matches(function() encode(rows { n = 1, a = { 0 / 0 } }) end, "not finite")
    assert.equal("lector.json.rows", getmetatable(rows()))
    assert.error_matches(function() setmetatable(rows(), {}) end, "protected metatable")
    assert.error_matches(function() rows(lector.json.array()) end,
      "bad argument #1 to 'rows' %(the table already has a metatable%)")
  end)
end)

describe("span attributes", function()
  it("come back as stored, small or large", function()
    local doc = assert(lector.doc(H.read(H.article)))
    local big = numbered(30)
    big.text = ("long "):rep(1000)
    doc:add("t", { start = 0, stop = 6, label = "A", attrs = { id = "E1", mentions = 2 } })
    doc:add("t", { start = 7, stop = 17, attrs = big })
    doc:add("t", { start = 18, stop = 25, label = "C" })
    local spans = {}
    for span in doc:spans "t" do spans[#spans + 1] = span end
    assert.same({ id = "E1", mentions = 2 }, spans[1].attrs)
    assert.equal("A", spans[1].label)
    assert.same(big, spans[2].attrs)
    assert.is_nil(spans[2].label)
    assert.same({}, spans[3].attrs)
    assert.equal("C", spans[3].label)
    local json = doc:json()
    assert.matches('"label":"A","start":0,"end":6,', json, 1, true)
    assert.matches('"attrs":{"id":"E1","mentions":2}', json, 1, true)
  end)
end)
