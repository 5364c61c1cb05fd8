/* The byte buffer used by the signer, the JSON encoder and the transport.
 * A buffer made with hwc_buf_push() lives in a userdata on the Lua stack:
 * if anything raises, the garbage collector frees the bytes. */
#include <stdlib.h>
#include <string.h>
#include "hwc_internal.h"

static int buf_gc(lua_State *L) {
  hwc_buf *b = (hwc_buf *)lua_touserdata(L, 1);
  hwc_buf_free(b);
  return 0;
}

static const char buf_mt_key = 0;

hwc_buf *hwc_buf_push(lua_State *L) {
  hwc_buf *b = (hwc_buf *)lua_newuserdatauv(L, sizeof *b, 0);
  hwc_buf_init(b);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &buf_mt_key);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_pushcfunction(L, buf_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushvalue(L, -1);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &buf_mt_key);
  }
  lua_setmetatable(L, -2);
  return b;
}

void hwc_buf_init(hwc_buf *b) { b->data = NULL; b->len = b->cap = 0; b->oom = 0; }

void hwc_buf_free(hwc_buf *b) {
  free(b->data);
  hwc_buf_init(b);
}

void hwc_buf_reset(hwc_buf *b) { b->len = 0; b->oom = 0; }

static int grow(hwc_buf *b, size_t need) {
  size_t cap;
  char *p;
  if (b->oom) return 0;
  if (b->len + need + 1 <= b->cap) return 1;
  cap = b->cap ? b->cap : 256;
  while (cap < b->len + need + 1) cap *= 2;
  p = (char *)realloc(b->data, cap);
  if (!p) { b->oom = 1; return 0; }
  b->data = p;
  b->cap = cap;
  return 1;
}

void hwc_buf_reserve(hwc_buf *b, size_t n) { grow(b, n); }

void hwc_buf_add(hwc_buf *b, const char *s, size_t n) {
  if (!grow(b, n)) return;
  if (n) memcpy(b->data + b->len, s, n);
  b->len += n;
  b->data[b->len] = '\0';
}

void hwc_buf_adds(hwc_buf *b, const char *s) { hwc_buf_add(b, s, strlen(s)); }

void hwc_buf_addc(hwc_buf *b, char c) { hwc_buf_add(b, &c, 1); }

void hwc_buf_check(lua_State *L, hwc_buf *b) {
  if (b->oom) luaL_error(L, "hwcloud.core: out of memory");
}
