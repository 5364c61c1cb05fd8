-- HCL parser for the RFS emulator: turns Terraform-style native syntax (.tf,
-- .tfvars) into a body tree of attributes and blocks whose values are
-- expression nodes (evaluated later by emu.rfs.evaluate). Covers comments,
-- strings with "${...}" interpolation and escapes, heredocs, numbers, bools,
-- null, lists, objects, references with .attr / [index] / splats, function
-- calls, unary/binary/conditional operators and for-expressions. Errors are
-- raised as {hcl_error = "file:line,col: Summary; detail"}. Pure Lua.

local trim = require("emu.util").trim
local utf8_char = require("emu.util").utf8_char
local log = require("emu.log")
local V = require("emu.rfs.values")

local M = {}

local sub, byte, find = string.sub, string.byte, string.find

--- Deepest nesting of expressions, interpolations and blocks a template may
-- use: deeper input is refused as a template error instead of ending in a
-- Lua "stack overflow" (issue 7, finding 5). Terraform documents no limit;
-- real templates stay far below this [INFERRED].
M.MAX_NESTING = 100
--- Longest chain of references evaluated inside one another (local.a uses
-- local.b uses ...; a resource whose arguments need another one) [INFERRED].
M.MAX_REFERENCE_DEPTH = 1000
--- Work one evaluation of a template may do: collection elements iterated by
-- for-expressions and splats or returned by functions, in total [INFERRED].
M.MAX_WORK = 1000000
--- Longest string an expression may build, in bytes [INFERRED].
M.MAX_STRING = 4 * 1024 * 1024

local function fail(src, pos, summary, detail)
  local line, col = 1, 1
  local text = src.text
  local i = 1
  while i < pos and i <= #text do
    if byte(text, i) == 10 then line = line + 1; col = 1 else col = col + 1 end
    i = i + 1
  end
  local msg = string.format("%s:%d,%d: %s", src.name, line + (src.line_offset or 0), col, summary)
  if detail then msg = msg .. "; " .. detail end
  error({ hcl_error = msg }, 0)
end
M.fail = fail

--- The message for a Lua runtime error met while reading or evaluating a
-- template (a bug, or a stack overflow the limits did not catch): callers
-- never see the Lua text, which names internal files (issue 7, finding 5).
function M.internal_message(e)
  log.error("emulator template error: ", e)
  if tostring(e):find("stack overflow", 1, true) then
    return "Nesting too deep; the template nests expressions, blocks or references too deeply"
  end
  return "Invalid template; the emulator could not process this template"
end

-- one level deeper while parsing at pos (src.depth counts for the whole
-- source, across interpolations); leave() when the construct is done
local function enter(src, pos)
  local d = (src.depth or 0) + 1
  if d > M.MAX_NESTING then
    fail(src, pos, "Nesting too deep", "expressions and blocks may nest at most " .. M.MAX_NESTING .. " levels")
  end
  src.depth = d
end
local function leave(src) src.depth = src.depth - 1 end

-- ---------------------------------------------------------------- lexer

local Lexer = {}
Lexer.__index = Lexer

local function new_lexer(src, pos)
  return setmetatable({ src = src, text = src.text, pos = pos or 1, ahead = nil }, Lexer)
end

local three = { ["..."] = true }
local two = {
  ["=="] = true, ["!="] = true, ["<="] = true, [">="] = true, ["&&"] = true,
  ["||"] = true, ["=>"] = true,
}
local one = "{}[]()=,.:?!+-*/%<>~"

local function is_id_start(c)
  return c and (c == 95 or (c >= 65 and c <= 90) or (c >= 97 and c <= 122) or c >= 128)
end
local function is_id_cont(c)
  return is_id_start(c) or (c and ((c >= 48 and c <= 57) or c == 45))
end
local function is_digit(c) return c and c >= 48 and c <= 57 end

-- skip spaces and comments, but not newlines
function Lexer:skip()
  local text = self.text
  while true do
    local c = byte(text, self.pos)
    if c == 32 or c == 9 or c == 13 then
      self.pos = self.pos + 1
    elseif c == 35 or (c == 47 and byte(text, self.pos + 1) == 47) then
      local e = find(text, "\n", self.pos, true)
      self.pos = e or (#text + 1)
    elseif c == 47 and byte(text, self.pos + 1) == 42 then
      local e = find(text, "*/", self.pos + 2, true)
      if not e then fail(self.src, self.pos, "Unterminated template string", "unclosed /* comment") end
      self.pos = e + 2
    else
      return
    end
  end
end

-- Parse template parts from text[pos..] until the closing quote (quoted=true)
-- or the end (heredoc content). Returns parts, position after the end.
local parse_interp, parse_directive -- forward

local function is_space(c) return c == " " or c == "\t" or c == "\n" or c == "\r" end

-- Strip markers (~) and directives (%{if}, %{for}) of a flat part list:
-- strips whitespace next to "~", then nests the directive bodies into
-- {k = "tmpl_if", cond, a, b} and {k = "tmpl_for", key_var, val_var, coll, body}
-- (https://developer.hashicorp.com/terraform/language/expressions/strings#directives).
local function shape_parts(src, flat)
  for i, p in ipairs(flat) do
    if type(p) == "table" and p.lstrip and type(flat[i - 1]) == "string" then
      flat[i - 1] = flat[i - 1]:gsub("[ \t\r\n]+$", "")
    end
    if type(p) == "table" and p.rstrip and type(flat[i + 1]) == "string" then
      flat[i + 1] = flat[i + 1]:gsub("^[ \t\r\n]+", "")
    end
  end
  local i = 1
  local depth = 0
  local function seq(stops)
    local out = {}
    depth = depth + 1
    if depth > M.MAX_NESTING then
      fail(src, flat[i].pos or 1, "Nesting too deep", "template directives may nest at most " .. M.MAX_NESTING .. " levels")
    end
    while i <= #flat do
      local p = flat[i]
      if type(p) == "table" and p.dir then
        if stops[p.dir] then depth = depth - 1; return out, p end
        i = i + 1
        if p.dir == "if" then
          local a, stop = seq({ ["else"] = true, endif = true })
          local b = {}
          if stop and stop.dir == "else" then
            i = i + 1
            b, stop = seq({ endif = true })
          end
          if not stop or stop.dir ~= "endif" then fail(src, p.pos, "Unterminated template directive", "an if directive needs a matching endif") end
          i = i + 1
          out[#out + 1] = { k = "tmpl_if", cond = p.cond, a = a, b = b, pos = p.pos }
        elseif p.dir == "for" then
          local body, stop = seq({ endfor = true })
          if not stop then fail(src, p.pos, "Unterminated template directive", "a for directive needs a matching endfor") end
          i = i + 1
          out[#out + 1] = { k = "tmpl_for", key_var = p.key_var, val_var = p.val_var, coll = p.coll, body = body, pos = p.pos }
        else
          fail(src, p.pos, "Unexpected " .. p.dir .. " directive", "there is no matching opening directive")
        end
      else
        if type(p) ~= "string" or p ~= "" then out[#out + 1] = p end
        i = i + 1
      end
    end
    depth = depth - 1
    return out, nil
  end
  local out = seq({})
  return out
end

local function scan_template(src, pos, quoted, last)
  local text = src.text
  last = last or #text
  local parts, buf = {}, {}
  local has_directive = false
  local function flush()
    if #buf > 0 then parts[#parts + 1] = table.concat(buf); buf = {} end
  end
  while true do
    if pos > last then
      if quoted then fail(src, pos, "Unterminated template string", "a quoted string must end on the same line") end
      break
    end
    local c = sub(text, pos, pos)
    if quoted and c == '"' then pos = pos + 1; break end
    if quoted and c == "\n" then
      fail(src, pos, "Invalid multi-line string", "quoted strings may not span lines; use a heredoc")
    end
    if c == "\\" and quoted then
      local n = sub(text, pos + 1, pos + 1)
      local map = { n = "\n", t = "\t", r = "\r", ['"'] = '"', ["\\"] = "\\" }
      if map[n] then
        buf[#buf + 1] = map[n]; pos = pos + 2
      elseif n == "u" or n == "U" then
        local len = n == "u" and 4 or 8
        local hex = sub(text, pos + 2, pos + 1 + len)
        if #hex ~= len or not hex:match("^%x+$") then fail(src, pos, "Invalid escape sequence", "\\" .. n .. " needs " .. len .. " hex digits") end
        buf[#buf + 1] = utf8_char(tonumber(hex, 16)); pos = pos + 2 + len
      else
        fail(src, pos, "Invalid escape sequence", "the symbol \"" .. n .. "\" is not a valid escape sequence selector")
      end
    elseif c == "$" and sub(text, pos + 1, pos + 2) == "${" then
      buf[#buf + 1] = "${"; pos = pos + 3
    elseif c == "%" and sub(text, pos + 1, pos + 2) == "%{" then
      buf[#buf + 1] = "%{"; pos = pos + 3
    elseif c == "$" and sub(text, pos + 1, pos + 1) == "{" then
      flush()
      local expr, npos, lstrip, rstrip = parse_interp(src, pos + 2)
      if lstrip or rstrip then
        parts[#parts + 1] = { k = "paren", e = expr, pos = expr.pos, lstrip = lstrip, rstrip = rstrip }
      else
        parts[#parts + 1] = expr
      end
      pos = npos
    elseif c == "%" and sub(text, pos + 1, pos + 1) == "{" then
      flush()
      local d, npos = parse_directive(src, pos + 2)
      d.pos = pos
      parts[#parts + 1] = d
      pos = npos
      has_directive = true
    else
      buf[#buf + 1] = c; pos = pos + 1
    end
  end
  flush()
  local stripped = has_directive
  for _, p in ipairs(parts) do if type(p) == "table" and (p.lstrip or p.rstrip) then stripped = true end end
  if stripped then parts = shape_parts(src, parts) end
  return parts, pos
end

local function heredoc(self, start)
  local text = self.text
  local marker_start = start + 2
  local strip = false
  if sub(text, marker_start, marker_start) == "-" then strip = true; marker_start = marker_start + 1 end
  local s, e, marker = find(text, "^([%a_][%w_%-]*)[ \t\r]*\n", marker_start)
  if not s then fail(self.src, start, "Invalid heredoc", "expected an identifier and a newline after <<") end
  local body_start = e + 1
  local pos = body_start
  local lines = {}
  while true do
    if pos > #text then fail(self.src, start, "Unterminated template string", "heredoc " .. marker .. " is never closed") end
    local nl = find(text, "\n", pos, true)
    local line = sub(text, pos, (nl or (#text + 1)) - 1)
    local trimmed = line:gsub("\r$", "")
    if trim(trimmed, "%s") == marker then
      pos = nl and nl or (#text + 1)
      break
    end
    lines[#lines + 1] = trimmed
    pos = (nl or #text) + 1
  end
  if strip then
    local min
    for _, l in ipairs(lines) do
      if l:match("%S") then
        local ws = #l:match("^[ \t]*")
        if not min or ws < min then min = ws end
      end
    end
    min = min or 0
    for i, l in ipairs(lines) do lines[i] = sub(l, min + 1) end
  end
  local content = #lines > 0 and (table.concat(lines, "\n") .. "\n") or ""
  local sub_src = { name = self.src.name, text = content, line_offset = 0, depth = self.src.depth }
  local parts = scan_template(sub_src, 1, false)
  self.pos = pos
  return { t = "tmpl", parts = parts, pos = start }
end

function Lexer:next()
  if self.ahead then
    local t = self.ahead; self.ahead = nil; return t
  end
  self:skip()
  local text, pos = self.text, self.pos
  if pos > #text then return { t = "eof", pos = pos } end
  local c = byte(text, pos)
  if c == 10 then self.pos = pos + 1; return { t = "nl", pos = pos } end
  if c == 34 then
    local parts, npos = scan_template(self.src, pos + 1, true)
    self.pos = npos
    return { t = "tmpl", parts = parts, pos = pos, quoted = true }
  end
  if sub(text, pos, pos + 1) == "<<" and (is_id_start(byte(text, pos + 2)) or sub(text, pos + 2, pos + 2) == "-") then
    return heredoc(self, pos)
  end
  if is_digit(c) then
    local s, e = find(text, "^%d+%.?%d*[eE][%+%-]?%d+", pos)
    if not s then s, e = find(text, "^%d+%.%d+", pos) end
    if not s then s, e = find(text, "^%d+", pos) end
    self.pos = e + 1
    -- integers stay exact past 2^53 (emu.rfs.values)
    return { t = "num", v = V.parse_number(sub(text, s, e)), pos = pos }
  end
  if is_id_start(c) then
    local e = pos
    while is_id_cont(byte(text, e + 1)) do e = e + 1 end
    self.pos = e + 1
    return { t = "id", v = sub(text, pos, e), pos = pos }
  end
  local s3, s2 = sub(text, pos, pos + 2), sub(text, pos, pos + 1)
  if three[s3] then self.pos = pos + 3; return { t = s3, pos = pos } end
  if two[s2] then self.pos = pos + 2; return { t = s2, pos = pos } end
  if find(one, string.char(c), 1, true) then self.pos = pos + 1; return { t = string.char(c), pos = pos } end
  fail(self.src, pos, "Invalid character", "this character is not used within the language: " .. string.format("%q", string.char(c)))
end

function Lexer:peek()
  if not self.ahead then self.ahead = self:next() end
  return self.ahead
end

-- ---------------------------------------------------------------- parser

local Parser = {}
Parser.__index = Parser

local function new_parser(src, pos)
  return setmetatable({ src = src, lx = new_lexer(src, pos), nl_skip = 0 }, Parser)
end

function Parser:peek()
  local t = self.lx:peek()
  while t.t == "nl" and self.nl_skip > 0 do
    self.lx:next(); t = self.lx:peek()
  end
  return t
end

function Parser:next()
  self:peek()
  return self.lx:next()
end

function Parser:expect(kind, what)
  local t = self:next()
  if t.t ~= kind then
    local got = t.t == "nl" and "newline" or t.t == "eof" and "end of file" or (t.v and tostring(t.v)) or t.t
    fail(self.src, t.pos, "Invalid expression", "expected " .. (what or kind) .. ", got " .. got)
  end
  return t
end

function Parser:skip_nl()
  while self.lx:peek().t == "nl" do self.lx:next() end
end

local binprec = {
  ["||"] = 1, ["&&"] = 2, ["=="] = 3, ["!="] = 3,
  ["<"] = 4, [">"] = 4, ["<="] = 4, [">="] = 4,
  ["+"] = 5, ["-"] = 5, ["*"] = 6, ["/"] = 6, ["%"] = 6,
}

local function expr(self)
  local cond = self:binary(1)
  local t = self:peek()
  if t.t == "?" then
    self:next()
    self.nl_skip = self.nl_skip + 1
    local a = self:expr()
    self:expect(":", "':'")
    self.nl_skip = self.nl_skip - 1
    local b = self:expr()
    return { k = "cond", cond = cond, a = a, b = b, pos = t.pos }
  end
  return cond
end

function Parser:expr()
  enter(self.src, self.lx.pos)
  local e = expr(self)
  leave(self.src)
  return e
end

function Parser:binary(minp)
  local left = self:unary()
  while true do
    local t = self:peek()
    local p = binprec[t.t]
    if not p or p < minp then break end
    self:next()
    local right = self:binary(p + 1)
    left = { k = "bin", op = t.t, a = left, b = right, pos = t.pos }
  end
  return left
end

function Parser:unary()
  local t = self:peek()
  if t.t == "-" or t.t == "!" then
    self:next()
    enter(self.src, t.pos)
    local a = self:unary()
    leave(self.src)
    return { k = "un", op = t.t, a = a, pos = t.pos }
  end
  return self:postfix(self:primary())
end

-- the step after a dot (consumed): .name, .0 (legacy index) or .* (legacy
-- splat); returns the new node and whether it is a splat
function Parser:dot_step(node)
  self.lx:next()
  local n = self.lx:next()
  if n.t == "id" then return { k = "attr", obj = node, name = n.v, pos = n.pos }, false end
  if n.t == "num" then return { k = "index", obj = node, key = { k = "lit", v = n.v }, pos = n.pos }, false end
  if n.t == "*" then return self:splat(node, n.pos, true), true end
  fail(self.src, n.pos, "Invalid attribute name", "an attribute name is required after a dot")
end

function Parser:postfix(node)
  while true do
    local t = self.lx:peek() -- no newline skipping needed before a traversal
    if t.t == "." then
      node = self:dot_step(node)
    elseif t.t == "[" then
      self.lx:next()
      self.nl_skip = self.nl_skip + 1
      if self:peek().t == "*" then
        self:next()
        self:expect("]", "']'")
        self.nl_skip = self.nl_skip - 1
        node = self:splat(node, t.pos)
      else
        local key = self:expr()
        self:expect("]", "']'")
        self.nl_skip = self.nl_skip - 1
        node = { k = "index", obj = node, key = key, pos = t.pos }
      end
    else
      return node
    end
  end
end

-- a splat applies the following traversal steps to every element
-- (https://developer.hashicorp.com/terraform/language/expressions/splat):
-- a full splat [*] takes attribute, index and nested splat steps; the legacy
-- attribute-only splat .* takes only attribute steps (.0 included), so in
-- x.*.id[0] the index applies to the resulting list.
function Parser:splat(node, pos, legacy)
  local each = { k = "splat_item" }
  local inner = each
  while true do
    local t = self.lx:peek()
    if t.t == "." then
      local nested
      inner, nested = self:dot_step(inner)
      if nested then break end
    elseif t.t == "[" and not legacy then
      self.lx:next()
      self.nl_skip = self.nl_skip + 1
      if self:peek().t == "*" then
        self:next()
        self:expect("]", "']'")
        self.nl_skip = self.nl_skip - 1
        inner = self:splat(inner, t.pos, false)
        break
      end
      local key = self:expr()
      self:expect("]", "']'")
      self.nl_skip = self.nl_skip - 1
      inner = { k = "index", obj = inner, key = key, pos = t.pos }
    else
      break
    end
  end
  return { k = "splat", obj = node, each = inner, pos = pos }
end

function Parser:for_expr(open, close, pos)
  -- after "[" or "{" and the "for" keyword
  local k1 = self:expect("id", "iterator name").v
  local k2
  if self:peek().t == "," then self:next(); k2 = self:expect("id", "iterator name").v end
  local kw = self:expect("id", "'in'")
  if kw.v ~= "in" then fail(self.src, kw.pos, "Invalid 'for' expression", "expected 'in'") end
  local coll = self:expr()
  self:expect(":", "':'")
  local node = { k = "for", coll = coll, pos = pos, is_map = open == "{" }
  if k2 then node.key_var, node.val_var = k1, k2 else node.val_var = k1 end
  if node.is_map then
    node.key = self:expr()
    self:expect("=>", "'=>'")
    node.value = self:expr()
    if self:peek().t == "..." then self:next(); node.group = true end
  else
    node.value = self:expr()
  end
  local t = self:peek()
  if t.t == "id" and t.v == "if" then
    self:next()
    node.cond = self:expr()
  end
  self:expect(close, "'" .. close .. "'")
  return node
end

-- a quoted string or heredoc token: a literal when it holds no interpolation
local function template_node(t)
  local parts = t.parts
  if #parts == 0 then return { k = "lit", v = "", pos = t.pos } end
  if #parts == 1 and type(parts[1]) == "string" then return { k = "lit", v = parts[1], pos = t.pos } end
  return { k = "tmpl", parts = parts, pos = t.pos }
end

-- after a function's name and "(": the arguments up to ")", the last one
-- possibly expanded with "..."
function Parser:call(t)
  self.lx:next()
  self.nl_skip = self.nl_skip + 1
  local args = {}
  local expand = false
  while self:peek().t ~= ")" do
    args[#args + 1] = self:expr()
    local n = self:peek()
    if n.t == "..." then self:next(); expand = true; n = self:peek() end
    if n.t == "," then self:next() elseif n.t ~= ")" then
      fail(self.src, n.pos, "Missing argument separator", "a comma is required between function arguments")
    end
  end
  self:next()
  self.nl_skip = self.nl_skip - 1
  return { k = "call", name = t.v, args = args, expand = expand, pos = t.pos }
end

-- an identifier: a keyword literal, a function call or a variable
function Parser:identifier(t)
  local v = t.v
  if v == "true" then return { k = "lit", v = true, pos = t.pos } end
  if v == "false" then return { k = "lit", v = false, pos = t.pos } end
  if v == "null" then return { k = "null", pos = t.pos } end
  if self.lx:peek().t == "(" then return self:call(t) end
  return { k = "var", name = v, pos = t.pos }
end

-- after "(": the parenthesized expression
function Parser:paren(t)
  self.nl_skip = self.nl_skip + 1
  local e = self:expr()
  self:expect(")", "')'")
  self.nl_skip = self.nl_skip - 1
  return { k = "paren", e = e, pos = t.pos }
end

-- after "[": a tuple constructor or a list for-expression
function Parser:tuple(t)
  self.nl_skip = self.nl_skip + 1
  local n = self:peek()
  if n.t == "id" and n.v == "for" then
    self:next()
    local f = self:for_expr("[", "]", t.pos)
    self.nl_skip = self.nl_skip - 1
    return f
  end
  local items = {}
  while self:peek().t ~= "]" do
    items[#items + 1] = self:expr()
    local s = self:peek()
    if s.t == "," then self:next() elseif s.t ~= "]" then
      fail(self.src, s.pos, "Missing item separator", "expected a comma to mark the beginning of the next item")
    end
  end
  self:next()
  self.nl_skip = self.nl_skip - 1
  return { k = "list", items = items, pos = t.pos }
end

-- the key = value items of an object constructor up to "}" (newlines
-- separate items here)
function Parser:object_items()
  local items = {}
  while true do
    self:skip_nl()
    if self.lx:peek().t == "}" then self.lx:next(); break end
    self.nl_skip = 0
    local key = self:expr()
    local sep = self:next()
    if sep.t ~= "=" and sep.t ~= ":" then
      fail(self.src, sep.pos, "Missing key/value separator", "expected an equals sign (\"=\") to mark the beginning of the attribute value")
    end
    local value = self:expr()
    self.nl_skip = 0
    items[#items + 1] = { key = key, value = value }
    local s = self.lx:peek()
    if s.t == "," or s.t == "nl" then
      self.lx:next()
    elseif s.t ~= "}" then
      fail(self.src, s.pos, "Missing attribute separator", "expected a newline or comma to mark the beginning of the next attribute")
    end
  end
  return items
end

-- after "{": an object constructor or a map for-expression
function Parser:object(t)
  local saved = self.nl_skip
  self.nl_skip = 0
  self:skip_nl()
  local n = self.lx:peek()
  if n.t == "id" and n.v == "for" then
    self.nl_skip = 1
    self.lx:next()
    local f = self:for_expr("{", "}", t.pos)
    self.nl_skip = saved
    return f
  end
  local items = self:object_items()
  self.nl_skip = saved
  return { k = "obj", items = items, pos = t.pos }
end

-- the start of an expression, by its first token
function Parser:primary()
  local t = self:next()
  local kind = t.t
  if kind == "num" then return { k = "lit", v = t.v, pos = t.pos } end
  if kind == "tmpl" then return template_node(t) end
  if kind == "id" then return self:identifier(t) end
  if kind == "(" then return self:paren(t) end
  if kind == "[" then return self:tuple(t) end
  if kind == "{" then return self:object(t) end
  local got = kind == "nl" and "newline" or kind == "eof" and "end of file" or kind
  fail(self.src, t.pos, "Invalid expression", "expected the start of an expression, but found " .. got)
end

-- after "${": the expression, the position after "}", and the strip markers
parse_interp = function(src, pos)
  -- the marker is read from the text: lexing ahead here would recurse into
  -- nested strings before the nesting limit counts them
  local lstrip = sub(src.text, pos, pos) == "~"
  local p = new_parser(src, lstrip and pos + 1 or pos)
  p.nl_skip = 1
  local e = p:expr()
  local t = p:next()
  local rstrip = t.t == "~"
  if rstrip then t = p:next() end
  if t.t ~= "}" then fail(src, t.pos, "Extra characters after interpolation expression", "expected a closing brace") end
  return e, p.lx.pos, lstrip, rstrip
end

-- after "%{": {dir = "if"|"else"|"endif"|"for"|"endfor", cond | key_var,
-- val_var, coll, lstrip, rstrip} and the position after "}"
parse_directive = function(src, pos)
  local d = { lstrip = sub(src.text, pos, pos) == "~" }
  local p = new_parser(src, d.lstrip and pos + 1 or pos)
  p.nl_skip = 1
  local kw = p:expect("id", "a template directive keyword")
  d.dir = kw.v
  if kw.v == "if" then
    d.cond = p:expr()
  elseif kw.v == "for" then
    local k1 = p:expect("id", "iterator name").v
    if p:peek().t == "," then p:next(); d.key_var = k1; d.val_var = p:expect("id", "iterator name").v
    else d.val_var = k1 end
    local inkw = p:expect("id", "'in'")
    if inkw.v ~= "in" then fail(src, inkw.pos, "Invalid 'for' directive", "expected 'in'") end
    d.coll = p:expr()
  elseif kw.v ~= "else" and kw.v ~= "endif" and kw.v ~= "endfor" then
    fail(src, kw.pos, "Invalid template directive", "a template directive keyword (\"if\", \"for\", etc) is expected at the beginning of a %{ sequence")
  end
  local t = p:next()
  if t.t == "~" then d.rstrip = true; t = p:next() end
  if t.t ~= "}" then fail(src, t.pos, "Extra characters in template directive", "expected a closing brace") end
  return d, p.lx.pos
end

-- body := { attribute | block }
function Parser:body(closing)
  local body = { attrs = {}, attr_order = {}, blocks = {} }
  while true do
    self:skip_nl()
    local t = self.lx:peek()
    if t.t == "eof" then
      if closing then fail(self.src, t.pos, "Unclosed configuration block", "there is no closing brace for this block before the end of the file") end
      break
    end
    if t.t == "}" then
      if not closing then fail(self.src, t.pos, "Argument or block definition required", "an argument or block definition is required here") end
      self.lx:next()
      break
    end
    if t.t ~= "id" then
      fail(self.src, t.pos, "Argument or block definition required", "an argument or block definition is required here")
    end
    self.lx:next()
    local n = self.lx:peek()
    if n.t == "=" then
      self.lx:next()
      if body.attrs[t.v] then fail(self.src, t.pos, "Attribute redefined", "the argument \"" .. t.v .. "\" was already set") end
      local e = self:expr()
      body.attrs[t.v] = { expr = e, pos = t.pos, name = t.v }
      body.attr_order[#body.attr_order + 1] = t.v
      local e2 = self.lx:peek()
      if e2.t == "nl" or e2.t == "eof" then
        if e2.t == "nl" then self.lx:next() end
      elseif e2.t ~= "}" then
        fail(self.src, e2.pos, "Missing newline after argument", "an argument definition must end with a newline")
      end
    else
      local labels = {}
      while true do
        local l = self.lx:next()
        if l.t == "{" then break end
        if l.t == "tmpl" and l.quoted then
          if #l.parts > 1 or (l.parts[1] and type(l.parts[1]) ~= "string") then
            fail(self.src, l.pos, "Invalid block label", "block labels may not contain interpolation")
          end
          labels[#labels + 1] = l.parts[1] or ""
        elseif l.t == "id" then
          labels[#labels + 1] = l.v
        else
          fail(self.src, l.pos, "Invalid block definition", "either a quoted string block label or an opening brace (\"{\") is expected here")
        end
      end
      enter(self.src, t.pos)
      local b = self:body(true)
      leave(self.src)
      body.blocks[#body.blocks + 1] = { type = t.v, labels = labels, body = b, pos = t.pos }
      local e2 = self.lx:peek()
      if e2.t == "nl" then self.lx:next()
      elseif e2.t ~= "eof" and e2.t ~= "}" then
        fail(self.src, e2.pos, "Missing newline after block definition", "a block definition must end with a newline")
      end
    end
  end
  return body
end

--- Parse HCL native syntax.
-- @param text the source
-- @param name file name for messages (default "main.tf")
-- @return body {attrs = {name = {expr, pos}}, attr_order, blocks = {{type, labels, body, pos}}}
-- @raise {hcl_error = message}
function M.parse(text, name)
  local src = { name = name or "main.tf", text = text }
  local p = new_parser(src, 1)
  return p:body(false)
end

--- Parse one standalone expression (used for tf.json string templates and
-- complex variable values given as strings).
function M.parse_expr(text, name)
  local src = { name = name or "<value>", text = text }
  local p = new_parser(src, 1)
  p.nl_skip = 1
  local e = p:expr()
  local t = p:next()
  if t.t ~= "eof" then fail(src, t.pos, "Extra characters after expression", "expected end of input") end
  return e
end

--- Parse a string as a template (the content of a JSON string in .tf.json).
function M.parse_template(text, name)
  local src = { name = name or "main.tf.json", text = text }
  local parts = scan_template(src, 1, false)
  if #parts == 0 then return { k = "lit", v = "" } end
  if #parts == 1 and type(parts[1]) == "string" then return { k = "lit", v = parts[1] } end
  return { k = "tmpl", parts = parts }
end

local render_parts

--- Render an expression node back to source text (for validation conditions
-- and type expressions).
function M.render(e)
  local k = e.k
  if k == "lit" then
    if type(e.v) == "string" then return string.format("%q", e.v) end
    return tostring(e.v)
  elseif k == "null" then return "null"
  elseif k == "var" then return e.name
  elseif k == "attr" then return M.render(e.obj) .. "." .. e.name
  elseif k == "index" then return M.render(e.obj) .. "[" .. M.render(e.key) .. "]"
  elseif k == "splat" then return M.render(e.obj) .. "[*]" .. M.render(e.each):gsub("^%*", "")
  elseif k == "splat_item" then return "*"
  elseif k == "paren" then return "(" .. M.render(e.e) .. ")"
  elseif k == "un" then return e.op .. M.render(e.a)
  elseif k == "bin" then return M.render(e.a) .. " " .. e.op .. " " .. M.render(e.b)
  elseif k == "cond" then return M.render(e.cond) .. " ? " .. M.render(e.a) .. " : " .. M.render(e.b)
  elseif k == "call" then
    local args = {}
    for i, a in ipairs(e.args) do args[i] = M.render(a) end
    return e.name .. "(" .. table.concat(args, ", ") .. (e.expand and "..." or "") .. ")"
  elseif k == "list" then
    local items = {}
    for i, a in ipairs(e.items) do items[i] = M.render(a) end
    return "[" .. table.concat(items, ", ") .. "]"
  elseif k == "obj" then
    local items = {}
    for i, it in ipairs(e.items) do items[i] = M.render(it.key) .. " = " .. M.render(it.value) end
    return "{" .. table.concat(items, ", ") .. "}"
  elseif k == "tmpl" then
    return '"' .. render_parts(e.parts) .. '"'
  elseif k == "for" then
    local head = "for " .. (e.key_var and (e.key_var .. ", ") or "") .. e.val_var .. " in " .. M.render(e.coll) .. " : "
    local cond = e.cond and (" if " .. M.render(e.cond)) or ""
    if e.is_map then
      return "{" .. head .. M.render(e.key) .. " => " .. M.render(e.value) .. (e.group and "..." or "") .. cond .. "}"
    end
    return "[" .. head .. M.render(e.value) .. cond .. "]"
  end
  return "?"
end

-- template parts back to text, directives included
render_parts = function(parts)
  local out = {}
  for _, p in ipairs(parts) do
    if type(p) == "string" then
      out[#out + 1] = p:gsub('[\\"]', "\\%0"):gsub("\n", "\\n"):gsub("([$%%]){", "%1%1{")
    elseif p.k == "tmpl_if" then
      out[#out + 1] = "%{ if " .. M.render(p.cond) .. " }" .. render_parts(p.a) ..
        (#p.b > 0 and ("%{ else }" .. render_parts(p.b)) or "") .. "%{ endif }"
    elseif p.k == "tmpl_for" then
      out[#out + 1] = "%{ for " .. (p.key_var and (p.key_var .. ", ") or "") .. p.val_var .. " in " ..
        M.render(p.coll) .. " }" .. render_parts(p.body) .. "%{ endfor }"
    else
      out[#out + 1] = "${" .. M.render(p) .. "}"
    end
  end
  return table.concat(out)
end

return M
