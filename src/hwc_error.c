/* The error object of lua-hwcloud: a table with metatable hwcloud.Error,
 * raised with error(err, 0). This file makes errors, reads Huawei error
 * bodies (every shape of ../shared/api/common.md section 5) into
 * code/message, and gives tostring(err) its one readable line. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "hwc_internal.h"

#define EXCERPT_LEN 200

/* Pushes a new error table; klass may be NULL. */
void hwc_error_new(lua_State *L, const char *kind, const char *klass, const char *message) {
  lua_createtable(L, 0, 12);
  lua_pushstring(L, kind);
  lua_setfield(L, -2, "kind");
  if (klass) {
    lua_pushstring(L, klass);
    lua_setfield(L, -2, "class");
  }
  if (message) {
    lua_pushstring(L, message);
    lua_setfield(L, -2, "message");
  }
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "retryable");
  luaL_setmetatable(L, HWC_ERROR_MT);
}

void hwc_error_setstr(lua_State *L, const char *field, const char *value) {
  if (!value) return;
  lua_pushstring(L, value);
  lua_setfield(L, -2, field);
}

void hwc_error_setint(lua_State *L, const char *field, long long value) {
  lua_pushinteger(L, (lua_Integer)value);
  lua_setfield(L, -2, field);
}

void hwc_error_setbool(lua_State *L, const char *field, int value) {
  lua_pushboolean(L, value);
  lua_setfield(L, -2, field);
}

/* Raises an argument error naming the function: kind = "argument". */
int hwc_argerror(lua_State *L, const char *fn, const char *fmt, ...) {
  char msg[512];
  int n;
  va_list ap;
  n = snprintf(msg, sizeof msg, "%s: ", fn);
  va_start(ap, fmt);
  vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
  va_end(ap);
  hwc_error_new(L, "argument", NULL, msg);
  return lua_error(L);
}

static int nonempty_string(lua_State *L, int idx) {
  return lua_type(L, idx) == LUA_TSTRING && lua_rawlen(L, idx) > 0;
}

static int is_array(lua_State *L, int idx) {
  int yes = 0;
  if (lua_getmetatable(L, idx)) {
    lua_rawgetp(L, LUA_REGISTRYINDEX, &hwc_array_mt_key);
    yes = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
  }
  return yes;
}

/* Looks for code/message in the object at idx (the Go SDK's order, plus IAM's
 * numeric code and the camelCase shape). Sets fields on the error at err.
 * Returns 1 when a pair was found. */
static int find_pair(lua_State *L, int idx, int err, int depth) {
  static const char *const pairs[][3] = {
    {"error_code", "error_msg", NULL},
    {"code", "message", NULL},
    {"errorCode", "errorMsg", "errorMessage"},
  };
  size_t p;
  if (depth > 8) return 0;
  idx = lua_absindex(L, idx);
  luaL_checkstack(L, 6, NULL);
  lua_getfield(L, idx, "encoded_authorization_message");
  if (nonempty_string(L, -1)) lua_setfield(L, err, "encoded_authorization_message");
  else lua_pop(L, 1);
  for (p = 0; p < sizeof pairs / sizeof pairs[0]; p++) {
    int ok_code, ok_msg;
    lua_getfield(L, idx, pairs[p][0]);
    lua_getfield(L, idx, pairs[p][1]);
    if (!nonempty_string(L, -1) && pairs[p][2]) {
      lua_pop(L, 1);
      lua_getfield(L, idx, pairs[p][2]);
    }
    ok_code = nonempty_string(L, -2) || lua_type(L, -2) == LUA_TNUMBER;
    ok_msg = nonempty_string(L, -1);
    if (ok_code && ok_msg) {
      lua_setfield(L, err, "message");
      if (lua_type(L, -1) == LUA_TNUMBER) {
        /* IAM: {"error": {"code": 401, ...}} -> "401" */
        lua_Number d = lua_tonumber(L, -1);
        char tmp[32];
        snprintf(tmp, sizeof tmp, "%.0f", d);
        lua_pop(L, 1);
        lua_pushstring(L, tmp);
      }
      lua_setfield(L, err, "code");
      return 1;
    }
    lua_pop(L, 2);
  }
  /* Nested objects: "error" first (shapes B and C), then any other. */
  lua_getfield(L, idx, "error");
  if (lua_type(L, -1) == LUA_TTABLE && find_pair(L, -1, err, depth + 1)) { lua_pop(L, 1); return 1; }
  lua_pop(L, 1);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    /* objects only: arrays (such as "details") hold other errors, not this one */
    if (lua_type(L, -1) == LUA_TTABLE && !is_array(L, -1) && find_pair(L, -1, err, depth + 1)) {
      lua_pop(L, 2);
      return 1;
    }
    lua_pop(L, 1);
  }
  return 0;
}

/* Fills code, message (and body when not JSON) of the error at -1 from an
 * HTTP error body. decoded_idx is the decoded body's stack index or 0. */
void hwc_error_from_body(lua_State *L, int status, const char *body, size_t n, int decoded_idx) {
  int err = lua_gettop(L);
  int found = 0;
  if (decoded_idx && lua_type(L, decoded_idx) == LUA_TTABLE) found = find_pair(L, decoded_idx, err, 0);
  if (!found) {
    char code[16];
    snprintf(code, sizeof code, "%d", status);
    lua_pushstring(L, code);
    lua_setfield(L, err, "code");
    if (n > 0) {
      size_t len = n > EXCERPT_LEN ? EXCERPT_LEN : n;
      lua_pushlstring(L, body, len);
      if (n > len) { lua_pushliteral(L, "..."); lua_concat(L, 2); }
    } else {
      lua_pushfstring(L, "HTTP %d with an empty body", status);
    }
    lua_setfield(L, err, "message");
  }
  if (!decoded_idx && body && n > 0) {
    lua_pushlstring(L, body, n);
    lua_setfield(L, err, "body");
  }
}

/* tostring(err): "hwcloud http error 404 RF.0001: message [GET url] (request_id ...)" */
static int error_tostring(lua_State *L) {
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addstring(&b, "hwcloud ");
  lua_getfield(L, 1, "kind");
  luaL_addstring(&b, lua_isstring(L, -1) ? lua_tostring(L, -1) : "unknown");
  lua_pop(L, 1);
  luaL_addstring(&b, " error");
  lua_getfield(L, 1, "status");
  if (lua_isnumber(L, -1)) { luaL_addchar(&b, ' '); lua_pushfstring(L, "%d", (int)lua_tointeger(L, -1)); luaL_addvalue(&b); }
  lua_pop(L, 1);
  lua_getfield(L, 1, "code");
  if (lua_isstring(L, -1)) { luaL_addchar(&b, ' '); luaL_addvalue(&b); } else lua_pop(L, 1);
  lua_getfield(L, 1, "message");
  if (lua_isstring(L, -1)) { luaL_addstring(&b, ": "); luaL_addvalue(&b); } else lua_pop(L, 1);
  lua_getfield(L, 1, "method");
  lua_getfield(L, 1, "url");
  if (lua_isstring(L, -2) && lua_isstring(L, -1)) {
    lua_pushfstring(L, " [%s %s]", lua_tostring(L, -2), lua_tostring(L, -1));
    lua_remove(L, -2);
    lua_remove(L, -2);
    luaL_addvalue(&b);
  } else {
    lua_pop(L, 2);
  }
  lua_getfield(L, 1, "attempts");
  if (lua_isnumber(L, -1) && lua_tointeger(L, -1) > 1) {
    lua_pushfstring(L, " after %d attempts", (int)lua_tointeger(L, -1));
    lua_remove(L, -2);
    luaL_addvalue(&b);
  } else {
    lua_pop(L, 1);
  }
  lua_getfield(L, 1, "request_id");
  if (lua_isstring(L, -1)) {
    lua_pushfstring(L, " (request id %s)", lua_tostring(L, -1));
    lua_remove(L, -2);
    luaL_addvalue(&b);
  } else {
    lua_pop(L, 1);
  }
  luaL_pushresult(&b);
  return 1;
}

/* core.error(fields) -> a new error table (not raised); fields.kind defaults to "http". */
int hwc_error_make(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, 2);
  }
  lua_getfield(L, 2, "kind");
  if (lua_isnil(L, -1)) { lua_pushliteral(L, "http"); lua_setfield(L, 2, "kind"); }
  lua_pop(L, 1);
  lua_getfield(L, 2, "retryable");
  if (lua_isnil(L, -1)) { lua_pushboolean(L, 0); lua_setfield(L, 2, "retryable"); }
  lua_pop(L, 1);
  luaL_setmetatable(L, HWC_ERROR_MT);
  return 1;
}

int hwc_is_error(lua_State *L) {
  int yes = 0;
  if (lua_type(L, 1) == LUA_TTABLE && lua_getmetatable(L, 1)) {
    luaL_getmetatable(L, HWC_ERROR_MT);
    yes = lua_rawequal(L, -1, -2);
  }
  lua_pushboolean(L, yes);
  return 1;
}

void hwc_error_open(lua_State *L) {
  luaL_newmetatable(L, HWC_ERROR_MT);
  lua_pushcfunction(L, error_tostring);
  lua_setfield(L, -2, "__tostring");
  lua_pushliteral(L, HWC_ERROR_MT);
  lua_setfield(L, -2, "__name");
  lua_setfield(L, -2, "Error"); /* module.Error = the metatable */
}
