-- Built-in template functions for the RFS emulator's evaluator (a useful subset
-- of Terraform's: strings, numbers, collections, type conversion, encoding,
-- IPv4 CIDR math). Each takes evaluated argument values and returns a value;
-- errors are raised as {eval_error = message}. try/can are special forms in
-- emu.rfs.evaluate. Pure Lua.

local V = require("emu.rfs.values")
local tfjson = require("emu.rfs.tfjson")
local digest = require("emu.rfs.digest")
local yaml = require("emu.rfs.yaml")
local base64 = require("emu.rfs.base64")
local trim = require("emu.util").trim
local regex = require("emu.rfs.regex")
local files = require("emu.rfs.files")
local is_utf8 = require("emu.rfs.validate").is_utf8
local MAX_STRING = require("emu.rfs.hcl").MAX_STRING

local F = {}

-- the length of a string being built grows by n: refuse it past MAX_STRING
-- before the string exists (join and replace multiply their input)
local function grow(size, n, fname)
  size = size + n
  if size > MAX_STRING then
    error({ eval_error = "Invalid function argument; " .. fname .. ": the result would be longer than " ..
      MAX_STRING .. " bytes, the emulator's limit" }, 0)
  end
  return size
end

local function fail(msg) error({ eval_error = msg }, 0) end

local function str(v, fname)
  if type(v) == "string" then return v end
  if V.is_number(v) then return V.number_text(v) end
  if type(v) == "boolean" then return tostring(v) end
  fail("Invalid function argument; " .. (fname or "function") .. ": string required, got " .. V.type_name(v))
end
-- a number as a Lua number (integers past 2^53 round; the functions that
-- keep them exact take them as they are)
local function num(v, fname)
  if type(v) == "number" then return v end
  if V.is_big(v) then return V.to_double(v) end
  if type(v) == "string" and V.parse_number(v) then return V.to_double(V.parse_number(v)) end
  fail("Invalid function argument; " .. (fname or "function") .. ": number required, got " .. V.type_name(v))
end
local function coll(v, fname)
  if V.is_list(v) or V.is_map(v) then return v end
  fail("Invalid function argument; " .. (fname or "function") .. ": collection required, got " .. V.type_name(v))
end
local function list(v, fname)
  if V.is_list(v) then return v end
  fail("Invalid function argument; " .. (fname or "function") .. ": list required, got " .. V.type_name(v))
end
local function map(v, fname)
  if V.is_map(v) then return v end
  fail("Invalid function argument; " .. (fname or "function") .. ": map required, got " .. V.type_name(v))
end

F.str, F.num = str, num

-- numbers
F.log = function(a)
  local x, b = num(a[1], "log"), num(a[2], "log")
  return math.log(x) / math.log(b)
end
F.abs = function(a) return math.abs(num(a[1], "abs")) end
F.ceil = function(a) return math.ceil(num(a[1], "ceil")) end
F.floor = function(a) return math.floor(num(a[1], "floor")) end
F.pow = function(a) return num(a[1], "pow") ^ num(a[2], "pow") end
F.signum = function(a) local n = num(a[1], "signum"); return n > 0 and 1 or (n < 0 and -1 or 0) end
-- max and min: numbers as arguments, or one list of them
local function extreme(name, pick)
  return function(a)
    local args = a
    if #a == 1 and V.is_list(a[1]) then args = a[1] end
    if #args == 0 then fail("Invalid function argument; " .. name .. " needs at least one number") end
    local m = num(args[1], name)
    for i = 2, #args do m = pick(m, num(args[i], name)) end
    return m
  end
end
F.max = extreme("max", math.max)
F.min = extreme("min", math.min)
F.sum = function(a)
  local l = list(a[1], "sum")
  if #l == 0 then fail("Invalid function argument; sum: cannot sum an empty list") end
  local s = 0
  for _, x in ipairs(l) do s = s + num(x, "sum") end
  return s
end
F.parseint = function(a)
  local n = tonumber(str(a[1], "parseint"), num(a[2], "parseint"))
  if not n then fail("Invalid function argument; parseint: cannot parse " .. string.format("%q", a[1])) end
  return n
end

-- strings
-- case mapping of ASCII and of the Latin-1, Greek and Cyrillic letters
-- (two-byte UTF-8), as Go's unicode.ToLower/ToUpper map them
local function map_case(s, lower)
  s = lower and s:lower() or s:upper()
  return (s:gsub("[\195-\211\208-\209][\128-\191]", function(c)
    local cp = (c:byte(1) - 192) * 64 + (c:byte(2) - 128)
    local to = cp
    if lower then
      if (cp >= 0xC0 and cp <= 0xDE and cp ~= 0xD7) or (cp >= 0x391 and cp <= 0x3AB and cp ~= 0x3A2) or (cp >= 0x410 and cp <= 0x42F) then
        to = cp + 32
      elseif cp >= 0x400 and cp <= 0x40F then to = cp + 80 end
    else
      if (cp >= 0xE0 and cp <= 0xFE and cp ~= 0xF7) or (cp >= 0x3B1 and cp <= 0x3CB and cp ~= 0x3C2) or (cp >= 0x430 and cp <= 0x44F) then
        to = cp - 32
      elseif cp >= 0x450 and cp <= 0x45F then to = cp - 80 end
    end
    if to == cp then return c end
    return string.char(192 + math.floor(to / 64), 128 + to % 64)
  end))
end
F.lower = function(a) return map_case(str(a[1], "lower"), true) end
F.upper = function(a) return map_case(str(a[1], "upper"), false) end
F.indent = function(a)
  local n, s = num(a[1], "indent"), str(a[2], "indent")
  local pad = string.rep(" ", n)
  return (s:gsub("\n", "\n" .. pad))
end
F.title = function(a) return (str(a[1], "title"):gsub("(%a)([%w_']*)", function(x, y) return x:upper() .. y end)) end
F.chomp = function(a) return trim(str(a[1], "chomp"), "[\r\n]", "right") end
F.trimspace = function(a) return trim(str(a[1], "trimspace"), "%s") end
F.trim = function(a)
  local s, set = str(a[1], "trim"), str(a[2], "trim")
  if set == "" then return s end
  return trim(s, "[" .. set:gsub("[%]%[%^%-%%]", "%%%0") .. "]")
end
F.trimprefix = function(a)
  local s, p = str(a[1], "trimprefix"), str(a[2], "trimprefix")
  if p ~= "" and s:sub(1, #p) == p then return s:sub(#p + 1) end
  return s
end
F.trimsuffix = function(a)
  local s, p = str(a[1], "trimsuffix"), str(a[2], "trimsuffix")
  if p ~= "" and s:sub(-#p) == p then return s:sub(1, #s - #p) end
  return s
end
F.startswith = function(a) local s, p = str(a[1]), str(a[2]); return s:sub(1, #p) == p end
F.endswith = function(a) local s, p = str(a[1]), str(a[2]); return p == "" or s:sub(-#p) == p end
F.strcontains = function(a) return str(a[1]):find(str(a[2]), 1, true) ~= nil end
-- strrev and substr count characters (code points), not bytes
F.strrev = function(a)
  local cps = regex.codepoints(str(a[1], "strrev"))
  local r = {}
  for i = #cps, 1, -1 do r[#r + 1] = cps[i] end
  return regex.utf8_text(r, 1, #r)
end
F.substr = function(a)
  local cps = regex.codepoints(str(a[1], "substr"))
  local off, len = num(a[2], "substr"), num(a[3], "substr")
  if off < 0 then off = math.max(0, #cps + off) end
  if off >= #cps then return "" end
  local last = len < 0 and #cps or math.min(#cps, off + len)
  return regex.utf8_text(cps, off + 1, last)
end
F.replace = function(a)
  local s, from, to = str(a[1], "replace"), str(a[2], "replace"), str(a[3], "replace")
  if #from >= 2 and from:match("^/.*/$") then return regex.replace(from:sub(2, -2), s, to) end
  if from == "" then return s end
  local out, i, size = {}, 1, 0
  while true do
    local b, e = s:find(from, i, true)
    if not b then out[#out + 1] = s:sub(i); break end
    size = grow(size, b - i + #to, "replace")
    out[#out + 1] = s:sub(i, b - 1); out[#out + 1] = to
    i = e + 1
  end
  return table.concat(out)
end
F.regex = function(a) return regex.regex(str(a[1], "regex"), str(a[2], "regex"), V) end
F.regexall = function(a) return regex.regexall(str(a[1], "regexall"), str(a[2], "regexall"), V) end
F.split = function(a)
  local sep, s = str(a[1], "split"), str(a[2], "split")
  local r = V.list()
  if sep == "" then
    for c in s:gmatch(".") do r[#r + 1] = c end
    return r
  end
  local i = 1
  while true do
    local b, e = s:find(sep, i, true)
    if not b then r[#r + 1] = s:sub(i); break end
    r[#r + 1] = s:sub(i, b - 1)
    i = e + 1
  end
  return r
end
F.join = function(a)
  local sep = str(a[1], "join")
  local parts, size = {}, 0
  for i = 2, #a do
    for _, x in ipairs(list(a[i], "join")) do
      parts[#parts + 1] = str(x, "join")
      size = grow(size, #parts[#parts] + #sep, "join")
    end
  end
  return table.concat(parts, sep)
end

local function fmt_value(spec, v)
  local conv = spec:sub(-1)
  local flags = spec:sub(2, -2)
  if conv == "s" then return string.format("%" .. flags .. "s", str(v, "format")) end
  if conv == "d" then return string.format("%" .. flags .. "d", math.floor(num(v, "format"))) end
  if conv == "f" or conv == "e" or conv == "g" then return string.format("%" .. flags .. conv, num(v, "format")) end
  if conv == "x" or conv == "X" or conv == "o" then return string.format("%" .. flags .. conv, math.floor(num(v, "format"))) end
  if conv == "q" then return V.quote(str(v, "format")) end
  if conv == "t" then return tostring(v == true) end
  if conv == "v" then
    if type(v) == "string" then return v end
    return V.to_text(v)
  end
  if conv == "b" then
    local n, bits = math.floor(num(v, "format")), {}
    if n == 0 then return "0" end
    while n > 0 do bits[#bits + 1] = tostring(n % 2); n = math.floor(n / 2) end
    return string.reverse(table.concat(bits))
  end
  fail("Invalid function argument; format: unsupported verb %" .. conv)
end

F.format = function(a)
  local f = str(a[1], "format")
  local i = 1
  local out = f:gsub("%%([%-%+# 0]*%d*%.?%d*)([%%a-zA-Z])", function(flags, conv)
    if conv == "%" then return "%" end
    i = i + 1
    if a[i] == nil then fail("Invalid function argument; format: not enough arguments for format string") end
    return fmt_value("%" .. flags .. conv, a[i])
  end)
  return out
end
F.formatlist = function(a)
  local n
  for i = 2, #a do
    if V.is_list(a[i]) then
      if n and n ~= #a[i] then fail("Invalid function argument; formatlist: lists must have the same length") end
      n = #a[i]
    end
  end
  n = n or 1
  local r = V.list()
  for j = 1, n do
    local args = { a[1] }
    for i = 2, #a do args[i] = V.is_list(a[i]) and a[i][j] or a[i] end
    r[j] = F.format(args)
  end
  return r
end

-- collections
F.length = function(a)
  local v = a[1]
  if type(v) == "string" then
    local n = 0
    for _ in v:gmatch("[^\128-\191]") do n = n + 1 end
    return n
  end
  if V.is_list(v) then return #v end
  if V.is_map(v) then local n = 0; for _ in pairs(v) do n = n + 1 end; return n end
  fail("Invalid function argument; length: collection or string required, got " .. V.type_name(v))
end
F.concat = function(a)
  local r = V.list()
  for _, l in ipairs(a) do for _, x in ipairs(list(l, "concat")) do r[#r + 1] = x end end
  return r
end
F.contains = function(a)
  for _, x in ipairs(list(a[1], "contains")) do if V.equal(x, a[2]) then return true end end
  return false
end
F.distinct = function(a)
  local r = V.list()
  for _, x in ipairs(list(a[1], "distinct")) do
    local seen = false
    for _, y in ipairs(r) do if V.equal(x, y) then seen = true; break end end
    if not seen then r[#r + 1] = x end
  end
  return r
end
F.element = function(a)
  local l = list(a[1], "element")
  if #l == 0 then fail("Invalid function argument; element: cannot use element function with an empty list") end
  local i = math.floor(num(a[2], "element"))
  if i < 0 then fail("Invalid function argument; element: cannot use element function with a negative index") end
  return l[(i % #l) + 1]
end
F.index = function(a)
  for i, x in ipairs(list(a[1], "index")) do if V.equal(x, a[2]) then return i - 1 end end
  fail("Invalid function argument; index: item not found")
end
F.flatten = function(a)
  local r = V.list()
  local function add(l)
    for _, x in ipairs(l) do if V.is_list(x) then add(x) else r[#r + 1] = x end end
  end
  add(list(a[1], "flatten"))
  return r
end
F.keys = function(a)
  local r = V.list()
  for _, k in ipairs(V.keys(map(a[1], "keys"))) do r[#r + 1] = k end
  return r
end
F.values = function(a)
  local m = map(a[1], "values")
  local r = V.list()
  for _, k in ipairs(V.keys(m)) do r[#r + 1] = m[k] end
  return r
end
F.lookup = function(a)
  local m = map(a[1], "lookup")
  local v = m[str(a[2], "lookup")]
  if v ~= nil then return v end
  if #a >= 3 then return a[3] end
  fail("Invalid function argument; lookup: the given key \"" .. str(a[2]) .. "\" does not exist in the map")
end
F.merge = function(a)
  local r = V.map()
  for _, m in ipairs(a) do
    if not V.is_null(m) then for k, v in pairs(map(m, "merge")) do r[k] = v end end
  end
  return r
end
F.range = function(a)
  local start, stop, step
  if #a == 1 then start, stop, step = 0, num(a[1]), 1
  else start, stop, step = num(a[1]), num(a[2]), a[3] and num(a[3]) or 1 end
  if step == 0 then fail("Invalid function argument; range: step must not be zero") end
  local r = V.list()
  local x = start
  while (step > 0 and x < stop) or (step < 0 and x > stop) do
    r[#r + 1] = x; x = x + step
    if #r > 1024 then fail("Invalid function argument; range: more than 1024 elements") end
  end
  return r
end
F.reverse = function(a)
  local l, r = list(a[1], "reverse"), V.list()
  for i = #l, 1, -1 do r[#r + 1] = l[i] end
  return r
end
F.slice = function(a)
  local l, r = list(a[1], "slice"), V.list()
  local s, e = num(a[2], "slice"), num(a[3], "slice")
  if s < 0 or e > #l or s > e then fail("Invalid function argument; slice: index out of range") end
  for i = s + 1, e do r[#r + 1] = l[i] end
  return r
end
F.sort = function(a)
  local r = V.list()
  for i, x in ipairs(list(a[1], "sort")) do r[i] = str(x, "sort") end
  table.sort(r)
  return r
end
F.compact = function(a)
  local r = V.list()
  for _, x in ipairs(list(a[1], "compact")) do if not V.is_null(x) and x ~= "" then r[#r + 1] = x end end
  return r
end
F.coalesce = function(a)
  for _, x in ipairs(a) do if not V.is_null(x) and x ~= "" then return x end end
  fail("Invalid function argument; coalesce: no non-null, non-empty-string arguments")
end
F.coalescelist = function(a)
  for _, x in ipairs(a) do if V.is_list(x) and #x > 0 then return x end end
  return V.list()
end
F.zipmap = function(a)
  local ks, vs, r = list(a[1], "zipmap"), list(a[2], "zipmap"), V.map()
  if #ks ~= #vs then fail("Invalid function argument; zipmap: lists must have the same length") end
  for i, k in ipairs(ks) do r[str(k, "zipmap")] = vs[i] end
  return r
end
F.one = function(a)
  local l = list(a[1], "one")
  if #l > 1 then fail("Invalid function argument; one: must be a list, set, or tuple value with either zero or one elements") end
  return l[1] == nil and V.NULL or l[1]
end
F.alltrue = function(a)
  for _, x in ipairs(list(a[1], "alltrue")) do if x ~= true and x ~= "true" then return false end end
  return true
end
F.anytrue = function(a)
  for _, x in ipairs(list(a[1], "anytrue")) do if x == true or x == "true" then return true end end
  return false
end
F.chunklist = function(a)
  local l, size = list(a[1], "chunklist"), num(a[2], "chunklist")
  if size < 0 then fail("Invalid function argument; chunklist: the size argument must be positive") end
  local r = V.list()
  if size == 0 then r[1] = V.copy(l); return r end
  for i = 1, #l, size do
    local c = V.list()
    for j = i, math.min(i + size - 1, #l) do c[#c + 1] = l[j] end
    r[#r + 1] = c
  end
  return r
end
F.matchkeys = function(a)
  local vals, keys, search = list(a[1], "matchkeys"), list(a[2], "matchkeys"), list(a[3], "matchkeys")
  if #vals ~= #keys then fail("Invalid function argument; matchkeys: length of keys and values should be equal") end
  local r = V.list()
  for i, k in ipairs(keys) do
    for _, x in ipairs(search) do if V.equal(k, x) then r[#r + 1] = vals[i]; break end end
  end
  return r
end
F.transpose = function(a)
  local r = V.map()
  local m = map(a[1], "transpose")
  for _, k in ipairs(V.keys(m)) do
    for _, v in ipairs(list(m[k], "transpose")) do
      local key = str(v, "transpose")
      r[key] = r[key] or V.list()
      r[key][#r[key] + 1] = k
    end
  end
  for k, l in pairs(r) do r[k] = F.toset({ l }) end
  return r
end
F.setunion = function(a)
  local r = V.list()
  for _, l in ipairs(a) do for _, x in ipairs(list(l, "setunion")) do r[#r + 1] = x end end
  return F.toset({ r })
end
local function member(l, x)
  for _, y in ipairs(l) do if V.equal(x, y) then return true end end
  return false
end
F.setintersection = function(a)
  if #a == 0 then fail("Invalid function argument; setintersection: at least one set is required") end
  local r = V.list()
  for _, x in ipairs(list(a[1], "setintersection")) do
    local all = true
    for i = 2, #a do if not member(list(a[i], "setintersection"), x) then all = false; break end end
    if all then r[#r + 1] = x end
  end
  return F.toset({ r })
end
F.setsubtract = function(a)
  local r = V.list()
  local minus = list(a[2], "setsubtract")
  for _, x in ipairs(list(a[1], "setsubtract")) do if not member(minus, x) then r[#r + 1] = x end end
  return F.toset({ r })
end
-- every combination, one element of each argument, in argument order
F.setproduct = function(a)
  if #a < 2 then fail("Invalid function argument; setproduct: at least two arguments are required") end
  local r = V.list({ V.list() })
  for _, l in ipairs(a) do
    local items = list(l, "setproduct")
    local nr = V.list()
    for _, prefix in ipairs(r) do
      for _, x in ipairs(items) do
        local c = V.list()
        for i, y in ipairs(prefix) do c[i] = y end
        c[#c + 1] = x
        nr[#nr + 1] = c
      end
    end
    if #nr > 10000 then fail("Invalid function argument; setproduct: more than 10000 combinations") end
    r = nr
  end
  return r
end

-- type conversion
F.tostring = function(a)
  if V.is_null(a[1]) then return V.NULL end
  return str(a[1], "tostring")
end
F.tonumber = function(a)
  if V.is_null(a[1]) then return V.NULL end
  if V.is_number(a[1]) then return a[1] end
  local n = type(a[1]) == "string" and V.parse_number(a[1])
  if not n then fail("Invalid function argument; tonumber: cannot convert " .. V.to_json(a[1]) .. " to number") end
  return n
end
F.tobool = function(a)
  local v = a[1]
  if V.is_null(v) then return V.NULL end
  if v == true or v == "true" then return true end
  if v == false or v == "false" then return false end
  fail("Invalid function argument; tobool: cannot convert " .. V.to_json(v) .. " to bool")
end
F.tolist = function(a)
  local r = V.list()
  for i, x in ipairs(coll(a[1], "tolist")) do r[i] = x end
  if V.is_map(a[1]) then fail("Invalid function argument; tolist: cannot convert a map to a list") end
  return r
end
-- Sets of strings or numbers are ordered (cty orders them lexically and
-- numerically); other element types keep their first-seen order.
F.toset = function(a)
  local r = V.set(F.distinct({ F.tolist(a) }))
  local kind = type(r[1])
  for _, x in ipairs(r) do if type(x) ~= kind then kind = nil; break end end
  if kind == "string" or kind == "number" then table.sort(r) end
  return r
end
-- tomap unifies the element types: any string makes every primitive a string
F.tomap = function(a)
  local m = V.map(V.copy(map(a[1], "tomap")))
  local strings, others = false, false
  for _, v in pairs(m) do
    if type(v) == "string" then strings = true elseif V.is_number(v) or type(v) == "boolean" then others = true end
  end
  if strings and others then
    for k, v in pairs(m) do if V.is_number(v) or type(v) == "boolean" then m[k] = str(v) end end
  end
  return m
end

-- encoding
-- Go's encoder escapes <, >, & and the line/paragraph separators
F.jsonencode = function(a)
  return (V.to_json(a[1]):gsub("[<>&]", { ["<"] = "\\u003c", [">"] = "\\u003e", ["&"] = "\\u0026" })
    :gsub("\226\128\168", "\\u2028"):gsub("\226\128\169", "\\u2029"))
end
local function from_json(node)
  local j = node.j
  if j == "str" or j == "num" or j == "bool" then return node.v end
  if j == "null" then return V.NULL end
  if j == "arr" then
    local r = V.list()
    for i, it in ipairs(node.items) do r[i] = from_json(it) end
    return r
  end
  local r = V.map()
  for _, k in ipairs(node.keys) do r[k] = from_json(node.vals[k]) end
  return r
end
F.jsondecode = function(a)
  local ok, node = pcall(tfjson.decode, str(a[1], "jsondecode"), "jsondecode")
  if not ok then fail("Invalid function argument; jsondecode: " .. tostring(node.hcl_error or node)) end
  return from_json(node)
end
F.from_json_node = from_json
F.yamlencode = function(a) return yaml.encode(a[1]) end
F.yamldecode = function(a) return yaml.decode(str(a[1], "yamldecode")) end

-- base64 (emu.rfs.base64); base64decode first drops what is outside the alphabet
F.base64encode = function(a) return base64.encode(str(a[1], "base64encode")) end
F.base64gzip = function(a)
  local s = str(a[1], "base64gzip")
  local z, why = require("emu.rfs.gzip").gzip(s)
  if not z then fail("Invalid function argument; base64gzip: " .. why) end
  return F.base64encode({ z })
end
F.base64decode = function(a)
  local out = base64.decode((str(a[1], "base64decode"):gsub("[^%w%+/=]", "")))
  if not out then fail("Invalid function argument; base64decode: invalid base64 data") end
  return out
end

-- rsadecrypt(base64 ciphertext, PEM private key), PKCS #1 v1.5 (emu.rfs.rsa)
F.rsadecrypt = function(a)
  local b64text, key = str(a[1], "rsadecrypt"), str(a[2], "rsadecrypt")
  local bare = b64text:gsub("%s", "")
  if #bare % 4 ~= 0 or not bare:match("^[%w%+/]*=?=?$") then
    fail("Invalid function argument; rsadecrypt: failed to decode input " .. V.quote(b64text) .. ": cipher text must be base64-encoded")
  end
  local plain, kind, why = require("emu.rfs.rsa").decrypt(F.base64decode({ bare }), key)
  if plain then return plain end
  if kind == "key" then fail("Invalid function argument; rsadecrypt: invalid private key: " .. why) end
  if kind == "decrypt" then fail("Invalid function argument; rsadecrypt: failed to decrypt: " .. why) end
  fail("Invalid function argument; rsadecrypt: " .. why)
end

-- IPv4 CIDR helpers
local function parse_cidr(s, fname)
  local a, b, c, d, bits = str(s, fname):match("^(%d+)%.(%d+)%.(%d+)%.(%d+)/(%d+)$")
  if not a then fail("Invalid function argument; " .. fname .. ": invalid CIDR address " .. string.format("%q", s) .. " (only IPv4 is supported by the emulator)") end
  local ip = ((tonumber(a) * 256 + tonumber(b)) * 256 + tonumber(c)) * 256 + tonumber(d)
  bits = tonumber(bits)
  if bits > 32 then fail("Invalid function argument; " .. fname .. ": invalid prefix length") end
  local size = 2 ^ (32 - bits)
  return ip - ip % size, bits
end
local function ip_text(n)
  return string.format("%d.%d.%d.%d", math.floor(n / 16777216) % 256, math.floor(n / 65536) % 256,
    math.floor(n / 256) % 256, n % 256)
end
F.cidrsubnet = function(a)
  local base, bits = parse_cidr(a[1], "cidrsubnet")
  local newbits, netnum = num(a[2], "cidrsubnet"), num(a[3], "cidrsubnet")
  local nb = bits + newbits
  if nb > 32 then fail("Invalid function argument; cidrsubnet: not enough remaining address space") end
  if netnum >= 2 ^ newbits then fail("Invalid function argument; cidrsubnet: network number too large") end
  return ip_text(base + netnum * 2 ^ (32 - nb)) .. "/" .. nb
end
F.cidrhost = function(a)
  local base, bits = parse_cidr(a[1], "cidrhost")
  local n = num(a[2], "cidrhost")
  local size = 2 ^ (32 - bits)
  if n < 0 then n = size + n end
  if n >= size then fail("Invalid function argument; cidrhost: host number too large") end
  return ip_text(base + n)
end
F.cidrnetmask = function(a)
  local _, bits = parse_cidr(a[1], "cidrnetmask")
  return ip_text(2 ^ 32 - 2 ^ (32 - bits))
end

-- time (RFC 3339 timestamps, https://developer.hashicorp.com/terraform/language/functions/formatdate)

-- days since 1970-01-01 of a civil date (proleptic Gregorian)
local function days_from_civil(y, m, d)
  y = m <= 2 and y - 1 or y
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local mp = (m + 9) % 12
  local doy = math.floor((153 * mp + 2) / 5) + d - 1
  local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
end

local function civil_from_days(z)
  z = z + 719468
  local era = math.floor(z / 146097)
  local doe = z - era * 146097
  local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
  local y = yoe + era * 400
  local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
  local mp = math.floor((5 * doy + 2) / 153)
  local d = doy - math.floor((153 * mp + 2) / 5) + 1
  local m = mp < 10 and mp + 3 or mp - 9
  return m <= 2 and y + 1 or y, m, d
end

-- parse an RFC 3339 timestamp: seconds since the epoch (UTC), fraction text, offset seconds
local function parse_time(s, fname)
  local y, mo, d, h, mi, sec, frac, zone = str(s, fname):match("^(%d%d%d%d)%-(%d%d)%-(%d%d)[Tt](%d%d):(%d%d):(%d%d)(%.?%d*)(.*)$")
  local off
  if zone == "Z" or zone == "z" then off = 0
  elseif zone then
    local sign, zh, zm = zone:match("^([%+%-])(%d%d):(%d%d)$")
    if sign then off = (tonumber(zh) * 3600 + tonumber(zm) * 60) * (sign == "-" and -1 or 1) end
  end
  if not off then
    fail("Invalid function argument; " .. fname .. ": not a valid RFC3339 timestamp: " .. V.quote(s))
  end
  local t = days_from_civil(tonumber(y), tonumber(mo), tonumber(d)) * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(sec)
  return t - off, frac, off
end

local MONTHS = { "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
  "November", "December" }
local DAYS = { "Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday" }

local function pad(n, w) return string.format("%0" .. w .. "d", n) end

F.formatdate = function(a)
  local spec = str(a[1], "formatdate")
  local utc, _, off = parse_time(a[2], "formatdate")
  local local_t = utc + off
  local days = math.floor(local_t / 86400)
  local secs = local_t - days * 86400
  local y, m, d = civil_from_days(days)
  local h, mi, sec = math.floor(secs / 3600), math.floor(secs / 60) % 60, secs % 60
  local wd = (days + 4) % 7 + 1
  local function zone(colon)
    if off == 0 then return "Z" end
    local sign = off < 0 and "-" or "+"
    local o = math.abs(off)
    return sign .. pad(math.floor(o / 3600), 2) .. (colon and ":" or "") .. pad(math.floor(o / 60) % 60, 2)
  end
  local out, i = {}, 1
  while i <= #spec do
    local c = spec:sub(i, i)
    if c == "'" and spec:sub(i + 1, i + 1) == "'" then
      out[#out + 1] = "'"
      i = i + 2
    elseif c == "'" then
      -- a quoted literal; '' inside it is a quote
      local j = i + 1
      while true do
        local ch = spec:sub(j, j)
        if ch == "" then fail("Invalid function argument; formatdate: unterminated literal '") end
        if ch == "'" and spec:sub(j + 1, j + 1) == "'" then out[#out + 1] = "'"; j = j + 2
        elseif ch == "'" then j = j + 1; break
        else out[#out + 1] = ch; j = j + 1 end
      end
      i = j
    elseif c:match("%a") then
      local j = i
      while spec:sub(j + 1, j + 1) == c do j = j + 1 end
      local tok = spec:sub(i, j)
      local map = {
        YYYY = pad(y, 4), YY = pad(y % 100, 2), MMMM = MONTHS[m], MMM = MONTHS[m]:sub(1, 3), MM = pad(m, 2),
        M = tostring(m), DD = pad(d, 2), D = tostring(d), EEEE = DAYS[wd], EEE = DAYS[wd]:sub(1, 3),
        hh = pad(h, 2), h = tostring(h), HH = pad((h + 11) % 12 + 1, 2), H = tostring((h + 11) % 12 + 1),
        AA = h < 12 and "AM" or "PM", aa = h < 12 and "am" or "pm", mm = pad(mi, 2), m = tostring(mi),
        ss = pad(sec, 2), s = tostring(sec), ZZZZZ = zone(true), ZZZZ = zone(false),
        ZZZ = off == 0 and "UTC" or zone(false), Z = zone(true),
      }
      if not map[tok] then fail("Invalid function argument; formatdate: invalid date format verb " .. V.quote(tok)) end
      out[#out + 1] = map[tok]
      i = j + 1
    else
      out[#out + 1] = c
      i = i + 1
    end
  end
  return table.concat(out)
end

-- Go duration text ("1h30m", "-10s", "1.5h") in seconds
local function duration(s)
  local text = str(s, "timeadd")
  local sign, rest = text:match("^([%+%-]?)(.+)$")
  local total, units = 0, { h = 3600, m = 60, s = 1, ms = 0.001, us = 1e-6, ["µs"] = 1e-6, ns = 1e-9 }
  local pos = 1
  while pos <= #rest do
    local n, u, e = rest:match("^(%d*%.?%d+)(%a+)()", pos)
    if not n and rest:sub(pos):match("^%d*%.?%d+µs") then n, u = rest:match("^(%d*%.?%d+)(µs)", pos); e = pos + #n + #u end
    if not n or not units[u] then fail("Invalid function argument; timeadd: time: invalid duration " .. V.quote(text)) end
    total = total + tonumber(n) * units[u]
    pos = e
  end
  if rest == "0" then total = 0 elseif pos == 1 then fail("Invalid function argument; timeadd: time: invalid duration " .. V.quote(text)) end
  return sign == "-" and -total or total
end

local function rfc3339(t, frac)
  local days = math.floor(t / 86400)
  local secs = t - days * 86400
  local y, m, d = civil_from_days(days)
  return string.format("%04d-%02d-%02dT%02d:%02d:%02d%sZ", y, m, d, math.floor(secs / 3600), math.floor(secs / 60) % 60,
    math.floor(secs % 60), frac or "")
end

F.timeadd = function(a)
  local t, frac = parse_time(a[1], "timeadd")
  local r = t + duration(a[2])
  local whole = math.floor(r)
  if whole ~= r then frac = string.format("%.9f", r - whole):sub(2):gsub("0+$", "") end
  return rfc3339(whole, frac ~= "" and frac or nil)
end

F.timecmp = function(a)
  local x, fx = parse_time(a[1], "timecmp")
  local y, fy = parse_time(a[2], "timecmp")
  x, y = x + (tonumber("0" .. fx) or 0), y + (tonumber("0" .. fy) or 0)
  if x < y then return -1 elseif x > y then return 1 end
  return 0
end

-- IPv4 cidrsubnets: consecutive subnets of the given sizes, each aligned
F.cidrsubnets = function(a)
  local base, bits = parse_cidr(a[1], "cidrsubnets")
  local r = V.list()
  local next_ip = base
  local limit = base + 2 ^ (32 - bits)
  for i = 2, #a do
    local nb = bits + num(a[i], "cidrsubnets")
    if nb > 32 then fail("Invalid function argument; cidrsubnets: would extend prefix to " .. nb .. " bits, which is too long for an IPv4 address") end
    local size = 2 ^ (32 - nb)
    local start = math.ceil(next_ip / size) * size
    if start + size > limit then fail("Invalid function argument; cidrsubnets: not enough remaining address space for a subnet with a prefix of " .. nb .. " bits after " .. ip_text(start - 1)) end
    r[#r + 1] = ip_text(start) .. "/" .. nb
    next_ip = start + size
  end
  return r
end

-- strings as URL query parts (Go's url.QueryEscape: spaces become "+")
F.urlencode = function(a)
  return (str(a[1], "urlencode"):gsub("[^%w%-%._~ ]", function(c) return string.format("%%%02X", c:byte()) end):gsub(" ", "+"))
end
F.textencodebase64 = function(a)
  local enc = string.upper(str(a[2], "textencodebase64"))
  if enc ~= "UTF-8" then fail("Invalid function argument; textencodebase64: the emulator encodes UTF-8 only") end
  return F.base64encode({ a[1] })
end
F.textdecodebase64 = function(a)
  local enc = string.upper(str(a[2], "textdecodebase64"))
  if enc ~= "UTF-8" then fail("Invalid function argument; textdecodebase64: the emulator decodes UTF-8 only") end
  return F.base64decode({ a[1] })
end

-- RFC 4180 CSV with a header row: a list of maps of strings
F.csvdecode = function(a)
  local s = str(a[1], "csvdecode")
  local rows, row, field, i, quoted = {}, {}, {}, 1, false
  local function end_field() row[#row + 1] = table.concat(field); field = {} end
  while i <= #s do
    local c = s:sub(i, i)
    if quoted then
      if c == '"' and s:sub(i + 1, i + 1) == '"' then field[#field + 1] = '"'; i = i + 1
      elseif c == '"' then quoted = false
      else field[#field + 1] = c end
    elseif c == '"' then quoted = true
    elseif c == "," then end_field()
    elseif c == "\n" or c == "\r" then
      if c == "\r" and s:sub(i + 1, i + 1) == "\n" then i = i + 1 end
      end_field(); rows[#rows + 1] = row; row = {}
    else field[#field + 1] = c end
    i = i + 1
  end
  if quoted then fail("Invalid function argument; csvdecode: extraneous or missing \" in quoted-field") end
  if #field > 0 or #row > 0 then end_field(); rows[#rows + 1] = row end
  local r = V.list()
  local head = rows[1]
  if not head then fail("Invalid function argument; csvdecode: missing header line") end
  for n = 2, #rows do
    if #rows[n] ~= #head then fail("Invalid function argument; csvdecode: record on line " .. n .. ": wrong number of fields") end
    local m = V.map()
    for j, k in ipairs(head) do m[k] = rows[n][j] end
    r[#r + 1] = m
  end
  return r
end

-- paths (pure text; the emulator has no file system for templates)
F.basename = function(a)
  local p = str(a[1], "basename"):gsub("/+$", "")
  if p == "" then return "/" end
  return (p:match("([^/]*)$"))
end
F.dirname = function(a)
  local p = str(a[1], "dirname")
  local d = p:match("^(.*)/[^/]*$")
  if d == nil then return "." end
  if d == "" then return "/" end
  return d
end

-- sensitivity: the evaluator applies the marks of sensitive, nonsensitive and
-- issensitive itself (emu.rfs.evaluate, MARKING); on unmarked values these
-- pass values through
F.sensitive = function(a) return a[1] end
F.nonsensitive = function(a) return a[1] end
F.issensitive = function() return false end
F.ephemeralasnull = function(a) return a[1] end

-- hashes (https://developer.hashicorp.com/terraform/language/functions/sha256):
-- lower-case hex, or base64 of the raw digest. Pure-Lua digests are slow, so
-- the emulator hashes at most MAX_HASHED bytes (about 0.3 s for SHA-512 under LuaJIT).
F.MAX_HASHED = 256 * 1024
local function hashed(v, fname)
  local s = str(v, fname)
  if #s > F.MAX_HASHED then
    fail("Invalid function argument; " .. fname .. ": the emulator hashes at most " .. F.MAX_HASHED .. " bytes, got " .. #s)
  end
  return s
end
F.md5 = function(a) return digest.hex(digest.md5(hashed(a[1], "md5"))) end
F.sha1 = function(a) return digest.hex(digest.sha1(hashed(a[1], "sha1"))) end
F.sha256 = function(a) return digest.hex(digest.sha256(hashed(a[1], "sha256"))) end
F.base64sha256 = function(a) return F.base64encode({ digest.sha256(hashed(a[1], "base64sha256")) }) end
F.sha512 = function(a) return digest.hex(digest.sha512(hashed(a[1], "sha512"))) end
F.base64sha512 = function(a) return F.base64encode({ digest.sha512(hashed(a[1], "base64sha512")) }) end

-- name-based UUIDs (RFC 4122 §4.3, SHA-1) in the dns/url/oid/x500 namespaces or a given one
local NAMESPACES = { dns = "6ba7b810-9dad-11d1-80b4-00c04fd430c8", url = "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
  oid = "6ba7b812-9dad-11d1-80b4-00c04fd430c8", x500 = "6ba7b814-9dad-11d1-80b4-00c04fd430c8" }
F.uuidv5 = function(a)
  local ns, name = str(a[1], "uuidv5"), hashed(a[2], "uuidv5")
  ns = NAMESPACES[ns] or ns
  local hex = ns:gsub("-", "")
  if not hex:match("^%x+$") or #hex ~= 32 then
    fail("Invalid function argument; uuidv5: uuidv5() doesn't support namespace " .. V.quote(a[1]))
  end
  local raw = hex:gsub("%x%x", function(h) return string.char(tonumber(h, 16)) end)
  local h = digest.hex(digest.sha1(raw .. name)):sub(1, 32)
  local b6 = tonumber(h:sub(13, 14), 16) % 16 + 0x50
  local b8 = tonumber(h:sub(17, 18), 16) % 64 + 0x80
  h = h:sub(1, 12) .. string.format("%02x", b6) .. h:sub(15, 16) .. string.format("%02x", b8) .. h:sub(19)
  return h:sub(1, 8) .. "-" .. h:sub(9, 12) .. "-" .. h:sub(13, 16) .. "-" .. h:sub(17, 20) .. "-" .. h:sub(21, 32)
end

-- misc
F.timestamp = function() return require("emu.util").iso(require("emu.clock").now()) end
F.plantimestamp = F.timestamp
F.uuid = function()
  local t = {}
  for i = 1, 32 do t[i] = string.format("%x", math.random(0, 15)) end
  local s = table.concat(t)
  return s:sub(1, 8) .. "-" .. s:sub(9, 12) .. "-4" .. s:sub(14, 16) .. "-a" .. s:sub(18, 20) .. "-" .. s:sub(21, 32)
end

-- files of a .zip template (emu.rfs.files; templatefile is a special form of
-- emu.rfs.evaluate, it evaluates the file as a template)
-- (https://developer.hashicorp.com/terraform/language/functions/file)
F.file = function(a, ctx)
  local path = str(a[1], "file")
  local content = files.read(ctx, path, "file")
  if not is_utf8(content) then
    fail("Invalid function argument; file: contents of " .. path .. " are not valid UTF-8; use the filebase64 " ..
      "function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) " ..
      "to obtain file hashing results instead")
  end
  return content
end
F.fileexists = function(a, ctx) return files.exists(ctx, str(a[1], "fileexists"), "fileexists") end
F.fileset = function(a, ctx)
  return F.toset({ V.list(files.fileset(ctx, str(a[1], "fileset"), str(a[2], "fileset"), "fileset")) })
end
F.filebase64 = function(a, ctx) return F.base64encode({ files.read(ctx, str(a[1], "filebase64"), "filebase64") }) end
-- filemd5(path) is md5(file(path)) without the UTF-8 rule, and so on
for _, h in ipairs({ "md5", "sha1", "sha256", "sha512", "base64sha256", "base64sha512" }) do
  local fname = "file" .. h
  F[fname] = function(a, ctx) return F[h]({ files.read(ctx, str(a[1], fname), fname) }) end
end

return F
