// A C++ tracee for reading the traced program's data by its g++ DWARF types:
//   types_cpp [DELAY_MS]
// waits DELAY_MS (default 300) so a tracer can attach, then calls each function below once and
// exits. The classes sit in a namespace, one has a base class, and one function takes a
// reference.
#include <unistd.h>

#include <cstdlib>

namespace geo {

struct Base {
  long id;
};

class Widget : public Base {
 public:
  int w = 0;
  short h = 0;
  Widget *next = nullptr;
  const char *label = nullptr;
  int area() const { return w * h; }
};

struct Pair {
  int first;
  int second;
};

int total = 3;

// touch(&a): a = {id 1, w 3, h 4, label "first"}, a.next = &b = {id 2, w 5, h 6, "second"}.
__attribute__((noinline)) long touch(Widget *w) {
  __asm__ volatile("" : : "r"(w) : "memory");
  return w->id;
}

// by_ref(b).
__attribute__((noinline)) long by_ref(const Widget &w) {
  __asm__ volatile("" : : "r"(&w) : "memory");
  return w.area();
}

// pair_sum({8, 9}): 8 bytes by value, in one register.
__attribute__((noinline)) int pair_sum(Pair p) {
  __asm__ volatile("" : : "r"(p.first) : "memory");
  return p.first + p.second;
}

}  // namespace geo

int main(int argc, char **argv) {
  usleep(static_cast<useconds_t>((argc > 1 ? atoi(argv[1]) : 300) * 1000));
  // The labels are on the stack, for the reason types.c gives.
  char first[] = "first", second[] = "second";
  geo::Widget b;
  b.id = 2;
  b.w = 5;
  b.h = 6;
  b.label = second;
  geo::Widget a;
  a.id = 1;
  a.w = 3;
  a.h = 4;
  a.next = &b;
  a.label = first;
  long sum = geo::touch(&a) + geo::by_ref(b) + geo::pair_sum(geo::Pair{8, 9});
  return sum == -1;
}
