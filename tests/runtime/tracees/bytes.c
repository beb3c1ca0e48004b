/* A C tracee for runtime tests of buf() and ntop(): calls take(p, 8) once with eight known bytes
 * (text, a newline, NUL, control and high bytes), then take_address(p, n) with the IPv6 address
 * 2001:db8::1 (16 bytes) and the IPv4 address 10.1.2.3 (4 bytes), after a short wait so a tracer
 * can attach. */
#include <unistd.h>

__attribute__((noinline)) void take(const char *p, long n) {
  __asm__ volatile("" : : "r"(p), "r"(n) : "memory");
}

__attribute__((noinline)) void take_address(const unsigned char *p, long n) {
  __asm__ volatile("" : : "r"(p), "r"(n) : "memory");
}

int main(void) {
  /* On the stack, so the page is present: BPF cannot fault a page in to read it. */
  char bytes[8] = {'h', 'i', '\n', 0, 3, 'A', 0x7f, (char)0xff};
  unsigned char ipv6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  unsigned char ipv4[4] = {10, 1, 2, 3};
  usleep(100 * 1000);
  take(bytes, sizeof(bytes));
  take_address(ipv6, sizeof(ipv6));
  take_address(ipv4, sizeof(ipv4));
  return 0;
}
