-- The pipeline: which passes run, in what order, with which options, and
-- running them on documents. Everything that can be refused (a missing
-- plugin, an incompatible version, a cycle, a bad option, a permission not
-- granted) is refused here, before any document is touched.
local core = require "lector.core"
local plugins = require "lector.plugins"
local semver = require "lector.semver"
local lock = require "lector.lock"
local sources = require "lector.sources"
local cjson = require "cjson"

local ipairs, load, math, pairs, pcall, setmetatable, string, table, tonumber, tostring, type, utf8 =
  ipairs, load, math, pairs, pcall, setmetatable, string, table, tonumber, tostring, type, utf8
local _ENV = nil

local pipeline = {}

local json = cjson.new()

local PIPELINE_FILE_MAX = 1024 * 1024

-- ---- options -----------------------------------------------------------------

local BOOLEANS = { ["true"] = true, yes = true, on = true, ["1"] = true,
  ["false"] = false, no = false, off = false, ["0"] = false }

-- A command-line option value (a string) as the option's type.
local function convert(kind, text)
  if kind == "string" then return text end
  if kind == "integer" then return math.tointeger(tonumber(text)) end
  if kind == "number" then return tonumber(text) end
  if kind == "boolean" then return BOOLEANS[text:lower()] end
  if kind == "list" then
    local list = {}
    for item in text:gmatch "[^,]+" do list[#list + 1] = item:match "^%s*(.-)%s*$" end
    return list
  end
end

-- "entities.min_count=2" -> "entities", "min_count", "2" | nil, message
function pipeline.parse_option(text)
  local plugin, option, value = text:match "^([%a_][%w_%-]*)%.([%a_][%w_]*)=(.*)$"
  if not plugin then
    return nil, "'" .. text .. "' is not PLUGIN.OPTION=VALUE"
  end
  return plugin, option, value
end

-- The plugin's options: its defaults, then the pipeline file's values, then
-- the command line's (strings, converted); every value type-checked.
local function resolve_options(manifest, given, raw)
  local options = {}
  for name, spec in pairs(manifest.options) do options[name] = spec.default end
  local function known(name)
    if manifest.options[name] then return true end
    local names = {}
    for n in pairs(manifest.options) do names[#names + 1] = n end
    table.sort(names)
    return nil, string.format("plugin %s has no option '%s' (its options: %s)", manifest.name,
      name, #names > 0 and table.concat(names, ", ") or "none")
  end
  for name, value in pairs(given or {}) do
    local ok, err = known(name)
    if not ok then return nil, err end
    local kind = manifest.options[name].type
    if not plugins.check_option_value(kind, value) then
      return nil, string.format("option %s.%s must be %s %s", manifest.name, name,
        kind:match "^[aeiou]" and "an" or "a", kind)
    end
    options[name] = value
  end
  for name, text in pairs(raw or {}) do
    local ok, err = known(name)
    if not ok then return nil, err end
    local kind = manifest.options[name].type
    local value = convert(kind, text)
    if value == nil then
      return nil, string.format("option %s.%s must be a%s %s, not '%s'", manifest.name, name,
        kind == "integer" and "n" or "", kind, text)
    end
    options[name] = value
  end
  return options
end

-- Options as canonical JSON (sorted keys), so equal options compare equal.
local function canonical(value)
  if type(value) ~= "table" then return json.encode(value) end
  if #value > 0 then
    local parts = {}
    for i, v in ipairs(value) do parts[i] = canonical(v) end
    return "[" .. table.concat(parts, ",") .. "]"
  end
  local keys = {}
  for k in pairs(value) do keys[#keys + 1] = k end
  table.sort(keys)
  local parts = {}
  for i, k in ipairs(keys) do parts[i] = json.encode(k) .. ":" .. canonical(value[k]) end
  return "{" .. table.concat(parts, ",") .. "}"
end

-- ---- building ------------------------------------------------------------------

local Pipeline = {}
Pipeline.__index = Pipeline

-- One entry of a pipeline: "name", "name >= 1.2", or {"name", options = {}}.
local function parse_entry(entry, where)
  local text, options = entry, nil
  if type(entry) == "table" then
    text, options = entry[1], entry.options
    if options ~= nil and type(options) ~= "table" then
      return nil, where .. ": 'options' must be a table"
    end
  end
  local req, err = semver.requirement(text)
  if not req then return nil, where .. ": " .. err end
  return req, options
end

-- Read a pipeline file: a Lua file returning a list of entries. It is data:
-- loaded as text with an empty environment.
function pipeline.read_file(path)
  local source, err = sources.read_small(path, PIPELINE_FILE_MAX)
  if not source then return nil, err end
  local chunk, load_err = load(source, "@" .. path, "t", {})
  if not chunk then return nil, load_err end
  local ok, value = pcall(chunk)
  if not ok then return nil, value end
  if type(value) ~= "table" then return nil, path .. ": a pipeline file must return a list of passes" end
  return value
end

local function permission_error(manifest, permission)
  return string.format("plugin %s asks for permission '%s' (%s); grant it with --allow %s:%s "
    .. "or in lector.lock", manifest.name, permission, plugins.PERMISSIONS[permission] or "?",
    manifest.name, permission)
end

-- Choose the copy of a plugin that satisfies every requirement on it.
local function choose(self, req, wanted_by)
  local chosen = self.by_name[req.name]
  if chosen then
    if not semver.satisfies(chosen.manifest.semver, req) then
      return nil, string.format("%s needs %s %s, but %s %s was chosen (for %s)", wanted_by,
        req.name, semver.describe(req), req.name, chosen.manifest.version, chosen.wanted_by)
    end
    return chosen
  end
  local copies = self.index[req.name]
  if not copies then
    return nil, string.format("%s needs plugin '%s', which is not installed (searched: %s)",
      wanted_by, req.name, self.searched)
  end
  local seen = {}
  for _, candidate in ipairs(copies) do
    local grants = self.grants[req.name] or {}
    local manifest, state = plugins.open(candidate, {
      memory = self.limits.memory, instructions = self.limits.instructions, permissions = grants,
    })
    if not manifest then return nil, state end
    if semver.satisfies(manifest.semver, req) then
      for _, p in ipairs(manifest.permissions) do
        if not grants[p] then
          state:close()
          return nil, permission_error(manifest, p)
        end
      end
      chosen = { manifest = manifest, state = state, candidate = candidate, wanted_by = wanted_by }
      self.by_name[req.name] = chosen
      return chosen
    end
    seen[#seen + 1] = manifest.version
    state:close()
  end
  return nil, string.format("%s needs %s %s, but only version%s %s %s installed", wanted_by,
    req.name, semver.describe(req), #seen == 1 and "" or "s", table.concat(seen, ", "),
    #seen == 1 and "is" or "are")
end

-- Depth-first: requirements first, so the order is a valid run order; a
-- plugin met again while its requirements are being resolved is a cycle.
local function visit(self, req, wanted_by, trail)
  local chosen, err = choose(self, req, wanted_by)
  if not chosen then return nil, err end
  local name = chosen.manifest.name
  if self.state_of[name] == "done" then return true end
  if self.state_of[name] == "visiting" then
    local cycle = {}
    for i = #trail, 1, -1 do
      table.insert(cycle, 1, trail[i])
      if trail[i] == name then break end
    end
    cycle[#cycle + 1] = name
    return nil, "the plugins require each other in a cycle: " .. table.concat(cycle, " -> ")
  end
  self.state_of[name] = "visiting"
  trail[#trail + 1] = name
  for _, sub in ipairs(chosen.manifest.requirements) do
    local ok, sub_err = visit(self, sub, "plugin " .. name, trail)
    if not ok then return nil, sub_err end
  end
  trail[#trail] = nil
  self.state_of[name] = "done"
  self.order[#self.order + 1] = chosen
  return true
end

-- The run order: every pass after the passes it requires, and after the
-- passes its `after` names when those are in the pipeline too; otherwise
-- the order the requirements gave. nil, message on a cycle.
local function run_order(self)
  local by_name, state, result = self.by_name, {}, {}
  local function place(chosen, trail)
    local name = chosen.manifest.name
    if state[name] == "done" then return true end
    trail[#trail + 1] = name
    if state[name] == "visiting" then
      local first = 1
      for i, n in ipairs(trail) do if n == name then first = i break end end
      return nil, "the plugins must run in a cycle (through 'requires' and 'after'): "
        .. table.concat(trail, " -> ", first)
    end
    state[name] = "visiting"
    local before = {}
    for _, req in ipairs(chosen.manifest.requirements) do before[#before + 1] = by_name[req.name] end
    for _, other in ipairs(chosen.manifest.after) do before[#before + 1] = by_name[other] end
    for _, dep in ipairs(before) do
      local ok, err = place(dep, trail)
      if not ok then return nil, err end
    end
    trail[#trail] = nil
    state[name] = "done"
    result[#result + 1] = chosen
    return true
  end
  for _, chosen in ipairs(self.order) do
    local ok, err = place(chosen, {})
    if not ok then return nil, err end
  end
  return result
end

-- The passes whose results a pass reads: those it requires, and those
-- its `after` names that are in this pipeline.
local function upstream_of(self, manifest)
  local names = {}
  for _, req in ipairs(manifest.requirements) do names[#names + 1] = req.name end
  for _, other in ipairs(manifest.after) do
    if self.by_name[other] then names[#names + 1] = other end
  end
  return names
end

-- pipeline.build{passes = {...}, options = {plugin = {name = value}},
--   raw_options = {plugin = {name = "text"}}, allow = {plugin = {perm = true}},
--   limits = {memory =, instructions =}, lock = lock table or nil}
-- -> Pipeline | nil, message
function pipeline.build(spec)
  local found = plugins.discover()
  local dirs = {}
  for _, entry in ipairs(plugins.search_path()) do dirs[#dirs + 1] = entry.dir end
  local self = setmetatable({
    index = plugins.by_name(found), by_name = {}, state_of = {}, order = {},
    grants = spec.allow or {}, limits = spec.limits or {}, searched = table.concat(dirs, ", "),
  }, Pipeline)
  local given = {}
  for i, entry in ipairs(spec.passes or {}) do
    local req, options = parse_entry(entry, "pass " .. i)
    if not req then
      self:close()
      return nil, options
    end
    local ok, err = visit(self, req, "the pipeline", {})
    if not ok then
      self:close()
      return nil, err
    end
    given[req.name] = options
  end
  for name in pairs(spec.raw_options or {}) do
    if not self.by_name[name] then
      self:close()
      return nil, "option given for plugin '" .. name .. "', which is not in the pipeline"
    end
  end
  local order, order_err = run_order(self)
  if not order then
    self:close()
    return nil, order_err
  end
  self.passes = {}
  for _, chosen in ipairs(order) do
    local m = chosen.manifest
    local options, err = resolve_options(m, (spec.options or {})[m.name] or given[m.name],
      (spec.raw_options or {})[m.name])
    if not options then
      self:close()
      return nil, err
    end
    local lock_ok, lock_err = pipeline.check_lock(spec.lock, chosen)
    if not lock_ok then
      self:close()
      return nil, lock_err
    end
    self.passes[#self.passes + 1] = {
      name = m.name, version = m.version, manifest = m, state = chosen.state,
      options = options, options_json = canonical(options), file = chosen.candidate.file,
      requires = m.requirements, seconds = 0, runs = 0, peak = 0, failures = 0,
      inputs = upstream_of(self, m),
    }
  end
  return self
end

-- A plugin pinned in the lock file must be the same version with the same
-- checksum.
function pipeline.check_lock(pins, chosen)
  if not pins or not pins.plugins then return true end
  local pin = pins.plugins[chosen.manifest.name]
  if not pin then return true end
  if pin.version ~= chosen.manifest.version then
    return nil, string.format("plugin %s is version %s, but lector.lock pins %s; run "
      .. "'lector plugin lock %s' to accept it", chosen.manifest.name, chosen.manifest.version,
      tostring(pin.version), chosen.manifest.name)
  end
  local sum, files = core.checksum(plugins.location(chosen.candidate))
  if not sum then
    return nil, string.format("plugin %s cannot be checked against lector.lock: %s",
      chosen.manifest.name, files)
  end
  if sum ~= pin.sha256 then
    local changes = type(pin.files) == "table" and lock.changes(pin.files, files) or {}
    return nil, string.format("plugin %s %s changed since lector.lock was written (%s); review "
      .. "the change, then run 'lector plugin lock %s' to accept it", chosen.manifest.name,
      chosen.manifest.version, #changes > 0 and table.concat(changes, ", ")
        or "its files hash to " .. sum .. ", the lock says " .. tostring(pin.sha256),
      chosen.manifest.name)
  end
  return true
end

function Pipeline:close()
  for _, chosen in pairs(self.by_name or {}) do
    if chosen.state then chosen.state:close() end
  end
end

-- ---- running -------------------------------------------------------------------

-- Runs are recorded in the store when a document first needs a pass: a
-- pass that never has to run in this command records no run.
function Pipeline:begin(db)
  self.db = db
  return true
end

local function ensure_run(self, pass)
  if pass.run_id or not self.db then return true end
  local id, err = self.db:begin_run(pass.name, pass.version, pass.options_json)
  if not id then return nil, err end
  pass.run_id = id
  return true
end

function Pipeline:finish()
  if not self.db then return true end
  for _, pass in ipairs(self.passes) do
    if pass.run_id then
      local ok, err = self.db:finish_run(pass.run_id, pass.failures > 0 and "failed" or "ok",
        pass.first_error)
      if not ok then return nil, err end
    end
  end
  return true
end

-- The runs whose results a pass reads: for each plugin it requires (or
-- runs after), the run that produced that plugin's current results (the
-- one running now, or the one being reused). As canonical JSON, to compare
-- with a record.
local function inputs_of(pass, current)
  local inputs = {}
  for _, name in ipairs(pass.inputs) do inputs[name] = current[name] end
  return canonical(inputs)
end

-- Which passes are already done on the stored copy and need not run again:
-- same version, same options, succeeded, and computed from the results the
-- passes it requires have now. current maps each pass to the run whose
-- results stand after this document (a reused record's run, or the new
-- run); again lists the passes to run.
local function plan(self, stored_id)
  local current, again = {}, {}
  for _, pass in ipairs(self.passes) do
    local record = self.db and stored_id and self.db:pass(stored_id, pass.name)
    local upstream_again = false
    for _, name in ipairs(pass.inputs) do upstream_again = upstream_again or again[name] end
    if record and not upstream_again and record.status == "ok"
        and record.version == pass.version and record.options == pass.options_json
        and record.inputs == inputs_of(pass, current) then
      current[pass.name] = record.run_id
    else
      again[pass.name] = true
    end
  end
  return current, again
end

-- Text that goes into the document's errors and the database: valid UTF-8,
-- no NUL, whatever a plugin put in its error.
local function clean(text)
  text = tostring(text):gsub("%z", "")
  if not utf8.len(text) then text = text:gsub("[\128-\255]", "?") end
  return text
end

-- CPU time of the calling thread: a pass's cost even while other threads
-- run passes of their own.
local now = core.thread_cpu

-- Running a pipeline on a document has three steps, so that the middle one
-- can run in another thread (lector.engine): prepare and record read and
-- write the store, in the thread that owns it; execute only runs passes.

-- pipeline.prepare(p, doc, stored_id [, {results = false}]) -> job | nil, message
-- Plans the document: which passes must run (job.again, a set of names),
-- the run each records its results under (job.run_ids), and copies the
-- results of the passes already done from the stored copy into doc (not
-- when results is false and nothing has to run). job.todo counts the
-- passes to run.
function pipeline.prepare(self, doc, stored_id, opts)
  local current, again = plan(self, stored_id)
  local run_ids, reused, todo = {}, {}, 0
  for _, pass in ipairs(self.passes) do
    if again[pass.name] then
      todo = todo + 1
      local recorded, run_err = ensure_run(self, pass)
      if not recorded then return nil, run_err end
      run_ids[pass.name] = pass.run_id
    else
      reused[#reused + 1] = current[pass.name]
    end
  end
  if #reused > 0 and (todo > 0 or not opts or opts.results ~= false) then
    local stored = self.db:load(stored_id)
    if stored then core.copy_results(doc, stored, reused) end
  end
  return { again = again, run_ids = run_ids, current = current, todo = todo }
end

-- Run one pass on doc in its plugin's state: its entry of the report, made
-- in one piece (a table that grows field by field is rebuilt three times).
local function run_pass(pass, doc, job)
  -- One info table a pass, reused: state:run only reads it.
  local info = pass.info or {}
  pass.info, info.run_id = info, job.run_ids[pass.name]
  local start = now()
  local ok, err, kind = pass.state:run(doc, pass.options, info)
  local seconds = now() - start
  pass.stats = pass.stats or {}
  local logs, stats = pass.state:logs(), pass.state:stats(pass.stats)
  local entry = { name = pass.name, status = ok and "ok" or "failed", seconds = seconds,
    logs = logs, memory = stats and stats.peak or 0, error = not ok and clean(err) or nil,
    kind = kind }
  if not ok then doc:error(entry.error) end
  return entry
end

-- pipeline.execute(p, doc, job) -> {{name, status, error, kind, seconds,
-- memory, logs}...}: runs the passes job.again names, in order, each in its
-- plugin's state. A pass that fails records its error on the document;
-- passes that require it are skipped. Touches no store.
function pipeline.execute(self, doc, job)
  local entries, status_of = {}, {}
  for _, pass in ipairs(self.passes) do
    local blocked
    for _, req in ipairs(pass.requires) do
      if status_of[req.name] == "failed" or status_of[req.name] == "skipped" then blocked = req.name end
    end
    local entry
    if not job.again[pass.name] then
      entry = { name = pass.name, status = "done" }
    elseif blocked then
      entry = { name = pass.name, status = "skipped",
        error = string.format("plugin %s skipped: it requires %s, which did not complete",
          pass.name, blocked) }
      doc:error(entry.error)
    else
      entry = run_pass(pass, doc, job)
    end
    entries[#entries + 1] = entry
    status_of[pass.name] = entry.status
  end
  return entries
end

-- pipeline.record(p, stored_id, job, entries) -> report | nil, message
-- Adds what execute did to the pipeline's totals and records each pass
-- that ran on the stored copy.
function pipeline.record(self, stored_id, job, entries)
  local report = { passes = entries, failed = 0 }
  local current = job.current
  for i, pass in ipairs(self.passes) do
    local entry = entries[i]
    if entry.status == "ok" or entry.status == "failed" then
      pass.seconds, pass.runs = pass.seconds + entry.seconds, pass.runs + 1
      if entry.memory > pass.peak then pass.peak = entry.memory end
      if entry.status == "ok" then
        current[pass.name] = job.run_ids[pass.name]
      else
        pass.failures = pass.failures + 1
        pass.first_error = pass.first_error or entry.error
        report.failed = report.failed + 1
      end
      if self.db and stored_id then
        local recorded, db_err = self.db:set_pass(stored_id, pass.name, {
          version = pass.version, options = pass.options_json, status = entry.status,
          inputs = inputs_of(pass, current), run_id = job.run_ids[pass.name], error = entry.error,
        })
        if not recorded then return nil, db_err end
      end
    end
  end
  return report
end

-- Run the pipeline on one document. stored_id: the id of its stored copy
-- (from db:save), if any. Returns a report {passes = {{name, status, error,
-- seconds, memory, logs}}, failed = count}; logs are the lines the pass
-- printed or logged. A pass that fails records its error
-- on the document; passes that require it are skipped.
function Pipeline:run(doc, stored_id)
  local job, err = pipeline.prepare(self, doc, stored_id)
  if not job then return nil, err end
  return pipeline.record(self, stored_id, job, pipeline.execute(self, doc, job))
end

-- ---- the same pipeline in another state ----------------------------------------

-- pipeline.describe(p) -> plain data from which pipeline.open builds the
-- same pipeline in another Lua state (a worker thread's): the plugin files
-- already chosen and checked, their options, grants and limits.
function pipeline.describe(self)
  local passes = {}
  for i, pass in ipairs(self.passes) do
    local chosen = self.by_name[pass.name]
    local requires = {}
    for j, req in ipairs(pass.requires) do requires[j] = req.name end
    passes[i] = { name = pass.name, version = pass.version, options = pass.options,
      candidate = chosen.candidate, grants = self.grants[pass.name] or {}, requires = requires }
  end
  return { passes = passes, limits = self.limits }
end

-- pipeline.open(description) -> a pipeline that can execute | nil, message:
-- each plugin loaded again, in this state, from the file pipeline.build
-- chose. A plugin whose version changed since is refused.
function pipeline.open(description)
  local self = setmetatable({ by_name = {}, passes = {} }, Pipeline)
  local limits = description.limits or {}
  for i, spec in ipairs(description.passes) do
    local manifest, state = plugins.open(spec.candidate, { memory = limits.memory,
      instructions = limits.instructions, permissions = spec.grants })
    if not manifest then
      self:close()
      return nil, state
    end
    self.by_name[spec.name] = { state = state }
    if manifest.version ~= spec.version then
      self:close()
      return nil, string.format("plugin %s changed while lector was starting (version %s, then %s)",
        spec.name, spec.version, manifest.version)
    end
    local requires = {}
    for j, name in ipairs(spec.requires) do requires[j] = { name = name } end
    self.passes[i] = { name = spec.name, state = state, options = spec.options, requires = requires }
  end
  return self
end

return pipeline
