-- The engine behind `lector analyze` and `lector ingest`: documents read in
-- order, stored, planned against the store, analysed — in this state, or
-- by worker threads each holding its own copy of the pipeline — and
-- stored again with their results, in the order they were read.
--
-- One thread (this one) reads, owns the store and writes; workers only run
-- passes. At most `window` documents are between reading and storing, so
-- memory stays flat however long the input is. Two documents that share an
-- id or a text are never in flight together: the second waits for the
-- first to be stored, and then sees its results, as a run on one thread
-- would. Results are therefore the same whatever the number of workers.
local core = require "lector.core"
local sources = require "lector.sources"
local pipeline = require "lector.pipeline"
local worker = require "lector.worker"

local collectgarbage, ipairs, pairs, setmetatable, table, type =
  collectgarbage, ipairs, pairs, setmetatable, table, type
local _ENV = nil

local engine = {}

local WORKER_MODULE = "lector.worker"

-- The queue of documents between reading and storing, oldest first.
local function new_queue()
  return { first = 1, last = 0, busy = {} }
end

local function queue_size(q)
  return q.last - q.first + 1
end

local function keys_of(doc)
  return "id:" .. doc.id, "sha:" .. doc.sha256
end

-- Count the entry's keys in or out. The keys are read from the document
-- before it is handed to a worker, never while a worker holds it.
local function mark(q, entry, delta)
  if not entry.keys then return end
  for _, key in ipairs(entry.keys) do
    local n = (q.busy[key] or 0) + delta
    q.busy[key] = n > 0 and n or nil
  end
end

local function is_busy(q, doc)
  local id_key, sha_key = keys_of(doc)
  return q.busy[id_key] ~= nil or q.busy[sha_key] ~= nil
end

-- The state a document ends in, for the counts: "new" (analysed now,
-- stored for the first time or again), "skipped" (stored before with every
-- pass done) or "failed" (a pass failed on it).
local function outcome(entry, report)
  if report and report.failed > 0 then return "failed" end
  if entry.is_new then return "new" end
  if report then
    for _, pass in ipairs(report.passes) do
      if pass.status ~= "done" then return "new" end
    end
  end
  return "skipped"
end

local Run = {}
Run.__index = Run

-- Store the oldest document with its results and hand it on. nil, message
-- on a database failure.
function Run:complete()
  local q = self.queue
  local entry = q[q.first]
  q[q.first] = nil
  q.first = q.first + 1
  mark(q, entry, -1)
  if entry.failure then
    self.on_failure(entry.failure, entry.status)
    return true
  end
  local doc, report = entry.doc, nil
  if entry.job then
    local entries
    if entry.pooled then
      local text, err = self.pool:next()
      if text then
        entries = worker.decode(text)
      else
        -- The worker itself failed (not a plugin: those are caught in
        -- the sandbox). Only this document is lost.
        doc:error("lector: " .. err)
        entries = {}
        for i, pass in ipairs(self.chosen.passes) do
          entries[i] = entry.job.again[pass.name]
            and { name = pass.name, status = "failed", error = err, seconds = 0, memory = 0 }
            or { name = pass.name, status = "done" }
        end
      end
    else
      entries = pipeline.execute(self.chosen, doc, entry.job)
    end
    local err
    report, err = pipeline.record(self.chosen, entry.stored_id, entry.job, entries)
    if not report then return nil, err end
    if self.db and entry.job.todo > 0 then
      local saved, save_err = self.db:save(doc)
      if not saved then return nil, save_err end
    end
  end
  self.on_document(doc, { stored_id = entry.stored_id, is_new = entry.is_new, report = report,
    outcome = outcome(entry, report) })
  -- Nothing looks at a document once it is handed on: its memory goes
  -- now, which keeps the collector from having to chase documents.
  core.release(doc)
  return true
end

-- Make room: complete documents until fewer than the window are queued,
-- and at least until none in the queue shares doc's id or text.
function Run:make_room(doc)
  local q = self.queue
  while queue_size(q) >= self.window or (doc and is_busy(q, doc)) do
    local ok, err = self:complete()
    if not ok then return nil, err end
  end
  return true
end

-- Take one document (or a refused input) from the reader.
function Run:add(doc, failure, status)
  local ok, err = self:make_room(doc or nil)
  if not ok then return nil, err end
  local entry = { doc = doc or nil, failure = failure, status = status }
  if doc then
    entry.keys = { keys_of(doc) }
    if self.db then
      entry.stored_id, entry.is_new = self.db:save(doc)
      if not entry.stored_id then return nil, entry.is_new end
    end
    if self.chosen then
      entry.job, err = pipeline.prepare(self.chosen, doc, entry.stored_id,
        { results = self.results })
      if not entry.job then return nil, err end
      if self.pool and entry.job.todo > 0 then
        self.pool:submit(doc, worker.encode { again = entry.job.again, run_ids = entry.job.run_ids })
        entry.pooled = true
      end
    end
  end
  local q = self.queue
  q.last = q.last + 1
  q[q.last] = entry
  mark(q, entry, 1)
  -- Without workers nothing is gained by waiting: finish it now.
  if not self.pool then return self:make_room() end
  -- Documents with nothing to run need not wait behind the window either.
  while queue_size(q) > 0 and not q[q.first].pooled do
    local done, done_err = self:complete()
    if not done then return nil, done_err end
  end
  return true
end

function Run:drain()
  while queue_size(self.queue) > 0 do
    local ok, err = self:complete()
    if not ok then return nil, err end
  end
  return true
end

-- The input has nothing more for now (a stream is about to be waited
-- for): finish the documents in flight and commit them, so that their
-- results do not wait for input that may be long in coming.
function Run:idle(on_wait)
  local ok, err = self:drain()
  if not ok then return nil, err end
  if self.db then
    local flushed, flush_err = self.db:flush()
    if not flushed then return nil, flush_err end
  end
  if on_wait then on_wait() end
  return true
end

-- Tasks go to a loader in batches, so that handing work between threads
-- costs little next to building the documents: at most this many tasks,
-- or lines of this many bytes together, in one.
local BATCH_TASKS = 32
local BATCH_BYTES = 1024 * 1024

-- The reader's iterator with the documents built by the loader pool:
-- tasks go to its workers in batches as they are read, a few batches
-- ahead, and come back as documents (or failures) in reading order, so the
-- sequence is the one lector.read would give. When the reader is about to
-- wait for a stream, the batch being filled goes at once, and what was
-- read is handed on before the reader's "wait".
local function prefetch(read, loader, stats)
  local q = { first = 1, last = 0 }
  local open          -- the batch being filled, already queued
  local finished = false
  local waiting = false   -- the reader said "wait": read nothing until that is handed on
  local ready, next_ready = {}, 1   -- the results of the batch being handed on

  local function send(batch)
    loader:submit(nil, worker.encode_tasks(batch.tasks))
    batch.sent = true
    if open == batch then open = nil end
  end
  local function push(entry)
    q.last = q.last + 1
    q[q.last] = entry
  end
  local function fill()
    while not finished and not waiting and loader:pending() < loader.window do
      local item, err, status, stream = read()
      if item == nil or status == "wait" then
        finished, waiting = item == nil, item ~= nil
        if open then send(open) end
      elseif type(item) == "table" then
        if not open then
          open = { tasks = {}, streams = {}, bytes = 0 }
          push(open)
        end
        local n = #open.tasks + 1
        open.tasks[n], open.streams[n] = item, stream
        open.bytes = open.bytes + #(item.line or "")
        if n >= BATCH_TASKS or open.bytes >= BATCH_BYTES then send(open) end
      else
        if open then send(open) end
        push { item, err, status, stream }
      end
    end
  end
  -- Take the oldest batch's documents and failures, in task order.
  local function take(batch)
    if not batch.sent then send(batch) end
    local results = table.pack(loader:next())
    ready, next_ready = {}, 1
    local failures = results[1] and worker.decode(results[1])
    local doc_index = 2
    for i = 1, #batch.tasks do
      local failure = failures == nil and { results[2], "error" } or failures[i]
      if failure then
        stats.documents, stats.failed = stats.documents - 1, stats.failed + 1
        ready[i] = { false, failure[1], failure[2], batch.streams[i] }
      else
        ready[i] = { results[doc_index], nil, nil, batch.streams[i] }
        doc_index = doc_index + 1
      end
    end
  end
  return function()
    while true do
      local item = ready[next_ready]
      if item then
        ready[next_ready] = nil
        next_ready = next_ready + 1
        return item[1], item[2], item[3], item[4]
      end
      fill()
      if q.first > q.last then
        if not waiting then return nil end
        waiting = false
        return false, nil, "wait"
      end
      local entry = q[q.first]
      q[q.first] = nil
      q.first = q.first + 1
      if not entry.tasks then return entry[1], entry[2], entry[3], entry[4] end
      take(entry)
    end
  end
end

-- engine.run(spec) -> true | nil, message (the store failed; the command
-- stops at once)
-- spec: inputs, read (lector.read's options; its stats table gets the
-- counts), chosen (a built pipeline, begun on db, or nil), db (or nil),
-- pool (engine.start_pool's, or nil: passes run in this state), loader
-- (engine.start_loader's, or nil: documents are built here), results
-- (false: do not copy reused results into documents nothing has to run
-- on), on_document(doc, info),
-- on_failure(message, status), should_stop() (checked before each input,
-- file and document: true stops reading, and what is in flight is
-- finished, as is every record already taken from a stream, which cannot
-- be read again), on_wait() (called when a stream has nothing more for
-- now, once the documents read are done and committed: a place to flush
-- the output).
local engine_run

function engine.run(spec)
  -- Documents queued here live through several young collections and
  -- grow old, and the generational collector rarely looks at old objects
  -- when the C memory they hold is invisible to it: collect incrementally
  -- while documents flow, so each one is freed soon after it is stored.
  local mode = collectgarbage "incremental"
  local ok, err = engine_run(spec)
  collectgarbage(mode)
  return ok, err
end

engine_run = function(spec)
  local self = setmetatable({
    queue = new_queue(), db = spec.db, chosen = spec.chosen, pool = spec.pool,
    results = spec.results, on_document = spec.on_document, on_failure = spec.on_failure,
  }, Run)
  self.window = spec.pool and spec.pool.window or 1
  local failed
  local stop = spec.should_stop
  local read_opts = { stop = stop, waits = true }
  for key, value in pairs(spec.read) do read_opts[key] = value end
  local read = sources.read(spec.inputs, read_opts)
  if spec.loader then read = prefetch(read, spec.loader, spec.read.stats) end
  for doc, err, status, stream in read do
    local ok, add_err = true, nil
    if status == "wait" then
      ok, add_err = self:idle(spec.on_wait)
    elseif stream or not (stop and stop()) then
      -- (after a stop, documents the loader read ahead from files are
      -- left: the same command reads them again)
      ok, add_err = self:add(doc or nil, not doc and err or nil, status)
    end
    if not ok then
      failed = add_err
      break
    end
  end
  if failed then
    -- The store failed: what is in flight cannot be stored either.
    return nil, failed
  end
  return self:drain()
end

-- engine.start_pool(chosen, jobs) -> Pool | nil, message: the worker threads,
-- each with its own copy of the pipeline, loaded from the plugin files
-- chosen already; nil, nil when one thread is asked for or nothing runs.
function engine.start_pool(chosen, jobs)
  if not chosen or jobs <= 1 or #chosen.passes == 0 then return nil end
  return core.pool { threads = jobs, module = WORKER_MODULE,
    setup = worker.encode(pipeline.describe(chosen)) }
end

-- engine.start_loader(read_opts, threads) -> Pool | nil, message: worker
-- threads that build documents (JSON decoding, normalization, segmentation,
-- hashing) while this thread stores; read_opts gets defer = true.
function engine.start_loader(read_opts, threads)
  local pool, err = core.pool { threads = threads, window = threads * 2, module = WORKER_MODULE,
    setup = worker.encode { load = { lossy = read_opts.lossy, max_bytes = read_opts.max_bytes } } }
  if pool then read_opts.defer = true end
  return pool, err
end

-- The default number of workers: one per processor.
function engine.default_jobs()
  return core.cores()
end

return engine
