-- The `lector` module: what scripts, the CLI and (later) plugins see.
-- Documents, sentences, tokens, spans and stores are C objects from
-- lector.core; this module adds the loaders written in Lua.
local core = require "lector.core"
local sources = require "lector.sources"
local pipeline = require "lector.pipeline"

local error, ipairs, require, setmetatable, type = error, ipairs, require, setmetatable, type
local _ENV = nil

local lector = {
  version = core.version,
  doc = core.doc,
  load = core.load,
  open = core.open,
  read = sources.read,
  default_db = sources.default_db,
  json = core.json,
  lexicon = core.lexicon,
  matcher = core.matcher,
  valence = core.valence,
  names = core.names,
  stemmer = core.stemmer,
  stemmer_languages = core.stemmer_languages,
  graph = core.graph,
  phrases = core.phrases,
}

-- lector.pipeline{"entities", {"summary", options = {sentences = 3}},
--   options = {entities = {min_count = 2}}, allow = {gazetteer = {read = true}},
--   limits = {memory = bytes, instructions = count}}
-- -> Pipeline (p:run(doc) -> report; p:close()) | nil, message
function lector.pipeline(spec)
  if type(spec) ~= "table" then
    error("bad argument #1 to 'pipeline' (table expected, got " .. type(spec) .. ")", 2)
  end
  local passes = {}
  for i, entry in ipairs(spec) do passes[i] = entry end
  return pipeline.build {
    passes = passes, options = spec.options, allow = spec.allow, limits = spec.limits,
    lock = spec.lock,
  }
end

-- lector.run(doc, spec) -> report | nil, message: build the pipeline spec
-- describes, run it on doc, close it.
function lector.run(doc, spec)
  local p, err = lector.pipeline(spec)
  if not p then return nil, err end
  local report, run_err = p:run(doc)
  p:close()
  return report, run_err
end

-- lector.patterns, lector.explain, lector.pretty and lector.report are
-- loaded on first use: a script not using them pays nothing for them.
setmetatable(lector, { __index = function(_, key)
  if key == "patterns" then return require "lector.patterns" end
  -- lector.explain(doc, sentence [, layer]): the explanation a pass stored
  if key == "explain" then return require("lector.explain").sentence end
  -- lector.pretty(value [, opts]) -> string: the REPL's printer
  if key == "pretty" then return require("lector.pretty").format end
  -- lector.report(doc_or_db, path [, opts]): the visual HTML report
  if key == "report" then return require("lector.html_report").write end
end })

return lector
