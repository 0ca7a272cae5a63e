-- lector.patterns.scanner: P.any tried only where an expression can start,
-- in one C pass; its starts, how it moves on, hostile texts, bad
-- arguments, and the scanner seen from a sandboxed plugin.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"
local core = require "lector.core"
local lpeg = require "lpeg"
local P = lector.patterns

-- The configuration of the entities pass, in short.
local scanner = P.scanner {
  words = "three twenty yesterday early late www",
  before_time = { "a", "this", "last", "next" },
  time_words = "week weeks year dozen may march",
  before_digit = "may march",
  capitalized = "may march",
}

-- "start-stop kind" of every match in text.
local function scan(text, init)
  local out = {}
  for start, stop, v in scanner:find(text, init) do
    assert.equal(v.text or v.url or v.address, text:sub(start + 1, stop))
    out[#out + 1] = ("%d-%d %s"):format(start, stop, v.kind)
  end
  return table.concat(out, " ")
end

describe("lector.patterns.scanner", function()
  it("finds expressions in news sentences, with P.any's values", function()
    assert.equal("4-13 money 17-23 money 41-49 percent 53-65 money 90-94 date",
      scan("Shr 1.23 dlrs vs 98 cts, net profit rose 12.5 pct to 4.5 mln dlrs in the first "
        .. "quarter of 1987."))
    assert.equal("20-27 date 41-48 number 62-71 date 76-91 date",
      scan("The company said on March 3 it would pay a dozen suppliers by next week, or three "
        .. "weeks ago."))
    local text = "Net rose to 4.5 mln dlrs from 3.2 mln."
    local start, stop, v = scanner:find(text)()
    assert.same({ 12, 24 }, { start, stop })
    assert.same(lpeg.match(P.any, text, start + 1), v)
    assert.equal("lector.Scanner (16 words)", tostring(scanner))
  end)

  -- {what the case shows, text, init or nil, its matches as scan gives them}
  local cases = {
    { "digits, signs and currency signs", "He paid 5,000 yen -3 +7 \u{2212}4 \u{BD} \u{2153} \u{20B9}50", nil,
      "8-17 money 18-20 number 21-23 number 24-28 number 29-31 number 32-35 number 36-41 money" },
    { "currency codes", "Prices: US$5, HK$7, C$3, U.S.$2, USD 9, EUR 4, ABCD$ 6", nil,
      "8-12 money 14-18 money 20-23 money 25-31 money 33-38 money 40-45 money 53-54 number" },
    { "words, and before_time words before a number or a time word",
      "early 1990s, late May, yesterday, this year, this firm, last   week", nil,
      "0-11 date 13-21 date 23-32 date 34-43 date 56-67 date" },
    { "before_digit and capitalized words: the month, not the verb", "May 1987 and MARCH 5 and may be",
      nil, "0-8 date 13-20 date" },
    { "no word with a word byte after it", "threes three_ three\u{E9} yesterday1", nil, "" },
    { "no word of no list", "four ships", nil, "" },
    { "host names and e-mail addresses", "Contact ir@acme.com or visit www.acme.com/news, reuters.com.",
      nil, "8-19 email 29-46 url 48-59 url" },
    { "moving over joined words and the rest of a matched word",
      "Su-30 and 3.5 and COVID-19 and 2006-2008 and 3-year-old 5", nil,
      "10-13 number 31-35 date 36-40 date 45-51 duration 56-57 number" },
    { "beginning at init", "1 and 2", 2, "6-7 number" },
    { "beginning at the end", "1 and 2", 7, "" },
    { "an empty text", "", nil, "" },
  }
  for _, case in ipairs(cases) do
    it("starts and moves on as it should: " .. case[1], function()
      assert.equal(case[4], scan(case[2], case[3]))
    end)
  end

  it("reads each place once, whatever the text holds", function()
    -- a scan of n bytes costs O(n): each of these would take minutes if
    -- the scan (or a try of P.any) read to the end of the text at each place
    local function count(text)
      local n = 0
      for _ in scanner:find(text) do n = n + 1 end
      return n
    end
    local mb = 1 << 20
    assert.equal(0, count(("may "):rep(mb // 4)))
    assert.equal(0, count(("7"):rep(mb)))
    assert.equal(0, count(("."):rep(mb)))
    assert.equal(0, count(("_%"):rep(mb // 2)))
    assert.equal(0, count(("\xFF\x80"):rep(mb // 2)))
    assert.equal(0, count(("a"):rep(mb)))
    assert.equal(mb // 4, count(("1-"):rep(mb // 4)))
    assert.equal(0, count(("a."):rep(mb // 8)))
    assert.equal(0, count(("x@"):rep(mb // 8)))
    assert.equal(0, count(("this "):rep(mb // 5)))
  end)

  it("raises on bad arguments, naming them", function()
    assert.has_error(function() P.scanner() end,
      "bad argument #1 to 'scanner' (table expected, got no value)")
    assert.has_error(function() P.scanner { word = "one" } end,
      "bad argument #1 to 'scanner' (unknown key 'word')")
    assert.has_error(function() P.scanner { words = "one 2" } end,
      "bad argument #1 to 'scanner' (words: '2' is not a word of ASCII letters)")
    assert.has_error(function() P.scanner { words = { "one", 2 } } end,
      "bad argument #1 to 'scanner' (words[2] must be a string)")
    assert.has_error(function() P.scanner { time_words = 5 } end,
      "bad argument #1 to 'scanner' (field 'time_words' must be a string of words or an array of words)")
    assert.has_error(function() P.scanner { words = ("x"):rep(33) } end,
      "bad argument #1 to 'scanner' (words: a word must have 1 to 32 letters)")
    local many = {}
    for i = 1, 4097 do many[i] = ("w" .. i):gsub("%d", function(d) return string.char(97 + d) end) end
    assert.has_error(function() P.scanner { words = many } end,
      "bad argument #1 to 'scanner' (more than 4096 words)")
    assert.has_error(function() scanner:find() end,
      "bad argument #1 to 'find' (string expected, got no value)")
    assert.has_error(function() scanner:find("abc", 4) end,
      "bad argument #2 to 'find' (a byte offset 0..3 expected)")
    assert.has_error(function() scanner:find("abc", -1) end)
    assert.has_error(function() scanner.find({}, "abc") end)
    -- an empty configuration is a scanner of the fixed starts only
    assert.equal("lector.Scanner (0 words)", tostring(P.scanner {}))
  end)
end)

describe("lector.patterns.scanner in a plugin", function()
  local source = [[
    local scanner = lector.patterns.scanner { words = "three", before_time = "last",
                                              time_words = "week" }
    return { name = "numbers", version = "1.0.0", run = function(doc, opts, ctx)
      local found = {}
      for start, stop, v in scanner:find(doc.text) do found[#found + 1] = v.text end
      doc:set("found", found)
    end }
  ]]

  it("scans the document's text", function()
    local dir = H.tmpdir()
    local state = assert(core.sandbox { name = "numbers", dir = dir,
                                        file = H.write(dir .. "/plugin.lua", source) })
    local doc = assert(lector.doc("Three ships came last week, 5 more last year."))
    assert(state:run(doc))
    assert.same({ "Three", "last week", "5" }, doc:get "found")
    state:close()
  end)
end)
