-- `lector plugin list` and `lector plugin lock`: what is on the search path
-- and which copy wins, and pinning the winners in lector.lock. Manifests
-- are read as data from each plugin's sandbox; no pass runs.
local plugins = require "lector.plugins"
local lock = require "lector.lock"

local io, ipairs, pairs, string, table = io, ipairs, pairs, string, table
local _ENV = nil

local catalog = {}

-- Small budgets: reading a manifest needs a table constructor, not work.
local MANIFEST_LIMITS = { memory = 16 * 1024 * 1024, instructions = 1000000 }

local function read(candidate, permissions)
  local limits = { memory = MANIFEST_LIMITS.memory, instructions = MANIFEST_LIMITS.instructions,
    permissions = permissions }
  local manifest, state = plugins.open(candidate, limits)
  if not manifest then return nil, state end
  state:close()
  return manifest
end


-- lector plugin list: every copy on the search path, in search order; the
-- first copy of each name is the one that runs ("*").
function catalog.list(ctx)
  local found = plugins.discover()
  local seen, rows, problems = {}, {}, 0
  for _, c in ipairs(found) do
    local manifest, err = read(c)
    local wins = not seen[c.folder_name]
    seen[c.folder_name] = true
    if manifest then
      rows[#rows + 1] = { wins and "*" or " ", manifest.name, manifest.version, manifest.kind,
        c.where, plugins.location(c) }
    else
      problems = problems + 1
      rows[#rows + 1] = { wins and "!" or " ", c.folder_name, "?", "?", c.where,
        plugins.location(c) .. "  (" .. err:match "^[^\n]*" .. ")" }
    end
  end
  if #rows == 0 then
    io.stdout:write "no plugins found (see 'lector plugin --help' for where lector looks)\n"
    return ctx.EXIT.ok
  end
  local widths = { 1, 4, 7, 4, 5 }
  for _, row in ipairs(rows) do
    for i = 2, 5 do if #row[i] > widths[i] then widths[i] = #row[i] end end
  end
  local format = string.format("%%s %%-%ds  %%-%ds  %%-%ds  %%-%ds  %%s\n", widths[2], widths[3],
    widths[4], widths[5])
  io.stdout:write(string.format(format, " ", "name", "version", "kind", "where", "path"))
  for _, row in ipairs(rows) do io.stdout:write(string.format(format, table.unpack(row))) end
  io.stdout:write "\n* the copy that runs; ! a copy that cannot be loaded\n"
  return problems > 0 and ctx.EXIT.plugin or ctx.EXIT.ok
end

-- lector plugin lock NAME... [--allow NAME:PERM]: pin the copies that win
-- now, with their checksums and the permissions granted, in lector.lock.
function catalog.lock(ctx, names, opts)
  if #names == 0 then return ctx.usage "lock wants one or more plugin names" end
  local data, err = lock.read()
  if err then return ctx.refuse(err) end
  local grants, allow_err = lock.add_grants(lock.grants(data), opts.allow)
  if not grants then return ctx.usage(allow_err) end
  local index = plugins.by_name()
  for _, name in ipairs(names) do
    local copies = index[name]
    if not copies then return ctx.refuse("plugin '" .. name .. "' is not installed") end
    local manifest, read_err = read(copies[1], grants[name] or {})
    if not manifest then return ctx.refuse(read_err) end
    for _, p in ipairs(manifest.permissions) do
      if not (grants[name] or {})[p] then
        return ctx.refuse(string.format("plugin %s asks for permission '%s'; grant it with "
          .. "--allow %s:%s", name, p, name, p))
      end
    end
    local pinned, pin_err = lock.pin(data, manifest, plugins.location(copies[1]), grants[name])
    if not pinned then return ctx.refuse(pin_err) end
    data = pinned
    local granted = {}
    for p in pairs(grants[name] or {}) do granted[#granted + 1] = p end
    table.sort(granted)
    io.stdout:write(string.format("locked %s %s %s%s\n", name, manifest.version,
      data.plugins[name].sha256, #granted > 0 and " (allowed: " .. table.concat(granted, ", ") .. ")" or ""))
  end
  local ok, write_err = lock.write(data)
  if not ok then return ctx.refuse(write_err) end
  return ctx.EXIT.ok
end

return catalog
