/* What the Lua 5.1 API of LuaJIT 2.1 lacks next to Lua 5.4, so that every
 * other file is written against the 5.4 API (luasocket's compat.h is the
 * model). LuaJIT 2.1 already has luaL_setfuncs, luaL_testudata and
 * luaL_setmetatable. */
#ifndef HWC_COMPAT_H
#define HWC_COMPAT_H

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#if LUA_VERSION_NUM < 502
#define lua_rawlen(L, i) lua_objlen((L), (i))
#define lua_absindex(L, i) \
  (((i) > 0 || (i) <= LUA_REGISTRYINDEX) ? (i) : lua_gettop(L) + (i) + 1)
#define lua_newuserdatauv(L, sz, nuv) lua_newuserdata((L), (sz))
#define lua_rawgetp(L, idx, p) \
  (lua_pushlightuserdata((L), (void *)(p)), lua_rawget((L), ((idx) < 0 && (idx) > LUA_REGISTRYINDEX) ? (idx) - 1 : (idx)))
#define lua_rawsetp(L, idx, p) \
  (lua_pushlightuserdata((L), (void *)(p)), lua_insert((L), -2), \
   lua_rawset((L), ((idx) < 0 && (idx) > LUA_REGISTRYINDEX) ? (idx) - 1 : (idx)))
#define HWC_HAS_INTEGERS 0
#else
#define HWC_HAS_INTEGERS 1
#endif

#endif
