-- Shared helpers of the service specs (spec/unit/{operation,paginate,wait,
-- rfs,vpcep}_spec.lua and spec/integration/{rfs,vpcep}_spec.lua): drain an
-- iterator, expect an error, and, for the integration specs, the bits that
-- drive a running emulator (a client of one of its accounts, quick and quiet
-- waiter options, the emulator's speed, fault injection).
--   local S = require("spec.helpers.services")
--   local h = S.emulator(function() return e end)   -- e from emu.start, set later
--   h.client(e.second, {max_retries = 0}); h.w{...}; h.speed(0.1); h.fault{...}

local assert = require("luassert")

local M = {}

--- Every value an iterator yields, as a list.
-- @tparam function iter
-- @treturn table
function M.collect(iter)
  local out = {}
  for item in iter do out[#out + 1] = item end
  return out
end

--- Call `fn(...)`, assert that it raises, and return the error.
-- @tparam function fn
-- @return the error raised
function M.raised(fn, ...)
  local ok, err = pcall(fn, ...)
  assert.is_false(ok, "expected an error")
  return err
end

--- Helpers bound to an emulator handle (spec/helpers/emulator.lua).
-- @tparam[opt] function get_e returns the handle (it is made in `setup`, after
--   the spec file's locals); without it, the one `h.up()` makes
-- @treturn table `{client = fn(account, extra), w = fn(args), speed = fn(f),
--   reset = fn(), fault = fn(spec), up = fn(), down = fn()}`
function M.emulator(get_e)
  local h = {}
  get_e = get_e or function() return h.e end

  --- For `setup`: start an emulator (speed 0) as `h.e`, with a client of
  -- its first account, `h.main`, and that client's `h.rfs`.
  function h.up()
    h.e = require("spec.helpers.emulator").start{ speed = 0 }
    h.main = h.client(h.e)
    h.rfs = h.main:rfs()
  end

  --- For `teardown`: stop what `h.up` started.
  function h.down()
    if h.main then h.main:close() end
    if h.e then h.e.stop() end
  end

  --- A client of `account` (the handle itself or `e.second`) at the
  -- emulator, with short retry pauses; `extra` overrides options.
  function h.client(account, extra)
    local e = get_e()
    local o = { endpoint = e.endpoint, ak = account.ak, sk = account.sk, project_id = account.project_id,
                region = account.region, retry_base_delay = 0.01, retry_max_delay = 0.05 }
    for k, v in pairs(extra or {}) do o[k] = v end
    return require("hwcloud").new(o)
  end

  --- Waiter options: polls every 0.05 s, 30 s timeout, no progress lines
  -- (unless the arguments say otherwise). Changes and returns `args`.
  function h.w(args)
    args.interval = args.interval or 0.05
    args.timeout = args.timeout or 30
    if args.on_progress == nil then args.on_progress = false end
    return args
  end

  --- Set the emulator's speed factor (0 = instant).
  function h.speed(f)
    local status = get_e().control("POST", "/_emulator/config", { speed = f })
    assert(status == 200 or status == 204, "config failed: " .. tostring(status))
  end

  --- Start a test from scratch: the emulator reset, at speed 0 (instant).
  function h.reset()
    get_e().reset()
    h.speed(0)
  end

  --- Inject a fault (see the emulator's /_emulator/faults).
  function h.fault(spec)
    local status = get_e().control("POST", "/_emulator/faults", spec)
    assert(status == 200 or status == 201, "fault not accepted: " .. tostring(status))
  end

  return h
end

return M
