/* The libFuzzer entry point shared by every fuzz target of hwcloud.core:
 * one real lua_State with the module loaded (luaopen_hwcloud_core, the same
 * entry point `require` uses, so the targets keep working whatever the core
 * does inside) runs the target's Lua script, which returns a function that
 * takes the input bytes and raises when an oracle fails. HWC_FUZZ_SCRIPT (the
 * script) and HWC_FUZZ_DIR (where its helpers are) come from CMakeLists.txt. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

int luaopen_hwcloud_core(lua_State *L);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The one state lives as long as the fuzzing process: libFuzzer calls the
 * entry point once per input, and loading the module per input would leave
 * nothing but set-up to measure. */
static lua_State *fuzz_L;

static int traceback(lua_State *L) {
  luaL_traceback(L, L, luaL_tolstring(L, 1, NULL), 1);
  return 1;
}

static void fail(const char *what) {
  fprintf(stderr, "hwcloud fuzz target %s: %s\n", HWC_FUZZ_SCRIPT, what);
  abort(); /* libFuzzer saves the input as a crash */
}

/* Leaves the traceback handler at 1 and the target function at 2. */
static void start(void) {
  lua_State *L = luaL_newstate();
  if (!L) fail("cannot create a Lua state");
  luaL_openlibs(L);
  luaL_requiref(L, "hwcloud.core", luaopen_hwcloud_core, 0);
  lua_pop(L, 1);
  lua_getglobal(L, "package");
  lua_pushstring(L, HWC_FUZZ_DIR "/?.lua;");
  lua_getfield(L, -2, "path");
  lua_concat(L, 2);
  lua_setfield(L, -2, "path");
  lua_pop(L, 1);
  lua_pushcfunction(L, traceback);
  if (luaL_loadfile(L, HWC_FUZZ_SCRIPT) != LUA_OK || lua_pcall(L, 0, 1, 1) != LUA_OK)
    fail(lua_tostring(L, -1));
  if (lua_type(L, 2) != LUA_TFUNCTION) fail("the script must return a function");
  fuzz_L = L;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lua_State *L;
  if (!fuzz_L) start();
  L = fuzz_L;
  lua_pushvalue(L, 2);
  lua_pushlstring(L, (const char *)data, size);
  if (lua_pcall(L, 1, 0, 1) != LUA_OK) fail(lua_tostring(L, -1));
  lua_settop(L, 2);
  /* free this input's garbage now: libFuzzer's leak check (which runs when an
   * input mallocs more than it frees) then sees only what C failed to free,
   * and a use after free of a collected object shows on the input that did it */
  lua_gc(L, LUA_GCCOLLECT, 0);
  return 0;
}
