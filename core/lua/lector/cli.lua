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
  run SCRIPT [ARGS...]    run a Lua script with the lector module loaded
  plugin COMMAND          make, test, pack, install and remove plugins
  eval TASK               score passes against labelled data (ner, summary, sentiment)
  explain sentiment TEXT  show how each sentence's sentiment score came about
  repl [FILE] [--db PATH] an interactive Lua session with lector loaded
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
      --plugin-memory SIZE
                          memory each plugin may hold (default 64M)
      --plugin-instructions N
                          Lua instructions each pass may run on one
                          document (default 100000000)
  -h, --help              show this help

Without --plugins or --pipeline, the bundled passes run. A pass already done
on a stored document with the same plugin version and options is not done
again.

Exit codes: 0 success, 2 usage, 3 some inputs were refused (the others were
processed), 4 the database was refused or could not be written, 5 a plugin
was refused or failed on some document (the others were processed).
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

local HELP = { analyze = ANALYZE_HELP, run = RUN_HELP, plugin = share.HELP, eval = eval.HELP,
  explain = explain.HELP, repl = repl.HELP }

-- ---- option parsing ----------------------------------------------------

-- spec: option name -> { short = "f", value = true|false, key = "format" }
local function parse(args, first, spec, command)
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
  ["plugin-memory"] = { value = true, key = "plugin_memory" },
  ["plugin-instructions"] = { value = true, key = "plugin_instructions" },
  help = { short = "h" },
}

local FORMATS = { text = true, json = true, jsonl = true }
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

-- Run the passes on one stored (or unstored) document and save what they
-- added. Returns the number of passes that failed, or nil, message on a
-- database failure.
local function run_passes(chosen, doc, db, stored_id, opts)
  local run_report, err = chosen:run(doc, stored_id)
  if not run_report then return nil, err end
  if opts.timings then print_timings(doc, run_report) end
  for _, pass in ipairs(run_report.passes) do
    for _, line in ipairs(pass.logs or {}) do say(doc.id, ": plugin ", pass.name, ": ", line) end
    if pass.status ~= "ok" and pass.error then say(doc.id, ": ", pass.error) end
  end
  -- When every pass was already done, the document only holds results
  -- copied from the store: nothing to write back.
  local ran = false
  for _, pass in ipairs(run_report.passes) do ran = ran or pass.status ~= "done" end
  if db and ran then
    local saved, save_err = db:save(doc)
    if not saved then return nil, save_err end
  end
  return run_report.failed
end

local function analyze(args)
  local opts, inputs = parse(args, 2, ANALYZE_SPEC, "analyze")
  if not opts then
    say(inputs)
    return EXIT.usage
  end
  if opts.help then
    io.stdout:write(ANALYZE_HELP)
    return EXIT.ok
  end
  opts.format = opts.format or "text"
  opts.input = opts.input or "auto"
  local problem = check_analyze_options(opts, inputs)
  if problem then
    say("analyze: ", problem, " (see 'lector analyze --help')")
    return EXIT.usage
  end
  local chosen, pipeline_err = choose_pipeline(opts)
  if pipeline_err then
    say(pipeline_err)
    return EXIT.plugin
  end
  local db, db_err = open_store(opts)
  if not db and db_err then
    say(db_err)
    if chosen then chosen:close() end
    return EXIT.database
  end
  if chosen then
    local ok, begin_err = chosen:begin(db)
    if not ok then
      say(begin_err)
      chosen:close()
      return EXIT.database
    end
  end
  local out = report.new(opts.format, io.stdout)
  local stats = {}
  local code = EXIT.ok
  for doc, err in lector.read(inputs, {
    lossy = opts.lossy, max_bytes = opts.max_bytes, input = opts.input, stats = stats,
  }) do
    if not doc then
      say(err)
      out:failure(err)
      if code < EXIT.input then code = EXIT.input end
    else
      local stored_id, is_new
      if db then
        stored_id, is_new = db:save(doc)
        if not stored_id then
          say(is_new)
          db:close()
          return EXIT.database
        end
      end
      if chosen then
        local failed, run_err = run_passes(chosen, doc, db, stored_id, opts)
        if not failed then
          say(run_err)
          chosen:close()
          db:close()
          return EXIT.database
        end
        if failed > 0 and code < EXIT.plugin then code = EXIT.plugin end
      end
      out:document(doc, { stored_id = stored_id, is_new = is_new, db = db and db.path })
    end
  end
  if chosen then
    local finished, finish_err = chosen:finish()
    if opts.timings then print_timing_totals(chosen) end
    chosen:close()
    if not finished then
      say(finish_err)
      return EXIT.database
    end
  end
  if db then
    local ok, err = pcall(db.close, db)
    if not ok then
      say(err)
      return EXIT.database
    end
  end
  out:finish(stats)
  if stats.skipped > 0 then
    say(string.format("skipped %d file%s that %s not .txt or .md", stats.skipped,
      stats.skipped == 1 and "" or "s", stats.skipped == 1 and "is" or "are"))
  end
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

local COMMANDS = { analyze = analyze, run = run, plugin = plugin, eval = evaluate,
  explain = explain_command, repl = repl_command }

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
