/* The one reading of a request URL, for the signer (hwc_sign.c: host, path,
 * query) and the transport (hwc_http.c, hwc_response.c: the URL an error
 * shows). scheme://[userinfo@]host[:port]/path?query#fragment, RFC 3986
 * section 3; the userinfo ends at the last '@' of the authority, so no byte
 * of a password with an '@' in it is ever taken for the host (libcurl
 * refuses such a URL anyway). */
#include <string.h>
#include "hwc_internal.h"

int hwc_url_parse(const char *url, hwc_url *u) {
  const char *p = strstr(url, "://"), *at;
  memset(u, 0, sizeof *u);
  if (!p) return 0;
  u->authority = p + 3;
  u->path = u->authority + strcspn(u->authority, "/?#");
  u->host = u->authority;
  for (at = u->authority; at < u->path; at++)
    if (*at == '@') u->host = at + 1;
  u->path_end = u->path + strcspn(u->path, "?#");
  if (*u->path_end == '?') {
    u->query = u->path_end + 1;
    u->query_end = u->query + strcspn(u->query, "#");
  }
  return 1;
}

/* Pushes the URL without user:password@ (what errors show). */
void hwc_push_clean_url(lua_State *L, const char *url) {
  hwc_url u;
  if (!hwc_url_parse(url, &u) || u.host == u.authority) { lua_pushstring(L, url); return; }
  lua_pushlstring(L, url, (size_t)(u.authority - url));
  lua_pushstring(L, u.host);
  lua_concat(L, 2);
}
