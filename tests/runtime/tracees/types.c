/* A C tracee for reading the traced program's data by its types:
 *   types [DELAY_MS]
 * waits DELAY_MS (default 300) so a tracer can attach, then calls each function below once with
 * the values their comments give, and exits. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct Point {
  int x;
  int y;
};

struct Line {
  struct Point a;
  struct Point b;
  char name[16];
  unsigned int flags : 3;
  int delta : 5; /* signed: -3 */
  int arr[4];
  short m[2][2];
};

union Value {
  long as_long;
  int as_int;
  unsigned char bytes[8];
};

struct Node {
  int value;
  const char *label;
  struct Node *next;
};

/* Larger than a BPF program's stack may hold for one value (816 bytes). */
struct Big {
  char name[16];
  int more[200];
};

struct Shape {
  int kind;
  union {
    struct Point center;
    long radius;
  };
  struct {
    short w, h;
  } size;
};

int g32 = -7;
short g16 = 300;
unsigned char g8 = 200;
long g64 = -1234567890123L;
int numbers[5] = {10, 20, 30, 40, 50};

__attribute__((noinline)) void draw(struct Line *l) {
  __asm__ volatile("" : : "r"(l) : "memory");
}

__attribute__((noinline)) void walk(struct Node *head) {
  __asm__ volatile("" : : "r"(head) : "memory");
}

__attribute__((noinline)) void value_of(union Value *v) {
  __asm__ volatile("" : : "r"(v) : "memory");
}

__attribute__((noinline)) void shape(struct Shape *s) {
  __asm__ volatile("" : : "r"(s) : "memory");
}

/* A struct passed by value: x86-64 puts its 8 bytes in one register. */
__attribute__((noinline)) int by_value(struct Point p) {
  __asm__ volatile("" : : "r"(p.x) : "memory");
  return p.x + p.y;
}

__attribute__((noinline)) void ints(int *xs, int n) {
  __asm__ volatile("" : : "r"(xs), "r"(n) : "memory");
}

__attribute__((noinline)) void big(struct Big *b) {
  __asm__ volatile("" : : "r"(b) : "memory");
}

int main(int argc, char **argv) {
  usleep((argc > 1 ? atoi(argv[1]) : 300) * 1000);
  struct Line l = {{1, 2}, {3, 4}, "hello", 5, -3, {1, 2, 3, 4}, {{5, 6}, {7, 8}}};
  draw(&l);
  /* The labels are on the stack: a string constant's page may never have been touched, and a
   * probe cannot fault it in. */
  char one[] = "one", two[] = "two", three[] = "three";
  struct Node third = {3, three, 0};
  struct Node second = {2, two, &third};
  struct Node first = {1, one, &second};
  walk(&first);
  union Value v;
  v.as_long = 0x0102030405060708L;
  value_of(&v);
  struct Shape s;
  memset(&s, 0, sizeof(s));
  s.kind = 1;
  s.center.x = 10;
  s.center.y = 20;
  s.size.w = 30;
  s.size.h = 40;
  shape(&s);
  struct Point p = {6, 7};
  by_value(p);
  ints(numbers, 5);
  struct Big b;
  memset(&b, 0, sizeof(b));
  strcpy(b.name, "big");
  for (int i = 0; i < 200; i++) b.more[i] = 3 * i; /* 0, 3, ..., 597 */
  big(&b);
  return 0;
}
