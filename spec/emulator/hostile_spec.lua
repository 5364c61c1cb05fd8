-- Hostile input against a running emulator (issue 7): template files over the
-- documented size, huge counts and long lines refused or served at once
-- (findings 4 and 5), and secrets in query strings kept out of every log it
-- writes (finding 14).
local emu = require "spec.helpers.emulator"
local S = require "spec.emulator.rfs_support"

local read_file = emu.read_file

describe("emulator under hostile input", function()
  local e
  setup(function() e = S.start() end)
  teardown(function() e.stop() end)
  before_each(function() e.reset() end)

  local function upload(content, name)
    local up = e.send({ method = "POST", url = e.endpoint .. "/_rfs/blobs?file_name=" .. (name or "main.tf"),
      headers = { { "Content-Type", "application/octet-stream" } }, body = content })
    assert.equal(201, up.status)
    return up.body.url
  end

  -- create a stack; its deployment must fail with a template error matching pattern
  local function deployment_fails(name, body, pattern)
    body.stack_name = name
    assert.equal(201, e.rfs("POST", "/stacks", body).status)
    local s = e.stack(name)
    assert.equal("DEPLOYMENT_FAILED", s.status)
    assert.matches(pattern, s.status_message)
    assert.is_nil(s.status_message:find("%.lua"))
  end

  describe("template size (RFS API reference, CreateStack limits)", function()
    it("refuses a template_uri file over 1 MB with RF.10011013", function()
      local big = "# " .. string.rep("x", 1024 * 1024) .. "\n"
      local r = e.rfs("POST", "/stacks", { stack_name = "big", template_uri = upload(big) })
      assert.equal(400, r.status)
      assert.equal("RF.10011013", r.code)
      r = e.rfs("POST", "/templates", { template_name = "big", template_uri = upload(big) })
      assert.equal("RF.10011013", r.code)
    end)

    it("refuses a vars_uri file over 1 MB with RF.10011014", function()
      local big = "# " .. string.rep("x", 1024 * 1024) .. "\n"
      local r = e.rfs("POST", "/stacks", { stack_name = "bigvars", template_body = S.VPC_TF,
        vars_uri = upload(big, "vars.tfvars") })
      assert.equal(400, r.status)
      assert.equal("RF.10011014", r.code)
    end)

    it("deploys a 1 MB template with a heredoc line of inner spaces (was quadratic)", function()
      local line = "a" .. string.rep(" ", 1000 * 1000) .. "b"
      local tf = 'resource "huaweicloud_vpc" "v" {\n  name = "v"\n  description = <<EOT\n' .. line .. "\nEOT\n}\n"
      local r = e.rfs("POST", "/stacks", { stack_name = "wide", template_uri = upload(tf) })
      assert.equal(201, r.status)
      assert.equal("DEPLOYMENT_COMPLETE", e.stack("wide").status)
    end)
  end)

  describe("count", function()
    it("fails a deployment with count = 99999999 as a template error, at once", function()
      deployment_fails("huge", { template_body = 'resource "huaweicloud_vpc" "v" {\n name = "v"\n count = 99999999\n}\n' },
        "rfs_max_count")
    end)

    it("follows the rfs_max_count setting", function()
      e.settings({ rfs_max_count = 3 })
      local tf = 'resource "huaweicloud_vpc" "v" {\n name = "v"\n count = 4\n}\n'
      deployment_fails("four", { template_body = tf }, "at most 3 instances")
      e.settings({ rfs_max_count = 4 })
      assert.equal(201, e.rfs("POST", "/stacks", { stack_name = "four2", template_body = tf }).status)
      assert.equal("DEPLOYMENT_COMPLETE", e.stack("four2").status)
    end)

    it("reports a deeply nested .tf.json as a template error without internal paths", function()
      local deep = 100000
      local tf = '{"locals": {"x": ' .. string.rep("[", deep) .. string.rep("]", deep) .. "}}"
      deployment_fails("deep", { template_uri = upload(tf, "main.tf.json") }, "Nesting too deep")
      -- the calls that check a template at once answer 400 with the same message
      local body = '{"variable": {"v": {"default": ' .. string.rep("[", 20000) .. string.rep("]", 20000) .. "}}}"
      for _, call in ipairs({ { "/templates", { template_name = "deep", template_body = body } },
                              { "/template-analyses/variables", { template_body = body } } }) do
        local r = e.rfs("POST", call[1], call[2])
        assert.equal(400, r.status, call[1])
        assert.matches("Nesting too deep", r.message)
        assert.is_nil(r.message:find("%.lua"))
      end
    end)
  end)

  describe("long lines", function()
    -- the old trim was quadratic in inner spaces: one such header took 16 s,
    -- these seven about two minutes
    it("verifies 7 signed header values with 60,000 inner spaces each", function()
      local headers = { { "Client-Request-Id", S.crid() } }
      for i = 1, 7 do headers[#headers + 1] = { "X-Wide-" .. i, "a" .. string.rep(" ", 60000) .. "b" } end
      local res = e.call("GET", "/v1/" .. e.project_id .. "/stacks", nil, { headers = headers })
      assert.equal(200, res.status)
      local _, log = e.control("GET", "/_emulator/requests?limit=1")
      assert.matches("x%-wide%-7", log.requests[1].headers.authorization)
    end)
  end)

  describe("logs", function()
    it("keeps secret query parameters out of access.log and the request log", function()
      local secret = "Tok-" .. tostring(os.time()) .. "-never-logged"
      local res = e.call("GET", "/v1/" .. e.project_id .. "/stacks?token=" .. secret ..
        "&X-Auth-Token=" .. secret .. "&limit=1&Signature=" .. secret)
      assert.is_number(res.status)
      local _, log = e.control("GET", "/_emulator/requests?limit=1")
      local uri = log.requests[1].uri
      assert.matches("token=***", uri, 1, true)
      assert.matches("limit=1", uri, 1, true)
      assert.is_nil(uri:find(secret, 1, true))
      -- nginx writes access.log when the request is done: read until our line is there
      local text
      for _ = 1, 100 do
        text = read_file(e.state_dir .. "/logs/access.log")
        if text:find("limit=1", 1, true) then break end
        os.execute("sleep 0.02")
      end
      assert.matches("/stacks?token=***&X-Auth-Token=***&limit=1&Signature=***", text, 1, true)
      assert.is_nil(text:find(secret, 1, true))
      assert.is_nil(read_file(e.state_dir .. "/logs/error.log"):find(secret, 1, true))
    end)
  end)
end)
