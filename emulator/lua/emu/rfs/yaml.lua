-- YAML for the RFS emulator's yamlencode and yamldecode functions
-- (https://developer.hashicorp.com/terraform/language/functions/yamldecode).
-- Encoding follows the output Terraform documents: block style, map keys
-- sorted and double-quoted, strings double-quoted, "[]"/"{}" for empty
-- collections. Decoding covers one document of block mappings and
-- sequences, flow collections, plain, quoted, literal (|) and folded (>)
-- scalars and comments; plain scalars resolve as YAML 1.2's core schema
-- (null, booleans, numbers, else strings). Anchors, aliases, tags and
-- several documents are refused. Errors are raised as {eval_error = message}.
-- Pure Lua.

local V = require("emu.rfs.values")
local regex = require("emu.rfs.regex")

local M = {}

local MAX_DEPTH = 100 -- nested block collections a document may have

local function fail(msg) error({ eval_error = "Invalid function argument; " .. msg }, 0) end

-- ------------------------------------------------------------ encode

local function quoted(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    local named = { ['"'] = '\\"', ["\\"] = "\\\\", ["\n"] = "\\n", ["\t"] = "\\t", ["\r"] = "\\r" }
    return named[c] or string.format("\\x%02X", c:byte())
  end) .. '"'
end

local function scalar(v)
  if v == V.NULL or v == nil then return "null" end
  if type(v) == "string" then return quoted(v) end
  if V.is_number(v) then return V.number_text(v) end
  return tostring(v)
end

local function is_empty_coll(v)
  return (V.is_list(v) or V.is_map(v)) and next(v) == nil
end

local emit

-- a value after "key:" or "- ": inline for scalars and empty collections
local function emit_value(v, indent, out, after_dash)
  if (V.is_list(v) or V.is_map(v)) and not is_empty_coll(v) then
    if after_dash and V.is_map(v) then
      emit(v, indent, out, true)
    else
      out[#out + 1] = "\n"
      emit(v, indent, out, false)
    end
  else
    out[#out + 1] = " " .. (is_empty_coll(v) and (V.is_list(v) and "[]" or "{}") or scalar(v)) .. "\n"
  end
end

emit = function(v, indent, out, continue_line)
  local pad = string.rep(" ", indent)
  if V.is_list(v) then
    for _, x in ipairs(v) do
      out[#out + 1] = pad .. "-"
      emit_value(x, indent + 2, out, true)
    end
  else
    for i, k in ipairs(V.keys(v)) do
      out[#out + 1] = ((continue_line and i == 1) and " " or pad) .. quoted(tostring(k)) .. ":"
      local x = v[k]
      emit_value(x, V.is_map(x) and indent + 2 or indent, out, false)
    end
  end
end

--- yamlencode(value)
function M.encode(v)
  if v == V.UNKNOWN then return v end
  if is_empty_coll(v) then return V.is_list(v) and "[]\n" or "{}\n" end
  if not (V.is_list(v) or V.is_map(v)) then
    local s = scalar(v)
    if type(v) == "string" then return s .. "\n" end
    return s .. "\n...\n"
  end
  local out = {}
  emit(v, 0, out, false)
  return table.concat(out)
end

-- ------------------------------------------------------------ decode

local function resolve_plain(s)
  if s == "" or s == "~" or s == "null" or s == "Null" or s == "NULL" then return V.NULL end
  if s == "true" or s == "True" or s == "TRUE" then return true end
  if s == "false" or s == "False" or s == "FALSE" then return false end
  if s:match("^[-+]?%d+$") or s:match("^[-+]?%d*%.%d+$") or s:match("^[-+]?%d+%.%d*$") or s:match("^[-+]?%d*%.?%d+[eE][-+]?%d+$") then
    return tonumber(s)
  end
  if s:match("^0x%x+$") then return tonumber(s:sub(3), 16) end
  if s:match("^0o[0-7]+$") then return tonumber(s:sub(3), 8) end
  return s
end

local function unquote_double(s, line)
  local out, i = {}, 1
  while i <= #s do
    local c = s:sub(i, i)
    if c == "\\" then
      local n = s:sub(i + 1, i + 1)
      local map = { n = "\n", t = "\t", r = "\r", ['"'] = '"', ["\\"] = "\\", ["/"] = "/", ["0"] = "\0", [" "] = " " }
      if map[n] then out[#out + 1] = map[n]; i = i + 2
      elseif n == "x" then out[#out + 1] = string.char(tonumber(s:sub(i + 2, i + 3), 16) or 63); i = i + 4
      elseif n == "u" then
        local cp = tonumber(s:sub(i + 2, i + 5), 16) or 63
        out[#out + 1] = regex.utf8_text({ cp }, 1, 1)
        i = i + 6
      else fail("yamldecode: on line " .. line .. ", found unknown escape character") end
    else
      out[#out + 1] = c; i = i + 1
    end
  end
  return table.concat(out)
end

-- strip a comment that starts with " #" outside quotes
local function strip_comment(s)
  local q
  for i = 1, #s do
    local c = s:sub(i, i)
    if q then
      if c == q then q = nil end
    elseif c == '"' or c == "'" then q = c
    elseif c == "#" and (i == 1 or s:sub(i - 1, i - 1):match("%s")) then
      return s:sub(1, i - 1)
    end
  end
  return s
end

local flow -- forward

-- a scalar or flow collection written inline
local function inline(text, line)
  text = text:match("^%s*(.-)%s*$")
  local c = text:sub(1, 1)
  if c == '"' then
    if text:sub(-1) ~= '"' or #text < 2 then fail("yamldecode: on line " .. line .. ", found unexpected end of stream") end
    return unquote_double(text:sub(2, -2), line)
  end
  if c == "'" then
    if text:sub(-1) ~= "'" or #text < 2 then fail("yamldecode: on line " .. line .. ", found unexpected end of stream") end
    return (text:sub(2, -2):gsub("''", "'"))
  end
  if c == "[" or c == "{" then
    local v, pos = flow(text, 1, line)
    if text:sub(pos):match("%S") then fail("yamldecode: on line " .. line .. ", did not find expected ',' or ']'") end
    return v
  end
  if c == "&" or c == "*" or c == "!" then fail("yamldecode: on line " .. line .. ", anchors, aliases and tags are not supported by the emulator") end
  return resolve_plain(text)
end

flow = function(s, pos, line, depth)
  depth = depth or 1
  if depth > MAX_DEPTH then fail("yamldecode: the document nests more than " .. MAX_DEPTH .. " levels") end
  local function ws() pos = s:find("[^%s]", pos) or (#s + 1) end
  ws()
  local open = s:sub(pos, pos)
  local close = open == "[" and "]" or "}"
  local out = open == "[" and V.list() or V.map()
  pos = pos + 1
  while true do
    ws()
    if s:sub(pos, pos) == close then return out, pos + 1 end
    local function item()
      ws()
      local c = s:sub(pos, pos)
      if c == "[" or c == "{" then
        local v
        v, pos = flow(s, pos, line, depth + 1)
        return v
      end
      local e
      if c == '"' or c == "'" then
        e = pos + 1
        while true do
          local q = s:find(c, e, true)
          if not q then fail("yamldecode: on line " .. line .. ", found unexpected end of stream") end
          if c == '"' and s:sub(q - 1, q - 1) == "\\" then e = q + 1
          elseif c == "'" and s:sub(q + 1, q + 1) == "'" then e = q + 2
          else e = q; break end
        end
        local t = s:sub(pos, e)
        pos = e + 1
        return inline(t, line)
      end
      e = s:find("[,:%]}]", pos) or (#s + 1)
      if s:sub(e, e) == ":" and not s:sub(e + 1, e + 1):match("%s") and open == "[" then e = s:find("[,%]]", pos) or (#s + 1) end
      local t = s:sub(pos, e - 1)
      pos = e
      return resolve_plain(t:match("^%s*(.-)%s*$"))
    end
    if open == "[" then
      out[#out + 1] = item()
    else
      local k = item()
      ws()
      if s:sub(pos, pos) ~= ":" then fail("yamldecode: on line " .. line .. ", did not find expected ':'") end
      pos = pos + 1
      out[V.to_text(k)] = item()
    end
    ws()
    local c = s:sub(pos, pos)
    if c == "," then pos = pos + 1
    elseif c ~= close then fail("yamldecode: on line " .. line .. ", did not find expected ',' or '" .. close .. "'") end
  end
end

-- The decoder's state is {body = the document's lines, i = the next line,
-- depth}: each reader below starts at body[i] and leaves i after what it read.

-- the lines of the one document text holds (an optional leading "---", an
-- optional "..." end; directives skipped)
local function document_lines(text)
  local lines = {}
  local n = 0
  for raw in (text .. "\n"):gmatch("(.-)\r?\n") do
    n = n + 1
    lines[#lines + 1] = { raw = raw, no = n }
  end
  local docs = 0
  local body = {}
  for _, l in ipairs(lines) do
    if l.raw:match("^%-%-%-%s*$") or l.raw:match("^%-%-%-%s") then
      docs = docs + 1
      if docs > 1 or #body > 0 and docs == 1 and body.content then fail("yamldecode: unexpected extra content after value") end
      local rest = l.raw:sub(4)
      if rest:match("%S") then body[#body + 1] = { raw = rest, no = l.no } end
    elseif l.raw:match("^%.%.%.%s*$") then
      break
    elseif l.raw:match("^%%") then
      -- directive
    else
      body[#body + 1] = l
      if strip_comment(l.raw):match("%S") then body.content = true end
    end
  end
  return body
end

local function skip_blank(y)
  while y.body[y.i] and not strip_comment(y.body[y.i].raw):match("%S") do y.i = y.i + 1 end
end

local function indent_of(l) return #l.raw:match("^ *") end

-- the lines of a folded (>) block scalar joined: single line breaks fold into spaces
local function folded(parts)
  local out = {}
  for k, p in ipairs(parts) do
    if k > 1 then out[#out + 1] = (p == "" or parts[k - 1] == "") and "\n" or " " end
    out[#out + 1] = p
  end
  return (table.concat(out):gsub("\n\n", "\n"))
end

-- a literal (|) or folded (>) block scalar whose header is at body[i - 1]
local function block_scalar(y, header, parent_indent)
  local body = y.body
  local style, chomp = header:sub(1, 1), header:match("[+-]")
  local parts, ind = {}, nil
  while body[y.i] do
    local raw = body[y.i].raw
    if raw:match("^%s*$") then parts[#parts + 1] = ""; y.i = y.i + 1
    else
      local d = #raw:match("^ *")
      if d <= parent_indent then break end
      ind = ind or d
      if d < ind then break end
      parts[#parts + 1] = raw:sub(ind + 1)
      y.i = y.i + 1
    end
  end
  local trailing = 0
  while #parts > 0 and parts[#parts] == "" do parts[#parts] = nil; trailing = trailing + 1 end
  local s = style == "|" and table.concat(parts, "\n") or folded(parts)
  if #parts == 0 then return "" end
  if chomp == "-" then return s end
  if chomp == "+" then return s .. string.rep("\n", trailing + 1) end
  return s .. "\n"
end

local block

-- the value after "key:" or "- " on line l (rest is the text after the indicator)
local function value_after(y, rest, indent, line)
  rest = strip_comment(rest)
  local r = rest:match("^%s*(.-)%s*$")
  if r == "" then
    skip_blank(y)
    local nl = y.body[y.i]
    if nl and (indent_of(nl) > indent or (indent_of(nl) == indent and nl.raw:match("^ *%- ") or nl.raw:match("^ *%-$"))) then
      return block(y, indent_of(nl))
    end
    return V.NULL
  end
  if r:sub(1, 1) == "|" or r:sub(1, 1) == ">" then return block_scalar(y, r, indent) end
  return inline(r, line)
end

-- a line that is the whole value (a scalar or flow collection): nothing may follow
local function whole(y, t, l)
  y.i = y.i + 1
  local v = inline(t, l.no)
  skip_blank(y)
  if y.body[y.i] then fail("yamldecode: on line " .. y.body[y.i].no .. ", did not find expected <document start>") end
  return v
end

local function is_dash(text) return text:match("^%-%s") or text == "-" end

-- a block sequence: "- " items at this indent
local function block_sequence(y, indent)
  local body = y.body
  local out = V.list()
  while body[y.i] and indent_of(body[y.i]) == indent and is_dash(body[y.i].raw:sub(indent + 1)) do
    local l = body[y.i]
    local rest = l.raw:sub(indent + 2)
    y.i = y.i + 1
    local inner = rest:match("^(%s*)")
    local r = strip_comment(rest):match("^%s*(.-)%s*$")
    if r:match("^[^\"'%[{][^:]*:%s") or r:match("^[^\"'%[{][^:]*:$") or r:match('^"[^"]*":') then
      -- a mapping starting on the dash line: re-read it as a block at the deeper indent
      y.i = y.i - 1
      body[y.i] = { raw = string.rep(" ", indent + 1 + #inner) .. rest:sub(#inner + 1), no = l.no }
      out[#out + 1] = block(y, indent + 1 + #inner)
    else
      out[#out + 1] = value_after(y, rest, indent, l.no)
    end
    skip_blank(y)
  end
  return out
end

-- the key of a mapping line t (quoted or plain) and the text after its ":"
-- (nil, nil when a plain line has no ":")
local function mapping_key(t, l)
  if t:sub(1, 1) == '"' or t:sub(1, 1) == "'" then
    local q = t:sub(1, 1)
    local e = t:find(q .. "%s*:", 2)
    if not e then fail("yamldecode: on line " .. l.no .. ", could not find expected ':'") end
    return inline(t:sub(1, e), l.no), (t:sub(e + 1):gsub("^%s*:", "", 1))
  end
  local k, r = t:match("^(.-):%s(.*)$")
  if not k then k, r = t:match("^(.-):$") end
  if not k then return nil, nil end
  return resolve_plain(k:match("^%s*(.-)%s*$")), r or ""
end

-- a block mapping at this indent, or a scalar or flow collection on its own line
local function block_mapping(y, indent)
  local body = y.body
  local out = V.map()
  local is_map = false
  while body[y.i] and indent_of(body[y.i]) == indent do
    local l = body[y.i]
    local t = strip_comment(l.raw:sub(indent + 1))
    if not is_map and (t:sub(1, 1) == "[" or t:sub(1, 1) == "{") then return whole(y, t, l) end
    local key, rest = mapping_key(t, l)
    if rest == nil then
      if not is_map then return whole(y, t, l) end
      fail("yamldecode: on line " .. l.no .. ", could not find expected ':'")
    end
    is_map = true
    y.i = y.i + 1
    local ks = V.to_text(key)
    if out[ks] ~= nil then fail("yamldecode: on line " .. l.no .. ", mapping key " .. V.quote(ks) .. " already defined") end
    out[ks] = value_after(y, rest, indent, l.no)
    skip_blank(y)
  end
  if body[y.i] and indent_of(body[y.i]) > indent then
    fail("yamldecode: on line " .. body[y.i].no .. ", mapping values are not allowed in this context")
  end
  return out
end

-- the block collection (or scalar) at this indent, at most MAX_DEPTH deep
block = function(y, indent)
  y.depth = y.depth + 1
  if y.depth > MAX_DEPTH then fail("yamldecode: the document nests more than " .. MAX_DEPTH .. " levels") end
  local v
  skip_blank(y)
  local first = y.body[y.i]
  if not first then
    v = V.NULL
  elseif is_dash(first.raw:sub(indent + 1)) then
    v = block_sequence(y, indent)
  else
    v = block_mapping(y, indent)
  end
  y.depth = y.depth - 1
  return v
end

--- yamldecode(text)
function M.decode(text)
  local y = { body = document_lines(text), i = 1, depth = 0 }
  skip_blank(y)
  if not y.body[y.i] then return V.NULL end
  local v = block(y, indent_of(y.body[y.i]))
  skip_blank(y)
  if y.body[y.i] then fail("yamldecode: on line " .. y.body[y.i].no .. ", did not find expected key") end
  return v
end

return M
