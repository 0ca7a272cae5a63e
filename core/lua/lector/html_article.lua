-- The visual report of one article: its text with entities, quotes,
-- summary sentences and sentence sentiment marked, a sentiment arc, the
-- tables of what the passes found, and which plugin runs produced it.
-- One self-contained HTML page (lector.html); the corpus page is in
-- lector.html_corpus.
local html = require "lector.html"

local ipairs, math, next, pairs, string, table, tonumber, tostring, type =
  ipairs, math, next, pairs, string, table, tonumber, tostring, type
local _ENV = nil

local article = {}

local esc, attr, num, shorten = html.text, html.attr, html.num, html.shorten

-- Nesting order of the marks drawn over the text: a mark of a smaller rank
-- encloses marks of larger ranks; where two overlap without nesting, the
-- inner one is closed and opened again around the outer one's edge.
local RANK_PARAGRAPH, RANK_SENTENCE, RANK_QUOTE, RANK_ENTITY = 1, 2, 3, 4

-- Entity types shown in the legend, most frequent first, each with its CSS
-- class ("t1", "t2", ...): labels come from plugins, so they never become
-- class names themselves.
local function entity_types(doc)
  local counts, order = {}, {}
  for span in doc:spans "entity" do
    local label = span.label or "?"
    if not counts[label] then
      counts[label] = 0
      order[#order + 1] = label
    end
    counts[label] = counts[label] + 1
  end
  table.sort(order, function(a, b)
    if counts[a] ~= counts[b] then return counts[a] > counts[b] end
    return a < b
  end)
  local types = { list = {}, class = {} }
  for i, label in ipairs(order) do
    types.list[i] = { label = label, count = counts[label], class = "t" .. i, colour = html.type_colour(label) }
    types.class[label] = "t" .. i
  end
  return types
end

-- Sentence start offset -> sentiment span, from the sentiment layer.
local function sentence_sentiment(doc)
  local by_start = {}
  for span in doc:spans "sentiment" do
    if type(span.score) == "number" then by_start[span.start] = span.score end
  end
  return by_start
end

local function summary_set(doc)
  local set, summary = {}, doc:get "summary"
  if type(summary) == "table" and type(summary.sentences) == "table" then
    for _, index in ipairs(summary.sentences) do
      if math.tointeger(index) then set[index] = true end
    end
  end
  return set
end

local function signed(x)
  if type(x) ~= "number" then return "" end
  return (string.format("%+.2f", x):gsub("^%-", "−"))
end

-- ---- the marked text ---------------------------------------------------------------

local function add_mark(marks, len, start, stop, rank, open, close, reopen)
  if type(start) ~= "number" or type(stop) ~= "number" then return end
  start, stop = math.max(start, 0), math.min(stop, len)
  if stop <= start then return end
  marks[#marks + 1] = { start = start, stop = stop, rank = rank, open = open, close = close,
    reopen = reopen or open }
end

local function quote_title(span)
  local a = span.attrs
  local speaker = type(a.speaker) == "string" and a.speaker or "unattributed"
  local kind = span.label and (span.label .. " quote") or "quote"
  return "Speaker: " .. speaker .. " (" .. kind .. (type(a.cue) == "string" and ", cue: " .. a.cue or "") .. ")"
end

local function collect_marks(doc, types, tone, summary)
  local marks, len = {}, doc.len
  for p in doc:paragraphs() do
    add_mark(marks, len, p.start, p.stop, RANK_PARAGRAPH, '<div class="para">', "</div>")
  end
  local S = doc:sentence_columns { "index", "start", "stop" }
  for i = 1, S.n do
    local index, score = S.index[i], tone[S.start[i]]
    local bar = string.format('<span class="bar" style="background:%s" title="sentiment %s"></span>',
      html.sentiment_colour(score), score and signed(score) or "none")
    local cls = summary[index] and "s sum" or "s"
    local open = string.format('<div class="%s" id="s%d"><a class="sn" href="#s%d">%d</a>%s<span class="st">',
      cls, index, index, index, bar)
    local reopen = string.format('<div class="%s cont"><span class="sn"></span>%s<span class="st">', cls, bar)
    add_mark(marks, len, S.start[i], S.stop[i], RANK_SENTENCE, open, "</span></div>", reopen)
  end
  for span in doc:spans "quote" do
    local a = span.attrs
    add_mark(marks, len, span.start, span.stop, RANK_QUOTE,
      string.format('<span class="quote" title="%s" data-speaker="%s">', attr(quote_title(span)),
        attr(type(a.speaker) == "string" and a.speaker or "")), "</span>")
  end
  for span in doc:spans "entity" do
    local a = span.attrs
    local label = span.label or "?"
    local name = type(a.canonical) == "string" and a.canonical or span.text
    add_mark(marks, len, span.start, span.stop, RANK_ENTITY,
      string.format('<mark class="e %s" data-e="%s" title="%s">', types.class[label],
        attr(type(a.id) == "string" and a.id or name), attr(label .. " · " .. name)), "</mark>")
  end
  table.sort(marks, function(a, b)
    if a.start ~= b.start then return a.start < b.start end
    if a.rank ~= b.rank then return a.rank < b.rank end
    return a.stop > b.stop
  end)
  return marks
end

-- The document's text as HTML with the marks drawn over it. Marks are
-- opened in order; the stack of open marks is kept in rank order, so
-- blocks (paragraphs, sentences) never open inside inline marks.
local function marked_text(doc, marks)
  local text, out, stack = doc.text, {}, {}
  local pos, i, len = 0, 1, #doc.text
  local function emit_text(stop)
    if stop > pos then out[#out + 1] = esc(text:sub(pos + 1, stop)) end
    pos = stop
  end
  -- close the marks above index k (last first), run f, open them again
  local function around(k, f)
    local above = {}
    for j = #stack, k + 1, -1 do
      out[#out + 1] = stack[j].close
      above[#above + 1] = stack[j]
      stack[j] = nil
    end
    f()
    for j = #above, 1, -1 do
      out[#out + 1] = above[j].reopen
      stack[#stack + 1] = above[j]
    end
  end
  while true do
    local next_stop, at = math.huge, nil
    for j = #stack, 1, -1 do
      if stack[j].stop < next_stop then next_stop, at = stack[j].stop, j end
    end
    local next_start = marks[i] and marks[i].start or math.huge
    local target = math.min(next_stop, next_start, len)
    emit_text(target)
    if at and next_stop <= pos then
      -- the topmost mark ending here closes first, so fewer marks are split
      for j = #stack, 1, -1 do
        if stack[j].stop <= pos then
          at = j
          break
        end
      end
      local closing = stack[at]
      around(at, function()
        out[#out + 1] = closing.close
        stack[at] = nil
      end)
    elseif marks[i] and next_start <= pos then
      local m = marks[i]
      i = i + 1
      local k = #stack
      while k > 0 and stack[k].rank > m.rank do k = k - 1 end
      around(k, function()
        out[#out + 1] = m.open
        stack[#stack + 1] = m
      end)
    elseif pos >= len then
      break
    end
  end
  for j = #stack, 1, -1 do out[#out + 1] = stack[j].close end
  return table.concat(out)
end

-- ---- the sentiment arc -------------------------------------------------------------

local ARC_WIDTH, ARC_HEIGHT, ARC_LEFT, ARC_RIGHT, ARC_TOP, ARC_BOTTOM = 960, 240, 44, 20, 34, 26
-- Circles are drawn for each sentence only up to this many sentences.
local ARC_DOTS = 400

local function arc_svg(doc, tone)
  local points = {}
  for s in doc:sentences() do
    local score = tone[s.start]
    if score then points[#points + 1] = { index = s.index, score = score, start = s.start } end
  end
  if #points == 0 then return '<p class="note">No sentence sentiment (the sentiment pass did not run).</p>\n' end
  local w, h = ARC_WIDTH - ARC_LEFT - ARC_RIGHT, ARC_HEIGHT - ARC_TOP - ARC_BOTTOM
  local last = math.max(points[#points].index, 2)
  local function x(index) return ARC_LEFT + (index - 1) / (last - 1) * w end
  local function y(score) return ARC_TOP + (1 - math.max(-1, math.min(1, score))) / 2 * h end
  local out = { string.format('<svg class="arc" viewBox="0 0 %d %d" width="100%%" role="img" '
    .. 'aria-label="sentence sentiment across the article">', ARC_WIDTH, ARC_HEIGHT) }
  out[#out + 1] = string.format('<rect x="%d" y="%d" width="%d" height="%d" fill="#fafafa" stroke="#e3e3e8"/>',
    ARC_LEFT, ARC_TOP, w, h)
  for _, level in ipairs { 1, 0.5, 0, -0.5, -1 } do
    out[#out + 1] = string.format('<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="%s"/>'
      .. '<text x="%d" y="%s" text-anchor="end">%s</text>', ARC_LEFT, ARC_LEFT + w, num(y(level)),
      num(y(level)), level == 0 and "#999" or "#eee", ARC_LEFT - 6, num(y(level) + 4), signed(level))
  end
  out[#out + 1] = string.format('<text x="%d" y="%d">sentence 1</text><text x="%d" y="%d" text-anchor="end">%d</text>',
    ARC_LEFT, ARC_TOP + h + 12, ARC_LEFT + w, ARC_TOP + h + 12, last)
  local coords = {}
  for i, p in ipairs(points) do coords[i] = num(x(p.index)) .. "," .. num(y(p.score)) end
  out[#out + 1] = '<polyline fill="none" stroke="#555" stroke-width="1.3" points="'
    .. table.concat(coords, " ") .. '"/>'
  local low, high = points[1], points[1]
  for _, p in ipairs(points) do
    if p.score < low.score then low = p end
    if p.score > high.score then high = p end
  end
  if #points <= ARC_DOTS then
    for _, p in ipairs(points) do
      out[#out + 1] = string.format('<a href="#s%d"><circle cx="%s" cy="%s" r="3" fill="%s"><title>%d: %s</title></circle></a>',
        p.index, num(x(p.index)), num(y(p.score)), html.sentiment_colour(p.score), p.index, signed(p.score))
    end
  end
  local function label(p, what, above)
    local sx, sy = x(p.index), y(p.score)
    local anchor = sx < ARC_LEFT + w * 0.25 and "start" or sx > ARC_LEFT + w * 0.75 and "end" or "middle"
    local text = string.format("%s: sentence %d (%s) «%s»", what, p.index, signed(p.score),
      shorten(doc:slice(p.start, doc:sentence(p.index).stop), 48))
    -- the most negative label goes below its point, under the axis labels when it is low
    local ty = above and math.max(sy - 10, 12) or (sy + 18 > ARC_TOP + h and ARC_HEIGHT - 2 or sy + 18)
    return string.format('<a href="#s%d" class="extreme"><circle cx="%s" cy="%s" r="5" fill="%s" stroke="#000"/>'
      .. '<text x="%s" y="%s" text-anchor="%s" font-weight="600">%s</text></a>', p.index, num(sx), num(sy),
      html.sentiment_colour(p.score), num(sx), num(ty), anchor, esc(text))
  end
  if high.score > 0 then out[#out + 1] = label(high, "most positive", true) end
  if low.score < 0 then out[#out + 1] = label(low, "most negative", false) end
  out[#out + 1] = "</svg>\n"
  return table.concat(out)
end

-- ---- tables ----------------------------------------------------------------------------

local function entity_rows(doc, types)
  local tone = {}
  local sentiment = doc:get "sentiment"
  if type(sentiment) == "table" and type(sentiment.entities) == "table" then
    for _, row in ipairs(sentiment.entities) do
      if type(row) == "table" then
        tone[tostring(row.id or "") .. "\0" .. tostring(row.name)] = row
        tone["\0" .. tostring(row.name) .. "\0" .. tostring(row.label)] = row
      end
    end
  end
  local entities = {}
  local listed = doc:get "entities"
  if type(listed) == "table" and #listed > 0 then
    for _, e in ipairs(listed) do
      if type(e) == "table" then
        entities[#entities + 1] = { name = tostring(e.name), label = tostring(e.label or "?"),
          mentions = tonumber(e.mentions) or 0, id = e.id,
          aliases = type(e.aliases) == "table" and e.aliases or {} }
      end
    end
  else
    -- no entity list stored: count the spans under their canonical names
    local by_key = {}
    for span in doc:spans "entity" do
      local name = type(span.attrs.canonical) == "string" and span.attrs.canonical or span.text
      local key = name .. "\0" .. (span.label or "?")
      if not by_key[key] then
        by_key[key] = { name = name, label = span.label or "?", mentions = 0, aliases = {} }
        entities[#entities + 1] = by_key[key]
      end
      by_key[key].mentions = by_key[key].mentions + 1
    end
  end
  table.sort(entities, function(a, b)
    if a.mentions ~= b.mentions then return a.mentions > b.mentions end
    return a.name < b.name
  end)
  local rows = {}
  for _, e in ipairs(entities) do
    local t = tone[tostring(e.id or "") .. "\0" .. e.name] or tone["\0" .. e.name .. "\0" .. e.label]
    local aliases = {}
    for _, alias in ipairs(e.aliases) do aliases[#aliases + 1] = esc(alias) end
    local feeling = t and type(t.compound) == "number"
      and string.format('<span class="swatch" style="background:%s"></span>%s <span class="muted">(%s+ %s− %s·)</span>',
        html.sentiment_colour(t.compound), signed(t.compound), html.count(t.positive), html.count(t.negative),
        html.count(t.neutral))
      or '<span class="muted">–</span>'
    rows[#rows + 1] = {
      esc(e.name) .. (#aliases > 0 and ' <span class="muted">(' .. table.concat(aliases, ", ") .. ")</span>" or ""),
      string.format('<span class="swatch %s"></span>%s', types.class[e.label] or "", esc(e.label)),
      html.count(e.mentions), feeling,
    }
  end
  return rows
end

-- The index of the sentence holding byte offset `at` (binary search over
-- the sentences' ends), or nil past the last one.
local function sentence_at(S, at)
  local lo, hi = 1, S.n
  while lo < hi do
    local mid = (lo + hi) // 2
    if S.stop[mid] > at then hi = mid else lo = mid + 1 end
  end
  if S.n > 0 and S.stop[lo] > at then return S.index[lo] end
  return nil
end

local function quote_rows(doc)
  local rows = {}
  local S = doc:sentence_columns { "index", "stop" }
  for span in doc:spans "quote" do
    local a = span.attrs
    local sentence = sentence_at(S, span.start)
    rows[#rows + 1] = {
      type(a.speaker) == "string" and esc(a.speaker) or '<span class="muted">unattributed</span>',
      esc(span.label or ""), esc(span.text),
      sentence and string.format('<a href="#s%d">%d</a>', sentence, sentence) or "",
    }
  end
  return rows
end

local function keyphrase_rows(doc)
  local rows, list = {}, doc:get "keyphrases"
  if type(list) ~= "table" then return rows end
  for _, k in ipairs(list) do
    if type(k) == "table" and k.phrase ~= nil then
      rows[#rows + 1] = { esc(k.phrase), type(k.score) == "number" and string.format("%.3f", k.score) or "",
        k.count and esc(k.count) or "" }
    end
  end
  return rows
end

local STRUCTURE_FIELDS = { "headline", "standfirst", "byline", "caption", "credit", "alt" }

local function structure_rows(doc)
  local rows, s = {}, doc:get "structure"
  if type(s) ~= "table" then return rows end
  for _, field in ipairs(STRUCTURE_FIELDS) do
    if type(s[field]) == "string" then rows[#rows + 1] = { esc(field), esc(s[field]) } end
  end
  local d = s.dateline
  if type(d) == "table" then
    local parts = {}
    for _, field in ipairs { "place", "date", "source" } do
      if type(d[field]) == "string" then parts[#parts + 1] = esc(d[field]) end
    end
    local iso = type(d.iso) == "string" and " (" .. esc(d.iso) .. ")" or ""
    table.insert(rows, math.min(2, #rows + 1), { "dateline", table.concat(parts, " · ") .. iso })
  end
  local e = s.editor
  if type(e) == "table" and type(e.name) == "string" then
    rows[#rows + 1] = { "editor", esc(e.name) .. (type(e.place) == "string" and " (" .. esc(e.place) .. ")" or "") }
  end
  return rows
end

-- What each run produced: "entity 145 spans; values entities".
local function produced_cell(p)
  local parts = {}
  local layers = {}
  for layer in pairs(p.spans or {}) do layers[#layers + 1] = layer end
  table.sort(layers)
  for _, layer in ipairs(layers) do
    parts[#parts + 1] = string.format("%s: %d span%s", esc(layer), p.spans[layer], p.spans[layer] == 1 and "" or "s")
  end
  if p.values and #p.values > 0 then
    local keys = {}
    for i, key in ipairs(p.values) do keys[i] = esc(key) end
    parts[#parts + 1] = "values: " .. table.concat(keys, ", ")
  end
  return #parts > 0 and table.concat(parts, "; ") or '<span class="muted">–</span>'
end

local function provenance_rows(provenance)
  local rows = {}
  for _, p in ipairs(provenance or {}) do
    rows[#rows + 1] = {
      esc(p.plugin), esc(p.version or ""),
      p.options and p.options ~= "{}" and "<code>" .. esc(p.options) .. "</code>" or '<span class="muted">defaults</span>',
      esc(p.status or "") .. (p.error and ' <span class="muted">' .. esc(shorten(p.error, 200)) .. "</span>" or ""),
      esc(p.when or ""), produced_cell(p),
    }
  end
  return rows
end

-- ---- the page ----------------------------------------------------------------------------

local ARTICLE_CSS = [[
.legend{display:flex;flex-wrap:wrap;gap:6px 14px;font-size:13px;margin:6px 0 10px;position:sticky;top:0;background:#fff;padding:6px 0;border-bottom:1px solid var(--line);z-index:2}
.legend label,.legend span.item{cursor:default;white-space:nowrap}
.legend input{margin:0 4px 0 0;vertical-align:-2px}
.text{max-width:880px}
.para{margin:0 0 12px}
.s{display:grid;grid-template-columns:2.6em 5px 1fr;column-gap:8px;align-items:stretch}
.s .sn{color:#aaa;font-size:11px;text-align:right;padding-top:3px;text-decoration:none}
.s .bar{border-radius:2px;min-height:1em}
.s.sum .st{background:linear-gradient(transparent 60%,#fff3a8 60%)}
.s.sum .sn::after{content:" ★";color:#c9a400}
mark.e{border-radius:3px;padding:0 1px;color:inherit}
.quote{border-bottom:2px dotted #7a5cc0;background:rgba(122,92,192,.06)}
.quote:hover{background:rgba(122,92,192,.18)}
.quote::before{content:"❝";color:#7a5cc0;font-size:11px;vertical-align:super}
mark.e.hl{outline:2px solid #333}
.marks{font-size:13px;color:var(--muted);margin:4px 0}
.summary{background:#fffbe0;border:1px solid #f0e2a0;border-radius:4px;padding:8px 12px;max-width:880px}
.tables{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:0 30px}
svg.arc{max-width:960px;display:block}
svg .extreme text{paint-order:stroke;stroke:#fff;stroke-width:3px}
]]

-- Toggles (a checkbox per entity type in the legend) and the hover that
-- outlines every mention of the entity under the pointer. The page reads
-- the same without them.
local ARTICLE_SCRIPT = [[
var text=document.getElementById("text");
var items=document.querySelectorAll(".legend [data-type]");
for(var i=0;i<items.length;i++){(function(item){
  var cls=item.getAttribute("data-type");
  var box=document.createElement("input");box.type="checkbox";box.checked=true;
  box.setAttribute("aria-label","show "+item.textContent.trim());
  box.addEventListener("change",function(){text.classList.toggle("off-"+cls,!box.checked);});
  var label=document.createElement("label");item.parentNode.replaceChild(label,item);
  label.appendChild(box);label.appendChild(item);
})(items[i]);}
var lit=[];
text.addEventListener("mouseover",function(ev){
  var m=ev.target.closest?ev.target.closest("mark.e"):null;
  for(var j=0;j<lit.length;j++)lit[j].classList.remove("hl");lit=[];
  if(!m)return;var id=m.getAttribute("data-e");
  var all=text.querySelectorAll("mark.e");
  for(var k=0;k<all.length;k++)if(all[k].getAttribute("data-e")===id){all[k].classList.add("hl");lit.push(all[k]);}
});
]]

local function type_css(types)
  local out = {}
  for _, t in ipairs(types.list) do
    out[#out + 1] = string.format("mark.e.%s,.swatch.%s{background:%s}\n.off-%s mark.e.%s{background:none;outline:none}\n",
      t.class, t.class, t.colour, t.class, t.class)
  end
  return table.concat(out)
end

local function legend(types, quotes, summary_count)
  local out = { '<div class="legend" id="legend"><strong>Entities:</strong>' }
  for _, t in ipairs(types.list) do
    out[#out + 1] = string.format('<span class="item" data-type="%s"><span class="swatch %s"></span>%s <span class="muted">%d</span></span>',
      t.class, t.class, esc(t.label), t.count)
  end
  if #types.list == 0 then out[#out + 1] = '<span class="muted">none</span>' end
  out[#out + 1] = string.format('<span class="item"><span class="quote">quote</span> <span class="muted">%d, speaker on hover</span></span>', quotes)
  out[#out + 1] = string.format('<span class="item">★ summary sentence <span class="muted">%d</span></span>', summary_count)
  out[#out + 1] = string.format('<span class="item"><span class="swatch" style="background:%s"></span>negative'
    .. ' <span class="swatch" style="background:%s"></span>neutral <span class="swatch" style="background:%s"></span>positive sentence</span>',
    html.sentiment_colour(-0.8), html.sentiment_colour(0), html.sentiment_colour(0.8))
  out[#out + 1] = "</div>\n"
  return table.concat(out)
end

local function section(id, title, body)
  return string.format('<h2 id="%s">%s</h2>\n%s', id, esc(title), body)
end

local function table_or_note(headers, rows, note)
  if #rows == 0 then return '<p class="note">' .. esc(note) .. "</p>\n" end
  return html.table(headers, rows)
end

-- The article page. info (optional): provenance = list of {plugin,
-- version, options, status, error, when, spans = {layer = n}, values =
-- {...}}; back = {href, text} a link to show above the title; generator.
function article.page(doc, info)
  info = info or {}
  local types = entity_types(doc)
  local tone = sentence_sentiment(doc)
  local summary = summary_set(doc)
  local summary_count = 0
  for _ in pairs(summary) do summary_count = summary_count + 1 end
  local quotes = 0
  for _ in doc:spans "quote" do quotes = quotes + 1 end
  local stats = doc:stats()
  local title = html.name_of(doc.title, doc.id)
  local body = {}
  body[#body + 1] = '<header class="top">'
  if info.back then
    body[#body + 1] = string.format('<div class="meta"><a href="%s">%s</a></div>', attr(info.back.href), esc(info.back.text))
  end
  body[#body + 1] = "<h1>" .. esc(title) .. "</h1>"
  body[#body + 1] = string.format('<div class="meta">id <code>%s</code>%s · %d bytes · %d paragraphs · %d sentences · %d tokens</div>',
    esc(doc.id), doc.source ~= doc.id and " · source " .. esc(doc.source) or "", stats.bytes, stats.paragraphs,
    stats.sentences, stats.tokens)
  local v = doc:get "sentiment"
  if type(v) == "table" and type(v.compound) == "number" then
    body[#body + 1] = string.format('<div class="meta">tone <span class="swatch" style="background:%s"></span>%s · %s positive, %s negative, %s neutral sentences</div>',
      html.sentiment_colour(v.compound), signed(v.compound), html.count(v.positive), html.count(v.negative),
      html.count(v.neutral))
  end
  body[#body + 1] = '<nav class="toc"><a href="#article">Text</a><a href="#arc">Sentiment arc</a><a href="#entities">Entities</a>'
    .. '<a href="#quotes">Quotes</a><a href="#keyphrases">Key phrases</a><a href="#structure">Structure</a>'
    .. '<a href="#provenance">Plugins</a></nav></header>\n<main>\n'
  local s = doc:get "summary"
  if type(s) == "table" and type(s.text) == "string" and s.text ~= "" then
    body[#body + 1] = section("summary", "Summary", string.format('<div class="summary">%s <span class="muted">(%s)</span></div>\n',
      esc(s.text), esc(s.method or "")))
  end
  body[#body + 1] = section("arc", "Sentiment arc", arc_svg(doc, tone))
  body[#body + 1] = section("article", "Text", legend(types, quotes, summary_count)
    .. '<div class="text" id="text">' .. marked_text(doc, collect_marks(doc, types, tone, summary)) .. "</div>\n")
  body[#body + 1] = '<div class="tables">'
  body[#body + 1] = "<div>" .. section("entities", "Entities", table_or_note(
    { { "name" }, { "type" }, { "mentions", numeric = true }, { "sentiment toward it" } },
    entity_rows(doc, types), "No entities (the entities pass did not run).")) .. "</div>"
  body[#body + 1] = "<div>" .. section("quotes", "Quotes", table_or_note(
    { { "speaker" }, { "kind" }, { "text" }, { "sentence", numeric = true } },
    quote_rows(doc), "No quotes found.")) .. "</div>"
  body[#body + 1] = "<div>" .. section("keyphrases", "Key phrases", table_or_note(
    { { "phrase" }, { "score", numeric = true }, { "count", numeric = true } },
    keyphrase_rows(doc), "No key phrases (the keyphrases pass did not run).")) .. "</div>"
  body[#body + 1] = "<div>" .. section("structure", "Structure", table_or_note({ { "field" }, { "value" } },
    structure_rows(doc), "No structure found (headline, dateline, byline).")) .. "</div>"
  body[#body + 1] = "</div>\n"
  body[#body + 1] = section("provenance", "Plugins", table_or_note(
    { { "plugin" }, { "version" }, { "options" }, { "status" }, { "when (UTC)" }, { "produced" } },
    provenance_rows(info.provenance), "No pass recorded for this document."))
  if #doc.errors > 0 then
    local items = {}
    for i, err in ipairs(doc.errors) do items[i] = "<li><pre>" .. esc(err) .. "</pre></li>" end
    body[#body + 1] = section("errors", "Errors", "<ul>" .. table.concat(items) .. "</ul>\n")
  end
  body[#body + 1] = "</main>"
  return html.page { title = title, css = ARTICLE_CSS .. type_css(types), body = table.concat(body),
    script = ARTICLE_SCRIPT, generator = info.generator }
end

-- ---- where the results came from -----------------------------------------------------

-- Spans per layer and value keys, by run id.
local function by_run(doc, db, stored_id)
  local spans, values = {}, {}
  for span in doc:spans() do
    local run = span.run_id
    if run and run ~= 0 then
      spans[run] = spans[run] or {}
      spans[run][span.layer] = (spans[run][span.layer] or 0) + 1
    end
  end
  for _, row in ipairs(db:query("select key, run_id from doc_values where doc_id = ? and run_id is not null order by key",
    stored_id)) do
    values[row.run_id] = values[row.run_id] or {}
    local list = values[row.run_id]
    list[#list + 1] = row.key
  end
  return spans, values
end

-- The passes recorded for a stored document, in the order they finished.
function article.stored_provenance(db, doc, stored_id)
  local spans, values = by_run(doc, db, stored_id)
  local rows = db:query([[
    select p.plugin, p.version, p.options, p.status, p.error, p.run_id, p.finished_at, r.started_at
    from passes p left join runs r on r.id = p.run_id where p.doc_id = ? order by p.finished_at, p.plugin]],
    stored_id)
  local list = {}
  for _, r in ipairs(rows) do
    list[#list + 1] = { plugin = r.plugin, version = r.version, options = r.options, status = r.status,
      error = type(r.error) == "string" and r.error or nil, when = r.finished_at,
      spans = spans[r.run_id], values = values[r.run_id] }
  end
  return list
end

-- The passes a pipeline just ran on an unstored document. Results are
-- assigned by the layers and values each manifest says it provides.
function article.run_provenance(chosen, run_report, doc, when)
  local list, statuses = {}, {}
  for _, pass in ipairs(run_report and run_report.passes or {}) do statuses[pass.name] = pass end
  for _, pass in ipairs(chosen.passes) do
    local provides = pass.manifest and pass.manifest.provides
    local spans, values = {}, {}
    if type(provides) == "table" then
      for _, name in ipairs(provides) do
        local n = 0
        for _ in doc:spans(name) do n = n + 1 end
        if n > 0 then spans[name] = n end
        if doc:get(name) ~= nil then values[#values + 1] = name end
      end
    end
    local st = statuses[pass.name] or {}
    list[#list + 1] = { plugin = pass.name, version = pass.version, options = pass.options_json,
      status = st.status, error = st.error, when = when, spans = next(spans) and spans or nil,
      values = values }
  end
  return list
end

return article
