-- Regular expressions for the RFS emulator's regex, regexall and replace
-- functions, in the RE2 syntax Terraform uses (https://github.com/google/re2/wiki/Syntax):
-- literals and escapes, `.`, classes with ranges, negation, POSIX names and
-- \d \w \s, anchors ^ $ \A \z \b \B, groups (capturing, (?:...), named
-- (?P<n>...) / (?<n>...)), flags i s m U, alternation, greedy and lazy
-- quantifiers including {n,m}. Matching is a Pike VM over code points: time
-- is linear in the input (no backtracking), with leftmost-first submatches
-- as Go's regexp reports them. Errors are raised as {eval_error = message}.
-- Pure Lua.

local M = {}

local MAX_REPEAT = 1000   -- RE2's limit for {n,m}
local MAX_PROGRAM = 20000 -- instructions after expanding repeats
--- Thread steps one call may take (input length times live threads): keeps
-- a hostile pattern or input from blocking the emulator's worker.
M.MAX_STEPS = 500000

local function fail(msg) error({ eval_error = msg }, 0) end

-- UTF-8 text -> list of code points
local function codepoints(s)
  local out, i, n = {}, 1, #s
  while i <= n do
    local c = s:byte(i)
    local len = c < 0x80 and 1 or c >= 0xF0 and 4 or c >= 0xE0 and 3 or c >= 0xC0 and 2 or 1
    local cp = c
    if len > 1 then
      cp = c % (len == 2 and 32 or len == 3 and 16 or 8)
      for j = i + 1, i + len - 1 do cp = cp * 64 + ((s:byte(j) or 128) % 64) end
    end
    out[#out + 1] = cp
    i = i + len
  end
  return out
end
M.codepoints = codepoints

local function utf8_text(cps, from, to)
  local parts = {}
  for i = from, to do
    local cp = cps[i]
    if cp < 0x80 then parts[#parts + 1] = string.char(cp)
    elseif cp < 0x800 then parts[#parts + 1] = string.char(0xC0 + math.floor(cp / 64), 0x80 + cp % 64)
    elseif cp < 0x10000 then
      parts[#parts + 1] = string.char(0xE0 + math.floor(cp / 4096), 0x80 + math.floor(cp / 64) % 64, 0x80 + cp % 64)
    else
      parts[#parts + 1] = string.char(0xF0 + math.floor(cp / 262144), 0x80 + math.floor(cp / 4096) % 64,
        0x80 + math.floor(cp / 64) % 64, 0x80 + cp % 64)
    end
  end
  return table.concat(parts)
end

--- UTF-8 text of code points cps[from..to].
M.utf8_text = utf8_text

-- ------------------------------------------------------------ parser

local DIGIT = { { 48, 57 } }
local WORD = { { 48, 57 }, { 65, 90 }, { 95, 95 }, { 97, 122 } }
local SPACE = { { 9, 10 }, { 12, 13 }, { 32, 32 } }
local POSIX = {
  alnum = { { 48, 57 }, { 65, 90 }, { 97, 122 } }, alpha = { { 65, 90 }, { 97, 122 } },
  ascii = { { 0, 127 } }, blank = { { 9, 9 }, { 32, 32 } }, cntrl = { { 0, 31 }, { 127, 127 } },
  digit = DIGIT, graph = { { 33, 126 } }, lower = { { 97, 122 } }, print = { { 32, 126 } },
  punct = { { 33, 47 }, { 58, 64 }, { 91, 96 }, { 123, 126 } }, space = { { 9, 13 }, { 32, 32 } },
  upper = { { 65, 90 } }, word = WORD, xdigit = { { 48, 57 }, { 65, 70 }, { 97, 102 } },
}

local function negate(ranges)
  table.sort(ranges, function(a, b) return a[1] < b[1] end)
  local out, lo = {}, 0
  for _, r in ipairs(ranges) do
    if r[1] > lo then out[#out + 1] = { lo, r[1] - 1 } end
    if r[2] + 1 > lo then lo = r[2] + 1 end
  end
  if lo <= 0x10FFFF then out[#out + 1] = { lo, 0x10FFFF } end
  return out
end

local function add_all(dst, src) for _, r in ipairs(src) do dst[#dst + 1] = { r[1], r[2] } end end

local Parser = {}
Parser.__index = Parser

function Parser:err(what)
  fail("invalid regular expression pattern: " .. what)
end

function Parser:peek(k) return self.p[self.i + (k or 0)] end

-- an escape after "\" (self.i at the char after the backslash); returns a
-- node or, inside a class, a list of ranges
function Parser:escape(in_class)
  local c = self:peek()
  if not c then self:err("trailing backslash at end of expression") end
  self.i = self.i + 1
  local ch = c < 128 and string.char(c) or ""
  local classes = { d = DIGIT, w = WORD, s = SPACE }
  local lower = ch:lower()
  if classes[lower] then
    local r = {}
    add_all(r, classes[lower])
    if ch ~= lower then r = negate(r) end
    if in_class then return r end
    return { k = "class", ranges = r }
  end
  local simple = { n = 10, t = 9, r = 13, f = 12, v = 11, a = 7 }
  if simple[ch] then
    if in_class then return { { simple[ch], simple[ch] } } end
    return { k = "char", c = simple[ch] }
  end
  if ch == "x" then
    local hex = {}
    if self:peek() == 123 then
      self.i = self.i + 1
      while self:peek() and self:peek() ~= 125 do hex[#hex + 1] = string.char(self:peek()); self.i = self.i + 1 end
      self.i = self.i + 1
    else
      for _ = 1, 2 do hex[#hex + 1] = string.char(self:peek() or 0); self.i = self.i + 1 end
    end
    local cp = tonumber(table.concat(hex), 16)
    if not cp then self:err("invalid escape sequence: `\\x`") end
    if in_class then return { { cp, cp } } end
    return { k = "char", c = cp }
  end
  if not in_class then
    if ch == "b" then return { k = "assert", what = "word" } end
    if ch == "B" then return { k = "assert", what = "notword" } end
    if ch == "A" then return { k = "assert", what = "begin" } end
    if ch == "z" then return { k = "assert", what = "end" } end
  end
  if c < 128 and not ch:match("[%w]") then
    if in_class then return { { c, c } } end
    return { k = "char", c = c }
  end
  self:err("invalid escape sequence: `\\" .. utf8_text({ c }, 1, 1) .. "`")
end

function Parser:class()
  -- after "["
  local ranges, neg = {}, false
  if self:peek() == 94 then neg = true; self.i = self.i + 1 end
  local first = true
  while true do
    local c = self:peek()
    if not c then self:err("missing closing ]") end
    if c == 93 and not first then self.i = self.i + 1; break end
    first = false
    if c == 91 and self:peek(1) == 58 then
      -- [:name:] or [:^name:]
      local j = self.i + 2
      local name = {}
      while self.p[j] and self.p[j] ~= 58 do name[#name + 1] = string.char(self.p[j] < 128 and self.p[j] or 63); j = j + 1 end
      local n = table.concat(name)
      local nneg = n:sub(1, 1) == "^"
      if nneg then n = n:sub(2) end
      if self.p[j] == 58 and self.p[j + 1] == 93 and POSIX[n] then
        local r = {}
        add_all(r, POSIX[n])
        if nneg then r = negate(r) end
        add_all(ranges, r)
        self.i = j + 2
      else
        self:err("invalid character class range: `[:" .. table.concat(name) .. "`")
      end
    else
      local lo
      if c == 92 then
        self.i = self.i + 1
        local r = self:escape(true)
        if #r == 1 and r[1][1] == r[1][2] then lo = r[1][1] else add_all(ranges, r) end
      else
        lo = c; self.i = self.i + 1
      end
      if lo then
        local hi = lo
        if self:peek() == 45 and self:peek(1) and self:peek(1) ~= 93 then
          self.i = self.i + 1
          hi = self:peek()
          if hi == 92 then
            self.i = self.i + 1
            local r = self:escape(true)
            hi = r[1][1]
          else
            self.i = self.i + 1
          end
          if hi < lo then self:err("invalid character class range: `" .. utf8_text({ lo, 45, hi }, 1, 3) .. "`") end
        end
        ranges[#ranges + 1] = { lo, hi }
      end
    end
  end
  if self.flags.i then
    local extra = {}
    for _, r in ipairs(ranges) do
      local a, b = math.max(r[1], 65), math.min(r[2], 90)
      if a <= b then extra[#extra + 1] = { a + 32, b + 32 } end
      a, b = math.max(r[1], 97), math.min(r[2], 122)
      if a <= b then extra[#extra + 1] = { a - 32, b - 32 } end
    end
    add_all(ranges, extra)
  end
  if neg then ranges = negate(ranges) end
  return { k = "class", ranges = ranges }
end

function Parser:atom()
  local c = self:peek()
  if c == 40 then -- (
    self.i = self.i + 1
    local name, capture = nil, true
    if self:peek() == 63 then -- ?
      self.i = self.i + 1
      local n = self:peek()
      if n == 80 or n == 60 then -- P< or <
        if n == 80 then self.i = self.i + 1 end
        if self:peek() ~= 60 then self:err("invalid or unsupported Perl syntax: `(?P`") end
        self.i = self.i + 1
        local t = {}
        while self:peek() and self:peek() ~= 62 do t[#t + 1] = string.char(self:peek() < 128 and self:peek() or 63); self.i = self.i + 1 end
        self.i = self.i + 1
        name = table.concat(t)
        if not name:match("^[%w_]+$") then self:err("invalid named capture: `" .. name .. "`") end
      else
        -- flags: (?i) (?i:...) (?-i)
        local on, saved = true, {}
        for k, v in pairs(self.flags) do saved[k] = v end
        while true do
          local f = self:peek()
          if not f then self:err("missing closing )") end
          local ch = string.char(f < 128 and f or 63)
          self.i = self.i + 1
          if ch == "-" then on = false
          elseif ch == "i" or ch == "s" or ch == "m" or ch == "U" then self.flags[ch] = on
          elseif ch == ")" then return { k = "empty" }
          elseif ch == ":" then
            capture = false
            break
          else
            self:err("invalid or unsupported Perl syntax: `(?" .. ch .. "`")
          end
        end
        local node = self:alternation()
        if self:peek() ~= 41 then self:err("missing closing )") end
        self.i = self.i + 1
        self.flags = saved
        return { k = "group", node = node }
      end
    end
    local index
    if capture then
      self.ngroups = self.ngroups + 1
      index = self.ngroups
      self.names[index] = name
    end
    local saved = {}
    for k, v in pairs(self.flags) do saved[k] = v end
    local node = self:alternation()
    self.flags = saved
    if self:peek() ~= 41 then self:err("missing closing ): `" .. utf8_text(self.p, 1, #self.p) .. "`") end
    self.i = self.i + 1
    return { k = "group", node = node, index = index }
  end
  self.i = self.i + 1
  if c == 91 then return self:class() end
  if c == 46 then
    if self.flags.s then return { k = "class", ranges = { { 0, 0x10FFFF } } } end
    return { k = "class", ranges = { { 0, 9 }, { 11, 0x10FFFF } } }
  end
  if c == 94 then return { k = "assert", what = self.flags.m and "bol" or "begin" } end
  if c == 36 then return { k = "assert", what = self.flags.m and "eol" or "end" } end
  if c == 92 then return self:escape(false) end
  if c == 42 or c == 43 or c == 63 then
    self:err("missing argument to repetition operator: `" .. string.char(c) .. "`")
  end
  if self.flags.i and ((c >= 65 and c <= 90) or (c >= 97 and c <= 122)) then
    local u = c >= 97 and c - 32 or c
    return { k = "class", ranges = { { u, u }, { u + 32, u + 32 } } }
  end
  return { k = "char", c = c }
end

function Parser:repeat_count()
  -- at "{": returns min, max (max nil = unbounded) or nil when not a repeat
  local j = self.i + 1
  local function digits()
    local s = j
    while self.p[j] and self.p[j] >= 48 and self.p[j] <= 57 do j = j + 1 end
    if j == s then return nil end
    return tonumber(utf8_text(self.p, s, j - 1))
  end
  local lo = digits()
  if not lo then return nil end
  local hi = lo
  if self.p[j] == 44 then
    j = j + 1
    hi = digits()
  end
  if self.p[j] ~= 125 then return nil end
  local text = utf8_text(self.p, self.i, j)
  self.i = j + 1
  if lo > MAX_REPEAT or (hi and (hi > MAX_REPEAT or hi < lo)) then self:err("invalid repeat count: `" .. text .. "`") end
  return lo, hi
end

function Parser:repetition()
  local node = self:atom()
  while true do
    local c = self:peek()
    local lo, hi
    if c == 42 then lo, hi = 0, nil; self.i = self.i + 1
    elseif c == 43 then lo, hi = 1, nil; self.i = self.i + 1
    elseif c == 63 then lo, hi = 0, 1; self.i = self.i + 1
    elseif c == 123 then
      local save = self.i
      lo, hi = self:repeat_count()
      if lo == nil then self.i = save; return node end
    else
      return node
    end
    local greedy = not self.flags.U
    if self:peek() == 63 then greedy = not greedy; self.i = self.i + 1 end
    if node.k == "rep" and self:peek() ~= nil and (self:peek() == 42 or self:peek() == 43) then
      self:err("invalid nested repetition operator")
    end
    node = { k = "rep", node = node, min = lo, max = hi, greedy = greedy }
  end
end

function Parser:concat()
  local items = {}
  while true do
    local c = self:peek()
    if c == nil or c == 124 or c == 41 then break end
    items[#items + 1] = self:repetition()
  end
  return { k = "cat", items = items }
end

function Parser:alternation()
  local alts = { self:concat() }
  while self:peek() == 124 do
    self.i = self.i + 1
    alts[#alts + 1] = self:concat()
  end
  if #alts == 1 then return alts[1] end
  return { k = "alt", alts = alts }
end

-- ------------------------------------------------------------ compiler

local function compile(node, prog)
  local function emit(ins)
    prog[#prog + 1] = ins
    if #prog > MAX_PROGRAM then fail("invalid regular expression pattern: expression too large") end
    return #prog
  end
  local gen
  gen = function(n)
    local k = n.k
    if k == "char" then emit({ op = "class", ranges = { { n.c, n.c } } })
    elseif k == "class" then emit({ op = "class", ranges = n.ranges })
    elseif k == "assert" then emit({ op = "assert", what = n.what })
    elseif k == "empty" then -- nothing
    elseif k == "cat" then for _, it in ipairs(n.items) do gen(it) end
    elseif k == "group" then
      if n.index then emit({ op = "save", slot = n.index * 2 }) end
      gen(n.node)
      if n.index then emit({ op = "save", slot = n.index * 2 + 1 }) end
    elseif k == "alt" then
      local jumps = {}
      for i, a in ipairs(n.alts) do
        if i < #n.alts then
          local split = emit({ op = "split" })
          prog[split].x = split + 1
          gen(a)
          jumps[#jumps + 1] = emit({ op = "jmp" })
          prog[split].y = #prog + 1
        else
          gen(a)
        end
      end
      for _, j in ipairs(jumps) do prog[j].x = #prog + 1 end
    elseif k == "rep" then
      for _ = 1, n.min do gen(n.node) end
      if n.max == nil then
        -- x*: L: split body, out; body; jmp L
        local split = emit({ op = "split" })
        gen(n.node)
        emit({ op = "jmp", x = split })
        if n.greedy then prog[split].x, prog[split].y = split + 1, #prog + 1
        else prog[split].x, prog[split].y = #prog + 1, split + 1 end
      else
        local splits = {}
        for _ = n.min + 1, n.max do
          local split = emit({ op = "split" })
          splits[#splits + 1] = split
          gen(n.node)
        end
        for _, s in ipairs(splits) do
          if n.greedy then prog[s].x, prog[s].y = s + 1, #prog + 1
          else prog[s].x, prog[s].y = #prog + 1, s + 1 end
        end
      end
    end
  end
  gen(node)
  emit({ op = "save", slot = 1 })
  emit({ op = "match" })
  return prog
end

--- Compile a pattern.
-- @return regex {prog, ngroups, names = {index -> name}}
-- @raise {eval_error} for invalid patterns
function M.compile(pattern)
  local p = setmetatable({ p = codepoints(pattern), i = 1, ngroups = 0, names = {}, flags = {} }, Parser)
  local node = p:alternation()
  if p:peek() ~= nil then p:err("unexpected ): `" .. pattern .. "`") end
  local prog = { { op = "save", slot = 0 } }
  compile(node, prog)
  return { prog = prog, ngroups = p.ngroups, names = p.names }
end

-- ------------------------------------------------------------ matcher

local function is_word(cp) return cp and ((cp >= 48 and cp <= 57) or (cp >= 65 and cp <= 90) or cp == 95 or (cp >= 97 and cp <= 122)) end

local function assert_ok(what, text, pos)
  local prev, cur = text[pos - 1], text[pos]
  if what == "begin" then return pos == 1 end
  if what == "end" then return pos == #text + 1 end
  if what == "bol" then return pos == 1 or prev == 10 end
  if what == "eol" then return pos == #text + 1 or cur == 10 end
  local b = (is_word(prev) or false) ~= (is_word(cur) or false)
  if what == "word" then return b end
  return not b
end

local function in_ranges(ranges, cp)
  for _, r in ipairs(ranges) do
    if cp >= r[1] and cp <= r[2] then return true end
  end
  return false
end

-- Leftmost-first match of re in text (code points) starting at or after
-- from; returns the capture slots (positions, 1-based, end exclusive) or nil.
local function search(re, text, from, budget)
  local prog = re.prog
  local n = #text
  local clist, nlist = {}, {}
  local mark = {}
  local gen = 0
  local matched
  local function add(list, pc, caps, pos)
    if mark[pc] == gen then return end
    mark[pc] = gen
    local ins = prog[pc]
    local op = ins.op
    if op == "jmp" then add(list, ins.x, caps, pos)
    elseif op == "split" then
      add(list, ins.x, caps, pos)
      add(list, ins.y, caps, pos)
    elseif op == "save" then
      local c = {}
      for k, v in pairs(caps) do c[k] = v end
      c[ins.slot] = pos
      add(list, pc + 1, c, pos)
    elseif op == "assert" then
      if assert_ok(ins.what, text, pos) then add(list, pc + 1, caps, pos) end
    else
      list[#list + 1] = { pc = pc, caps = caps }
    end
  end
  gen = 1
  add(clist, 1, {}, from)
  for pos = from, n + 1 do
    gen = gen + 1
    nlist = {}
    budget.n = budget.n + #clist
    if budget.n > M.MAX_STEPS then
      fail("regular expression too costly: more than " .. M.MAX_STEPS .. " matching steps for this pattern and string")
    end
    local cp = text[pos]
    for _, th in ipairs(clist) do
      local ins = prog[th.pc]
      if ins.op == "match" then
        matched = th.caps
        break -- lower-priority threads are cut
      elseif cp and in_ranges(ins.ranges, cp) then
        add(nlist, th.pc + 1, th.caps, pos + 1)
      end
    end
    -- a match may still start one position further, with the lowest priority
    if not matched and cp then add(nlist, 1, {}, pos + 1) end
    clist = nlist
    if matched and #clist == 0 then break end
  end
  return matched
end

-- The result value of one match: whole string, list or named map.
local function match_value(re, cps, caps, V)
  local function group(i)
    local s, e = caps[i * 2], caps[i * 2 + 1]
    if not s or not e then return V.NULL end
    return utf8_text(cps, s, e - 1)
  end
  if re.ngroups == 0 then return group(0) end
  local named = next(re.names) ~= nil
  if named then
    for i = 1, re.ngroups do
      if not re.names[i] then fail("invalid regular expression pattern: cannot mix both named and unnamed capture groups") end
    end
    local m = V.map()
    for i = 1, re.ngroups do m[re.names[i]] = group(i) end
    return m
  end
  local l = V.list()
  for i = 1, re.ngroups do l[i] = group(i) end
  return l
end

--- Every non-overlapping match as capture slots, Go's FindAll rules (an
-- empty match right after a previous match is skipped).
local function find_all(re, cps)
  local out, pos, prev_end = {}, 1, nil
  local budget = { n = 0 }
  while pos <= #cps + 1 do
    local caps = search(re, cps, pos, budget)
    if not caps then break end
    local s, e = caps[0], caps[1]
    if not (s == e and prev_end == e) then out[#out + 1] = caps end
    prev_end = e
    if e > s then pos = e else pos = e + 1 end
  end
  return out
end

--- regex(pattern, string) as Terraform computes it.
function M.regex(pattern, s, V)
  local re = M.compile(pattern)
  local cps = codepoints(s)
  local caps = search(re, cps, 1, { n = 0 })
  if not caps then fail("pattern did not match any part of the given string") end
  return match_value(re, cps, caps, V)
end

--- regexall(pattern, string): a list of every match.
function M.regexall(pattern, s, V)
  local re = M.compile(pattern)
  local cps = codepoints(s)
  local out = V.list()
  for _, caps in ipairs(find_all(re, cps)) do out[#out + 1] = match_value(re, cps, caps, V) end
  return out
end

-- Go's Regexp.Expand: $1, ${1}, $name, ${name}; "$$" is "$"; a malformed
-- reference stays as text.
local function expand(repl, group_text, byname)
  local out, i, n = {}, 1, #repl
  while i <= n do
    local d = repl:find("$", i, true)
    if not d then out[#out + 1] = repl:sub(i); break end
    out[#out + 1] = repl:sub(i, d - 1)
    i = d + 1
    if repl:sub(i, i) == "$" then
      out[#out + 1] = "$"; i = i + 1
    else
      local brace = repl:sub(i, i) == "{"
      local j = brace and i + 1 or i
      local name = repl:match("^[%w_]*", j)
      local ok = name ~= "" and (not brace or repl:sub(j + #name, j + #name) == "}")
      if not ok then
        out[#out + 1] = "$"
      else
        i = j + #name + (brace and 1 or 0)
        local idx = name:match("^%d+$") and tonumber(name) or byname[name]
        if idx then out[#out + 1] = group_text(idx) end
      end
    end
  end
  return table.concat(out)
end

--- Replace every match of pattern in s by repl with its submatch
-- references expanded (Go's Regexp.ReplaceAllString).
function M.replace(pattern, s, repl)
  local re = M.compile(pattern)
  local cps = codepoints(s)
  local byname = {}
  for i, n in pairs(re.names) do byname[n] = i end
  local out, last = {}, 1
  for _, caps in ipairs(find_all(re, cps)) do
    out[#out + 1] = utf8_text(cps, last, caps[0] - 1)
    out[#out + 1] = expand(repl, function(idx)
      local a, b = caps[idx * 2], caps[idx * 2 + 1]
      if a and b then return utf8_text(cps, a, b - 1) end
      return ""
    end, byname)
    last = caps[1]
  end
  out[#out + 1] = utf8_text(cps, last, #cps)
  return table.concat(out)
end

return M
