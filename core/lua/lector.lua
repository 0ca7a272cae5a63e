-- The `lector` module: what scripts, the CLI and (later) plugins see.
-- Documents, sentences, tokens, spans and stores are C objects from
-- lector.core; this module adds the loaders written in Lua.
local core = require "lector.core"
local sources = require "lector.sources"
local cjson = require "cjson"

local _ENV = nil

local lector = {
  version = core.version,
  doc = core.doc,
  load = core.load,
  open = core.open,
  read = sources.read,
  default_db = sources.default_db,
}

-- A private JSON codec for scripts, so that lector's own settings and the
-- shared `cjson` module do not step on each other.
lector.json = cjson.new()

return lector
