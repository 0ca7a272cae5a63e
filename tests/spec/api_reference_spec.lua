-- docs/lua-api.md has an entry for every name the `lector` module exports.
--
-- What is walked:
--   * every field of `require "lector"`, and the fields its metatable
--     builds on first use (the names `key == "NAME"` tests in
--     core/lua/lector.lua: lector.patterns, lector.explain, ...);
--   * the members of the tables among them (lector.json, lector.graph,
--     lector.patterns, whose patterns are built by reading one field); a
--     table is documented through its members, not by an entry of its own;
--   * for each class of core/lua_classnames.h that scripts can reach, the
--     methods table behind its metatable's __index (the table itself, or
--     upvalue 1 of the field getter, as lector_register_class in
--     core/lua_lector.c sets it up), the fields its C getter serves (the
--     `strcmp(key, "NAME")` tests in the getter that the class's
--     lector_register_class call names), and `#x` when it has __len and
--     `tostring(x)` when it has __tostring;
--   * the methods of a Pipeline (lector.pipeline's result).
--
-- The convention: a name is documented when docs/lua-api.md has, in a
-- heading line (`#...`) or in the first cell of a table row (`| ... |`), a
-- code span that begins with the name written the way the reference
-- writes it, followed by anything but a letter, digit or `_`:
--   lector.NAME   the module's fields     lector.json.NAME  lector.json
--   G.NAME        lector.graph            P.NAME            lector.patterns
--   VAR:NAME      a method of a class     VAR.NAME          a field of a class
--   #VAR          its length              tostring(VAR)     its string form
-- where VAR is the reference's variable for the class (CLASSES below:
-- doc, s, t, span, db, rows, lex, m, st, g, v, nf, ph, sc, p). Prose mentions do not count.
-- Classes only lector's own loaders use (through lector.core, not through
-- `lector`), and the hold a Document's methods keep on it while they run,
-- are listed in INTERNAL and skipped; every class of lua_classnames.h must
-- be in one of the two lists.
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")
local lector = require "lector"

local CLASSES = {
  ["lector.Document"] = "doc", ["lector.Sentence"] = "s", ["lector.Token"] = "t",
  ["lector.Span"] = "span", ["lector.Store"] = "db", ["lector.Lexicon"] = "lex",
  ["lector.Matcher"] = "m", ["lector.Stemmer"] = "st", ["lector.Graph"] = "g", ["lector.Valence"] = "v",
  ["lector.Names"] = "nf",
  ["lector.Rows"] = "rows", ["lector.Phrases"] = "ph", ["lector.Scanner"] = "sc",
}
local INTERNAL = { ["lector.Reader"] = true, ["lector.PluginState"] = true, ["lector.Pool"] = true,
  ["lector.DocumentHold"] = true }
local TABLE_PREFIX = { json = "lector.json.", graph = "G.", patterns = "P." }

local function read(path)
  return H.read(H.source_dir .. "/" .. path)
end

-- Every code span in the headings and first table cells of the reference.
local function entry_spans()
  local spans = {}
  for line in read("docs/lua-api.md"):gmatch "[^\n]+" do
    local where = line:match "^#+%s(.*)" or line:match "^|([^|]*)|"
    if where then
      for code in where:gmatch "`([^`]+)`" do spans[#spans + 1] = code end
    end
  end
  return spans
end

local SPANS = entry_spans()

local function documented(written)
  local n = #written
  for _, code in ipairs(SPANS) do
    if code:sub(1, n) == written and not code:sub(n + 1, n + 1):match "[%w_]" then return true end
  end
  return false
end

-- The names a table holds, sorted.
local function names_of(t)
  local names = {}
  for k in pairs(t) do
    if type(k) == "string" then names[#names + 1] = k end
  end
  table.sort(names)
  return names
end

-- Class name (from lua_classnames.h) -> the names its C field getter serves.
local function c_fields()
  local constants = {}
  for const, name in read("core/lua_classnames.h"):gmatch '#define%s+(LECTOR_[%w_]+_CLASS)%s+"([^"]+)"' do
    constants[const] = name
  end
  local fields = {}
  local p = assert(io.popen("ls " .. H.quote(H.source_dir .. "/core") .. "/lua_*.c"))
  for path in p:lines() do
    local source = H.read(path)
    for const, getter in source:gmatch "lector_register_class%(%s*L,%s*([%w_]+),%s*[%w_]+,%s*[%w_]+,%s*([%w_]+)%s*%)" do
      local class = assert(constants[const], const)
      fields[class] = {}
      if getter ~= "NULL" then
        local body = assert(source:match("\nstatic int " .. getter .. "%(lua_State %*L%) {\n(.-)\n}\n"),
          "cannot find the field getter " .. getter .. " in " .. path)
        for name in body:gmatch 'strcmp%(key, "([%w_]+)"%)' do fields[class][#fields[class] + 1] = name end
      end
    end
  end
  p:close()
  return fields, constants
end

local function missing_report(missing)
  return "docs/lua-api.md has no entry (heading or first table cell, see the top of "
    .. "tests/spec/api_reference_spec.lua) for:\n  " .. table.concat(missing, "\n  ")
end

describe("docs/lua-api.md", function()
  it("has an entry for every field of the lector module", function()
    local missing, lazy = {}, {}
    for name in read("core/lua/lector.lua"):gmatch 'key == "([%w_]+)"' do lazy[#lazy + 1] = name end
    assert.is_true(#lazy >= 2, "the lazy fields of core/lua/lector.lua were not found")
    local names = names_of(lector)
    for _, name in ipairs(lazy) do
      assert.is_not_nil(lector[name], "lector." .. name .. " is nil")
      names[#names + 1] = name
    end
    for _, name in ipairs(names) do
      local value = lector[name]
      if type(value) == "table" then
        local prefix = assert(TABLE_PREFIX[name], "lector." .. name .. " is a table this spec does not know: "
          .. "add its prefix to TABLE_PREFIX")
        local _ = value.number   -- lector.patterns builds its patterns on first read
        for _, member in ipairs(names_of(value)) do
          if not documented(prefix .. member) then missing[#missing + 1] = prefix .. member end
        end
      elseif not documented("lector." .. name) then
        missing[#missing + 1] = "lector." .. name
      end
    end
    assert(#missing == 0, missing_report(missing))
  end)

  it("has an entry for every method, field, length and string form of each class", function()
    local fields, constants = c_fields()
    local registry = debug.getregistry()
    local missing = {}
    for _, class in pairs(constants) do
      assert(CLASSES[class] or INTERNAL[class],
        class .. " is in lua_classnames.h but neither in CLASSES nor INTERNAL of this spec")
    end
    for class, var in pairs(CLASSES) do
      local mt = assert(registry[class], class .. " is not registered")
      local methods = mt.__index
      if type(methods) == "function" then
        local _, up = debug.getupvalue(methods, 1)
        methods = up
      end
      assert.equal("table", type(methods), class .. ": no methods table")
      local written = {}
      for _, name in ipairs(names_of(methods)) do written[#written + 1] = var .. ":" .. name end
      for _, name in ipairs(assert(fields[class], class .. ": no lector_register_class call found")) do
        written[#written + 1] = var .. "." .. name
      end
      if mt.__len then written[#written + 1] = "#" .. var end
      if mt.__tostring then written[#written + 1] = "tostring(" .. var .. ")" end
      for _, w in ipairs(written) do
        if not documented(w) then missing[#missing + 1] = w .. "   (" .. class .. ")" end
      end
    end
    table.sort(missing)
    assert(#missing == 0, missing_report(missing))
  end)

  it("has an entry for every method of a Pipeline", function()
    local p = assert(lector.pipeline { "structure" })
    local missing = {}
    for _, name in ipairs(names_of(getmetatable(p).__index)) do
      if name:sub(1, 2) ~= "__" and not documented("p:" .. name) then missing[#missing + 1] = "p:" .. name end
    end
    p:close()
    assert(#missing == 0, missing_report(missing))
  end)

  it("counts only headings and first table cells as entries", function()
    -- The checker itself: a name mentioned only in prose is not found.
    assert.is_true(documented "lector.load")
    assert.is_true(documented "doc:spans")
    assert.is_false(documented "doc:span")      -- a prefix of doc:spans is not it
    assert.is_false(documented "lector.nothing_such")
  end)
end)
