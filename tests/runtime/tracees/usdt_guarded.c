/* The part of the usdt tracee built with USDT semaphores: myprov:guarded fires only while a
 * tracer has its semaphore counted up. */
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

unsigned short myprov_guarded_semaphore __attribute__((unused, section(".probes")));

__attribute__((noinline)) int guarded(long i) {
  if (!__builtin_expect(myprov_guarded_semaphore, 0)) return 0;
  DTRACE_PROBE1(myprov, guarded, i);
  return 1;
}
