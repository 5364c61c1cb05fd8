/* The request signer: SDK-HMAC-SHA256 and V11-HMAC-SHA256 exactly as
 * Huawei's API Signing Guide describes them (canonical URI, query, headers,
 * payload hash, string to sign, Authorization;
 * https://support.huaweicloud.com/intl/en-us/devg-apisign/), in C over
 * libcrypto. core.sign(t) returns the signature and every header to send. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include "hwc_internal.h"

#define NAME_MAX_LEN 128
/* The function every argument error names: core.sign or core.sign_headers,
 * each a closure over its own name (hwc_sign_open); the helpers below run
 * inside that C function's frame, so its upvalue is theirs to read. */
#define SIGN sign_fn(L)
static const char *sign_fn(lua_State *L) {
  const char *name = lua_tostring(L, lua_upvalueindex(1));
  return name ? name : "hwcloud.core.sign";
}
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

typedef struct {
  const char *name;  /* as given */
  const char *value; /* trimmed, not NUL-terminated */
  size_t nlen, vlen;
  char lname[NAME_MAX_LEN + 1];
} sig_header;

typedef struct {
  size_t k, klen, v, vlen; /* offsets into the decoded-query buffer... */
  const char *kp, *vp;     /* ...and, once it is complete, pointers */
} query_pair;

void hwc_hex(const unsigned char *in, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  size_t i;
  for (i = 0; i < n; i++) {
    out[2 * i] = digits[in[i] >> 4];
    out[2 * i + 1] = digits[in[i] & 15];
  }
  out[2 * n] = '\0';
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* D: percent-decoding; '+' stays '+'; a malformed escape is kept as is.
 * The bytes between escapes go in as one run (a byte at a time, the
 * canonical path cost ~3,000 instructions of a signed request). */
static void pct_decode(hwc_buf *out, const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    const char *pc = (const char *)memchr(s + i, '%', n - i);
    size_t run = pc ? (size_t)(pc - (s + i)) : n - i;
    int hi, lo;
    hwc_buf_add(out, s + i, run);
    i += run;
    if (i == n) break;
    if (i + 2 < n && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
        (lo = hexval((unsigned char)s[i + 2])) >= 0) {
      hwc_buf_addc(out, (char)(hi * 16 + lo));
      i += 3;
    } else {
      hwc_buf_addc(out, '%');
      i++;
    }
  }
}

/* E: keep RFC 3986 unreserved bytes (in runs), %XY (upper case) for every
 * other byte. */
static void pct_encode(hwc_buf *out, const char *s, size_t n) {
  static const char digits[] = "0123456789ABCDEF";
  size_t i = 0;
  while (i < n) {
    size_t j = i;
    unsigned char c;
    char esc[3];
    while (j < n && (isalnum(c = (unsigned char)s[j]) || c == '-' || c == '.' || c == '_' || c == '~')) j++;
    hwc_buf_add(out, s + i, j - i);
    if (j == n) break;
    c = (unsigned char)s[j];
    esc[0] = '%';
    esc[1] = digits[c >> 4];
    esc[2] = digits[c & 15];
    hwc_buf_add(out, esc, 3);
    i = j + 1;
  }
}

/* SHA-256 for the signer: the algorithm fetched once per Lua state and one
 * reused digest context, both owned by a userdata in the registry (freed by
 * its __gc when the state closes). OpenSSL 3's one-shot SHA256() and HMAC()
 * fetch the algorithm on every call, which cost more than the hashing of a
 * request (~50,000 instructions of a ~94,000-instruction signature). */
typedef struct {
  EVP_MD *md;
  EVP_MD_CTX *ctx;
  EVP_MD_CTX *ipad, *opad;  /* HMAC with key: SHA-256 after (key ^ ipad), (key ^ opad) */
  unsigned char key[64];
  size_t klen;              /* 0: no key kept */
} sha256_state;

static const char sha256_key = 0; /* address: the registry key of the state */

static int sha256_gc(lua_State *L) {
  sha256_state *d = (sha256_state *)lua_touserdata(L, 1);
  if (d->ctx) EVP_MD_CTX_free(d->ctx);
  if (d->ipad) EVP_MD_CTX_free(d->ipad);
  if (d->opad) EVP_MD_CTX_free(d->opad);
  if (d->md) EVP_MD_free(d->md);
  OPENSSL_cleanse(d->key, sizeof d->key);
  d->ctx = d->ipad = d->opad = NULL;
  d->md = NULL;
  d->klen = 0;
  return 0;
}

/* The state's SHA-256 (made on first use); raises if libcrypto has none. */
static sha256_state *sha256_get(lua_State *L) {
  sha256_state *d;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &sha256_key);
  d = (sha256_state *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  if (d) return d;
  d = (sha256_state *)lua_newuserdatauv(L, sizeof *d, 0);
  memset(d, 0, sizeof *d);
  lua_newtable(L);
  lua_pushcfunction(L, sha256_gc);
  lua_setfield(L, -2, "__gc");
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &sha256_key); /* the registry owns it from here */
  lua_pop(L, 1);
  d->md = EVP_MD_fetch(NULL, "SHA256", NULL);
  d->ctx = EVP_MD_CTX_new();
  d->ipad = EVP_MD_CTX_new();
  d->opad = EVP_MD_CTX_new();
  if (!d->md || !d->ctx || !d->ipad || !d->opad) luaL_error(L, "%s: libcrypto has no SHA-256", SIGN);
  return d;
}

/* out = SHA-256(a || b) */
static void sha256_two(sha256_state *d, const void *a, size_t an, const void *b, size_t bn,
                       unsigned char out[32]) {
  EVP_DigestInit_ex2(d->ctx, d->md, NULL);
  EVP_DigestUpdate(d->ctx, a, an);
  if (bn) EVP_DigestUpdate(d->ctx, b, bn);
  EVP_DigestFinal_ex(d->ctx, out, NULL);
}

static void sha256_hex(sha256_state *d, const char *data, size_t n, char out[65]) {
  unsigned char md[32];
  sha256_two(d, data, n, NULL, 0, md);
  hwc_hex(md, sizeof md, out);
}

/* HMAC-SHA256 (RFC 2104): H((K ^ opad) || H((K ^ ipad) || data)), K the key
 * padded to the 64-byte block (hashed first when longer). hmac_sha256_kept
 * below keeps the two hashes after the padded key for the next call. */
static void hmac_sha256(sha256_state *d, const char *key, size_t klen, const char *data, size_t n,
                        unsigned char out[32]) {
  unsigned char k[64], pad[64], inner[32];
  size_t i;
  memset(k, 0, sizeof k);
  if (klen > sizeof k) sha256_two(d, key, klen, NULL, 0, k);
  else memcpy(k, key, klen);
  for (i = 0; i < sizeof pad; i++) pad[i] = (unsigned char)(k[i] ^ 0x36);
  sha256_two(d, pad, sizeof pad, data, n, inner);
  for (i = 0; i < sizeof pad; i++) pad[i] = (unsigned char)(k[i] ^ 0x5c);
  sha256_two(d, pad, sizeof pad, inner, sizeof inner, out);
}

/* hmac_sha256 for the key the signatures of a client share (SK): the
 * SHA-256 states after (K ^ ipad) and (K ^ opad) are kept for the same key
 * (up to 64 bytes, wiped when the state goes), so a signature hashes two
 * blocks fewer. */
static void hmac_sha256_kept(sha256_state *d, const char *key, size_t klen, const char *data, size_t n,
                             unsigned char out[32]) {
  unsigned char inner[32];
  if (klen == 0 || klen > sizeof d->key) {
    hmac_sha256(d, key, klen, data, n, out);
    return;
  }
  if (d->klen != klen || memcmp(d->key, key, klen)) {
    unsigned char pad[64];
    size_t i;
    for (i = 0; i < sizeof pad; i++) pad[i] = (unsigned char)((i < klen ? (unsigned char)key[i] : 0) ^ 0x36);
    EVP_DigestInit_ex2(d->ipad, d->md, NULL);
    EVP_DigestUpdate(d->ipad, pad, sizeof pad);
    for (i = 0; i < sizeof pad; i++) pad[i] = (unsigned char)((i < klen ? (unsigned char)key[i] : 0) ^ 0x5c);
    EVP_DigestInit_ex2(d->opad, d->md, NULL);
    EVP_DigestUpdate(d->opad, pad, sizeof pad);
    OPENSSL_cleanse(pad, sizeof pad);
    memcpy(d->key, key, klen);
    d->klen = klen;
  }
  EVP_MD_CTX_copy_ex(d->ctx, d->ipad);
  EVP_DigestUpdate(d->ctx, data, n);
  EVP_DigestFinal_ex(d->ctx, inner, NULL);
  EVP_MD_CTX_copy_ex(d->ctx, d->opad);
  EVP_DigestUpdate(d->ctx, inner, sizeof inner);
  EVP_DigestFinal_ex(d->ctx, out, NULL);
}

/* What one signature works in, reused from call to call: the buffers and
 * the arrays of headers and query pairs (malloc'd, grown as needed, freed
 * by the __gc of the userdata that holds them). Five userdata buffers made
 * and collected per call cost ~9,000 instructions of a ~70,000-instruction
 * signature (callgrind, bench/client.lua). The registry keeps the work area
 * between calls; a call takes it out (so a core.sign run from a finalizer
 * in the middle of another gets its own) and puts it back when done. A call
 * that raises leaves it on its stack: the collector frees it, and the next
 * call makes a new one. */
typedef struct {
  hwc_buf host, cr, tmp, sts, auth;
  sig_header *hs;
  query_pair *qp;
  size_t hcap, qcap;
} sign_work;

#define WORK_KEEP_BYTES 65536 /* a buffer or array grown past this goes back to malloc when the call ends */

static const char work_key = 0; /* address: the registry key of the idle work area */

static int work_gc(lua_State *L) {
  sign_work *w = (sign_work *)lua_touserdata(L, 1);
  hwc_buf_free(&w->host); hwc_buf_free(&w->cr); hwc_buf_free(&w->tmp);
  hwc_buf_free(&w->sts); hwc_buf_free(&w->auth);
  free(w->hs); free(w->qp);
  w->hs = NULL; w->qp = NULL;
  w->hcap = w->qcap = 0;
  return 0;
}

/* Pushes the work area (the idle one, taken out of the registry, or a new
 * one) with its buffers empty. */
static sign_work *work_take(lua_State *L) {
  sign_work *w;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &work_key);
  w = (sign_work *)lua_touserdata(L, -1);
  if (w) {
    lua_pushnil(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &work_key);
  } else {
    lua_pop(L, 1);
    w = (sign_work *)lua_newuserdatauv(L, sizeof *w, 0);
    memset(w, 0, sizeof *w);
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, work_gc);
    lua_setfield(L, -2, "__gc");
    lua_setmetatable(L, -2);
  }
  hwc_buf_reset(&w->host); hwc_buf_reset(&w->cr); hwc_buf_reset(&w->tmp);
  hwc_buf_reset(&w->sts); hwc_buf_reset(&w->auth);
  return w;
}

/* Hands the work area at idx back to the registry, its big buffers and arrays freed. */
static void work_give(lua_State *L, int idx, sign_work *w) {
  hwc_buf *bufs[5];
  int i;
  bufs[0] = &w->host; bufs[1] = &w->cr; bufs[2] = &w->tmp; bufs[3] = &w->sts; bufs[4] = &w->auth;
  for (i = 0; i < 5; i++)
    if (bufs[i]->cap > WORK_KEEP_BYTES) hwc_buf_free(bufs[i]);
  if (w->hcap * sizeof *w->hs > WORK_KEEP_BYTES) { free(w->hs); w->hs = NULL; w->hcap = 0; }
  if (w->qcap * sizeof *w->qp > WORK_KEEP_BYTES) { free(w->qp); w->qp = NULL; w->qcap = 0; }
  lua_pushvalue(L, idx);
  lua_rawsetp(L, LUA_REGISTRYINDEX, &work_key);
}

/* Room for n items of size sz in *arr (capacity *cap); raises when out of memory. */
static void *work_room(lua_State *L, void **arr, size_t *cap, size_t n, size_t sz) {
  if (n > *cap) {
    void *p = realloc(*arr, n * sz);
    if (!p) luaL_error(L, "hwcloud.core: out of memory");
    *arr = p;
    *cap = n;
  }
  return *arr;
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* Reads an optional string field of the argument table. */
static const char *opt_field(lua_State *L, const char *field, size_t *len) {
  const char *s;
  lua_getfield(L, 1, field);
  if (lua_isnil(L, -1)) { lua_pop(L, 1); if (len) *len = 0; return NULL; }
  if (lua_type(L, -1) != LUA_TSTRING)
    hwc_argerror(L, SIGN, "'%s' must be a string (got %s)", field, luaL_typename(L, -1));
  s = lua_tolstring(L, -1, len);
  lua_pop(L, 1); /* still anchored by the argument table */
  return s;
}

static const char *req_field(lua_State *L, const char *field, size_t *len) {
  const char *s = opt_field(L, field, len);
  if (!s || !*s) hwc_argerror(L, SIGN, "'%s' is required", field);
  return s;
}

/* Fills h from name/value at stack indexes; value strings are anchored in anchor_idx. */
static void take_header(lua_State *L, sig_header *h, int name_idx, int value_idx, int anchor_idx) {
  size_t i, nlen, vlen;
  const char *name, *value;
  if (lua_type(L, name_idx) != LUA_TSTRING)
    hwc_argerror(L, SIGN, "header names must be strings");
  name = lua_tolstring(L, name_idx, &nlen);
  if (nlen == 0 || nlen > NAME_MAX_LEN)
    hwc_argerror(L, SIGN, "header name '%s' must be 1 to %d characters", name, NAME_MAX_LEN);
  for (i = 0; i < nlen; i++) {
    unsigned char c = (unsigned char)name[i];
    if (!(isalnum(c) || c == '-'))
      hwc_argerror(L, SIGN,
                   "header name '%s' may hold only letters, digits and '-'", name);
    h->lname[i] = (char)tolower(c);
  }
  h->lname[nlen] = '\0';
  if (lua_type(L, value_idx) == LUA_TNUMBER) {
    char num[64];
    hwc_number_at(L, value_idx, num, sizeof num);
    lua_pushstring(L, num);
    lua_pushvalue(L, -1);
    lua_rawseti(L, anchor_idx, (int)lua_rawlen(L, anchor_idx) + 1);
    value = lua_tolstring(L, -1, &vlen);
    lua_pop(L, 1);
  } else if (lua_type(L, value_idx) == LUA_TSTRING) {
    value = lua_tolstring(L, value_idx, &vlen);
  } else {
    return (void)hwc_argerror(L, SIGN, "header '%s' needs a string value (got %s)",
                              name, luaL_typename(L, value_idx));
  }
  while (vlen && is_space(*value)) { value++; vlen--; }
  while (vlen && is_space(value[vlen - 1])) vlen--;
  hwc_check_line(L, SIGN, "header '%s' value", name, value, vlen);
  h->name = name; h->nlen = nlen;
  h->value = value; h->vlen = vlen;
  if (!strcmp(h->lname, "authorization") || !strcmp(h->lname, "x-sdk-date"))
    hwc_argerror(L, SIGN, "header '%s' is added by the signer (pass 'date' for X-Sdk-Date)", name);
}

static int cmp_header(const void *a, const void *b) {
  return strcmp(((const sig_header *)a)->lname, ((const sig_header *)b)->lname);
}

static int cmp_bytes(const char *a, size_t al, const char *b, size_t bl) {
  int c = memcmp(a, b, al < bl ? al : bl);
  if (c) return c;
  return al < bl ? -1 : al > bl;
}

static int cmp_query(const void *a, const void *b) {
  const query_pair *x = (const query_pair *)a, *y = (const query_pair *)b;
  int c = cmp_bytes(x->kp, x->klen, y->kp, y->klen);
  return c ? c : cmp_bytes(x->vp, x->vlen, y->vp, y->vlen);
}

/* Collects the caller's headers (list of {name, value} or a map) into the
 * work area's array (room for extra more); returns the array and sets *count. */
static sig_header *collect_headers(lua_State *L, sign_work *w, int extra, int *count, int anchor_idx) {
  int n = 0, is_list, i;
  sig_header *hs;
  lua_getfield(L, 1, "headers");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
  } else if (!lua_istable(L, -1)) {
    hwc_argerror(L, SIGN, "'headers' must be a table (got %s)", luaL_typename(L, -1));
  }
  /* stack: headers table at -1 */
  is_list = lua_rawlen(L, -1) > 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) { n++; lua_pop(L, 1); }
  hs = (sig_header *)work_room(L, (void **)&w->hs, &w->hcap, (size_t)(n + extra), sizeof *hs);
  i = 0;
  if (is_list) {
    int k;
    if ((int)lua_rawlen(L, -1) != n)
      hwc_argerror(L, SIGN, "'headers' must be a list of {name, value} pairs or a map, not both");
    for (k = 1; k <= n; k++) {
      lua_rawgeti(L, -1, k);
      if (!lua_istable(L, -1))
        hwc_argerror(L, SIGN, "headers[%d] must be a {name, value} pair", k);
      lua_rawgeti(L, -1, 1);
      lua_rawgeti(L, -2, 2);
      take_header(L, &hs[i++], lua_absindex(L, -2), lua_absindex(L, -1), anchor_idx);
      lua_pop(L, 3);
    }
  } else {
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      take_header(L, &hs[i++], lua_absindex(L, -2), lua_absindex(L, -1), anchor_idx);
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1); /* headers table (the strings stay anchored by the argument) */
  *count = n;
  return hs;
}

static void check_date(lua_State *L, const char *d) {
  int i;
  static const char shape[] = "dddddddd" "T" "dddddd" "Z";
  if (strlen(d) != 16) goto bad;
  for (i = 0; i < 16; i++) {
    if (shape[i] == 'd' ? !isdigit((unsigned char)d[i]) : d[i] != shape[i]) goto bad;
  }
  return;
bad:
  hwc_argerror(L, SIGN, "'date' must look like YYYYMMDDTHHMMSSZ (got '%s')", d);
}

static void push_pair(lua_State *L, int list_idx, const char *name, const char *value, size_t vlen) {
  lua_createtable(L, 2, 0);
  lua_pushstring(L, name);
  lua_rawseti(L, -2, 1);
  lua_pushlstring(L, value, vlen);
  lua_rawseti(L, -2, 2);
  lua_rawseti(L, list_idx, (int)lua_rawlen(L, list_idx) + 1);
}

/* What core.sign reads and works out, step by step. */
typedef struct {
  sign_work *w;      /* the buffers (S_WORK) */
  const char *url, *body, *ak, *sk, *date, *token, *algorithm, *region, *service;
  size_t blen, toklen;
  int v11, nh; /* V11-HMAC-SHA256; the signed headers in hs */
  int full;    /* core.sign's whole result, not core.sign_headers' list alone */
  char method[16], datebuf[17], sig[65];
  hwc_url u;
  sig_header *hs;
  sha256_state *sha; /* the state's SHA-256 */
} sign_req;

/* The stack of core.sign, slot by slot (each step pushes its own). */
enum {
  S_ARG = 1,   /* the argument table */
  S_ANCHORS,   /* strings made from numbers, kept alive */
  S_WORK,      /* the work area: buffers for the Host value, the canonical
                * request, the decoded path and query (then the V11 scope),
                * the string to sign and the Authorization value */
  S_OUT,       /* the list of {name, value} to send */
  S_SIGNED     /* string: the signed-header list */
};

/* A required string field with no CR, LF or NUL. */
static const char *line_field(lua_State *L, const char *field, size_t *len) {
  size_t n;
  const char *s = req_field(L, field, &n);
  hwc_check_line(L, SIGN, "'%s'", field, s, n);
  if (len) *len = n;
  return s;
}

/* An optional string field with no CR, LF or NUL (NULL when absent). */
static const char *opt_line_field(lua_State *L, const char *field, size_t *len) {
  size_t n;
  const char *s = opt_field(L, field, &n);
  if (s) hwc_check_line(L, SIGN, "'%s'", field, s, n);
  if (len) *len = n;
  return s;
}

/* Reads and checks every field but the headers; the date defaults to now. */
static void read_args(lua_State *L, sign_req *r) {
  size_t n, k;
  const char *method = line_field(L, "method", &n);
  if (n >= sizeof r->method) hwc_argerror(L, SIGN, "'method' is too long");
  for (k = 0; k <= n; k++) r->method[k] = (char)toupper((unsigned char)method[k]);
  r->url = line_field(L, "url", NULL);
  r->body = opt_field(L, "body", &r->blen);
  r->ak = line_field(L, "ak", NULL);
  r->sk = line_field(L, "sk", NULL);
  r->date = opt_line_field(L, "date", NULL);
  r->token = opt_line_field(L, "security_token", &r->toklen);
  if (r->token && !*r->token) r->token = NULL;
  r->algorithm = opt_line_field(L, "algorithm", NULL);
  if (!r->algorithm) r->algorithm = "SDK-HMAC-SHA256";
  r->v11 = !strcmp(r->algorithm, "V11-HMAC-SHA256");
  if (!r->v11 && strcmp(r->algorithm, "SDK-HMAC-SHA256"))
    hwc_argerror(L, SIGN, "'algorithm' must be SDK-HMAC-SHA256 or V11-HMAC-SHA256 (got '%s')", r->algorithm);
  if (r->v11) {
    r->region = line_field(L, "region_id", NULL);
    r->service = line_field(L, "service_name", NULL);
  }
  if (r->date) {
    check_date(L, r->date);
  } else {
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(r->datebuf, sizeof r->datebuf, "%Y%m%dT%H%M%SZ", &tmv);
    r->date = r->datebuf;
  }
}

static void parse_url(lua_State *L, sign_req *r) {
  if (!hwc_url_parse(r->url, &r->u) || strncmp(r->url, "http", 4) != 0)
    hwc_argerror(L, SIGN, "'url' must be an absolute http(s) URL (got '%s')", r->url);
  if (r->u.host == r->u.path) hwc_argerror(L, SIGN, "'url' has no host");
}

static void add_signed(sig_header *h, const char *name, const char *value, size_t vlen) {
  size_t i;
  h->name = name;
  h->nlen = strlen(name);
  for (i = 0; i <= h->nlen; i++) h->lname[i] = (char)tolower((unsigned char)name[i]);
  h->value = value;
  h->vlen = vlen;
}

/* The signed set: the caller's headers, Host (from the URL unless given),
 * X-Sdk-Date, X-Security-Token. Pushes S_OUT (in the caller's order), then
 * sorts the set by lower-case name. */
static void signed_headers(lua_State *L, sign_req *r) {
  int k, n, host_given = 0;
  hwc_buf *host;
  r->hs = collect_headers(L, r->w, 3, &r->nh, S_ANCHORS);
  for (k = 0; k < r->nh; k++) {
    if (!strcmp(r->hs[k].lname, "host")) host_given = 1;
    if (r->token && !strcmp(r->hs[k].lname, "x-security-token"))
      hwc_argerror(L, SIGN, "pass the security token either as 'security_token' or as a header, not both");
  }
  host = &r->w->host;
  n = r->nh;
  if (!host_given) {
    size_t from = host->len, i;
    hwc_buf_add(host, r->u.host, (size_t)(r->u.path - r->u.host));
    hwc_buf_check(L, host);
    for (i = from; i < host->len; i++) host->data[i] = (char)tolower((unsigned char)host->data[i]);
    add_signed(&r->hs[n++], "Host", host->data, host->len);
  }
  add_signed(&r->hs[n++], "X-Sdk-Date", r->date, strlen(r->date));
  if (r->token) add_signed(&r->hs[n++], "X-Security-Token", r->token, r->toklen);
  lua_createtable(L, n + 1, 0);
  for (k = 0; k < n; k++) push_pair(L, S_OUT, r->hs[k].name, r->hs[k].value, r->hs[k].vlen);
  qsort(r->hs, (size_t)n, sizeof *r->hs, cmp_header);
  for (k = 1; k < n; k++)
    if (!strcmp(r->hs[k].lname, r->hs[k - 1].lname))
      hwc_argerror(L, SIGN, "header '%s' is given twice", r->hs[k].name);
  r->nh = n;
}

/* Canonical URI: decode, split on '/', encode each piece, end with '/'. */
static void canonical_uri(lua_State *L, sign_req *r, hwc_buf *cr, hwc_buf *tmp) {
  size_t i, start = 0;
  hwc_buf_reset(tmp);
  pct_decode(tmp, r->u.path, (size_t)(r->u.path_end - r->u.path));
  hwc_buf_check(L, tmp);
  if (tmp->len == 0) {
    hwc_buf_addc(cr, '/');
  } else {
    for (i = 0; i <= tmp->len; i++) {
      if (i == tmp->len || tmp->data[i] == '/') {
        pct_encode(cr, tmp->data + start, i - start);
        if (i < tmp->len) hwc_buf_addc(cr, '/');
        start = i + 1;
      }
    }
    if (cr->data[cr->len - 1] != '/') hwc_buf_addc(cr, '/');
  }
  hwc_buf_addc(cr, '\n');
}

/* Canonical query: decoded pairs sorted by key bytes then value bytes. */
static void canonical_query(lua_State *L, sign_req *r, hwc_buf *cr, hwc_buf *tmp) {
  const char *q = r->u.query, *end = r->u.query_end, *p;
  size_t npairs = 1, np = 0, i;
  query_pair *pairs;
  if (q && end > q) {
    for (p = q; p < end; p++) if (*p == '&') npairs++;
    pairs = (query_pair *)work_room(L, (void **)&r->w->qp, &r->w->qcap, npairs, sizeof *pairs);
    hwc_buf_reset(tmp);
    hwc_buf_add(tmp, "", 0); /* allocates: pointers below are never NULL */
    while (q < end) {
      const char *amp = memchr(q, '&', (size_t)(end - q));
      const char *stop = amp ? amp : end, *eq;
      if (stop > q) {
        eq = memchr(q, '=', (size_t)(stop - q));
        pairs[np].k = tmp->len;
        pct_decode(tmp, q, (size_t)((eq ? eq : stop) - q));
        pairs[np].klen = tmp->len - pairs[np].k;
        pairs[np].v = tmp->len;
        if (eq) pct_decode(tmp, eq + 1, (size_t)(stop - eq - 1));
        pairs[np].vlen = tmp->len - pairs[np].v;
        np++;
      }
      q = stop + 1;
    }
    hwc_buf_check(L, tmp);
    for (i = 0; i < np; i++) {
      pairs[i].kp = tmp->data + pairs[i].k;
      pairs[i].vp = tmp->data + pairs[i].v;
    }
    qsort(pairs, np, sizeof *pairs, cmp_query);
    for (i = 0; i < np; i++) {
      if (i) hwc_buf_addc(cr, '&');
      pct_encode(cr, pairs[i].kp, pairs[i].klen);
      hwc_buf_addc(cr, '=');
      pct_encode(cr, pairs[i].vp, pairs[i].vlen);
    }
  }
  hwc_buf_addc(cr, '\n');
}

/* Canonical headers, the signed-header list (pushed: S_SIGNED) and the
 * payload hash (X-Sdk-Content-Sha256 when given, else the body's). */
static void canonical_headers(lua_State *L, sign_req *r, hwc_buf *cr) {
  const char *payload = NULL;
  size_t plen = 0, start;
  char hash[65];
  int k;
  for (k = 0; k < r->nh; k++) {
    hwc_buf_adds(cr, r->hs[k].lname);
    hwc_buf_addc(cr, ':');
    hwc_buf_add(cr, r->hs[k].value, r->hs[k].vlen);
    hwc_buf_addc(cr, '\n');
    if (!strcmp(r->hs[k].lname, "x-sdk-content-sha256")) { payload = r->hs[k].value; plen = r->hs[k].vlen; }
  }
  hwc_buf_addc(cr, '\n');
  start = cr->len;
  for (k = 0; k < r->nh; k++) {
    if (k) hwc_buf_addc(cr, ';');
    hwc_buf_adds(cr, r->hs[k].lname);
  }
  hwc_buf_check(L, cr);
  lua_pushlstring(L, cr->data + start, cr->len - start);
  hwc_buf_addc(cr, '\n');
  if (payload) {
    hwc_buf_add(cr, payload, plen);
  } else if (r->body && r->blen) {
    sha256_hex(r->sha, r->body, r->blen, hash);
    hwc_buf_adds(cr, hash);
  } else {
    hwc_buf_adds(cr, EMPTY_SHA256);
  }
  hwc_buf_check(L, cr);
}

/* The string to sign (in the work area's sts); for V11, scope receives the
 * credential scope date/region/service. */
static hwc_buf *string_to_sign(lua_State *L, sign_req *r, hwc_buf *cr, hwc_buf *scope) {
  char hash[65];
  hwc_buf *sts = &r->w->sts;
  hwc_buf_adds(sts, r->algorithm);
  hwc_buf_addc(sts, '\n');
  hwc_buf_adds(sts, r->date);
  hwc_buf_addc(sts, '\n');
  hwc_buf_reset(scope);
  if (r->v11) {
    hwc_buf_add(scope, r->date, 8);
    hwc_buf_addc(scope, '/');
    hwc_buf_adds(scope, r->region);
    hwc_buf_addc(scope, '/');
    hwc_buf_adds(scope, r->service);
    hwc_buf_check(L, scope);
    hwc_buf_add(sts, scope->data, scope->len);
    hwc_buf_addc(sts, '\n');
  }
  sha256_hex(r->sha, cr->data, cr->len, hash);
  hwc_buf_adds(sts, hash);
  hwc_buf_check(L, sts);
  return sts;
}

/* The signature (hex, in r->sig): HMAC-SHA256 with SK, or for V11 with the
 * key HKDF-SHA256(ikm = SK, salt = AK, info = scope) as 64 hex chars. */
static void derive_key_and_sign(lua_State *L, sign_req *r, hwc_buf *sts, hwc_buf *scope) {
  unsigned char mac[32];
  if (r->v11) {
    unsigned char prk[32], okm[32];
    char keyhex[65];
    hwc_buf_addc(scope, '\x01');
    hwc_buf_check(L, scope);
    hmac_sha256(r->sha, r->ak, strlen(r->ak), r->sk, strlen(r->sk), prk);
    hmac_sha256(r->sha, (const char *)prk, sizeof prk, scope->data, scope->len, okm);
    hwc_hex(okm, sizeof okm, keyhex);
    hmac_sha256(r->sha, keyhex, 64, sts->data, sts->len, mac);
    scope->len--; /* drop the 0x01 again: the scope goes into Authorization */
  } else {
    hmac_sha256_kept(r->sha, r->sk, strlen(r->sk), sts->data, sts->len, mac);
  }
  hwc_hex(mac, sizeof mac, r->sig);
}

/* Pushes the result table; Authorization joins the list to send. */
static void push_result(lua_State *L, sign_req *r, hwc_buf *cr, hwc_buf *sts, hwc_buf *scope) {
  hwc_buf *auth = &r->w->auth;
  hwc_buf_adds(auth, r->algorithm);
  if (r->v11) {
    hwc_buf_adds(auth, " Credential=");
    hwc_buf_adds(auth, r->ak);
    hwc_buf_addc(auth, '/');
    hwc_buf_add(auth, scope->data, scope->len);
  } else {
    hwc_buf_adds(auth, " Access=");
    hwc_buf_adds(auth, r->ak);
  }
  hwc_buf_adds(auth, ", SignedHeaders=");
  hwc_buf_add(auth, lua_tostring(L, S_SIGNED), lua_rawlen(L, S_SIGNED));
  hwc_buf_adds(auth, ", Signature=");
  hwc_buf_adds(auth, r->sig);
  hwc_buf_check(L, auth);
  push_pair(L, S_OUT, "Authorization", auth->data, auth->len);
  if (!r->full) { /* core.sign_headers: the list alone */
    lua_pushvalue(L, S_OUT);
    return;
  }

  lua_createtable(L, 0, 8);
  lua_rawgeti(L, S_OUT, (lua_Integer)lua_rawlen(L, S_OUT)); /* the Authorization pair: its value once */
  lua_rawgeti(L, -1, 2);
  lua_remove(L, -2);
  lua_setfield(L, -2, "authorization");
  lua_pushvalue(L, S_SIGNED);
  lua_setfield(L, -2, "signed_headers");
  lua_pushstring(L, r->sig);
  lua_setfield(L, -2, "signature");
  lua_pushlstring(L, cr->data, cr->len);
  lua_setfield(L, -2, "canonical_request");
  lua_pushlstring(L, sts->data, sts->len);
  lua_setfield(L, -2, "string_to_sign");
  lua_pushstring(L, r->date);
  lua_setfield(L, -2, "x_sdk_date");
  lua_pushvalue(L, S_OUT);
  lua_setfield(L, -2, "headers");
}

/* core.sign(t) -> {authorization, signature, signed_headers,
 * canonical_request, string_to_sign, x_sdk_date, headers}, or with full = 0
 * core.sign_headers(t) -> headers: the same signature without the fields
 * only a caller who shows or checks them reads (the client's dry_run) */
static int sign(lua_State *L, int full) {
  sign_req r;
  hwc_buf *cr, *tmp, *sts;
  memset(&r, 0, sizeof r);
  r.full = full;
  luaL_checktype(L, S_ARG, LUA_TTABLE);
  lua_settop(L, S_ARG);
  lua_newtable(L); /* S_ANCHORS */
  r.sha = sha256_get(L); /* leaves the stack as it was */
  read_args(L, &r);
  parse_url(L, &r);
  r.w = work_take(L);    /* S_WORK */
  signed_headers(L, &r); /* S_OUT */
  cr = &r.w->cr;
  tmp = &r.w->tmp;
  hwc_buf_adds(cr, r.method);
  hwc_buf_addc(cr, '\n');
  canonical_uri(L, &r, cr, tmp);
  canonical_query(L, &r, cr, tmp);
  canonical_headers(L, &r, cr);            /* S_SIGNED */
  sts = string_to_sign(L, &r, cr, tmp);    /* tmp: the V11 scope */
  derive_key_and_sign(L, &r, sts, tmp);
  push_result(L, &r, cr, sts, tmp);        /* the result */
  work_give(L, S_WORK, r.w);
  return 1;
}

static int core_sign(lua_State *L) {
  return sign(L, 1);
}

static int core_sign_headers(lua_State *L) {
  return sign(L, 0);
}

/* Sets core.sign and core.sign_headers on the module table on top. */
void hwc_sign_open(lua_State *L) {
  lua_pushliteral(L, "hwcloud.core.sign");
  lua_pushcclosure(L, core_sign, 1);
  lua_setfield(L, -2, "sign");
  lua_pushliteral(L, "hwcloud.core.sign_headers");
  lua_pushcclosure(L, core_sign_headers, 1);
  lua_setfield(L, -2, "sign_headers");
}
