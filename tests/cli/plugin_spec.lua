-- `lector plugin ...`: the sharing round trip, signatures and trust, and one
-- named test per malicious archive (T10) and for reading manifests (T11).
local H = dofile(os.getenv "LECTOR_SOURCE_DIR" .. "/tests/helper.lua")

local PLUGINS = assert(os.getenv "XDG_DATA_HOME") .. "/lector/plugins"
local TRUSTED = assert(os.getenv "XDG_CONFIG_HOME") .. "/lector/trusted-keys"
local EXIT_PLUGIN = 5

local function sh(command)
  local ok, _, code = os.execute(command)
  assert(ok, command .. " failed with " .. tostring(code))
end

local function exists(path)
  return os.execute("test -e " .. H.quote(path)) == true
end

local function plugin_source(name, version, extra)
  return string.format([[
%s
return {
  name = %q, version = %q, kind = "extraction", description = "test plugin",
  license = "MIT", author = "tests", requires = {}, provides = {"mark"}, options = {},
  permissions = {},
  run = function(doc) doc:add("mark", {start = 0, stop = 1}) end,
}
]], extra or "", name, version)
end

-- A folder holding a plugin; files maps relative paths to contents.
local function make_folder(files)
  local dir = H.tmpdir() .. "/src"
  sh("mkdir -p " .. H.quote(dir))
  for path, content in pairs(files) do
    local parent = (dir .. "/" .. path):match "^(.*)/"
    sh("mkdir -p " .. H.quote(parent))
    H.write(dir .. "/" .. path, content)
  end
  return dir
end

-- Write MANIFEST.sha256 in dir listing `listed` (paths relative to dir).
local function write_manifest(dir, listed)
  local words = {}
  for i, path in ipairs(listed) do words[i] = H.quote(path) end
  sh(string.format("cd %s && sha256sum %s | LC_ALL=C sort -k2 > MANIFEST.sha256",
    H.quote(dir), table.concat(words, " ")))
end

-- tar + gzip the members (in this order) of dir into out, with extra GNU tar
-- flags; returns out.
local function tar(dir, out, members, flags)
  local words = {}
  for i, path in ipairs(members) do words[i] = H.quote(path) end
  sh(string.format("tar %s -cf %s.tar -C %s %s && gzip -n -c %s.tar > %s", flags or "",
    H.quote(out), H.quote(dir), table.concat(words, " "), H.quote(out), H.quote(out)))
  return out
end

-- A malicious archive for plugin `name`: the folder's files, a manifest over
-- `listed` (default: every file), members in order; returns its path.
local function craft(name, files, opts)
  opts = opts or {}
  files["plugin.lua"] = files["plugin.lua"] or plugin_source(name, "1.0.0")
  local dir = make_folder(files)
  if opts.prepare then opts.prepare(dir) end
  local paths = {}
  for path in pairs(files) do paths[#paths + 1] = path end
  table.sort(paths)
  write_manifest(dir, opts.listed or paths)
  if opts.after_manifest then opts.after_manifest(dir) end
  local members = { "MANIFEST.sha256" }
  for _, path in ipairs(opts.members or paths) do members[#members + 1] = path end
  return tar(dir, H.tmpdir() .. "/" .. name .. "-1.0.0.lector", members, opts.flags)
end

local function refused(archive, pattern)
  local r = H.lector { "plugin", "install", archive }
  assert.equal(EXIT_PLUGIN, r.code, r.err)
  assert.matches(pattern, r.err, 1, true)
  assert.equal("", r.out)
  local name = archive:match "([^/]+)%-1%.0%.0%.lector$"
  assert.is_false(exists(PLUGINS .. "/" .. name), "something was installed")
  -- no half-extracted folder is left behind
  local left = io.popen("ls -A " .. H.quote(PLUGINS) .. " 2>/dev/null"):read "a"
  assert.is_nil(left:find ".incoming", 1, true)
  return r
end

describe("lector plugin", function()
  it("new, test, pack, install, info, remove: the round trip", function()
    local work = H.tmpdir()
    local r = H.lector({ "plugin", "new", "caps" }, { cwd = work })
    assert.equal(0, r.code, r.err)
    for _, file in ipairs { "plugin.lua", "spec/caps_spec.lua", "README.md", "caps-0.1.0-1.rockspec" } do
      assert.is_true(exists(work .. "/caps/" .. file), file)
    end
    r = H.lector({ "plugin", "test", "caps" }, { cwd = work })
    assert.equal(0, r.code, r.out .. r.err)
    assert.matches("2 successes / 0 failures / 0 errors", r.out, 1, true)

    r = H.lector({ "plugin", "pack", "caps" }, { cwd = work })
    assert.equal(0, r.code, r.err)
    assert.matches("wrote ./caps-0.1.0.lector (4 files", r.out, 1, true)
    local listing = io.popen("tar tzf " .. H.quote(work .. "/caps-0.1.0.lector")):read "a"
    assert.equal("MANIFEST.sha256\nREADME.md\ncaps-0.1.0-1.rockspec\nplugin.lua\nspec/caps_spec.lua\n",
      listing)

    r = H.lector({ "plugin", "install", "caps-0.1.0.lector" }, { cwd = work })
    assert.equal(0, r.code, r.err)
    assert.matches("warning: caps-0.1.0.lector is not signed", r.err, 1, true)
    assert.equal(H.read(work .. "/caps/plugin.lua"), H.read(PLUGINS .. "/caps/0.1.0/plugin.lua"))

    r = H.lector { "plugin", "info", "caps" }
    assert.equal(0, r.code, r.err)
    assert.matches("name:        caps\nversion:     0.1.0\nkind:        extraction\n", r.out, 1, true)
    assert.matches("min_words (integer, default 1)", r.out, 1, true)

    -- the installed copy still works: its own specs pass there, and it runs
    -- as a pass, found in the user's plugin folder
    r = H.lector { "plugin", "test", PLUGINS .. "/caps/0.1.0" }
    assert.equal(0, r.code, r.out .. r.err)
    r = H.lector { "plugin", "list" }
    assert.matches("%* caps +0%.1%.0 +extraction +user +" .. PLUGINS:gsub("%p", "%%%0") .. "/caps/0%.1%.0", r.out)
    r = H.lector { "analyze", "--no-store", "--format", "jsonl", "--plugins", "caps", H.article }
    assert.equal(0, r.code, r.err)
    local doc = require("cjson").decode(r.out)
    assert.equal("Russia Reiterates Support", doc.spans.capitalized[1].text)

    r = H.lector { "plugin", "remove", "caps@0.1.0" }
    assert.equal(0, r.code, r.err)
    assert.is_false(exists(PLUGINS .. "/caps"))
    assert.equal(EXIT_PLUGIN, H.lector({ "plugin", "info", "caps" }).code)
  end)

  it("plugin test fails when a spec fails", function()
    local work = H.tmpdir()
    assert.equal(0, H.lector({ "plugin", "new", "broken" }, { cwd = work }).code)
    local spec = work .. "/broken/spec/broken_spec.lua"
    H.write(spec, H.read(spec):gsub('"New York" }, run', '"Boston" }, run'))
    local r = H.lector({ "plugin", "test", "broken" }, { cwd = work })
    assert.not_equal(0, r.code)
    assert.matches("1 success / 1 failure", r.out, 1, true)
  end)

  it("installs versions side by side and never replaces one silently", function()
    local dir = make_folder { ["plugin.lua"] = plugin_source("sides", "1.0.0") }
    assert.equal(0, H.lector({ "plugin", "install", dir }).code)
    H.write(dir .. "/plugin.lua", plugin_source("sides", "1.1.0"))
    local r = H.lector { "plugin", "install", dir }
    assert.equal(0, r.code, r.err)
    assert.matches("also installed: 1.0.0", r.out, 1, true)
    assert.is_true(exists(PLUGINS .. "/sides/1.0.0/plugin.lua"))
    -- same version, different content: refused, then replaced with --force
    H.write(dir .. "/plugin.lua", plugin_source("sides", "1.1.0", "-- changed"))
    r = H.lector { "plugin", "install", dir }
    assert.equal(EXIT_PLUGIN, r.code)
    assert.matches("sides 1.1.0 is already installed in", r.err, 1, true)
    assert.matches("use --force", r.err, 1, true)
    assert.equal(0, H.lector({ "plugin", "install", "--force", dir }).code)
    assert.matches("-- changed", H.read(PLUGINS .. "/sides/1.1.0/plugin.lua"), 1, true)
    assert.is_true(exists(PLUGINS .. "/sides/1.0.0/plugin.lua"))
    assert.equal(0, H.lector({ "plugin", "remove", "sides" }).code)
    assert.is_false(exists(PLUGINS .. "/sides"))
  end)

  it("refuses a remove target that could leave the plugin folder", function()
    assert.equal(2, H.lector({ "plugin", "remove", "../x" }).code)
    assert.equal(2, H.lector({ "plugin", "remove", "x@../../y" }).code)
  end)

  describe("signatures", function()
    local work, archive

    before_each(function()
      work = H.tmpdir()
      assert.equal(0, H.lector({ "plugin", "keygen", "alice" }, { cwd = work }).code)
      local dir = make_folder { ["plugin.lua"] = plugin_source("signed", "1.0.0"),
        ["data/lexicon.txt"] = "alpha\nbeta\n" }
      local r = H.lector { "plugin", "pack", dir, "--sign", work .. "/alice.key", "-o", work }
      assert.equal(0, r.code, r.err)
      assert.matches("signed by key", r.out, 1, true)
      archive = work .. "/signed-1.0.0.lector"
    end)

    after_each(function()
      os.execute("rm -rf " .. H.quote(TRUSTED) .. " " .. H.quote(PLUGINS .. "/signed"))
    end)

    it("writes a private secret key", function()
      local mode = io.popen("stat -c %a " .. H.quote(work .. "/alice.key")):read "l"
      assert.equal("600", mode)
      assert.matches("^lector%-ed25519%-public %x+\n$", H.read(work .. "/alice.pub"))
    end)

    it("installs an archive signed by a trusted key, without a warning", function()
      assert.equal(0, H.lector({ "plugin", "trust", work .. "/alice.pub" }).code)
      local r = H.lector { "plugin", "install", archive }
      assert.equal(0, r.code, r.err)
      assert.equal("", r.err)
      assert.equal("alpha\nbeta\n", H.read(PLUGINS .. "/signed/1.0.0/data/lexicon.txt"))
    end)

    it("refuses an archive signed by a key nobody trusts", function()
      local r = refused(archive, "which you do not trust")
      assert.matches("lector plugin trust", r.err, 1, true)
    end)

    it("refuses to trust a secret key", function()
      local r = H.lector { "plugin", "trust", work .. "/alice.key" }
      assert.equal(EXIT_PLUGIN, r.code)
      assert.matches("a secret key, but a public key is needed", r.err, 1, true)
    end)

    it("refuses a bad signature, even when the key is trusted", function()
      assert.equal(0, H.lector({ "plugin", "trust", work .. "/alice.pub" }).code)
      -- change a data file and fix its checksum: only the signature can tell
      local dir = H.tmpdir()
      sh(string.format("tar xzf %s -C %s", H.quote(archive), H.quote(dir)))
      H.write(dir .. "/data/lexicon.txt", "alpha\nevil\n")
      write_manifest(dir, { "data/lexicon.txt", "plugin.lua" })
      local tampered = tar(dir, H.tmpdir() .. "/signed-1.0.0.lector",
        { "MANIFEST.sha256", "SIGNATURE", "data/lexicon.txt", "plugin.lua" })
      refused(tampered, "bad signature: SIGNATURE does not match MANIFEST.sha256")
    end)
  end)

  describe("malicious archives", function()
    it("T10 absolute path", function()
      local target = H.tmpdir() .. "/evil.txt"
      local archive = craft("abs", { ["evil.txt"] = "x" }, {
        flags = "-P --transform " .. H.quote("s,^evil.txt," .. target .. ","),
      })
      refused(archive, "member '" .. target .. "': absolute path")
      assert.is_false(exists(target))
    end)

    it("T10 dot-dot", function()
      local archive = craft("dotdot", { ["evil.txt"] = "x" }, {
        flags = "-P --transform " .. H.quote("s,^evil.txt,../../evil.txt,"),
      })
      refused(archive, "member '../../evil.txt': '..' in path")
    end)

    it("T10 backslash", function()
      local archive = craft("backslash", { ["evil.txt"] = "x" }, {
        flags = "--transform " .. H.quote("s,^evil.txt,..\\\\evil.txt,"),
      })
      refused(archive, "backslash in name")
    end)

    it("T10 symlink", function()
      local archive = craft("symlink", {}, {
        prepare = function(dir) sh("ln -s /etc/passwd " .. H.quote(dir .. "/link")) end,
        members = { "link", "plugin.lua" }, listed = { "plugin.lua" },
      })
      refused(archive, "member 'link': symbolic link")
    end)

    it("T10 device", function()
      -- A character device needs root to make; a named pipe does not and
      -- takes the same path through the checks.
      local made_device = false
      local archive = craft("device", {}, {
        prepare = function(dir)
          made_device = os.execute("mknod " .. H.quote(dir .. "/dev") .. " c 1 3 2>/dev/null") == true
          if not made_device then sh("mkfifo " .. H.quote(dir .. "/dev")) end
        end,
        members = { "dev", "plugin.lua" }, listed = { "plugin.lua" },
      })
      refused(archive, made_device and "member 'dev': device file" or "member 'dev': named pipe")
    end)

    it("T10 hard link", function()
      local archive = craft("hardlink", { ["a.txt"] = "x" }, {
        prepare = function(dir) sh("ln " .. H.quote(dir .. "/a.txt") .. " " .. H.quote(dir .. "/b.txt")) end,
        members = { "a.txt", "b.txt", "plugin.lua" }, listed = { "a.txt", "plugin.lua" },
      })
      refused(archive, "member 'b.txt': hard link")
    end)

    it("T10 duplicate name", function()
      local archive = craft("dup", {}, {
        members = { "plugin.lua", "plugin.lua" },
        flags = "--hard-dereference",  -- else GNU tar stores the second copy as a link
      })
      refused(archive, "member 'plugin.lua': duplicate name")
    end)

    it("T10 case collision", function()
      local archive = craft("case", { ["Plugin.lua"] = "return {}" })
      refused(archive, "members 'Plugin.lua' and 'plugin.lua': names differ only in case")
    end)

    it("T10 oversized member", function()
      local archive = craft("big", {}, {
        prepare = function(dir) sh("head -c 17M /dev/zero > " .. H.quote(dir .. "/big.bin")) end,
        members = { "big.bin", "plugin.lua" }, listed = { "plugin.lua" },
      })
      refused(archive, "member 'big.bin': over the size limit of 16777216 bytes")
    end)

    it("T10 compression bomb", function()
      local archive = craft("bomb", {}, {
        prepare = function(dir) sh("head -c 8M /dev/zero > " .. H.quote(dir .. "/zeros.txt")) end,
        members = { "plugin.lua", "zeros.txt" }, listed = { "plugin.lua" },
      })
      refused(archive, "member 'zeros.txt': the archive unpacks to over 100 times its size")
    end)

    it("T10 bytecode", function()
      local archive = craft("bytecode", { ["helper.lua"] = "\27LuaT\0\25\147\r\n\26\n" })
      refused(archive, "member 'helper.lua': Lua bytecode")
    end)

    it("T10 checksum mismatch", function()
      local archive = craft("mismatch", { ["data.txt"] = "original\n" }, {
        after_manifest = function(dir) H.write(dir .. "/data.txt", "changed\n") end,
      })
      refused(archive, "member 'data.txt': checksum does not match MANIFEST.sha256")
    end)

    it("T10 unlisted member", function()
      local archive = craft("unlisted", { ["extra.lua"] = "return 1" }, {
        listed = { "plugin.lua" },
      })
      refused(archive, "member 'extra.lua' is not listed in MANIFEST.sha256")
    end)

    it("T10 listed file missing", function()
      local archive = craft("missing", { ["gone.txt"] = "x" }, {
        members = { "plugin.lua" },
      })
      refused(archive, "member 'gone.txt' is listed in MANIFEST.sha256 but missing")
    end)

    it("T10 no manifest", function()
      local dir = make_folder { ["plugin.lua"] = plugin_source("bare", "1.0.0") }
      local archive = tar(dir, H.tmpdir() .. "/bare-1.0.0.lector", { "plugin.lua" })
      refused(archive, "no MANIFEST.sha256 member")
    end)

    it("T10 name disagrees with manifest", function()
      local dir = make_folder { ["plugin.lua"] = plugin_source("honest", "1.0.0") }
      local out = H.tmpdir()
      assert.equal(0, H.lector({ "plugin", "pack", dir, "-o", out }).code)
      sh(string.format("mv %s/honest-1.0.0.lector %s/liar-1.0.0.lector", H.quote(out), H.quote(out)))
      refused(out .. "/liar-1.0.0.lector",
        "the archive is named for liar 1.0.0 but its manifest says honest 1.0.0")
      assert.is_false(exists(PLUGINS .. "/honest"))
    end)

    it("T10 not an archive", function()
      local path = H.write(H.tmpdir() .. "/junk-1.0.0.lector", "just some text\n")
      refused(path, "junk-1.0.0.lector:")
    end)
  end)

  describe("reading manifests", function()
    it("T11 list does not run code: info reads the manifest without calling run", function()
      local marker = H.tmpdir() .. "/ran"
      local dir = make_folder { ["plugin.lua"] = plugin_source("quiet", "1.0.0", string.format([[
local f = io and io.open(%q, "w")
if f then f:write("top level") f:close() end
local ok = os and os.execute and os.execute("touch %s")
]], marker, marker)):gsub('run = function%(doc%)',
        string.format('run = function(doc) local f = io.open(%q, "w") f:write("run") f:close()', marker)) }
      local r = H.lector { "plugin", "info", dir }
      assert.equal(0, r.code, r.err)
      assert.matches("name:        quiet", r.out, 1, true)
      assert.is_false(exists(marker))
      assert.equal(0, H.lector({ "plugin", "install", dir }).code)
      r = H.lector { "plugin", "info", "quiet" }
      assert.equal(0, r.code, r.err)
      assert.matches("version:     1.0.0", r.out, 1, true)
      assert.is_false(exists(marker))
      assert.equal(0, H.lector({ "plugin", "remove", "quiet" }).code)
    end)

    it("T11 a looping top level is stopped by the budget", function()
      local dir = make_folder { ["plugin.lua"] = "while true do end\n" .. plugin_source("loop", "1.0.0") }
      local r = H.lector { "plugin", "info", dir }
      assert.equal(EXIT_PLUGIN, r.code)
      assert.matches("instruction limit exceeded", r.err, 1, true)
      r = H.lector { "plugin", "pack", dir, "-o", H.tmpdir() }
      assert.equal(EXIT_PLUGIN, r.code)
      assert.matches("instruction limit exceeded", r.err, 1, true)
    end)
  end)
end)
