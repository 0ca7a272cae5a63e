-- What the `lector eval` tasks share: the common options, reading a JSONL
-- data file record by record, running the passes over one document, the
-- output and the exit code. Messages start with "eval TASK: " as every
-- task's own do.
local lector = require "lector"

local io, ipairs, math, os, pairs, tonumber, tostring = io, ipairs, math, os, pairs, tonumber, tostring
local _ENV = nil

local common = {}

-- A task's option spec: its own options and those every task takes.
function common.spec(own)
  local spec = {
    option = { short = "o", value = true, many = true },
    allow = { value = true, many = true },
    limit = { value = true },
    format = { short = "f", value = true },
    help = { short = "h" },
  }
  for name, option in pairs(own) do spec[name] = option end
  return spec
end

-- The output format, "text" or "json"; nil and the usage exit code for
-- any other.
function common.format(ctx, opts)
  local format = opts.format or "text"
  if format ~= "text" and format ~= "json" then
    return nil, ctx.usage("unknown format '" .. format .. "' (text or json)")
  end
  return format
end

-- --limit as a positive integer, nil when not given; nil and the usage
-- exit code when it is not one.
function common.limit(ctx, opts)
  if not opts.limit then return nil end
  local limit = math.tointeger(tonumber(opts.limit))
  if not limit or limit < 1 then return nil, ctx.usage "--limit wants a positive whole number" end
  return limit
end

-- The format and the limit after checking, in this order, that --data is
-- given, the format and --limit; nil and the usage exit code when one is
-- wrong.
function common.check(ctx, opts)
  if not opts.data then return nil, ctx.usage "--data FILE is required" end
  local format, code = common.format(ctx, opts)
  if not format then return nil, code end
  local limit
  limit, code = common.limit(ctx, opts)
  if code then return nil, code end
  return format, limit
end

-- Precision, recall and F1 from true positives, predictions and gold
-- items; 0 where a ratio has nothing to divide by.
function common.f1(tp, found, gold)
  local p = found > 0 and tp / found or 0
  local r = gold > 0 and tp / gold or 0
  local f = p + r > 0 and 2 * p * r / (p + r) or 0
  return p, r, f
end

-- The data file open for reading; nil and the input exit code after
-- saying why not.
function common.open_data(ctx, task, path)
  local file, err = io.open(path, "rb")
  if not file then
    ctx.say("eval ", task, ": ", err)
    return nil, ctx.EXIT.input
  end
  return file
end

-- The data file and the chosen pipeline (opts.plugins, default_plugins
-- when not given); nil and the exit code after saying what failed.
function common.open(ctx, task, opts, default_plugins)
  local file, code = common.open_data(ctx, task, opts.data)
  if not file then return nil, code end
  opts.plugins = opts.plugins or default_plugins
  local chosen, err = ctx.choose_pipeline(opts)
  if not chosen then
    file:close()
    ctx.say("eval ", task, ": ", err or "no passes to run")
    return nil, ctx.EXIT.plugin
  end
  return file, chosen
end

-- The valid records of the JSONL file at path, open as file: an iterator
-- giving record and line number, and a function giving how many lines
-- were bad so far. read(value) checks one decoded line (the record, or
-- nil and the reason); a line that is not JSON or not a valid record is
-- said with its number and skipped, and so is a blank one.
function common.records(ctx, task, path, file, read)
  local line_number, bad = 0, 0
  local function next_record()
    while true do
      local line = file:read "l"
      if not line then return nil end
      line_number = line_number + 1
      if line:match "%S" then
        local value, err = lector.json.decode(line)
        local record, reason
        if value == nil then reason = "invalid JSON (" .. tostring(err) .. ")"
        else record, reason = read(value) end
        if record then return record, line_number end
        bad = bad + 1
        ctx.say("eval ", task, ": ", path, ":", line_number, ": ", reason)
      end
    end
  end
  return next_record, function() return bad end
end

-- Run the pipeline over doc: the report, how many passes failed (each
-- said) and the seconds the run took. When the run itself fails, the file
-- and the pipeline are closed and it returns nil and the plugin exit code
-- after saying why.
function common.run(ctx, task, file, chosen, doc)
  local started = os.clock()
  local report, err = chosen:run(doc)
  local seconds = os.clock() - started
  if not report then
    file:close()
    chosen:close()
    ctx.say("eval ", task, ": ", err)
    return nil, ctx.EXIT.plugin
  end
  local failed = 0
  for _, pass in ipairs(report.passes) do
    if pass.status == "failed" then
      failed = failed + 1
      ctx.say("eval ", task, ": ", doc.id, ": ", pass.error or "pass failed")
    end
  end
  return report, failed, seconds
end

-- result as one line of JSON, or through print_text(result).
function common.write(format, result, print_text)
  if format == "json" then
    io.stdout:write(lector.json.encode(result), "\n")
  else
    print_text(result)
  end
end

-- Bad data lines come first: the valid ones were still scored.
function common.exit_code(ctx, bad_lines, failed)
  if bad_lines > 0 then return ctx.EXIT.input end
  if failed > 0 then return ctx.EXIT.plugin end
  return ctx.EXIT.ok
end

return common
