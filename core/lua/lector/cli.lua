-- The lector command line: subcommands, options, reports and exit codes.
-- Exit codes are part of the public contract (docs/cli.md).
local lector = require "lector"
local core = require "lector.core"
local report = require "lector.report"
local share = require "lector.share"
local pipeline = require "lector.pipeline"
local plugins = require "lector.plugins"
local share_lock = require "lector.lock"
local eval = require "lector.eval"
local explain = require "lector.explain"
local repl = require "lector.repl"
local engine = require "lector.engine"
local progress = require "lector.progress"
local sources = require "lector.sources"
local corpus = require "lector.corpus"
local html_report = require "lector.html_report"

local debug, io, ipairs, loadfile, math, next, os, pairs, pcall, string, table, tonumber, tostring, type, xpcall, _G =
  debug, io, ipairs, loadfile, math, next, os, pairs, pcall, string, table, tonumber, tostring, type, xpcall, _G
local _ENV = nil

local cli = {}

local EXIT = {
  ok = 0,        -- everything worked
  failure = 1,   -- a script raised an error, or lector failed unexpectedly
  usage = 2,     -- the command line is wrong
  input = 3,     -- some inputs were refused (the others were processed)
  database = 4,  -- the database was refused or a write to it failed
  plugin = 5,    -- a plugin or a plugin archive was refused
}
cli.EXIT = EXIT

local function say(...)
  io.stderr:write("lector: ", ...)
  io.stderr:write "\n"
end

local USAGE = [[
Usage: lector COMMAND [OPTIONS] [ARGS]

Analyse news articles: load, segment and store text, then run Lua passes.

Commands:
  analyze INPUT...        load, segment and store documents and print a report
  ingest SOURCE...        analyse and store a corpus in parallel, with progress
  run SCRIPT [ARGS...]    run a Lua script with the lector module loaded
  plugin COMMAND          make, test, pack, install and remove plugins
  eval TASK               score passes against labelled data (ner, summary, sentiment)
  explain sentiment TEXT  show how each sentence's sentiment score came about
  repl [FILE] [--db PATH] an interactive Lua session with lector loaded
  report FILE|--db PATH   write a visual HTML report of an article or a corpus
  query SQL               run SQL on the database (read-only unless --write)
  search QUERY            full-text search of the stored documents
  merge OUT.db IN.db...   merge databases made by separate processes
  help [COMMAND]          show help for lector or for one command

Options:
  -h, --help              show this help
  -V, --version           print the version

Run 'lector COMMAND --help' for a command's options. Exit codes are listed
in docs/cli.md: 0 success, 1 error, 2 usage, 3 input refused, 4 database,
5 plugin refused.
]]

local ANALYZE_HELP = [[
Usage: lector analyze [OPTIONS] INPUT...

Load each INPUT, segment it, store it and print a report. INPUT is a file,
a folder (read recursively: .txt and .md files; others are skipped and
counted), '-' for standard input, or a JSONL file (.jsonl, .ndjson) with one
record {"id", "title"?, "text", "meta"?} per line.

Options:
  -f, --format FORMAT     text (default), json (one indented object per
                          document) or jsonl (one object per line, streamed)
      --db PATH           the database (default: $LECTOR_DB, else
                          $XDG_DATA_HOME/lector/lector.db); ':memory:' keeps
                          nothing
      --no-store          analyse without writing to any database
      --input MODE        auto (default), text or jsonl: how to read files
                          and standard input; auto reads .jsonl/.ndjson files
                          and a standard input that starts with '{' as JSONL
      --lossy             replace invalid UTF-8 with U+FFFD instead of
                          refusing the document (the count is recorded)
      --max-bytes SIZE    refuse documents larger than SIZE (default 64M;
                          suffixes K, M, G)
  -p, --plugins LIST      run these passes (comma-separated names, each may
                          carry a version range: "entities>=1.2"); the
                          passes they require are added
      --pipeline FILE     run the passes a pipeline file lists
  -o NAME.OPTION=VALUE    set a plugin's option (repeatable)
      --allow NAME:PERM   grant a plugin a permission it asks for (repeatable)
      --timings           print the time and memory each pass took
  -j, --jobs N            run the passes in N worker threads (default 1);
                          reports come out in input order whatever N is
      --plugin-memory SIZE
                          memory each plugin may hold (default 64M)
      --plugin-instructions N
                          Lua instructions each pass may run on one
                          document (default 100000000; from 10000000 up,
                          counted after the pass's first 10-20 ms)
  -h, --help              show this help

Without --plugins or --pipeline, the bundled passes run. A pass already done
on a stored document with the same plugin version and options is not done
again.

Ctrl-C stops after the documents in progress are stored and printed. While
'-' (a pipe) waits for input it stops too: every record read whole is done,
one without its newline yet is dropped.

Exit codes: 0 success, 2 usage, 3 some inputs were refused (the others were
processed), 4 the database was refused or could not be written, 5 a plugin
was refused or failed on some document (the others were processed), 130
stopped by Ctrl-C (143 by SIGTERM).
]]

local RUN_HELP = [[
Usage: lector run SCRIPT [ARGS...]

Run the Lua 5.4 script SCRIPT with the lector module available
(require "lector") and the global 'arg' set as in the standalone Lua
interpreter: arg[0] is SCRIPT, arg[1]... are ARGS. The script's extra
arguments are also passed as '...'.

An error in the script prints its message with the file, line and a
traceback, and exits with code 1. os.exit(N) exits with N.

Options:
  -h, --help              show this help
]]

local HELP = { query = corpus.QUERY_HELP, search = corpus.SEARCH_HELP, merge = corpus.MERGE_HELP,
  analyze = ANALYZE_HELP, run = RUN_HELP, plugin = share.HELP, eval = eval.HELP,
  explain = explain.HELP, repl = repl.HELP, report = html_report.HELP }

-- ---- option parsing ----------------------------------------------------

-- spec: option name -> { short = "f", value = true|false, key = "format" }
local function read_options(args, first, spec, command)
  local opts, positional = {}, {}
  local by_short = {}
  for name, s in pairs(spec) do if s.short then by_short[s.short] = name end end
  local i = first
  local function usage(message)
    return nil, string.format("%s: %s (see 'lector %s --help')", command, message, command)
  end
  while i <= #args do
    local a = args[i]
    if a == "--" then
      for j = i + 1, #args do positional[#positional + 1] = args[j] end
      break
    end
    local name, value
    if a:sub(1, 2) == "--" then
      name, value = a:match "^%-%-([^=]+)=(.*)$"
      name = name or a:sub(3)
    elseif a:sub(1, 1) == "-" and #a > 1 then
      name = by_short[a:sub(2, 2)]
      if not name then return usage("unknown option '" .. a .. "'") end
      if #a > 2 then value = a:sub(3) end
    end
    if name then
      local s = spec[name]
      if not s then return usage("unknown option '--" .. name .. "'") end
      if s.value then
        if value == nil then
          i = i + 1
          value = args[i]
          if value == nil then return usage("option '--" .. name .. "' needs a value") end
        end
        if s.many then
          local list = opts[s.key or name] or {}
          list[#list + 1] = value
          opts[s.key or name] = list
        else
          opts[s.key or name] = value
        end
      else
        if value ~= nil then return usage("option '--" .. name .. "' takes no value") end
        opts[s.key or name] = true
      end
    else
      positional[#positional + 1] = a
    end
    i = i + 1
  end
  return opts, positional
end

-- A command's options and operands; a usage error or --help is answered here, and
-- then the result is nil and the exit code the command returns.
local function parse(args, first, spec, command, help)
  local opts, positional = read_options(args, first, spec, command)
  if not opts then
    say(positional)
    return nil, EXIT.usage
  end
  if opts.help then
    io.stdout:write(help)
    return nil, EXIT.ok
  end
  return opts, positional
end

local SIZE_UNITS = { [""] = 1, k = 1024, m = 1024 ^ 2, g = 1024 ^ 3 }

local function parse_size(text)
  local number, unit = text:match "^(%d+)%s*([kKmMgG]?)[bB]?$"
  if not number then return nil end
  local size = tonumber(number) * SIZE_UNITS[unit:lower()]
  if size < 1 or size > 2 ^ 31 then return nil end
  return math.tointeger(size)
end

-- ---- analyze -------------------------------------------------------------

local ANALYZE_SPEC = {
  format = { short = "f", value = true },
  db = { value = true },
  ["no-store"] = { key = "no_store" },
  input = { value = true },
  lossy = {},
  ["max-bytes"] = { value = true, key = "max_bytes" },
  plugins = { short = "p", value = true },
  pipeline = { value = true },
  option = { short = "o", value = true, many = true },
  allow = { value = true, many = true },
  timings = {},
  jobs = { short = "j", value = true },
  ["plugin-memory"] = { value = true, key = "plugin_memory" },
  ["plugin-instructions"] = { value = true, key = "plugin_instructions" },
  help = { short = "h" },
}

local FORMATS = { text = true, json = true, jsonl = true }
local MAX_JOBS = 256   -- LECTOR_MAX_WORKERS
local INPUT_MODES = { auto = true, text = true, jsonl = true }

local function check_analyze_options(opts, inputs)
  if not FORMATS[opts.format] then
    return "unknown format '" .. opts.format .. "' (text, json or jsonl)"
  end
  if not INPUT_MODES[opts.input] then
    return "unknown input mode '" .. opts.input .. "' (auto, text or jsonl)"
  end
  if opts.max_bytes then
    local size = parse_size(opts.max_bytes)
    if not size then return "--max-bytes wants a size such as 500K or 64M (at most 2G)" end
    opts.max_bytes = size
  end
  if opts.plugin_memory then
    opts.plugin_memory = parse_size(opts.plugin_memory)
    if not opts.plugin_memory then return "--plugin-memory wants a size such as 256M" end
  end
  if opts.plugin_instructions then
    local n = math.tointeger(tonumber(opts.plugin_instructions))
    if not n or n < 1 then return "--plugin-instructions wants a positive whole number" end
    opts.plugin_instructions = n
  end
  if opts.jobs then
    local n = math.tointeger(tonumber(opts.jobs))
    if not n or n < 1 or n > MAX_JOBS then
      return "--jobs wants a whole number from 1 to " .. MAX_JOBS
    end
    opts.jobs = n
  end
  if #inputs == 0 then return "no input given (a file, a folder or '-')" end
end

local function open_store(opts)
  if opts.no_store then return nil end
  local path = opts.db
  if not path then
    local err
    path, err = lector.default_db()
    if not path then return nil, err end
    local folder = path:match "^(.*)/[^/]*$"
    if folder and folder ~= "" then
      local ok, mkdir_err = core.mkdirs(folder)
      if not ok then return nil, mkdir_err end
    end
  end
  return lector.open(path)
end

-- The pipeline the options choose; nil when there are no passes to run.
local function choose_pipeline(opts)
  local passes = {}
  if opts.pipeline then
    local entries, err = pipeline.read_file(opts.pipeline)
    if not entries then return nil, err end
    for _, entry in ipairs(entries) do passes[#passes + 1] = entry end
  end
  for name in (opts.plugins or ""):gmatch "[^,]+" do
    passes[#passes + 1] = name:match "^%s*(.-)%s*$"
  end
  if not opts.plugins and not opts.pipeline then passes = plugins.bundled_names() end
  local raw = {}
  for _, text in ipairs(opts.option or {}) do
    local plugin, option, value = pipeline.parse_option(text)
    if not plugin then return nil, "-o " .. option end
    raw[plugin] = raw[plugin] or {}
    raw[plugin][option] = value
  end
  local lock, lock_err = share_lock.read()
  if lock_err then return nil, lock_err end
  local allow, allow_err = share_lock.add_grants(share_lock.grants(lock), opts.allow)
  if not allow then return nil, allow_err end
  if #passes == 0 and not next(raw) then return nil end
  return pipeline.build { passes = passes, raw_options = raw, allow = allow, lock = lock,
    limits = { memory = opts.plugin_memory, instructions = opts.plugin_instructions } }
end

local function print_timings(doc, run_report)
  for _, pass in ipairs(run_report.passes) do
    if pass.seconds then
      io.stderr:write(string.format("timing: %s %s %.3f ms %.1f KiB\n", doc.id, pass.name,
        pass.seconds * 1000, (pass.memory or 0) / 1024))
    end
  end
end

local function print_timing_totals(chosen)
  for _, pass in ipairs(chosen.passes) do
    io.stderr:write(string.format("timing total: %s: %d document%s, %.3f ms, peak %.1f KiB\n",
      pass.name, pass.runs, pass.runs == 1 and "" or "s", pass.seconds * 1000, pass.peak / 1024))
  end
end

-- What the passes said about one document: their logs and errors, and
-- the timings when asked for.
local function tell_report(doc, run_report, opts)
  if opts.timings then print_timings(doc, run_report) end
  for _, pass in ipairs(run_report.passes) do
    for _, line in ipairs(pass.logs or {}) do say(doc.id, ": plugin ", pass.name, ": ", line) end
    if pass.status ~= "ok" and pass.error then say(doc.id, ": ", pass.error) end
  end
end

-- The pipeline, the store and the worker threads a command needs, or the
-- exit code and nothing more when one of them is refused (after saying
-- why).
local function open_engine(opts, read_opts)
  local chosen, pipeline_err = choose_pipeline(opts)
  if pipeline_err then
    say(pipeline_err)
    return nil, EXIT.plugin
  end
  local db, db_err = open_store(opts)
  if not db and db_err then
    say(db_err)
    if chosen then chosen:close() end
    return nil, EXIT.database
  end
  if chosen then chosen:begin(db) end
  local pool, pool_err = engine.start_pool(chosen, opts.jobs)
  local loader
  if not pool_err and opts.jobs > 1 then
    -- With passes to run, one thread builds documents ahead of the
    -- workers; without, every thread does.
    loader, pool_err = engine.start_loader(read_opts, pool and 1 or opts.jobs)
  end
  if pool_err then
    say(pool_err)
    if pool then pool:close() end
    if chosen then chosen:close() end
    if db then db:close() end
    return nil, EXIT.plugin
  end
  return { chosen = chosen, db = db, pool = pool, loader = loader }
end

-- Stop the workers, record the runs as finished and commit: the exit code
-- (EXIT.ok, or EXIT.database when the store fails).
local function close_engine(e, opts)
  if e.pool then e.pool:close() end
  if e.loader then e.loader:close() end
  local code = EXIT.ok
  if e.chosen then
    local finished, finish_err = e.chosen:finish()
    if opts.timings then print_timing_totals(e.chosen) end
    e.chosen:close()
    if not finished then
      say(finish_err)
      code = EXIT.database
    end
  end
  if e.db then
    local ok, err = pcall(e.db.close, e.db)
    if not ok and code == EXIT.ok then
      say(err)
      code = EXIT.database
    end
  end
  return code
end

-- After engine.run: close the engine; nil when the run and the closing both
-- went well, else the exit code (the run's failure told with tell).
local function end_engine(e, opts, ran, run_err, tell)
  if not ran then
    tell(run_err)
    close_engine(e, opts)
    return EXIT.database
  end
  local closed = close_engine(e, opts)
  if closed ~= EXIT.ok then return closed end
  return nil
end

local function analyze(args)
  local opts, inputs = parse(args, 2, ANALYZE_SPEC, "analyze", ANALYZE_HELP)
  if not opts then return inputs end
  opts.format = opts.format or "text"
  opts.input = opts.input or "auto"
  local problem = check_analyze_options(opts, inputs)
  if problem then
    say("analyze: ", problem, " (see 'lector analyze --help')")
    return EXIT.usage
  end
  opts.jobs = opts.jobs or 1
  local stats = {}
  local read_opts = { lossy = opts.lossy, max_bytes = opts.max_bytes, input = opts.input, stats = stats }
  local e, refused = open_engine(opts, read_opts)
  if not e then return refused end
  local out = report.new(opts.format, io.stdout)
  local code = EXIT.ok
  local printed = 0   -- documents done; reading may have gone further
  core.catch_interrupts()
  local ran, run_err = engine.run {
    inputs = inputs, chosen = e.chosen, db = e.db, pool = e.pool, loader = e.loader,
    read = read_opts,
    should_stop = core.interrupted,
    -- a stream has nothing more for now: what is done is seen at once
    on_wait = function() io.stdout:flush() end,
    on_failure = function(message)
      say(message)
      out:failure(message)
      if code < EXIT.input then code = EXIT.input end
    end,
    on_document = function(doc, info)
      if info.report then
        tell_report(doc, info.report, opts)
        if info.report.failed > 0 and code < EXIT.plugin then code = EXIT.plugin end
      end
      out:document(doc, { stored_id = info.stored_id, is_new = info.is_new, db = e.db and e.db.path })
      printed = printed + 1
    end,
  }
  local failed = end_engine(e, opts, ran, run_err, say)
  if failed then return failed end
  local signo = core.interrupted()
  if signo then
    io.stdout:flush()
    say(string.format("analyze: interrupted after %d document%s", printed, printed == 1 and "" or "s"))
    return 128 + signo
  end
  out:finish(stats)
  if stats.skipped > 0 then
    say(string.format("skipped %d file%s that %s not .txt or .md", stats.skipped,
      stats.skipped == 1 and "" or "s", stats.skipped == 1 and "is" or "are"))
  end
  return code
end

-- ---- ingest --------------------------------------------------------------------

local INGEST_HELP = [[
Usage: lector ingest [OPTIONS] SOURCE...

Analyse a corpus and store it, in parallel: each SOURCE is a file, a folder
(read recursively: .txt, .md, .jsonl, .ndjson, and those two compressed
with gzip, .jsonl.gz and .ndjson.gz), a pattern such as 'news/*.jsonl.gz'
(quoted, so lector expands it), or '-' for standard input. JSONL records
are {"id", "title"?, "text", "meta"?}, one per line.

Documents already stored and analysed by the same passes are skipped, so
running the same command again after an interruption goes on where it
stopped. Ctrl-C stops after the documents in progress are stored.

Options:
      --db PATH           the database (default: $LECTOR_DB, else
                          $XDG_DATA_HOME/lector/lector.db)
  -j, --jobs N            worker threads running the passes (default: the
                          number of processors); results do not depend on N
  -p, --plugins LIST      run these passes (default: the bundled ones)
      --pipeline FILE     run the passes a pipeline file lists
  -o NAME.OPTION=VALUE    set a plugin's option (repeatable)
      --allow NAME:PERM   grant a plugin a permission it asks for (repeatable)
      --input MODE        auto (default), text or jsonl: how to read files
      --lossy             replace invalid UTF-8 instead of refusing it
      --max-bytes SIZE    refuse documents larger than SIZE (default 64M)
      --plugin-memory SIZE, --plugin-instructions N
                          the limits of each pass (as for analyze)
      --timings           print each pass's total time and peak memory
  -q, --quiet             no progress and no summary (errors still show)
      --progress          draw the progress bar even when standard error is
                          not a terminal
  -h, --help              show this help

At the end a summary goes to standard error:
  lector: ingest: N documents (A new, B skipped, C failed) in T s, X MB/s

Exit codes: 0 success, 2 usage, 3 some inputs were refused, 4 the database
was refused or could not be written, 5 a plugin was refused or failed on
some document, 130 stopped by Ctrl-C (143 by SIGTERM) after storing the
documents in progress.
]]

local INGEST_SPEC = {
  db = { value = true },
  jobs = { short = "j", value = true },
  plugins = { short = "p", value = true },
  pipeline = { value = true },
  option = { short = "o", value = true, many = true },
  allow = { value = true, many = true },
  input = { value = true },
  lossy = {},
  ["max-bytes"] = { value = true, key = "max_bytes" },
  ["plugin-memory"] = { value = true, key = "plugin_memory" },
  ["plugin-instructions"] = { value = true, key = "plugin_instructions" },
  timings = {},
  quiet = { short = "q" },
  progress = {},
  help = { short = "h" },
}

local MB = 1000 * 1000

local function ingest_summary(counts, seconds)
  return string.format("ingest: %d documents (%d new, %d skipped, %d failed) in %.1f s, %.2f MB/s",
    counts.documents, counts.new, counts.skipped, counts.failed, seconds,
    seconds > 0 and counts.bytes / MB / seconds or 0)
end

local function ingest(args)
  local opts, inputs = parse(args, 2, INGEST_SPEC, "ingest", INGEST_HELP)
  if not opts then return inputs end
  opts.format = "jsonl"
  opts.input = opts.input or "auto"
  local problem = check_analyze_options(opts, inputs)
  if problem then
    say("ingest: ", (problem:gsub("a file, a folder or '%-'", "a file, a folder, a pattern or '-'")),
      " (see 'lector ingest --help')")
    return EXIT.usage
  end
  opts.jobs = opts.jobs or engine.default_jobs()
  local read_opts = { lossy = opts.lossy, max_bytes = opts.max_bytes, input = opts.input,
    folder_jsonl = true, stats = {} }
  local e, refused = open_engine(opts, read_opts)
  if not e then return refused end
  local mode = progress.mode(opts.quiet, opts.progress)
  local shown = progress.new(mode, { label = "lector: ingest",
    total = mode ~= "none" and sources.size(inputs, read_opts) or nil })
  local counts = { documents = 0, new = 0, skipped = 0, failed = 0, bytes = 0, errors = 0 }
  local code = EXIT.ok
  local function tell(...)
    shown:clear()
    say(...)
  end
  core.catch_interrupts()
  local ran, run_err = engine.run {
    inputs = inputs, chosen = e.chosen, db = e.db, pool = e.pool, loader = e.loader,
    read = read_opts, results = false,
    should_stop = core.interrupted,
    on_failure = function(message)
      tell(message)
      counts.documents, counts.failed, counts.errors = counts.documents + 1, counts.failed + 1,
        counts.errors + 1
      if code < EXIT.input then code = EXIT.input end
      shown:update(counts, read_opts.stats.input_bytes)
    end,
    on_document = function(doc, info)
      if info.report then
        if opts.timings or info.report.failed > 0 then shown:clear() end
        tell_report(doc, info.report, { timings = false })
        if info.report.failed > 0 and code < EXIT.plugin then code = EXIT.plugin end
      end
      counts.documents = counts.documents + 1
      counts[info.outcome] = counts[info.outcome] + 1
      if info.outcome == "failed" then counts.errors = counts.errors + 1 end
      counts.bytes = counts.bytes + doc.len
      shown:update(counts, read_opts.stats.input_bytes)
    end,
  }
  shown:update(counts, read_opts.stats.input_bytes, true)
  local failed = end_engine(e, opts, ran, run_err, tell)
  if failed then return failed end
  local signo = core.interrupted()
  if not opts.quiet then
    if signo then say "ingest: interrupted; run the same command again to go on" end
    say(ingest_summary(counts, shown:elapsed()))
  end
  if signo then return 128 + signo end
  return code
end

-- ---- run -------------------------------------------------------------------

local function traceback(message)
  if type(message) ~= "string" then
    local mt_ok, text = xpcall(tostring, debug.traceback, message)
    message = mt_ok and text or "(error object is not a string)"
  end
  return debug.traceback(message, 2)
end

local function run(args)
  local script = args[2]
  if script == "-h" or script == "--help" then
    io.stdout:write(RUN_HELP)
    return EXIT.ok
  end
  if not script then
    say "run: no script given (see 'lector run --help')"
    return EXIT.usage
  end
  local chunk, err = loadfile(script, "t")
  if not chunk then
    say(err)
    return EXIT.failure
  end
  local script_args = { [0] = script }
  for i = 3, #args do script_args[i - 2] = args[i] end
  _G.arg = script_args
  local ok, message = xpcall(chunk, traceback, table.unpack(script_args, 1, #script_args))
  io.stdout:flush()
  if not ok then
    say(message)
    return EXIT.failure
  end
  return EXIT.ok
end

-- ---- main ---------------------------------------------------------------------

local function plugin(args)
  return share.main(args, { EXIT = EXIT, parse = parse, say = say })
end

local function evaluate(args)
  return eval.main(args, { EXIT = EXIT, parse = parse, say = say, choose_pipeline = choose_pipeline })
end

local function explain_command(args)
  return explain.main(args, { EXIT = EXIT, parse = parse, say = say, choose_pipeline = choose_pipeline })
end

local function repl_command(args)
  return repl.main(args, { EXIT = EXIT, parse = parse, say = say })
end

local function report_command(args)
  return html_report.main(args, { EXIT = EXIT, parse = parse, say = say, choose_pipeline = choose_pipeline })
end

local function corpus_command(main)
  return function(args) return main(args, { EXIT = EXIT, parse = parse, say = say }) end
end

local COMMANDS = { query = corpus_command(corpus.query_main),
  search = corpus_command(corpus.search_main), merge = corpus_command(corpus.merge_main),
  analyze = analyze, ingest = ingest, run = run, plugin = plugin, eval = evaluate,
  explain = explain_command, repl = repl_command, report = report_command }
HELP.ingest = INGEST_HELP

function cli.main(args)
  local command = args[1]
  if command == nil then
    io.stderr:write(USAGE)
    return EXIT.usage
  end
  if command == "-h" or command == "--help" then
    io.stdout:write(USAGE)
    return EXIT.ok
  end
  if command == "-V" or command == "--version" then
    io.stdout:write("lector ", lector.version, "\n")
    return EXIT.ok
  end
  if command == "help" then
    local topic = args[2]
    if topic and not HELP[topic] then
      say("help: no command '", topic, "'")
      return EXIT.usage
    end
    io.stdout:write(topic and HELP[topic] or USAGE)
    return EXIT.ok
  end
  local handler = COMMANDS[command]
  if not handler then
    say("unknown command '", command, "' (see 'lector --help')")
    return EXIT.usage
  end
  return handler(args)
end

return cli
