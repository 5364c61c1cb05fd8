/* JSON for hwcloud.core. Decoding goes through a private lua-cjson instance
 * (cjson.new(), so the host's cjson is never reconfigured), then fixes what
 * Debian's lua-cjson 2.1.0 gets wrong for us: integral numbers become
 * integers on Lua 5.4, arrays get the array marker metatable, and "[]" stays
 * an array. Encoding is our own: exact integers, [] for marked or empty marked
 * arrays, null for core.null (the same light userdata as cjson.null and
 * ngx.null), deterministic key order, errors on cycles. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "hwc_internal.h"

const char hwc_array_mt_key = 0;
static const char decoder_key = 0;

/* "[]" is rewritten to ["<EMPTY>"] before cjson sees it, then turned back. */
#define EMPTY_ARRAY_JSON "[\"\\u0000hwc:[]\"]"
#define EMPTY_ARRAY_LUA "\0hwc:[]"
#define EMPTY_ARRAY_LEN 7
#define MAX_DEPTH 1000

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

/* Returns 1 and fills out when s holds an empty array outside strings. */
static int rewrite_empty_arrays(const char *s, size_t n, hwc_buf *out) {
  size_t i, last = 0;
  int in_str = 0, found = 0;
  for (i = 0; i < n; i++) {
    char c = s[i];
    if (in_str) {
      if (c == '\\') i++;
      else if (c == '"') in_str = 0;
    } else if (c == '"') {
      in_str = 1;
    } else if (c == '[') {
      size_t j = i + 1;
      while (j < n && is_ws(s[j])) j++;
      if (j < n && s[j] == ']') {
        hwc_buf_add(out, s + last, i - last);
        hwc_buf_adds(out, EMPTY_ARRAY_JSON);
        last = j + 1;
        i = j;
        found = 1;
      }
    }
  }
  if (found) hwc_buf_add(out, s + last, n - last);
  return found;
}

static void push_array_mt(lua_State *L) { lua_rawgetp(L, LUA_REGISTRYINDEX, &hwc_array_mt_key); }

/* Walks a decoded value at idx: integers, array markers, empty arrays. */
static void fix_value(lua_State *L, int idx, int depth) {
  idx = lua_absindex(L, idx);
#if HWC_HAS_INTEGERS
  if (depth == 0 && lua_type(L, idx) == LUA_TNUMBER && !lua_isinteger(L, idx)) {
    lua_Number d = lua_tonumber(L, idx); /* a bare top-level number */
    if (d == floor(d) && fabs(d) <= 9007199254740992.0) {
      lua_pushinteger(L, (lua_Integer)d);
      lua_replace(L, idx);
    }
    return;
  }
#endif
  if (lua_type(L, idx) != LUA_TTABLE || depth > MAX_DEPTH) return;
  {
    int count = 0, numeric = 1;
    luaL_checkstack(L, 4, "hwcloud.core: JSON nesting too deep");
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      count++;
      if (lua_type(L, -2) != LUA_TNUMBER) numeric = 0;
#if HWC_HAS_INTEGERS
      if (lua_type(L, -1) == LUA_TNUMBER && !lua_isinteger(L, -1)) {
        lua_Number d = lua_tonumber(L, -1);
        if (d == floor(d) && fabs(d) <= 9007199254740992.0) {
          lua_pushvalue(L, -2);
          lua_pushinteger(L, (lua_Integer)d);
          lua_rawset(L, idx); /* replacing an existing key's value is allowed during next */
        }
      } else
#endif
      if (lua_type(L, -1) == LUA_TTABLE) {
        fix_value(L, -1, depth + 1);
      }
      lua_pop(L, 1);
    }
    if (numeric && count > 0) {
      if (count == 1) {
        size_t len;
        const char *s;
        lua_rawgeti(L, idx, 1);
        s = lua_tolstring(L, -1, &len);
        if (lua_type(L, -1) == LUA_TSTRING && len == EMPTY_ARRAY_LEN &&
            !memcmp(s, EMPTY_ARRAY_LUA, EMPTY_ARRAY_LEN)) {
          lua_pushnil(L);
          lua_rawseti(L, idx, 1);
        }
        lua_pop(L, 1);
      }
      push_array_mt(L);
      lua_setmetatable(L, idx);
    }
  }
}

int hwc_json_decode_string(lua_State *L, const char *s, size_t n) {
  hwc_buf *b = hwc_buf_push(L);
  int found = rewrite_empty_arrays(s, n, b);
  hwc_buf_check(L, b);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &decoder_key);
  if (found) lua_pushlstring(L, b->data, b->len);
  else lua_pushlstring(L, s, n);
  if (lua_pcall(L, 1, 1, 0) != 0) {
    lua_remove(L, -2); /* the buffer */
    return 0;          /* message on top */
  }
  lua_remove(L, -2);
  hwc_buf_free(b);
  fix_value(L, -1, 0);
  return 1;
}

/* core.decode(text) -> value; raises kind = "decode". */
int hwc_decode(lua_State *L) {
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  if (!hwc_json_decode_string(L, s, n)) {
    const char *msg = lua_tostring(L, -1);
    hwc_error_new(L, "decode", NULL, msg ? msg : "invalid JSON");
    return lua_error(L);
  }
  return 1;
}

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
  for (prec = 14; prec <= 17; prec++) {
    snprintf(out, n, "%.*g", prec, d);
    if (strtod(out, NULL) == d) break;
  }
}

static int enc_number(enc_state *st, int idx) {
  char tmp[64];
  lua_Number d;
#if HWC_HAS_INTEGERS
  if (lua_isinteger(st->L, idx)) {
    snprintf(tmp, sizeof tmp, "%lld", (long long)lua_tointeger(st->L, idx));
    hwc_buf_adds(st->b, tmp);
    return 1;
  }
#endif
  d = lua_tonumber(st->L, idx);
  if (isnan(d) || isinf(d)) { st->err = "cannot encode NaN or infinity"; return 0; }
  if (d == floor(d) && fabs(d) < 1e15) {
    snprintf(tmp, sizeof tmp, "%.0f", d);
  } else {
    hwc_number_text(d, tmp, sizeof tmp);
  }
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

static int enc_table(enc_state *st, int idx, int depth) {
  lua_State *L = st->L;
  int is_array = 0, count = 0, strings = 0;
  lua_Integer i;
  int other = 0; /* a key no array index can be: not an integer >= 1 */
  lua_Number maxn = 0; /* the largest key, kept a double: a key such as 1e300 is cast to nothing */
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

  if (lua_getmetatable(L, idx)) {
    push_array_mt(L);
    is_array = lua_rawequal(L, -1, -2);
    lua_pop(L, 2);
  }
  if (!is_array) {
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      count++;
      if (lua_type(L, -2) == LUA_TSTRING) strings++;
      else if (lua_type(L, -2) == LUA_TNUMBER) {
        lua_Number k = lua_tonumber(L, -2);
        if (!(k >= 1 && k == floor(k))) other = 1;
        else if (k > maxn) maxn = k;
      }
      lua_pop(L, 1);
    }
    if (count > 0 && strings == 0) {
      /* count keys, all integers from 1 to maxn: exactly 1..count */
      if (other || (lua_Number)count != maxn) { st->err = "cannot encode a sparse array or non-integer keys"; return 0; }
      is_array = 1;
    } else if (strings != count) {
      st->err = "cannot encode a table with both string and non-string keys";
      return 0;
    }
  }
  if (is_array) {
    lua_Integer n = (lua_Integer)lua_rawlen(L, idx);
    hwc_buf_addc(st->b, '[');
    for (i = 1; i <= n; i++) {
      if (i > 1) hwc_buf_addc(st->b, ',');
      lua_rawgeti(L, idx, (int)i);
      if (!enc_value(st, -1, depth + 1)) return 0;
      lua_pop(L, 1);
    }
    hwc_buf_addc(st->b, ']');
  } else {
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
  }
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

/* Makes the private decoder and the array metatable; module table at -1. */
void hwc_json_open(lua_State *L) {
  lua_newtable(L);
  lua_pushliteral(L, "hwcloud.array");
  lua_setfield(L, -2, "__name");
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &hwc_array_mt_key);
  lua_setfield(L, -2, "array_mt");

  lua_getglobal(L, "require");
  lua_pushliteral(L, "cjson");
  lua_call(L, 1, 1);
  lua_getfield(L, -1, "new");
  lua_call(L, 0, 1); /* private instance */
  lua_getfield(L, -1, "null");
  lua_setfield(L, -4, "null");
  lua_getfield(L, -1, "decode");
  lua_rawsetp(L, LUA_REGISTRYINDEX, &decoder_key);
  lua_pop(L, 2);
}
