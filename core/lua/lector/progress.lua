-- Progress of a long command on standard error: a bar redrawn in place on
-- a terminal, a plain line now and then otherwise (a log file, a CI job),
-- or nothing. It shows documents done, megabytes of text, rates, the time
-- left when the size of the input is known, and the errors so far.
local core = require "lector.core"

local io, math, setmetatable, string = io, math, setmetatable, string
local _ENV = nil

local progress = {}

local BAR_EVERY = 0.25    -- seconds between redraws of the bar
local LINE_EVERY = 5      -- seconds between plain lines
local BAR_WIDTH = 20
local MB = 1000 * 1000

local Progress = {}
Progress.__index = Progress

-- progress.new(mode, {label =, total = bytes or nil}) -> Progress
-- mode: "bar", "lines" or "none".
function progress.new(mode, opts)
  local now = core.monotonic()
  return setmetatable({ mode = mode, label = opts.label, total = opts.total, started = now,
    drawn = now, shown = false }, Progress)
end

-- progress.mode(opts) -> "bar" | "lines" | "none": --quiet shows nothing,
-- --progress forces the bar, else a bar on a terminal and lines otherwise.
function progress.mode(quiet, forced)
  if quiet then return "none" end
  if forced or core.isatty(2) then return "bar" end
  return "lines"
end

local function duration(seconds)
  seconds = math.floor(seconds + 0.5)
  if seconds >= 3600 then
    return string.format("%d:%02d:%02d", seconds // 3600, seconds % 3600 // 60, seconds % 60)
  end
  return string.format("%d:%02d", seconds // 60, seconds % 60)
end

-- The figures shared by the bar and the lines.
local function figures(self, counts, read_bytes, elapsed)
  local rate = elapsed > 0 and counts.documents / elapsed or 0
  local text = string.format("%d documents, %.1f MB, %.1f docs/s, %.2f MB/s", counts.documents,
    counts.bytes / MB, rate, elapsed > 0 and counts.bytes / MB / elapsed or 0)
  local done = self.total and self.total > 0 and math.min(read_bytes / self.total, 1)
  if done and done > 0 and elapsed > 0 then
    text = text .. ", ETA " .. duration(elapsed * (1 - done) / done)
  end
  return text .. string.format(", %d error%s", counts.errors, counts.errors == 1 and "" or "s"), done
end

local function bar(done)
  if not done then return "" end
  local filled = math.floor(done * BAR_WIDTH + 0.5)
  return string.format("[%s%s] %3d%% ", string.rep("#", filled), string.rep(".", BAR_WIDTH - filled),
    math.floor(done * 100))
end

-- Show the counts {documents, bytes, errors} and the input bytes read,
-- when it is time to (always when final).
function Progress:update(counts, read_bytes, final)
  if self.mode == "none" then return end
  local now = core.monotonic()
  local every = self.mode == "bar" and BAR_EVERY or LINE_EVERY
  if not final and now - self.drawn < every then return end
  if final and self.mode == "lines" then return end
  self.drawn = now
  local text, done = figures(self, counts, read_bytes, now - self.started)
  if self.mode == "bar" then
    io.stderr:write("\r\27[K", self.label, ": ", bar(done), text)
    self.shown = true
    if final then
      io.stderr:write "\n"
      self.shown = false
    end
  else
    io.stderr:write(self.label, ": ", text, "\n")
  end
  io.stderr:flush()
end

-- Take the bar off the line, so a message can be written there; it comes
-- back at the next update.
function Progress:clear()
  if self.shown then
    io.stderr:write "\r\27[K"
    self.shown = false
  end
end

function Progress:elapsed()
  return core.monotonic() - self.started
end

return progress
