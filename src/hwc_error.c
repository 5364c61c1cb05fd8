/* The error object of lua-hwcloud: a table with metatable hwcloud.Error,
 * raised with error(err, 0). This file makes errors, reads Huawei error
 * bodies (every shape Huawei's SDKs read: error_code/error_msg,
 * errorCode/errorMsg, code/message, nested) into
 * code/message, and gives tostring(err) its one readable line. */
#include <math.h>
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

/* ---- the one retry classification ----
 * Whether a failure is worth another attempt, decided from its kind, status,
 * code and curl_code alone, in this one table (the way luv keeps its error
 * names in one table). Every error the core makes carries the answer as
 * `retryable`; core.classify gives it, with the reason, to the retry layer,
 * the waiters and the cosocket transport. The first row that matches wins;
 * NULL and 0 match anything. */
enum { RETRY_NO, RETRY_IDEMPOTENT, RETRY_ANY };

static const struct retry_rule {
  const char *kind, *code;
  int status, curl_code;
  const char *reason;
  int scope; /* RETRY_ANY: nothing was done, so even a POST may be repeated */
} retry_rules[] = {
  /* throttling, whatever the status: the gateway's APIGW.0308 / APIG.0308
   * and IAM.0012 (the IAM API reference's error codes,
   * https://support.huaweicloud.com/intl/en-us/api-iam/) and VPCEP's
   * EndPoint.0022, answered with 400 (https://support.huaweicloud.com/intl/en-us/api-vpcep/) */
  {"http", NULL, 429, 0, "throttled", RETRY_ANY},
  {"http", "APIGW.0308", 0, 0, "throttled", RETRY_ANY},
  {"http", "APIG.0308", 0, 0, "throttled", RETRY_ANY},
  {"http", "IAM.0012", 0, 0, "throttled", RETRY_ANY},
  {"http", "EndPoint.0022", 0, 0, "throttled", RETRY_ANY},
  {"http", NULL, 500, 0, "server", RETRY_IDEMPOTENT},
  {"http", NULL, 502, 0, "server", RETRY_IDEMPOTENT},
  {"http", NULL, 503, 0, "server", RETRY_IDEMPOTENT},
  {"http", NULL, 504, 0, "server", RETRY_IDEMPOTENT},
  {"http", NULL, 0, 0, "client error", RETRY_NO},
  /* a body over max_body_bytes is as large the next time */
  {"network", "BodyTooLarge", 0, 0, "body too large", RETRY_NO},
  /* proxy or host not resolved, connection refused: nothing was sent */
  {"network", NULL, 0, CURLE_COULDNT_RESOLVE_PROXY, "not-sent", RETRY_ANY},
  {"network", NULL, 0, CURLE_COULDNT_RESOLVE_HOST, "not-sent", RETRY_ANY},
  {"network", NULL, 0, CURLE_COULDNT_CONNECT, "not-sent", RETRY_ANY},
  /* the server may have acted on what it received */
  {"network", NULL, 0, 0, "network", RETRY_IDEMPOTENT},
  {"timeout", NULL, 0, 0, "network", RETRY_IDEMPOTENT},
};

/* The integer at idx, or -1 for anything else (a cast never sees NaN or a
 * value an int cannot hold). */
static int small_int(lua_State *L, int idx) {
  lua_Number v = lua_type(L, idx) == LUA_TNUMBER ? lua_tonumber(L, idx) : -1;
  return v >= 0 && v <= 100000 && v == floor(v) ? (int)v : -1;
}

/* Classifies the table at idx. Returns the reason (the kind itself when no
 * rule matched, a fixed text for a value that is no error) and sets *scope. */
static const char *classify(lua_State *L, int idx, int *scope) {
  const char *kind, *code, *reason = "not an hwcloud error";
  int status, curl_code;
  size_t i;
  *scope = RETRY_NO;
  if (lua_type(L, idx) != LUA_TTABLE) return reason;
  idx = lua_absindex(L, idx);
  lua_getfield(L, idx, "kind");
  lua_getfield(L, idx, "code");
  lua_getfield(L, idx, "status");
  lua_getfield(L, idx, "curl_code");
  kind = lua_type(L, -4) == LUA_TSTRING ? lua_tostring(L, -4) : NULL;
  code = lua_type(L, -3) == LUA_TSTRING ? lua_tostring(L, -3) : NULL;
  status = small_int(L, -2);
  curl_code = small_int(L, -1);
  if (kind) {
    reason = kind; /* a string the table anchors: valid after the pop below */
    for (i = 0; i < sizeof retry_rules / sizeof retry_rules[0]; i++) {
      const struct retry_rule *r = &retry_rules[i];
      if (strcmp(r->kind, kind) || (r->code && (!code || strcmp(r->code, code))) ||
          (r->status && r->status != status) || (r->curl_code && r->curl_code != curl_code))
        continue;
      reason = r->reason;
      *scope = r->scope;
      break;
    }
  }
  lua_pop(L, 4);
  return reason;
}

/* Sets `retryable` of the error at -1 from the classification. */
void hwc_error_classify(lua_State *L) {
  int scope;
  classify(L, -1, &scope);
  hwc_error_setbool(L, "retryable", scope != RETRY_NO);
}

/* core.classify(err) -> retryable, reason, nothing_done: whether an
 * idempotent request that failed with err may be tried again, why (a stable
 * name: "throttled", "server", "not-sent", "network"; else why not:
 * "client error", "body too large", the kind, "not an hwcloud error"), and
 * whether nothing was done (throttled, not sent), so any method may be
 * repeated. */
int hwc_classify(lua_State *L) {
  int scope;
  const char *reason = classify(L, 1, &scope);
  lua_pushboolean(L, scope != RETRY_NO);
  lua_pushstring(L, reason);
  lua_pushboolean(L, scope == RETRY_ANY);
  return 3;
}

/* ---- the one transport failure ----
 * A transfer that failed without an HTTP answer gives the same error on
 * every transport: the libcurl session passes its CURLcode, the cosocket
 * transport the code of the equivalent failure (core.transport_error). The
 * text names the failure and host[:port] only: libcurl's own words (timings,
 * byte counts) have no cosocket equivalent. The first row matching the code
 * name, else the curl code, wins. */
static const struct failure_text {
  const char *code; /* the error's code when given, NULL: match curl_code */
  int curl_code;
  const char *kind, *text; /* text: "%s" is host[:port] */
} failure_texts[] = {
  {"BodyTooLarge", 0, "network", "the response body is larger than max_body_bytes"},
  {"HeadersTooLarge", 0, "network", "the response headers from %s are too large (a line over 102400 bytes"
                                    " or 307200 bytes in all)"},
  {NULL, CURLE_COULDNT_RESOLVE_PROXY, "network", "could not resolve the proxy for %s"},
  {NULL, CURLE_COULDNT_RESOLVE_HOST, "network", "could not resolve host %s"},
  {NULL, CURLE_COULDNT_CONNECT, "network", "could not connect to %s"},
  {NULL, CURLE_OPERATION_TIMEDOUT, "timeout", "the request to %s timed out"},
  {NULL, CURLE_GOT_NOTHING, "network", "%s closed the connection without an answer"},
  {NULL, CURLE_PARTIAL_FILE, "network", "%s closed the connection before the whole answer arrived"},
  {NULL, CURLE_WEIRD_SERVER_REPLY, "network", "%s did not answer in HTTP"},
  {NULL, CURLE_SEND_ERROR, "network", "sending the request to %s failed"},
  {NULL, CURLE_RECV_ERROR, "network", "receiving the answer from %s failed"},
  {NULL, CURLE_PEER_FAILED_VERIFICATION, "tls", "the TLS certificate of %s could not be verified"},
  {NULL, CURLE_SSL_CONNECT_ERROR, "tls", "the TLS handshake with %s failed"},
};

static const char *failure_code(const char *kind) {
  if (!strcmp(kind, "timeout")) return "Timeout";
  if (!strcmp(kind, "tls")) return "TLSError";
  return "ConnectionError";
}

/* Pushes the error of a failed transfer (not raised): kind, class, code,
 * message, curl_code, retryable, method and url (no user:password@). code
 * is NULL or "BodyTooLarge" / "HeadersTooLarge"; reason is what the system
 * said of a refused connect ("connection refused"), shown for curl code 7
 * only (libcurl has no words of the system for the other failures);
 * max_body is the limit a BodyTooLarge passed; tls tells an unlisted code's
 * kind. */
void hwc_transport_error(lua_State *L, const hwc_failure *f) {
  const struct failure_text *t = NULL;
  const char *kind;
  hwc_url u;
  size_t i;
  luaL_checkstack(L, 8, NULL);
  for (i = 0; i < sizeof failure_texts / sizeof failure_texts[0] && !t; i++) {
    const struct failure_text *r = &failure_texts[i];
    if (r->code ? (f->code && !strcmp(r->code, f->code)) : r->curl_code == f->curl_code) t = r;
  }
  kind = t ? t->kind : f->tls ? "tls" : "network";
  /* host[:port]: the authority without user:password@ */
  if (f->url && hwc_url_parse(f->url, &u)) lua_pushlstring(L, u.host, (size_t)(u.path - u.host));
  else lua_pushstring(L, f->url ? f->url : "?");
  if (t) {
    lua_pushfstring(L, t->text, lua_tostring(L, -1));
  } else {
    lua_pushfstring(L, "the request to %s failed: %s", lua_tostring(L, -1),
                    curl_easy_strerror((CURLcode)f->curl_code));
  }
  if (f->code && !strcmp(f->code, "BodyTooLarge")) {
    char n[40];
    hwc_number_text(f->max_body, n, sizeof n);
    lua_pushfstring(L, " (%s bytes)", n);
    lua_concat(L, 2);
  } else if (f->curl_code == CURLE_COULDNT_CONNECT && f->reason && *f->reason) {
    lua_pushfstring(L, ": %s", f->reason);
    lua_concat(L, 2);
  }
  /* stack: authority, message */
  hwc_error_new(L, kind, !strcmp(kind, "timeout") ? "RequestTimeoutException" : "ConnectionException",
                lua_tostring(L, -1));
  lua_replace(L, -3);
  lua_pop(L, 1);
  hwc_error_setstr(L, "code", f->code ? f->code : failure_code(kind));
  hwc_error_setint(L, "curl_code", (long long)f->curl_code);
  hwc_error_classify(L);
  hwc_error_setstr(L, "method", f->method);
  if (f->url) {
    hwc_push_clean_url(L, f->url);
    lua_setfield(L, -2, "url");
  }
}

/* core.transport_error{curl_code=, code=, reason=, method=, url=,
 * max_body_bytes=} -> the error session:send raises for that failure (not
 * raised), for transports other than libcurl. */
int hwc_transport_error_make(lua_State *L) {
  static const char *const fn = "hwcloud.core.transport_error";
  hwc_failure f;
  memset(&f, 0, sizeof f);
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  lua_getfield(L, 1, "curl_code");
  f.curl_code = (int)hwc_check_number(L, -1, fn, "'curl_code'", 1, 999, 1);
  lua_getfield(L, 1, "code");
  f.code = lua_tostring(L, -1);
  if (f.code && strcmp(f.code, "BodyTooLarge") && strcmp(f.code, "HeadersTooLarge"))
    hwc_argerror(L, fn, "'code' must be BodyTooLarge or HeadersTooLarge");
  lua_getfield(L, 1, "reason");
  f.reason = lua_tostring(L, -1);
  lua_getfield(L, 1, "method");
  f.method = lua_tostring(L, -1);
  lua_getfield(L, 1, "url");
  f.url = lua_tostring(L, -1);
  lua_getfield(L, 1, "max_body_bytes");
  if (!lua_isnil(L, -1)) f.max_body = (double)hwc_check_number(L, -1, fn, "'max_body_bytes'", 0, 9e15, 1);
  lua_getfield(L, 1, "tls");
  f.tls = lua_toboolean(L, -1);
  hwc_transport_error(L, &f); /* the strings stay anchored in slots 2-9 */
  return 1;
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

/* Reads the number at idx for fn: raises an argument error naming fn and
 * what when the value is not a number, is NaN, lies outside [lo, hi] or,
 * with integral, has a fraction. Callers cast only what this returned, so a
 * cast never sees NaN or a value its type cannot hold. */
lua_Number hwc_check_number(lua_State *L, int idx, const char *fn, const char *what,
                            lua_Number lo, lua_Number hi, int integral) {
  lua_Number v = lua_type(L, idx) == LUA_TNUMBER ? lua_tonumber(L, idx) : 0;
  if (lua_type(L, idx) != LUA_TNUMBER || !(v >= lo && v <= hi) || (integral && v != floor(v))) {
    char got[40], from[40], to[40];
    if (lua_type(L, idx) == LUA_TNUMBER) hwc_number_text((double)v, got, sizeof got);
    else snprintf(got, sizeof got, "%s", luaL_typename(L, idx));
    hwc_number_text((double)lo, from, sizeof from);
    hwc_number_text((double)hi, to, sizeof to);
    hwc_argerror(L, fn, "%s must be %s from %s to %s (got %s)", what,
                 integral ? "an integer" : "a number", from, to, got);
  }
  return v;
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
        char tmp[64];
        hwc_number_at(L, -1, tmp, sizeof tmp);
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

/* What tostring(err) keeps of each field: a server chooses the code and the
 * message, so the one line stays short whatever it sent. */
#define CAP_KIND 32
#define CAP_CODE 128
#define CAP_MESSAGE 512
#define CAP_METHOD 16
#define CAP_URL 512
#define CAP_REQUEST_ID 128

/* Adds at most cap bytes of s, control bytes as spaces (one line), and when s
 * is longer a visible "...(+N bytes)" marker; the cut never splits a UTF-8
 * sequence. Adds bytes only: pushes nothing while the buffer is open. */
static void add_capped(luaL_Buffer *b, const char *s, size_t n, size_t cap) {
  size_t i, keep = n;
  if (n > cap) {
    keep = cap;
    while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80) keep--;
  }
  for (i = 0; i < keep; i++) {
    unsigned char c = (unsigned char)s[i];
    luaL_addchar(b, (c < 0x20 || c == 0x7f) ? ' ' : (char)c);
  }
  if (keep < n) {
    char marker[48];
    snprintf(marker, sizeof marker, "...(+%lu bytes)", (unsigned long)(n - keep));
    luaL_addstring(b, marker);
  }
}

/* tostring(err): "hwcloud http error 404 RF.0001: message [GET url] after 3
 * attempts (request id ...)". Every field is read onto the stack (slots 2 to
 * 9) before the buffer opens: a luaL_Buffer must stay on top while it is
 * open (Lua 5.4 keeps its storage there), so nothing is pushed after
 * luaL_buffinit but what luaL_addchar/luaL_addstring push themselves. */
static int error_tostring(lua_State *L) {
  static const char *const fields[] = {"kind", "status", "code", "message", "method", "url",
                                       "attempts", "request_id"};
  enum { KIND = 2, STATUS, CODE, MESSAGE, METHOD, URL, ATTEMPTS, REQUEST_ID };
  const char *str[REQUEST_ID + 1] = {NULL};
  size_t len[REQUEST_ID + 1] = {0};
  char num[64];
  int i;
  luaL_Buffer b;
  lua_settop(L, 1);
  luaL_checkstack(L, 12, NULL);
  for (i = KIND; i <= REQUEST_ID; i++) {
    lua_getfield(L, 1, fields[i - KIND]);
    /* strings only: lua_tolstring would turn a number slot into a string */
    if (lua_type(L, i) == LUA_TSTRING) str[i] = lua_tolstring(L, i, &len[i]);
  }
  luaL_buffinit(L, &b);
  luaL_addstring(&b, "hwcloud ");
  if (str[KIND]) add_capped(&b, str[KIND], len[KIND], CAP_KIND);
  else luaL_addstring(&b, "unknown");
  luaL_addstring(&b, " error");
  if (lua_type(L, STATUS) == LUA_TNUMBER) {
    hwc_number_at(L, STATUS, num, sizeof num);
    luaL_addchar(&b, ' ');
    luaL_addstring(&b, num);
  }
  if (str[CODE] || lua_type(L, CODE) == LUA_TNUMBER) {
    luaL_addchar(&b, ' ');
    if (str[CODE]) add_capped(&b, str[CODE], len[CODE], CAP_CODE);
    else { hwc_number_at(L, CODE, num, sizeof num); luaL_addstring(&b, num); }
  }
  if (str[MESSAGE]) {
    luaL_addstring(&b, ": ");
    add_capped(&b, str[MESSAGE], len[MESSAGE], CAP_MESSAGE);
  }
  if (str[METHOD] && str[URL]) {
    luaL_addstring(&b, " [");
    add_capped(&b, str[METHOD], len[METHOD], CAP_METHOD);
    luaL_addchar(&b, ' ');
    add_capped(&b, str[URL], len[URL], CAP_URL);
    luaL_addchar(&b, ']');
  }
  if (lua_type(L, ATTEMPTS) == LUA_TNUMBER && lua_tonumber(L, ATTEMPTS) > 1) {
    hwc_number_at(L, ATTEMPTS, num, sizeof num);
    luaL_addstring(&b, " after ");
    luaL_addstring(&b, num);
    luaL_addstring(&b, " attempts");
  }
  if (str[REQUEST_ID]) {
    luaL_addstring(&b, " (request id ");
    add_capped(&b, str[REQUEST_ID], len[REQUEST_ID], CAP_REQUEST_ID);
    luaL_addchar(&b, ')');
  }
  luaL_pushresult(&b);
  return 1;
}

/* core.error(fields) -> a new error table (not raised); fields.kind defaults
 * to "http"; retryable is set by the classification. */
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
  luaL_setmetatable(L, HWC_ERROR_MT);
  hwc_error_classify(L); /* retryable follows the one rule, whatever was given */
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
