/* A C tracee for wildcard uprobes: several functions called known numbers of times.
 *   funcs N [DELAY_MS] [forever]
 * waits DELAY_MS (default 300) so a tracer can attach, then per round calls alpha_one once,
 * alpha_two twice, beta once, locked_add once and seven once, N rounds; with "forever" it goes on
 * with a round every 10 ms until killed. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

volatile long total;
volatile long sink;

__attribute__((noinline)) long alpha_one(long i) {
  total += i;
  return total;
}

__attribute__((noinline)) long alpha_two(long i) {
  total -= i;
  return total;
}

__attribute__((noinline)) long beta(long i) {
  total ^= i;
  return total;
}

/* Eight arguments: the last two are passed on the stack. */
__attribute__((noinline)) long seven(long a, long b, long c, long d, long e, long f, long g,
                                     long h) {
  sink = a + b + c + d + e + f + g + h;
  return sink;
}

/* Its first instruction is `lock`-prefixed: one uprobes cannot step over. */
__attribute__((naked, noinline)) void locked_add(long *counter) {
  (void)counter;
  __asm__("lock incq (%rdi)\n\tret");
}

static void round_of_calls(long i) {
  static long counter;
  alpha_one(i);
  alpha_two(i);
  alpha_two(i);
  beta(i);
  locked_add(&counter);
  seven(i, 1, 2, 3, 4, 5, 6, 7);
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 100;
  long delay_ms = argc > 2 ? atol(argv[2]) : 300;
  int forever = argc > 3 && strcmp(argv[3], "forever") == 0;
  usleep(delay_ms * 1000);
  for (long i = 0; i < n; ++i) round_of_calls(i);
  while (forever) {
    round_of_calls(0);
    usleep(10000);
  }
  return 0;
}
