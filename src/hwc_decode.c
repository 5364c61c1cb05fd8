/* The JSON decoder of hwcloud.core: one pass over the text that builds the
 * Lua values directly, with no copy of the body and no intermediate tree.
 * Strict RFC 8259 (https://www.rfc-editor.org/rfc/rfc8259) except where
 * noted: every array gets the array marker metatable (even "[]"), null is
 * the NULL light userdata (== cjson.null == ngx.null), integer literals that
 * fit 64 bits stay exact integers on Lua 5.4, and integral floats up to 2^53
 * become integers (as the earlier cjson-based decoder did). Errors name what
 * was expected and the byte offset. Containers are presized: an array's
 * first items wait on the Lua stack until the count is known (bounded per
 * level and overall, so deep or wide documents fall back to plain growth),
 * and so do an object's, unless an object under the same key came before:
 * then it is made at once with that one's key count. Repeated short strings
 * (keys, enum-like values) come from a small per-decode cache instead of
 * Lua's string interning. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif
#include "hwc_internal.h"

#define ARRAY_BATCH 64      /* elements kept on the stack before the table exists */
#define OBJECT_BATCH 32     /* key/value pairs likewise */
#define STACK_BUDGET 4000   /* stack slots in use (the cache's included) above which no level batches
                             * (LuaJIT allows 8000) */
#define SHORT_STRING 256    /* escaped strings up to this size are unescaped on the C stack */
#define KEY_SLOTS 256       /* recent keys, so repeated keys skip Lua's interning... */
#define VALUE_SLOTS 128     /* ...and recent short values, apart: a value never evicts a key */
#define CACHE_SLOTS (KEY_SLOTS + VALUE_SLOTS)
#define CACHE_WAYS 4        /* a string may sit in any slot of its set of 4 (64 sets of keys, 32 of values) */
#define CACHE_MIN_TEXT 2048 /* smaller texts do without */
#define CACHE_KEY_LEN 40    /* longest key cached (Lua 5.4 interns up to 40 bytes) */
#define CACHE_VALUE_LEN 16  /* longest string value cached (enum-like values repeat) */
#ifdef __GNUC__
#define NOINLINE __attribute__((noinline))
#else
#define NOINLINE
#endif
#define TEXT(x) #x
#define DEPTH_TEXT_(x) TEXT(x)
#define DEPTH_TEXT DEPTH_TEXT_(HWC_JSON_MAX_DEPTH)

typedef struct {
  lua_State *L;
  const char *start, *end; /* the text; *end == '\0' */
  const char *p;           /* after the value just parsed */
  int base, mt;            /* stack: the caller's top, the array metatable */
  int cache;               /* stack index of the string cache's first slot, or 0 */
  int depth;
  const char *why;         /* the first error, a format with one %s for what was found (or none) */
  const char *at;
  int last_slot;           /* the cache slot of the string just pushed, or -1 */
  unsigned clock;          /* counts cache look-ups */
  struct {
    size_t n;              /* 0: empty */
    unsigned gen;          /* bumped when the slot changes hands */
    unsigned used;         /* the clock when last used */
    int keys;              /* key count of the last object under this key (0: none yet) */
    char s[CACHE_KEY_LEN]; /* the bytes of the string the cache table holds */
  } slot[CACHE_SLOTS];
} dec_state;

/* Bytes that end a run of plain string content: '"', '\\' and controls (NUL included). */
static const unsigned char stops[256] = {
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0};

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static const char *skip_ws(const char *p) {
  while ((unsigned char)*p <= ' ' && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
  return p;
}

static int fail(dec_state *d, const char *at, const char *why) {
  if (!d->why) { d->why = why; d->at = at; }
  return 0;
}

/* Pushes "<why> at offset N" for the recorded error. */
static void push_error(dec_state *d) {
  char found[32], msg[200];
  const char *at = d->at;
  unsigned char c = at < d->end ? (unsigned char)*at : 0;
  int len;
  if (at >= d->end) snprintf(found, sizeof found, "end of text");
  else if (c > ' ' && c < 0x7f) snprintf(found, sizeof found, "'%c'", c);
  else snprintf(found, sizeof found, "byte 0x%02x", c);
  len = snprintf(msg, sizeof msg, d->why, found);
  if (len < 0 || (size_t)len >= sizeof msg) len = 0;
  snprintf(msg + len, sizeof msg - (size_t)len, " at offset %zu", (size_t)(at - d->start));
  lua_pushstring(d->L, msg);
}

/* The end of the run of plain string bytes from p: the first '"', '\\' or
 * byte below 0x20, 16 bytes at a time with SSE2 (every x86-64), else 8 at a
 * time in a 64-bit word (exact tests: a flagged word holds such a byte). */
static const char *scan_plain(const char *p, const char *end) {
#ifdef __SSE2__
  const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1f);
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                               _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v)); /* v <= 0x1f */
    int mask = _mm_movemask_epi8(hit);
    if (mask) return p + __builtin_ctz((unsigned)mask);
    p += 16;
  }
#else
  const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
  while (end - p >= 8) {
    uint64_t w, q, b;
    memcpy(&w, p, 8);
    q = w ^ (ones * '"');
    b = w ^ (ones * '\\');
    if ((((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w)) & highs) break;
    p += 8;
  }
#endif
  while (!stops[(unsigned char)*p]) p++;
  return p;
}

static int hex4(const char *p) {
  int i, v = 0;
  for (i = 0; i < 4; i++) {
    char c = p[i]; /* stops at the closing quote, so never reads past the string */
    v <<= 4;
    if (c >= '0' && c <= '9') v |= c - '0';
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') v |= (c | 0x20) - 'a' + 10;
    else return -1;
  }
  return v;
}

static char *put_utf8(char *o, unsigned cp) {
  if (cp < 0x80) {
    *o++ = (char)cp;
  } else if (cp < 0x800) {
    *o++ = (char)(0xc0 | (cp >> 6));
    *o++ = (char)(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *o++ = (char)(0xe0 | (cp >> 12));
    *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
    *o++ = (char)(0x80 | (cp & 0x3f));
  } else {
    *o++ = (char)(0xf0 | (cp >> 18));
    *o++ = (char)(0x80 | ((cp >> 12) & 0x3f));
    *o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
    *o++ = (char)(0x80 | (cp & 0x3f));
  }
  return o;
}

/* Unescapes s..e (q: the first backslash) into o; returns the end or NULL.
 * Surrogates as lua-cjson 2.1.0: a high one must be followed by a low one,
 * a lone one is refused. */
static char *unescape(dec_state *d, const char *s, const char *q, const char *e, char *o) {
  memcpy(o, s, (size_t)(q - s));
  o += q - s;
  while (q < e) {
    int cp, lo;
    if (*q != '\\') {
      const char *r = memchr(q, '\\', (size_t)(e - q));
      if (!r) r = e;
      memcpy(o, q, (size_t)(r - q));
      o += r - q;
      q = r;
      continue;
    }
    switch (q[1]) {
      case '"': *o++ = '"'; break;
      case '\\': *o++ = '\\'; break;
      case '/': *o++ = '/'; break;
      case 'b': *o++ = '\b'; break;
      case 'f': *o++ = '\f'; break;
      case 'n': *o++ = '\n'; break;
      case 'r': *o++ = '\r'; break;
      case 't': *o++ = '\t'; break;
      case 'u':
        cp = hex4(q + 2);
        if (cp < 0) { fail(d, q, "invalid unicode escape code"); return NULL; }
        if ((cp & 0xf800) == 0xd800) {
          if (cp & 0x400 || q[6] != '\\' || q[7] != 'u' || (lo = hex4(q + 8)) < 0 || (lo & 0xfc00) != 0xdc00) {
            fail(d, q, "invalid unicode surrogate escape");
            return NULL;
          }
          cp = 0x10000 + (((cp & 0x3ff) << 10) | (lo & 0x3ff));
          q += 6;
        }
        o = put_utf8(o, (unsigned)cp);
        q += 4;
        break;
      default:
        fail(d, q, "invalid escape code");
        return NULL;
    }
    q += 2;
  }
  return o;
}

/* memcmp(a, b, n) == 0 for the short strings of the cache, without a call
 * and without reading past either end (overlapping word loads). */
static int same_bytes(const char *a, const char *b, size_t n) {
  uint64_t x, y;
  uint32_t u, v;
  size_t i;
  if (n >= 8) {
    for (i = 0; i + 8 <= n; i += 8) {
      memcpy(&x, a + i, 8);
      memcpy(&y, b + i, 8);
      if (x != y) return 0;
    }
    memcpy(&x, a + n - 8, 8);
    memcpy(&y, b + n - 8, 8);
    return x == y;
  }
  if (n >= 4) {
    memcpy(&u, a, 4);
    memcpy(&v, b, 4);
    if (u != v) return 0;
    memcpy(&u, a + n - 4, 4);
    memcpy(&v, b + n - 4, 4);
    return u == v;
  }
  for (i = 0; i < n; i++)
    if (a[i] != b[i]) return 0;
  return 1;
}

/* Pushes s[0..n) (0 < n <= CACHE_KEY_LEN), from the cache when the same
 * bytes were seen recently: a key (is_key) from the key slots, a value from
 * the value slots. The set of 4 slots comes from a hash of the length and
 * three bytes; a miss replaces the slot of the set used longest ago, so the
 * few keys an array of objects repeats stay even when their hashes meet
 * (with one slot per hash, 3 of the 30 keys of bench/bodies.lua's big body
 * evicted each other in every object). */
static void push_cached(dec_state *d, const char *s, size_t n, int is_key) {
  lua_State *L = d->L;
  unsigned h = (unsigned)(n * 7 + (unsigned char)s[0] * 31 + (unsigned char)s[n - 1] * 17 +
                          (unsigned char)s[n >> 1] * 3);
  unsigned set = is_key ? h % (KEY_SLOTS / CACHE_WAYS) * CACHE_WAYS
                        : KEY_SLOTS + h % (VALUE_SLOTS / CACHE_WAYS) * CACHE_WAYS;
  unsigned i, w;
  d->clock++;
  for (i = w = set; w < set + CACHE_WAYS; w++) {
    if (d->slot[w].n == n && same_bytes(d->slot[w].s, s, n)) {
      d->last_slot = (int)w;
      d->slot[w].used = d->clock;
      lua_pushvalue(L, d->cache + (int)w);
      return;
    }
    if (d->slot[w].used < d->slot[i].used) i = w;
  }
  d->last_slot = (int)i;
  d->slot[i].used = d->clock;
  lua_pushlstring(L, s, n);
  lua_pushvalue(L, -1);
  lua_replace(L, d->cache + (int)i);
  memcpy(d->slot[i].s, s, n); /* a copy here: comparing never touches the Lua heap */
  d->slot[i].n = n;
  d->slot[i].gen++;
  d->slot[i].keys = 0;
}

/* The rest of a string with escapes: s after the opening quote p, q at the
 * first backslash. Kept out of line, so the common path stays small. */
NOINLINE static int parse_escaped(dec_state *d, const char *p, const char *s, const char *q) {
  lua_State *L = d->L;
  const char *e;
  char local[SHORT_STRING], *buf, *o;
  for (e = q;; e += 2) { /* find the closing quote first: it bounds the output */
    e = scan_plain(e, d->end);
    if (*e == '"') break;
    if (e >= d->end || (*e == '\\' && e + 1 >= d->end)) return fail(d, p, "unterminated string");
    if (*e != '\\') return fail(d, e, "unescaped control character (%s) in string");
  }
  buf = local;
  if ((size_t)(e - s) > sizeof local) buf = (char *)lua_newuserdatauv(L, (size_t)(e - s), 0); /* GC-owned */
  o = unescape(d, s, q, e, buf);
  if (!o) return 0;
  lua_pushlstring(L, buf, (size_t)(o - buf));
  if (buf != local) lua_remove(L, -2);
  d->p = e + 1;
  return 1;
}

/* p at the opening quote: pushes the string (limit: the longest length
 * worth looking up in the cache). */
static int parse_string(dec_state *d, const char *p, size_t limit) {
  const char *s = p + 1, *q = scan_plain(s, d->end);
  d->last_slot = -1;
  if (*q == '"') {
    size_t n = (size_t)(q - s);
    if (n - 1 < limit && d->cache) push_cached(d, s, n, limit == CACHE_KEY_LEN);
    else lua_pushlstring(d->L, s, n);
    d->p = q + 1;
    return 1;
  }
  return parse_escaped(d, p, s, q);
}

#if HWC_HAS_INTEGERS
static void push_float(lua_State *L, double v) {
  /* integral values up to 2^53 become integers, as the cjson-based decoder did */
  if (fabs(v) <= 9007199254740992.0 && (double)(lua_Integer)v == v) lua_pushinteger(L, (lua_Integer)v);
  else lua_pushnumber(L, v);
}
#else
#define push_float lua_pushnumber
#endif

/* The slow, always correct path: strtod on a bounded copy of the digits
 * written as "[-]DIGITSeEXP" (no decimal point, so the locale does not matter). */
static int slow_number(dec_state *d, const char *start, const char *p, long long exp10, double *out) {
  char local[128], *buf = local, *o, *endp;
  size_t need = (size_t)(p - start) + 32;
  const char *s;
  if (need > sizeof local && !(buf = (char *)malloc(need))) return fail(d, start, "out of memory for a number");
  o = buf;
  for (s = start; s < p && (*s | 0x20) != 'e'; s++)
    if (*s != '.') *o++ = *s;
  snprintf(o, 32, "e%lld", exp10);
  *out = strtod(buf, &endp);
  if (buf != local) free(buf); /* nothing in between can raise */
  if (isinf(*out)) return fail(d, start, "number out of range");
  return 1;
}

#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
static const double pow10s[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                  1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
#endif

/* p at '-' or a digit: pushes the number (strict JSON grammar). */
static int parse_number(dec_state *d, const char *p) {
  const char *start = p;
  uint64_t m = 0; /* the first 19 significant digits */
  int nd = 0, trunc = 0, neg = 0, is_int = 1;
  long long e10 = 0, ex = 0, nfrac = 0; /* m * 10^e10 is the value when !trunc */
  double v;
  if (*p == '-') { neg = 1; p++; }
  if (*p == '0') {
    if (is_digit(*++p)) return fail(d, start, "invalid number (leading zero)");
  } else if (is_digit(*p)) {
    for (; is_digit(*p); p++) {
      if (nd < 19) { m = m * 10 + (uint64_t)(*p - '0'); nd++; }
      else { trunc = 1; e10++; }
    }
  } else {
    return fail(d, start, "invalid number");
  }
  if (*p == '.') {
    is_int = 0;
    if (!is_digit(*++p)) return fail(d, start, "invalid number");
    for (; is_digit(*p); p++, nfrac++) {
      if (m == 0 && *p == '0') e10--;
      else if (nd < 19) { m = m * 10 + (uint64_t)(*p - '0'); nd++; e10--; }
      else trunc = 1;
    }
  }
  if ((*p | 0x20) == 'e') {
    int eneg = 0;
    is_int = 0;
    p++;
    if (*p == '+' || *p == '-') eneg = *p++ == '-';
    if (!is_digit(*p)) return fail(d, start, "invalid number");
    for (; is_digit(*p); p++)
      if (ex < 1000000000) ex = ex * 10 + (*p - '0'); /* beyond: inf or 0 either way */
    if (eneg) ex = -ex;
    e10 += ex;
  }
  d->p = p;
  if (is_int && !trunc) {
#if HWC_HAS_INTEGERS
    if (!neg && m <= (uint64_t)INT64_MAX) { lua_pushinteger(d->L, (lua_Integer)m); return 1; }
    if (neg && m <= (uint64_t)INT64_MAX + 1) {
      lua_pushinteger(d->L, m == (uint64_t)INT64_MAX + 1 ? (lua_Integer)INT64_MIN : -(lua_Integer)m);
      return 1;
    }
#else
    lua_pushnumber(d->L, neg ? -(double)m : (double)m);
    return 1;
#endif
  }
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
  /* Exact operands, one rounding (Clinger's fast path). */
  if (!trunc && m <= (1ull << 53)) {
    if (m == 0) { push_float(d->L, neg ? -0.0 : 0.0); return 1; }
    if (e10 >= -22 && e10 <= 22) {
      v = e10 < 0 ? (double)m / pow10s[-e10] : (double)m * pow10s[e10];
      push_float(d->L, neg ? -v : v);
      return 1;
    }
    if (e10 > 22 && e10 <= 22 + 15) {
      uint64_t mm = m;
      long long k;
      for (k = e10 - 22; k > 0 && mm <= (1ull << 53); k--) mm *= 10;
      if (mm <= (1ull << 53)) {
        v = (double)mm * 1e22;
        push_float(d->L, neg ? -v : v);
        return 1;
      }
    }
  }
#endif
  if (!slow_number(d, start, p, ex - nfrac, &v)) return 0;
  push_float(d->L, v);
  return 1;
}

/* A container's size hint lives in the cache slot of the key it sits under
 * (objects in a list under "tags" are sized like the previous one): the slot
 * and its generation when the key was read, or slot -1. */
typedef struct {
  int slot;
  unsigned gen;
} hint_ref;

static int parse_value(dec_state *d, const char *p, hint_ref h);

/* Creates the table for the k items waiting at first.. (pairs for an object),
 * sized for size, and leaves it at first. Stack: first..top -> table. */
static int make_table(dec_state *d, int first, int k, int size, int is_array) {
  lua_State *L = d->L;
  int i, t;
  if (is_array) {
    lua_createtable(L, size, 0);
    lua_pushvalue(L, d->mt);
    lua_setmetatable(L, -2);
  } else {
    lua_createtable(L, 0, size);
  }
  t = lua_gettop(L);
  if (t == first) return first; /* no items */
  if (is_array) { /* the table goes below its elements, which then pop into it from the top */
    lua_insert(L, first);
    for (i = k; i > 0; i--) lua_rawseti(L, first, i);
    return first;
  }
  for (i = 0; i < k; i++) { /* in order: a repeated key keeps its last value */
    lua_pushvalue(L, first + 2 * i);
    lua_pushvalue(L, first + 2 * i + 1);
    lua_rawset(L, t);
  }
  lua_replace(L, first);
  lua_settop(L, first);
  return first;
}

static int hint_ok(dec_state *d, hint_ref h) { return h.slot >= 0 && d->slot[h.slot].gen == h.gen; }

/* p at '[' or '{': pushes the table. h: where the size hint for an object is
 * (an array passes its own on to its elements). Without a hint an object
 * waits for its count like an array; with one, it is made at once. */
static int parse_container(dec_state *d, const char *p, hint_ref h) {
  lua_State *L = d->L;
  int is_array = *p == '[', first = lua_gettop(L) + 1, t = 0, k = 0, batch;
  char close = is_array ? ']' : '}';
  hint_ref inner = is_array ? h : (hint_ref){-1, 0};
  if (++d->depth > HWC_JSON_MAX_DEPTH) return fail(d, p, "arrays and objects nested deeper than " DEPTH_TEXT);
  batch = first - d->base < STACK_BUDGET ? (is_array ? ARRAY_BATCH : OBJECT_BATCH) : 0;
  if (!lua_checkstack(L, 2 * batch + 8)) return fail(d, p, "Lua stack exhausted");
  if (!is_array && hint_ok(d, h) && d->slot[h.slot].keys > 0) {
    lua_createtable(L, 0, d->slot[h.slot].keys);
    t = first;
  }
  p = skip_ws(p + 1);
  if (*p != close) {
    for (;;) {
      if (!is_array) {
        if (*p != '"') return fail(d, p, "expected object key string but found %s");
        if (!parse_string(d, p, CACHE_KEY_LEN)) return 0;
        inner.slot = d->last_slot;
        if (inner.slot >= 0) inner.gen = d->slot[inner.slot].gen;
        p = skip_ws(d->p);
        if (*p != ':') return fail(d, p, "expected ':' but found %s");
        p++;
      }
      if (!parse_value(d, p, inner)) return 0;
      k++;
      if (t) {
        if (is_array) lua_rawseti(L, t, k);
        else lua_rawset(L, t);
      } else if (k >= batch) {
        t = make_table(d, first, k, 2 * k, is_array);
      }
      p = skip_ws(d->p);
      if (*p == ',') { p = skip_ws(p + 1); continue; }
      if (*p == close) break;
      return fail(d, p, is_array ? "expected ',' or ']' but found %s" : "expected ',' or '}' but found %s");
    }
  }
  if (!t) make_table(d, first, k, k, is_array);
  if (!is_array && hint_ok(d, h)) d->slot[h.slot].keys = k < OBJECT_BATCH ? k : OBJECT_BATCH;
  d->depth--;
  d->p = p + 1;
  return 1;
}

/* Skips white space, pushes one value. */
static int parse_value(dec_state *d, const char *p, hint_ref h) {
  lua_State *L = d->L;
  p = skip_ws(p);
  switch (*p) {
    case '"': return parse_string(d, p, CACHE_VALUE_LEN);
    case '{': case '[': return parse_container(d, p, h);
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9': return parse_number(d, p);
    case 't':
      if (p[1] == 'r' && p[2] == 'u' && p[3] == 'e') { lua_pushboolean(L, 1); d->p = p + 4; return 1; }
      break;
    case 'f':
      if (p[1] == 'a' && p[2] == 'l' && p[3] == 's' && p[4] == 'e') { lua_pushboolean(L, 0); d->p = p + 5; return 1; }
      break;
    case 'n':
      if (p[1] == 'u' && p[2] == 'l' && p[3] == 'l') { lua_pushlightuserdata(L, NULL); d->p = p + 4; return 1; }
      break;
    default:
      break;
  }
  return fail(d, p, "expected value but found %s");
}

/* Decodes s[0..n) (s[n] must be '\0', as in every Lua string): pushes the
 * value and returns 1, or pushes the message and returns 0. */
int hwc_json_decode_string(lua_State *L, const char *s, size_t n) {
  dec_state d;
  hint_ref no_hint = {-1, 0};
  d.L = L;
  d.start = s;
  d.end = s + n;
  d.base = lua_gettop(L);
  d.depth = 0;
  d.why = NULL;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &hwc_array_mt_key);
  d.mt = d.base + 1;
  d.cache = 0;
  if (n >= CACHE_MIN_TEXT && lua_checkstack(L, CACHE_SLOTS + 8)) {
    int i;
    /* the cache's strings, in stack slots: lua_pushvalue from one costs less
     * than lua_rawgeti from a table (2-3% of a decode, bench/decode.lua --callgrind) */
    lua_settop(L, d.mt + CACHE_SLOTS);
    d.cache = d.mt + 1;
    for (i = 0; i < CACHE_SLOTS; i++) {
      d.slot[i].n = 0;
      d.slot[i].gen = 0;
      d.slot[i].used = 0;
      d.slot[i].keys = 0;
    }
  }
  d.last_slot = -1;
  d.clock = 0;
  if (parse_value(&d, s, no_hint)) {
    const char *p = skip_ws(d.p);
    if (p == d.end) {
      lua_replace(L, d.mt); /* the value replaces the metatable; the cache goes */
      lua_settop(L, d.mt);
      return 1;
    }
    fail(&d, p, "expected the end but found %s");
  }
  lua_settop(L, d.base);
  push_error(&d);
  return 0;
}

/* The body of core.decode (argument 1: the text). */
static int decode_text(lua_State *L) {
  size_t n;
  const char *s = lua_tolstring(L, 1, &n);
  if (!hwc_json_decode_string(L, s, n)) {
    hwc_error_new(L, "decode", NULL, lua_tostring(L, -1));
    return lua_error(L);
  }
  return 1;
}

/* A text this long or longer is decoded with Lua 5.4's collector paused
 * (hwc_call_gc_paused, as session:send builds a response): measured with
 * bench/decode.lua --callgrind, 7% fewer instructions on the 1.09 MB body
 * (12% less CPU time), but 5% more on the 30 KB one. */
#define DECODE_PAUSE_MIN (256u * 1024u)

/* core.decode(text) -> value; raises kind = "decode". */
int hwc_decode(lua_State *L) {
  size_t n;
  luaL_checklstring(L, 1, &n);
  lua_settop(L, 1);
  if (n >= DECODE_PAUSE_MIN) return hwc_call_gc_paused(L, decode_text, 1, n);
  return decode_text(L);
}
