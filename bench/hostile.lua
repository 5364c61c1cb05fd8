-- Measures what hostile input costs (issue 7): trimming a value with 60,000
-- inner spaces with the old pattern and with hwcloud.text, and reading a
-- 10 MB body without a length through both transports (the cosocket one in
-- the hostile-input specs' nginx, which this starts and stops).
--   lua5.4 bench/hostile.lua
package.path = "lua/?.lua;lua/?/init.lua;./?.lua;" .. package.path
package.cpath = "build/?.so;" .. package.cpath
local socket = require "socket"
local text = require "hwcloud.text"

local function timed(label, n, fn)
  local t0 = socket.gettime()
  for _ = 1, n do fn() end
  local dt = socket.gettime() - t0
  print(string.format("%-58s %3d in %7.3f s  %9.3f ms/op", label, n, dt, dt / n * 1e3))
end

-- the old pattern only up to 20,000 (quadratic: 60,000 takes about 25 s)
for _, spaces in ipairs({ 10000, 20000, 60000 }) do
  local v = "1" .. (" "):rep(spaces) .. "2" .. (" "):rep(spaces)
  if spaces <= 20000 then
    timed(("trim %d spaces, ^%%s*(.-)%%s*$"):format(spaces), 1, function() return v:match("^%s*(.-)%s*$") end)
  end
  timed(("trim %d spaces, hwcloud.text.trim"):format(spaces), 100, function() return text.trim(v) end)
end

local h = require("spec.helpers.hostile").start()
local ok, err = pcall(function()
  for _, t in ipairs({ "libcurl", "cosocket" }) do
    timed(t .. ": 10 MiB body without a length", 5, function()
      assert(h[t]({ method = "GET", url = h.url .. "/h/close?bytes=" .. 10 * 1024 * 1024 }))
    end)
  end
end)
h.stop()
assert(ok, err)
