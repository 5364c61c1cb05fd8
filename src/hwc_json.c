/* JSON for hwcloud.core: the array marker, core.null and the encoder (the
 * decoder is hwc_decode.c). Encoding: exact integers, [] for marked or empty
 * marked arrays, null for core.null (the NULL light userdata, the same value
 * as cjson.null and ngx.null), deterministic key order, errors on cycles. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hwc_internal.h"

const char hwc_array_mt_key = 0;

#define MAX_DEPTH 1000

static void push_array_mt(lua_State *L) { lua_rawgetp(L, LUA_REGISTRYINDEX, &hwc_array_mt_key); }

/* core.array(t) marks t (default a new table) as a JSON array and returns it. */
int hwc_array(lua_State *L) {
  if (lua_isnoneornil(L, 1)) { lua_settop(L, 0); lua_newtable(L); }
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  push_array_mt(L);
  lua_setmetatable(L, 1);
  return 1;
}

int hwc_is_array(lua_State *L) {
  int yes = 0;
  if (lua_type(L, 1) == LUA_TTABLE && lua_getmetatable(L, 1)) {
    push_array_mt(L);
    yes = lua_rawequal(L, -1, -2);
  }
  lua_pushboolean(L, yes);
  return 1;
}

/* ---- encoder ---- */

#define STRINGIFY(x) #x
#define DEPTH_TEXT_OF(x) STRINGIFY(x)
#define DEPTH_TEXT DEPTH_TEXT_OF(HWC_JSON_MAX_DEPTH)

typedef struct {
  lua_State *L;
  hwc_buf *b;
  int seen;              /* stack index of the set of tables being encoded */
  const char *err;       /* static message when encoding failed */
} enc_state;

static void enc_string(hwc_buf *b, const char *s, size_t n) {
  static const char digits[] = "0123456789abcdef";
  size_t i, run = 0;
  hwc_buf_addc(b, '"');
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    const char *esc = NULL;
    char u[6];
    if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) continue;
    hwc_buf_add(b, s + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': esc = "\\\""; break;
      case '\\': esc = "\\\\"; break;
      case '\b': esc = "\\b"; break;
      case '\f': esc = "\\f"; break;
      case '\n': esc = "\\n"; break;
      case '\r': esc = "\\r"; break;
      case '\t': esc = "\\t"; break;
      default:
        u[0] = '\\'; u[1] = 'u'; u[2] = '0'; u[3] = '0';
        u[4] = digits[c >> 4]; u[5] = digits[c & 15];
        hwc_buf_add(b, u, 6);
    }
    if (esc) hwc_buf_adds(b, esc);
  }
  hwc_buf_add(b, s + run, n - run);
  hwc_buf_addc(b, '"');
}

void hwc_number_text(double d, char *out, size_t n) {
  int prec;
  if (d != d) { snprintf(out, n, "nan"); return; } /* whatever its sign bit */
  if (d == floor(d) && fabs(d) < 1e15) { snprintf(out, n, "%.0f", d); return; }
  for (prec = 14; prec <= 17; prec++) {
    snprintf(out, n, "%.*g", prec, d);
    if (strtod(out, NULL) == d) break;
  }
}

void hwc_number_at(lua_State *L, int idx, char *out, size_t n) {
#if HWC_HAS_INTEGERS
  if (lua_isinteger(L, idx)) {
    snprintf(out, n, "%lld", (long long)lua_tointeger(L, idx));
    return;
  }
#endif
  hwc_number_text((double)lua_tonumber(L, idx), out, n);
}

static int enc_number(enc_state *st, int idx) {
  char tmp[64];
  lua_Number d = lua_tonumber(st->L, idx);
  if (isnan(d) || isinf(d)) { st->err = "cannot encode NaN or infinity"; return 0; }
  hwc_number_at(st->L, idx, tmp, sizeof tmp);
  hwc_buf_adds(st->b, tmp);
  return 1;
}

static int enc_value(enc_state *st, int idx, int depth);

/* An object key: its bytes (NUL included) stay alive in the anchor table. */
typedef struct {
  const char *s;
  size_t n;
} enc_key;

/* Byte order, a prefix first: strcmp's order for keys without NUL. */
static int cmp_keys(const void *a, const void *b) {
  const enc_key *x = (const enc_key *)a, *y = (const enc_key *)b;
  int c = memcmp(x->s, y->s, x->n < y->n ? x->n : y->n);
  return c ? c : (x->n > y->n) - (x->n < y->n);
}

/* Whether the table at idx is written as an array (1), as an object (0), or
 * cannot be written (-1, st->err set); *count receives its number of keys. */
static int table_shape(enc_state *st, int idx, int *count) {
  lua_State *L = st->L;
  int is_array = 0, strings = 0;
  int other = 0; /* a key no array index can be: not an integer >= 1 */
  lua_Number maxn = 0; /* the largest key, kept a double: a key such as 1e300 is cast to nothing */
  *count = 0;
  if (lua_getmetatable(L, idx)) {
    push_array_mt(L);
    is_array = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
  }
  if (is_array) return 1;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    (*count)++;
    if (lua_type(L, -2) == LUA_TSTRING) strings++;
    else if (lua_type(L, -2) == LUA_TNUMBER) {
      lua_Number k = lua_tonumber(L, -2);
      if (!(k >= 1 && k == floor(k))) other = 1;
      else if (k > maxn) maxn = k;
    }
    lua_pop(L, 1);
  }
  if (*count > 0 && strings == 0) {
    /* count keys, all integers from 1 to maxn: exactly 1..count */
    if (other || (lua_Number)*count != maxn) { st->err = "cannot encode a sparse array or non-integer keys"; return -1; }
    return 1;
  }
  if (strings != *count) { st->err = "cannot encode a table with both string and non-string keys"; return -1; }
  return 0;
}

static int enc_array(enc_state *st, int idx, int depth) {
  lua_State *L = st->L;
  lua_Integer i, n = (lua_Integer)lua_rawlen(L, idx);
  hwc_buf_addc(st->b, '[');
  for (i = 1; i <= n; i++) {
    if (i > 1) hwc_buf_addc(st->b, ',');
    lua_rawgeti(L, idx, (int)i);
    if (!enc_value(st, -1, depth + 1)) return 0;
    lua_pop(L, 1);
  }
  hwc_buf_addc(st->b, ']');
  return 1;
}

/* An object of count string keys, sorted by bytes. */
static int enc_object(enc_state *st, int idx, int depth, int count) {
  lua_State *L = st->L;
  /* stack: keys (userdata), anchor (the key strings, so a key removed
   * from the table meanwhile stays valid) */
  enc_key *keys = (enc_key *)lua_newuserdatauv(L, sizeof(enc_key) * (size_t)(count ? count : 1), 0);
  int k = 0, anchor;
  lua_createtable(L, count, 0);
  anchor = lua_gettop(L);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    lua_pop(L, 1);
    keys[k].s = lua_tolstring(L, -1, &keys[k].n); /* a string key: next is not confused */
    lua_pushvalue(L, -1);
    lua_rawseti(L, anchor, ++k);
  }
  qsort(keys, (size_t)count, sizeof *keys, cmp_keys);
  hwc_buf_addc(st->b, '{');
  for (k = 0; k < count; k++) {
    if (k) hwc_buf_addc(st->b, ',');
    enc_string(st->b, keys[k].s, keys[k].n);
    hwc_buf_addc(st->b, ':');
    /* the whole key, raw: no __index runs mid-encode, a NUL cuts nothing */
    lua_pushlstring(L, keys[k].s, keys[k].n);
    lua_rawget(L, idx);
    if (!enc_value(st, -1, depth + 1)) return 0;
    lua_pop(L, 1);
  }
  hwc_buf_addc(st->b, '}');
  lua_pop(L, 2); /* keys, anchor */
  return 1;
}

static int enc_table(enc_state *st, int idx, int depth) {
  lua_State *L = st->L;
  int count, shape;
  /* depth counts the tables above this one: this one is level depth + 1 */
  if (depth >= HWC_JSON_MAX_DEPTH) { st->err = "nesting deeper than " DEPTH_TEXT " levels"; return 0; }
  luaL_checkstack(L, 6, "hwcloud.core.encode: nesting too deep");
  lua_pushvalue(L, idx);
  lua_rawget(L, st->seen);
  if (!lua_isnil(L, -1)) { lua_pop(L, 1); st->err = "cannot encode a table that contains itself (cycle)"; return 0; }
  lua_pop(L, 1);
  lua_pushvalue(L, idx);
  lua_pushboolean(L, 1);
  lua_rawset(L, st->seen);
  shape = table_shape(st, idx, &count);
  if (shape < 0 || !(shape ? enc_array(st, idx, depth) : enc_object(st, idx, depth, count))) return 0;
  lua_pushvalue(L, idx);
  lua_pushnil(L);
  lua_rawset(L, st->seen);
  return 1;
}

static int enc_value(enc_state *st, int idx, int depth) {
  lua_State *L = st->L;
  idx = lua_absindex(L, idx);
  switch (lua_type(L, idx)) {
    case LUA_TNIL: hwc_buf_adds(st->b, "null"); return 1;
    case LUA_TBOOLEAN: hwc_buf_adds(st->b, lua_toboolean(L, idx) ? "true" : "false"); return 1;
    case LUA_TNUMBER: return enc_number(st, idx);
    case LUA_TSTRING: {
      size_t n;
      const char *s = lua_tolstring(L, idx, &n);
      enc_string(st->b, s, n);
      return 1;
    }
    case LUA_TTABLE: return enc_table(st, idx, depth);
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, idx) == NULL) { hwc_buf_adds(st->b, "null"); return 1; }
      /* fall through */
    default:
      st->err = "cannot encode a value of this type (function, userdata or thread)";
      return 0;
  }
}

/* core.encode(value) -> JSON text; raises kind = "argument" on what JSON can't hold. */
int hwc_encode(lua_State *L) {
  enc_state st;
  luaL_checkany(L, 1);
  lua_settop(L, 1);
  lua_newtable(L); /* 2: seen */
  st.L = L;
  st.b = hwc_buf_push(L); /* 3 */
  st.seen = 2;
  st.err = NULL;
  if (!enc_value(&st, 1, 0)) {
    char msg[160];
    snprintf(msg, sizeof msg, "hwcloud.core.encode: %s", st.err);
    hwc_error_new(L, "argument", NULL, msg);
    return lua_error(L);
  }
  hwc_buf_check(L, st.b);
  lua_pushlstring(L, st.b->data, st.b->len);
  return 1;
}

/* Makes the array metatable and core.null; module table at -1. */
void hwc_json_open(lua_State *L) {
  lua_newtable(L);
  lua_pushliteral(L, "hwcloud.array");
  lua_setfield(L, -2, "__name");
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &hwc_array_mt_key);
  lua_setfield(L, -2, "array_mt");
  lua_pushlightuserdata(L, NULL); /* lua-cjson's and OpenResty's null */
  lua_setfield(L, -2, "null");
}
