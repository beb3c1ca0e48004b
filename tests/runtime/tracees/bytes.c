/* A C tracee for runtime tests of buf(): calls take(p, 8) once with eight known bytes (text, a
 * newline, NUL, control and high bytes), after a short wait so a tracer can attach. */
#include <unistd.h>

__attribute__((noinline)) void take(const char *p, long n) {
  __asm__ volatile("" : : "r"(p), "r"(n) : "memory");
}

int main(void) {
  /* On the stack, so the page is present: BPF cannot fault a page in to read it. */
  char bytes[8] = {'h', 'i', '\n', 0, 3, 'A', 0x7f, (char)0xff};
  usleep(100 * 1000);
  take(bytes, sizeof(bytes));
  return 0;
}
