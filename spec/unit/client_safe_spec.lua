-- hwcloud.safe: the same API returning nil, err instead of raising, for the
-- module functions, the client, service objects and returned iterators.

local core = require "hwcloud.core"
local S = require "spec.unit.client_support"
local hwcloud = require "hwcloud"
local safe = require "hwcloud.safe"

describe("hwcloud.safe", function()
  before_each(function() S.set_env({}) end)
  after_each(S.restore_env)

  local function client(script, extra)
    local opts = { ak = "AK", sk = "SK", region = "cn-north-4", project_id = "pid",
                   transport = S.transport(script), sleep = function() end }
    for k, v in pairs(extra or {}) do opts[k] = v end
    return safe.new(opts)
  end

  it("has the module's fields", function()
    for k in pairs(hwcloud) do
      assert.is_not_nil(safe[k], k)
    end
    assert.are.equal(hwcloud.null, safe.null)
    assert.are.equal(hwcloud.VERSION, safe.VERSION)
    assert.are.equal(hwcloud.error, safe.error)
  end)

  it("returns nil, err from decode and new", function()
    local v, err = safe.decode("{not json")
    assert.is_nil(v)
    assert.is_true(core.is_error(err))
    assert.are.equal("decode", err.kind)
    assert.are.same({ a = 1 }, safe.decode('{"a":1}'))
    local c, err2 = safe.new({ timeout = "x" })
    assert.is_nil(c)
    assert.are.equal("argument", err2.kind)
  end)

  it("returns the response or nil, err from client:request", function()
    local c = client({ S.ok({ x = 1 }), S.http_error(404, "RF.10011001") })
    local resp, err = c:request({ service = "rfs", method = "GET", path = "/v1/x" })
    assert.is_nil(err)
    assert.are.equal(1, resp.body.x)
    resp, err = c:request({ service = "rfs", method = "GET", path = "/v1/x" })
    assert.is_nil(resp)
    assert.is_true(safe.is_error(err))
    assert.are.equal(404, err.status)
    assert.are.equal(1, err.attempts)
    resp, err = c:request({ service = "rfs" })
    assert.is_nil(resp)
    assert.are.equal("argument", err.kind)
  end)

  it("returns nil, err for auth failures (same code path)", function()
    S.set_env({ HOME = "/nonexistent" })
    local c = safe.new({ transport = S.transport({ S.ok({}) }) })
    local resp, err = c:request({ service = "rfs", method = "GET", path = "/v1/x" })
    assert.is_nil(resp)
    assert.are.equal("auth", err.kind)
    local pid, err2 = c:get_project_id()
    assert.is_nil(pid)
    assert.are.equal("auth", err2.kind)
  end)

  it("gives the same proxy for the same object and reads fields through", function()
    local obj = setmetatable({ name = "n" }, { __index = { f = function(self) return self.name end } })
    local p = safe.wrap(obj)
    assert.are.equal(p, safe.wrap(obj))
    assert.are.equal(p, safe.wrap(p))
    assert.are.equal(obj, safe.unwrap(p))
    assert.are.equal("n", p.name)
    assert.are.equal("n", p:f())
    assert.are.equal(p.f, p.f)
    p.extra = 5
    assert.are.equal(5, obj.extra)
  end)

  it("wraps service objects from client:rfs() and client:vpcep(), and their iterators", function()
    local saved_rfs, saved_vpcep = package.loaded["hwcloud.rfs"], package.loaded["hwcloud.vpcep"]
    local function fake_service(name)
      local Svc = {}
      Svc.__index = Svc
      function Svc.get_thing(self, args)
        local resp = self.client:request({ service = name, method = "GET", path = "/v1/" .. args.id })
        return resp.body, resp
      end
      function Svc.fail(_) error(core.error({ kind = "waiter", message = "timed out" }), 0) end
      function Svc.each_thing(self)
        local i = 0
        return function()
          i = i + 1
          if i <= 2 then return i end
          if i == 3 then self.client:request({ service = name, method = "GET", path = "/v1/page" }) end
          return nil
        end
      end
      return { new = function(cl) return setmetatable({ client = cl }, Svc) end }
    end
    package.loaded["hwcloud.rfs"] = fake_service("rfs")
    package.loaded["hwcloud.vpcep"] = fake_service("vpcep")
    local ok, problem = pcall(function()
      local c = client({ S.ok({ id = "a" }), S.http_error(404, "RF.10011001"), S.http_error(503) },
                       { max_retries = 0 })
      local rfs = c:rfs()
      assert.are.equal(rfs, c:rfs())
      -- the service object got the raising client underneath
      assert.are.equal(safe.unwrap(c), safe.unwrap(rfs).client)
      local body, resp = rfs:get_thing({ id = "a" })
      assert.are.equal("a", body.id)
      assert.are.equal(200, resp.status)
      local none, err = rfs:get_thing({ id = "b" })
      assert.is_nil(none)
      assert.are.equal(404, err.status)
      none, err = c:vpcep():fail()
      assert.is_nil(none)
      assert.are.equal("waiter", err.kind)
      -- a failing iterator does not end the loop as if the list were
      -- complete: the loop gets false, err ...
      local got = {}
      err = nil
      for v, e in rfs:each_thing() do
        if not v then
          err = e
          break
        end
        got[#got + 1] = v
      end
      assert.are.same({ 1, 2 }, got)
      assert.are.equal(503, err.status)
      -- ... and a loop that goes on past it gets the error raised
      local n = 0
      local finished, raised = pcall(function()
        for _ in rfs:each_thing() do n = n + 1 end
      end)
      assert.is_false(finished)
      assert.are.equal(503, raised.status)
      assert.are.equal(3, n)
    end)
    package.loaded["hwcloud.rfs"] = saved_rfs
    package.loaded["hwcloud.vpcep"] = saved_vpcep
    assert(ok, problem)
  end)

  it("wraps only what it declares: a returned table of functions stays as it is", function()
    local obj = setmetatable({}, { __index = {
      make = function() return { boom = function() error("raised", 0) end } end,
      each_x = function() return function() error(core.error({ kind = "http", status = 500 }), 0) end end,
    } })
    local p = safe.wrap(obj)
    local made = p:make()
    assert.are.equal(made, safe.unwrap(made))
    assert.has_error(function() made.boom() end, "raised")
    local iter = p:each_x()
    local v, err = iter()
    assert.is_false(v)
    assert.are.equal(500, err.status)
    assert.has_error(function() iter() end)
  end)

  it("does not wrap data tables or errors", function()
    local c = client({ S.ok({ list = { 1, 2 } }) })
    local resp = c:request({ service = "rfs", method = "GET", path = "/v1/x" })
    assert.is_nil(safe.unwrap(resp) ~= resp and true or nil)
    assert.are.same({ 1, 2 }, resp.body.list)
    local e = safe.error({ kind = "auth", message = "m" })
    assert.is_true(core.is_error(e))
  end)
end)
