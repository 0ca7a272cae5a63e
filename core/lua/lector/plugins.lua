-- Finding plugins and reading their manifests. A manifest is read as data
-- from the plugin's own sandboxed state: listing plugins never runs a pass.
local core = require "lector.core"
local semver = require "lector.semver"

local ipairs, math, next, os, pairs, string, table, tostring, type =
  ipairs, math, next, os, pairs, string, table, tostring, type
local _ENV = nil

local plugins = {}

local OPTION_TYPES = { string = true, integer = true, number = true, boolean = true, list = true }
local PERMISSIONS = { read = "read files in the plugin's own folder" }
plugins.PERMISSIONS = PERMISSIONS

-- ---- where plugins live --------------------------------------------------

local function data_home()
  local data = os.getenv "XDG_DATA_HOME"
  if data and data ~= "" then return data end
  local home = os.getenv "HOME"
  return home and home ~= "" and home .. "/.local/share" or nil
end

-- The user's plugin folder, where `lector plugin install` puts plugins.
function plugins.user_dir()
  local data = data_home()
  return data and data .. "/lector/plugins" or nil
end

-- The search path, in order: ./plugins, the user's folder,
-- LECTOR_PLUGIN_PATH (colon-separated), the bundled plugins.
function plugins.search_path()
  local path = { { dir = "plugins", where = "project" } }
  local user = plugins.user_dir()
  if user then path[#path + 1] = { dir = user, where = "user" } end
  for dir in (os.getenv "LECTOR_PLUGIN_PATH" or ""):gmatch "[^:]+" do
    path[#path + 1] = { dir = dir, where = "LECTOR_PLUGIN_PATH" }
  end
  for _, dir in ipairs(core.bundled_plugin_dirs and core.bundled_plugin_dirs() or {}) do
    path[#path + 1] = { dir = dir, where = "bundled" }
  end
  return path
end

local function exists(path)
  return core.kind(path) ~= nil
end

-- The candidate plugin files in one folder of the search path: NAME.lua,
-- NAME/plugin.lua, and NAME/VERSION/plugin.lua (side-by-side installs,
-- highest version first).
local function candidates_in(entry, found)
  local listing = core.listdir(entry.dir)
  if not listing then return end
  for _, item in ipairs(listing) do
    local path = entry.dir .. "/" .. item.name
    if item.kind == "file" and item.name:match "%.lua$" then
      found[#found + 1] = { file = path, dir = entry.dir, folder_name = item.name:sub(1, -5),
        where = entry.where, root = entry.dir }
    elseif item.kind == "dir" then
      if exists(path .. "/plugin.lua") then
        found[#found + 1] = { file = path .. "/plugin.lua", dir = path, folder_name = item.name,
          where = entry.where, root = entry.dir }
      else
        local versions = {}
        for _, sub in ipairs(core.listdir(path) or {}) do
          local v = semver.parse(sub.name)
          if sub.kind == "dir" and v and exists(path .. "/" .. sub.name .. "/plugin.lua") then
            versions[#versions + 1] = { version = v, name = sub.name }
          end
        end
        table.sort(versions, function(a, b) return semver.compare(a.version, b.version) > 0 end)
        for _, v in ipairs(versions) do
          local dir = path .. "/" .. v.name
          found[#found + 1] = { file = dir .. "/plugin.lua", dir = dir, folder_name = item.name,
            folder_version = v.name, where = entry.where, root = entry.dir }
        end
      end
    end
  end
end

-- Every plugin copy on the search path, in search order.
function plugins.discover()
  local found = {}
  for _, entry in ipairs(plugins.search_path()) do candidates_in(entry, found) end
  return found
end

-- ---- manifests ----------------------------------------------------------------

local function field_error(file, field, message)
  return string.format("%s: field '%s' %s", file, field, message)
end

local function check_string_list(manifest, file, field)
  local list = manifest[field]
  if list == nil then manifest[field] = {}; return true end
  if type(list) ~= "table" then return nil, field_error(file, field, "must be a list of strings") end
  for i, v in ipairs(list) do
    if type(v) ~= "string" then
      return nil, field_error(file, field, "item " .. i .. " must be a string")
    end
  end
  return true
end

local function check_options(manifest, file)
  local options = manifest.options
  if options == nil then manifest.options = {}; return true end
  if type(options) ~= "table" then return nil, field_error(file, "options", "must be a table") end
  for name, spec in pairs(options) do
    local where = "options." .. tostring(name)
    if type(name) ~= "string" or not name:match "^[%a_][%w_]*$" then
      return nil, field_error(file, where, "must be named with letters, digits and '_'")
    end
    if type(spec) ~= "table" then return nil, field_error(file, where, "must be a table {type=, default=, description=}") end
    if not OPTION_TYPES[spec.type] then
      return nil, field_error(file, where .. ".type", "'" .. tostring(spec.type) ..
        "' is not an option type (string, integer, number, boolean, list)")
    end
    if spec.default ~= nil then
      local ok = plugins.check_option_value(spec.type, spec.default)
      if not ok then return nil, field_error(file, where .. ".default", "is not a " .. spec.type) end
    end
    if type(spec.description) ~= "string" then
      return nil, field_error(file, where .. ".description", "must be a string")
    end
  end
  return true
end

-- Is value of the option type?
function plugins.check_option_value(kind, value)
  if kind == "integer" then return math.type(value) == "integer" end
  if kind == "number" then return type(value) == "number" end
  if kind == "list" then
    if type(value) ~= "table" then return false end
    for _, v in ipairs(value) do if type(v) ~= "string" then return false end end
    return true
  end
  return type(value) == kind
end

-- Check a manifest (plain data, as read from the sandbox); returns it with
-- defaults filled in and version/requires parsed, or nil, "FILE: field ...".
function plugins.validate(manifest, file)
  if type(manifest) ~= "table" then
    return nil, file .. ": the plugin must return a table (its manifest)"
  end
  if type(manifest.name) ~= "string" or not manifest.name:match "^[%a_][%w_%-]*$" then
    return nil, field_error(file, "name", manifest.name == nil and "is missing" or
      "must be letters, digits, '_' and '-', starting with a letter")
  end
  if not semver.parse(manifest.version) then
    return nil, field_error(file, "version", manifest.version == nil and "is missing" or
      "'" .. tostring(manifest.version) .. "' is not a semantic version (MAJOR.MINOR.PATCH)")
  end
  for _, field in ipairs { "kind", "description", "license", "author" } do
    if manifest[field] ~= nil and type(manifest[field]) ~= "string" then
      return nil, field_error(file, field, "must be a string")
    end
  end
  if type(manifest.kind) ~= "string" then return nil, field_error(file, "kind", "is missing") end
  for _, field in ipairs { "requires", "after", "provides", "permissions" } do
    local ok, err = check_string_list(manifest, file, field)
    if not ok then return nil, err end
  end
  local parsed = {}
  for i, text in ipairs(manifest.requires) do
    local req, err = semver.requirement(text)
    if not req then return nil, field_error(file, "requires", "item " .. i .. ": " .. err) end
    parsed[#parsed + 1] = req
  end
  for i, name in ipairs(manifest.after) do
    if not name:match "^[%a_][%w_%-]*$" then
      return nil, field_error(file, "after", "item " .. i .. ": '" .. name .. "' is not a plugin name")
    end
  end
  for _, p in ipairs(manifest.permissions) do
    if not PERMISSIONS[p] then
      return nil, field_error(file, "permissions", "'" .. p .. "' is not a permission lector knows (read)")
    end
  end
  local ok, err = check_options(manifest, file)
  if not ok then return nil, err end
  if manifest.run ~= "function" then
    return nil, field_error(file, "run", manifest.run == nil and "is missing" or "must be a function")
  end
  manifest.semver = semver.parse(manifest.version)
  manifest.requirements = parsed
  return manifest
end

-- Open a plugin copy's sandboxed state and read its manifest. The state is
-- returned too, to run the plugin later. limits: memory, instructions,
-- permissions (a set of granted names).
function plugins.open(candidate, limits)
  limits = limits or {}
  local state, err = core.sandbox {
    name = candidate.folder_name, dir = candidate.dir, file = candidate.file,
    memory = limits.memory, instructions = limits.instructions,
    permissions = limits.permissions or {},
  }
  if not state then return nil, err end
  local data, copy_err = state:manifest()
  if data == nil then
    state:close()
    return nil, copy_err
  end
  local manifest
  manifest, err = plugins.validate(data, candidate.file)
  if not manifest then
    state:close()
    return nil, err
  end
  if manifest.name ~= candidate.folder_name then
    state:close()
    return nil, field_error(candidate.file, "name", string.format(
      "'%s' does not match the plugin's %s name '%s'", manifest.name,
      candidate.file:match "/plugin%.lua$" and "folder" or "file", candidate.folder_name))
  end
  if candidate.folder_version and candidate.folder_version ~= manifest.version then
    state:close()
    return nil, field_error(candidate.file, "version", string.format(
      "'%s' does not match the folder it is installed in (%s)", manifest.version,
      candidate.folder_version))
  end
  return manifest, state
end

-- What a candidate is on disk: its file for a single-file plugin, else its
-- folder.
function plugins.location(candidate)
  return candidate.dir == candidate.root and candidate.file or candidate.dir
end

-- The names of the bundled plugins: the default pipeline.
function plugins.bundled_names()
  local names, seen = {}, {}
  for _, c in ipairs(plugins.discover()) do
    if c.where == "bundled" and not seen[c.folder_name] then
      seen[c.folder_name] = true
      names[#names + 1] = c.folder_name
    end
  end
  return names
end

-- {name -> {candidate...}} in search order.
function plugins.by_name(found)
  local index = {}
  for _, c in ipairs(found or plugins.discover()) do
    index[c.folder_name] = index[c.folder_name] or {}
    local list = index[c.folder_name]
    list[#list + 1] = c
  end
  return index
end

return plugins
