/* hwcloud.core: the one exported entry point. It assembles the module from
 * the signer (hwc_sign.c), the transport (hwc_http.c), the response
 * (hwc_response.c), the error (hwc_error.c) and JSON (hwc_json.c). */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <curl/curl.h>
#include "hwc_internal.h"

/* core.sleep(seconds): a blocking sleep for scripts outside OpenResty (the
 * retry layer and the waiters use ngx.sleep inside nginx). Nothing below
 * zero, at most a day (math.huge included); NaN is an argument error.
 * A signal asking the program to stop (hwc_stop_asked: the interpreters'
 * Ctrl-C) ends the sleep at once, so the "interrupted!" comes now, not after
 * the rest of the sleep. Any other signal only wakes it and it sleeps on. */
static int core_sleep(lua_State *L) {
  lua_Number secs = luaL_checknumber(L, 1);
  struct timespec ts, rest;
  hwc_hook_mark mark;
  hwc_hook_mark_set(L, &mark);
  if (secs != secs) hwc_argerror(L, "hwcloud.core.sleep", "'seconds' must be a number, not NaN");
  if (secs <= 0) return 0;
  if (secs > 86400) secs = 86400;
  ts.tv_sec = (time_t)secs;
  ts.tv_nsec = (long)((secs - (lua_Number)ts.tv_sec) * 1e9);
  while (nanosleep(&ts, &rest) == -1 && errno == EINTR && !hwc_stop_asked(&mark)) ts = rest;
  return 0;
}

void hwc_hook_mark_set(lua_State *L, hwc_hook_mark *m) {
  m->L = L;
  m->hook = lua_gethook(L);
  m->mask = lua_gethookmask(L);
  m->count = lua_gethookcount(L);
}

int hwc_stop_asked(const hwc_hook_mark *m) {
  return lua_gethook(m->L) != m->hook || lua_gethookmask(m->L) != m->mask || lua_gethookcount(m->L) != m->count;
}

/* core.now(): seconds since the epoch, with fractions. */
static int core_now(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec / 1e9);
  return 1;
}

/* core.isatty(fd): whether the descriptor is a terminal (waiters show
 * progress on stderr only then). */
static int core_isatty(lua_State *L) {
  int fd = (int)hwc_check_number(L, 1, "hwcloud.core.isatty", "'fd'", 0, 2147483647.0, 1);
  lua_pushboolean(L, isatty(fd) == 1);
  return 1;
}

static int core_curl_version(lua_State *L) {
  lua_pushstring(L, curl_version());
  return 1;
}

/* Raises an argument error naming fn for a key of the table at idx that is
 * not in the NULL-ended list known (a typo never goes unnoticed). */
void hwc_check_options(lua_State *L, int idx, const char *fn, const char *const known[]) {
  idx = lua_absindex(L, idx);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    int i, found = 0;
    lua_pop(L, 1);
    if (lua_type(L, -1) == LUA_TSTRING)
      for (i = 0; known[i]; i++) found |= !strcmp(known[i], lua_tostring(L, -1));
    if (!found)
      hwc_argerror(L, fn, "unknown option '%s'",
                   lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : luaL_typename(L, -1));
  }
}

/* Registers the metatable name of a userdata class: methods as __index,
 * close as __gc and (5.4) __close, and __tostring. */
void hwc_new_class(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction close,
                   lua_CFunction tostring) {
  if (luaL_newmetatable(L, name)) {
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, close);
    lua_setfield(L, -2, "__gc");
#if LUA_VERSION_NUM >= 504
    lua_pushcfunction(L, close);
    lua_setfield(L, -2, "__close");
#endif
    lua_pushcfunction(L, tostring);
    lua_setfield(L, -2, "__tostring");
  }
  lua_pop(L, 1);
}

HWC_EXPORT int luaopen_hwcloud_core(lua_State *L);

int luaopen_hwcloud_core(lua_State *L) {
  static const luaL_Reg funcs[] = {
    {"session", hwc_session_new},
    {"encode", hwc_encode},
    {"decode", hwc_decode},
    {"array", hwc_array},
    {"is_array", hwc_is_array},
    {"error", hwc_error_make},
    {"is_error", hwc_is_error},
    {"classify", hwc_classify},
    {"curl_version", core_curl_version},
    {"http_error", hwc_http_error},
    {"transport_error", hwc_transport_error_make},
    {"response", hwc_response},
    {"check_request", hwc_check_request},
    {"sleep", core_sleep},
    {"now", core_now},
    {"isatty", core_isatty},
    {NULL, NULL}};
  luaL_newlib(L, funcs);
  hwc_sign_open(L);
  lua_pushliteral(L, HWC_VERSION);
  lua_setfield(L, -2, "version");
  hwc_error_open(L);
  hwc_json_open(L);
  hwc_headers_open(L);
  hwc_http_open(L);
  hwc_multi_open(L);
  return 1;
}
