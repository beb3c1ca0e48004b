/* utrace's BPF-side helpers: the start of every generated program. */
#include <uapi/linux/ptrace.h>

/* The context of perf-event programs (interval, profile), as the kernel lays it out on x86-64.
 * Declared here because <uapi/linux/bpf_perf_event.h> pulls in kernel headers that cost BCC
 * about 650 ms of compiling. */
struct ut_perf_event_data {
  struct pt_regs regs;
  u64 sample_period;
  u64 addr;
};

/* Signed division and remainder with C's truncation toward zero. BPF has only unsigned
 * division, and x / 0 and x % 0 are 0 and x, as in BPF. */
static __always_inline s64 ut_sdiv(s64 a, s64 b)
{
  if (b == 0)
    return 0;
  u64 ua = a < 0 ? -(u64)a : (u64)a;
  u64 ub = b < 0 ? -(u64)b : (u64)b;
  u64 q = ua / ub;
  return (a < 0) != (b < 0) ? -(s64)q : (s64)q;
}

/* String equality as C's strcmp() == 0, over at most n bytes: n is the smaller array's size,
 * and that array always holds its NUL, so a longer string never compares equal. */
static __always_inline int ut_streq(const char *a, const char *b, u32 n)
{
  for (u32 i = 0; i < n; i++) {
    if (a[i] != b[i])
      return 0;
    if (a[i] == 0)
      return 1;
  }
  return 1;
}

static __always_inline s64 ut_smod(s64 a, s64 b)
{
  if (b == 0)
    return a;
  u64 ua = a < 0 ? -(u64)a : (u64)a;
  u64 ub = b < 0 ? -(u64)b : (u64)b;
  u64 r = ua % ub;
  return a < 0 ? -(s64)r : (s64)r;
}
