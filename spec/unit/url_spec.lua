-- hwcloud.url, the Lua side's one reading of a URL (endpoints, the cosocket
-- transport and redaction use it), next to the core's (src/hwc_url.c): the
-- same split, the user information ending at the last '@'.
local core = require "hwcloud.core"
local urls = require "hwcloud.url"
local redact = require "hwcloud.redact"

describe("hwcloud.url", function()
  -- url, scheme, host[:port], rest, userinfo
  local splits = {
    { "https://vpcep.cn-north-4.myhuaweicloud.com/v1/p?limit=1#f", "https",
      "vpcep.cn-north-4.myhuaweicloud.com", "/v1/p?limit=1#f", nil },
    { "http://127.0.0.1:8080", "http", "127.0.0.1:8080", "", nil },
    { "http://u:p@127.0.0.1/x", "http", "127.0.0.1", "/x", "u:p" },
    { "http://u:p@ss@127.0.0.1?q=@", "http", "127.0.0.1", "?q=@", "u:p@ss" },
    { "https://[::1]:8443/a", "https", "[::1]:8443", "/a", nil },
    { "HTTP://Host/", "HTTP", "Host", "/", nil },
  }
  for _, c in ipairs(splits) do
    it("splits " .. c[1], function()
      assert.are.same({ c[2], c[3], c[4], c[5] }, { urls.split(c[1]) })
    end)
  end

  it("returns nil for a URL without scheme://", function()
    assert.is_nil(urls.split("example.com/x"))
  end)

  it("reads host and port", function()
    assert.are.same({ "h", "" }, { urls.host_port("h") })
    assert.are.same({ "h", "80" }, { urls.host_port("h:80") })
    assert.are.same({ "[::1]", "443" }, { urls.host_port("[::1]:443") })
    assert.is_nil(urls.host_port("h:x"))
    assert.is_nil(urls.host_port(""))
    assert.is_nil(urls.host_port("[::1"))
  end)

  it("escapes like the signer's E", function()
    assert.are.equal("a%20b%2F%25~-._%C3%A9", urls.escape("a b/%~-._\195\169"))
    assert.are.equal("a%20b/c", urls.escape_class("a b/c", "[ ]"))
  end)

  it("takes the user information off the same way as the core", function()
    for _, u in ipairs({ "http://u:p@ss@127.0.0.1/x?a=1", "http://u@h:1/", "http://h/@x" }) do
      local _, hostport, rest, userinfo = urls.split(u)
      local core_url = core.http_error{ status = 400, url = u }.url
      assert.are.equal(userinfo and ("http://" .. hostport .. rest) or u, core_url)
      assert.is_nil(redact.url(u):find("ss@", 1, true))
    end
  end)
end)
