/* A C tracee for runtime tests: calls work(i) every millisecond, i = 0, 1, 2, ... forever.
 * Built with -O0 so that the call is never optimised away. */
#include <stdio.h>
#include <unistd.h>

volatile long total;

__attribute__((noinline)) long work(long i) {
  total += i;
  return total;
}

int main(void) {
  for (long i = 0;; ++i) {
    work(i);
    usleep(1000);
  }
  return 0;
}
