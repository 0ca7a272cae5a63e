-- `lector explain sentiment TEXT`: run the sentiment pass with its
-- explanations on and print, sentence by sentence, every word's
-- contribution and the rules that fired. Also lector.explain(doc,
-- sentence [, layer]): the explanation a pass stored on a sentence.
local lector = require "lector"

local io, ipairs, math, string, table, tostring, type, utf8 =
  io, ipairs, math, string, table, tostring, type, utf8
local _ENV = nil

local explain = {}

explain.HELP = [[
Usage: lector explain sentiment [OPTIONS] TEXT...

Score TEXT (the arguments joined by spaces; '-' reads standard input) with
the sentiment pass and show how each sentence's score came about: every
lexicon word or expression found, its valence, its contribution after the
rules, the rules that changed it (booster, negation, capitals, scare
quotes, contrast, concession), and the rules applied to the whole sentence
(exclamation marks, the sum and its squashing into the compound score).

Options:
  -p, --plugins LIST      the passes to run (default: sentiment; list
                          entities first to see the per-entity table)
  -o NAME.OPTION=VALUE    set a plugin option (repeatable)
      --allow NAME:PERM   grant a plugin a permission (repeatable)
  -f, --format FORMAT     text (default) or json (the sentences with their
                          stored explanations)
  -h, --help              show this help

Exit codes: 0 explained, 2 usage, 3 the text was refused, 5 the plugins
were refused or failed.
]]

local SPEC = {
  plugins = { short = "p", value = true },
  option = { short = "o", value = true, many = true },
  allow = { value = true, many = true },
  format = { short = "f", value = true },
  help = { short = "h" },
}

local TOPICS = { sentiment = true }

-- The explanation stored on the span of `layer` (default "sentiment") that
-- covers exactly the sentence; nil when the pass did not store one.
function explain.sentence(doc, sentence, layer)
  if type(sentence) == "number" then sentence = doc:sentence(sentence) end
  if not sentence then return nil end
  local start, stop = sentence.start, sentence.stop
  for span in doc:spans(layer or "sentiment") do
    if span.start == start and span.stop == stop then
      local e = span.attrs.explain
      if e then return e end
    elseif span.start > start then
      break
    end
  end
  return nil
end

local function num(x)
  if type(x) ~= "number" then return "" end
  return string.format("%+.2f", x)
end

local function width(s)
  return utf8.len(s) or #s
end

local function pad(s, n)
  return s .. string.rep(" ", math.max(n - width(s), 0))
end

local function write_sentence(out, doc, s, span)
  out[#out + 1] = string.format("sentence %d: %s", s.index, (s.text:gsub("%s+", " ")))
  local a = span.attrs
  out[#out + 1] = string.format("  compound %+.3f (%s); positive %.2f, negative %.2f, neutral %.2f",
    span.score or 0, span.label or "?", a.pos or 0, a.neg or 0, a.neu or 0)
  local e = a.explain
  if not e then
    out[#out + 1] = "  (no explanation stored: was the pass run with explain = true?)"
    return
  end
  local words = e.words or {}
  if #words > 0 then
    local w = 4
    for _, word in ipairs(words) do w = math.max(w, width(word.text or "")) end
    out[#out + 1] = "  " .. pad("word", w) .. "  valence  after rules  rules"
    for _, word in ipairs(words) do
      out[#out + 1] = string.format("  %s  %7s  %11s  %s", pad(word.text or "", w), num(word.valence),
        num(word.after_rules), table.concat(word.rules or {}, "; "))
    end
  else
    out[#out + 1] = "  no lexicon word found"
  end
  for _, rule in ipairs(e.rules or {}) do out[#out + 1] = "  " .. rule end
end

local function write_document(doc)
  local out = {}
  local spans = {}
  for span in doc:spans "sentiment" do spans[#spans + 1] = span end
  local k = 1
  for s in doc:sentences() do
    while spans[k] and spans[k].start < s.start do k = k + 1 end
    local span = spans[k]
    if span and span.start == s.start and span.stop == s.stop then
      if #out > 0 then out[#out + 1] = "" end
      write_sentence(out, doc, s, span)
    end
  end
  local v = doc:get "sentiment"
  if type(v) == "table" and type(v.compound) == "number" then
    out[#out + 1] = ""
    out[#out + 1] = string.format("document: compound %+.3f; %d positive, %d negative, %d neutral "
      .. "sentences (token-weighted mean of the sentences)", v.compound, v.positive or 0,
      v.negative or 0, v.neutral or 0)
    for _, row in ipairs(type(v.entities) == "table" and v.entities or {}) do
      out[#out + 1] = string.format("  %-30s %-8s %+.3f  %d mention%s, %d clause%s", row.name,
        row.label or "", row.compound or 0, row.mentions or 0, row.mentions == 1 and "" or "s",
        row.clauses or 0, row.clauses == 1 and "" or "s")
    end
  end
  io.stdout:write(table.concat(out, "\n"), "\n")
end

local function json_document(doc)
  local sentences = {}
  for s in doc:sentences() do
    local e = explain.sentence(doc, s)
    sentences[#sentences + 1] = { index = s.index, text = s.text, explain = e }
  end
  io.stdout:write(lector.json.encode { sentences = sentences, sentiment = doc:get "sentiment" }, "\n")
end

-- args: the whole command line ({"explain", TOPIC, ...}); ctx: EXIT, say,
-- parse, choose_pipeline.
function explain.main(args, ctx)
  local topic = args[2]
  if topic == nil or topic == "-h" or topic == "--help" then
    io.stdout:write(explain.HELP)
    return topic and ctx.EXIT.ok or ctx.EXIT.usage
  end
  if not TOPICS[topic] then
    ctx.say("explain: unknown score '", topic, "' (only 'sentiment'; see 'lector explain --help')")
    return ctx.EXIT.usage
  end
  local opts, words = ctx.parse(args, 3, SPEC, "explain", explain.HELP)
  if not opts then return words end
  local format = opts.format or "text"
  if format ~= "text" and format ~= "json" then
    ctx.say("explain: unknown format '", format, "' (text or json)")
    return ctx.EXIT.usage
  end
  if #words == 0 then
    ctx.say "explain: no text given (see 'lector explain --help')"
    return ctx.EXIT.usage
  end
  local text
  if #words == 1 and words[1] == "-" then
    text = io.stdin:read "a"
  else
    text = table.concat(words, " ")
  end
  local doc, err = lector.doc(text, { id = "explain" })
  if not doc then
    ctx.say("explain: ", err)
    return ctx.EXIT.input
  end
  opts.plugins = opts.plugins or "sentiment"
  local options = { "sentiment.explain=true" }
  for _, o in ipairs(opts.option or {}) do options[#options + 1] = o end
  opts.option = options
  local chosen, pipe_err = ctx.choose_pipeline(opts)
  if not chosen then
    ctx.say("explain: ", pipe_err or "no passes to run")
    return ctx.EXIT.plugin
  end
  local report, run_err = chosen:run(doc)
  chosen:close()
  if not report then
    ctx.say("explain: ", run_err)
    return ctx.EXIT.plugin
  end
  for _, pass in ipairs(report.passes) do
    if pass.status == "failed" then
      ctx.say("explain: ", pass.error or ("pass " .. tostring(pass.name) .. " failed"))
      return ctx.EXIT.plugin
    end
  end
  if format == "json" then json_document(doc) else write_document(doc) end
  return ctx.EXIT.ok
end

return explain
