-- hwcloud.keys: the one rule for unknown keys in the tables a user writes
-- (issue 13, item 4): detection, the closest known name, the message.
local keys = require "hwcloud.keys"

describe("hwcloud.keys", function()
  local FIELDS = { query = true, headers = true, max_retries = true, method = true, path = true,
                   body = true, dry_run = true, service = true }

  it("finds the first unknown key, nil when all are known", function()
    assert.is_nil(keys.unknown({}, FIELDS))
    assert.is_nil(keys.unknown({ query = 1, headers = {}, path = "/" }, FIELDS))
    assert.equal("querry", keys.unknown({ path = "/", querry = 1 }, FIELDS))
    assert.equal(1, keys.unknown({ "x" }, FIELDS))
  end)

  it("proposes the closest name for the usual typos", function()
    assert.equal("query", keys.closest("querry", FIELDS))         -- doubled letter
    assert.equal("headers", keys.closest("hedaers", FIELDS))      -- swapped neighbours
    assert.equal("max_retries", keys.closest("max_retires", FIELDS))
    assert.equal("dry_run", keys.closest("dryrun", FIELDS))       -- missing letter
    assert.equal("body", keys.closest("bdy", FIELDS))
  end)

  it("proposes nothing when no name is near, or for a non-string key", function()
    assert.is_nil(keys.closest("timeout", FIELDS))
    assert.is_nil(keys.closest("x", FIELDS))
    assert.is_nil(keys.closest(1, FIELDS))
    assert.is_nil(keys.closest("anything", {}))
    assert.is_nil(keys.closest(("q"):rep(65), { [("q"):rep(64)] = true }))
  end)

  it("takes another edit limit when asked", function()
    local regions = { ["cn-north-4"] = true, ["cn-east-3"] = true }
    assert.equal("cn-north-4", keys.closest("cn-nort-4", regions, 2))
    assert.equal("cn-north-4", keys.closest("cn-nrt-44", regions, 3))
    assert.is_nil(keys.closest("cn-nrt-44", regions, 2))
  end)

  it("breaks ties by byte order, whatever the table order", function()
    for _ = 1, 20 do
      local set = {}
      for _, k in ipairs({ "cab", "bab", "dab", "aab" }) do set[k] = true end
      assert.equal("aab", keys.closest("xab", set))
    end
  end)

  it("words the message with the table's prefix", function()
    assert.equal("unknown field req.querry (did you mean req.query?)",
      keys.message("field", "querry", FIELDS, "req."))
    assert.equal("unknown option opts.zzz", keys.message("option", "zzz", FIELDS, "opts."))
    assert.equal("unknown field templat_file (did you mean template_file?)",
      keys.message("field", "templat_file", { template_file = true, stack_name = true }))
    assert.equal("req has a non-name key 1", keys.message("field", 1, FIELDS, "req."))
    assert.equal("argument table has a non-name key true", keys.message("field", true, FIELDS))
  end)
end)
