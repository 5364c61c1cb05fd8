/* The request signer: SDK-HMAC-SHA256 and V11-HMAC-SHA256 exactly as
 * ../shared/api/signing.md describes them (canonical URI, query, headers,
 * payload hash, string to sign, Authorization), in C over libcrypto.
 * core.sign(t) returns the signature and every header to send. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include "hwc_internal.h"

#define NAME_MAX_LEN 128
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

/* D: percent-decoding; '+' stays '+'; a malformed escape is kept as is. */
static void pct_decode(hwc_buf *out, const char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    int hi, lo;
    if (s[i] == '%' && i + 2 < n && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
        (lo = hexval((unsigned char)s[i + 2])) >= 0) {
      hwc_buf_addc(out, (char)(hi * 16 + lo));
      i += 2;
    } else {
      hwc_buf_addc(out, s[i]);
    }
  }
}

/* E: keep RFC 3986 unreserved bytes, %XY (upper case) for every other byte. */
static void pct_encode(hwc_buf *out, const char *s, size_t n) {
  static const char digits[] = "0123456789ABCDEF";
  size_t i;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      hwc_buf_addc(out, (char)c);
    } else {
      char esc[3];
      esc[0] = '%';
      esc[1] = digits[c >> 4];
      esc[2] = digits[c & 15];
      hwc_buf_add(out, esc, 3);
    }
  }
}

static void sha256_hex(const char *data, size_t n, char out[65]) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256((const unsigned char *)data, n, md);
  hwc_hex(md, sizeof md, out);
}

static void hmac_sha256(const char *key, size_t klen, const char *data, size_t n,
                        unsigned char out[32]) {
  unsigned int len = 32;
  HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)data, n, out, &len);
}

static int is_space(char c) { return c == ' ' || c == '\t'; }

/* A value that ends up in a header line (or is read as a C string) must not
 * hold CR or LF (they would end the line and add headers of the caller's
 * choosing) nor NUL (C and libcurl stop there, so what is signed is not what
 * is sent). */
static void check_line(lua_State *L, const char *what, const char *s, size_t n) {
  if (memchr(s, '\r', n) || memchr(s, '\n', n) || memchr(s, '\0', n))
    hwc_argerror(L, "hwcloud.core.sign", "%s must not contain CR, LF or NUL", what);
}

/* Reads an optional string field of the argument table. */
static const char *opt_field(lua_State *L, const char *field, size_t *len) {
  const char *s;
  lua_getfield(L, 1, field);
  if (lua_isnil(L, -1)) { lua_pop(L, 1); if (len) *len = 0; return NULL; }
  if (lua_type(L, -1) != LUA_TSTRING)
    hwc_argerror(L, "hwcloud.core.sign", "'%s' must be a string (got %s)", field, luaL_typename(L, -1));
  s = lua_tolstring(L, -1, len);
  lua_pop(L, 1); /* still anchored by the argument table */
  return s;
}

static const char *req_field(lua_State *L, const char *field, size_t *len) {
  const char *s = opt_field(L, field, len);
  if (!s || !*s) hwc_argerror(L, "hwcloud.core.sign", "'%s' is required", field);
  return s;
}

/* Fills h from name/value at stack indexes; value strings are anchored in anchor_idx. */
static void take_header(lua_State *L, sig_header *h, int name_idx, int value_idx, int anchor_idx) {
  size_t i, nlen, vlen;
  const char *name, *value;
  if (lua_type(L, name_idx) != LUA_TSTRING)
    hwc_argerror(L, "hwcloud.core.sign", "header names must be strings");
  name = lua_tolstring(L, name_idx, &nlen);
  if (nlen == 0 || nlen > NAME_MAX_LEN)
    hwc_argerror(L, "hwcloud.core.sign", "header name '%s' must be 1 to %d characters", name, NAME_MAX_LEN);
  for (i = 0; i < nlen; i++) {
    unsigned char c = (unsigned char)name[i];
    if (!(isalnum(c) || c == '-'))
      hwc_argerror(L, "hwcloud.core.sign",
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
    return (void)hwc_argerror(L, "hwcloud.core.sign", "header '%s' needs a string value (got %s)",
                              name, luaL_typename(L, value_idx));
  }
  while (vlen && is_space(*value)) { value++; vlen--; }
  while (vlen && is_space(value[vlen - 1])) vlen--;
  lua_pushfstring(L, "header '%s' value", name);
  check_line(L, lua_tostring(L, -1), value, vlen);
  lua_pop(L, 1);
  h->name = name; h->nlen = nlen;
  h->value = value; h->vlen = vlen;
  if (!strcmp(h->lname, "authorization") || !strcmp(h->lname, "x-sdk-date"))
    hwc_argerror(L, "hwcloud.core.sign", "header '%s' is added by the signer (pass 'date' for X-Sdk-Date)", name);
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

/* Collects the caller's headers (list of {name, value} or a map) into a
 * userdata array it pushes; returns the array and sets *count. */
static sig_header *collect_headers(lua_State *L, int extra, int *count, int anchor_idx) {
  int n = 0, is_list, i;
  sig_header *hs;
  lua_getfield(L, 1, "headers");
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
  } else if (!lua_istable(L, -1)) {
    hwc_argerror(L, "hwcloud.core.sign", "'headers' must be a table (got %s)", luaL_typename(L, -1));
  }
  /* stack: headers table at -1 */
  is_list = lua_rawlen(L, -1) > 0;
  lua_pushnil(L);
  while (lua_next(L, -2)) { n++; lua_pop(L, 1); }
  hs = (sig_header *)lua_newuserdatauv(L, sizeof(sig_header) * (size_t)(n + extra), 0);
  lua_insert(L, -2); /* userdata below the headers table */
  i = 0;
  if (is_list) {
    int k;
    if ((int)lua_rawlen(L, -1) != n)
      hwc_argerror(L, "hwcloud.core.sign", "'headers' must be a list of {name, value} pairs or a map, not both");
    for (k = 1; k <= n; k++) {
      lua_rawgeti(L, -1, k);
      if (!lua_istable(L, -1))
        hwc_argerror(L, "hwcloud.core.sign", "headers[%d] must be a {name, value} pair", k);
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
  hwc_argerror(L, "hwcloud.core.sign", "'date' must look like YYYYMMDDTHHMMSSZ (got '%s')", d);
}

static void push_pair(lua_State *L, int list_idx, const char *name, const char *value, size_t vlen) {
  lua_createtable(L, 2, 0);
  lua_pushstring(L, name);
  lua_rawseti(L, -2, 1);
  lua_pushlstring(L, value, vlen);
  lua_rawseti(L, -2, 2);
  lua_rawseti(L, list_idx, (int)lua_rawlen(L, list_idx) + 1);
}

int hwc_sign(lua_State *L) {
  size_t ulen, blen, toklen, i;
  const char *method, *url, *body, *ak, *sk, *date, *token, *algorithm, *region = NULL, *service = NULL;
  const char *p;
  hwc_url u;
  char datebuf[17], hash[65], sig[65];
  unsigned char mac[32];
  int v11, nh, extra = 3, anchor_idx, k, host_given = 0;
  sig_header *hs;
  hwc_buf *cr, *tmp, *sts, *host, *auth;
  char method_up[16];

  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_newtable(L); /* 2: anchors for converted strings */
  anchor_idx = 2;
  method = req_field(L, "method", &i);
  check_line(L, "'method'", method, i);
  if (i >= sizeof method_up) hwc_argerror(L, "hwcloud.core.sign", "'method' is too long");
  for (k = 0; method[k]; k++) method_up[k] = (char)toupper((unsigned char)method[k]);
  method_up[k] = '\0';
  url = req_field(L, "url", &ulen);
  check_line(L, "'url'", url, ulen);
  body = opt_field(L, "body", &blen);
  ak = req_field(L, "ak", &i);
  check_line(L, "'ak'", ak, i);
  sk = req_field(L, "sk", &i);
  check_line(L, "'sk'", sk, i);
  date = opt_field(L, "date", &i);
  if (date) check_line(L, "'date'", date, i);
  token = opt_field(L, "security_token", &toklen);
  if (token) check_line(L, "'security_token'", token, toklen);
  if (token && !*token) token = NULL;
  algorithm = opt_field(L, "algorithm", &i);
  if (algorithm) check_line(L, "'algorithm'", algorithm, i);
  else algorithm = "SDK-HMAC-SHA256";
  v11 = !strcmp(algorithm, "V11-HMAC-SHA256");
  if (!v11 && strcmp(algorithm, "SDK-HMAC-SHA256"))
    hwc_argerror(L, "hwcloud.core.sign", "'algorithm' must be SDK-HMAC-SHA256 or V11-HMAC-SHA256 (got '%s')", algorithm);
  if (v11) {
    region = req_field(L, "region_id", &i);
    check_line(L, "'region_id'", region, i);
    service = req_field(L, "service_name", &i);
    check_line(L, "'service_name'", service, i);
  }
  if (date) {
    check_date(L, date);
  } else {
    time_t now = time(NULL);
    struct tm tmv;
    gmtime_r(&now, &tmv);
    strftime(datebuf, sizeof datebuf, "%Y%m%dT%H%M%SZ", &tmv);
    date = datebuf;
  }

  if (!hwc_url_parse(url, &u) || strncmp(url, "http", 4) != 0)
    hwc_argerror(L, "hwcloud.core.sign", "'url' must be an absolute http(s) URL (got '%s')", url);
  if (u.host == u.path) hwc_argerror(L, "hwcloud.core.sign", "'url' has no host");

  hs = collect_headers(L, extra, &nh, anchor_idx); /* 3: header array */
  for (k = 0; k < nh; k++) if (!strcmp(hs[k].lname, "host")) host_given = 1;

  host = hwc_buf_push(L); /* 4 */
  if (!host_given)
    for (p = u.host; p < u.path; p++) hwc_buf_addc(host, (char)tolower((unsigned char)*p));
  hwc_buf_check(L, host);

  /* The signed set: the caller's headers, host, x-sdk-date, x-security-token. */
  {
    int n = nh;
    if (!host_given) {
      hs[n].name = "Host"; hs[n].nlen = 4; strcpy(hs[n].lname, "host");
      hs[n].value = host->data; hs[n].vlen = host->len; n++;
    }
    hs[n].name = "X-Sdk-Date"; hs[n].nlen = 10; strcpy(hs[n].lname, "x-sdk-date");
    hs[n].value = date; hs[n].vlen = strlen(date); n++;
    if (token) {
      for (k = 0; k < nh; k++)
        if (!strcmp(hs[k].lname, "x-security-token"))
          hwc_argerror(L, "hwcloud.core.sign", "pass the security token either as 'security_token' or as a header, not both");
      hs[n].name = "X-Security-Token"; hs[n].nlen = 16; strcpy(hs[n].lname, "x-security-token");
      hs[n].value = token; hs[n].vlen = toklen; n++;
    }
    /* the output list keeps the caller's order: build it before sorting */
    lua_createtable(L, n + 1, 0); /* 5: headers to send */
    for (k = 0; k < n; k++) push_pair(L, 5, hs[k].name, hs[k].value, hs[k].vlen);
    qsort(hs, (size_t)n, sizeof *hs, cmp_header);
    for (k = 1; k < n; k++)
      if (!strcmp(hs[k].lname, hs[k - 1].lname))
        hwc_argerror(L, "hwcloud.core.sign", "header '%s' is given twice", hs[k].name);
    nh = n;
  }

  cr = hwc_buf_push(L);  /* 6: canonical request */
  tmp = hwc_buf_push(L); /* 7: scratch */
  hwc_buf_adds(cr, method_up);
  hwc_buf_addc(cr, '\n');

  /* Canonical URI: decode, split on '/', encode each piece, end with '/'. */
  pct_decode(tmp, u.path, (size_t)(u.path_end - u.path));
  hwc_buf_check(L, tmp);
  if (tmp->len == 0) {
    hwc_buf_addc(cr, '/');
  } else {
    size_t start = 0;
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

  /* Canonical query: decoded pairs sorted by key bytes then value bytes. */
  if (u.query && u.query_end > u.query) {
    size_t npairs = 1, np = 0;
    query_pair *pairs;
    const char *q = u.query, *query_end = u.query_end;
    for (p = q; p < query_end; p++) if (*p == '&') npairs++;
    pairs = (query_pair *)lua_newuserdatauv(L, sizeof(query_pair) * npairs, 0); /* 8 */
    hwc_buf_reset(tmp);
    hwc_buf_add(tmp, "", 0); /* allocates: pointers below are never NULL */
    while (q < query_end) {
      const char *amp = memchr(q, '&', (size_t)(query_end - q));
      const char *end = amp ? amp : query_end, *eq;
      if (end > q) {
        eq = memchr(q, '=', (size_t)(end - q));
        pairs[np].k = tmp->len;
        pct_decode(tmp, q, (size_t)((eq ? eq : end) - q));
        pairs[np].klen = tmp->len - pairs[np].k;
        pairs[np].v = tmp->len;
        if (eq) pct_decode(tmp, eq + 1, (size_t)(end - eq - 1));
        pairs[np].vlen = tmp->len - pairs[np].v;
        np++;
      }
      q = end + 1;
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
    lua_pop(L, 1);
  }
  hwc_buf_addc(cr, '\n');

  /* Canonical headers, then the signed-header list. */
  {
    const char *payload = NULL;
    size_t plen = 0;
    size_t sh_start;
    for (k = 0; k < nh; k++) {
      hwc_buf_adds(cr, hs[k].lname);
      hwc_buf_addc(cr, ':');
      hwc_buf_add(cr, hs[k].value, hs[k].vlen);
      hwc_buf_addc(cr, '\n');
      if (!strcmp(hs[k].lname, "x-sdk-content-sha256")) { payload = hs[k].value; plen = hs[k].vlen; }
    }
    hwc_buf_addc(cr, '\n');
    sh_start = cr->len;
    for (k = 0; k < nh; k++) {
      if (k) hwc_buf_addc(cr, ';');
      hwc_buf_adds(cr, hs[k].lname);
    }
    hwc_buf_check(L, cr);
    lua_pushlstring(L, cr->data + sh_start, cr->len - sh_start); /* 8: signed headers */
    hwc_buf_addc(cr, '\n');
    if (payload) {
      hwc_buf_add(cr, payload, plen);
    } else if (body && blen) {
      sha256_hex(body, blen, hash);
      hwc_buf_adds(cr, hash);
    } else {
      hwc_buf_adds(cr, EMPTY_SHA256);
    }
  }
  hwc_buf_check(L, cr);

  /* String to sign and signature. */
  sts = hwc_buf_push(L); /* 9 */
  hwc_buf_adds(sts, algorithm);
  hwc_buf_addc(sts, '\n');
  hwc_buf_adds(sts, date);
  hwc_buf_addc(sts, '\n');
  hwc_buf_reset(tmp);
  if (v11) {
    hwc_buf_add(tmp, date, 8);
    hwc_buf_addc(tmp, '/');
    hwc_buf_adds(tmp, region);
    hwc_buf_addc(tmp, '/');
    hwc_buf_adds(tmp, service);
    hwc_buf_check(L, tmp);
    hwc_buf_add(sts, tmp->data, tmp->len);
    hwc_buf_addc(sts, '\n');
  }
  sha256_hex(cr->data, cr->len, hash);
  hwc_buf_adds(sts, hash);
  hwc_buf_check(L, sts);
  if (v11) {
    /* HKDF-SHA256(ikm = SK, salt = AK, info), 32 bytes, used as 64 hex chars */
    unsigned char prk[32], okm[32];
    char keyhex[65];
    hwc_buf_addc(tmp, '\x01');
    hwc_buf_check(L, tmp);
    hmac_sha256(ak, strlen(ak), sk, strlen(sk), prk);
    hmac_sha256((const char *)prk, sizeof prk, tmp->data, tmp->len, okm);
    hwc_hex(okm, sizeof okm, keyhex);
    hmac_sha256(keyhex, 64, sts->data, sts->len, mac);
    tmp->len--; /* drop the 0x01 again: tmp holds the info for Authorization */
  } else {
    hmac_sha256(sk, strlen(sk), sts->data, sts->len, mac);
  }
  hwc_hex(mac, sizeof mac, sig);

  auth = hwc_buf_push(L); /* 10 */
  hwc_buf_adds(auth, algorithm);
  if (v11) {
    hwc_buf_adds(auth, " Credential=");
    hwc_buf_adds(auth, ak);
    hwc_buf_addc(auth, '/');
    hwc_buf_add(auth, tmp->data, tmp->len);
  } else {
    hwc_buf_adds(auth, " Access=");
    hwc_buf_adds(auth, ak);
  }
  hwc_buf_adds(auth, ", SignedHeaders=");
  hwc_buf_add(auth, lua_tostring(L, 8), lua_rawlen(L, 8));
  hwc_buf_adds(auth, ", Signature=");
  hwc_buf_adds(auth, sig);
  hwc_buf_check(L, auth);

  push_pair(L, 5, "Authorization", auth->data, auth->len);

  lua_createtable(L, 0, 8);
  lua_pushlstring(L, auth->data, auth->len);
  lua_setfield(L, -2, "authorization");
  lua_pushvalue(L, 8);
  lua_setfield(L, -2, "signed_headers");
  lua_pushstring(L, sig);
  lua_setfield(L, -2, "signature");
  lua_pushlstring(L, cr->data, cr->len);
  lua_setfield(L, -2, "canonical_request");
  lua_pushlstring(L, sts->data, sts->len);
  lua_setfield(L, -2, "string_to_sign");
  lua_pushstring(L, date);
  lua_setfield(L, -2, "x_sdk_date");
  lua_pushvalue(L, 5);
  lua_setfield(L, -2, "headers");
  return 1;
}
