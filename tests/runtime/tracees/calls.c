/* A C tracee for runtime tests: calls f(i) for i = 0 .. N-1 as fast as it can, then exits.
 *   calls N [DELAY_MS]   waits DELAY_MS (default 300) first, so a tracer can attach. */
#include <stdlib.h>
#include <unistd.h>

volatile long total;

__attribute__((noinline)) long f(long i) {
  total += i;
  return total;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 100;
  long delay_ms = argc > 2 ? atol(argv[2]) : 300;
  usleep(delay_ms * 1000);
  for (long i = 0; i < n; ++i) f(i);
  return 0;
}
