-- Semantic versions ("1.4.2", "2.0.0-rc.1") and the ranges plugins use to
-- name what they require ("entities >= 1.2, < 2").
local ipairs, math, setmetatable, table, tonumber, type =
  ipairs, math, setmetatable, table, tonumber, type
local _ENV = nil

local semver = {}

local Version = {}
Version.__index = Version

function Version.__tostring(v)
  return v.text
end

local function compare_pre(a, b)
  if a == b then return 0 end
  if a == nil then return 1 end   -- a release is above its pre-releases
  if b == nil then return -1 end
  return a < b and -1 or 1
end

-- -1, 0 or 1.
function semver.compare(a, b)
  for _, part in ipairs { "major", "minor", "patch" } do
    if a[part] ~= b[part] then return a[part] < b[part] and -1 or 1 end
  end
  return compare_pre(a.pre, b.pre)
end

-- "1.2.3" or "1.2.3-beta.1" -> version; with partial = true, "1" and "1.2"
-- are accepted too (for ranges: "< 2" means "< 2.0.0"). nil when the text
-- is not a version.
function semver.parse(text, partial)
  if type(text) ~= "string" then return nil end
  local numbers, pre = text:match "^([%d%.]+)%-([%w%.%-]+)$"
  numbers = numbers or text
  local major, minor, patch = numbers:match "^(%d+)%.(%d+)%.(%d+)$"
  if not major and partial then
    major, minor = numbers:match "^(%d+)%.(%d+)$"
    major = major or numbers:match "^(%d+)$"
  end
  if not major then return nil end
  return setmetatable({
    major = math.tointeger(tonumber(major)), minor = math.tointeger(tonumber(minor or "0")),
    patch = math.tointeger(tonumber(patch or "0")), pre = pre, text = text,
  }, Version)
end

local OPERATORS = {
  [">="] = function(c) return c >= 0 end,
  [">"] = function(c) return c > 0 end,
  ["<="] = function(c) return c <= 0 end,
  ["<"] = function(c) return c < 0 end,
  ["="] = function(c) return c == 0 end,
  ["=="] = function(c) return c == 0 end,
  ["!="] = function(c) return c ~= 0 end,
}

-- "entities >= 1.2, < 2" -> {name = "entities", constraints = {...}, text = ...}
-- or nil, message.
function semver.requirement(text)
  if type(text) ~= "string" then return nil, "a requirement must be a string" end
  local name, rest = text:match "^%s*([%a_][%w_%-]*)%s*(.-)%s*$"
  if not name then return nil, "'" .. text .. "' does not start with a plugin name" end
  local constraints = {}
  if rest ~= "" then
    for part in (rest .. ","):gmatch "%s*(.-)%s*," do
      local op, version = part:match "^([<>=!]*)%s*([%w%.%-]+)$"
      if op == "" then op = "=" end
      local v = version and semver.parse(version, true)
      if not op or not OPERATORS[op] or not v then
        return nil, "'" .. text .. "': '" .. part .. "' is not a version constraint such as '>= 1.2'"
      end
      constraints[#constraints + 1] = { op = op, version = v }
    end
  end
  return { name = name, constraints = constraints, text = text }
end

function semver.satisfies(version, requirement)
  for _, c in ipairs(requirement.constraints) do
    if not OPERATORS[c.op](semver.compare(version, c.version)) then return false end
  end
  return true
end

function semver.describe(requirement)
  local parts = {}
  for _, c in ipairs(requirement.constraints) do
    parts[#parts + 1] = c.op .. " " .. c.version.text
  end
  return table.concat(parts, ", ")
end

return semver
