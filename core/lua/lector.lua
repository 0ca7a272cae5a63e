-- The `lector` module: what scripts, the CLI and (later) plugins see.
-- Documents, sentences, tokens, spans and stores are C objects from
-- lector.core; this module adds the loaders written in Lua.
local core = require "lector.core"
local sources = require "lector.sources"

local _ENV = nil

local lector = {
  version = core.version,
  doc = core.doc,
  load = core.load,
  open = core.open,
  read = sources.read,
  default_db = sources.default_db,
  json = core.json,
}

return lector
