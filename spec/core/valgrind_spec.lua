-- valgrind over a request loop that takes every error path of the core:
-- no definite leaks, no invalid reads or writes.
local server_helper = require "spec.helpers.server"

describe("core under valgrind #valgrind", function()
  local server
  setup(function() server = server_helper.start() end)
  teardown(function() if server then server.stop() end end)

  it("runs the leak loop clean", function()
    local log = server.dir .. "/valgrind.log"
    local cmd = ("valgrind --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite "
      .. "--error-exitcode=99 --log-file=%s lua5.4 spec/core/leak_loop.lua %s %s %s 2 > %s.out 2>&1")
      :format(log, server.url, server.tls_url, server.refused_url, log)
    local ok, how, code = os.execute(cmd)
    local f = io.open(log)
    local report = f and f:read("a") or "(no valgrind log)"
    if f then f:close() end
    local out = io.open(log .. ".out"):read("a")
    assert.matches("leak loop done", out)
    assert.is_true(ok == true or ok == 0, "valgrind exit " .. tostring(code) .. "\n" .. report)
    assert.matches("ERROR SUMMARY: 0 errors", report)
    assert.is_nil(report:match("definitely lost: [1-9]"), report)
  end)
end)
