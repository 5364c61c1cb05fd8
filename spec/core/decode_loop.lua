-- Run under valgrind by decode_spec.lua: every path of core.decode (the
-- string cache, escapes unescaped on the C stack and in a scratch userdata,
-- numbers through strtod with a heap copy, errors at every depth) in a loop,
-- with an aggressive garbage collector.
package.cpath = "build/?.so;" .. package.cpath
local core = require "hwcloud.core"
collectgarbage("incremental", 0, 100) -- collect all the time

local items = {}
for i = 1, 100 do items[i] = ('{"id":%d,"status":"available","x":[%d.5,-0,1e-400,null,true,false]}'):format(i, i) end
local texts = {
  "[" .. table.concat(items, ",") .. "]",
  '"' .. string.rep("\\u00e9\\ud83d\\ude00\\n", 100) .. '"',
  '"' .. string.rep("a", 300) .. '\\t"',
  "0." .. string.rep("3", 300),
  "[9223372036854775807,-9223372036854775808,18446744073709551616,4.9e-324]",
  string.rep("[", 1000) .. string.rep("]", 1000),
  ((string.rep("[" .. string.rep("1,", 30), 300) .. string.rep("]", 300)):gsub(",%]", "]")),
}
texts[#texts + 1] = "[" .. string.rep(texts[1] .. ",", 100) .. "0]" -- over 256 KB: the collector paused
local broken = { '{"a":', "[1 2]", "1e400", '"' .. string.rep("a", 300) .. '\\x"', '"\\ud800"',
  string.rep("[", 1001), "[" .. table.concat(items, ",") .. ",]", '{"a":[1,{"b":"\t"}]}', texts[#texts] .. "," }
for _ = 1, 3 do
  for _, t in ipairs(texts) do assert(pcall(core.decode, t)) end
  for _, t in ipairs(broken) do
    local ok, err = pcall(core.decode, t)
    assert(not ok and err.kind == "decode", t)
  end
end
collectgarbage()
print("decode loop done")
