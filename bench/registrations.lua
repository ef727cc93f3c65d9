-- wrk script for bench/registrations.sh: every request is a public registration
-- (POST /api/v1/events/{id}/registrations) with an e-mail address no other request
-- uses, so the server answers 201 and commits one row for each.
--
--   wrk -t2 -c64 -d10s --latency -s bench/registrations.lua \
--       http://127.0.0.1:PORT/api/v1/events/ID/registrations [-- PREFIX]
--
-- E-mails are PREFIX<thread>-<n>@example.bg (PREFIX defaults to "p"): the thread number
-- comes from setup() and n from a counter in that thread, so they never repeat across
-- wrk's threads. Each thread counts 201 and non-201 answers and keeps the ids of the
-- registrations it got a 201 for; done() adds them up over all threads (their Lua states
-- are separate: the counters are only reachable through the thread objects kept in
-- setup()) and prints
--
--   registrations: 201 answers N
--   registrations: non-201 answers N
--   registrations: requests generated N
--
-- plus a line per non-201 status. If SABOR_BENCH_IDS names a file, done() writes the
-- acknowledged registration ids into it, one a line, for the database check.

local threads = {}
local next_id = 1

-- Runs in wrk's main Lua state, once per thread, before that thread's init().
function setup(thread)
  thread:set("id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- Everything below runs in the threads' own Lua states.
local prefix = "p"
local counter = 0
local path, headers

ok = 0          -- 201 answers
non201 = 0      -- any other answer
sent = 0        -- request() calls
statuses = {}   -- status -> count, non-201 only
sample = ""     -- the body of the first non-201 answer
ids = {}        -- registration ids from the 201 answers

function init(args)
  if args[1] ~= nil and args[1] ~= "" then prefix = args[1] end
  path = wrk.path
  headers = { ["Content-Type"] = "application/json" }
end

function request()
  counter = counter + 1
  sent = sent + 1
  local n = id .. "-" .. counter
  local body = '{"name": "Участник ' .. n .. '", "email": "' .. prefix .. n ..
               '@example.bg", "consent": true}'
  return wrk.format("POST", path, headers, body)
end

function response(status, hdrs, body)
  if status == 201 then
    ok = ok + 1
    local rid = body and body:match('^{"id":(%d+)')
    if rid then ids[#ids + 1] = tonumber(rid) end
  else
    non201 = non201 + 1
    statuses[status] = (statuses[status] or 0) + 1
    if sample == "" and body then sample = body:sub(1, 300) end
  end
end

-- Back in the main state, after the run.
function done(summary, latency, requests)
  local total_ok, total_bad, total_sent = 0, 0, 0
  local by_status, first_sample = {}, ""
  local ids_file = os.getenv("SABOR_BENCH_IDS")
  local f = nil
  if ids_file and ids_file ~= "" then f = assert(io.open(ids_file, "w")) end
  for _, t in ipairs(threads) do
    total_ok = total_ok + (t:get("ok") or 0)
    total_bad = total_bad + (t:get("non201") or 0)
    total_sent = total_sent + (t:get("sent") or 0)
    for s, c in pairs(t:get("statuses") or {}) do by_status[s] = (by_status[s] or 0) + c end
    local s = t:get("sample")
    if first_sample == "" and s then first_sample = s end
    if f then
      for _, rid in ipairs(t:get("ids") or {}) do f:write(string.format("%d\n", rid)) end
    end
  end
  if f then f:close() end
  -- wrk calls request() once more than it sends, in the first thread, to check the
  -- request it makes before the run starts.
  total_sent = total_sent - 1
  io.write(string.format("registrations: 201 answers %d\n", total_ok))
  io.write(string.format("registrations: non-201 answers %d\n", total_bad))
  io.write(string.format("registrations: requests generated %d\n", total_sent))
  for s, c in pairs(by_status) do
    io.write(string.format("registrations: status %d: %d\n", s, c))
  end
  if first_sample ~= "" then
    io.write("registrations: first non-201 body: " .. first_sample:gsub("\n", " ") .. "\n")
  end
end
