-- What the core specs share: `raises` calls a function that must raise a
-- hwcloud.Error and returns that error; `interrupt` runs Lua code in a
-- child interpreter and sends it SIGINT.
local core = require "hwcloud.core"

local M = {}

--- Calls fn(...), asserts it raised a hwcloud.Error, returns the error.
function M.raises(fn, ...)
  local ok, err = pcall(fn, ...)
  assert(not ok, "expected an error")
  assert(core.is_error(err), "expected a hwcloud.Error, got " .. tostring(err))
  return err
end

--- Runs `code` in a child of this interpreter (lua5.4 or luajit) with this
-- build's package.cpath; once the child printed its first line (`ready`),
-- waits 0.3 s more and sends it SIGINT by pid. Returns what it printed
-- after that and how many seconds it took to exit.
function M.interrupt(code, ready)
  local lua = rawget(_G, "jit") and "luajit" or "lua5.4"
  code = ("package.cpath = %q; "):format(package.cpath) .. code
  local p = assert(io.popen("sh -c 'echo $$; exec \"$0\" -e \"$1\"' " .. lua .. " '" .. code:gsub("'", "'\\''")
    .. "' 2>&1"))
  local pid = assert(tonumber(p:read("l")))
  assert(p:read("l") == ready, "the child did not say " .. ready)
  os.execute("sleep 0.3")
  local t0 = core.now()
  os.execute("kill -INT " .. pid)
  local out = p:read("a")
  local took = core.now() - t0
  p:close()
  return out, took
end

return M
