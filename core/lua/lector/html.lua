-- HTML for lector's visual reports: escaping, a page builder, colours and
-- small SVG helpers. Every piece of text that comes from an article or a
-- plugin goes through html.text or html.attr; nothing else is trusted to
-- be markup. Pages are self-contained: inline CSS and SVG, no request to
-- any other host, and scripts that only add toggles and hovers.
local ipairs, math, string, table, tonumber, tostring, type = ipairs, math, string, table, tonumber, tostring, type
local _ENV = nil

local html = {}

local TEXT_ESCAPES = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;" }
local ATTR_ESCAPES = { ["&"] = "&amp;", ["<"] = "&lt;", [">"] = "&gt;", ['"'] = "&quot;",
  ["'"] = "&#39;", ["\n"] = "&#10;" }

-- Text as element content. Non-strings (numbers, nil) become their
-- tostring first; NUL and other C0 controls but tab and newline, which
-- HTML does not allow, become U+FFFD.
function html.text(s)
  s = type(s) == "string" and s or tostring(s == nil and "" or s)
  return (s:gsub("[&<>]", TEXT_ESCAPES):gsub("[%z\1-\8\11\12\14-\31\127]", "\239\191\189"))
end

-- Text as a double-quoted attribute value.
function html.attr(s)
  s = type(s) == "string" and s or tostring(s == nil and "" or s)
  return (s:gsub("[&<>\"'\n]", ATTR_ESCAPES):gsub("[%z\1-\8\11\12\14-\31\127]", "\239\191\189"))
end

-- A number for SVG coordinates: two decimals at most, no exponent.
function html.num(x)
  local s = string.format("%.2f", x):gsub("0+$", ""):gsub("%.$", "")
  if s == "-0" then s = "0" end
  return s
end

-- A count from a plugin's value: whole numbers as integers, other numbers
-- with two decimals, anything else as 0 (a value of another shape must not
-- stop the page).
function html.count(x)
  x = tonumber(x) or 0
  if math.tointeger(x) then return string.format("%d", x) end
  return html.num(x)
end

-- What a document is called on a page: its title, or its id when the
-- title is missing or blank.
function html.name_of(title, id)
  if type(title) == "string" and title:find "%S" then return title end
  return tostring(id)
end

-- At most n characters of s (UTF-8), with "…" when cut; whitespace runs
-- become one space.
function html.shorten(s, n)
  s = (tostring(s or ""):gsub("%s+", " "))
  local count, cut = 0, nil
  for pos in s:gmatch "()[^\128-\191]" do
    count = count + 1
    if count == n + 1 then
      cut = pos
      break
    end
  end
  if cut then return s:sub(1, cut - 1) .. "…" end
  return s
end

-- ---- colours -------------------------------------------------------------------

-- Entity types with fixed colours (light backgrounds, readable under text).
local TYPE_COLOURS = {
  PERSON = "#ffd6a5", ORG = "#a0c4ff", GPE = "#b9fbc0", LOC = "#caffbf", NORP = "#fdffb6",
  DATE = "#e4c1f9", TIME = "#e4c1f9", CARDINAL = "#e0e0e0", ORDINAL = "#e0e0e0",
  MONEY = "#ffc6ff", PERCENT = "#ffc6ff", QUANTITY = "#d0f4de", PRODUCT = "#bde0fe",
  EVENT = "#ffadad", FAC = "#cdb4db", LAW = "#f1c0e8", LANGUAGE = "#a3c4f3",
  WORK_OF_ART = "#fbf8cc", MISC = "#f0efeb",
}
local EXTRA_COLOURS = { "#ffcfd2", "#cfbaf0", "#90dbf4", "#8eecf5", "#98f5e1", "#f1c0e8",
  "#fde4cf", "#b9fbc0" }

-- The colour of an entity type: fixed for the usual ones, else picked by a
-- hash of the name so the same type keeps its colour across pages.
function html.type_colour(label)
  label = tostring(label)
  if TYPE_COLOURS[label] then return TYPE_COLOURS[label] end
  local h = 0
  for i = 1, #label do h = (h * 31 + label:byte(i)) % 65521 end
  return EXTRA_COLOURS[h % #EXTRA_COLOURS + 1]
end

-- Strong line colours for charts, one per series.
html.SERIES = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
  "#17becf" }

local function mix(a, b, t)
  return math.floor(a + (b - a) * t + 0.5)
end

-- A sentiment score in [-1, 1] as a colour: red for negative, grey near
-- zero, green for positive.
function html.sentiment_colour(score)
  if type(score) ~= "number" or score ~= score then return "#dddddd" end
  local t = math.min(math.abs(score), 1)
  if score < 0 then
    return string.format("#%02x%02x%02x", mix(221, 200, t), mix(221, 30, t), mix(221, 30, t))
  end
  return string.format("#%02x%02x%02x", mix(221, 30, t), mix(221, 150, t), mix(221, 50, t))
end

-- ---- page ----------------------------------------------------------------------

local BASE_CSS = [[
:root{--fg:#1d1d1f;--muted:#6b6b70;--line:#e3e3e8;--bg:#fff;--panel:#f7f7f9}
*{box-sizing:border-box}
body{margin:0;font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:var(--bg)}
header.top{padding:18px 28px 10px;border-bottom:1px solid var(--line);background:var(--panel)}
header.top h1{margin:0 0 4px;font-size:22px;line-height:1.3}
header.top .meta{color:var(--muted);font-size:13px}
main{padding:12px 28px 40px;max-width:1200px}
h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}
table{border-collapse:collapse;font-size:13px;margin:4px 0 12px}
th,td{border-bottom:1px solid var(--line);padding:3px 10px 3px 0;text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:var(--muted)}
.note{color:var(--muted);font-size:13px}
nav.toc{font-size:13px;margin:6px 0 0}
nav.toc a{margin-right:12px}
a{color:#0b5cad}
svg text{font:11px system-ui,"DejaVu Sans",sans-serif;fill:#333}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;vertical-align:-1px;margin-right:4px;border:1px solid rgba(0,0,0,.15)}
]]

-- A whole page: title (text), css (extra rules), body (HTML already
-- escaped by the caller), script (optional JavaScript run at the end).
-- The script reports whether it ran to completion on <html data-script>,
-- so a test can tell a page whose script failed.
function html.page(p)
  local out = {
    "<!DOCTYPE html>\n<html lang=\"en\" data-script=\"none\">\n<head>\n<meta charset=\"utf-8\">\n",
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
    -- no request leaves the page, even if some markup slipped through
    "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ",
    "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n",
    "<meta name=\"generator\" content=\"", html.attr(p.generator or "lector"), "\">\n",
    "<title>", html.text(p.title), "</title>\n<style>\n", BASE_CSS, p.css or "", "</style>\n</head>\n<body>\n",
    p.body, "\n",
  }
  if p.script then
    out[#out + 1] = "<script>\n(function(){\"use strict\";var root=document.documentElement;"
      .. "root.setAttribute(\"data-script\",\"running\");"
      .. "window.addEventListener(\"error\",function(e){root.setAttribute(\"data-script\",\"error: \"+e.message);});"
      .. "try{\n" .. p.script
      .. "\nroot.setAttribute(\"data-script\",\"ok\");}catch(e){root.setAttribute(\"data-script\",\"error: \"+e);}})();\n</script>\n"
  end
  out[#out + 1] = "</body>\n</html>\n"
  return table.concat(out)
end

-- A table: headers is a list of {text, numeric = true}; rows a list of lists of
-- cells already escaped (HTML); cls an optional class for the table.
function html.table(headers, rows, cls)
  local out = { cls and ('<table class="' .. cls .. '">') or "<table>", "<thead><tr>" }
  for _, h in ipairs(headers) do
    out[#out + 1] = (h.numeric and '<th class="n">' or "<th>") .. html.text(h[1]) .. "</th>"
  end
  out[#out + 1] = "</tr></thead><tbody>\n"
  for _, row in ipairs(rows) do
    out[#out + 1] = "<tr>"
    for i, cell in ipairs(row) do
      out[#out + 1] = (headers[i] and headers[i].numeric and '<td class="n">' or "<td>") .. cell .. "</td>"
    end
    out[#out + 1] = "</tr>\n"
  end
  out[#out + 1] = "</tbody></table>\n"
  return table.concat(out)
end

return html
