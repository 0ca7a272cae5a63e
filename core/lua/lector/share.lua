-- `lector plugin ...`: scaffold, test, pack, install, remove, inspect and
-- sign plugins. Archives are checked in C (lector.core.verify/extract);
-- this module decides where things go and whom to trust.
local core = require "lector.core"
local catalog = require "lector.catalog"
local plugins = require "lector.plugins"
local semver = require "lector.semver"
local sources = require "lector.sources"

local io, ipairs, math, next, os, pairs, require, string, table, tostring,
  type, _G =
  io, ipairs, math, next, os, pairs, require, string, table, tostring,
  type, _G
local _ENV = nil

local share = {}

share.HELP = [[
Usage: lector plugin COMMAND [OPTIONS] [ARGS]

Make, test, share and install plugins (docs/plugins.md).

Commands:
  new NAME                  make a working plugin in the folder NAME
  test DIR                  run the plugin's specs (DIR/spec/*_spec.lua)
  pack DIR [--sign KEYFILE] [-o OUTDIR]
                            write NAME-VERSION.lector (into OUTDIR, default
                            the current folder), signed with KEYFILE's key
  install PATH [--force]    install a plugin folder or a .lector archive
                            into $XDG_DATA_HOME/lector/plugins/NAME/VERSION;
                            --force replaces the same version with different
                            content (other versions are never touched)
  remove NAME[@VERSION]     remove an installed plugin (every version when
                            none is given)
  info NAME[@VERSION]|DIR   show an installed plugin's manifest
  trust KEYFILE             trust archives signed by this public key
  keygen NAME               write the key pair NAME.key (secret) and NAME.pub
  list                      every plugin on the search path, marking the
                            copy of each name that runs
  lock NAME... [--allow NAME:PERM]
                            pin these plugins' versions, checksums and
                            granted permissions in ./lector.lock

Exit codes: 0 success, 1 a spec failed or lector failed, 2 usage, 5 a
plugin or archive was refused.
]]

-- Budget for reading a manifest: enough for a table constructor, not for
-- real work. Top-level code that needs more is refused.
local MANIFEST_INSTRUCTIONS = 1000000
local MANIFEST_MEMORY = 16 * 1024 * 1024
local KEY_FILE_MAX = 4096

local NAME_PATTERN = "^[%a_][%w_%-]*$"

-- ---- places ---------------------------------------------------------------

local function xdg(var, fallback)
  local value = os.getenv(var)
  if value and value ~= "" then return value end
  local home = os.getenv "HOME"
  if home and home ~= "" then return home .. "/" .. fallback end
  return nil
end

function share.plugins_root()
  local data = xdg("XDG_DATA_HOME", ".local/share")
  return data and data .. "/lector/plugins" or nil
end

function share.trusted_dir()
  local config = xdg("XDG_CONFIG_HOME", ".config")
  return config and config .. "/lector/trusted-keys" or nil
end

local function write_file(path, text)
  local f, err = io.open(path, "wb")
  if not f then return nil, err end
  local ok, write_err = f:write(text)
  f:close()
  if not ok then return nil, write_err end
  return true
end

local function basename(path)
  return path:match "([^/]+)/*$" or path
end

local function unique_suffix()
  return string.format("%d-%d", os.time(), math.random(1, 1 << 30))
end

-- ---- versions ----------------------------------------------------------------

-- The versions of NAME installed under root, lowest first.
local function installed_versions(root, name)
  local list = core.listdir(root .. "/" .. name)
  local versions = {}
  for _, item in ipairs(list or {}) do
    if item.kind == "dir" and semver.parse(item.name) then
      versions[#versions + 1] = item.name
    end
  end
  table.sort(versions, function(x, y)
    return semver.compare(semver.parse(x), semver.parse(y)) < 0
  end)
  return versions
end

-- ---- reading a manifest as data ------------------------------------------------

-- The one place that reads a plugin's manifest: its plugin.lua's returned
-- table, as plain data from the plugin's sandbox, checked like any
-- manifest lector loads. run is never called.
function share.read_manifest(dir)
  local file = dir .. "/plugin.lua"
  if core.kind(file) ~= "file" then return nil, dir .. ": no plugin.lua" end
  local state, err = core.sandbox {
    name = basename(dir), dir = dir, file = file, permissions = {},
    memory = MANIFEST_MEMORY, instructions = MANIFEST_INSTRUCTIONS,
  }
  if not state then return nil, err end
  local manifest, copy_err = state:manifest()
  state:close()
  if manifest == nil then return nil, copy_err end
  return plugins.validate(manifest, file)
end

-- ---- keys -------------------------------------------------------------------------

-- A key file is one line: "lector-ed25519-secret HEX" (64 bytes) or
-- "lector-ed25519-public HEX" (32 bytes).
local function read_key(path, want)
  local text, err = sources.read_small(path, KEY_FILE_MAX)
  if not text then return nil, err end
  local kind, hex = text:match "^lector%-ed25519%-(%a+)%s+(%x+)%s*$"
  local length = { secret = 128, public = 64 }
  if not kind or length[kind] ~= #hex then
    return nil, path .. ": not a lector key file"
  end
  if kind ~= want then
    return nil, string.format("%s: a %s key, but a %s key is needed%s", path, kind, want,
      want == "public" and " (trust the .pub file)" or "")
  end
  return hex:lower()
end

-- hex -> file for every trusted public key.
local function trusted_keys()
  local dir = share.trusted_dir()
  local keys = {}
  for _, item in ipairs(dir and core.listdir(dir) or {}) do
    if item.kind == "file" then
      local hex = read_key(dir .. "/" .. item.name, "public")
      if hex then keys[hex] = dir .. "/" .. item.name end
    end
  end
  return keys
end

-- ---- the commands ---------------------------------------------------------------

local SCAFFOLD_PLUGIN = [[
-- @NAME@: marks every run of capitalized words ("Bank", "New York") as a
-- span in the layer "capitalized".
return {
  name = "@NAME@",
  version = "0.1.0",
  kind = "extraction",
  description = "Marks every sequence of capitalized words",
  license = "MIT",
  author = "",
  requires = {},
  provides = { "capitalized" },
  options = {
    min_words = { type = "integer", default = 1, description = "shortest sequence to mark, in words" },
  },
  permissions = {},

  run = function(doc, opts, ctx)
    local min_words = opts.min_words or 1
    for sentence in doc:sentences() do
      local first, last, count = nil, nil, 0
      local function close_run()
        if first and count >= min_words then
          doc:add("capitalized", { start = first.start, stop = last.stop, label = "capitalized" })
        end
        first, last, count = nil, nil, 0
      end
      for token in sentence:tokens() do
        if token.kind == "word" and token.shape:match "^X" then
          first, last, count = first or token, token, count + 1
        else
          close_run()
        end
      end
      close_run()
    end
  end,
}
]]

local SCAFFOLD_SPEC = [[
-- Run with: lector plugin test @DIR@
local lector = require "lector"
local plugin = require "plugin"   -- the plugin's folder is on package.path

local function run(text, opts)
  local doc = assert(lector.doc(text))
  plugin.run(doc, opts or {}, { name = plugin.name, version = plugin.version, log = print })
  local found = {}
  for span in doc:spans "capitalized" do found[#found + 1] = span.text end
  return found
end

describe("@NAME@", function()
  it("marks each run of capitalized words", function()
    assert.same({ "Yesterday", "Bank", "England", "New York" },
      run "Yesterday the Bank of England wrote to New York.")
  end)

  it("honours min_words", function()
    assert.same({ "New York" }, run("Yesterday the Bank of England wrote to New York.",
      { min_words = 2 }))
  end)
end)
]]

local SCAFFOLD_README = [[
# @NAME@

A lector plugin: marks every sequence of capitalized words as a span in the
layer `capitalized`.

    lector plugin test @DIR@      # run the specs in spec/
    lector plugin pack @DIR@      # write @NAME@-0.1.0.lector
    lector plugin install @NAME@-0.1.0.lector

Options: `min_words` (integer, default 1), the shortest sequence to mark.
]]

local SCAFFOLD_ROCKSPEC = [[
rockspec_format = "3.0"
package = "@NAME@"
version = "0.1.0-1"
source = { url = "" }
description = {
  summary = "A lector plugin: marks sequences of capitalized words",
  license = "MIT",
}
dependencies = { "lua >= 5.4" }
build = {
  type = "builtin",
  modules = {},
  copy_directories = {},
  install = { lua = { ["lector-plugins.@NAME@.plugin"] = "plugin.lua" } },
}
]]

local function fill(template, name, dir)
  return (template:gsub("@NAME@", name):gsub("@DIR@", dir))
end

local function cmd_new(ctx, args)
  local name = args[1]
  if not name or #args > 1 then return ctx.usage "new wants one NAME" end
  if not basename(name):match(NAME_PATTERN) then
    return ctx.refuse("new: '" .. name .. "' is not a plugin name (letters, digits, '_' and '-')")
  end
  if core.kind(name) then return ctx.refuse("new: " .. name .. " already exists") end
  local plugin_name = basename(name)
  local ok, err = core.mkdirs(name .. "/spec")
  if not ok then return ctx.refuse(err) end
  local files = {
    ["plugin.lua"] = SCAFFOLD_PLUGIN,
    ["spec/" .. plugin_name .. "_spec.lua"] = SCAFFOLD_SPEC,
    ["README.md"] = SCAFFOLD_README,
    [plugin_name .. "-0.1.0-1.rockspec"] = SCAFFOLD_ROCKSPEC,
  }
  for rel, template in pairs(files) do
    local written, write_err = write_file(name .. "/" .. rel, fill(template, plugin_name, name))
    if not written then return ctx.refuse(write_err) end
  end
  io.stdout:write("created plugin ", plugin_name, " in ", name, "/\n",
    "next: lector plugin test ", name, "\n")
  return ctx.EXIT.ok
end

local function cmd_test(ctx, args)
  local dir = args[1]
  if not dir or #args > 1 then return ctx.usage "test wants one DIR" end
  if core.kind(dir .. "/spec") ~= "dir" then
    return ctx.refuse("test: " .. dir .. " has no spec/ folder")
  end
  _G.package.path = dir .. "/?.lua;" .. dir .. "/?/init.lua;" .. _G.package.path
  _G.arg = { [0] = "lector plugin test", "--pattern=_spec", dir .. "/spec" }
  -- busted ends the process with os.exit when a spec fails; catch that so
  -- lector closes down normally and the exit code is ours to give.
  local runner = require "busted.runner"
  local exit, exit_code = os.exit, nil
  local stop = {}
  os.exit = function(code)
    exit_code = code
    _G.error(stop, 0)
  end
  local ok, err = _G.pcall(runner, { standalone = false })
  os.exit = exit
  io.stdout:flush()
  if not ok and err ~= stop then
    ctx.say("test: ", tostring(err))
    return ctx.EXIT.failure
  end
  if exit_code ~= nil and exit_code ~= 0 and exit_code ~= true then return ctx.EXIT.failure end
  return ctx.EXIT.ok
end

local function cmd_pack(ctx, args, opts)
  local dir = args[1]
  if not dir or #args > 1 then return ctx.usage "pack wants one DIR" end
  local manifest, err = share.read_manifest(dir)
  if not manifest then return ctx.refuse(err) end
  local secret
  if opts.sign then
    secret, err = read_key(opts.sign, "secret")
    if not secret then return ctx.refuse(err) end
  end
  local out = (opts.output or ".") .. "/" .. manifest.name .. "-" .. manifest.version .. ".lector"
  local info
  info, err = core.pack(dir, out, secret)
  if not info then return ctx.refuse(err) end
  io.stdout:write(string.format("wrote %s (%d file%s, %d bytes%s)\n", out, #info.files,
    #info.files == 1 and "" or "s", info.total, info.signed and ", signed by key " .. info.key or ""))
  return ctx.EXIT.ok
end

-- Same files with the same checksums? (dotfiles are not compared)
local function same_content(installed_dir, files)
  local probe = installed_dir .. ".compare-" .. unique_suffix() .. ".lector"
  local info = core.pack(installed_dir, probe)
  os.remove(probe)
  if not info or #info.files ~= #files then return false end
  for i, f in ipairs(files) do
    local g = info.files[i]
    if g.path ~= f.path or g.sha256 ~= f.sha256 then return false end
  end
  return true
end

-- Move a verified, extracted plugin from stage to NAME/VERSION.
local function place(ctx, root, stage, info, expected, force)
  local manifest, err = share.read_manifest(stage)
  if not manifest then return ctx.refuse(err) end
  if expected and (manifest.name ~= expected.name or manifest.version ~= expected.version) then
    return ctx.refuse(string.format(
      "%s: the archive is named for %s %s but its manifest says %s %s", expected.file,
      expected.name, expected.version, manifest.name, manifest.version))
  end
  local dest = root .. "/" .. manifest.name .. "/" .. manifest.version
  local label = manifest.name .. " " .. manifest.version
  if core.kind(dest) then
    if same_content(dest, info.files) then
      io.stdout:write(label, " is already installed in ", dest, "\n")
      return ctx.EXIT.ok
    end
    if not force then
      return ctx.refuse(label .. " is already installed in " .. dest ..
        " with different content; use --force to replace it")
    end
    local old = dest .. ".old-" .. unique_suffix()
    local moved, move_err = os.rename(dest, old)
    if not moved then return ctx.refuse(move_err) end
    local placed, place_err = os.rename(stage, dest)
    if not placed then
      os.rename(old, dest)
      return ctx.refuse(place_err)
    end
    core.remove_tree(old)
  else
    local made, mkdir_err = core.mkdirs(root .. "/" .. manifest.name)
    if not made then return ctx.refuse(mkdir_err) end
    local placed, place_err = os.rename(stage, dest)
    if not placed then return ctx.refuse(place_err) end
  end
  io.stdout:write("installed ", label, " in ", dest, "\n")
  local others = {}
  for _, v in ipairs(installed_versions(root, manifest.name)) do
    if v ~= manifest.version then others[#others + 1] = v end
  end
  if #others > 0 then
    io.stdout:write("also installed: ", table.concat(others, ", "), "\n")
  end
  return ctx.EXIT.ok
end

-- NAME-VERSION.lector -> {name, version, file}
local function name_from_file(path)
  local file = basename(path)
  local name, version = file:match "^(.-)%-(%d+%.%d+%.%d+[%w%.%-%+]*)%.lector$"
  if not name or not name:match(NAME_PATTERN) then return nil end
  return { name = name, version = version, file = file }
end

-- Whether the verified archive's signer may be trusted: true, or nil and
-- the exit code (having said why).
local function check_signer(ctx, archive, info, local_folder)
  if info.signed then
    if not trusted_keys()[info.key] then
      return nil, ctx.refuse(string.format("%s is signed by key %s, which you do not trust; " ..
        "if you trust its author, run 'lector plugin trust KEYFILE' with their .pub file",
        archive, info.key))
    end
  elseif not local_folder then
    ctx.say("warning: ", archive, " is not signed; nothing vouches for its author")
  end
  return true
end

-- extract reads the archive once and installs exactly the bytes it
-- verified; the signer is judged on what extract verified, so a file
-- swapped after an earlier look cannot slip through.
local function install_archive(ctx, root, archive, expected, force, local_folder)
  local made, mkdir_err = core.mkdirs(root)
  if not made then return ctx.refuse(mkdir_err) end
  local stage = root .. "/.incoming-" .. unique_suffix()
  local info, err = core.extract(archive, stage)
  if not info then return ctx.refuse(err) end
  local trusted, code = check_signer(ctx, archive, info, local_folder)
  if trusted then code = place(ctx, root, stage, info, expected, force) end
  core.remove_tree(stage)
  return code
end

local function cmd_install(ctx, args, opts)
  local path = args[1]
  if not path or #args > 1 then return ctx.usage "install wants one PATH (a folder or an archive)" end
  local root = share.plugins_root()
  if not root then return ctx.refuse "install: neither XDG_DATA_HOME nor HOME is set" end
  local kind, err = core.kind(path)
  if not kind then return ctx.refuse(err) end
  if kind == "dir" then
    -- A folder goes through the same checks as an archive: pack, then install.
    local made, mkdir_err = core.mkdirs(root)
    if not made then return ctx.refuse(mkdir_err) end
    local archive = root .. "/.pack-" .. unique_suffix() .. ".lector"
    local packed, pack_err = core.pack(path, archive)
    if not packed then return ctx.refuse(pack_err) end
    local code = install_archive(ctx, root, archive, nil, opts.force, true)
    os.remove(archive)
    return code
  end
  local expected = name_from_file(path)
  if not expected then
    return ctx.refuse(path .. ": an archive's file name must be NAME-VERSION.lector")
  end
  return install_archive(ctx, root, path, expected, opts.force, false)
end

-- "NAME" or "NAME@VERSION", checked so that neither can leave the plugin
-- folder.
local function parse_target(text)
  local name, version = text:match "^([^@]+)@(.+)$"
  name = name or text
  if not name:match(NAME_PATTERN) then return nil end
  if version and not semver.parse(version) then return nil end
  return name, version
end

-- NAME or NAME@VERSION as installed: name, root, {version...} (every
-- installed version, or the one asked for), or nil and the exit code.
local function installed_target(ctx, target, command)
  local name, version = parse_target(target)
  if not name then return nil, ctx.usage("'" .. target .. "' is not NAME or NAME@VERSION") end
  local root = share.plugins_root()
  local versions = root and installed_versions(root, name) or {}
  if version then
    local found = false
    for _, v in ipairs(versions) do found = found or v == version end
    versions = found and { version } or {}
  end
  if #versions == 0 then return nil, ctx.refuse(command .. ": " .. target .. " is not installed") end
  return name, root, versions
end

local function cmd_remove(ctx, args)
  if #args ~= 1 then return ctx.usage "remove wants one NAME[@VERSION]" end
  local name, root, versions = installed_target(ctx, args[1], "remove")
  if not name then return root end
  for _, v in ipairs(versions) do
    local ok, err = core.remove_tree(root .. "/" .. name .. "/" .. v)
    if not ok then return ctx.refuse(err) end
    io.stdout:write("removed ", name, " ", v, "\n")
  end
  if #installed_versions(root, name) == 0 then os.remove(root .. "/" .. name) end
  return ctx.EXIT.ok
end

local function show_list(out, label, list)
  if type(list) ~= "table" or next(list) == nil then return end
  local items = {}
  for _, v in ipairs(list) do items[#items + 1] = tostring(v) end
  out:write(string.format("%-12s %s\n", label .. ":", table.concat(items, ", ")))
end

local function show_manifest(out, manifest, where)
  for _, field in ipairs { "name", "version", "kind", "description", "author", "license" } do
    if manifest[field] ~= nil then
      out:write(string.format("%-12s %s\n", field .. ":", tostring(manifest[field])))
    end
  end
  show_list(out, "requires", manifest.requires)
  show_list(out, "provides", manifest.provides)
  show_list(out, "permissions", manifest.permissions)
  if type(manifest.options) == "table" and next(manifest.options) then
    out:write "options:\n"
    local names = {}
    for k in pairs(manifest.options) do names[#names + 1] = tostring(k) end
    table.sort(names)
    for _, k in ipairs(names) do
      local o = manifest.options[k]
      if type(o) == "table" then
        out:write(string.format("  %s (%s, default %s): %s\n", k, tostring(o.type),
          tostring(o.default), tostring(o.description or "")))
      end
    end
  end
  out:write(string.format("%-12s %s\n", "location:", where))
end

local function cmd_info(ctx, args)
  if #args ~= 1 then return ctx.usage "info wants one NAME[@VERSION] or a plugin folder" end
  local dir
  if core.kind(args[1] .. "/plugin.lua") == "file" and args[1]:find "/" then
    dir = args[1]
  else
    local name, root, versions = installed_target(ctx, args[1], "info")
    if not name then return root end
    dir = root .. "/" .. name .. "/" .. versions[#versions]
  end
  local manifest, err = share.read_manifest(dir)
  if not manifest then return ctx.refuse(err) end
  show_manifest(io.stdout, manifest, dir)
  return ctx.EXIT.ok
end

local function cmd_trust(ctx, args)
  if #args ~= 1 then return ctx.usage "trust wants one KEYFILE (a .pub file)" end
  local hex, err = read_key(args[1], "public")
  if not hex then return ctx.refuse(err) end
  local dir = share.trusted_dir()
  if not dir then return ctx.refuse "trust: neither XDG_CONFIG_HOME nor HOME is set" end
  local ok, mkdir_err = core.mkdirs(dir)
  if not ok then return ctx.refuse(mkdir_err) end
  local path = dir .. "/" .. hex:sub(1, 16) .. ".pub"
  local written, write_err = write_file(path, "lector-ed25519-public " .. hex .. "\n")
  if not written then return ctx.refuse(write_err) end
  io.stdout:write("trusting key ", hex, " (", path, ")\n")
  return ctx.EXIT.ok
end

local function cmd_keygen(ctx, args)
  if #args ~= 1 then return ctx.usage "keygen wants one NAME" end
  local name = args[1]
  local secret_path, public_path = name .. ".key", name .. ".pub"
  if core.kind(secret_path) or core.kind(public_path) then
    return ctx.refuse("keygen: " .. secret_path .. " or " .. public_path .. " already exists")
  end
  local public, secret = core.keygen()
  local ok, err = core.write_private(secret_path, "lector-ed25519-secret " .. secret .. "\n")
  if not ok then return ctx.refuse(err) end
  ok, err = write_file(public_path, "lector-ed25519-public " .. public .. "\n")
  if not ok then return ctx.refuse(err) end
  io.stdout:write("wrote ", secret_path, " (keep it private) and ", public_path, "\n",
    "public key ", public, "\n")
  return ctx.EXIT.ok
end

local SUBCOMMANDS = {
  new = { run = cmd_new, spec = {} },
  test = { run = cmd_test, spec = {} },
  pack = { run = cmd_pack, spec = { sign = { value = true },
    output = { short = "o", value = true } } },
  install = { run = cmd_install, spec = { force = {} } },
  remove = { run = cmd_remove, spec = {} },
  info = { run = cmd_info, spec = {} },
  trust = { run = cmd_trust, spec = {} },
  keygen = { run = cmd_keygen, spec = {} },
  list = { run = catalog.list, spec = {} },
  lock = { run = catalog.lock, spec = { allow = { value = true, many = true } } },
}

-- args as given to lector (args[1] == "plugin"); cli: {EXIT, parse, say}.
function share.main(args, cli)
  local sub = args[2]
  if sub == nil or sub == "-h" or sub == "--help" then
    local out = sub and io.stdout or io.stderr
    out:write(share.HELP)
    return sub and cli.EXIT.ok or cli.EXIT.usage
  end
  local command = SUBCOMMANDS[sub]
  if not command then
    cli.say("plugin: unknown command '", sub, "' (see 'lector plugin --help')")
    return cli.EXIT.usage
  end
  local spec = { help = { short = "h" } }
  for k, v in pairs(command.spec) do spec[k] = v end
  local opts, positional = cli.parse(args, 3, spec, "plugin " .. sub, share.HELP)
  if not opts then return positional end
  local ctx = {
    EXIT = cli.EXIT,
    say = cli.say,
    usage = function(message)
      cli.say("plugin ", sub, ": ", message, " (see 'lector plugin --help')")
      return cli.EXIT.usage
    end,
    refuse = function(message)
      cli.say(message)
      return cli.EXIT.plugin
    end,
  }
  return command.run(ctx, positional, opts)
end

return share
