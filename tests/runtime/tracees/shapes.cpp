// A C++ tracee: overloaded member functions in a namespace, for uprobes by demangled name.
//   shapes N [DELAY_MS]   waits DELAY_MS (default 300), then calls each function N times.
#include <unistd.h>

#include <cstdlib>

namespace geo {

struct Widget {
  long pokes = 0;
  __attribute__((noinline)) long poke(int x) { return pokes += x; }
  __attribute__((noinline)) long poke(double x) { return pokes += static_cast<long>(x); }
};

__attribute__((noinline)) long area(long w, long h) {
  return w * h;
}

}  // namespace geo

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 100;
  long delay_ms = argc > 2 ? atol(argv[2]) : 300;
  usleep(static_cast<useconds_t>(delay_ms * 1000));
  geo::Widget w;
  long sum = 0;
  for (long i = 0; i < n; ++i) sum += w.poke(1) + w.poke(2.0) + geo::area(i, 2);
  return sum == -1;
}
