-- hwcloud.service: every method of a service object (each generated
-- operation and iterator, every waiter and convenience the service modules
-- add) called with a dot instead of a colon says how to call it, before
-- anything is sent (issue 13, item 9); given more arguments than it takes
-- (a waiter given an operation's opts), it says what it takes.
local fake = require("spec.helpers.fake_client")
local core = require("hwcloud.core")
local safe = require("hwcloud.safe")

for _, service in ipairs({ "rfs", "vpcep" }) do
  describe("hwcloud." .. service .. " methods called with a dot", function()
    local mod = require("hwcloud." .. service)
    local client, svc, class

    before_each(function()
      client = fake.new()
      svc = mod.new(client)
      class = getmetatable(svc)
    end)

    local function methods()
      local names = {}
      for name, v in pairs(class) do
        if type(v) == "function" and not name:find("^__") then names[#names + 1] = name end
      end
      table.sort(names)
      return names
    end

    it("say how to call them, for every method", function()
      local names = methods()
      -- every operation and every iterator is among them
      local set = {}
      for _, name in ipairs(names) do set[name] = true end
      for _, op in ipairs(mod.operations.operations) do
        assert.is_true(set[op.name], op.name)
        if op.each then assert.is_true(set[op.each], op.each) end
      end
      assert.is_true(#names > #mod.operations.operations)
      for _, name in ipairs(names) do
        for _, args in ipairs({ { { stack_name = "web" } }, {} }) do
          local ok, err = pcall(svc[name], table.unpack(args))
          assert.is_false(ok, name)
          assert.is_true(core.is_error(err), name .. ": " .. tostring(err))
          assert.equal("argument", err.kind)
          assert.equal(service .. "." .. name .. ": call it as " .. service .. ":" .. name
            .. "{...} (a colon, not a dot, on client:" .. service .. "())", err.message)
          assert.equal(service .. "." .. name, err.operation)
        end
      end
      assert.equal(0, #client.requests)
    end)

    it("refuse an argument past those they take, for every method, before sending anything", function()
      local takes = {}
      for _, name in ipairs(methods()) do
        local err = select(2, pcall(svc[name], svc, {}, {}, {}))
        assert.is_true(core.is_error(err), name .. ": " .. tostring(err))
        assert.equal("argument", err.kind, name)
        local max = err.message:match("^" .. service .. "%." .. name .. ": takes (%d) argument")
        assert.is_not_nil(max, err.message)
        takes[name] = tonumber(max)
      end
      for _, op in ipairs(mod.operations.operations) do
        assert.equal(2, takes[op.name], op.name)
        if op.each then assert.equal(2, takes[op.each], op.each) end
      end
      local waiter = service == "rfs" and "wait_stack" or "wait_endpoint"
      assert.equal(service .. "." .. waiter .. ": takes 1 argument, got 2 (options go in the argument table)",
        select(2, pcall(svc[waiter], svc, { stack_name = "web", vpc_endpoint_id = "e" }, { timeout = 60 })).message)
      assert.equal(0, #client.requests)
    end)

    it("still work with a colon (trailing nils too), and through hwcloud.safe", function()
      local op = mod.operations.operations[1]
      client:on(op.method, ".*", { status = 200, body = { ok = true } })
      local args = {}
      for _, name in ipairs(op.required) do args[name] = "x" end
      assert.same({ ok = true }, (svc[op.name](svc, args)))
      assert.same({ ok = true }, (svc[op.name](svc, args, nil, nil))) -- trailing nils pass
      local s = safe.wrap(svc)
      local none, err = s[op.name](args)
      assert.is_nil(none)
      assert.matches("call it as " .. service .. ":" .. op.name, err.message, 1, true)
      assert.same({ ok = true }, (s[op.name](s, args)))
    end)
  end)
end
