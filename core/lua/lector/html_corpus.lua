-- The visual report of a stored corpus: the top entities of each type,
-- sentiment toward the top entities over time, an entity co-occurrence
-- network, and the list of documents linking to their article pages.
-- Everything is read with a few aggregate queries (the stored results of
-- the entities, sentiment and structure passes), so a corpus of tens of
-- thousands of documents is never loaded document by document for it.
local html = require "lector.html"
local thousands = require("lector.report").thousands

local ipairs, math, os, pairs, pcall, string, table, tonumber, tostring, type =
  ipairs, math, os, pairs, pcall, string, table, tonumber, tostring, type
local _ENV = nil

local corpus = {}

local esc, attr, num, shorten = html.text, html.attr, html.num, html.shorten

-- Types that do not name things, left out of the network and of the
-- sentiment chart: dates and numbers.
local NUMERIC_TYPES = { "CARDINAL", "DATE", "MONEY", "ORDINAL", "PERCENT", "QUANTITY", "TIME" }

local NAMES_PER_TYPE = 10     -- rows per type in the top entities
local TYPES_SHOWN = 8         -- types with a table of their own
local NETWORK_NODES = 30      -- entities in the co-occurrence network
local NETWORK_EDGES = 80      -- strongest links drawn
local TREND_ENTITIES = 5      -- lines in the sentiment chart

local function signed(x)
  if type(x) ~= "number" then return "" end
  return (string.format("%+.2f", x):gsub("^%-", "−"))
end

-- A date (YYYY-MM-DD) from a value that starts with one, else nil.
local function day_of(value)
  if type(value) ~= "string" then return nil end
  local d = value:match "^(%d%d%d%d%-%d%d%-%d%d)"
  return d
end

-- Percent-encoding for a relative link made from a file name.
local function href_path(path)
  return (path:gsub("[^%w%-%._~/]", function(c) return string.format("%%%02X", c:byte()) end))
end
corpus.href_path = href_path

-- ---- reading the store -----------------------------------------------------------------

local ENTITY_ROWS = [[
  select v.doc_id as doc_id, json_extract(e.value, '$.name') as name,
         json_extract(e.value, '$.label') as label, json_extract(e.value, '$.mentions') as mentions
  from doc_values v, json_each(v.value) e where v.key = 'entities' and e.type = 'object']]

-- Every document with its date (as the document_dates view gives it, the
-- one `lector search --since` reads), its tone and its sentence count, in
-- the order stored.
local function documents(db)
  local docs, by_id = {}, {}
  for _, r in ipairs(db:query [[
      select d.rowid as n, d.id as id, d.title as title,
             json_array_length(d.sentences) as sentences, t.date as date
      from documents d left join document_dates t on t.doc_id = d.id order by d.rowid]]) do
    local d = { n = r.n, id = r.id, title = r.title, sentences = r.sentences, date = day_of(r.date) }
    docs[#docs + 1] = d
    by_id[d.id] = d
  end
  for _, r in ipairs(db:query [[
      select doc_id, json_extract(value, '$.compound') as compound from doc_values where key = 'sentiment']]) do
    local d = by_id[r.doc_id]
    if d then d.tone = tonumber(r.compound) end
  end
  return docs, by_id
end

-- The most mentioned names of each type, with the documents they are in.
local function top_by_type(db)
  local types, by_label = {}, {}
  for _, r in ipairs(db:query([[
      select label, name, docs, mentions, total, names from (
        select label, name, docs, mentions,
               row_number() over (partition by label order by mentions desc, docs desc, name) as r,
               sum(mentions) over (partition by label) as total,
               count(*) over (partition by label) as names
        from (select label, name, count(distinct doc_id) as docs, sum(mentions) as mentions
              from (]] .. ENTITY_ROWS .. [[) group by label, name))
      where r <= ? order by total desc, label, r]], NAMES_PER_TYPE)) do
    local label = tostring(r.label or "?")
    local t = by_label[label]
    if not t then
      t = { label = label, total = r.total, names = r.names, rows = {} }
      by_label[label] = t
      types[#types + 1] = t
    end
    t.rows[#t.rows + 1] = { name = tostring(r.name), docs = r.docs, mentions = r.mentions }
  end
  return types
end

-- The names in the most documents, leaving out dates and numbers.
local function placeholders(n)
  local marks = {}
  for i = 1, n do marks[i] = "?" end
  return table.concat(marks, ",")
end

local function top_names(db, limit)
  local list = {}
  local args = { table.unpack(NUMERIC_TYPES) }
  args[#args + 1] = limit
  for _, r in ipairs(db:query([[
      select label, name, count(distinct doc_id) as docs, sum(mentions) as mentions from (]] .. ENTITY_ROWS .. [[)
      where label is not null and name is not null and label not in (]] .. placeholders(#NUMERIC_TYPES) .. [[)
      group by label, name order by docs desc, mentions desc, name limit ?]], table.unpack(args))) do
    list[#list + 1] = { label = r.label, name = r.name, docs = r.docs, mentions = r.mentions,
      key = r.name .. "\0" .. r.label }
  end
  return list
end

local function names_of(list)
  local names, seen = {}, {}
  for _, e in ipairs(list) do
    if not seen[e.name] then
      seen[e.name] = true
      names[#names + 1] = e.name
    end
  end
  return names
end

-- Links between the top names: how many documents mention both.
local function cooccurrence(db, nodes)
  if #nodes < 2 then return {} end
  local index = {}
  for i, e in ipairs(nodes) do index[e.key] = i end
  local names = names_of(nodes)
  local in_doc = {}
  for _, r in ipairs(db:query(ENTITY_ROWS .. " and json_extract(e.value, '$.name') in (" .. placeholders(#names)
      .. ") order by v.doc_id", table.unpack(names))) do
    local i = index[tostring(r.name) .. "\0" .. tostring(r.label)]
    if i then
      local list = in_doc[r.doc_id]
      if not list then
        list = {}
        in_doc[r.doc_id] = list
      end
      list[#list + 1] = i
    end
  end
  local weights = {}
  for _, list in pairs(in_doc) do
    table.sort(list)
    for a = 1, #list do
      for b = a + 1, #list do
        if list[a] ~= list[b] then
          local key = list[a] * 1000 + list[b]
          weights[key] = (weights[key] or 0) + 1
        end
      end
    end
  end
  local edges = {}
  for key, w in pairs(weights) do edges[#edges + 1] = { a = key // 1000, b = key % 1000, weight = w } end
  table.sort(edges, function(x, y)
    if x.weight ~= y.weight then return x.weight > y.weight end
    if x.a ~= y.a then return x.a < y.a end
    return x.b < y.b
  end)
  for i = #edges, NETWORK_EDGES + 1, -1 do edges[i] = nil end
  return edges
end

-- A date (YYYY-MM-DD, or YYYY-MM for the middle of the month) as a day
-- number, for placing periods along a time axis.
local function days(date)
  local y, m, dd = date:match "^(%d+)-(%d+)-?(%d*)"
  y, m, dd = tonumber(y), tonumber(m), tonumber(dd) or 15
  local ok, t = pcall(os.time, { year = y, month = m, day = dd, hour = 12 })
  if ok and t then return t // 86400 end
  return y * 372 + m * 31 + dd   -- a date os.time cannot represent: still in order
end

-- Mean sentiment toward each of the names per period (a day, or a month
-- when the dates span more than three months), weighted by mentions.
local function trends(db, names, by_id)
  if #names == 0 then return nil end
  local wanted = {}
  for _, e in ipairs(names) do wanted[e.key] = e end
  local points, periods, first, last = {}, {}, nil, nil
  local distinct = names_of(names)
  local rows = db:query([[
      select v.doc_id as doc_id, json_extract(e.value, '$.name') as name, json_extract(e.value, '$.label') as label,
             json_extract(e.value, '$.compound') as compound, json_extract(e.value, '$.mentions') as mentions
      from doc_values v, json_each(v.value, '$.entities') e
      where v.key = 'sentiment' and e.type = 'object' and json_extract(e.value, '$.name') in (]] .. placeholders(#distinct) .. ")",
    table.unpack(distinct))
  for _, r in ipairs(rows) do
    local d = by_id[r.doc_id]
    if d and d.date and wanted[tostring(r.name) .. "\0" .. tostring(r.label)] and tonumber(r.compound) then
      if not first or d.date < first then first = d.date end
      if not last or d.date > last then last = d.date end
    end
  end
  if not first then return { dated = false } end
  local monthly = days(last) - days(first) > 93
  for _, r in ipairs(rows) do
    local d = by_id[r.doc_id]
    local e = wanted[tostring(r.name) .. "\0" .. tostring(r.label)]
    local c = tonumber(r.compound)
    if d and d.date and e and c then
      local period = monthly and d.date:sub(1, 7) or d.date
      if not periods[period] then
        periods[period] = true
        periods[#periods + 1] = period
      end
      local w = math.max(tonumber(r.mentions) or 1, 1)
      local p = points[e.key] or {}
      points[e.key] = p
      local cell = p[period] or { sum = 0, weight = 0, docs = 0 }
      p[period] = cell
      cell.sum, cell.weight, cell.docs = cell.sum + c * w, cell.weight + w, cell.docs + 1
    end
  end
  table.sort(periods)
  return { dated = true, periods = periods, points = points, monthly = monthly }
end

-- ---- drawing --------------------------------------------------------------------------------

local function type_tables(types)
  if #types == 0 then return '<p class="note">No entities stored (run the entities pass).</p>\n' end
  local out = { '<div class="types">' }
  for i, t in ipairs(types) do
    if i > TYPES_SHOWN then break end
    local rows, most = {}, t.rows[1] and t.rows[1].mentions or 1
    for _, r in ipairs(t.rows) do
      rows[#rows + 1] = {
        esc(r.name), thousands(r.docs), thousands(html.count(r.mentions)),
        string.format('<span class="hbar" style="width:%spx;background:%s"></span>',
          num(math.max(2, 120 * (tonumber(r.mentions) or 0) / math.max(tonumber(most) or 1, 1))),
          html.type_colour(t.label)),
      }
    end
    out[#out + 1] = string.format('<div><h3><span class="swatch" style="background:%s"></span>%s '
      .. '<span class="muted">%s mentions of %s names</span></h3>', html.type_colour(t.label), esc(t.label),
      thousands(html.count(t.total)), thousands(t.names))
    out[#out + 1] = html.table({ { "name" }, { "docs", numeric = true }, { "mentions", numeric = true }, { "" } }, rows)
    out[#out + 1] = "</div>"
  end
  out[#out + 1] = "</div>\n"
  if #types > TYPES_SHOWN then
    local rest = {}
    for i = TYPES_SHOWN + 1, #types do rest[#rest + 1] = esc(types[i].label) .. " " .. thousands(html.count(types[i].total)) end
    out[#out + 1] = '<p class="note">Other types (mentions): ' .. table.concat(rest, ", ") .. "</p>\n"
  end
  return table.concat(out)
end

local TW, TH, TL, TR, TT, TB = 960, 280, 44, 180, 16, 40

local function trend_svg(names, t)
  if not t then return '<p class="note">No entities stored.</p>\n' end
  if not t.dated then
    return '<p class="note">No document with a date mentions the top entities with a sentiment score '
      .. '(dates come from the metadata field <code>date</code> or from the dateline).</p>\n'
  end
  local periods = t.periods
  local w, h = TW - TL - TR, TH - TT - TB
  -- periods are placed by their dates, so a gap in time shows as one
  local d0, d1 = days(periods[1]), days(periods[#periods])
  local function x(i) return TL + (d1 == d0 and w / 2 or (days(periods[i]) - d0) / (d1 - d0) * w) end
  local function y(score) return TT + (1 - math.max(-1, math.min(1, score))) / 2 * h end
  local out = { string.format('<svg class="trend" viewBox="0 0 %d %d" width="100%%" role="img" '
    .. 'aria-label="sentiment toward the top entities over time">', TW, TH) }
  out[#out + 1] = string.format('<rect x="%d" y="%d" width="%d" height="%d" fill="#fafafa" stroke="#e3e3e8"/>', TL, TT, w, h)
  for _, level in ipairs { 1, 0.5, 0, -0.5, -1 } do
    out[#out + 1] = string.format('<line x1="%d" x2="%d" y1="%s" y2="%s" stroke="%s"/><text x="%d" y="%s" text-anchor="end">%s</text>',
      TL, TL + w, num(y(level)), num(y(level)), level == 0 and "#999" or "#eee", TL - 6, num(y(level) + 4), signed(level))
  end
  -- period labels, skipping any that would overlap the one before
  local last_x = -math.huge
  for i = 1, #periods do
    if x(i) - last_x >= 70 then
      out[#out + 1] = string.format('<text x="%s" y="%d" text-anchor="middle">%s</text>', num(x(i)), TH - TB + 16, esc(periods[i]))
      last_x = x(i)
    end
  end
  for k, e in ipairs(names) do
    local colour = html.SERIES[(k - 1) % #html.SERIES + 1]
    local p = t.points[e.key] or {}
    local coords, dots = {}, {}
    for i, period in ipairs(periods) do
      local cell = p[period]
      if cell then
        local score = cell.sum / cell.weight
        coords[#coords + 1] = num(x(i)) .. "," .. num(y(score))
        dots[#dots + 1] = string.format('<circle cx="%s" cy="%s" r="3" fill="%s"><title>%s, %s: %s (%d doc%s)</title></circle>',
          num(x(i)), num(y(score)), colour, esc(e.name), esc(period), signed(score), cell.docs, cell.docs == 1 and "" or "s")
      end
    end
    if #coords > 1 then
      out[#out + 1] = string.format('<polyline fill="none" stroke="%s" stroke-width="1.8" points="%s"/>', colour,
        table.concat(coords, " "))
    end
    out[#out + 1] = table.concat(dots)
    out[#out + 1] = string.format('<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d">%s (%s)</text>',
      TL + w + 14, TT + (k - 1) * 20, colour, TL + w + 30, TT + (k - 1) * 20 + 10, esc(shorten(e.name, 20)), esc(e.label))
  end
  out[#out + 1] = "</svg>\n"
  out[#out + 1] = string.format('<p class="note">Mean sentiment toward each entity per %s, weighted by mentions; %d %s.</p>\n',
    t.monthly and "month" or "day", #periods, (t.monthly and "month" or "day") .. (#periods == 1 and "" or "s"))
  return table.concat(out)
end

local NW, NH = 960, 620

-- A force-directed layout (springs along links, repulsion between all
-- nodes), started from a circle so the same corpus always gives the same
-- picture.
local function layout(nodes, edges)
  local n = #nodes
  local pos = {}
  for i = 1, n do
    local a = 2 * math.pi * (i - 1) / n
    pos[i] = { x = math.cos(a) * 0.4, y = math.sin(a) * 0.4 }
  end
  local k = math.sqrt(1 / math.max(n, 1))
  local max_w = 1
  for _, e in ipairs(edges) do max_w = math.max(max_w, e.weight) end
  local temperature = 0.1
  for _ = 1, 250 do
    local disp = {}
    for i = 1, n do disp[i] = { x = 0, y = 0 } end
    for i = 1, n do
      for j = i + 1, n do
        local dx, dy = pos[i].x - pos[j].x, pos[i].y - pos[j].y
        local d = math.max(math.sqrt(dx * dx + dy * dy), 1e-3)
        local f = k * k / d
        disp[i].x, disp[i].y = disp[i].x + dx / d * f, disp[i].y + dy / d * f
        disp[j].x, disp[j].y = disp[j].x - dx / d * f, disp[j].y - dy / d * f
      end
    end
    for _, e in ipairs(edges) do
      local a, b = pos[e.a], pos[e.b]
      local dx, dy = a.x - b.x, a.y - b.y
      local d = math.max(math.sqrt(dx * dx + dy * dy), 1e-3)
      local f = d * d / k * (0.3 + 0.7 * e.weight / max_w)
      disp[e.a].x, disp[e.a].y = disp[e.a].x - dx / d * f, disp[e.a].y - dy / d * f
      disp[e.b].x, disp[e.b].y = disp[e.b].x + dx / d * f, disp[e.b].y + dy / d * f
    end
    for i = 1, n do
      -- a pull to the centre keeps unlinked nodes on the page
      disp[i].x, disp[i].y = disp[i].x - pos[i].x * 0.5, disp[i].y - pos[i].y * 0.5
      local d = math.max(math.sqrt(disp[i].x ^ 2 + disp[i].y ^ 2), 1e-9)
      local step = math.min(d, temperature)
      pos[i].x, pos[i].y = pos[i].x + disp[i].x / d * step, pos[i].y + disp[i].y / d * step
    end
    temperature = math.max(temperature * 0.98, 0.002)
  end
  -- fit into the drawing
  local minx, maxx, miny, maxy = math.huge, -math.huge, math.huge, -math.huge
  for i = 1, n do
    minx, maxx = math.min(minx, pos[i].x), math.max(maxx, pos[i].x)
    miny, maxy = math.min(miny, pos[i].y), math.max(maxy, pos[i].y)
  end
  local sx, sy = (NW - 200) / math.max(maxx - minx, 1e-6), (NH - 80) / math.max(maxy - miny, 1e-6)
  for i = 1, n do
    pos[i].x = 100 + (pos[i].x - minx) * sx
    pos[i].y = 40 + (pos[i].y - miny) * sy
  end
  return pos
end

local function network_svg(nodes, edges)
  if #nodes < 2 or #edges == 0 then
    return '<p class="note">Too few entities shared between documents to draw a network.</p>\n'
  end
  local pos = layout(nodes, edges)
  local max_w, max_docs = 1, 1
  for _, e in ipairs(edges) do max_w = math.max(max_w, e.weight) end
  for _, v in ipairs(nodes) do max_docs = math.max(max_docs, v.docs) end
  local out = { string.format('<svg class="network" viewBox="0 0 %d %d" width="100%%" role="img" '
    .. 'aria-label="entity co-occurrence network">', NW, NH) }
  for _, e in ipairs(edges) do
    local a, b = pos[e.a], pos[e.b]
    out[#out + 1] = string.format('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#8896a8" stroke-opacity="%s" '
      .. 'stroke-width="%s"><title>%s — %s: %d document%s</title></line>', num(a.x), num(a.y), num(b.x), num(b.y),
      num(0.25 + 0.6 * e.weight / max_w), num(0.8 + 5 * e.weight / max_w), esc(nodes[e.a].name),
      esc(nodes[e.b].name), e.weight, e.weight == 1 and "" or "s")
  end
  for i, v in ipairs(nodes) do
    local r = 4 + 14 * math.sqrt(v.docs / max_docs)
    out[#out + 1] = string.format('<g class="node"><circle cx="%s" cy="%s" r="%s" fill="%s" stroke="#555">'
      .. '<title>%s (%s): %d document%s, %s mentions</title></circle><text x="%s" y="%s" text-anchor="middle">%s</text></g>',
      num(pos[i].x), num(pos[i].y), num(r), html.type_colour(v.label), esc(v.name), esc(v.label), v.docs,
      v.docs == 1 and "" or "s", html.count(v.mentions), num(pos[i].x), num(pos[i].y - r - 3), esc(shorten(v.name, 24)))
  end
  out[#out + 1] = "</svg>\n"
  out[#out + 1] = string.format('<p class="note">The %d entities in the most documents (dates and numbers left out); '
    .. 'a line joins two that appear in the same document, thicker for more documents (the %d strongest links).</p>\n',
    #nodes, #edges)
  return table.concat(out)
end

-- Documents per section of the list: beyond this, the list is cut into
-- sections a reader opens one at a time (<details>, no script needed),
-- since a browser lays out a closed section only when it is opened.
local DOCS_PER_SECTION = 1000

local function document_table(docs, link)
  local rows = {}
  for _, d in ipairs(docs) do
    local shown = html.name_of(d.title, d.id)
    local name = esc(shown)
    rows[#rows + 1] = {
      tostring(d.n),
      (link and string.format('<a href="%s">%s</a>', attr(link(d)), name) or name)
        .. (shown ~= tostring(d.id) and ' <span class="muted">' .. esc(d.id) .. "</span>" or ""),
      esc(d.date or ""), tostring(d.sentences or ""),
      d.tone and string.format('<span class="swatch" style="background:%s"></span>%s', html.sentiment_colour(d.tone),
        signed(d.tone)) or "",
    }
  end
  local headers = { { "#", numeric = true }, { "document" }, { "date" }, { "sentences", numeric = true }, { "tone" } }
  if #rows <= DOCS_PER_SECTION then return '<div id="doclist">' .. html.table(headers, rows, "docs") .. "</div>\n" end
  local out = { '<div id="doclist">' }
  for first = 1, #rows, DOCS_PER_SECTION do
    local last = math.min(first + DOCS_PER_SECTION - 1, #rows)
    out[#out + 1] = string.format('<details%s><summary>Documents %d–%d</summary>\n', first == 1 and " open" or "", first, last)
    out[#out + 1] = html.table(headers, table.move(rows, first, last, 1, {}), "docs")
    out[#out + 1] = "</details>\n"
  end
  out[#out + 1] = "</div>\n"
  return table.concat(out)
end

local CORPUS_CSS = [[
.types{display:grid;grid-template-columns:repeat(auto-fit,minmax(330px,1fr));gap:0 26px}
h3{font-size:14px;margin:14px 0 2px}
.hbar{display:inline-block;height:9px;border-radius:2px}
svg.trend,svg.network{max-width:960px;display:block;border:1px solid var(--line);background:#fff}
svg.network text{paint-order:stroke;stroke:#fff;stroke-width:3px}
svg.network .node:hover circle{stroke:#000;stroke-width:2}
table.docs td{max-width:640px}
#filter{margin:4px 0 8px;padding:4px 8px;width:320px;font:inherit}
#doclist summary{cursor:pointer;color:#0b5cad;margin:4px 0}
]]

-- Filtering the document list as one types; without scripts the whole
-- list is shown.
local CORPUS_SCRIPT = [[
var list=document.getElementById("doclist");
if(list){
  var input=document.createElement("input");input.id="filter";input.type="search";
  input.placeholder="filter documents";input.setAttribute("aria-label","filter documents");
  list.parentNode.insertBefore(input,list);
  var rows=list.querySelectorAll("table.docs tbody tr"),sections=list.querySelectorAll("details");
  input.addEventListener("input",function(){
    var q=input.value.toLowerCase();
    for(var i=0;i<rows.length;i++)rows[i].style.display=!q||rows[i].textContent.toLowerCase().indexOf(q)>=0?"":"none";
    if(q)for(var j=0;j<sections.length;j++)sections[j].open=true;
  });
}
]]

-- The corpus page of the Store db. opts.link(d) -> the href of document
-- d's article page (d has n, id, title), or nil for a list without links;
-- opts.title.  Returns the HTML and the list of documents ({n, id, ...}).
function corpus.page(db, opts)
  opts = opts or {}
  local docs, by_id = documents(db)
  local types = top_by_type(db)
  local nodes = top_names(db, NETWORK_NODES)
  local edges = cooccurrence(db, nodes)
  local trend_names = {}
  for i = 1, math.min(TREND_ENTITIES, #nodes) do trend_names[i] = nodes[i] end
  local t = trends(db, trend_names, by_id)
  local dated, first, last = 0, nil, nil
  for _, d in ipairs(docs) do
    if d.date then
      dated = dated + 1
      if not first or d.date < first then first = d.date end
      if not last or d.date > last then last = d.date end
    end
  end
  local title = opts.title or ("Corpus " .. tostring(db.path))
  local body = {
    '<header class="top"><h1>', esc(title), "</h1>",
    string.format('<div class="meta">%s document%s · %s with a date%s</div>', thousands(#docs), #docs == 1 and "" or "s",
      thousands(dated),
      first and " (" .. esc(first) .. " to " .. esc(last) .. ")" or ""),
    '<nav class="toc"><a href="#entities">Top entities</a><a href="#trend">Sentiment over time</a>'
      .. '<a href="#network">Network</a><a href="#documents">Documents</a></nav></header>\n<main>\n',
    '<h2 id="entities">Top entities by type</h2>\n', type_tables(types),
    '<h2 id="trend">Sentiment toward the top entities over time</h2>\n', trend_svg(trend_names, t),
    '<h2 id="network">Entity co-occurrence</h2>\n', network_svg(nodes, edges),
    '<h2 id="documents">Documents</h2>\n', document_table(docs, opts.link), "</main>",
  }
  return html.page { title = title, css = CORPUS_CSS, body = table.concat(body), script = CORPUS_SCRIPT,
    generator = opts.generator }, docs
end

return corpus
