-- `lector repl`: an interactive Lua session with lector loaded. On a
-- terminal it edits lines with libedit (history, completion, Ctrl-C);
-- otherwise it reads statements from standard input, without prompts or
-- colors, and prints results the same way. See docs/repl.md.
local lector = require "lector"
local core = require "lector.core"
local pretty = require "lector.pretty"
local pipeline = require "lector.pipeline"
local plugins = require "lector.plugins"
local catalog = require "lector.catalog"
local share_lock = require "lector.lock"

local assert, collectgarbage, debug, error, io, ipairs, load, math, next, os, pairs, pcall, rawget, require,
  select, setmetatable, string, table, tostring, type, xpcall, _G =
  assert, collectgarbage, debug, error, io, ipairs, load, math, next, os, pairs, pcall, rawget, require,
  select, setmetatable, string, table, tostring, type, xpcall, _G
local _ENV = nil

local repl = {}

local PROMPT, PROMPT_MORE = "lector> ", "   ...> "
-- Items list() collects from an iterator before it stops.
local LIST_MAX = 100000
local CHUNKNAME = "=stdin"

-- The terminal module is linked into the lector executable; a host that
-- embeds liblector without it still gets the stdin mode.
local has_lineedit, lineedit = pcall(require, "lector.lineedit")
if not has_lineedit then
  lineedit = {
    isatty = function() return false end,
    clock = os.clock,
    memory = function() local kb = collectgarbage "count"; return math.floor(kb * 1024), math.floor(kb * 1024) end,
    call = function(handler, f, ...) return xpcall(f, handler, ...) end,
  }
end

repl.HELP = [[
Usage: lector repl [FILE] [--db PATH]

An interactive Lua 5.4 session with lector loaded (the global 'lector'),
FILE loaded as the global 'doc' and the database PATH opened as 'db'.
Type a Lua statement or expression; results print themselves. Commands
start with ':' (':help' lists them). Ctrl-C interrupts a running chunk or
clears the line; Ctrl-D leaves.

On a terminal, lines are edited with libedit (arrows, Ctrl-R history
search, Tab completion) and the history is kept in
$XDG_STATE_HOME/lector/history (default ~/.local/state/lector/history).
When standard input is not a terminal, statements are read from it without
prompts or colors, and the exit code is 1 when any of them failed.
Colors are used when standard input and output are terminals, and never
when NO_COLOR is set.

Options:
      --db PATH           open this database as 'db'
  -h, --help              show this help

See docs/repl.md.
]]

local COMMAND_HELP = {
  { "help", "[TOPIC]", "this list, or help on a command or topic (keys, pretty, globals)" },
  { "load", "FILE", "load FILE as 'doc' and show it" },
  { "open", "DB", "open the database DB as 'db'" },
  { "run", "PLUGIN [KEY=VALUE...]", "run a pass (and the passes it requires) on 'doc'" },
  { "trace", "PLUGIN [KEY=VALUE...]", "run a pass on 'doc' and show what it added to each sentence" },
  { "plugins", "", "list the plugins lector finds" },
  { "sql", "QUERY", "run one SQL statement on 'db' and show the rows" },
  { "time", "EXPR", "evaluate EXPR and show its time and memory" },
  { "report", "PATH", "write the HTML report of 'doc' (else of the corpus in 'db') to PATH" },
  { "quit", "", "leave (Ctrl-D does too)" },
}

local TOPICS = {
  keys = [[
Line editing (libedit, emacs keys):
  Left/Right, Home/End, Ctrl-A/Ctrl-E   move          Up/Down   history
  Ctrl-R TEXT                           search back in the history
  Tab                                   complete a global, a field, a method,
                                        a command, a plugin (:run) or a file (:load)
  Ctrl-C   clear the line, or interrupt a running chunk
  Ctrl-D   leave (on an empty line)
A chunk that is not complete yet (an open function, if, table or long
string) continues on the '...>' prompt. Your ~/.editrc is read.]],
  pretty = [[
Results are shown by lector.pretty(value [, opts]):
  a Document as a header (title, counts, layers, values); a list of Spans
  or of flat rows (db:query results) as an aligned table; other tables
  indented, with cycles marked; long strings and tables cut with a note.
  list(doc:spans "entity") collects an iterator into a list to show it.
  lector.pretty(v, {depth = 10, items = 200, rows = 100, string = 2000})
  returns the text with other limits.]],
  globals = [[
Globals: lector (the module), doc (:load or FILE), db (:open or --db),
list(iterator...) (collect an iterator into a list), and the whole Lua
standard library. The session is trusted code, like 'lector run'.]],
}

-- ---- small helpers -------------------------------------------------------------

local function trim(s)
  return (s:match "^%s*(.-)%s*$")
end

-- A mistake in a command (no document, a bad option) is raised as
-- {oops = message}: shown without a traceback.
local function oops(message)
  error({ oops = message }, 0)
end

local function handler(message)
  if type(message) == "table" and type(message.oops) == "string" then return message.oops end
  if type(message) ~= "string" then
    local ok, text = pcall(tostring, message)
    message = ok and text or "(error object is not a string)"
  end
  local trace = debug.traceback("", 2)
  -- Drop the frames of the REPL itself: they are the same every time.
  local lines = { message }
  for line in trace:gmatch "[^\n]+" do
    if line:find("lector/repl.lua", 1, true) or line:find("in function 'xpcall'", 1, true)
        or line:find("lector.lineedit.call", 1, true) then
      break
    end
    if line:match "%S" then lines[#lines + 1] = line end
  end
  if lines[#lines] == "stack traceback:" then lines[#lines] = nil end
  return table.concat(lines, "\n")
end

-- list(f, s, c): the first values a generic for would give, as a list.
local function list(f, s, c)
  local items = {}
  for v in f, s, c do
    items[#items + 1] = v
    if #items >= LIST_MAX then break end
  end
  return items
end

local function format_seconds(s)
  if s < 1e-3 then return string.format("%.1f µs", s * 1e6) end
  if s < 1 then return string.format("%.2f ms", s * 1e3) end
  return string.format("%.3f s", s)
end

local function format_bytes(n)
  local sign = n < 0 and "-" or ""
  n = math.abs(n)
  if n < 1024 then return string.format("%s%d B", sign, n) end
  if n < 1024 * 1024 then return string.format("%s%.1f KiB", sign, n / 1024) end
  return string.format("%s%.1f MiB", sign, n / 1024 / 1024)
end

-- ---- the session ---------------------------------------------------------------

local Session = {}
Session.__index = Session

function Session:out(text)
  io.stdout:write(text, "\n")
  io.stdout:flush()
end

function Session:fail(text)
  io.stdout:flush()
  if self.color then text = "\27[31m" .. text .. "\27[0m" end
  io.stderr:write(text, "\n")
  io.stderr:flush()
  self.failures = self.failures + 1
end

function Session:note(text)
  self:out(self.color and "\27[2m" .. text .. "\27[0m" or text)
end

function Session:show(...)
  if select("#", ...) == 0 then return end
  self:out(pretty.values({ color = self.color }, ...))
end

-- Run f protected; on a terminal Ctrl-C interrupts it. Returns ok, ...
function Session:call(f, ...)
  if self.interactive then return lineedit.call(handler, f, ...) end
  return xpcall(f, handler, ...)
end

-- Report a failed call: an interrupt briefly, an error with its traceback.
function Session:report(ok, ...)
  if ok then return true end
  local message, interrupted = ...
  if interrupted then self:fail "interrupted" else self:fail(tostring(message)) end
  return false
end

-- The chunk as an expression when it is one ("return " first, as Lua's own
-- interpreter does), else as statements. Returns f; or nil, "incomplete";
-- or nil, message.
local function compile(chunk)
  local f, expr_err = load("return " .. chunk, CHUNKNAME, "t", _G)
  if f then return f end
  local g, err = load(chunk, CHUNKNAME, "t", _G)
  if g then return g end
  if err:sub(-5) == "<eof>" or expr_err:sub(-5) == "<eof>" then return nil, "incomplete" end
  return nil, err
end

function Session:evaluate(f)
  self:print_results(self:call(f))
end

function Session:print_results(ok, ...)
  if ok then self:show(...) else self:report(ok, ...) end
end

-- ---- passes: :run and :trace ------------------------------------------------------

-- The spans of a document, by a key that tells them apart, counted.
local function span_counts(doc)
  local counts = {}
  for s in doc:spans() do
    local key = s.layer .. "\0" .. s.start .. "\0" .. s.stop .. "\0" .. (s.label or "")
    counts[key] = (counts[key] or 0) + 1
  end
  return counts
end

local function value_texts(doc)
  local texts = {}
  for k, v in pairs(doc:values()) do
    local ok, text = pcall(core.json.encode, v)
    texts[k] = ok and text or tostring(v)
  end
  return texts
end

local function snapshot(doc)
  return { spans = span_counts(doc), values = value_texts(doc) }
end

-- What the passes added: new spans (in text order) and new or changed values.
local function changes(doc, before)
  local counts, added = {}, {}
  for k, n in pairs(before.spans) do counts[k] = n end
  for s in doc:spans() do
    local key = s.layer .. "\0" .. s.start .. "\0" .. s.stop .. "\0" .. (s.label or "")
    if (counts[key] or 0) > 0 then counts[key] = counts[key] - 1 else added[#added + 1] = s end
  end
  local values = {}
  for k, text in pairs(value_texts(doc)) do
    if before.values[k] ~= text then values[#values + 1] = k end
  end
  table.sort(values)
  return added, values
end

-- "PLUGIN key=value ..." -> name, {key = "value"} | nil, message
local function parse_pass(args)
  local words = {}
  for word in args:gmatch "%S+" do words[#words + 1] = word end
  local name = words[1]
  if not name then return nil, "which plugin? (:plugins lists them)" end
  local raw = {}
  for i = 2, #words do
    local key, value = words[i]:match "^([^=]+)=(.*)$"
    if not key then return nil, "options are KEY=VALUE, not '" .. words[i] .. "'" end
    raw[key] = value
  end
  return name, raw
end

-- Runs the pass on doc. A pass that already ran on this document in this
-- session (itself or as a requirement) would add its spans twice: then
-- every pass asked for so far runs again on a fresh copy of the text,
-- which becomes 'doc'.
function Session:run_pass(args)
  local doc = rawget(_G, "doc")
  if not (doc and pretty.class_of(doc) == "Document") then
    oops("no document: ':load FILE' first (or start with 'lector repl FILE')")
  end
  local name, raw = parse_pass(args)
  if not name then oops(raw) end
  local lock, lock_err = share_lock.read()
  if lock_err then oops(lock_err) end
  local requests = {}
  for _, r in ipairs(self.requests[doc] or {}) do
    if r.name ~= name then requests[#requests + 1] = r end
  end
  requests[#requests + 1] = { name = name, raw = raw }
  local function build(list)
    local passes, raw_options = {}, {}
    for i, r in ipairs(list) do
      passes[i] = r.name
      if next(r.raw) then raw_options[r.name] = r.raw end
    end
    local p, err = pipeline.build { passes = passes, raw_options = raw_options,
      allow = share_lock.grants(lock), lock = lock }
    if not p then oops(err) end
    return p
  end
  local p = build { requests[#requests] }
  local again = false
  for _, pass in ipairs(p.passes) do again = again or (self.ran[doc] or {})[pass.name] end
  if again then
    p:close()
    p = build(requests)
    local fresh = assert(lector.doc(doc.text, { id = doc.id, title = doc.title,
      source = doc.source, meta = doc.meta }))
    self:note(string.format("(a pass of this pipeline already ran on doc: ran %s again on a fresh "
      .. "copy of its text, now 'doc')", table.concat((function()
        local names = {}
        for i, pass in ipairs(p.passes) do names[i] = pass.name end
        return names
      end)(), ", ")))
    doc = fresh
    _G.doc = fresh
    self.requests[fresh] = {}
    self.ran[fresh] = {}
  end
  local before = snapshot(doc)
  local report, err = p:run(doc)
  p:close()
  if not report then oops(err) end
  self.requests[doc] = requests
  self.ran[doc] = self.ran[doc] or {}
  for _, pass in ipairs(report.passes) do
    if pass.status == "ok" then self.ran[doc][pass.name] = true end
  end
  return doc, report, before
end

function Session:pass_lines(report)
  for _, pass in ipairs(report.passes) do
    local line = string.format("pass %-12s %-7s %s", pass.name, pass.status,
      pass.seconds and format_seconds(pass.seconds) or "")
    if pass.memory then line = line .. ", peak " .. format_bytes(pass.memory) end
    self:out(trim(line))
    for _, log in ipairs(pass.logs or {}) do self:note("  log: " .. log) end
    if pass.error then self:fail("  " .. pass.error) end
  end
end

local function layer_summary(added)
  local counts, order = {}, {}
  for _, s in ipairs(added) do
    if not counts[s.layer] then order[#order + 1] = s.layer end
    counts[s.layer] = (counts[s.layer] or 0) + 1
  end
  local parts = {}
  for i, layer in ipairs(order) do parts[i] = string.format("%s +%d", layer, counts[layer]) end
  return #parts > 0 and table.concat(parts, ", ") or "none"
end

function Session:cmd_run(args)
  local doc, report, before = self:run_pass(args)
  self:pass_lines(report)
  local added, values = changes(doc, before)
  self:out("spans added: " .. layer_summary(added))
  self:out("values set:  " .. (#values > 0 and table.concat(values, ", ") or "none"))
end

-- The sentence (index) that holds each offset, by binary search.
local function sentence_finder(doc)
  local starts = {}
  for s in doc:sentences() do starts[#starts + 1] = s.start end
  return function(offset)
    local lo, hi = 1, #starts
    while lo < hi do
      local mid = (lo + hi + 1) // 2
      if starts[mid] <= offset then lo = mid else hi = mid - 1 end
    end
    return lo
  end
end

function Session:cmd_trace(args)
  local doc, report, before = self:run_pass(args)
  self:pass_lines(report)
  local added, values = changes(doc, before)
  local find = sentence_finder(doc)
  local by_sentence, order = {}, {}
  for _, s in ipairs(added) do
    local index = find(s.start)
    if not by_sentence[index] then
      by_sentence[index] = {}
      order[#order + 1] = index
    end
    table.insert(by_sentence[index], s)
  end
  table.sort(order)
  local popts = { color = self.color, rows = math.huge }
  for _, index in ipairs(order) do
    local sentence = doc:sentence(index)
    local text = pretty.format((sentence.text:gsub("%s+", " ")), { raw = true, string = 90, note = false })
    self:out(string.format("\nsentence %d: %s", index, text))
    local table_text = pretty.format(by_sentence[index], popts)
    self:out("  " .. table_text:gsub("\n", "\n  "))
  end
  self:out(string.format("\n%d spans added in %d sentences (%s)", #added, #order, layer_summary(added)))
  for _, key in ipairs(values) do
    local text = pretty.format(doc:get(key), { color = self.color, items = 10, depth = 3 })
    -- an aligned table starts on a line of its own
    local table_first = text:find("\n", 1, true) and not text:match "^{"
    self:out("value " .. key .. " =" .. (table_first and "\n" or " ") .. text)
  end
end

-- ---- commands ----------------------------------------------------------------------

function Session:cmd_help(topic)
  topic = trim(topic):gsub("^:", "")
  if topic == "" then
    local lines = { "Commands:" }
    for _, c in ipairs(COMMAND_HELP) do
      lines[#lines + 1] = string.format("  :%-30s %s", c[1] .. (c[2] ~= "" and " " .. c[2] or ""), c[3])
    end
    lines[#lines + 1] = ""
    lines[#lines + 1] = "Anything else is Lua: an expression shows its value(s), nil included."
    lines[#lines + 1] = "Topics: ':help keys', ':help pretty', ':help globals'; docs/repl.md has more."
    self:out(table.concat(lines, "\n"))
    return
  end
  if TOPICS[topic] then return self:out(TOPICS[topic]) end
  for _, c in ipairs(COMMAND_HELP) do
    if c[1] == topic then
      return self:out(string.format(":%s %s\n  %s", c[1], c[2], c[3]))
    end
  end
  oops("no help on '" .. topic .. "' (:help lists the commands and topics)")
end

function Session:cmd_load(path)
  path = trim(path)
  if path == "" then oops("which file? (:load FILE)") end
  local doc, err = lector.load(path)
  if not doc then oops(err) end
  _G.doc = doc
  self:show(doc)
end

function Session:cmd_open(path)
  path = trim(path)
  if path == "" then oops("which database? (:open DB, or :memory:)") end
  local db, err = lector.open(path)
  if not db then oops(err) end
  local old = rawget(_G, "db")
  _G.db = db
  if old and pretty.class_of(old) == "Store" and old ~= db then pcall(old.close, old) end
  self:show(db)
end

function Session:cmd_plugins()
  io.stdout:flush()
  catalog.list { EXIT = { ok = 0, plugin = 5 } }
  io.stdout:flush()
end

function Session:cmd_sql(query)
  local db = rawget(_G, "db")
  if not (db and pretty.class_of(db) == "Store") then
    oops("no database: ':open DB' first (or start with 'lector repl --db PATH')")
  end
  if trim(query) == "" then oops("which query? (:sql QUERY)") end
  local rows = db:query(query)
  if #rows == 0 then self:note "(no rows)" else self:show(rows) end
end

-- The article page of 'doc', with the passes 'db' recorded for it when it
-- is stored there; without a 'doc', the corpus page of 'db'.
function Session:cmd_report(path)
  path = trim(path)
  if path == "" then oops("where to? (:report PATH)") end
  local doc, db = rawget(_G, "doc"), rawget(_G, "db")
  if not (db and pretty.class_of(db) == "Store") then db = nil end
  local target, opts = doc, {}
  if doc and pretty.class_of(doc) == "Document" then
    if db and #db:query("select 1 from documents where id = ?", doc.id) > 0 then opts.db = db end
  elseif db then
    target = db
  else
    oops("nothing to report: ':load FILE' or ':open DB' first")
  end
  local result, err = lector.report(target, path, opts)
  if not result then oops(err) end
  self:note(string.format("wrote %s (%d bytes%s)", result.path, result.bytes,
    result.pages > 0 and string.format(", and %d article pages", result.pages) or ""))
end

function Session:cmd_time(expr)
  if trim(expr) == "" then oops("what to time? (:time EXPR)") end
  local f, err = compile(expr)
  if not f then oops(err == "incomplete" and "incomplete chunk: ':time' takes one line" or err) end
  collectgarbage()
  local used0 = lineedit.memory(true)
  local wall0, cpu0 = lineedit.clock(), os.clock()
  local results = table.pack(self:call(f))
  local wall, cpu = lineedit.clock() - wall0, os.clock() - cpu0
  local used1, peak = lineedit.memory()
  self:print_results(table.unpack(results, 1, results.n))
  self:note(string.format("time %s (cpu %s); memory %s held after, peak %s above the start",
    format_seconds(wall), format_seconds(cpu), format_bytes(used1 - used0), format_bytes(peak - used0)))
end

local COMMANDS = { help = "cmd_help", load = "cmd_load", open = "cmd_open", run = "cmd_run",
  trace = "cmd_trace", plugins = "cmd_plugins", sql = "cmd_sql", time = "cmd_time", report = "cmd_report",
  ["?"] = "cmd_help", h = "cmd_help" }
local QUIT = { quit = true, q = true, exit = true }

-- Returns false to leave.
function Session:command(line)
  local name, args = line:match "^%s*:(%S*)%s*(.-)%s*$"
  if QUIT[name] then return false end
  local method = COMMANDS[name]
  if not method then
    self:fail("unknown command ':" .. name .. "' (:help lists them)")
    return true
  end
  -- :time reports its own expression's outcome
  if method == "cmd_time" then
    local ok, err = pcall(self.cmd_time, self, args)
    if not ok then self:fail(handler(err)) end
    return true
  end
  local ok, err, interrupted = self:call(self[method], self, args)
  if not ok then self:fail(interrupted and "interrupted" or tostring(err)) end
  return true
end

-- ---- completion ------------------------------------------------------------------------

local CLASS_FIELDS = {
  Document = { "id", "source", "title", "text", "len", "sha256", "meta", "repairs", "errors" },
  Sentence = { "index", "start", "stop", "text", "paragraph" },
  Token = { "index", "start", "stop", "text", "sentence", "kind", "shape", "folded" },
  Span = { "layer", "label", "start", "stop", "text", "score", "attrs" },
  Store = { "path" },
  Lexicon = { "fold", "max_tokens", "size", "bytes" },
}
local LAZY_FIELDS = { lector = { "patterns", "explain", "pretty" } }
local KEYWORDS = { "and", "break", "do", "else", "elseif", "end", "false", "for", "function",
  "goto", "if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until",
  "while" }

-- Names visible on a value: table keys (and those of a table __index), a
-- lector object's methods (its metatable's) and fields.
local function names_of(value, methods_only)
  local names = {}
  local function add_table(t, depth)
    for k, v in pairs(t) do
      if type(k) == "string" and k:match "^[%a_][%w_]*$" and (not methods_only or type(v) == "function") then
        names[k] = true
      end
    end
    local mt = debug.getmetatable(t)
    if depth < 3 and mt and type(rawget(mt, "__index")) == "table" then add_table(mt.__index, depth + 1) end
  end
  if type(value) == "table" then add_table(value, 0) end
  if type(value) == "string" then add_table(string, 0) end
  local class = pretty.class_of(value)
  if class then
    local index = rawget(debug.getmetatable(value), "__index")
    if type(index) == "function" then
      local _, methods = debug.getupvalue(index, 1)
      index = methods
    end
    if type(index) == "table" then add_table(index, 0) end
    if not methods_only then
      for _, f in ipairs(CLASS_FIELDS[class] or {}) do names[f] = true end
    end
  end
  if value == lector and not methods_only then
    for _, f in ipairs(LAZY_FIELDS.lector) do names[f] = true end
  end
  return names
end

local function sorted(set, prefix, decorate)
  local out = {}
  for name in pairs(set) do
    if name:sub(1, #prefix) == prefix then out[#out + 1] = decorate and decorate(name) or name end
  end
  table.sort(out)
  return out
end

-- The start of an unclosed string literal before the cursor, if any.
local function open_string(text)
  local quote, start = nil, nil
  for i = 1, #text do
    local c = text:sub(i, i)
    if quote then
      if c == "\\" then
        -- an escape: the next character is part of the string (skipped below)
      elseif c == quote and text:sub(i - 1, i - 1) ~= "\\" then
        quote = nil
      end
    elseif c == '"' or c == "'" then
      quote, start = c, i + 1
    end
  end
  return quote and start
end

local complete_file

local function complete_lua(text)
  local string_start = open_string(text)
  if string_start then return complete_file(text, string_start) end
  local word = text:match "[%w_%.:]*$"
  local start = #text - #word + 1
  if word == "" then return start, {} end
  local base, sep, partial = word:match "^(.*)([%.:])([%w_]*)$"
  if not base then
    local names = names_of(_G)
    for _, k in ipairs(KEYWORDS) do names[k] = true end
    return start, sorted(names, word)
  end
  if base == "" or not base:match "^[%a_][%w_]*[%w_%.]*$" or base:find("..", 1, true)
      or base:sub(-1) == "." then
    return start, {}
  end
  local value = _G
  for name in base:gmatch "[^.]+" do
    local ok, v = pcall(function() return value[name] end)
    if not ok or v == nil then return start, {} end
    value = v
  end
  local names = names_of(value, sep == ":")
  return start, sorted(names, partial, function(name) return base .. sep .. name end)
end

function complete_file(text, start)
  local partial = text:sub(start)
  local dir, name = partial:match "^(.*/)([^/]*)$"
  local listing = core.listdir(dir and (dir == "/" and "/" or dir:sub(1, -2)) or ".")
  local out = {}
  for _, item in ipairs(listing or {}) do
    local hidden = item.name:sub(1, 1) == "."
    if item.name:sub(1, #(name or partial)) == (name or partial) and (not hidden or (name or partial):sub(1, 1) == ".") then
      out[#out + 1] = (dir or "") .. item.name .. (item.kind == "dir" and "/" or "")
    end
  end
  return start, out
end

local function plugin_names()
  local names = {}
  for _, c in ipairs(plugins.discover()) do names[c.folder_name] = true end
  return names
end

function Session:complete(text)
  local command, rest = text:match "^%s*:(%S*)(.*)$"
  if not command then return complete_lua(text) end
  if rest == "" then
    local names = {}
    for name in pairs(COMMANDS) do if name:match "^%a%a" then names[name] = true end end
    names.quit = true
    return #text - #command + 1, sorted(names, command, function(n) return ":" .. n end)
  end
  local arg = rest:match "(%S*)$"
  local start = #text - #arg + 1
  if command == "load" or command == "open" then return complete_file(text, start) end
  if (command == "run" or command == "trace") and not rest:match "^%s+%S+%s" then
    return start, sorted(plugin_names(), arg)
  end
  if command == "help" then
    local names = {}
    for _, c in ipairs(COMMAND_HELP) do names[c[1]] = true end
    for t in pairs(TOPICS) do names[t] = true end
    return start, sorted(names, arg)
  end
  if command == "time" then return complete_lua(text) end
  return start, {}
end

-- ---- reading ---------------------------------------------------------------------------

local function history_path()
  local state = os.getenv "XDG_STATE_HOME"
  if not state or state == "" then
    local home = os.getenv "HOME"
    if not home or home == "" then return nil end
    state = home .. "/.local/state"
  end
  return state .. "/lector/history"
end

local Terminal = {}
Terminal.__index = Terminal

local function open_terminal(session)
  local editor, err = lineedit.new "lector"
  if not editor then return nil, err end
  local self = setmetatable({ editor = editor, history = history_path() }, Terminal)
  if self.history then
    core.mkdirs(self.history:match "^(.*)/[^/]*$")
    if core.kind(self.history) == "file" then editor:load_history(self.history) end
  end
  editor:set_completer(function(text) return session:complete(text) end)
  return self
end

function Terminal:read(more)
  return self.editor:read(more and PROMPT_MORE or PROMPT)
end

function Terminal:remember(chunk)
  self.editor:add_history(chunk)
  if self.history then self.editor:save_history(self.history) end
end

function Terminal:close()
  io.stdout:write "\n"
  self.editor:close()
end

local Stdin = {}
Stdin.__index = Stdin

function Stdin.read()
  local line = io.stdin:read "L"
  return line and (line:gsub("\r?\n$", ""))
end

function Stdin.remember() end
function Stdin.close() end

-- The loop: read a chunk (over several lines when incomplete), then run a
-- command or evaluate it.
function Session:loop(input)
  local pending
  while true do
    local line = input:read(pending ~= nil)
    if line == nil then
      if pending then
        local _, err = load(pending, CHUNKNAME, "t", _G)
        self:fail(err)
      end
      return
    end
    if line == false then
      pending = nil  -- Ctrl-C: drop the chunk
      io.stdout:write "^C\n"
    elseif not pending and line:match "^%s*:" then
      input:remember(line)
      if not self:command(line) then return end
    elseif pending or line:match "%S" then
      local chunk = pending and pending .. "\n" .. line or line
      local f, err = compile(chunk)
      if err == "incomplete" then
        pending = chunk
      else
        pending = nil
        input:remember(chunk)
        if f then self:evaluate(f) else self:fail(err) end
      end
    end
  end
end

local function use_color(interactive_out)
  local no_color = os.getenv "NO_COLOR"
  local term = os.getenv "TERM"
  return interactive_out and not (no_color and no_color ~= "") and term ~= "dumb"
end

-- lector repl [FILE] [--db PATH]
function repl.main(args, ctx)
  local spec = { db = { value = true }, help = { short = "h" } }
  local opts, positional = ctx.parse(args, 2, spec, "repl", repl.HELP)
  if not opts then return positional end
  if #positional > 1 then
    ctx.say "repl: give at most one FILE (see 'lector repl --help')"
    return ctx.EXIT.usage
  end
  _G.lector = lector
  _G.list = list
  if positional[1] then
    local doc, err = lector.load(positional[1])
    if not doc then
      ctx.say(err)
      return ctx.EXIT.input
    end
    _G.doc = doc
  end
  if opts.db then
    local db, err = lector.open(opts.db)
    if not db then
      ctx.say(err)
      return ctx.EXIT.database
    end
    _G.db = db
  end
  local interactive = lineedit.isatty(0) and has_lineedit
  local session = setmetatable({
    interactive = interactive, color = use_color(interactive and lineedit.isatty(1)), failures = 0,
    requests = setmetatable({}, { __mode = "k" }), ran = setmetatable({}, { __mode = "k" }),
  }, Session)
  local input = Stdin
  if interactive then
    local terminal, err = open_terminal(session)
    if not terminal then
      ctx.say("repl: ", err)
      return ctx.EXIT.failure
    end
    input = terminal
    session:note(string.format("lector %s: Lua %s with lector loaded. :help for commands, Ctrl-D to leave.",
      lector.version, _G._VERSION:match "%d.*"))
    if rawget(_G, "doc") then session:show(_G.doc) end
  end
  session:loop(input)
  input:close()
  local db = rawget(_G, "db")
  if db and pretty.class_of(db) == "Store" then pcall(db.close, db) end
  if not interactive and session.failures > 0 then return ctx.EXIT.failure end
  return ctx.EXIT.ok
end

return repl
