-- Readers for the published lexicon formats. Each turns a file's text into
-- a list of entries {phrase, label, value, line}; a bad line raises
-- "NAME:LINE: reason". Valences are put on lector's scale, [-4, 4].
local formats = {}

local function lines(text)
  local n = 0
  local at = 1
  return function()
    if at > #text then return nil end
    local stop = text:find("\n", at, true) or #text + 1
    local line = text:sub(at, stop - 1):gsub("\r$", "")
    at = stop + 1
    n = n + 1
    return n, line
  end
end

local function fields(line)
  local out = {}
  for f in (line .. "\t"):gmatch "([^\t]*)\t" do out[#out + 1] = f end
  return out
end

local function skip(line)
  return line:match "^%s*$" or line:match "^#"
end

local function bad(name, n, reason)
  error(name .. ":" .. n .. ": " .. reason, 0)
end

-- lector's own TSV: PHRASE<TAB>LABEL[<TAB>VALUE].
function formats.lector(text, name)
  local out = {}
  for n, line in lines(text) do
    if not skip(line) then
      local f = fields(line)
      if #f < 2 or f[2] == "" then bad(name, n, "no label (a line is PHRASE<TAB>LABEL[<TAB>VALUE])") end
      if #f > 3 then bad(name, n, "more than three fields (a line is PHRASE<TAB>LABEL[<TAB>VALUE])") end
      local value = f[3] and tonumber(f[3])
      if f[3] and not value then bad(name, n, "the value '" .. f[3] .. "' is not a number") end
      out[#out + 1] = { phrase = f[1], label = f[2], value = value, line = n }
    end
  end
  return out
end

-- VADER's vader_lexicon.txt: TOKEN<TAB>MEAN<TAB>SD<TAB>[RATINGS]; the mean
-- of ten raters on -4..4 is already lector's scale.
function formats.vader(text, name)
  local out = {}
  for n, line in lines(text) do
    if not skip(line) then
      local f = fields(line)
      local value = tonumber(f[2] or "")
      if #f < 2 or not value then bad(name, n, "expected TOKEN<TAB>MEAN<TAB>SD<TAB>[RATINGS]") end
      out[#out + 1] = { phrase = f[1], label = "valence", value = value, line = n }
    end
  end
  return out
end

-- AFINN (AFINN-111, AFINN-165): WORD<TAB>INTEGER in -5..5, scaled by 4/5.
function formats.afinn(text, name)
  local out = {}
  for n, line in lines(text) do
    if not skip(line) then
      local f = fields(line)
      local value = math.tointeger(tonumber(f[2] or ""))
      if #f ~= 2 or not value or value < -5 or value > 5 then
        bad(name, n, "expected WORD<TAB>INTEGER from -5 to 5")
      end
      out[#out + 1] = { phrase = f[1], label = "valence", value = value * 0.8, line = n }
    end
  end
  return out
end

-- Valence given to NRC's binary positive and negative associations.
formats.NRC_VALENCE = 1.5

-- NRC Word-Emotion Association Lexicon: WORD<TAB>EMOTION<TAB>0|1. Only the
-- "positive" and "negative" associations count; a word marked both is
-- left out.
function formats.nrc(text, name)
  local sign, order, first_line = {}, {}, {}
  for n, line in lines(text) do
    if not skip(line) then
      local f = fields(line)
      if #f ~= 3 or (f[3] ~= "0" and f[3] ~= "1") then
        bad(name, n, "expected WORD<TAB>EMOTION<TAB>0 or 1")
      end
      local word, emotion = f[1], f[2]
      if f[3] == "1" and (emotion == "positive" or emotion == "negative") then
        if sign[word] == nil then
          order[#order + 1] = word
          first_line[word] = n
        end
        local s = emotion == "positive" and 1 or -1
        sign[word] = (sign[word] == nil or sign[word] == s) and s or 0
      end
    end
  end
  local out = {}
  for _, word in ipairs(order) do
    if sign[word] ~= 0 then
      out[#out + 1] = { phrase = word, label = "valence", value = sign[word] * formats.NRC_VALENCE,
        line = first_line[word] }
    end
  end
  return out
end

-- Labels of lector's own format (lib/rules.lua gives their roles).
formats.LECTOR_LABELS = { valence = true, idiom = true, booster = true, negation = true,
  contrast = true, concession = true, scare = true, neutral = true, hedge = true }

-- The format of a text, guessed from its first entry line.
function formats.sniff(text)
  for _, line in lines(text) do
    if not skip(line) then
      local f = fields(line)
      if #f == 4 and f[4]:match "^%[" and tonumber(f[2]) then return "vader" end
      if #f == 3 and (f[3] == "0" or f[3] == "1") and not formats.LECTOR_LABELS[f[2]] then
        return "nrc"
      end
      if #f == 2 and math.tointeger(tonumber(f[2])) then return "afinn" end
      return "lector"
    end
  end
  return "lector"
end

formats.NAMES = { lector = true, vader = true, afinn = true, nrc = true }

return formats
