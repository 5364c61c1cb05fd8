/* Response headers: the raw header block libcurl collected becomes a table
 * with case-insensitive lookup (names stored lower-case; a repeated header's
 * values joined with ", ") and header_list, every {name, value} in order. */
#include <ctype.h>
#include <string.h>
#include "hwc_internal.h"

static const char headers_mt_key = 0;

/* __index(t, k): look the lower-cased name up. */
static int headers_index(lua_State *L) {
  char lower[256];
  size_t n, i;
  const char *k;
  if (lua_type(L, 2) != LUA_TSTRING) return 0;
  k = lua_tolstring(L, 2, &n);
  if (n >= sizeof lower) return 0;
  for (i = 0; i < n; i++) lower[i] = (char)tolower((unsigned char)k[i]);
  lua_pushlstring(L, lower, n);
  lua_rawget(L, 1);
  return 1;
}

void hwc_headers_open(lua_State *L) {
  lua_newtable(L);
  lua_pushcfunction(L, headers_index);
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "hwcloud.Headers");
  lua_setfield(L, -2, "__name");
  lua_rawsetp(L, LUA_REGISTRYINDEX, &headers_mt_key);
}

static const char *trim(const char *s, const char *e, const char **end) {
  while (s < e && (*s == ' ' || *s == '\t')) s++;
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) e--;
  *end = e;
  return s;
}

/* Pushes headers (case-insensitive table) and then header_list. */
void hwc_push_headers(lua_State *L, const char *raw, size_t n) {
  const char *p = raw, *end = raw + n;
  int map, list, count = 0;
  char lower[256];
  lua_newtable(L);
  map = lua_gettop(L);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &headers_mt_key);
  lua_setmetatable(L, map);
  lua_newtable(L);
  list = lua_gettop(L);
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    const char *line_end = eol ? eol : end;
    const char *colon = memchr(p, ':', (size_t)(line_end - p));
    if (colon && colon > p && (size_t)(colon - p) < sizeof lower && strncmp(p, "HTTP/", 5) != 0) {
      const char *vend, *v = trim(colon + 1, line_end, &vend);
      size_t nlen = (size_t)(colon - p), i;
      for (i = 0; i < nlen; i++) lower[i] = (char)tolower((unsigned char)p[i]);
      lua_createtable(L, 2, 0);
      lua_pushlstring(L, p, nlen);
      lua_rawseti(L, -2, 1);
      lua_pushlstring(L, v, (size_t)(vend - v));
      lua_rawseti(L, -2, 2);
      lua_rawseti(L, list, ++count);
      lua_pushlstring(L, lower, nlen);
      lua_pushvalue(L, -1);
      lua_rawget(L, map);
      if (lua_isnil(L, -1)) {
        lua_pop(L, 1);
        lua_pushlstring(L, v, (size_t)(vend - v));
      } else {
        lua_pushliteral(L, ", ");
        lua_pushlstring(L, v, (size_t)(vend - v));
        lua_concat(L, 3);
      }
      lua_rawset(L, map);
    }
    p = line_end + 1;
  }
}
