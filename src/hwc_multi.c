/* The multi transport: many sessions' transfers at once on one libcurl multi
 * handle, driven by one loop in Lua (hwcloud.scheduler). multi:add(session,
 * request) starts a transfer prepared exactly as session:send prepares it
 * (hwc_session_prepare) and returns its id; multi:perform(timeout) moves every
 * transfer on (curl_multi_perform, curl_multi_poll) and returns the ids that
 * ended; multi:take(id) builds the response or raises the error exactly as
 * session:send does (hwc_session_finish). Connections live in the multi's
 * pool (bounded per host by CURLMOPT_MAX_HOST_CONNECTIONS) and are reused
 * across sessions; DNS and TLS sessions are shared through one share handle.
 * libcurl never calls back into Lua: the session's callbacks only fill its
 * buffers. While a transfer runs, the multi's anchor table (in the registry)
 * holds {transfer, session, request, url} under its id, so nothing libcurl
 * reads can be collected; every exit (take, cancel, close, __gc) removes the
 * easy handle from the multi and detaches it from the share first. */
#include <errno.h>
#include <string.h>
#include <curl/curl.h>
#include "hwc_internal.h"

#define MULTI_MT "hwcloud.Multi"
#define MULTI_FN "hwcloud.core.multi" /* the name argument errors give */
#define DEFAULT_HOST_CONNECTIONS 16
#define MAX_POLL_MS 86400000L

typedef struct {
  CURLM *multi;
  CURLSH *share;
  int anchors;   /* registry reference of the anchor table, LUA_NOREF when closed */
  lua_Integer next_id;
  int running;   /* transfers added and not yet taken or cancelled */
  int closed;
} hwc_multi;

/* One transfer; a userdata without a metatable, owned by its anchor entry. */
typedef struct {
  hwc_session *session;
  lua_Integer id;
  int done;
  CURLcode rc;
  char method[HWC_METHOD_MAX];
} hwc_transfer;

/* anchor entry slots */
enum { SLOT_TRANSFER = 1, SLOT_SESSION, SLOT_REQUEST, SLOT_URL };

static hwc_multi *check_multi(lua_State *L) {
  hwc_multi *m = (hwc_multi *)luaL_checkudata(L, 1, MULTI_MT);
  if (m->closed) hwc_argerror(L, "hwcloud.core multi", "the multi is closed");
  return m;
}

/* Takes the easy handle of a transfer out of the multi and off the share
 * (a session outlives its transfer; the share must not outlive it in use). */
static void detach(hwc_multi *m, hwc_transfer *t) {
  CURL *easy = hwc_session_easy(t->session); /* NULL once the session is closed */
  if (!easy) return;
  if (!t->done) curl_multi_remove_handle(m->multi, easy);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
  hwc_session_share(t->session, NULL);
}

static void multi_free(lua_State *L, hwc_multi *m) {
  if (m->anchors != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, m->anchors);
    lua_pushnil(L);
    while (lua_next(L, -2)) {
      lua_rawgeti(L, -1, SLOT_TRANSFER);
      detach(m, (hwc_transfer *)lua_touserdata(L, -1));
      lua_pop(L, 2);
    }
    lua_pop(L, 1);
    luaL_unref(L, LUA_REGISTRYINDEX, m->anchors);
    m->anchors = LUA_NOREF;
  }
  if (m->multi) { curl_multi_cleanup(m->multi); m->multi = NULL; }
  if (m->share) { curl_share_cleanup(m->share); m->share = NULL; }
  m->running = 0;
  m->closed = 1;
}

/* multi:close(): cancels every transfer still running; idempotent (also __gc, __close) */
static int multi_close(lua_State *L) {
  hwc_multi *m = (hwc_multi *)luaL_checkudata(L, 1, MULTI_MT);
  if (!m->closed) multi_free(L, m);
  return 0;
}

static int multi_tostring(lua_State *L) {
  hwc_multi *m = (hwc_multi *)luaL_checkudata(L, 1, MULTI_MT);
  lua_pushfstring(L, "hwcloud.Multi (%s, %d running) %p", m->closed ? "closed" : "open", m->running, (void *)m);
  return 1;
}

static long opt_count(lua_State *L, int opts, const char *name, long dflt) {
  long v = dflt;
  lua_getfield(L, opts, name);
  if (!lua_isnil(L, -1)) {
    lua_Number n = lua_type(L, -1) == LUA_TNUMBER ? lua_tonumber(L, -1) : -1;
    if (n < 1 || n > 100000 || n != (lua_Number)(long)n)
      hwc_argerror(L, MULTI_FN, "option '%s' must be an integer from 1 to 100000", name);
    v = (long)n;
  }
  lua_pop(L, 1);
  return v;
}

static const char *const known_options[] = {"max_host_connections", "max_connections", NULL};

/* core.multi{max_host_connections = 16, max_connections = nil} -> multi */
static int multi_new(lua_State *L) {
  hwc_multi *m;
  long per_host, total, cache;
  if (lua_isnoneornil(L, 1)) { lua_settop(L, 0); lua_newtable(L); }
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  hwc_check_options(L, 1, MULTI_FN, known_options);
  per_host = opt_count(L, 1, "max_host_connections", DEFAULT_HOST_CONNECTIONS);
  total = opt_count(L, 1, "max_connections", 0);
  m = (hwc_multi *)lua_newuserdatauv(L, sizeof *m, 0);
  memset(m, 0, sizeof *m);
  m->anchors = LUA_NOREF;
  m->closed = 1; /* until everything below succeeded: __gc then frees what exists */
  luaL_setmetatable(L, MULTI_MT);
  m->multi = curl_multi_init();
  m->share = hwc_share_new(0);
  if (!m->multi || !m->share) luaL_error(L, "hwcloud.core: cannot create a libcurl multi handle");
  curl_multi_setopt(m->multi, CURLMOPT_MAX_HOST_CONNECTIONS, per_host);
  if (total) curl_multi_setopt(m->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, total);
  /* keep every idle connection the bound allows, so the next transfer reuses one */
  cache = total ? total : per_host * 4;
  curl_multi_setopt(m->multi, CURLMOPT_MAXCONNECTS, cache);
  lua_newtable(L);
  m->anchors = luaL_ref(L, LUA_REGISTRYINDEX);
  m->closed = 0;
  return 1;
}

/* multi:add(session, request) -> id. The request is what session:send takes;
 * argument errors raise before anything is added. */
static int multi_add(lua_State *L) {
  hwc_multi *m = check_multi(L);
  hwc_session *s = hwc_session_check(L, 2);
  hwc_transfer *t;
  const char *url;
  CURL *easy = hwc_session_easy(s);
  CURLMcode mc;
  luaL_checktype(L, 3, LUA_TTABLE);
  lua_settop(L, 3);
  t = (hwc_transfer *)lua_newuserdatauv(L, sizeof *t, 0); /* 4 */
  memset(t, 0, sizeof *t);
  t->session = s;
  hwc_session_prepare(L, s, 3, t->method, &url); /* may raise (a busy session too): nothing added yet */
  lua_pushstring(L, url);                        /* 5: anchored, whatever happens to the request */
  hwc_session_share(s, m->share);
  curl_easy_setopt(easy, CURLOPT_PRIVATE, (void *)t);
  mc = curl_multi_add_handle(m->multi, easy);
  if (mc != CURLM_OK) {
    curl_easy_setopt(easy, CURLOPT_PRIVATE, NULL);
    hwc_session_share(s, NULL);
    return luaL_error(L, "hwcloud.core multi:add: %s", curl_multi_strerror(mc));
  }
  t->id = ++m->next_id;
  m->running++;
  lua_rawgeti(L, LUA_REGISTRYINDEX, m->anchors);
  lua_createtable(L, 4, 0);
  lua_pushvalue(L, 4); lua_rawseti(L, -2, SLOT_TRANSFER);
  lua_pushvalue(L, 2); lua_rawseti(L, -2, SLOT_SESSION);
  lua_pushvalue(L, 3); lua_rawseti(L, -2, SLOT_REQUEST);
  lua_pushvalue(L, 5); lua_rawseti(L, -2, SLOT_URL);
  lua_rawseti(L, -2, (int)t->id);
  lua_pushinteger(L, t->id);
  return 1;
}

/* Moves every ended transfer to done and appends its id to the table at -1. */
static int collect(hwc_multi *m, lua_State *L) {
  CURLMsg *msg;
  int left, n = 0;
  while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
    hwc_transfer *t = NULL;
    if (msg->msg != CURLMSG_DONE) continue;
    { char *p = NULL; curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &p); t = (hwc_transfer *)(void *)p; }
    if (!t) continue;
    t->rc = msg->data.result;
    curl_multi_remove_handle(m->multi, msg->easy_handle); /* the connection goes back to the pool */
    t->done = 1;
    lua_pushinteger(L, t->id);
    lua_rawseti(L, -2, (int)lua_rawlen(L, -2) + 1);
    n++;
  }
  return n;
}

/* multi:perform([timeout]) -> {id, ...} of the transfers that ended, running count.
 * Waits up to timeout seconds (default 0) for something to happen when
 * nothing ended yet; with no transfer it just waits (the loop's timers).
 * A signal ends the wait early (the interpreter's Ctrl-C hook then runs). */
static int multi_perform(lua_State *L) {
  hwc_multi *m = check_multi(L);
  lua_Number secs = luaL_optnumber(L, 2, 0);
  long ms = secs <= 0 ? 0 : secs * 1000 >= MAX_POLL_MS ? MAX_POLL_MS : (long)(secs * 1000 + 0.5);
  int still = 0;
  CURLMcode mc;
  lua_newtable(L);
  mc = curl_multi_perform(m->multi, &still);
  if (mc != CURLM_OK) return luaL_error(L, "hwcloud.core multi:perform: %s", curl_multi_strerror(mc));
  if (collect(m, L) == 0 && ms > 0) {
    mc = curl_multi_poll(m->multi, NULL, 0, (int)ms, NULL);
    if (mc != CURLM_OK && !(mc == CURLM_UNRECOVERABLE_POLL && errno == EINTR))
      return luaL_error(L, "hwcloud.core multi:perform: %s", curl_multi_strerror(mc));
    mc = curl_multi_perform(m->multi, &still);
    if (mc != CURLM_OK) return luaL_error(L, "hwcloud.core multi:perform: %s", curl_multi_strerror(mc));
    collect(m, L);
  }
  lua_pushinteger(L, m->running);
  return 2;
}

/* Pushes the anchor entry of id and removes it from the anchor table (the
 * entry on the stack keeps the session, request and URL alive meanwhile). */
static hwc_transfer *unanchor(lua_State *L, hwc_multi *m, lua_Integer id, const char *fn) {
  hwc_transfer *t;
  lua_rawgeti(L, LUA_REGISTRYINDEX, m->anchors);
  lua_rawgeti(L, -1, (int)id);
  if (!lua_istable(L, -1)) hwc_argerror(L, fn, "no transfer %d in this multi", (int)id);
  lua_pushnil(L);
  lua_rawseti(L, -3, (int)id);
  lua_remove(L, -2); /* entry */
  lua_rawgeti(L, -1, SLOT_TRANSFER);
  t = (hwc_transfer *)lua_touserdata(L, -1);
  lua_pop(L, 1);
  m->running--;
  return t;
}

/* multi:take(id) -> the response of an ended transfer, or raises its error
 * (exactly what session:send returns or raises). */
static int multi_take(lua_State *L) {
  hwc_multi *m = check_multi(L);
  lua_Integer id = luaL_checkinteger(L, 2);
  hwc_transfer *t;
  int entry;
  const char *url;
  lua_settop(L, 2);
  lua_rawgeti(L, LUA_REGISTRYINDEX, m->anchors);
  lua_rawgeti(L, -1, (int)id);
  if (lua_istable(L, -1)) {
    lua_rawgeti(L, -1, SLOT_TRANSFER);
    t = (hwc_transfer *)lua_touserdata(L, -1);
    if (!t->done) hwc_argerror(L, "multi:take", "transfer %d has not ended", (int)id);
  }
  lua_settop(L, 2);
  t = unanchor(L, m, id, "multi:take");
  entry = lua_gettop(L);
  detach(m, t);
  if (!hwc_session_easy(t->session)) hwc_argerror(L, "multi:take", "the session was closed during the transfer");
  lua_rawgeti(L, entry, SLOT_URL);
  url = lua_tostring(L, -1);
  return hwc_session_finish(L, t->session, t->rc, t->method, url);
}

/* multi:cancel(id): stops a transfer (ended or not) and forgets it; true if it existed. */
static int multi_cancel(lua_State *L) {
  hwc_multi *m = check_multi(L);
  lua_Integer id = luaL_checkinteger(L, 2);
  lua_rawgeti(L, LUA_REGISTRYINDEX, m->anchors);
  lua_rawgeti(L, -1, (int)id);
  if (!lua_istable(L, -1)) { lua_pushboolean(L, 0); return 1; }
  lua_settop(L, 2);
  detach(m, unanchor(L, m, id, "multi:cancel"));
  lua_pushboolean(L, 1);
  return 1;
}

/* multi:running() -> transfers added and not yet taken or cancelled */
static int multi_running(lua_State *L) {
  lua_pushinteger(L, check_multi(L)->running);
  return 1;
}

void hwc_multi_open(lua_State *L) {
  static const luaL_Reg methods[] = {
    {"add", multi_add},
    {"perform", multi_perform},
    {"take", multi_take},
    {"cancel", multi_cancel},
    {"running", multi_running},
    {"close", multi_close},
    {NULL, NULL}};
  lua_pushcfunction(L, multi_new);
  lua_setfield(L, -2, "multi");
  hwc_new_class(L, MULTI_MT, methods, multi_close, multi_tostring);
}
