-- The files a template's file functions can read in the RFS emulator: the
-- members of a .zip template (template_uri), with paths relative to the
-- template's root folder as Terraform takes them relative to the working
-- directory (https://developer.hashicorp.com/terraform/language/functions/file;
-- a module reaches its own files through path.module). A template given as
-- template_body has no files. Glob patterns for fileset follow
-- https://developer.hashicorp.com/terraform/language/functions/fileset:
-- *, **, ?, [class], {alternatives}. Pure Lua.

local M = {}

local function fail(msg) error({ eval_error = msg }, 0) end

-- at most this many patterns after expanding {a,b} alternatives
local MAX_ALTERNATIVES = 256

--- A path made relative to the template's root: "./a/../b.txt" -> "b.txt";
-- "." and "" -> "". nil when it leaves the root or is absolute.
function M.normalize(path)
  if path:sub(1, 1) == "/" or path:match("^%a:[/\\]") then return nil end
  local out = {}
  for seg in path:gmatch("[^/]+") do
    if seg == ".." then
      if #out == 0 then return nil end
      out[#out] = nil
    elseif seg ~= "." then
      out[#out + 1] = seg
    end
  end
  return table.concat(out, "/")
end

-- the folders of the files (a path that names one is not a regular file)
local function is_dir(files, p)
  local prefix = p == "" and "" or (p .. "/")
  for name in pairs(files) do
    if name:sub(1, #prefix) == prefix and #name > #prefix then return true end
  end
  return false
end

--- The files of the evaluation, or a clear error naming the function.
function M.of(ctx, fname)
  local files = ctx and ctx.files
  if not files then
    fail("Invalid function argument; " .. fname .. ": the template has no files: the emulator reads files only " ..
      "from a .zip template given as template_uri (a template_body is one file); give the content through a variable")
  end
  return files
end

-- the content at path (nil when no file is there) and whether path names a folder
local function lookup(ctx, path, fname)
  local files = M.of(ctx, fname)
  local p = M.normalize(path)
  if not p then return nil, false end
  if files[p] ~= nil then return files[p], false end
  return nil, is_dir(files, p)
end

--- The content of the file at path (relative to the template's root).
function M.read(ctx, path, fname)
  local content, dir = lookup(ctx, path, fname)
  if dir then fail("Invalid function argument; " .. fname .. ": " .. path .. " is a directory, not a file") end
  if content == nil then
    fail("Invalid function argument; " .. fname .. ": no file exists at " .. string.format("%q", path) ..
      "; this function works only with files that are distributed as part of the configuration source code, " ..
      "so if this file will be created by a resource in this configuration you must instead obtain this result " ..
      "from an attribute of that resource.")
  end
  return content
end

--- True when a regular file exists at path; a directory is an error.
function M.exists(ctx, path, fname)
  local content, dir = lookup(ctx, path, fname)
  if dir then fail("Invalid function argument; " .. fname .. ": " .. path .. " is not a regular file, but \"directory\"") end
  return content ~= nil
end

-- {a,b} alternatives expanded into plain patterns (nested ones included)
local function expand(pattern, out)
  local open = pattern:find("{", 1, true)
  if not open then
    out[#out + 1] = pattern
    if #out > MAX_ALTERNATIVES then fail("Invalid function argument; fileset: the pattern expands to more than " .. MAX_ALTERNATIVES .. " alternatives") end
    return out
  end
  local depth, close, cuts = 0, nil, {}
  for i = open, #pattern do
    local c = pattern:sub(i, i)
    if c == "{" then depth = depth + 1
    elseif c == "}" then
      depth = depth - 1
      if depth == 0 then close = i break end
    elseif c == "," and depth == 1 then cuts[#cuts + 1] = i end
  end
  if not close then fail("Invalid function argument; fileset: failed to glob pattern " .. string.format("%q", pattern) .. ": syntax error in pattern") end
  local head, tail, from = pattern:sub(1, open - 1), pattern:sub(close + 1), open + 1
  cuts[#cuts + 1] = close
  for _, cut in ipairs(cuts) do
    expand(head .. pattern:sub(from, cut - 1) .. tail, out)
    from = cut + 1
  end
  return out
end

-- one path segment against one pattern segment: *, ?, [class], \x
local function match_segment(pat, pi, s, si)
  while pi <= #pat do
    local c = pat:sub(pi, pi)
    if c == "*" then
      for k = si, #s + 1 do
        if match_segment(pat, pi + 1, s, k) then return true end
      end
      return false
    elseif si > #s then
      return false
    elseif c == "?" then
      pi, si = pi + 1, si + 1
    elseif c == "[" then
      local close = pat:find("]", pi + 2, true)
      if not close then fail("Invalid function argument; fileset: failed to glob pattern: syntax error in pattern") end
      local class, neg = pat:sub(pi + 1, close - 1), false
      if class:sub(1, 1) == "!" or class:sub(1, 1) == "^" then neg, class = true, class:sub(2) end
      local ch, hit, k = s:sub(si, si), false, 1
      while k <= #class do
        local lo = class:sub(k, k)
        if class:sub(k + 1, k + 1) == "-" and k + 2 <= #class then
          if ch >= lo and ch <= class:sub(k + 2, k + 2) then hit = true end
          k = k + 3
        else
          if ch == lo then hit = true end
          k = k + 1
        end
      end
      if hit == neg then return false end
      pi, si = close + 1, si + 1
    else
      if c == "\\" and pi < #pat then pi = pi + 1; c = pat:sub(pi, pi) end
      if s:sub(si, si) ~= c then return false end
      pi, si = pi + 1, si + 1
    end
  end
  return si > #s
end

-- path segments against pattern segments, ** matching any number of folders
local function match_path(ps, i, ns, j)
  if i > #ps then return j > #ns end
  if ps[i] == "**" then
    for k = j, #ns + 1 do
      if match_path(ps, i + 1, ns, k) then return true end
    end
    return false
  end
  if j > #ns then return false end
  return match_segment(ps[i], 1, ns[j], 1) and match_path(ps, i + 1, ns, j + 1)
end

local function segments(p)
  local out = {}
  for seg in p:gmatch("[^/]+") do out[#out + 1] = seg end
  return out
end

--- fileset(path, pattern): the files under path matching pattern, as
-- paths relative to path, sorted.
function M.fileset(ctx, path, pattern, fname)
  local files = M.of(ctx, fname)
  local base = M.normalize(path)
  if not base then return {} end
  local prefix = base == "" and "" or (base .. "/")
  local pats = {}
  for _, p in ipairs(expand(pattern, {})) do pats[#pats + 1] = segments(M.normalize(p) or p) end
  local out = {}
  for name in pairs(files) do
    if name:sub(1, #prefix) == prefix then
      local rel = name:sub(#prefix + 1)
      local ns = segments(rel)
      for _, ps in ipairs(pats) do
        if match_path(ps, 1, ns, 1) then out[#out + 1] = rel break end
      end
    end
  end
  table.sort(out)
  return out
end

return M
