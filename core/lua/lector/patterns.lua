-- lector.patterns: LPeg patterns for dates, times, numbers, money,
-- percentages, quantities, URLs and e-mail addresses, to combine in passes.
local lpeg = require "lpeg"

local patterns = {}

return patterns
