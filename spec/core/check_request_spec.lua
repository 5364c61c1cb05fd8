-- core.check_request: the one check of a request before a transport writes
-- it (issue 7, findings 2 and 11). The libcurl session runs it itself; the
-- OpenResty transport calls it. Both must refuse the same requests with the
-- same argument error, and the session must refuse before anything is sent.
local core = require "hwcloud.core"
local server_helper = require "spec.helpers.server"

local function refusal(fn, ...)
  local ok, err = pcall(fn, ...)
  assert.is_false(ok, "expected a refusal")
  assert.is_true(core.is_error(err), "expected a hwcloud.Error, got " .. tostring(err))
  assert.are.equal("argument", err.kind)
  return err
end

-- message without the "function: " prefix
local function reason(err)
  return (err.message:gsub("^%S+: ", "", 1))
end

local URL = "http://127.0.0.1:9/x"

-- requests that would smuggle a header or a second request, or send other
-- bytes than were signed
local HOSTILE = {
  { "CR/LF in a header value", { headers = { { "X-Auth-Token", "t\r\nX-Evil: 1" } } }, "CR, LF or NUL" },
  { "a lone LF in a header value", { headers = { { "X-A", "a\nb" } } }, "CR, LF or NUL" },
  { "a NUL in a header value", { headers = { { "X-A", "a\0b" } } }, "CR, LF or NUL" },
  { "CR/LF in a map header value", { headers = { ["X-A"] = "1\r\n\r\nGET / HTTP/1.1" } }, "CR, LF or NUL" },
  { "a colon in a header name", { headers = { { "X-A: 1\r\nX-B", "2" } } }, "bad header name" },
  { "a NUL in a header name", { headers = { { "X-A\0", "2" } } }, "bad header name" },
  { "an empty header name", { headers = { { "", "2" } } }, "empty name" },
  { "CR/LF in the URL", { url = URL .. "?a=1 HTTP/1.1\r\nHost: x\r\n\r\nDELETE /y" }, "'url'" },
  { "a NUL in the URL", { url = URL .. "?a=1\0b" }, "'url'" },
  { "a space in the URL", { url = URL .. "?a=1 b" }, "'url'" },
  { "a tab in the URL", { url = URL .. "\t" }, "'url'" },
  { "DEL in the URL", { url = URL .. "\127" }, "'url'" },
  { "a space in the method", { method = "GET /x HTTP/1.1\r\n" }, "bad method" },
  { "a NUL in the method", { method = "GE\0T" }, "bad method" },
  { "a method of 16 letters", { method = ("A"):rep(16) }, "bad method" },
  { "a non-http URL", { url = "file:///etc/passwd" }, "http:// or https://" },
  { "a Content-Length shorter than the body", { method = "POST", body = "x\r\n\r\nDELETE /y HTTP/1.1\r\n\r\n",
    headers = { { "Content-Length", "1" } } }, "body's length %(27%)" },
  { "a Content-Length with no body", { headers = { { "content-length", "5" } } }, "body's length %(0%)" },
  { "a Transfer-Encoding header", { method = "POST", body = "0\r\n\r\n",
    headers = { { "Transfer-Encoding", "chunked" } } }, "Transfer%-Encoding" },
  { "a table body", { body = {} }, "'body'" },
  { "a header that is not a pair", { headers = { "X-A: 1" } }, "headers%[1%]" },
  { "a header value that is not a string", { headers = { { "X-A", 1 } } }, "pairs of strings" },
}

local function request(extra)
  local req = { method = "GET", url = URL, headers = { { "X-A", "1" } } }
  for k, v in pairs(extra) do req[k] = v end
  return req
end

describe("core.check_request", function()
  it("accepts an ordinary request, with a list or a map of headers and a body", function()
    assert.is_nil(core.check_request({ method = "post", url = "https://h.test/v1/x?a=%20b", body = "{}",
      headers = { { "Content-Type", "application/json" }, { "X_Under", "" } } }))
    assert.is_nil(core.check_request({ method = "GET", url = URL, headers = { ["X-A"] = "1" } }))
    assert.is_nil(core.check_request({ method = "GET", url = URL }))
    assert.is_nil(core.check_request({ method = "PUT", url = URL, body = "abc", headers = { { "Content-Length", "3" } } }))
  end)

  for _, case in ipairs(HOSTILE) do
    it("refuses " .. case[1], function()
      local err = refusal(core.check_request, request(case[2]))
      assert.matches(case[3], err.message)
      assert.matches("^hwcloud%.core%.check_request: ", err.message)
      assert.is_nil(tostring(err.message):find("X-Evil", 1, true), "the value is not echoed")
    end)
  end

  it("names the function given as its second argument", function()
    local err = refusal(core.check_request, request({ url = URL .. " " }), "my.transport:send")
    assert.matches("^my%.transport:send: 'url'", err.message)
  end)
end)

describe("session:send runs the same check before sending anything", function()
  local server = server_helper.start()
  local s = core.session{ timeout = 5 }
  teardown(function() s:close(); server.stop() end)

  for _, case in ipairs(HOSTILE) do
    it("refuses " .. case[1] .. " with the check_request error", function()
      local req = request(case[2])
      if req.url == URL then req.url = server.url .. "/echo" end
      local err = refusal(s.send, s, req)
      assert.matches("^session:send: ", err.message)
      assert.are.equal(reason(refusal(core.check_request, req)), reason(err))
    end)
  end
end)
