-- The lock file, lector.lock in the project folder: for each plugin the
-- version and checksum approved, and the permissions granted. It is JSON,
-- read as data.
local core = require "lector.core"
local sources = require "lector.sources"

local io, ipairs, pairs, string, table, type = io, ipairs, pairs, string, table, type
local os_rename = os.rename
local _ENV = nil

local lock = { FILE = "lector.lock", FORMAT = 1 }

local MAX_BYTES = 1024 * 1024

-- The lock file's table, or nil when there is none, or nil, message when
-- it is broken.
function lock.read(path)
  path = path or lock.FILE
  if not core.kind(path) then return nil end
  local text, err = sources.read_small(path, MAX_BYTES)
  if not text then return nil, err end
  local data, decode_err = core.json.decode(text)
  if type(data) ~= "table" then
    return nil, path .. ": not a lock file (" .. (decode_err or "not a JSON object") .. ")"
  end
  if data.lector_lock ~= lock.FORMAT or type(data.plugins) ~= "table" then
    return nil, path .. ": not a lector lock file of format " .. lock.FORMAT
  end
  for name, pin in pairs(data.plugins) do
    if type(pin) ~= "table" or type(pin.version) ~= "string" or type(pin.sha256) ~= "string" then
      return nil, string.format("%s: the entry for %s needs a version and a sha256", path, name)
    end
    pin.permissions = type(pin.permissions) == "table" and pin.permissions or {}
  end
  return data
end

-- {plugin = {permission = true}} from the lock's entries.
function lock.grants(data)
  local grants = {}
  for name, pin in pairs(data and data.plugins or {}) do
    grants[name] = {}
    for _, p in ipairs(pin.permissions) do grants[name][p] = true end
  end
  return grants
end

-- Add to grants ({plugin = {permission = true}}) what --allow
-- PLUGIN:PERMISSION options say; nil, message for one that is malformed.
function lock.add_grants(grants, allow)
  for _, text in ipairs(allow or {}) do
    local plugin, permission = text:match "^([%a_][%w_%-]*):(%a+)$"
    if not plugin then return nil, "--allow " .. text .. ": expected PLUGIN:PERMISSION" end
    grants[plugin] = grants[plugin] or {}
    grants[plugin][permission] = true
  end
  return grants
end

-- Pin one plugin: its version, the checksum of its file or folder (and of
-- each file, to say later what changed), and the permissions granted.
function lock.pin(data, manifest, path, permissions)
  data = data or { lector_lock = lock.FORMAT, plugins = {} }
  local sum, files = core.checksum(path)
  if not sum then return nil, files end
  local granted = {}
  for p in pairs(permissions or {}) do granted[#granted + 1] = p end
  table.sort(granted)
  -- An empty list would read back the same, but JSON-encodes as {}: leave
  -- it out.
  data.plugins[manifest.name] = { version = manifest.version, sha256 = sum, files = files,
    permissions = #granted > 0 and granted or nil }
  return data
end

function lock.write(data, path)
  path = path or lock.FILE
  local f, err = io.open(path .. ".tmp", "w")
  if not f then return nil, err end
  f:write(core.json.encode(data), "\n")
  f:close()
  local ok, rename_err = os_rename(path .. ".tmp", path)
  if not ok then return nil, rename_err end
  return true
end


-- What differs between the files pinned and the files now: a list such as
-- {"plugin.lua changed", "data/extra.tsv added"}.
function lock.changes(pinned, now)
  local changes = {}
  for path, sum in pairs(now) do
    if pinned[path] == nil then changes[#changes + 1] = path .. " added"
    elseif pinned[path] ~= sum then changes[#changes + 1] = path .. " changed" end
  end
  for path in pairs(pinned) do
    if now[path] == nil then changes[#changes + 1] = path .. " removed" end
  end
  table.sort(changes)
  return changes
end

return lock
