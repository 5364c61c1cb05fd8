-- JSON for the emulator: a small encoder and decoder of our own, so that
-- arrays survive a round trip (decoded arrays are marked, `[]` stays `[]`),
-- `null` has a sentinel, integers are written without a fraction and object
-- keys come out sorted (stable, readable responses). Pure Lua, LuaJIT-safe.

local utf8_char = require("emu.util").utf8_char

local json = {}

local array_mt = { __name = "emu.json.array" }
local null_mt = { __name = "emu.json.null", __tostring = function() return "null" end }

--- The JSON null sentinel.
json.null = setmetatable({}, null_mt)

--- Mark a table as a JSON array and return it.
-- @param t table (created when nil)
-- @return t
function json.array(t)
  return setmetatable(t or {}, array_mt)
end

--- True when t was marked (or decoded) as an array.
function json.is_array(t)
  return type(t) == "table" and getmetatable(t) == array_mt
end

--- A fresh empty array (encodes as []).
function json.empty_array()
  return setmetatable({}, array_mt)
end

-- encoding --------------------------------------------------------------

local escapes = {
  ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\f'] = '\\f',
  ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t',
}

local function escape_char(c)
  return escapes[c] or string.format("\\u%04x", c:byte())
end

local function encode_string(s)
  return '"' .. s:gsub('[%c"\\]', escape_char) .. '"'
end

local function encode_number(n)
  if n ~= n or n == math.huge or n == -math.huge then
    error("emu.json: cannot encode " .. tostring(n), 0)
  end
  if math.type and math.type(n) == "integer" then
    return string.format("%d", n)
  end
  if n == math.floor(n) and n > -2 ^ 63 and n < 2 ^ 63 then
    return string.format("%.0f", n)
  end
  return string.format("%.17g", n)
end

local function is_sequence(t)
  local n = 0
  for k in pairs(t) do
    if type(k) ~= "number" or k < 1 or k ~= math.floor(k) then
      return false
    end
    n = n + 1
  end
  return n > 0 and n == #t
end

local encode_value

local function encode_table(t, depth, seen)
  if seen[t] then error("emu.json: cannot encode a cycle", 0) end
  if depth > 100 then error("emu.json: nesting too deep", 0) end
  seen[t] = true
  local out = {}
  if getmetatable(t) == array_mt or is_sequence(t) then
    for i = 1, #t do
      out[i] = encode_value(t[i], depth + 1, seen)
    end
    seen[t] = nil
    return "[" .. table.concat(out, ",") .. "]"
  end
  local keys = {}
  for k in pairs(t) do
    if type(k) ~= "string" then
      error("emu.json: object key must be a string, got " .. type(k), 0)
    end
    keys[#keys + 1] = k
  end
  table.sort(keys)
  for i, k in ipairs(keys) do
    out[i] = encode_string(k) .. ":" .. encode_value(t[k], depth + 1, seen)
  end
  seen[t] = nil
  return "{" .. table.concat(out, ",") .. "}"
end

encode_value = function(v, depth, seen)
  local tv = type(v)
  if v == nil or v == json.null then
    return "null"
  elseif tv == "boolean" then
    return v and "true" or "false"
  elseif tv == "number" then
    return encode_number(v)
  elseif tv == "string" then
    return encode_string(v)
  elseif tv == "table" then
    return encode_table(v, depth, seen)
  elseif tv == "userdata" and tostring(v) == "userdata: NULL" then
    return "null"  -- cjson.null / ngx.null
  end
  error("emu.json: cannot encode a " .. tv, 0)
end

--- Encode a Lua value as JSON text. Raises on cycles and unsupported types.
function json.encode(v)
  return encode_value(v, 0, {})
end

-- decoding --------------------------------------------------------------

local function decode_error(s, pos, what)
  error(string.format("emu.json: %s at character %d", what, pos), 0)
end

local function skip_ws(s, pos)
  return s:find("[^ \t\r\n]", pos) or #s + 1
end

local simple_escapes = {
  ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t',
}

local function decode_string(s, pos)
  -- pos is at the opening quote
  local buf, i = {}, pos + 1
  while true do
    local j = s:find('["\\%c]', i)
    if not j then decode_error(s, pos, "unterminated string") end
    buf[#buf + 1] = s:sub(i, j - 1)
    local c = s:sub(j, j)
    if c == '"' then
      return table.concat(buf), j + 1
    elseif c == "\\" then
      local e = s:sub(j + 1, j + 1)
      if simple_escapes[e] then
        buf[#buf + 1] = simple_escapes[e]
        i = j + 2
      elseif e == "u" then
        local hex = s:match("^%x%x%x%x", j + 2)
        if not hex then decode_error(s, j, "bad unicode escape") end
        local cp = tonumber(hex, 16)
        i = j + 6
        if cp >= 0xD800 and cp <= 0xDBFF then
          local lo = s:match("^\\u(%x%x%x%x)", i)
          if lo then
            local lcp = tonumber(lo, 16)
            if lcp >= 0xDC00 and lcp <= 0xDFFF then
              cp = 0x10000 + (cp - 0xD800) * 0x400 + (lcp - 0xDC00)
              i = i + 6
            end
          end
        end
        buf[#buf + 1] = utf8_char(cp)
      else
        decode_error(s, j, "bad escape")
      end
    else
      decode_error(s, j, "control character in string")
    end
  end
end

local decode_value

local function decode_number(s, pos)
  local num = s:match("^-?%d+%.?%d*[eE]?[-+]?%d*", pos)
  if not num or num == "" or num == "-" then decode_error(s, pos, "bad number") end
  local n = tonumber(num)
  if not n then decode_error(s, pos, "bad number") end
  if math.type and not num:find("[.eE]") then
    n = math.tointeger(n) or n
  end
  return n, pos + #num
end

local function decode_array(s, pos, depth)
  local arr, n = json.array({}), 0
  pos = skip_ws(s, pos + 1)
  if s:sub(pos, pos) == "]" then return arr, pos + 1 end
  while true do
    local v
    v, pos = decode_value(s, pos, depth + 1)
    n = n + 1
    arr[n] = v
    pos = skip_ws(s, pos)
    local c = s:sub(pos, pos)
    if c == "]" then return arr, pos + 1 end
    if c ~= "," then decode_error(s, pos, "expected ',' or ']'") end
    pos = skip_ws(s, pos + 1)
  end
end

local function decode_object(s, pos, depth)
  local obj = {}
  pos = skip_ws(s, pos + 1)
  if s:sub(pos, pos) == "}" then return obj, pos + 1 end
  while true do
    if s:sub(pos, pos) ~= '"' then decode_error(s, pos, "expected a string key") end
    local k
    k, pos = decode_string(s, pos)
    pos = skip_ws(s, pos)
    if s:sub(pos, pos) ~= ":" then decode_error(s, pos, "expected ':'") end
    local v
    v, pos = decode_value(s, skip_ws(s, pos + 1), depth + 1)
    obj[k] = v
    pos = skip_ws(s, pos)
    local c = s:sub(pos, pos)
    if c == "}" then return obj, pos + 1 end
    if c ~= "," then decode_error(s, pos, "expected ',' or '}'") end
    pos = skip_ws(s, pos + 1)
  end
end

decode_value = function(s, pos, depth)
  if depth > 200 then decode_error(s, pos, "nesting too deep") end
  pos = skip_ws(s, pos)
  local c = s:sub(pos, pos)
  if c == "{" then return decode_object(s, pos, depth)
  elseif c == "[" then return decode_array(s, pos, depth)
  elseif c == '"' then return decode_string(s, pos)
  elseif c == "-" or c:match("%d") then return decode_number(s, pos)
  elseif s:sub(pos, pos + 3) == "true" then return true, pos + 4
  elseif s:sub(pos, pos + 4) == "false" then return false, pos + 5
  elseif s:sub(pos, pos + 3) == "null" then return json.null, pos + 4
  end
  decode_error(s, pos, c == "" and "unexpected end of input" or "unexpected character")
end

--- Decode JSON text. Arrays come back marked (json.is_array), null as json.null.
-- @return value, or nil and an error message
function json.decode(s)
  if type(s) ~= "string" then return nil, "emu.json: expected a string" end
  local ok, v, pos = pcall(decode_value, s, 1, 0)
  if not ok then return nil, v end
  if skip_ws(s, pos) <= #s then
    return nil, string.format("emu.json: trailing garbage at character %d", pos)
  end
  return v
end

return json
