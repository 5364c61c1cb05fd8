/* The response and the error of an HTTP answer, built once for every
 * transport: session:send and multi:take (hwc_session_finish) and the
 * OpenResty cosocket transport (core.response) hand over the status, the
 * headers, the raw body, the method and the URL; this file makes the headers
 * table (case-insensitive lookup: names stored lower-case, a repeated
 * header's values joined with ", "), decodes a JSON body, and returns the
 * response or raises the error (status >= 400, or a 2xx/3xx whose JSON is
 * broken). core.http_error gives the error of an answer without raising. */
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

/* The header names answers usually carry, as HTTP/1.1 servers write them:
 * their strings (and lower-case forms) are made once per Lua state and
 * reused for every response, instead of being hashed and interned again for
 * each header (a name sent in another case is made as before). */
static const char names_key = 0;
static const char *const known_names[] = {
  "Server", "Date", "Content-Type", "Content-Length", "Connection", "X-Request-Id",
  "Transfer-Encoding", "Keep-Alive", "Cache-Control", "Vary", "Location", "ETag",
  "Expires", "Pragma", "Strict-Transport-Security", "X-Frame-Options",
  "X-Content-Type-Options", "X-XSS-Protection", "Access-Control-Allow-Origin", "Retry-After",
};
#define KNOWN_NAMES ((int)(sizeof known_names / sizeof known_names[0]))

/* Index in known_names of name as sent, either as written there or all in
 * lower case (*lower set then), or -1. */
static int known_name(const char *name, size_t n, int *lower) {
  int i;
  size_t k;
  for (i = 0; i < KNOWN_NAMES; i++) {
    const char *kn = known_names[i];
    if (strlen(kn) != n) continue;
    if (memcmp(kn, name, n) == 0) { *lower = 0; return i; }
    for (k = 0; k < n && (char)tolower((unsigned char)kn[k]) == name[k]; k++) {}
    if (k == n) { *lower = 1; return i; }
  }
  return -1;
}

void hwc_headers_open(lua_State *L) {
  int i;
  lua_newtable(L);
  lua_pushcfunction(L, headers_index);
  lua_setfield(L, -2, "__index");
  lua_pushliteral(L, "hwcloud.Headers");
  lua_setfield(L, -2, "__name");
  lua_rawsetp(L, LUA_REGISTRYINDEX, &headers_mt_key);
  /* names[2i + 1]: known_names[i] as written, names[2i + 2]: lower-cased */
  lua_createtable(L, 2 * KNOWN_NAMES, 0);
  for (i = 0; i < KNOWN_NAMES; i++) {
    char lower[64];
    size_t k, n = strlen(known_names[i]);
    for (k = 0; k < n; k++) lower[k] = (char)tolower((unsigned char)known_names[i][k]);
    lua_pushlstring(L, known_names[i], n);
    lua_rawseti(L, -2, 2 * i + 1);
    lua_pushlstring(L, lower, n);
    lua_rawseti(L, -2, 2 * i + 2);
  }
  lua_rawsetp(L, LUA_REGISTRYINDEX, &names_key);
}

static const char *trim(const char *s, const char *e, const char **end) {
  while (s < e && (*s == ' ' || *s == '\t')) s++;
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' || e[-1] == '\n')) e--;
  *end = e;
  return s;
}

/* Adds lower-cased name: value to the headers table at map, both on top
 * (popped), joining a repeated header's values. Stack: lname, value -> (nothing). */
static void headers_put(lua_State *L, int map) {
  lua_pushvalue(L, -2);
  lua_rawget(L, map); /* lname, value, earlier value or nil */
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
  } else {
    lua_insert(L, -2);
    lua_pushliteral(L, ", ");
    lua_insert(L, -2); /* lname, earlier value, ", ", value */
    lua_concat(L, 3);
  }
  lua_rawset(L, map);
}

/* Pushes name lower-cased (a name of 256 bytes or more is refused: returns
 * 0 with nothing pushed; the lookup refuses such names too). */
static int push_lower(lua_State *L, const char *name, size_t nlen) {
  char lower[256];
  size_t i;
  if (nlen >= sizeof lower) return 0;
  for (i = 0; i < nlen; i++) lower[i] = (char)tolower((unsigned char)name[i]);
  lua_pushlstring(L, lower, nlen);
  return 1;
}

/* Adds name: value to the headers table at map, the value being the string
 * on top (popped). Stack: value -> (nothing). */
static void headers_add(lua_State *L, int map, const char *name, size_t nlen) {
  if (!push_lower(L, name, nlen)) { lua_pop(L, 1); return; }
  lua_insert(L, -2); /* lname, value */
  headers_put(L, map);
}

/* Pushes an empty headers table with room for n names (presized: filling
 * a table from empty rehashes it at every power of two). */
static int push_headers_table(lua_State *L, int n) {
  lua_createtable(L, 0, n);
  lua_rawgetp(L, LUA_REGISTRYINDEX, &headers_mt_key);
  lua_setmetatable(L, -2);
  return lua_gettop(L);
}

/* Pushes headers (case-insensitive table) and then header_list, from the raw
 * header block libcurl collected; each value string serves both. */
void hwc_push_headers(lua_State *L, const char *raw, size_t n) {
  const char *p = raw, *end = raw + n, *q;
  int map, list, names, count = 0, lines = 0;
  for (q = raw; q < end && (q = memchr(q, '\n', (size_t)(end - q))) != NULL; q++) lines++;
  lua_rawgetp(L, LUA_REGISTRYINDEX, &names_key);
  names = lua_gettop(L);
  map = push_headers_table(L, lines); /* at most one header a line (the status line is one) */
  lua_createtable(L, lines, 0);
  list = lua_gettop(L);
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    const char *line_end = eol ? eol : end;
    const char *colon = memchr(p, ':', (size_t)(line_end - p));
    if (colon && colon > p && colon - p < 256 && strncmp(p, "HTTP/", 5) != 0) {
      const char *vend, *v = trim(colon + 1, line_end, &vend);
      size_t nlen = (size_t)(colon - p);
      int lower, known = known_name(p, nlen, &lower);
      if (known >= 0) lua_rawgeti(L, names, 2 * known + 2);
      else push_lower(L, p, nlen);
      lua_pushlstring(L, v, (size_t)(vend - v)); /* lname, value */
      lua_createtable(L, 2, 0);
      if (known >= 0) lua_rawgeti(L, names, 2 * known + 1 + lower);
      else lua_pushlstring(L, p, nlen);
      lua_rawseti(L, -2, 1);
      lua_pushvalue(L, -2);
      lua_rawseti(L, -2, 2);
      lua_rawseti(L, list, ++count); /* lname, value */
      headers_put(L, map);
    }
    p = line_end + 1;
  }
  lua_remove(L, names);
}

static int is_json_type(const char *ct) {
  char lower[128];
  size_t i;
  if (!ct) return 0;
  for (i = 0; ct[i] && i < sizeof lower - 1; i++) lower[i] = (char)tolower((unsigned char)ct[i]);
  lower[i] = '\0';
  return strstr(lower, "json") != NULL;
}

/* Decodes the body at raw_idx (a string, or anything else for none) when it
 * is JSON: by its content type, or for an error status when it starts with
 * '{'. Returns 1 with the value pushed, 0 with nothing pushed (no body, not
 * JSON), -1 with the decoder's message pushed (broken JSON). */
static int decode_body(lua_State *L, int raw_idx, const char *ctype, int status) {
  size_t n, k = 0;
  const char *raw;
  if (lua_type(L, raw_idx) != LUA_TSTRING) return 0;
  raw = lua_tolstring(L, raw_idx, &n);
  if (!is_json_type(ctype)) {
    if (status < 400) return 0;
    while (k < n && isspace((unsigned char)raw[k])) k++;
    if (k == n || raw[k] != '{') return 0;
  }
  return hwc_json_decode_string(L, raw, n) ? 1 : -1;
}

/* Pushes the error of an HTTP answer >= 400. raw_idx: the raw body (or nil),
 * decoded_idx: the decoded JSON body or 0, rid_idx/headers_idx: request id and
 * headers (may be nil). */
void hwc_push_http_error(lua_State *L, int status, int raw_idx, int decoded_idx, int rid_idx,
                         int headers_idx, const char *method, const char *url) {
  int err;
  size_t n = 0;
  const char *raw = lua_type(L, raw_idx) == LUA_TSTRING ? lua_tolstring(L, raw_idx, &n) : NULL;
  hwc_error_new(L, "http", status >= 500 ? "ServerResponseException" : "ClientRequestException", NULL);
  err = lua_gettop(L);
  hwc_error_from_body(L, status, raw, n, decoded_idx);
  lua_pushinteger(L, (lua_Integer)status);
  lua_setfield(L, err, "status");
  lua_pushvalue(L, rid_idx);
  lua_setfield(L, err, "request_id");
  lua_pushvalue(L, headers_idx);
  lua_setfield(L, err, "headers");
  if (decoded_idx) { lua_pushvalue(L, decoded_idx); lua_setfield(L, err, "data"); }
  hwc_error_setstr(L, "method", method);
  if (url) { hwc_push_clean_url(L, url); lua_setfield(L, err, "url"); }
  hwc_error_classify(L);
}

/* Raises kind "decode" for a 2xx/3xx whose JSON body is broken; the
 * decoder's message is at -1. */
static int raise_decode_error(lua_State *L, int resp, int status, int raw_idx, const char *method,
                              const char *url) {
  hwc_error_new(L, "decode", "ServerResponseException", lua_tostring(L, -1));
  hwc_error_setint(L, "status", status);
  lua_pushvalue(L, raw_idx);
  lua_setfield(L, -2, "body");
  lua_getfield(L, resp, "request_id");
  lua_setfield(L, -2, "request_id");
  hwc_error_setstr(L, "method", method);
  if (url) { hwc_push_clean_url(L, url); lua_setfield(L, -2, "url"); }
  return lua_error(L);
}

/* Completes the response table at resp, which holds status, headers,
 * header_list and raw_body (nil when empty): sets request_id and body (the
 * decoded JSON, else the raw string), then returns 1 with the response on
 * top, or raises the error of the answer. */
int hwc_response_finish(lua_State *L, int resp, int status, const char *method, const char *url) {
  enum { HEADERS = 1, RID, CTYPE, RAW, DECODED }; /* stack slots above resp */
  int got;
  lua_settop(L, resp);
  lua_getfield(L, resp, "headers");
  lua_getfield(L, resp + HEADERS, "x-request-id");
  lua_pushvalue(L, -1);
  lua_setfield(L, resp, "request_id");
  lua_getfield(L, resp + HEADERS, "content-type");
  lua_getfield(L, resp, "raw_body");
  got = decode_body(L, resp + RAW, lua_tostring(L, resp + CTYPE), status);
  if (got < 0 && status < 400) return raise_decode_error(L, resp, status, resp + RAW, method, url);
  if (got < 0) lua_pop(L, 1);
  lua_pushvalue(L, got > 0 ? resp + DECODED : resp + RAW);
  lua_setfield(L, resp, "body");
  if (status >= 400) {
    hwc_push_http_error(L, status, resp + RAW, got > 0 ? resp + DECODED : 0, resp + RID, resp + HEADERS,
                        method, url);
    return lua_error(L);
  }
  lua_settop(L, resp);
  return 1;
}

/* Lua 5.4's incremental collector, left running while a response is built,
 * takes its steps in the middle of the build: it marks the tables under
 * construction, meets the write barrier on every field set into a table it
 * already marked, and marks them again. So a response of GC_PAUSE_MIN bytes
 * or more is built with the collector stopped, which then pays in one step
 * for what the build allocated (LUA_GCSTEP with that many KB of debt, after
 * the restart set the debt to zero, dropping any allowance left: charged at
 * least what it owes, the heap stays within the collector's usual bound; a
 * restart alone would forgive the debt, and a loop of sends would grow the
 * heap without end). The same holds in generational mode (measured too). Measured with callgrind over session:send (bench/response.lua times it):
 * 19% fewer instructions on a 30 KB answer, 7% on 1 MB, with a lower peak
 * heap. A raise inside (out of memory, the answer's error) restarts the
 * collector before it propagates; a collector the program stopped stays
 * stopped. Not done on LuaJIT, and for core.decode alone only from 256 KB
 * (hwc_decode.c): measured the same way, it cost 10% more on a 30 KB text. */
#define GC_PAUSE_MIN 2048

int hwc_call_gc_paused(lua_State *L, lua_CFunction f, int nargs, size_t size) {
  lua_pushcfunction(L, f);
  lua_insert(L, -nargs - 1);
#if LUA_VERSION_NUM >= 504
  if (size >= GC_PAUSE_MIN && lua_gc(L, LUA_GCISRUNNING)) {
    int kb = lua_gc(L, LUA_GCCOUNT), status;
    lua_gc(L, LUA_GCSTOP);
    status = lua_pcall(L, nargs, 1, 0);
    lua_gc(L, LUA_GCRESTART);
    kb = lua_gc(L, LUA_GCCOUNT) - kb;
    if (kb > 0) lua_gc(L, LUA_GCSTEP, kb);
    if (status != LUA_OK) return lua_error(L); /* the error object is on top */
    return 1;
  }
#else
  (void)size;
#endif
  lua_call(L, nargs, 1);
  return 1;
}

/* The body of core.response, run by hwc_call_gc_paused (argument 1: the table). */
static int response_build(lua_State *L) {
  static const char *const fn = "hwcloud.core.response";
  int status, resp, map, k, n;
  const char *method, *url;
  lua_settop(L, 1);
  lua_getfield(L, 1, "status");
  status = (int)hwc_check_number(L, 2, fn, "'status'", 100, 999, 1);
  lua_getfield(L, 1, "method"); /* 3 */
  lua_getfield(L, 1, "url");    /* 4 */
  if (!lua_isnil(L, 3) && lua_type(L, 3) != LUA_TSTRING) hwc_argerror(L, fn, "'method' must be a string");
  if (!lua_isnil(L, 4) && lua_type(L, 4) != LUA_TSTRING) hwc_argerror(L, fn, "'url' must be a string");
  method = lua_tostring(L, 3);
  url = lua_tostring(L, 4);
  lua_createtable(L, 0, 10);
  resp = lua_gettop(L);
  lua_pushinteger(L, (lua_Integer)status);
  lua_setfield(L, resp, "status");
  lua_getfield(L, 1, "header_list");
  if (!lua_istable(L, -1)) hwc_argerror(L, fn, "'header_list' must be a list of {name, value} pairs");
  n = (int)lua_rawlen(L, -1);
  map = push_headers_table(L, n);
  for (k = 1; k <= n; k++) {
    size_t nlen;
    const char *name;
    lua_rawgeti(L, map - 1, k);
    if (lua_istable(L, -1)) { lua_rawgeti(L, -1, 1); lua_rawgeti(L, -2, 2); }
    if (lua_type(L, -1) != LUA_TSTRING || lua_type(L, -2) != LUA_TSTRING)
      hwc_argerror(L, fn, "header_list[%d] must be a {name, value} pair of strings", k);
    name = lua_tolstring(L, -2, &nlen);
    headers_add(L, map, name, nlen); /* takes the value */
    lua_pop(L, 2);
  }
  lua_setfield(L, resp, "headers");
  lua_setfield(L, resp, "header_list");
  lua_getfield(L, 1, "raw_body");
  if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING) hwc_argerror(L, fn, "'raw_body' must be a string");
  if (lua_rawlen(L, -1) > 0) lua_setfield(L, resp, "raw_body");
  else lua_pop(L, 1);
  lua_getfield(L, 1, "reused");
  lua_setfield(L, resp, "reused");
  lua_getfield(L, 1, "total_time");
  lua_setfield(L, resp, "total_time");
  return hwc_response_finish(L, resp, status, method, url);
}

/* core.response{status=, header_list=, raw_body=, method=, url=, reused=,
 * total_time=} -> the response session:send returns for that answer, or
 * raises the error it raises: for transports other than libcurl (the
 * OpenResty cosocket one), so the response is built in one place. */
int hwc_response(lua_State *L) {
  size_t n = 0;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_getfield(L, 1, "raw_body");
  if (lua_type(L, -1) == LUA_TSTRING) n = lua_rawlen(L, -1);
  lua_pop(L, 1);
  return hwc_call_gc_paused(L, response_build, 1, n);
}

/* core.http_error{status=, raw_body=, headers=, request_id=, method=, url=} ->
 * the error session:send would raise for that answer (not raised). */
int hwc_http_error(lua_State *L) {
  static const char *const fn = "hwcloud.core.http_error";
  int status, got;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_getfield(L, 1, "status");
  status = (int)hwc_check_number(L, -1, fn, "'status'", 400, 999, 1);
  lua_getfield(L, 1, "raw_body");   /* 3 */
  lua_getfield(L, 1, "request_id"); /* 4 */
  lua_getfield(L, 1, "headers");    /* 5 */
  lua_getfield(L, 1, "method");     /* 6 */
  lua_getfield(L, 1, "url");        /* 7 */
  lua_pushnil(L);                   /* 8: the content type */
  if (lua_istable(L, 5)) {
    lua_getfield(L, 5, "content-type");
    if (lua_isnil(L, -1)) { lua_pop(L, 1); lua_getfield(L, 5, "Content-Type"); }
    lua_replace(L, 8);
  }
  got = decode_body(L, 3, lua_tostring(L, 8), status); /* 9: the decoded body */
  hwc_push_http_error(L, status, 3, got > 0 ? 9 : 0, 4, 5, lua_tostring(L, 6), lua_tostring(L, 7));
  return 1;
}
