/* Declarations shared by the C files of hwcloud.core. Every symbol here is
 * hidden (the module is built with -fvisibility=hidden); only luaopen_hwcloud_core
 * is exported. */
#ifndef HWC_INTERNAL_H
#define HWC_INTERNAL_H

#include <stddef.h>
#include <curl/curl.h>
#include "hwc_compat.h"

#define HWC_VERSION "0.1.0"

/* The one exported symbol (luaopen_hwcloud_core); everything else is hidden
 * by -fvisibility=hidden (CMake's C_VISIBILITY_PRESET). */
#if defined(_WIN32)
#define HWC_EXPORT __declspec(dllexport)
#elif defined(__GNUC__)
#define HWC_EXPORT __attribute__((visibility("default")))
#else
#define HWC_EXPORT
#endif

/* hwc_core.c: helpers every class shares */
void hwc_check_options(lua_State *L, int idx, const char *fn, const char *const known[]);
void hwc_new_class(lua_State *L, const char *name, const luaL_Reg *methods, lua_CFunction close,
                   lua_CFunction tostring);

/* A growable byte buffer. hwc_buf_push() puts one on the Lua stack as a
 * userdata whose __gc frees the bytes, so a raise never leaks it. */
typedef struct hwc_buf {
  char *data;
  size_t len, cap;
  int oom; /* an allocation failed: the content is incomplete */
} hwc_buf;

hwc_buf *hwc_buf_push(lua_State *L);
void hwc_buf_init(hwc_buf *b);
void hwc_buf_free(hwc_buf *b);
void hwc_buf_add(hwc_buf *b, const char *s, size_t n);
void hwc_buf_adds(hwc_buf *b, const char *s);
void hwc_buf_addc(hwc_buf *b, char c);
void hwc_buf_reset(hwc_buf *b);
void hwc_buf_reserve(hwc_buf *b, size_t n); /* room for n more bytes (sets oom on failure) */
void hwc_buf_check(lua_State *L, hwc_buf *b); /* raises "out of memory" when b->oom */

/* hwc_sign.c */
void hwc_sign_open(lua_State *L);
void hwc_hex(const unsigned char *in, size_t n, char *out); /* out: 2n+1 */

/* hwc_json.c: registry keys and the codec */
/* The deepest JSON both directions take: 1000 nested arrays or objects (the
 * top-level one is level 1), lua-cjson's default decode_max_depth. */
#define HWC_JSON_MAX_DEPTH 1000
extern const char hwc_array_mt_key; /* address is the registry key of the array metatable */
void hwc_json_open(lua_State *L);   /* needs the module table at -1 */
int hwc_encode(lua_State *L);
/* The one number-to-text rule (JSON, error lines, header values): an
 * integer exactly, an integral double below 1e15 without a fraction, else the
 * shortest %g that reads back as d; "nan" for NaN. */
void hwc_number_text(double d, char *out, size_t n);
void hwc_number_at(lua_State *L, int idx, char *out, size_t n); /* the number at idx */
int hwc_array(lua_State *L);
int hwc_is_array(lua_State *L);

/* hwc_decode.c: s[n] must be '\0' (Lua strings are); pushes the value, or
 * returns 0 with the message (ending "at offset N") pushed */
int hwc_json_decode_string(lua_State *L, const char *s, size_t n);
int hwc_decode(lua_State *L);

/* hwc_error.c */
#define HWC_ERROR_MT "hwcloud.Error"
void hwc_error_open(lua_State *L);
void hwc_error_new(lua_State *L, const char *kind, const char *klass, const char *message);
void hwc_error_setstr(lua_State *L, const char *field, const char *value);
void hwc_error_setint(lua_State *L, const char *field, long long value);
void hwc_error_setbool(lua_State *L, const char *field, int value);
void hwc_error_from_body(lua_State *L, int status, const char *body, size_t n, int decoded_idx);
int hwc_error_make(lua_State *L);
void hwc_error_classify(lua_State *L); /* sets retryable of the error at -1 */
int hwc_classify(lua_State *L);
int hwc_is_error(lua_State *L);
/* A transfer that failed without an HTTP answer (hwc_transport_error) */
typedef struct hwc_failure {
  int curl_code;
  const char *code;   /* NULL, "BodyTooLarge" or "HeadersTooLarge" */
  const char *reason; /* the system's words for a failed connect, or NULL */
  const char *method, *url;
  double max_body;    /* the max_body_bytes of a BodyTooLarge */
  int tls;            /* a TLS failure (tells the kind of a code without a text) */
  const char *detail; /* the transport's own words (libcurl's error buffer), or NULL */
} hwc_failure;
void hwc_transport_error(lua_State *L, const hwc_failure *f); /* pushes the error */
int hwc_transport_error_make(lua_State *L);
int hwc_argerror(lua_State *L, const char *fn, const char *fmt, ...);
/* The Lua hook as a wait began. A signal handler that changes it asks the
 * program to stop: the lua5.4 and luajit interpreters' Ctrl-C sets a hook
 * raising "interrupted!" at the next instruction (lua.c's laction). A hook
 * the program set itself and left as it was asks nothing. */
typedef struct hwc_hook_mark {
  lua_State *L;
  lua_Hook hook;
  int mask, count;
} hwc_hook_mark;
void hwc_hook_mark_set(lua_State *L, hwc_hook_mark *m);
int hwc_stop_asked(const hwc_hook_mark *m); /* whether the hook changed since */
lua_Number hwc_check_number(lua_State *L, int idx, const char *fn, const char *what,
                            lua_Number lo, lua_Number hi, int integral);

/* hwc_url.c: the pieces of scheme://[userinfo@]host[:port]/path?query#fragment
 * as pointers into the URL (authority includes the userinfo, host does not;
 * query is NULL without a '?'). Returns 0 when there is no "://". */
typedef struct hwc_url {
  const char *authority, *host, *path, *path_end, *query, *query_end;
} hwc_url;
int hwc_url_parse(const char *url, hwc_url *u);
void hwc_push_clean_url(lua_State *L, const char *url);

/* hwc_response.c: the response and the error of an answer, for every transport */
void hwc_headers_open(lua_State *L);
void hwc_push_headers(lua_State *L, const char *raw, size_t n); /* pushes headers, then header_list */
int hwc_response_finish(lua_State *L, int resp, int status, const char *method, const char *url);
void hwc_push_http_error(lua_State *L, int status, int raw_idx, int decoded_idx, int rid_idx,
                         int headers_idx, const char *method, const char *url);
int hwc_response(lua_State *L);
/* f(the nargs values on top) -> its one result, with Lua 5.4's collector
 * paused during f when size (bytes to build from) is large; raises f's error */
int hwc_call_gc_paused(lua_State *L, lua_CFunction f, int nargs, size_t size);
int hwc_http_error(lua_State *L);

/* hwc_http.c */
void hwc_http_open(lua_State *L);
int hwc_session_new(lua_State *L);
int hwc_check_request(lua_State *L);
void hwc_check_line(lua_State *L, const char *fn, const char *what, const char *name, const char *s,
                    size_t n); /* what: a format with one %s for name */
/* A session (hwcloud.Session userdata) and one send in two halves, so the
 * multi (hwc_multi.c) drives the same transfer session:send performs. */
#define HWC_METHOD_MAX 16
typedef struct hwc_session hwc_session;
hwc_session *hwc_session_check(lua_State *L, int idx); /* raises when not an open session */
CURL *hwc_session_easy(hwc_session *s);
void hwc_session_share(hwc_session *s, CURLSH *share);
CURLSH *hwc_share_new(int connections);
void hwc_session_prepare(lua_State *L, hwc_session *s, int req, char method[HWC_METHOD_MAX],
                         const char **url);
int hwc_session_finish(lua_State *L, hwc_session *s, CURLcode rc, const char *method, const char *url);

/* hwc_multi.c: core.multi and the hwcloud.Multi metatable (module table at -1) */
void hwc_multi_open(lua_State *L);

#endif
