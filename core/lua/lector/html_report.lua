-- `lector report`, lector.report and the REPL's :report: write the visual
-- HTML report of an article (a file analysed now, or a stored document)
-- or of a whole stored corpus, with an article page per document beside
-- the corpus page.
local lector = require "lector"
local core = require "lector.core"
local article = require "lector.html_article"
local corpus = require "lector.html_corpus"
local pretty = require "lector.pretty"
local open_for_reading = require("lector.corpus").open_for_reading

local collectgarbage, error, io, ipairs, os, pcall, string, tostring, type =
  collectgarbage, error, io, ipairs, os, pcall, string, tostring, type
local _ENV = nil

local report = {}

report.HELP = [[
Usage: lector report FILE -o PAGE.html [OPTIONS]
       lector report --db PATH --doc ID -o PAGE.html
       lector report --db PATH -o CORPUS.html [--no-pages]

Write a visual report as one self-contained HTML page (inline CSS and SVG,
no request to any other host, readable without JavaScript).

  FILE                    analyse FILE with the passes (not stored) and
                          write its article page (a JSONL file must hold one
                          record; store a longer one and use --db): the text with
                          entities, quotes, summary sentences and sentence
                          sentiment marked, a sentiment arc, tables of
                          entities, quotes, key phrases and structure, and
                          the plugins that produced them
  --db PATH --doc ID      the article page of a stored document
  --db PATH               the corpus page: top entities by type, sentiment
                          toward the top entities over time, an entity
                          co-occurrence network and the list of documents;
                          each document's article page is written beside
                          it, in the folder NAME_articles/ for CORPUS NAME.html

Options:
  -o, --output PATH       the page to write (required)
      --db PATH           the database to read
      --doc ID            the stored document to show
      --no-pages          with a corpus page: do not write the article pages
  -p, --plugins LIST      the passes to run on FILE (default: the bundled ones)
      --pipeline FILE     run the passes a pipeline file lists on FILE
      --option NAME.OPTION=VALUE
                          set a plugin's option (repeatable)
      --allow NAME:PERM   grant a plugin a permission it asks for (repeatable)
  -h, --help              show this help

Exit codes: 0 written, 1 the page could not be written, 2 usage, 3 FILE was
refused or no document has that id, 4 the database was refused, 5 a plugin
was refused (no page is written) or failed on FILE (the page is still
written).
]]

local SPEC = {
  output = { short = "o", value = true },
  db = { value = true },
  doc = { value = true },
  ["no-pages"] = { key = "no_pages" },
  plugins = { short = "p", value = true },
  pipeline = { value = true },
  option = { value = true, many = true },
  allow = { value = true, many = true },
  help = { short = "h" },
}

local class_of = pretty.class_of

local function now_utc()
  return os.date("!%Y-%m-%dT%H:%M:%SZ")
end

local function write_file(path, text)
  local f, err = io.open(path, "wb")
  if not f then return nil, "cannot write the report: " .. err end
  local ok, write_err = f:write(text)
  f:close()
  if not ok then return nil, "cannot write the report: " .. path .. ": " .. write_err end
  return #text
end

-- The folder and the relative link of a corpus page's article pages:
-- "out/corpus.html" -> "out/corpus_articles", "corpus_articles".
local function pages_folder(path)
  local dir, file = path:match "^(.*/)([^/]*)$"
  dir, file = dir or "", file or path
  local stem = file:gsub("%.html?$", "")
  if stem == "" then stem = "corpus" end
  return dir .. stem .. "_articles", stem .. "_articles", file
end

-- The article page of a stored document.
local function stored_article(db, id, opts)
  local doc, err = db:load(id)
  if not doc then return nil, err or ("no document '" .. id .. "' in " .. db.path), "missing" end
  return article.page(doc, { provenance = article.stored_provenance(db, doc, id), back = opts.back })
end

-- The corpus page and, unless opts.pages == false, every document's page.
local function corpus_report(db, path, opts)
  local folder, link_base, file = pages_folder(path)
  local pages = opts.pages ~= false
  local link = pages and function(d) return corpus.href_path(link_base) .. "/" .. d.n .. ".html" end or nil
  local text, docs = corpus.page(db, { link = link, title = opts.title })
  local bytes, err = write_file(path, text)
  if not bytes then return nil, err end
  local result = { path = path, bytes = bytes, pages = 0, page_bytes = 0 }
  if not pages then return result end
  local ok, mkdir_err = core.mkdirs(folder)
  if not ok then return nil, mkdir_err end
  local back = { href = "../" .. corpus.href_path(file), text = "← " .. (opts.title or "corpus") }
  for i, d in ipairs(docs) do
    local page, page_err = stored_article(db, d.id, { back = back })
    if not page then return nil, page_err end
    local n, write_err = write_file(folder .. "/" .. d.n .. ".html", page)
    if not n then return nil, write_err end
    result.pages, result.page_bytes = result.pages + 1, result.page_bytes + n
    -- loaded documents hold C memory the collector does not see
    if i % 64 == 0 then collectgarbage() end
  end
  return result
end

-- lector.report(doc_or_db, path [, opts]) -> {path, bytes, pages, page_bytes} | nil, message
function report.write(target, path, opts)
  if type(path) ~= "string" then
    return error("bad argument #2 to 'report' (string expected, got " .. type(path) .. ")", 2)
  end
  opts = opts or {}
  if type(opts) ~= "table" then
    return error("bad argument #3 to 'report' (table expected, got " .. type(opts) .. ")", 2)
  end
  local class = class_of(target)
  if class == "Document" then
    local provenance = opts.provenance
    if not provenance and class_of(opts.db) == "Store" then
      provenance = article.stored_provenance(opts.db, target, opts.stored_id or target.id)
    end
    local bytes, err = write_file(path, article.page(target, { provenance = provenance }))
    if not bytes then return nil, err end
    return { path = path, bytes = bytes, pages = 0, page_bytes = 0 }
  elseif class == "Store" then
    if opts.doc ~= nil then
      local page, err, status = stored_article(target, tostring(opts.doc), {})
      if not page then return nil, err, status end
      local bytes, write_err = write_file(path, page)
      if not bytes then return nil, write_err end
      return { path = path, bytes = bytes, pages = 0, page_bytes = 0 }
    end
    return corpus_report(target, path, opts)
  end
  return error("bad argument #1 to 'report' (Document or Store expected, got "
    .. (class or type(target)) .. ")", 2)
end

-- ---- the command ------------------------------------------------------------------------

local function summary_line(ctx, result, seconds)
  local line = string.format("report: wrote %s (%.1f KB", result.path, result.bytes / 1024)
  if result.pages > 0 then
    line = line .. string.format(", and %d article page%s, %.1f MB", result.pages, result.pages == 1 and "" or "s",
      result.page_bytes / 1048576)
  end
  ctx.say(line, string.format(") in %.2f s", seconds))
end

-- The one document of FILE, read as `lector analyze` reads it (a .jsonl
-- file is records): nil, message, status when it is refused, and when it
-- holds more than one (status "usage").
local function only_document(file)
  local next_doc = lector.read(file)
  local doc, err, status = next_doc()
  if doc == nil then return nil, file .. ": no document in it", "input" end
  if not doc then return nil, err, status end
  if next_doc() ~= nil then
    return nil, "report: " .. file .. " holds more than one document: store them with 'lector ingest --db PATH "
      .. file .. "' and write the report of one with --db PATH --doc ID", "usage"
  end
  return doc
end

-- FILE analysed now with the chosen passes.
local function file_report(ctx, opts, file)
  local EXIT = ctx.EXIT
  local chosen, pipeline_err = ctx.choose_pipeline(opts)
  if pipeline_err then
    ctx.say(pipeline_err)
    return EXIT.plugin
  end
  local doc, err, status = only_document(file)
  if not doc then
    ctx.say(err)
    if chosen then chosen:close() end
    return status == "usage" and EXIT.usage or EXIT.input
  end
  local provenance, code = {}, EXIT.ok
  if chosen then
    local run_report = chosen:run(doc)
    for _, pass in ipairs(run_report.passes) do
      if pass.status ~= "ok" and pass.error then ctx.say(doc.id, ": ", pass.error) end
    end
    if run_report.failed > 0 then code = EXIT.plugin end
    provenance = article.run_provenance(chosen, run_report, doc, now_utc())
    chosen:close()
  end
  local result, write_err = report.write(doc, opts.output, { provenance = provenance })
  if not result then
    ctx.say(write_err)
    return EXIT.failure
  end
  return code, result
end

local function check(opts, positional)
  if not opts.output then return "no output given (-o PAGE.html)" end
  if #positional > 1 then return "one FILE at a time (store many with 'lector analyze --db', then use --db)" end
  if #positional == 1 and (opts.db or opts.doc) then return "give either FILE or --db, not both" end
  if opts.doc and not opts.db then return "--doc needs --db" end
  if #positional == 0 and not opts.db then return "no input given (a FILE, or --db PATH)" end
  if opts.db and (opts.plugins or opts.pipeline or opts.option) then
    return "--plugins, --pipeline and --option apply to FILE; a stored document shows what was stored"
  end
  if opts.no_pages and (opts.doc or #positional == 1) then return "--no-pages applies to a corpus page only" end
end

function report.main(args, ctx)
  local EXIT = ctx.EXIT
  local opts, positional = ctx.parse(args, 2, SPEC, "report", report.HELP)
  if not opts then return positional end
  local problem = check(opts, positional)
  if problem then
    ctx.say("report: ", problem, " (see 'lector report --help')")
    return EXIT.usage
  end
  local started = os.clock()
  if #positional == 1 then
    local code, result = file_report(ctx, opts, positional[1])
    if result then summary_line(ctx, result, os.clock() - started) end
    return code
  end
  local db, db_err = open_for_reading(opts.db)
  if not db then
    ctx.say(db_err)
    return EXIT.database
  end
  local ok, result, err, status = pcall(report.write, db, opts.output, { doc = opts.doc, pages = not opts.no_pages })
  db:close()
  if not ok then
    -- the store answers refusals with nil, message: what raises is the
    -- writing of the page
    ctx.say("report: ", tostring(result))
    return EXIT.failure
  end
  if not result then
    ctx.say(err)
    return status == "missing" and EXIT.input or EXIT.failure
  end
  summary_line(ctx, result, os.clock() - started)
  return EXIT.ok
end

return report
