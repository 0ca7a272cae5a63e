-- Reading a stored corpus back: `lector query`, `lector search` and
-- `lector merge`, and the Store methods written in Lua (db:search,
-- db:documents). The SQL they run is the store's own views and tables
-- (docs/schema.md); every value a user gives is bound, never pasted in.
local core = require "lector.core"
local sources = require "lector.sources"

local error, io, ipairs, math, pcall, select, string, table, tonumber, tostring, type, utf8 =
  error, io, ipairs, math, pcall, select, string, table, tonumber, tostring, type, utf8
local _ENV = nil

local json = core.json
local corpus = {}

-- ---- db:search -------------------------------------------------------------------

local DATE = "^%d%d%d%d%-%d%d%-%d%d$"
local COMPARISONS = { ["="] = "=", ["=="] = "=", ["!="] = "!=", ["<"] = "<", ["<="] = "<=",
  [">"] = ">", [">="] = ">=" }

-- A LIKE pattern that finds text anywhere, with LIKE's own characters escaped.
local function containing(text)
  return "%" .. text:gsub("[\\%%_]", "\\%0") .. "%"
end

-- A value filter as written on the command line: KEY, KEY.PATH, or either
-- followed by a comparison ("sentiment.compound<-0.2", "summary.method=hybrid").
-- Returns key, JSON path, SQL operator, operand; or nil, message.
function corpus.parse_value_filter(text)
  local name, op, operand = text:match "^([%w_%-%.]+)%s*([<>=!]=?)%s*(.*)$"
  if not name then
    name = text:match "^[%w_%-%.]+$"
    if not name then
      return nil, "a value filter is KEY or KEY.PATH, then optionally =, !=, <, <=, > or >= and a value ('" .. text .. "')"
    end
  end
  if op and not COMPARISONS[op] then return nil, "unknown comparison '" .. op .. "' in '" .. text .. "'" end
  local key, path = name:match "^([^%.]+)(.*)$"
  if key == "" then return nil, "a value filter needs a key ('" .. text .. "')" end
  if op then
    if operand == "true" then operand = 1
    elseif operand == "false" then operand = 0
    else operand = tonumber(operand) or operand end
  end
  return key, "$" .. path, op and COMPARISONS[op], operand
end

local function list_of(value, what, arg)
  if value == nil then return {} end
  if type(value) == "string" then return { value } end
  if type(value) ~= "table" then
    error(string.format("bad argument #%d to 'search' (%s: a string or a list of strings expected)", arg, what), 0)
  end
  for _, v in ipairs(value) do
    if type(v) ~= "string" then
      error(string.format("bad argument #%d to 'search' (%s: a string or a list of strings expected)", arg, what), 0)
    end
  end
  return value
end

local function check_date(value, what)
  if value == nil then return nil end
  if type(value) ~= "string" or not value:match(DATE) then
    error("bad argument #2 to 'search' (" .. what .. ": a date YYYY-MM-DD expected)", 0)
  end
  return value
end

-- The statement db:search runs and its parameters, from the query and the
-- filters. Each filter adds one condition; all must hold.
local function search_statement(query, opts)
  local params, where = {}, { "documents_fts MATCH ?" }
  local function add(condition, ...)
    where[#where + 1] = condition
    for i = 1, select("#", ...) do params[#params + 1] = select(i, ...) end
  end
  local highlight = opts.highlight or { "[", "]" }
  if type(highlight) ~= "table" or type(highlight[1]) ~= "string" or type(highlight[2]) ~= "string" then
    error("bad argument #2 to 'search' (highlight: a pair of strings expected)", 0)
  end
  local tokens = opts.tokens or 16
  if math.type(tokens) ~= "integer" or tokens < 1 or tokens > 64 then
    error("bad argument #2 to 'search' (tokens: a whole number from 1 to 64 expected)", 0)
  end
  local head = { highlight[1], highlight[2], tokens }
  params[#params + 1] = query
  for _, name in ipairs(list_of(opts.entity, "entity", 2)) do
    local pattern = containing(name)
    add("EXISTS (SELECT 1 FROM entity_mentions e WHERE e.doc_id = d.id"
      .. " AND (e.entity LIKE ? ESCAPE '\\' OR e.text LIKE ? ESCAPE '\\'))", pattern, pattern)
  end
  for _, label in ipairs(list_of(opts.label, "label", 2)) do
    add("EXISTS (SELECT 1 FROM spans s WHERE s.doc_id = d.id AND s.layer = 'entity'"
      .. " AND s.label = ?)", label)
  end
  for _, text in ipairs(list_of(opts.value, "value", 2)) do
    local key, path, op, operand = corpus.parse_value_filter(text)
    if not key then error("bad argument #2 to 'search' (" .. path .. ")", 0) end
    if op then
      add("EXISTS (SELECT 1 FROM doc_values v WHERE v.doc_id = d.id AND v.key = ?"
        .. " AND json_extract(v.value, ?) " .. op .. " ?)", key, path, operand)
    else
      add("EXISTS (SELECT 1 FROM doc_values v WHERE v.doc_id = d.id AND v.key = ?"
        .. " AND json_type(v.value, ?) IS NOT NULL)", key, path)
    end
  end
  local date = "(SELECT date FROM document_dates WHERE doc_id = d.id)"
  local since, till = check_date(opts.since, "since"), check_date(opts["until"], "until")
  if since then add(date .. " >= ?", since) end
  if till then add(date .. " <= ?", till) end
  local limit = opts.limit or -1
  if math.type(limit) ~= "integer" then
    error("bad argument #2 to 'search' (limit: a whole number expected)", 0)
  end
  params[#params + 1] = limit
  local sql = "SELECT d.id AS id, d.title AS title, " .. date .. " AS date,"
    .. " round(-bm25(documents_fts, 2.0, 1.0), 4) AS score,"
    .. " snippet(documents_fts, -1, ?, ?, '…', ?) AS snippet"
    .. " FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid"
    .. " WHERE " .. table.concat(where, " AND ")
    .. " ORDER BY bm25(documents_fts, 2.0, 1.0), d.rowid LIMIT ?"
  for i = #head, 1, -1 do table.insert(params, 1, head[i]) end
  return sql, params
end

-- db:search(query [, opts]) -> Rows of {id, title, date, score, snippet},
-- best first. opts: entity, label, value (each a string or a list),
-- since, until ("YYYY-MM-DD"), limit, highlight ({open, close}), tokens.
function corpus.search(db, query, opts)
  if opts ~= nil and type(opts) ~= "table" then
    error("bad argument #2 to 'search' (table expected, got " .. type(opts) .. ")", 0)
  end
  if query:match "^%s*$" then error("bad argument #1 to 'search' (the query is empty)", 0) end
  local sql, params = search_statement(query, opts or {})
  return db:rows(sql, table.unpack(params, 1, #params))
end

-- db:documents([sql, ...]) -> iterator over stored Documents, with their
-- spans and values: every document in the order stored, or those whose ids
-- the first column of sql gives.
function corpus.documents(db, sql, ...)
  local rows = db:rows(sql or "SELECT id FROM documents ORDER BY rowid", ...)
  local function next_document()
    local row = rows()
    if row == nil then return nil end
    local id = row[1]
    local doc, err = db:load(tostring(id))
    if not doc then error(err, 2) end
    return doc
  end
  return next_document, nil, nil, rows
end

-- ---- output: table, csv, json, jsonl ---------------------------------------------

local function text_of(value)
  if value == nil then return "" end
  return tostring(value)
end

local function width_of(s)
  return utf8.len(s) or #s
end

local MAX_CELL = 60

-- A table cell: one line, at most MAX_CELL characters.
local function cell(value)
  local s = text_of(value):gsub("[\r\n\t]", " ")
  if width_of(s) > MAX_CELL and utf8.len(s) then
    s = s:sub(1, utf8.offset(s, MAX_CELL) - 1) .. "…"
  end
  return s
end

local function csv_field(value)
  local s = text_of(value)
  if s:find '[,"\r\n]' then s = '"' .. s:gsub('"', '""') .. '"' end
  return s
end

local function json_object(columns, row)
  local parts = {}
  for i, name in ipairs(columns) do
    local value = row[i]
    if value == nil then value = json.null end
    parts[i] = json.encode(name) .. ":" .. json.encode(value)
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

-- A writer for one format: w:row(row) for each row, then w:finish().
-- table keeps the rows to align the columns; the others stream.
local WRITERS = {}

function WRITERS.table(out, columns)
  local rows, numeric = {}, {}
  for i = 1, #columns do numeric[i] = true end
  return {
    row = function(_, row)
      local cells = {}
      for i = 1, #columns do
        cells[i] = cell(row[i])
        if row[i] ~= nil and type(row[i]) ~= "number" then numeric[i] = false end
      end
      rows[#rows + 1] = cells
    end,
    finish = function()
      local widths = {}
      for i, name in ipairs(columns) do widths[i] = width_of(cell(name)) end
      for _, cells in ipairs(rows) do
        for i, c in ipairs(cells) do widths[i] = math.max(widths[i], width_of(c)) end
      end
      local function line(cells, align)
        local parts = {}
        for i, c in ipairs(cells) do
          local pad = string.rep(" ", widths[i] - width_of(c))
          parts[i] = (align and numeric[i]) and pad .. c or c .. pad
        end
        out:write((table.concat(parts, "  "):gsub("%s+$", "")), "\n")
      end
      local header, rule = {}, {}
      for i, name in ipairs(columns) do
        header[i] = cell(name)
        rule[i] = string.rep("-", widths[i])
      end
      line(header, false)
      line(rule, false)
      for _, cells in ipairs(rows) do line(cells, true) end
      out:write(string.format("(%d row%s)\n", #rows, #rows == 1 and "" or "s"))
    end,
  }
end

function WRITERS.csv(out, columns)
  local header = {}
  for i, name in ipairs(columns) do header[i] = csv_field(name) end
  out:write(table.concat(header, ","), "\n")
  return {
    row = function(_, row)
      local fields = {}
      for i = 1, #columns do fields[i] = csv_field(row[i]) end
      out:write(table.concat(fields, ","), "\n")
    end,
    finish = function() end,
  }
end

function WRITERS.json(out, columns)
  local count = 0
  out:write "["
  return {
    row = function(_, row)
      out:write(count == 0 and "\n" or ",\n", json_object(columns, row))
      count = count + 1
    end,
    finish = function() out:write(count == 0 and "]\n" or "\n]\n") end,
  }
end

function WRITERS.jsonl(out, columns)
  return {
    row = function(_, row) out:write(json_object(columns, row), "\n") end,
    finish = function() end,
  }
end

corpus.FORMATS = { "table", "csv", "json", "jsonl" }

-- Write every row of rows in format (each first given to edit, when
-- given); nil, message when a step fails.
local function write_rows(rows, format, out, edit)
  local writer = WRITERS[format](out, rows.columns)
  local ok, err = pcall(function()
    for row in rows do
      if edit then edit(row) end
      writer:row(row)
    end
  end)
  rows:close()
  if not ok then return nil, err end
  writer:finish()
  return true
end
corpus.write_rows = write_rows

-- ---- shared by the commands --------------------------------------------------------

local function db_path(opts)
  if opts.db then return opts.db end
  return sources.default_db()
end

local function known_format(format, allowed)
  for _, name in ipairs(allowed) do
    if name == format then return true end
  end
  return false
end

-- ---- lector query --------------------------------------------------------------------

corpus.QUERY_HELP = [[
Usage: lector query [OPTIONS] SQL

Run one SQL statement on the database and print its rows. SQL '-' reads the
statement from standard input. The database is opened read-only: a
statement that would change it is refused unless --write is given.

The views documented in docs/corpus.md answer the common questions:
  lector query "SELECT * FROM entity_counts ORDER BY documents DESC LIMIT 10"
  lector query "SELECT * FROM quotes WHERE speaker LIKE '%Peskov%'"

Options:
      --db PATH           the database (default: $LECTOR_DB, else
                          $XDG_DATA_HOME/lector/lector.db)
  -f, --format FORMAT     table (default: aligned columns, cells cut at 60
                          characters), csv, json (one array) or jsonl (one
                          object per line)
  -a, --arg VALUE         a value for the statement's next ? parameter
                          (repeatable; a decimal number is bound as a number)
      --write             allow a statement that changes the database
  -h, --help              show this help

Exit codes: 0 success, 2 usage (including SQL that cannot be prepared, or a
change without --write), 4 the database was refused or the statement
failed while running.
]]

local QUERY_SPEC = {
  db = { value = true },
  format = { short = "f", value = true },
  arg = { short = "a", value = true, many = true },
  write = {},
  help = { short = "h" },
}

function corpus.query_main(args, ctx)
  local EXIT, say = ctx.EXIT, ctx.say
  local opts, positional = ctx.parse(args, 2, QUERY_SPEC, "query", corpus.QUERY_HELP)
  if not opts then return positional end
  local format = opts.format or "table"
  local problem
  if not known_format(format, corpus.FORMATS) then
    problem = "unknown format '" .. format .. "' (table, csv, json or jsonl)"
  elseif #positional ~= 1 then
    problem = #positional == 0 and "no SQL statement given" or "give the SQL statement as one argument (quote it)"
  end
  if problem then
    say("query: ", problem, " (see 'lector query --help')")
    return EXIT.usage
  end
  local sql = positional[1]
  if sql == "-" then sql = io.stdin:read "a" or "" end
  local path, path_err = db_path(opts)
  if not path then
    say(path_err)
    return EXIT.database
  end
  local db, err
  if opts.write then db, err = core.open(path) else db, err = corpus.open_for_reading(path) end
  if not db then
    say(err)
    return EXIT.database
  end
  -- A value written as a decimal number is bound as one: SQLite compares
  -- a number with text as unequal where no column gives it a type.
  local params = {}
  for i, value in ipairs(opts.arg or {}) do
    params[i] = value:match "^%-?%d+%.?%d*$" and (math.tointeger(tonumber(value)) or tonumber(value)) or value
  end
  local ok, rows = pcall(db.rows, db, sql, table.unpack(params, 1, #params))
  if not ok then
    say("query: ", rows)
    db:close()
    return EXIT.usage
  end
  if not rows.readonly and not opts.write then
    rows:close()
    db:close()
    say "query: the statement would change the database; add --write to allow it"
    return EXIT.usage
  end
  local written, write_err
  if #rows.columns == 0 then
    -- A change without RETURNING has no rows to show: say what it did.
    written, write_err = pcall(rows)
    if written and rows.changes then
      say(string.format("query: %d row%s changed", rows.changes, rows.changes == 1 and "" or "s"))
    end
  else
    written, write_err = write_rows(rows, format, io.stdout)
  end
  local closed, close_err = pcall(db.close, db)
  if not written or not closed then
    say("query: ", write_err or close_err)
    return EXIT.database
  end
  return EXIT.ok
end

-- ---- lector search ---------------------------------------------------------------------

corpus.SEARCH_HELP = [[
Usage: lector search [OPTIONS] QUERY

Find the stored documents that match QUERY (full-text search, best match
first) and show each with a snippet, the words found in [brackets]. QUERY
is in SQLite FTS5 syntax: words (all must occur), "a phrase", OR, NOT,
prefix*, title:word, NEAR(a b, 5).

Options:
      --db PATH           the database (default: $LECTOR_DB, else
                          $XDG_DATA_HOME/lector/lector.db)
      --entity NAME       only documents with an entity whose name or
                          mention contains NAME (case-insensitive for ASCII
                          letters; repeatable: all must occur)
      --label LABEL       only documents with an entity labelled LABEL
                          (PERSON, ORG, GPE, ...; repeatable)
      --value FILTER      only documents with a plugin value: KEY, KEY.PATH,
                          or either compared (=, !=, <, <=, >, >=) to a
                          number or text: "sentiment.compound<-0.2"
                          (repeatable)
      --since DATE        only documents dated DATE (YYYY-MM-DD) or later
      --until DATE        only documents dated DATE or earlier
                          (a document's date: meta.date when it is an ISO
                          date, else the date of its dateline; documents
                          without one are left out by --since and --until)
  -n, --limit N           show at most N documents (default 20; 0: all)
  -f, --format FORMAT     text (default), csv, json or jsonl
  -h, --help              show this help

Exit codes: 0 success (also when nothing matches), 2 usage (including a
QUERY that is not valid FTS5 syntax), 4 the database was refused.
]]

local SEARCH_SPEC = {
  db = { value = true },
  entity = { value = true, many = true },
  label = { value = true, many = true },
  value = { value = true, many = true },
  since = { value = true },
  ["until"] = { value = true, key = "till" },
  limit = { short = "n", value = true },
  format = { short = "f", value = true },
  help = { short = "h" },
}

local SEARCH_FORMATS = { "text", "csv", "json", "jsonl" }

local function check_search_options(opts, positional)
  if not known_format(opts.format, SEARCH_FORMATS) then
    return "unknown format '" .. opts.format .. "' (text, csv, json or jsonl)"
  end
  if #positional == 0 or positional[1]:match "^%s*$" then return "no query given" end
  if #positional > 1 then return "give the query as one argument (quote it)" end
  for _, date in ipairs { opts.since or "2000-01-01", opts.till or "2000-01-01" } do
    if not date:match(DATE) then return "a date is written YYYY-MM-DD ('" .. date .. "')" end
  end
  local limit = math.tointeger(tonumber(opts.limit or "20"))
  if not limit or limit < 0 then return "--limit wants a whole number, 0 for all" end
  opts.limit = limit == 0 and -1 or limit
  for _, text in ipairs(opts.value or {}) do
    local key, message = corpus.parse_value_filter(text)
    if not key then return message end
  end
end

-- FTS5 reports a bad query when the statement first steps.
local function is_query_error(message)
  message = tostring(message)
  return message:find("fts5: ", 1, true) or message:find("no such column", 1, true)
    or message:find("unknown special query", 1, true) or message:find("malformed MATCH", 1, true)
end

-- Snippets are for reading: their line breaks become spaces.
local function flatten_snippet(hit)
  local snippet = hit.snippet and tostring(hit.snippet):gsub("%s+", " ")
  hit.snippet = snippet
  hit[5] = snippet
end

local function write_hits_text(rows, out)
  local count = 0
  local ok, err = pcall(function()
    for hit in rows do
      count = count + 1
      out:write(string.format("%d. %s%s  score %.2f\n", count, hit.id,
        hit.date and ("  " .. hit.date) or "", hit.score))
      if hit.title then out:write("   ", hit.title, "\n") end
      flatten_snippet(hit)
      out:write("   ", hit.snippet or "", "\n")
    end
  end)
  rows:close()
  if not ok then return nil, err end
  return count
end

-- corpus.open_for_reading(path) -> Store | nil, message, status: the
-- database read-only, for a command that only reads it. A file of an older
-- schema is upgraded first, as a command that writes would do, when it can
-- be written; when it cannot, the read-only refusal stands, which says how
-- to upgrade it.
function corpus.open_for_reading(path)
  local db, err, status = core.open(path, { readonly = true })
  if db or status ~= "schema" then return db, err, status end
  local writable = core.open(path)
  if not writable then return nil, err, status end
  writable:close()
  return core.open(path, { readonly = true })
end

function corpus.search_main(args, ctx)
  local EXIT, say = ctx.EXIT, ctx.say
  local opts, positional = ctx.parse(args, 2, SEARCH_SPEC, "search", corpus.SEARCH_HELP)
  if not opts then return positional end
  opts.format = opts.format or "text"
  local problem = check_search_options(opts, positional)
  if problem then
    say("search: ", problem, " (see 'lector search --help')")
    return EXIT.usage
  end
  local path, path_err = db_path(opts)
  if not path then
    say(path_err)
    return EXIT.database
  end
  local db, err = corpus.open_for_reading(path)
  if not db then
    say(err)
    return EXIT.database
  end
  local rows = db:search(positional[1], { entity = opts.entity, label = opts.label,
    value = opts.value, since = opts.since, ["until"] = opts.till, limit = opts.limit })
  local done, write_err
  if opts.format == "text" then
    done, write_err = write_hits_text(rows, io.stdout)
    if done == 0 then say "search: no document matches" end
  else
    done, write_err = write_rows(rows, opts.format, io.stdout, flatten_snippet)
  end
  db:close()
  if not done then
    if is_query_error(write_err) then
      say("search: the query is not valid FTS5 syntax: ", write_err)
      return EXIT.usage
    end
    say("search: ", write_err)
    return EXIT.database
  end
  return EXIT.ok
end

-- ---- lector merge ----------------------------------------------------------------------

corpus.MERGE_HELP = [[
Usage: lector merge [OPTIONS] OUT.db IN.db...

Merge lector databases (shards made by separate processes or machines) into
OUT.db, creating it if needed. Every document of each IN whose text and id
are new in OUT is copied with its spans, values and pass records; every run
is copied, with a new id. A document whose text OUT already holds is left
as stored there; one whose id OUT gives to another text is refused. Nothing
already in OUT is changed, and each IN is merged in one transaction and only
read (an IN of an older schema is merged from an upgraded copy made beside
OUT, then removed).

Options:
  -q, --quiet             print nothing but errors
  -h, --help              show this help

Exit codes: 0 success, 2 usage, 3 some documents were refused (their id is
taken by another text), 4 OUT or some IN was refused or could not be
merged (the others were merged).
]]

local MERGE_SPEC = {
  quiet = { short = "q" },
  help = { short = "h" },
}

local function plural(n, word)
  return string.format("%d %s%s", n, word, n == 1 and "" or "s")
end

function corpus.merge_main(args, ctx)
  local EXIT, say = ctx.EXIT, ctx.say
  local opts, positional = ctx.parse(args, 2, MERGE_SPEC, "merge", corpus.MERGE_HELP)
  if not opts then return positional end
  if #positional < 2 then
    say("merge: ", #positional == 0 and "no databases given" or "no database to merge into "
      .. positional[1], " (see 'lector merge --help')")
    return EXIT.usage
  end
  local db, err = core.open(positional[1])
  if not db then
    say(err)
    return EXIT.database
  end
  local code = EXIT.ok
  for i = 2, #positional do
    local source = positional[i]
    local stats, merge_err = db:merge(source)
    if not stats then
      say(merge_err)
      code = EXIT.database
    else
      if not opts.quiet then
        say(string.format("merge: %s: %s (%d new, %d already stored, %d refused), %s",
          source, plural(stats.documents, "document"), stats.added, stats.duplicates,
          stats.conflicts, plural(stats.runs, "run")))
      end
      if stats.conflicts > 0 then
        say(string.format("merge: %s: %s refused: %s another text in %s", source,
          plural(stats.conflicts, "document"), stats.conflicts == 1 and "its id names" or "their ids name",
          positional[1]))
        if code < EXIT.input then code = EXIT.input end
      end
    end
  end
  local closed, close_err = pcall(db.close, db)
  if not closed then
    say(close_err)
    return EXIT.database
  end
  return code
end

return corpus
