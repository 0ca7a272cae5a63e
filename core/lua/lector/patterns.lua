-- lector.patterns: LPeg patterns for dates, times, numbers, money,
-- percentages, quantities, URLs and e-mail addresses, to combine in passes.
--
-- Every pattern matches one expression at the current position and
-- produces one capture: a table with `kind`, `text` (the matched text) and
-- normalized fields (documented in docs/lua-api.md, "Patterns"). The module
-- also runs inside plugin sandboxes, so it uses nothing but lpeg and the
-- string, table and math libraries.
local lpeg = require "lpeg"

local P, R, S, V, B = lpeg.P, lpeg.R, lpeg.S, lpeg.V, lpeg.B
local C, Cc, Cg, Cp, Cs, Ct, Cmt = lpeg.C, lpeg.Cc, lpeg.Cg, lpeg.Cp, lpeg.Cs, lpeg.Ct, lpeg.Cmt
local match, is_pattern = lpeg.match, lpeg.type
local lower, upper, sub, rep, format = string.lower, string.upper, string.sub, string.rep, string.format
local byte = string.byte
local sort = table.sort
local tointeger, huge = math.tointeger, math.huge
local pairs, ipairs, tonumber, type, error, setmetatable = pairs, ipairs, tonumber, type, error, setmetatable

local _ENV = nil

local M = {}

---------------------------------------------------------------------------
-- Characters and word boundaries

local digit = R"09"
local alpha = R("az", "AZ")
local alnum = alpha + digit
-- UTF-8 punctuation and symbols that separate words like ASCII punctuation:
-- U+0080..U+00BF (no-break space, £, ¥, °, ½, «, » ...), U+2000..U+20FF
-- (typographic spaces, dashes, quotes, …, currency signs such as €) and the
-- minus sign U+2212. Other non-ASCII bytes belong to letters.
local punct_mb = P"\194" * R"\128\191" + P"\226" * R"\128\131" * R"\128\191" + P"\226\136\146"
local ascii_word = alnum + "_"                         -- a charset: runs of it are one LPeg span
local mb_letter = R"\128\255" - punct_mb
local wchar = ascii_word + mb_letter                   -- one byte of a word
local wrun = (ascii_word^1 + mb_letter)^1              -- a run of word bytes
local nchar = (R"\0\127" - ascii_word) + punct_mb      -- one character between words
local word_byte = alnum + "_" + R"\128\255"
local letter_byte = alpha + R"\128\255"
local boundary = -wchar

-- Blanks inside one expression: spaces, tabs, no-break and thin spaces, and
-- at most one line break (hard-wrapped text), never a blank line.
local hspace = S" \t" + "\194\160" + P"\226\128" * R"\128\138" + "\226\128\175"
local newline = P"\r"^-1 * "\n"
local ws1 = hspace^1 * (newline * hspace^0)^-1 + newline * hspace^0
local ws0 = ws1^-1

-- The choice among branches i..j with disjoint first characters, nested
-- as a balanced tree: LPeg tests each subtree's first characters at once,
-- so a character is placed in a few tests rather than one per branch.
local function balanced(branches, i, j)
  if i > j then return P(false) end
  if i == j then return branches[i] end
  local mid = (i + j) // 2
  return balanced(branches, i, mid) + balanced(branches, mid + 1, j)
end

-- A choice among phrases, built as a trie so that a word is rejected after
-- its first letters rather than after trying every phrase. map: phrase ->
-- value (the capture); fold: letters match in either case; a phrase ending
-- in a letter or digit must end a word. A space in a phrase matches ws1.
local function phrases(map, fold)
  local entries = {}
  for phrase, value in pairs(map) do entries[#entries + 1] = {phrase, value} end
  local function build(list, depth)
    local groups, keys, final = {}, {}, nil
    for _, e in ipairs(list) do
      local ch = sub(e[1], depth, depth)
      if ch == "" then
        final = e
      else
        local key = fold and lower(ch) or ch
        if not groups[key] then groups[key] = {}; keys[#keys + 1] = key end
        local g = groups[key]
        g[#g + 1] = e
      end
    end
    sort(keys)
    local branches = {}
    for i, key in ipairs(keys) do
      local head
      if key == " " then head = ws1
      elseif fold and upper(key) ~= key then head = S(key .. upper(key))
      else head = P(key) end
      branches[i] = head * build(groups[key], depth + 1)
    end
    local p = balanced(branches, 1, #branches)
    if final then
      local last = byte(final[1], -1)
      local wordy = last and (last == 95 or (last >= 48 and last <= 57) or (last >= 65 and last <= 90)
                              or (last >= 97 and last <= 122))
      local tail = wordy and boundary or P(true)
      p = p + tail * Cc(final[2])
    end
    return p
  end
  return build(entries, 1)
end

-- One word, any case, as a pattern without capture.
local function word(w) return phrases({[w] = true}, true) / 0 end

local function set(list, value)
  local map = {}
  for _, w in ipairs(list) do map[w] = value end
  return map
end

-- merge(a, b, ...) -> a new table with every key of the given tables.
local function merge(...)
  local out = {}
  for _, t in ipairs{...} do for k, v in pairs(t) do out[k] = v end end
  return out
end

-- The patterns are built on first use: loading this module (which every
-- plugin state does) then costs neither time nor memory.
local function build()
  local M = {}

  ---------------------------------------------------------------------------
  -- Numerals

  -- The value of a decimal numeral: digits and fraction digits as written,
  -- times 10^exp10, plus a vulgar fraction; an integer when it is one and fits
  -- exactly, else a float. Numerals are at most 30 + 20 digits, so the float
  -- never overflows.
  local function decimal_digits(int, frac, exp10)
    local digits = int .. frac
    local e = exp10 - #frac
    if digits == "" then return 0 end
    if e >= 0 and #digits + e <= 17 then return tonumber(digits .. rep("0", e)) end
    return tonumber(digits .. "e" .. e)
  end
  local function decimal_value(sign, int, frac, vulgar, exp10)
    local v
    if frac == "" and exp10 == 0 and int ~= "" and #int <= 17 then
      v = tonumber(int)               -- a plain integer, the common case: no string built
    else
      v = decimal_digits(int, frac, exp10)
    end
    if vulgar ~= 0 then v = v + vulgar * 10.0 ^ exp10 end
    if v ~= v // 1 or v >= 2^53 or v <= -2^53 then
      -- keep the float
    else
      v = tointeger(v) or v
    end
    if sign ~= "" and sign ~= "+" then v = -v end
    return v
  end

  local ddd = digit * digit * digit
  local sign = C(S"+-" + "\226\136\146") + Cc""
  local int_digits = Cs(digit * digit^-2 * (P"," / "" * ddd * -digit) * (P"," / "" * ddd * -digit)^-8
                          * -("," * ddd))
                   + C(digit * digit^-29 * -digit)
  local fraction = "." * C(digit * digit^-19) * -digit + Cc""
  local VULGAR = { ["½"] = 0.5, ["¼"] = 0.25, ["¾"] = 0.75, ["⅓"] = 1 / 3, ["⅔"] = 2 / 3,
                   ["⅛"] = 0.125 }
  local vulgar = phrases(VULGAR)
  local numeral = sign * (int_digits * fraction * (vulgar + Cc(0)) + Cc"" * Cc"" * vulgar)

  -- Scale words after a numeral, as powers of ten.
  local SCALES = { thousand = 3, million = 6, billion = 9, trillion = 12, mln = 6, mn = 6,
                   bln = 9, bn = 9, tn = 12, trn = 12, lakh = 5, lakhs = 5, crore = 7, crores = 7 }
  local scale = phrases(SCALES, true)
  -- Money also takes single-letter scales: $5m, $5M, $40k, $2B.
  local money_scale = scale + phrases({ m = 6, M = 6, k = 3, K = 3, B = 9, b = 9 })

  local function scaled(sc) return numeral * (ws0 * sc + Cc(0)) / decimal_value end

  -- Number words: "three", "twenty-four", "one hundred and five",
  -- "two million three hundred thousand", "a dozen".
  local ONES = { one = 1, two = 2, three = 3, four = 4, five = 5, six = 6, seven = 7, eight = 8,
                 nine = 9 }
  local TEENS = { ten = 10, eleven = 11, twelve = 12, thirteen = 13, fourteen = 14, fifteen = 15,
                  sixteen = 16, seventeen = 17, eighteen = 18, nineteen = 19 }
  local TENS = { twenty = 20, thirty = 30, forty = 40, fifty = 50, sixty = 60, seventy = 70,
                 eighty = 80, ninety = 90 }
  local ones, tens = phrases(ONES, true), phrases(TENS, true)
  local function add(a, b) return a + b end
  local below100 = tens * ((P"-" + ws1) * ones + Cc(0)) / add
                 + phrases(merge(ONES, TEENS, { zero = 0 }), true)
  local a_one = phrases({ a = 1, an = 1 }, true)
  local hundred, andw = word "hundred", word "and"
  local group = (below100 + a_one) * ws1 * hundred
                * (ws1 * (andw * ws1)^-1 * below100 + Cc(0)) / function(h, r) return h * 100 + r end
              + below100
  local word_scale = phrases({ thousand = 1000, million = 1000000, billion = 1000000000,
                               trillion = 1000000000000, dozen = 12 }, true)
  local number_words = P{ "N",
    N = (group + a_one * #(ws1 * word_scale))
        * (ws1 * word_scale * (ws1 * (andw * ws1)^-1 * V"N" + Cc(0)) + Cc(1) * Cc(0))
        / function(g, s, rest) return g * s + rest end,
  }

  -- "hundreds", "thousands", "tens of thousands": approximate numbers.
  local VAGUE = { dozens = 12, hundreds = 100, thousands = 1000, millions = 1000000,
                  billions = 1000000000 }
  local vague = phrases({ tens = 10, hundreds = 100 }, true) * ws1 * word "of" * ws1
                * phrases({ thousands = 1000, millions = 1000000, billions = 1000000000 }, true)
                / function(a, b) return a * b end
              + phrases(VAGUE, true)

  local amount = scaled(scale) + number_words            -- "1.5 million", "three"
  local money_amount = scaled(money_scale) + number_words
  local plain_amount = scaled(P(false)) + number_words    -- no scale word

  ---------------------------------------------------------------------------
  -- Capture tables

  local function number_table(kind)
    return function(text, value) return { kind = kind, value = value, text = text } end
  end

  M.number_words = C(number_words * boundary) / number_table "number"
  M.integer = C(sign * int_digits * -("." * digit) * boundary)
              / function(text, s, int) return { kind = "number", value = decimal_value(s, int, "", 0, 0),
                                                text = text } end
  M.number = C(amount * boundary) / number_table "number"
           + C(vague * boundary) / function(text, value)
               return { kind = "number", value = value, approx = true, text = text } end

  -- Ordinals: "1st", "22nd", "third", "twenty-first".
  local ORD_ONES = { first = 1, second = 2, third = 3, fourth = 4, fifth = 5, sixth = 6, seventh = 7,
                     eighth = 8, ninth = 9 }
  local ORD_OTHER = { tenth = 10, eleventh = 11, twelfth = 12, thirteenth = 13, fourteenth = 14,
                      fifteenth = 15, sixteenth = 16, seventeenth = 17, eighteenth = 18,
                      nineteenth = 19, twentieth = 20, thirtieth = 30, fortieth = 40, fiftieth = 50,
                      sixtieth = 60, seventieth = 70, eightieth = 80, ninetieth = 90,
                      hundredth = 100, thousandth = 1000, millionth = 1000000 }
  local function ordinal_suffix_ok(_, _, digits, suffix)
    local n = tonumber(digits)
    local want = "th"
    local last, tens_digit = n % 10, n // 10 % 10
    if tens_digit ~= 1 then
      if last == 1 then want = "st" elseif last == 2 then want = "nd" elseif last == 3 then want = "rd" end
    end
    if lower(suffix) ~= want then return false end
    return true, tointeger(n) or n
  end
  local ordinal_value = Cmt(C(digit * digit^-17) * -digit * C(phrases(set({ "st", "nd", "rd", "th" }, true), true) / 0),
                            ordinal_suffix_ok)
                      + tens * (P"-" + ws1) * phrases(ORD_ONES, true) / add
                      + phrases(merge(ORD_ONES, ORD_OTHER), true)
  M.ordinal = C(ordinal_value) / number_table "ordinal"

  -- Percentages: "12%", "12.5 %", "12 percent", "12 per cent", "3 pct",
  -- "2 percentage points" (points = true).
  local percent_word = phrases({ percent = false, ["per cent"] = false, pct = false,
                                 ["percentage point"] = true, ["percentage points"] = true }, true)
  M.percent = C(plain_amount * (ws0 * "%" * Cc(false) + ws1 * percent_word))
              / function(text, value, points)
                  return { kind = "percent", value = value, points = points or nil, text = text } end

  ---------------------------------------------------------------------------
  -- Money

  -- Symbols and codes written before the amount (case as written).
  local MONEY_PREFIX = {
    ["$"] = "USD", ["US$"] = "USD", ["U.S.$"] = "USD", ["A$"] = "AUD", ["AU$"] = "AUD",
    ["C$"] = "CAD", ["CA$"] = "CAD", ["HK$"] = "HKD", ["NZ$"] = "NZD", ["S$"] = "SGD",
    ["NT$"] = "TWD", ["R$"] = "BRL", ["MX$"] = "MXN", ["€"] = "EUR", ["£"] = "GBP", ["¥"] = "JPY",
    ["₹"] = "INR", ["₽"] = "RUB", ["₩"] = "KRW", ["₺"] = "TRY", ["₪"] = "ILS", ["Rs"] = "INR",
    ["Rs."] = "INR",
  }
  local ISO_CODES = { "USD", "EUR", "GBP", "JPY", "CNY", "RMB", "RUB", "INR", "CHF", "CAD", "AUD",
                      "NZD", "HKD", "SGD", "KRW", "BRL", "MXN", "ZAR", "TRY", "SEK", "NOK", "DKK",
                      "PLN", "ILS", "SAR", "AED", "VES", "ARS", "COP", "CLP", "PEN", "EGP", "NGN",
                      "PKR", "IDR", "THB", "MYR", "PHP", "TWD", "UAH", "IRR" }
  local iso_map = {}
  for _, code in ipairs(ISO_CODES) do iso_map[code] = code end
  iso_map.RMB = "CNY"
  -- Currency names after the amount (any case). A table value scales the
  -- amount (cents). "pounds" alone is a weight (see quantities), "francs" and
  -- "pesos" alone name no single currency (currency = nil).
  local CENTS = { code = "USD", factor = 0.01 }
  local MONEY_WORDS = merge(
    set({ "dollar", "dollars", "us dollars", "u.s. dollars", "american dollars", "dlr", "dlrs" }, "USD"),
    set({ "canadian dollars", "canadian dlrs" }, "CAD"), set({ "australian dollars", "australian dlrs" }, "AUD"),
    set({ "hong kong dollars" }, "HKD"), set({ "new zealand dollars" }, "NZD"),
    set({ "singapore dollars" }, "SGD"), set({ "taiwan dollars" }, "TWD"),
    set({ "euro", "euros" }, "EUR"),
    set({ "pounds sterling", "sterling", "stg", "british pounds" }, "GBP"),
    set({ "egyptian pounds" }, "EGP"), set({ "yen" }, "JPY"), set({ "yuan", "renminbi" }, "CNY"),
    set({ "ruble", "rubles", "rouble", "roubles" }, "RUB"), set({ "rupee", "rupees" }, "INR"),
    set({ "pakistani rupees" }, "PKR"), set({ "swiss francs" }, "CHF"), set({ "french francs" }, "FRF"),
    set({ "belgian francs" }, "BEF"), set({ "marks", "german marks", "deutsche marks", "d-marks" }, "DEM"),
    set({ "lire" }, "ITL"), set({ "lira", "turkish lira" }, "TRY"), set({ "mexican pesos" }, "MXN"),
    set({ "argentine pesos" }, "ARS"), set({ "philippine pesos" }, "PHP"), set({ "riyals", "saudi riyals" }, "SAR"),
    set({ "rand" }, "ZAR"), set({ "bolivars", "bolívares" }, "VES"), set({ "reais" }, "BRL"),
    set({ "zlotys", "zloty" }, "PLN"), set({ "shekels" }, "ILS"), set({ "won" }, "KRW"),
    set({ "francs", "pesos", "dinars" }, false),
    set({ "cents", "cts" }, CENTS))
  local money_prefix = phrases(MONEY_PREFIX) + phrases(iso_map) * (ws1 + #digit)
  local money_suffix = phrases(MONEY_WORDS, true) + phrases(iso_map) * boundary
                     + phrases({ ["€"] = "EUR", ["£"] = "GBP" })

  local function money_table(text, currency, value)
    local t = { kind = "money", amount = value, text = text }
    if type(currency) == "table" then
      t.amount, t.currency = value * currency.factor, currency.code
    elseif currency then
      t.currency = currency
    end
    return t
  end
  M.money = C(money_prefix * ws0 * money_amount * boundary) / money_table
          + C(money_amount * ws0 * money_suffix) / function(text, value, currency)
              return money_table(text, currency, value) end

  ---------------------------------------------------------------------------
  -- Quantities and durations

  -- Units: name -> {canonical unit, dimension}. Full names match in any case,
  -- symbols only as written ("5 m" is metres, "5 M" nothing).
  local function unit(u, dim) return { u, dim } end
  local UNIT_NAMES, UNIT_SYMBOLS = {}, {}
  local function units(names, symbols, u, dim)
    local v = unit(u, dim)
    for _, n in ipairs(names) do UNIT_NAMES[n] = v end
    for _, s in ipairs(symbols) do UNIT_SYMBOLS[s] = v end
  end
  units({ "kilometre", "kilometres", "kilometer", "kilometers" }, { "km" }, "km", "length")
  units({ "metre", "metres", "meter", "meters" }, { "m" }, "m", "length")
  units({ "centimetre", "centimetres", "centimeter", "centimeters" }, { "cm" }, "cm", "length")
  units({ "millimetre", "millimetres", "millimeter", "millimeters" }, { "mm" }, "mm", "length")
  units({ "mile", "miles" }, { "mi" }, "mi", "length")
  units({ "nautical mile", "nautical miles" }, { "nmi" }, "nmi", "length")
  units({ "foot", "feet" }, { "ft" }, "ft", "length")
  units({ "inch", "inches" }, {}, "in", "length")
  units({ "yard", "yards" }, { "yd", "yds" }, "yd", "length")
  units({ "kilogram", "kilograms", "kilogramme", "kilogrammes", "kilo", "kilos" }, { "kg", "kgs" }, "kg", "mass")
  units({ "gram", "grams", "gramme", "grammes" }, { "g" }, "g", "mass")
  units({ "milligram", "milligrams" }, { "mg" }, "mg", "mass")
  units({ "tonne", "tonnes", "metric ton", "metric tons" }, { "t" }, "t", "mass")
  units({ "ton", "tons", "short ton", "short tons", "long ton", "long tons" }, {}, "ton", "mass")
  units({ "pound", "pounds" }, { "lb", "lbs" }, "lb", "mass")
  units({ "ounce", "ounces" }, { "oz" }, "oz", "mass")
  units({ "litre", "litres", "liter", "liters" }, { "l", "L" }, "l", "volume")
  units({ "millilitre", "millilitres", "milliliter", "milliliters" }, { "ml", "mL" }, "ml", "volume")
  units({ "gallon", "gallons" }, { "gal" }, "gal", "volume")
  units({ "barrel", "barrels" }, { "bbl" }, "bbl", "volume")
  units({ "bushel", "bushels" }, {}, "bu", "volume")
  units({ "cubic metre", "cubic metres", "cubic meter", "cubic meters" }, { "m3", "m³" }, "m3", "volume")
  units({ "cubic foot", "cubic feet" }, { "cu ft" }, "ft3", "volume")
  units({ "square kilometre", "square kilometres", "square kilometer", "square kilometers" },
        { "km2", "km²", "sq km" }, "km2", "area")
  units({ "square metre", "square metres", "square meter", "square meters" }, { "m2", "m²", "sq m" }, "m2", "area")
  units({ "square mile", "square miles" }, { "sq mi" }, "mi2", "area")
  units({ "square foot", "square feet" }, { "sq ft" }, "ft2", "area")
  units({ "hectare", "hectares" }, { "ha" }, "ha", "area")
  units({ "acre", "acres" }, {}, "acre", "area")
  units({ "kilometres per hour", "kilometers per hour" }, { "km/h", "kph" }, "km/h", "speed")
  units({ "miles per hour" }, { "mph" }, "mph", "speed")
  units({ "metres per second", "meters per second" }, { "m/s" }, "m/s", "speed")
  units({ "knot", "knots" }, {}, "kn", "speed")
  units({ "barrels per day", "barrels a day" }, { "bpd", "b/d" }, "bbl/d", "flow")
  units({ "joule", "joules" }, {}, "J", "energy")
  units({ "kilojoule", "kilojoules" }, { "kJ" }, "kJ", "energy")
  units({ "megajoule", "megajoules" }, { "MJ" }, "MJ", "energy")
  units({ "kilowatt-hour", "kilowatt-hours", "kilowatt hours" }, { "kWh" }, "kWh", "energy")
  units({ "megawatt-hour", "megawatt-hours", "megawatt hours" }, { "MWh" }, "MWh", "energy")
  units({ "gigawatt-hour", "gigawatt-hours", "gigawatt hours" }, { "GWh" }, "GWh", "energy")
  units({ "terawatt-hour", "terawatt-hours", "terawatt hours" }, { "TWh" }, "TWh", "energy")
  units({ "calorie", "calories" }, {}, "cal", "energy")
  units({ "kilocalorie", "kilocalories" }, { "kcal" }, "kcal", "energy")
  units({ "british thermal units" }, { "Btu", "BTU" }, "Btu", "energy")
  units({ "watt", "watts" }, {}, "W", "power")
  units({ "kilowatt", "kilowatts" }, { "kW" }, "kW", "power")
  units({ "megawatt", "megawatts" }, { "MW" }, "MW", "power")
  units({ "gigawatt", "gigawatts" }, { "GW" }, "GW", "power")
  units({ "byte", "bytes" }, {}, "B", "data")
  units({ "kilobyte", "kilobytes" }, { "KB", "kB" }, "kB", "data")
  units({ "megabyte", "megabytes" }, { "MB" }, "MB", "data")
  units({ "gigabyte", "gigabytes" }, { "GB" }, "GB", "data")
  units({ "terabyte", "terabytes" }, { "TB" }, "TB", "data")
  units({ "petabyte", "petabytes" }, { "PB" }, "PB", "data")
  units({ "megabits per second" }, { "Mbps", "Mbit/s" }, "Mbit/s", "data rate")
  units({ "gigabits per second" }, { "Gbps", "Gbit/s" }, "Gbit/s", "data rate")
  units({ "degrees celsius", "degrees centigrade" }, { "°C" }, "°C", "temperature")
  units({ "degrees fahrenheit" }, { "°F" }, "°F", "temperature")
  local unit_pattern = phrases(UNIT_NAMES, true) + phrases(UNIT_SYMBOLS)

  M.quantity = C(amount * (P"-" + ws0) * unit_pattern) / function(text, value, u)
    return { kind = "quantity", value = value, unit = u[1], dimension = u[2], text = text }
  end

  local TIME_UNITS = merge(
    set({ "second", "seconds", "sec", "secs" }, "second"), set({ "minute", "minutes", "min", "mins" }, "minute"),
    set({ "hour", "hours", "hr", "hrs" }, "hour"), set({ "day", "days" }, "day"),
    set({ "week", "weeks" }, "week"), set({ "month", "months" }, "month"),
    set({ "year", "years", "yr", "yrs" }, "year"), set({ "decade", "decades" }, "decade"),
    set({ "century", "centuries" }, "century"))
  local time_unit = phrases(TIME_UNITS, true)
  M.duration = C(amount * (ws1 + "-") * time_unit) / function(text, value, u)
    return { kind = "duration", value = value, unit = u, text = text }
  end

  ---------------------------------------------------------------------------
  -- Dates

  local MONTHS = { "january", "february", "march", "april", "may", "june", "july", "august",
                   "september", "october", "november", "december" }
  local month_full_map, month_abbr_map, month_cap_map, month_alone_map = {}, {}, {}, {}
  for i, m in ipairs(MONTHS) do
    month_full_map[m] = i
    local title = upper(sub(m, 1, 1)) .. sub(m, 2)
    month_cap_map[title], month_cap_map[upper(m)] = i, i
    if m ~= "may" then
      -- a month alone must be capitalized; "May" alone is too often the verb or a name
      month_alone_map[title], month_alone_map[upper(m)] = i, i
      month_abbr_map[sub(m, 1, 3)] = i
    end
  end
  month_abbr_map.sept = 9
  local month_name = phrases(month_full_map, true)
  local month_cap = phrases(month_cap_map)     -- after "last", "mid-": "this may" is no date
  local month = month_name + phrases(month_abbr_map, true) * P"."^-1
  local WEEKDAYS = { monday = 1, tuesday = 2, wednesday = 3, thursday = 4, friday = 5, saturday = 6,
                     sunday = 7 }
  local weekday = phrases(WEEKDAYS, true)
  M.weekday = C(weekday) / function(text, w) return { kind = "date", weekday = w, text = text } end
  M.month = C(month * boundary) / function(text, m) return { kind = "date", month = m, text = text } end

  local function num(p) return C(p) / tonumber end
  local d12 = num(digit * digit^-1) * -digit
  local d2 = num(digit * digit) * -digit
  local d4 = num(digit * digit * digit * digit) * -digit
  local day = Cg(d12, "day") * (phrases(set({ "st", "nd", "rd", "th" }, true), true) / 0 + boundary)
  local year = Cg(d4, "year") * boundary
  local comma = ws0 * "," * ws0 + ws1
  local m_d_y = Cg(month, "month") * ws1 * day * (comma * year)^-1     -- November 3, 2025
  local d_m_y = day * ws1 * (word "of" * ws1)^-1 * Cg(month, "month") * boundary * (comma * year)^-1
  local m_y = Cg(month, "month") * comma * year                          -- November 2025
  local iso = year * "-" * Cg(d2, "month") * "-" * Cg(d2, "day") * boundary
  local us = Cg(d12, "month") * "/" * Cg(d12, "day") * "/" * year       -- 11/3/2025, US order
  local calendar = Cg(weekday, "weekday") * comma * (m_d_y + d_m_y) + m_d_y + d_m_y + m_y + iso + us

  -- Relative dates. offset counts units from the time of writing.
  local direction = phrases({ last = -1, past = -1, previous = -1, next = 1, coming = 1, this = 0 }, true)
  local rel_unit = phrases({ week = "week", month = "month", year = "year", weekend = "weekend",
                             quarter = "quarter", decade = "decade", century = "century" }, true)
  local rel_units = phrases({ days = "day", weeks = "week", months = "month", years = "year",
                              hours = "hour", decades = "decade" }, true)
  local count = plain_amount + a_one
  local relative = Cg(phrases({ today = 0, yesterday = -1, tomorrow = 1 }, true), "offset") * Cg(Cc"day", "unit")
    + Cg(word "tonight" * Cc(0) + word "last" * ws1 * word "night" * Cc(-1), "offset")
      * Cg(Cc"day", "unit") * Cg(Cc"night", "part")
    + Cg(count, "count") * ws1 * Cg(time_unit, "unit") * ws1 * word "ago" * Cg(Cc(true), "ago")
    + Cg(direction, "offset") * ws1 * Cg(count, "count") * ws1 * Cg(rel_units, "unit")
    + Cg(word "recent" * Cc(-1) + word "coming" * Cc(1), "offset") * ws1 * Cg(rel_units, "unit")
      * Cg(Cc(true), "approx")
    + Cg(direction, "offset") * ws1 * (Cg(rel_unit, "unit") * -(ws1 * word "century")
                                       + Cg(weekday, "weekday") + Cg(month_cap, "month"))
  local decade = Cg(num(digit * digit * digit * "0"), "decade") * (P"'" + "’")^-1 * "s" * boundary
  local part = Cg(phrases({ early = "early", mid = "mid", late = "late" }, true), "part") * (ws1 + "-")
  local date_main = Cmt(C(Ct(calendar + relative + decade
                             + part * (decade + m_y + Cg(month_cap, "month") + year)
                             + Cg(weekday, "weekday") + Cg(phrases(month_alone_map), "month"))),
    function(_, _, text, t)
      local m, d, y = t.month, t.day, t.year
      if m and (m < 1 or m > 12) then return false end
      if d then
        local last = ({ 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 })[m]
        if m == 2 and y and (y % 4 ~= 0 or (y % 100 == 0 and y % 400 ~= 0)) then last = 28 end
        if d < 1 or d > last then return false end
      end
      if t.ago then t.offset, t.ago = -t.count, nil; t.count = nil end
      if t.offset then
        t.relative = t.offset < 0 and "past" or t.offset > 0 and "future" or "present"
        if t.count or t.approx or not t.unit then t.offset = nil end
      end
      if y then
        t.iso = m and (d and format("%04d-%02d-%02d", y, m, d) or format("%04d-%02d", y, m))
                or format("%04d", y)
      end
      t.kind, t.text = "date", text
      return true, t
    end)

  -- A year alone: four digits from 1800 to 2099, not the start of a numeric
  -- date ("2025-13-01" is refused as a whole).
  local YEAR_MIN, YEAR_MAX = 1800, 2099
  local year_alone = Cmt(-(digit^1 * S"-/." * digit^1 * S"-/." * digit^1) * C(d4) * boundary,
    function(_, _, text)
      local y = tonumber(text)
      if y < YEAR_MIN or y > YEAR_MAX then return false end
      return true, { kind = "date", year = y, iso = text, text = text }
    end)
  M.year = year_alone
  M.date = date_main + year_alone

  ---------------------------------------------------------------------------
  -- Times

  local ampm = phrases({ ["a.m."] = "am", ["a.m"] = "am", am = "am", ["p.m."] = "pm", ["p.m"] = "pm",
                         pm = "pm" }, true)
  local ZONES = set({ "GMT", "UTC", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT", "BST", "CET",
                      "CEST", "EET", "EEST", "MSK", "JST", "HKT", "SGT", "AEST", "AEDT", "IST" }, true)
  for z in pairs(ZONES) do ZONES[z] = z end
  local zone = phrases(ZONES)
  local hh, mm = d12, d2
  local clock = Cg(hh, "hour") * ":" * Cg(mm, "minute") * (":" * Cg(mm, "second"))^-1
                * (ws0 * Cg(ampm, "ampm") + boundary)
              + Cg(hh, "hour") * "." * Cg(mm, "minute") * ws0 * Cg(ampm, "ampm")    -- 10.30 am
              + Cg(hh, "hour") * ws0 * Cg(ampm, "ampm")                             -- 3 p.m.
  local military = Cg(num(digit * digit), "hour") * Cg(num(digit * digit), "minute") * -digit * ws1
                   * Cg(zone, "zone")                                               -- 1430 GMT
  M.time = Cmt(C(Ct(clock * (ws1 * Cg(zone, "zone"))^-1 + military
                    + Cg(word "noon" * Cc(12) + word "midnight" * Cc(0), "hour") * Cg(Cc(0), "minute"))),
    function(_, _, text, t)
      local h = t.hour
      if t.ampm then
        if h < 1 or h > 12 then return false end
        h = h % 12 + (t.ampm == "pm" and 12 or 0)
      end
      if h > 23 or (t.minute or 0) > 59 or (t.second or 0) > 59 then return false end
      t.hour, t.minute = h, t.minute or 0
      t.iso = t.second and format("%02d:%02d:%02d", h, t.minute, t.second) or format("%02d:%02d", h, t.minute)
      t.kind, t.text = "time", text
      return true, t
    end)

  ---------------------------------------------------------------------------
  -- URLs and e-mail addresses

  -- Top-level domains accepted without "http://" or "www.": generic ones and
  -- country codes that are not English words ("in", "it", "is", "me" ...).
  local TLDS = set({ "com", "org", "net", "gov", "edu", "mil", "int", "info", "biz", "io", "ai", "app",
                     "dev", "news", "tv", "eu", "uk", "de", "fr", "ru", "cn", "jp", "ve", "br", "es",
                     "ca", "au", "ch", "nl", "se", "pl", "ua", "mx", "ar", "cl", "co", "za", "ng", "ke",
                     "eg", "il", "ir", "iq", "sy", "tr", "gr", "pt", "ie", "dk", "fi", "kr", "tw", "hk",
                     "sg", "nz", "ph", "vn", "th", "pk", "bd", "lk", "cu", "ec", "pe", "bo", "py", "uy",
                     "ru", "by", "kz", "ro", "hu", "cz", "sk", "rs", "hr", "bg", "lt", "lv", "ee", "qa",
                     "ae", "sa", "lb", "jo", "ma", "tn", "dz", "ly", "sd", "et", "gh", "ug", "tz" }, true)
  local label = alnum * (alnum + "-")^0
  local tld = phrases(TLDS) / 0 * -(alnum + "-")
  local bare_host = P{ "D", D = label * "." * (tld * -("." * alnum) + V"D") }
  local host = (alnum + S".-")^1
  local url_safe = 1 - (S" \t\r\n<>\"'`{}|\\^.,;:!?)]" + punct_mb + R"\0\31")
  local url_rest = (url_safe + S".,;:!?)]'"^1 * #url_safe)^0
  local scheme = C(word "https" + word "http" + word "ftp") * "://"
  local url = scheme * C(host) * url_rest
            + Cc(nil) * C(word "www" * "." * host) * url_rest
            + Cc(nil) * C(bare_host) * (P"/" * url_rest)^-1
  M.url = C(url) / function(text, s, h)
    return { kind = "url", url = text, scheme = s and lower(s), host = lower(h), text = text }
  end
  local email_domain = P{ "D", D = label * "." * (alpha * alpha^1 * -(alnum + "-" + "." * alnum) + V"D") }
  M.email = C(C((alnum + S"._%+-")^1) * "@" * C(email_domain)) / function(text, user, domain)
    return { kind = "email", address = text, user = user, domain = lower(domain), text = text }
  end

  ---------------------------------------------------------------------------
  -- Everything at once, in the order that settles overlaps: "$5 million"
  -- is money before it is a number, "3 November" a date before a quantity,
  -- "2000 tonnes" a quantity before a year.
  --
  -- Every expression starts with a digit, a sign, a currency sign, one of the
  -- words below, or a word followed by "." or "@" (hosts, e-mail addresses).
  -- Testing that first, with one trie, rejects most words of a text at once.
  local FIRST = {}
  for _, map in ipairs{ ONES, TEENS, TENS, VAGUE, ORD_ONES, ORD_OTHER, month_full_map,
                        month_abbr_map, WEEKDAYS, MONEY_PREFIX, iso_map, VULGAR } do
    for phrase in pairs(map) do FIRST[lower(phrase)] = true end
  end
  for _, w in ipairs{ "zero", "a", "an", "tens", "last", "past", "previous", "next", "coming", "this",
                      "today", "yesterday", "tomorrow", "tonight", "recent", "early", "mid", "late",
                      "noon", "midnight", "www", "http", "https", "ftp" } do
    FIRST[w] = true
  end
  local starts = #(digit + S"+-" + "\226\136\146" + phrases(FIRST, true) / 0
                   + (alnum + S"_%+-")^1 * S".@" * alnum)
  for _, name in ipairs{ "number_words", "integer", "number", "ordinal", "percent", "money", "quantity",
                         "duration", "weekday", "month", "year", "date", "time", "url", "email" } do
    M[name] = starts * M[name]
  end
  -- The same choice as
  --   email + url + money + percent + date + time + duration + quantity
  --   + year + ordinal + number
  -- but an amount is parsed once and what follows it decides the kind.
  local yearish = #(-(digit^1 * S"-/." * digit^1 * S"-/." * digit^1) * d4 * boundary) * Cc(true) + Cc(false)
  local after_amount = ws0 * money_suffix * Cc"money"
                     + (ws0 * "%" * Cc(false) + ws1 * percent_word) * Cc"percent"
                     + (ws1 + "-") * time_unit * Cc"duration"
                     + (P"-" + ws0) * unit_pattern * Cc"quantity"
                     + boundary * Cc(nil) * Cc"number"
  local amount_kinds = C(yearish * amount * after_amount) / function(text, is_year, value, x, kind)
    if kind == "money" then return money_table(text, x, value) end
    if kind == "percent" then return { kind = "percent", value = value, points = x or nil, text = text } end
    if kind == "duration" then return { kind = "duration", value = value, unit = x, text = text } end
    if kind == "quantity" then
      return { kind = "quantity", value = value, unit = x[1], dimension = x[2], text = text }
    end
    if is_year and #text == 4 and value >= YEAR_MIN and value <= YEAR_MAX then
      return { kind = "date", year = value, iso = text, text = text }
    end
    return { kind = "number", value = value, text = text }
  end
  M.any = starts * (M.email + M.url + C(money_prefix * ws0 * money_amount * boundary) / money_table
                    + date_main + M.time + M.ordinal + amount_kinds
                    + C(vague * boundary) / function(text, value)
                        return { kind = "number", value = value, approx = true, text = text } end)
  M.kinds = { "date", "duration", "email", "money", "number", "ordinal", "percent", "quantity",
              "time", "url" }

  return M
end

---------------------------------------------------------------------------
-- Searching

-- From a position that is not a word start (just after a word byte): the
-- rest of the word, words joined to it by a hyphen after a letter ("Su-30",
-- "three-year") or by a point or comma between digits ("3.5", "12,5"), and
-- the character that ends it.
local joined = (B(letter_byte) * "-" * wrun + B(digit) * S".," * #digit * wrun)^0
local word_rest = wrun^-1 * joined * nchar^-1
-- From a word start where nothing matched: to the next word start.
local skip = wrun * joined * nchar^-1 + nchar
local after = B(word_byte) * word_rest + P(true)
local skip_to = skip * Cp()

local function first_value(v) return v end

-- The search pattern for p: the first match of p at a word start, as
-- start, value, stop, resume (positions 1-based).
local searchers = setmetatable({}, { __mode = "k" })
local function searcher(p)
  local s = searchers[p]
  if not s then
    s = P{ Cp() * (p / first_value) * Cp() * after * Cp() + skip * V(1) }
    searchers[p] = s
  end
  return s
end

M.boundary = boundary

-- P.anywhere(p): a pattern that moves to the first match of p at a word
-- start and produces p's captures.
function M.anywhere(p)
  if is_pattern(p) ~= "pattern" then p = P(p) end
  return P{ p + skip * V(1) }
end

-- P.find(text, p [, init]) -> iterator of start, stop, value: each match of
-- p at a word start, left to right, not overlapping; start and init are
-- 0-based byte offsets, stop is exclusive; value is p's first capture (the
-- matched text when p captures nothing). The search begins at init as if
-- it were the start of the text.
function M.find(text, p, init)
  if type(text) ~= "string" then
    error("bad argument #1 to 'find' (string expected, got " .. type(text) .. ")", 2)
  end
  if is_pattern(p) ~= "pattern" then
    error("bad argument #2 to 'find' (LPeg pattern expected, got " .. type(p) .. ")", 2)
  end
  init = init or 0
  if type(init) ~= "number" or tointeger(init) == nil or init < 0 then
    error("bad argument #3 to 'find' (a byte offset 0.." .. #text .. " expected)", 2)
  end
  local s, pos = searcher(p), tointeger(init) + 1
  return function()
    if pos > #text then return nil end
    local start, value, stop, resume = match(s, text, pos)
    if not start then pos = huge; return nil end
    if resume == start then           -- an empty match: step over one word or character
      resume = match(skip_to, text, start) or #text + 2
    end
    pos = resume
    return start - 1, stop - 1, value
  end
end

setmetatable(M, { __index = function(self, key)
  setmetatable(self, nil)
  for k, v in pairs(build()) do self[k] = v end
  return self[key]
end })

return M
