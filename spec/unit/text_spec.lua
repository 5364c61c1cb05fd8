-- hwcloud.text: the linear trims that replace `^%s*(.-)%s*$` for strings
-- from outside (issue 7, finding 4). Their speed on 60,000 spaces is a
-- figure the report measures, not a timed test; here: the same results as
-- the pattern they replace.
local text = require "hwcloud.text"

describe("hwcloud.text", function()
  local cases = { "", " ", "a", " a ", "\t\r\n a b \v\f", "a  b", ("  x  "):rep(3), "\0 a \0" }

  it("trims exactly like ^%s*(.-)%s*$", function()
    for _, s in ipairs(cases) do
      assert.are.equal(s:match("^%s*(.-)%s*$"), text.trim(s))
    end
  end)

  it("trims a range of a longer string like the pattern trims the piece", function()
    for _, c in ipairs(cases) do
      local s = "x:" .. c .. "\r\ny"
      local i, j = text.trim_range(s, 3, 2 + #c)
      assert.are.equal(c:match("^%s*(.-)%s*$"), s:sub(i, j))
      assert.is_true(i >= 3 and j <= 2 + #c)
    end
  end)

  it("right-trims exactly like %s+$", function()
    for _, s in ipairs(cases) do
      assert.are.equal((s:gsub("%s+$", "")), text.rtrim(s))
    end
  end)

  it("strips a trailing byte like gsub('/+$', '')", function()
    for _, s in ipairs({ "", "/", "a", "a/", "/a//", "//a/b///", ("/"):rep(5) .. "x" .. ("/"):rep(5) }) do
      assert.are.equal((s:gsub("/+$", "")), text.rstrip(s, "/"))
    end
    assert.are.equal("a" .. ("/"):rep(60000) .. "b", text.rstrip("a" .. ("/"):rep(60000) .. "b//", "/"))
  end)

  it("keeps inner white space of a long value", function()
    local inner = "1" .. (" "):rep(60000) .. "2"
    assert.are.equal(inner, text.trim((" "):rep(60000) .. inner .. (" "):rep(60000)))
    assert.are.equal("", text.trim((" "):rep(60000)))
  end)
end)
