-- C libraries the RFS emulator's template functions call through LuaJIT's
-- FFI (the emulator runs under OpenResty's LuaJIT): zlib for base64gzip,
-- OpenSSL's libcrypto for rsadecrypt. Under a Lua without FFI (the unit
-- specs' Lua 5.4) they are out of reach and the functions say so.

local M = {}

local ffi_ok, ffi = pcall(require, "ffi")
M.ffi = ffi_ok and ffi or nil

local loaded = {}

--- Load a library by its first loadable name after declaring its C API
-- (one declaration per string, so one already made elsewhere is no error).
-- @return the library | nil, message
function M.load(what, names, decls)
  if loaded[what] then return loaded[what] end
  if not ffi_ok then return nil, what .. " is reached through LuaJIT's FFI, which this Lua lacks" end
  for _, d in ipairs(decls) do pcall(ffi.cdef, d) end
  local last
  for _, name in ipairs(names) do
    local ok, l = pcall(ffi.load, name)
    if ok then
      loaded[what] = l
      return l
    end
    last = l
  end
  return nil, "cannot load " .. what .. ": " .. tostring(last)
end

return M
