/* A C tracee with USDT probes (<sys/sdt.h>) for runtime tests.
 *   usdt N [DELAY_MS [PAUSE_MS]]
 * waits DELAY_MS (default 300) first, so a tracer can attach, then runs N rounds, i = 0 .. N-1,
 * PAUSE_MS (default 0) apart. Each round fires, in this order:
 *   myprov:tick(i, -i, c)     a long, an int and a char ('a' + i % 26), in registers;
 *   myprov:twice(2 * i, 5)    then myprov:twice(total, i), total = 7: one probe inlined in two
 *                             places, its arguments in other operands at each (a register, a
 *                             constant, a global variable);
 *   myprov:sizes(p)           p->x = 1000 * i, p->y = -i, p->z = -2 * i (memory), and the
 *                             unsigned constants 200 and 4000000000;
 *   myprov:element(a, i % 3)  a[i % 3] and a[i % 3 + 1] of {10, 20, 30, 40}: indexed memory;
 *   other:tick()              a second provider's `tick`: `usdt:BIN:tick` is ambiguous;
 *   myprov:guarded(i)         only while its semaphore is set (usdt_guarded.c): only when the
 *                             tracer's uprobe counts the semaphore up. */
#include <stdlib.h>
#include <sys/sdt.h>
#include <unistd.h>

int guarded(long i);

long total = 7;

struct point {
  long x;
  int y;
  short z;
};

static inline __attribute__((always_inline)) void twice(long a, int b) {
  DTRACE_PROBE2(myprov, twice, a, b);
}

__attribute__((noinline)) void sizes(struct point *p) {
  DTRACE_PROBE5(myprov, sizes, p->x, p->y, p->z, (unsigned char)200, (unsigned int)4000000000u);
}

__attribute__((noinline)) void element(long *a, long i) {
  DTRACE_PROBE2(myprov, element, a[i], a[i + 1]);
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 3;
  long delay_ms = argc > 2 ? atol(argv[2]) : 300;
  long pause_ms = argc > 3 ? atol(argv[3]) : 0;
  usleep(delay_ms * 1000);
  for (long i = 0; i < n; ++i) {
    if (pause_ms > 0 && i > 0) usleep(pause_ms * 1000);
    char c = (char)('a' + i % 26);
    DTRACE_PROBE3(myprov, tick, i, (int)-i, c);
    twice(2 * i, 5);
    twice(total, (int)i);
    struct point p = {i * 1000, (int)-i, (short)(-2 * i)};
    sizes(&p);
    long a[4] = {10, 20, 30, 40};
    element(a, i % 3);
    STAP_PROBE(other, tick);
    guarded(i);
  }
  return 0;
}
