/* The transport: a session owns one libcurl easy handle and one share handle
 * (DNS, TLS sessions, connections), so connections are reused across calls.
 * session:send() sends exactly the headers given (the signed ones), builds
 * the response, and raises hwcloud.Error for status >= 400 and for transport
 * failures. libcurl never calls back into Lua: the callbacks only append to
 * buffers the session owns, and the header list is owned by the session too,
 * so a raise at any point leaks nothing. The header list is the session's
 * own nodes and text, reused from request to request (libcurl only reads a
 * CURLOPT_HTTPHEADER list: https://curl.se/libcurl/c/CURLOPT_HTTPHEADER.html),
 * so a request allocates nothing for its headers once the session has sent
 * one with as many. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <curl/curl.h>
#include "hwc_internal.h"

#define SESSION_MT "hwcloud.Session"
#define SESSION_FN "hwcloud.core.session" /* the names argument errors give */
#define SEND_FN "session:send"
#define DEFAULT_TIMEOUT 60.0
#define DEFAULT_CONNECT_TIMEOUT 10.0
#define DEFAULT_MAX_BODY (64u * 1024u * 1024u)
#define DEFAULT_USER_AGENT "lua-hwcloud/" HWC_VERSION
#define KEEP_BUFFER_BYTES (8u * 1024u * 1024u) /* a session keeps a body buffer up to this size */
#define MAX_SECONDS (86400.0 * 365)
#define MAX_BODY_LIMIT 9007199254740992.0 /* 2^53: every integer below is exact in a double */

struct hwc_session {
  CURL *easy;
  CURLSH *share;
  CURLSH *attached;         /* the share the easy handle is attached to (hwc_session_share) */
  struct curl_slist *slist; /* headers of the request in flight: nodes, or NULL */
  struct curl_slist *nodes; /* the list's nodes (nodes_cap of them, malloc'd) */
  size_t nodes_cap;
  hwc_buf lines;            /* their text: "Name: value\0" one after the other */
  hwc_buf body, head;       /* what the last response brought */
  size_t max_body;
  int too_big, closed, verify_tls;
  int configured;           /* the options every transfer shares are set */
  long timeout_ms, connect_timeout_ms;
  char *ca_file, *ca_path, *proxy, *no_proxy, *user_agent;
  char errbuf[CURL_ERROR_SIZE];
};

/* Appends a piece of the body. Before the first piece the buffer is sized
 * for the announced Content-Length (the length on the wire: a gzip body
 * decodes to more, and then grows by doubling), so a large body is copied
 * in once instead of through a dozen reallocations. */
static size_t on_body(char *data, size_t size, size_t nmemb, void *ud) {
  hwc_session *s = (hwc_session *)ud;
  size_t n = size * nmemb;
  if (s->body.len + n > s->max_body) { s->too_big = 1; return 0; }
  if (s->body.len == 0) {
    curl_off_t announced = -1;
    if (curl_easy_getinfo(s->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &announced) == CURLE_OK &&
        announced > (curl_off_t)n && (curl_off_t)s->max_body >= announced)
      hwc_buf_reserve(&s->body, (size_t)announced);
  }
  hwc_buf_add(&s->body, data, n);
  return s->body.oom ? 0 : n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud) {
  hwc_session *s = (hwc_session *)ud;
  size_t n = size * nmemb;
  if (n >= 5 && !memcmp(data, "HTTP/", 5)) hwc_buf_reset(&s->head); /* a new response (after 1xx) */
  hwc_buf_add(&s->head, data, n);
  return s->head.oom ? 0 : n;
}

static void session_free(hwc_session *s) {
  if (s->easy) { curl_easy_cleanup(s->easy); s->easy = NULL; }
  free(s->nodes);
  s->nodes = s->slist = NULL;
  s->nodes_cap = 0;
  hwc_buf_free(&s->lines);
  if (s->share) { curl_share_cleanup(s->share); s->share = NULL; }
  hwc_buf_free(&s->body);
  hwc_buf_free(&s->head);
  free(s->ca_file); free(s->ca_path); free(s->proxy); free(s->no_proxy); free(s->user_agent);
  s->ca_file = s->ca_path = s->proxy = s->no_proxy = s->user_agent = NULL;
  s->closed = 1;
}

static int session_close(lua_State *L) {
  hwc_session *s = (hwc_session *)luaL_checkudata(L, 1, SESSION_MT);
  if (!s->closed) session_free(s);
  return 0;
}

static int session_tostring(lua_State *L) {
  hwc_session *s = (hwc_session *)luaL_checkudata(L, 1, SESSION_MT);
  lua_pushfstring(L, "hwcloud.Session (%s) %p", s->closed ? "closed" : "open", (void *)s);
  return 1;
}

/* ---- options ---- */

static char *opt_string(lua_State *L, int opts, const char *name) {
  const char *v;
  size_t len;
  char *copy;
  lua_getfield(L, opts, name);
  if (lua_isnil(L, -1)) { lua_pop(L, 1); return NULL; }
  if (lua_type(L, -1) != LUA_TSTRING)
    hwc_argerror(L, SESSION_FN, "option '%s' must be a string (got %s)", name, luaL_typename(L, -1));
  v = lua_tolstring(L, -1, &len);
  /* a NUL would cut the copy short; a CR or LF in the User-Agent, which
   * goes into a header line of every request (finish_headers), would add
   * lines of its own */
  hwc_check_line(L, SESSION_FN, "option '%s'", name, v, len);
  copy = strdup(v);
  lua_pop(L, 1);
  if (!copy) luaL_error(L, "hwcloud.core: out of memory");
  return copy;
}

/* A duration option in whole milliseconds, as libcurl takes it: from 1 ms
 * (libcurl reads 0 as "no timeout") to a year. */
static long opt_millis(lua_State *L, int opts, const char *name, double dflt) {
  double v = dflt;
  lua_getfield(L, opts, name);
  if (!lua_isnil(L, -1)) {
    char what[64];
    snprintf(what, sizeof what, "option '%s' (seconds)", name);
    v = (double)hwc_check_number(L, -1, SESSION_FN, what, 0.001, MAX_SECONDS, 0);
  }
  lua_pop(L, 1);
  return (long)ceil(v * 1000.0);
}

static const char *const known_options[] = {
  "timeout", "connect_timeout", "verify_tls", "ca_file", "ca_path", "proxy", "no_proxy",
  "user_agent", "max_body_bytes", NULL};

/* Pushes core.session_options: {name, ...} in known_options' order, and
 * each default by name ({timeout = 60, connect_timeout = 10, verify_tls =
 * true, max_body_bytes = 67108864, user_agent = "lua-hwcloud/..."}), so the
 * transports and the client read the one list. */
static void push_session_options(lua_State *L) {
  int i;
  lua_newtable(L);
  for (i = 0; known_options[i]; i++) {
    lua_pushstring(L, known_options[i]);
    lua_rawseti(L, -2, i + 1);
  }
  lua_pushnumber(L, DEFAULT_TIMEOUT);
  lua_setfield(L, -2, "timeout");
  lua_pushnumber(L, DEFAULT_CONNECT_TIMEOUT);
  lua_setfield(L, -2, "connect_timeout");
  lua_pushboolean(L, 1);
  lua_setfield(L, -2, "verify_tls");
  lua_pushinteger(L, (lua_Integer)DEFAULT_MAX_BODY);
  lua_setfield(L, -2, "max_body_bytes");
  lua_pushliteral(L, DEFAULT_USER_AGENT);
  lua_setfield(L, -2, "user_agent");
}

/* A share handle for DNS answers and TLS sessions and, with connections,
 * the connection pool (a multi keeps its own pool); NULL when libcurl cannot
 * make one. */
CURLSH *hwc_share_new(int connections) {
  CURLSH *sh = curl_share_init();
  if (!sh) return NULL;
  curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
  curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  if (connections) curl_share_setopt(sh, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
  return sh;
}

/* core.session(opts) -> session */
int hwc_session_new(lua_State *L) {
  hwc_session *s;
  int opts;
  if (lua_isnoneornil(L, 1)) { lua_settop(L, 0); lua_newtable(L); }
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  opts = 1;
  hwc_check_options(L, opts, SESSION_FN, known_options);
  s = (hwc_session *)lua_newuserdatauv(L, sizeof *s, 0);
  memset(s, 0, sizeof *s);
  s->closed = 1; /* until everything below succeeded: __gc then frees what exists */
  luaL_setmetatable(L, SESSION_MT);
  s->timeout_ms = opt_millis(L, opts, "timeout", DEFAULT_TIMEOUT);
  s->connect_timeout_ms = opt_millis(L, opts, "connect_timeout", DEFAULT_CONNECT_TIMEOUT);
  lua_getfield(L, opts, "verify_tls");
  if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TBOOLEAN)
    hwc_argerror(L, SESSION_FN, "option 'verify_tls' must be a boolean");
  s->verify_tls = lua_isnil(L, -1) ? 1 : lua_toboolean(L, -1);
  lua_pop(L, 1);
  lua_getfield(L, opts, "max_body_bytes");
  if (lua_isnil(L, -1)) s->max_body = DEFAULT_MAX_BODY;
  else s->max_body = (size_t)hwc_check_number(L, -1, SESSION_FN, "option 'max_body_bytes'", 0,
                                              MAX_BODY_LIMIT, 1);
  lua_pop(L, 1);
  s->closed = 0;
  s->ca_file = opt_string(L, opts, "ca_file");
  s->ca_path = opt_string(L, opts, "ca_path");
  s->proxy = opt_string(L, opts, "proxy");
  s->no_proxy = opt_string(L, opts, "no_proxy");
  s->user_agent = opt_string(L, opts, "user_agent");
  s->easy = curl_easy_init();
  s->share = hwc_share_new(1);
  if (!s->easy || !s->share) luaL_error(L, "hwcloud.core: cannot create a libcurl handle");
  return 1;
}

/* ---- send ---- */

/* Appends "Name: value" (check_request has checked both) to the session's
 * header text; flags gets 1, 2, 4 for Content-Type, Expect, User-Agent. */
static void add_header(hwc_session *s, const char *name, size_t nlen, const char *value, size_t vlen,
                       int *flags) {
  if (nlen == 12 && !strncasecmp(name, "content-type", 12)) *flags |= 1;
  if (nlen == 6 && !strncasecmp(name, "expect", 6)) *flags |= 2;
  if (nlen == 10 && !strncasecmp(name, "user-agent", 10)) *flags |= 4;
  hwc_buf_add(&s->lines, name, nlen);
  /* "Name;" is how libcurl sends a header with an empty value */
  if (vlen) { hwc_buf_add(&s->lines, ": ", 2); hwc_buf_add(&s->lines, value, vlen); }
  else hwc_buf_addc(&s->lines, ';');
  hwc_buf_addc(&s->lines, '\0');
}

/* The bytes a header name may hold: letters, digits, '-' and '_'. */
static const unsigned char name_byte[256] = {
  ['-'] = 1, ['_'] = 1,
  ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
  ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1, ['I'] = 1,
  ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
  ['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
  ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1, ['h'] = 1, ['i'] = 1,
  ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
  ['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
};

/* The one check of a request before a transport writes any of it: session:send
 * runs it, and the OpenResty transport through core.check_request. A CR or LF
 * in the method, the URL or a header would let a caller's value add headers or
 * a whole second request (smuggling); libcurl cuts strings at a NUL, so the
 * bytes sent would no longer be the bytes signed. Refused: a method that is
 * not 1-15 letters, a URL that is not http(s) or holds a byte <= 0x20 or 0x7f
 * (the request target goes on the wire as it is), a header name other than
 * letters, digits, '-' and '_', a CR, LF or NUL in a header value, a body that
 * is not a string, a Transfer-Encoding header or a Content-Length other than
 * the body's length (either would make the server read the body as the next
 * request). Raises the argument error naming fn; stack unchanged. With a
 * session, each header that passed also goes into its header text
 * (add_header; the walk is not made twice) and the return value holds
 * add_header's flags. */
static int check_request(lua_State *L, int req, const char *fn, hwc_session *s) {
  static const char *const fields[] = {"method", "url"};
  size_t len, i, blen;
  int f, t, k, n, flags = 0;
  const char *v;
  luaL_checktype(L, req, LUA_TTABLE);
  for (f = 0; f < 2; f++) {
    lua_getfield(L, req, fields[f]);
    if (lua_type(L, -1) != LUA_TSTRING || lua_rawlen(L, -1) == 0)
      hwc_argerror(L, fn, "'%s' must be a non-empty string (got %s)", fields[f], luaL_typename(L, -1));
    v = lua_tolstring(L, -1, &len);
    for (i = 0; i < len; i++) {
      unsigned char c = (unsigned char)v[i];
      if (f == 0 && (len > 15 || !isalpha(c))) hwc_argerror(L, fn, "bad method '%s'", v);
      if (f == 1 && (c <= 0x20 || c == 0x7f))
        hwc_argerror(L, fn, "'url' holds a space or a control character (byte %d)", (int)i + 1);
    }
    if (f == 1 && strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
      hwc_argerror(L, fn, "'url' must start with http:// or https://");
    lua_pop(L, 1);
  }
  lua_getfield(L, req, "body");
  if (!lua_isnil(L, -1) && lua_type(L, -1) != LUA_TSTRING)
    hwc_argerror(L, fn, "'body' must be a string (encode tables with core.encode)");
  blen = lua_isnil(L, -1) ? 0 : lua_rawlen(L, -1);
  lua_getfield(L, req, "headers");
  if (!lua_isnil(L, -1) && !lua_istable(L, -1)) hwc_argerror(L, fn, "'headers' must be a table");
  t = lua_gettop(L);
  n = lua_istable(L, t) ? (int)lua_rawlen(L, t) : 0;
  if (lua_istable(L, t) && n == 0) lua_pushnil(L); /* a map {Name = value}: walk it with lua_next */
  for (k = 1; n > 0 ? k <= n : lua_istable(L, t) && lua_next(L, t); k++) {
    const char *name;
    size_t nlen;
    if (n > 0) { /* a list of {name, value}: the pair, then its name and value (a map: lua_next's key, value) */
      lua_rawgeti(L, t, k);
      if (!lua_istable(L, -1)) hwc_argerror(L, fn, "headers[%d] must be a {name, value} pair", k);
      lua_rawgeti(L, -1, 1);
      lua_rawgeti(L, -2, 2);
    }
    if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
      hwc_argerror(L, fn, "headers must be {name, value} pairs of strings");
    name = lua_tolstring(L, -2, &nlen);
    if (nlen == 0) hwc_argerror(L, fn, "a header has an empty name");
    for (i = 0; i < nlen; i++)
      if (!name_byte[(unsigned char)name[i]]) hwc_argerror(L, fn, "bad header name '%s'", name);
    v = lua_tolstring(L, -1, &len);
    hwc_check_line(L, fn, "header '%s' value", name, v, len);
    if (nlen == 17 && !strncasecmp(name, "transfer-encoding", 17))
      hwc_argerror(L, fn, "the transport sets Transfer-Encoding itself");
    if (nlen == 14 && !strncasecmp(name, "content-length", 14)) {
      char clen[24];
      snprintf(clen, sizeof clen, "%lu", (unsigned long)blen);
      if (strcmp(v, clen)) hwc_argerror(L, fn, "header 'Content-Length' must be the body's length (%s)", clen);
    }
    if (s) add_header(s, name, nlen, v, len, &flags);
    lua_pop(L, n > 0 ? 3 : 1); /* lua_next keeps the key */
  }
  lua_pop(L, 2);
  return flags;
}

/* The one CR/LF/NUL rule, for the signer and the transports: a value that
 * ends up in a header line (or is read as a C string) must not hold CR or LF
 * (they would end the line and add headers of the caller's choosing) nor NUL
 * (C and libcurl stop there, so what is signed is not what is sent). Raises
 * the argument error "fn: <what> must not contain CR, LF or NUL", what being
 * a format with one %s for name (formatted only then: this runs for every
 * header of every request). */
void hwc_check_line(lua_State *L, const char *fn, const char *what, const char *name, const char *s,
                    size_t n) {
  if (memchr(s, '\r', n) || memchr(s, '\n', n) || memchr(s, '\0', n)) {
    char subject[192];
    snprintf(subject, sizeof subject, what, name);
    hwc_argerror(L, fn, "%s must not contain CR, LF or NUL", subject);
  }
}

/* core.check_request(request[, fname]): check_request for other transports;
 * raises the argument error (naming fname, default this function), returns
 * nothing. */
int hwc_check_request(lua_State *L) {
  const char *fn = luaL_optstring(L, 2, "hwcloud.core.check_request");
  lua_settop(L, 1);
  check_request(L, 1, fn, NULL);
  return 0;
}

/* Whether a transfer of method sends a body (maybe empty) the way a POST
 * does: with a body, or POST, PUT and PATCH without one; a HEAD never. */
static int posts(const char *method, const char *body) {
  if (!strcmp(method, "HEAD")) return 0;
  return body || !strcmp(method, "POST") || !strcmp(method, "PUT") || !strcmp(method, "PATCH");
}

/* libcurl adds "Expect: 100-continue" to a POST (also a PUT or PATCH with
 * a body: they are POSTs with a custom method here) only from
 * EXPECT_100_THRESHOLD bytes (1 MiB since 7.54.1; 1 KiB before: the lower
 * one is used) and a form Content-Type only to such a transfer; a list line
 * that removes a header libcurl would not add costs every transfer the
 * header-name comparisons libcurl makes for each of its lines. */
#define EXPECT_MIN_BODY 1024

/* Finishes the session's header list, whose lines check_request added
 * (flags: what it saw): the text first, then one node a line pointing into it
 * (the text no longer moves). posts: the transfer sends a body (of blen
 * bytes, maybe none) the way a POST does. */
static void finish_headers(lua_State *L, hwc_session *s, int flags, int posts, size_t blen) {
  size_t count = 0, off;
  /* Nothing unasked: no "Expect: 100-continue", no form Content-Type. */
  if (!(flags & 2) && posts && blen >= EXPECT_MIN_BODY) hwc_buf_add(&s->lines, "Expect:", sizeof "Expect:");
  if (!(flags & 1) && posts) hwc_buf_add(&s->lines, "Content-Type:", sizeof "Content-Type:");
  /* The session's User-Agent as a line of the list rather than
   * CURLOPT_USERAGENT: libcurl 7.88 formats that option into a line of its
   * own at every transfer, even when the list holds the request's own
   * User-Agent (the client's case) and the line is thrown away. */
  if (!(flags & 4)) {
    if (s->user_agent) {
      hwc_buf_add(&s->lines, "User-Agent: ", sizeof "User-Agent: " - 1);
      hwc_buf_add(&s->lines, s->user_agent, strlen(s->user_agent) + 1);
    } else {
      hwc_buf_add(&s->lines, "User-Agent: " DEFAULT_USER_AGENT, sizeof("User-Agent: " DEFAULT_USER_AGENT));
    }
  }
  hwc_buf_check(L, &s->lines);
  for (off = 0; off < s->lines.len; off += strlen(s->lines.data + off) + 1) count++;
  if (count > s->nodes_cap) {
    struct curl_slist *nodes = (struct curl_slist *)realloc(s->nodes, count * sizeof *nodes);
    if (!nodes) luaL_error(L, "hwcloud.core: out of memory");
    s->nodes = nodes;
    s->nodes_cap = count;
  }
  for (off = 0, count = 0; off < s->lines.len; off += strlen(s->lines.data + off) + 1, count++) {
    s->nodes[count].data = s->lines.data + off;
    s->nodes[count].next = NULL;
    if (count > 0) s->nodes[count - 1].next = &s->nodes[count];
  }
  s->slist = count ? s->nodes : NULL;
}

static int is_tls_error(CURLcode rc) {
  switch (rc) {
    case CURLE_SSL_CONNECT_ERROR: case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM: case CURLE_SSL_CIPHER: case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR: case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_ENGINE_NOTFOUND: case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_CRL_BADFILE: case CURLE_SSL_SHUTDOWN_FAILED: case CURLE_USE_SSL_FAILED:
      return 1;
    default:
      return 0;
  }
}

/* libcurl's codes for input it refuses before anything is sent: the
 * caller's mistake, never a network fault, never retried. Returns what was
 * wrong, or NULL for any other code. */
static const char *refused_input(CURLcode rc) {
  switch (rc) {
    case CURLE_URL_MALFORMAT: return "'url' is malformed";
    case CURLE_BAD_FUNCTION_ARGUMENT: case CURLE_UNKNOWN_OPTION: case CURLE_NOT_BUILT_IN:
#if LIBCURL_VERSION_NUM >= 0x074e00
    case CURLE_SETOPT_OPTION_SYNTAX:
#endif
      return "an option or the request was refused by libcurl";
    default:
      return NULL;
  }
}

/* Whether libcurl gave up on the response head as too large: a line over
 * CURL_MAX_HTTP_HEADER (libcurl 7.x reports its buffer's refusal as out of
 * memory, 8.6+ as CURLE_TOO_LARGE) or more than its total limit. */
static int head_too_large(hwc_session *s, CURLcode rc) {
#if LIBCURL_VERSION_NUM >= 0x080600
  if (rc == CURLE_TOO_LARGE) return 1;
#endif
  return rc == CURLE_OUT_OF_MEMORY ||
         (rc == CURLE_RECV_ERROR && !strncmp(s->errbuf, "Too large response header", 25));
}

/* Sets curl_code, retryable, method and url on the error at the top. */
static void set_transfer_fields(lua_State *L, CURLcode rc, const char *method, const char *url) {
  hwc_error_setint(L, "curl_code", (long long)rc);
  hwc_error_classify(L);
  hwc_error_setstr(L, "method", method);
  hwc_push_clean_url(L, url);
  lua_setfield(L, -2, "url");
}

/* Pushes the error for a failed transfer: argument errors for what libcurl
 * refused to send, else the one transport error (hwc_transport_error), from
 * the codes the cosocket transport gives for the same failures. */
static void push_transport_error(lua_State *L, hwc_session *s, CURLcode rc, const char *method, const char *url) {
  const char *refused = refused_input(rc);
  hwc_failure f;
  char reason[128];
  long os_errno = 0;
  if (rc == CURLE_ABORTED_BY_CALLBACK) {
    /* on_progress saw the interpreter asked to stop: never retried, and the
     * interpreter's own "interrupted!" follows at the next Lua instruction */
    hwc_error_new(L, "cancelled", NULL, "session:send: interrupted during the request");
    hwc_error_setstr(L, "code", "Interrupted");
    set_transfer_fields(L, rc, method, url);
    return;
  }
  if (refused) {
    char msg[CURL_ERROR_SIZE + 128];
    snprintf(msg, sizeof msg, "session:send: %s (libcurl: %s)", refused,
             s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc));
    hwc_error_new(L, "argument", NULL, msg);
    set_transfer_fields(L, rc, method, url);
    return;
  }
  memset(&f, 0, sizeof f);
  f.curl_code = (int)rc;
  f.method = method;
  f.url = url;
  f.tls = is_tls_error(rc);
  f.detail = s->errbuf;
  if (s->too_big) {
    f.code = "BodyTooLarge";
    f.detail = NULL; /* our write callback refused: "Failure writing output" would mislead */
    f.max_body = (double)s->max_body;
  } else if (head_too_large(s, rc)) {
    f.code = "HeadersTooLarge";
    f.curl_code = CURLE_RECV_ERROR;
  } else if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
    /* check_request let only http(s) URLs through: the answer was not HTTP
     * (libcurl reports an HTTP/0.9 answer so) */
    f.curl_code = CURLE_WEIRD_SERVER_REPLY;
  } else if (rc == CURLE_COULDNT_CONNECT &&
             curl_easy_getinfo(s->easy, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK && os_errno > 0) {
    /* the system's words, as nginx gives them to a cosocket: strerror with
     * its first letter lower-cased */
    snprintf(reason, sizeof reason, "%s", strerror((int)os_errno));
    reason[0] = (char)tolower((unsigned char)reason[0]);
    f.reason = reason;
  }
  hwc_transport_error(L, &f);
}

/* What the session asks answers to be compressed with (libcurl decodes
 * them): gzip alone when libcurl has zlib, as Go's HTTP client does for
 * Huawei's Go SDK; else whatever this libcurl decodes (""). Not all of
 * libcurl's own list ("deflate, gzip, br, zstd"): libcurl 7.88 formats the
 * line through its own printf at every transfer, and the longer line cost
 * 2,200-2,600 more instructions a request (bench/client.lua --callgrind). */
static const char *accept_encoding(void) {
  return (curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_LIBZ) ? "gzip" : "";
}

/* What every transfer of the session shares, set at its first one. */
static void set_session_options(hwc_session *s) {
  CURL *e = s->easy;
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, s->timeout_ms);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, s->connect_timeout_ms);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, s->verify_tls ? 1L : 0L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, s->verify_tls ? 2L : 0L);
  if (s->ca_file) curl_easy_setopt(e, CURLOPT_CAINFO, s->ca_file);
  if (s->ca_path) curl_easy_setopt(e, CURLOPT_CAPATH, s->ca_path);
  if (s->proxy) curl_easy_setopt(e, CURLOPT_PROXY, s->proxy);
  if (s->no_proxy) curl_easy_setopt(e, CURLOPT_NOPROXY, s->no_proxy);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, accept_encoding());
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, s);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, s);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
  s->configured = 1;
}

/* The options of one transfer: the URL, the header list and every option of the method,
 * starting from a GET with no body, so nothing of the request before stays
 * (https://curl.se/libcurl/c/CURLOPT_HTTPGET.html: GET, and no NOBODY or
 * upload; the body pointer cleared first: CURLOPT_POSTFIELDS). The rest is
 * set once per session: curl_easy_reset and setting everything again per
 * request cost ~6,000 of a signed POST's ~233,000 instructions
 * (bench/client.lua --callgrind). */
static void set_transfer_options(hwc_session *s, const char *method, const char *url,
                                 const char *body, size_t blen) {
  CURL *e = s->easy;
  if (!s->configured) set_session_options(s);
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->slist);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, NULL);
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)-1);
  curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, NULL);
  /* no progress callback unless session:send sets its own for this transfer
   * (its data lives on session:send's stack) */
  curl_easy_setopt(e, CURLOPT_NOPROGRESS, 1L);
  if (!strcmp(method, "GET") && !body) return;
  if (!strcmp(method, "HEAD")) {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    return;
  }
  if (strcmp(method, "POST")) curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
  if (posts(method, body)) {
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)blen);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body ? body : "");
  }
}

hwc_session *hwc_session_check(lua_State *L, int idx) {
  hwc_session *s = (hwc_session *)luaL_checkudata(L, idx, SESSION_MT);
  if (s->closed) hwc_argerror(L, "hwcloud.core session", "the session is closed");
  return s;
}

CURL *hwc_session_easy(hwc_session *s) {
  return s->easy;
}

/* Attaches the session's easy handle to share (the session's own for
 * session:send, a multi's for its transfers, NULL to detach), only when it
 * is attached elsewhere: libcurl detaches and attaches again even for the
 * same share. A closed session has no handle: nothing to do. */
void hwc_session_share(hwc_session *s, CURLSH *share) {
  if (!s->easy || s->attached == share) return;
  curl_easy_setopt(s->easy, CURLOPT_SHARE, share);
  s->attached = share;
}

/* Checks the request table at index req and readies the session's easy
 * handle for it (header list built, options set). method receives the
 * upper-cased method, *url the URL (anchored by the request table, as is the
 * body libcurl reads: the caller keeps the table alive until the transfer
 * ends). Raises argument errors; the header list belongs to the session. */
void hwc_session_prepare(lua_State *L, hwc_session *s, int req, char method[HWC_METHOD_MAX],
                         const char **url) {
  size_t ulen, blen = 0, mlen, i;
  const char *method_in, *body = NULL;
  char *busy = NULL;
  int flags;

  /* a multi marks the handles it drives (hwc_multi.c): their header list and
   * buffers are in use (the request is checked first all the same) */
  curl_easy_getinfo(s->easy, CURLINFO_PRIVATE, &busy);
  if (busy) {
    check_request(L, req, SEND_FN, NULL);
    hwc_argerror(L, SEND_FN, "the session is in a multi transfer");
  }
  /* the header text is rebuilt while the request is checked: the handle's
   * list is set again before the next transfer reads it */
  s->slist = NULL;
  hwc_buf_reset(&s->lines);
  flags = check_request(L, req, SEND_FN, s);
  lua_getfield(L, req, "method"); /* 1-15 letters: check_request */
  method_in = lua_tolstring(L, -1, &mlen);
  for (i = 0; i <= mlen; i++) method[i] = (char)toupper((unsigned char)method_in[i]);
  lua_getfield(L, req, "url");
  *url = lua_tolstring(L, -1, &ulen);
  lua_getfield(L, req, "body");
  if (lua_type(L, -1) == LUA_TSTRING) body = lua_tolstring(L, -1, &blen);
  lua_pop(L, 3); /* all three anchored by the request table while libcurl reads them */

  finish_headers(L, s, flags, posts(method, body), blen);
  hwc_buf_reset(&s->body);
  hwc_buf_reset(&s->head);
  s->too_big = 0;
  s->errbuf[0] = '\0';
  set_transfer_options(s, method, *url, body, blen);
}

/* What build_response needs, handed over as a light userdata. */
typedef struct {
  hwc_session *s;
  const char *method, *url;
  long status, connects;
  double total;
} finish_args;

/* The response of a transfer that ended well (argument 1: its finish_args):
 * status, headers and the body here; the rest is built where every
 * transport's is (hwc_response.c). Run by hwc_call_gc_paused. */
static int build_response(lua_State *L) {
  const finish_args *a = (const finish_args *)lua_touserdata(L, 1);
  hwc_session *s = a->s;
  int resp;
  lua_createtable(L, 0, 10);
  resp = lua_gettop(L);
  lua_pushinteger(L, (lua_Integer)a->status);
  lua_setfield(L, resp, "status");
  hwc_push_headers(L, s->head.data ? s->head.data : "", s->head.len);
  lua_setfield(L, resp, "header_list");
  lua_setfield(L, resp, "headers");
  lua_pushboolean(L, a->connects == 0);
  lua_setfield(L, resp, "reused");
  lua_pushnumber(L, a->total);
  lua_setfield(L, resp, "total_time");
  if (s->body.len > 0) {
    lua_pushlstring(L, s->body.data, s->body.len);
    lua_setfield(L, resp, "raw_body");
  }
  /* the buffer serves the next answer; a huge one goes back at once */
  if (s->body.cap > KEEP_BUFFER_BYTES) hwc_buf_free(&s->body);
  return hwc_response_finish(L, resp, (int)a->status, a->method, a->url);
}

/* After the transfer prepared by hwc_session_prepare ended with rc: drops the
 * header list, then pushes the response (returns 1) or raises the error. */
int hwc_session_finish(lua_State *L, hwc_session *s, CURLcode rc, const char *method, const char *url) {
  finish_args a;
  a.s = s;
  a.method = method;
  a.url = url;
  a.status = a.connects = 0;
  a.total = 0;
  s->slist = NULL;
  curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &a.status);
  curl_easy_getinfo(s->easy, CURLINFO_NUM_CONNECTS, &a.connects);
  curl_easy_getinfo(s->easy, CURLINFO_TOTAL_TIME, &a.total);
  if (rc == CURLE_OK && (s->body.oom || s->head.oom)) luaL_error(L, "hwcloud.core: out of memory");
  if (rc != CURLE_OK) {
    push_transport_error(L, s, rc, method, url);
    return lua_error(L);
  }
  lua_pushlightuserdata(L, &a);
  return hwc_call_gc_paused(L, build_response, 1, s->body.len);
}

/* Gives the transfer up when a signal asked the program to stop (the
 * interpreters' Ctrl-C, hwc_stop_asked): libcurl calls it about once a
 * second while it waits, and at every step of a transfer. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow) {
  (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
  return hwc_stop_asked((const hwc_hook_mark *)ud);
}

/* session:send{method=, url=, headers=, body=} -> response, or raises hwcloud.Error */
static int session_send(lua_State *L) {
  hwc_session *s = hwc_session_check(L, 1);
  char method[HWC_METHOD_MAX];
  const char *url;
  CURLcode rc;
  hwc_hook_mark mark;

  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  hwc_session_prepare(L, s, 2, method, &url);
  hwc_session_share(s, s->share);
  hwc_hook_mark_set(L, &mark);
  curl_easy_setopt(s->easy, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(s->easy, CURLOPT_XFERINFODATA, &mark);
  curl_easy_setopt(s->easy, CURLOPT_NOPROGRESS, 0L);
  rc = curl_easy_perform(s->easy);
  return hwc_session_finish(L, s, rc, method, url);
}

void hwc_http_open(lua_State *L) {
  static const luaL_Reg methods[] = {
    {"send", session_send},
    {"close", session_close},
    {NULL, NULL}};
  static int curl_ready = 0; /* curl_global_init must run once per process */
  if (!curl_ready) {
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) luaL_error(L, "hwcloud.core: curl_global_init failed");
    curl_ready = 1;
  }
  hwc_new_class(L, SESSION_MT, methods, session_close, session_tostring);
  push_session_options(L);
  lua_setfield(L, -2, "session_options");
}
