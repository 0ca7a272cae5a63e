-- `lector eval TASK`: measure passes (bundled or a user's) against
-- labelled data. Each task is a module lector.eval.TASK with HELP, SPEC
-- (its options) and run(ctx, opts).
local io, ipairs, require = io, ipairs, require
local _ENV = nil

local eval = {}

local TASKS = { "ner", "summary", "sentiment" }

eval.HELP = [[
Usage: lector eval TASK [OPTIONS]

Score passes against labelled data. Tasks:
  ner       entities against {"text","entities":[...]} records (precision, recall, F1)
  sentiment scores against {"text","score"} human ratings (correlation, 3-class F1)
  summary   summaries against {"article","summary"} records (ROUGE-1, -2, -L; Lead-3 baseline)

Run 'lector eval TASK --help' for a task's options.
]]

local function task_module(name)
  for _, known in ipairs(TASKS) do
    if known == name then return require("lector.eval." .. name) end
  end
end

-- args: the whole command line ({"eval", TASK, ...}); ctx: EXIT, say,
-- parse, choose_pipeline.
function eval.main(args, ctx)
  local name = args[2]
  if name == nil or name == "-h" or name == "--help" then
    io.stdout:write(eval.HELP)
    return name and ctx.EXIT.ok or ctx.EXIT.usage
  end
  local task = task_module(name)
  if not task then
    ctx.say("eval: unknown task '", name, "' (see 'lector eval --help')")
    return ctx.EXIT.usage
  end
  local opts, positional = ctx.parse(args, 3, task.SPEC, "eval " .. name, task.HELP)
  if not opts then return positional end
  if #positional > 0 then
    ctx.say("eval ", name, ": unexpected argument '", positional[1], "' (see 'lector eval ", name, " --help')")
    return ctx.EXIT.usage
  end
  ctx.usage = function(message)
    ctx.say("eval ", name, ": ", message, " (see 'lector eval ", name, " --help')")
    return ctx.EXIT.usage
  end
  return task.run(ctx, opts)
end

return eval
