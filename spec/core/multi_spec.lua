-- core.multi over real libcurl against the test server (nginx) on loopback:
-- transfers run side by side (a quick one ends before a slow one started
-- earlier), responses and errors are the ones session:send gives, the pool
-- is bounded per host and reused across sessions (TLS too, verified per
-- session), cancel and close stop transfers and leave the sessions usable,
-- misuse raises.
local core = require "hwcloud.core"
local server_helper = require "spec.helpers.server"

-- Drives the multi until every id in `ids` ended (bounded: 20 s of polls);
-- returns the ids in the order they ended.
local function drain(m, ids)
  local want, order = {}, {}
  for _, id in ipairs(ids) do want[id] = true end
  local left = #ids
  for _ = 1, 2000 do
    if left == 0 then break end
    local done = m:perform(0.01)
    for _, id in ipairs(done) do
      if want[id] then
        order[#order + 1] = id
        left = left - 1
      end
    end
  end
  assert.are.equal(0, left, "transfers did not end")
  return order
end

local function raises(fn, ...)
  local ok, err = pcall(fn, ...)
  assert.is_false(ok, "expected an error")
  return err
end

describe("core.multi", function()
  local server, m, sessions

  setup(function()
    server = server_helper.start()
  end)
  teardown(function()
    if server then server.stop() end
  end)
  before_each(function()
    m = core.multi{ max_host_connections = 4 }
    sessions = {}
    for i = 1, 6 do sessions[i] = core.session{ timeout = 5 } end
  end)
  after_each(function()
    m:close()
    for _, s in ipairs(sessions) do s:close() end
  end)

  local function get(path)
    return { method = "GET", url = server.url .. path }
  end

  it("runs transfers side by side: a quick one ends before a slow one added first", function()
    local slow = m:add(sessions[1], get("/slow?seconds=0.5"))
    local quick = m:add(sessions[2], get("/json"))
    assert.are.equal(2, m:running())
    local order = drain(m, { slow, quick })
    assert.are.same({ quick, slow }, order)
    assert.are.equal(200, m:take(quick).status)
    assert.is_true(m:take(slow).body.slow)
    assert.are.equal(0, m:running())
  end)

  it("gives the response session:send gives", function()
    local id = m:add(sessions[1], get("/json"))
    drain(m, { id })
    local r = m:take(id)
    local want = sessions[2]:send(get("/json"))
    for _, k in ipairs({ "status", "request_id", "raw_body" }) do
      assert.are.equal(want[k], r[k], k)
    end
    assert.are.same(want.body, r.body)
    assert.is_true(core.is_array(r.body.c))
    assert.are.equal("application/json", r.headers["Content-Type"])
    assert.is_number(r.total_time)
  end)

  it("runs a session's transfer after that session's own send, without send's Ctrl-C watch", function()
    -- session:send watches the Lua hook through a progress callback whose
    -- data lives on its stack; a later transfer of the multi must not call it
    assert.are.equal(200, sessions[1]:send(get("/json")).status)
    local id = m:add(sessions[1], get("/slow?seconds=1.2"))
    drain(m, { id })
    assert.is_true(m:take(id).body.slow)
  end)

  it("raises the error session:send raises: http, refused, timeout, decode", function()
    local quick = core.session{ timeout = 0.2 }
    sessions[#sessions + 1] = quick
    local reqs = {
      { sessions[1], get("/error/A?status=404") },
      { sessions[2], get("/error/text?status=502") },
      { sessions[3], { method = "GET", url = server.refused_url .. "/x" } },
      { quick, get("/slow?seconds=2") },
      { sessions[4], get("/error/broken?status=500") },
    }
    local ids = {}
    for i, r in ipairs(reqs) do ids[i] = m:add(r[1], r[2]) end
    drain(m, ids)
    for i, r in ipairs(reqs) do
      local got = raises(m.take, m, ids[i])
      assert.is_true(core.is_error(got))
      if r[1] == quick then
        assert.are.equal("timeout", got.kind)
        assert.are.equal(28, got.curl_code)
      else
        local want = raises(sessions[5].send, sessions[5], r[2])
        for _, k in ipairs({ "kind", "class", "status", "code", "message", "retryable", "curl_code", "method", "url" }) do
          assert.are.equal(want[k], got[k], k .. " of request " .. i)
        end
      end
    end
    assert.are.equal(0, m:running())
  end)

  it("reuses pooled connections across sessions and bounds them per host", function()
    -- six slow transfers at once through at most 4 connections to one host
    local ids = {}
    for i = 1, 6 do ids[i] = m:add(sessions[i], get("/slow?seconds=0.2")) end
    drain(m, ids)
    local fresh = 0
    for _, id in ipairs(ids) do
      if not m:take(id).reused then fresh = fresh + 1 end
    end
    assert.are.equal(4, fresh)
    -- then twelve quick ones on the pool: no new connection
    fresh = 0
    for _ = 1, 2 do
      ids = {}
      for i = 1, 6 do ids[i] = m:add(sessions[i], get("/json")) end
      drain(m, ids)
      for _, id in ipairs(ids) do
        if not m:take(id).reused then fresh = fresh + 1 end
      end
    end
    assert.are.equal(0, fresh)
  end)

  it("speaks TLS: verification per session, connections reused across sessions", function()
    local trusting = {}
    for i = 1, 3 do
      trusting[i] = core.session{ ca_file = server.ca_file, timeout = 5 }
      sessions[#sessions + 1] = trusting[i]
    end
    local tls = { method = "GET", url = server.tls_url .. "/json" }
    local bad = m:add(sessions[1], tls)
    local ids = {}
    for i = 1, 3 do ids[i] = m:add(trusting[i], tls) end
    drain(m, { bad, ids[1], ids[2], ids[3] })
    assert.are.equal("tls", raises(m.take, m, bad).kind)
    for i = 1, 3 do assert.are.equal(200, m:take(ids[i]).status) end
    -- the next round reuses the verified connections, from other sessions
    for i = 1, 3 do ids[i] = m:add(trusting[4 - i], tls) end
    drain(m, ids)
    for i = 1, 3 do assert.is_true(m:take(ids[i]).reused) end
  end)

  it("cancels a running transfer and leaves its session usable", function()
    local id = m:add(sessions[1], get("/slow?seconds=3"))
    m:perform(0.05)
    assert.is_true(m:cancel(id))
    assert.is_false(m:cancel(id))
    assert.are.equal(0, m:running())
    assert.matches("no transfer", tostring(raises(m.take, m, id).message))
    assert.are.equal(200, sessions[1]:send(get("/json")).status)
    local again = m:add(sessions[1], get("/json"))
    drain(m, { again })
    assert.are.equal(200, m:take(again).status)
  end)

  it("refuses a session that is in a transfer, and a take before the end", function()
    local id = m:add(sessions[1], get("/slow?seconds=0.3"))
    assert.matches("in a multi transfer", raises(sessions[1].send, sessions[1], get("/json")).message)
    assert.matches("in a multi transfer", raises(m.add, m, sessions[1], get("/json")).message)
    assert.matches("has not ended", raises(m.take, m, id).message)
    assert.are.equal(1, m:running())
    drain(m, { id })
    assert.are.equal(200, m:take(id).status)
  end)

  it("leaves the header list of a session in a transfer alone when a send on it is refused", function()
    local id = m:add(sessions[1], { method = "GET", url = server.url .. "/echo", headers = { { "X-Kept", "one" } } })
    local many = {}
    for i = 1, 200 do many[i] = { "X-Other-" .. i, string.rep("v", 100) } end
    assert.matches("in a multi transfer", raises(sessions[1].send, sessions[1],
      { method = "GET", url = server.url .. "/echo", headers = many }).message)
    drain(m, { id })
    local sent = {}
    for _, h in ipairs(m:take(id).body.headers) do sent[h[1]] = h[2] end
    assert.are.equal("one", sent["X-Kept"])
    assert.is_nil(sent["X-Other-1"])
  end)

  it("raises argument errors before adding anything", function()
    local err = raises(m.add, m, sessions[1], { method = "GET", url = "ftp://x" })
    assert.are.equal("argument", err.kind)
    err = raises(m.add, m, sessions[1], { method = "GET", url = server.url, headers = { { "X-A", {} } } })
    assert.are.equal("argument", err.kind)
    assert.are.equal(0, m:running())
    assert.are.equal(200, sessions[1]:send(get("/json")).status)
    assert.matches("unknown option", raises(core.multi, { pool = 1 }).message)
    assert.matches("max_host_connections", raises(core.multi, { max_host_connections = 0 }).message)
  end)

  it("closes with transfers running: they stop, the sessions stay usable", function()
    local ids = {}
    for i = 1, 3 do ids[i] = m:add(sessions[i], get("/slow?seconds=3")) end
    m:perform(0.05)
    m:close()
    m:close()
    assert.matches("closed", tostring(m))
    assert.matches("closed", raises(m.perform, m).message)
    for i = 1, 3 do assert.are.equal(200, sessions[i]:send(get("/json")).status) end
  end)

  it("waits out the timeout when there is nothing to do", function()
    local done, running = m:perform(0.01)
    assert.are.same({}, done)
    assert.are.equal(0, running)
  end)
end)
