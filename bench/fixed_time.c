/* Preloaded into the runs bench/bodies.lua counts under callgrind: time()
 * answers one fixed instant. Lua 5.4 seeds its string hashes with the time
 * (luai_makeseed), so from one second to the next the same run collides in
 * other table slots and its instruction count moves by about 2%; with the
 * seed fixed, two runs of the same code count the same. */
#include <time.h>

time_t time(time_t *t) {
  if (t) *t = 1700000000;
  return 1700000000;
}
