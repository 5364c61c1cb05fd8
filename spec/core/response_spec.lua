-- core.response: the response (or the error) of an answer, built in one
-- place (src/hwc_response.c) for session:send and the OpenResty cosocket
-- transport. Every answer the test server gives through real libcurl is
-- rebuilt from its status, header_list and raw_body, and must come out the
-- same: the same body, headers and request id, or the same error.
local core = require "hwcloud.core"
local server_helper = require "spec.helpers.server"

local raises = require("spec.core.support").raises

local ERROR_FIELDS = { "kind", "class", "status", "code", "message", "request_id", "method", "url",
                       "retryable", "body", "encoded_authorization_message" }

describe("core.response", function()
  local server, s

  setup(function()
    server = server_helper.start()
    s = core.session{ timeout = 5 }
  end)
  teardown(function()
    if s then s:close() end
    if server then server.stop() end
  end)

  -- what a socket transport hands over for the answer session:send got
  local function rebuild(r, url)
    return core.response{ status = r.status, header_list = r.header_list, raw_body = r.raw_body,
                          method = "GET", url = url, reused = r.reused, total_time = r.total_time }
  end

  for _, path in ipairs({ "/json", "/gzip", "/text", "/empty", "/redirect", "/chunked", "/repeat" }) do
    it("builds what session:send returns for " .. path, function()
      local url = server.url .. path
      local r = s:send{ method = "GET", url = url }
      local again = rebuild(r, url)
      for _, k in ipairs({ "status", "body", "raw_body", "request_id", "header_list", "reused", "total_time" }) do
        assert.are.same(r[k], again[k], k)
      end
      for _, h in ipairs(r.header_list) do
        assert.are.equal(r.headers[h[1]], again.headers[h[1]:upper()])
      end
      if type(r.body) == "table" then
        assert.are.equal(core.is_array(r.body.b), core.is_array(again.body.b))
      end
    end)
  end

  for _, path in ipairs({ "/error/A?status=404", "/error/B?status=400", "/error/C?status=401",
                          "/error/text?status=503&retry_after=3", "/error/broken?status=500",
                          "/error/empty?status=429", "/error/invalid?status=400", "/nothing" }) do
    it("raises what session:send raises for " .. path, function()
      local url = "http://user:pw@" .. server.url:sub(8) .. path
      local err = raises(s.send, s, { method = "GET", url = url })
      -- the answer as the error keeps it: headers, and the body (raw, or decoded)
      local list = {}
      for name, value in pairs(err.headers) do list[#list + 1] = { name, value } end
      local again = raises(core.response, { status = err.status, header_list = list,
        raw_body = err.body or (err.data and core.encode(err.data)) or nil, method = "GET", url = url })
      for _, k in ipairs(ERROR_FIELDS) do
        assert.are.same(err[k], again[k], k)
      end
      assert.are.same(err.data, again.data)
      assert.are.same(err.headers["retry-after"], again.headers["retry-after"])
    end)
  end

  it("raises kind decode for a 2xx whose JSON is broken, and keeps the text of an error", function()
    local list = { { "Content-Type", "application/json" }, { "X-Request-Id", "r1" } }
    local err = raises(core.response, { status = 200, header_list = list, raw_body = "{x:", method = "GET",
                                        url = "http://u:p@h/x" })
    assert.are.same({ "decode", 200, "{x:", "r1", "http://h/x", false },
                    { err.kind, err.status, err.body, err.request_id, err.url, err.retryable })
    assert.matches("at offset 1", err.message)
    local http = raises(core.response, { status = 502, header_list = list, raw_body = "{x:" })
    assert.are.same({ "http", "502", "{x:", true }, { http.kind, http.code, http.body, http.retryable })
  end)

  it("joins a repeated header and looks names up in any case", function()
    local r = core.response{ status = 204, header_list = { { "X-A", "1" }, { "x-a", "2" }, { "Content-Length", "0" } } }
    assert.are.equal("1, 2", r.headers["X-a"])
    assert.are.equal("0", r.headers["CONTENT-LENGTH"])
    assert.is_nil(r.body)
    assert.is_nil(r.raw_body)
  end)

  -- A large answer is built with Lua 5.4's collector paused (src/hwc_response.c),
  -- which must come back as it was whatever happens inside.
  describe("with a large answer", function()
    local big_json = core.encode({ items = (function()
      local t = core.array()
      for i = 1, 300 do t[i] = { id = "item-" .. i, n = i, tags = core.array{ "a", "b" } } end
      return t
    end)() })
    local json_list = { { "Content-Type", "application/json" } }
    local cases = {
      { "a 2xx", function() return s:send{ method = "GET", url = server.url .. "/json" } end },
      { "an http error", function() return s:send{ method = "GET", url = server.url .. "/error/long?code=3000" } end },
      { "broken JSON", function()
          return core.response{ status = 200, header_list = json_list, raw_body = big_json .. "," }
        end },
      { "an argument error", function()
          return core.response{ status = 200, header_list = { "x" }, raw_body = big_json }
        end },
      { "core.response", function()
          return core.response{ status = 200, header_list = json_list, raw_body = big_json }
        end },
    }
    for _, case in ipairs(cases) do
      it("leaves the collector running, or stopped, as it was: " .. case[1], function()
        pcall(case[2])
        assert.is_true(collectgarbage("isrunning"))
        collectgarbage("stop")
        local ok, err = pcall(case[2])
        local running = collectgarbage("isrunning")
        collectgarbage("restart")
        assert.is_false(running)
        if case[1] == "a 2xx" or case[1] == "core.response" then assert.is_true(ok, tostring(err)) end
      end)
    end

    -- LuaJIT has one collector, which is never paused
    for _, mode in ipairs(rawget(_G, "jit") and { "LuaJIT's" } or { "incremental", "generational" }) do
      it("keeps memory bounded over 300 answers, " .. mode .. " (the collector is charged for the builds)", function()
        -- nothing but the builds allocates in the loop, so nothing else drives the collector
        local one, args, max = nil, { status = 200, header_list = json_list, raw_body = big_json }, math.max
        local previous = not rawget(_G, "jit") and collectgarbage(mode)
        collectgarbage()
        local base = collectgarbage("count")
        for _ = 1, 3 do one = core.response(args) end
        collectgarbage()
        local size = collectgarbage("count") - base -- one response held, about
        local peak = 0
        for _ = 1, 300 do
          one = core.response(args)
          peak = max(peak, collectgarbage("count"))
        end
        if previous then collectgarbage(previous) end
        assert.are.equal(300, #one.body.items)
        -- the collector lets the heap reach about twice what is live (pause 200%);
        -- builds it was not charged for would pile up 300 times over
        assert.is_true(peak < 3 * (base + size), string.format("peak %.0f KB for %.0f KB live", peak, base + size))
      end)
    end
  end)

  local bad = {
    { { status = 99, header_list = {} }, "'status' must be an integer from 100 to 999" },
    { { status = 200.5, header_list = {} }, "'status'" },
    { { status = 200 }, "'header_list' must be" },
    { { status = 200, header_list = { { "a" } } }, "header_list%[1%]" },
    { { status = 200, header_list = { "a: b" } }, "header_list%[1%]" },
    { { status = 200, header_list = {}, raw_body = 5 }, "'raw_body' must be a string" },
    { { status = 200, header_list = {}, url = {} }, "'url' must be a string" },
  }
  for i, case in ipairs(bad) do
    it("refuses bad input naming the function: case " .. i, function()
      local err = raises(core.response, case[1])
      assert.are.equal("argument", err.kind)
      assert.matches("^hwcloud.core.response: ", err.message)
      assert.matches(case[2], err.message)
    end)
  end
end)
