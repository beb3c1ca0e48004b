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

/* The machine's possible CPUs, for reading per-CPU aggregations in BPF; the runtime defines it
 * when it compiles the program. */
#ifndef UT_NR_CPUS
#define UT_NR_CPUS 64
#endif

/* A value the loader writes into the program (codegen/plan.h, LoadConstant): one 64-bit load
 * of a tagged immediate that the loader finds and replaces. */
#define UT_LOAD_CONSTANT(tagged_id) \
  ({ u64 ut_value_; asm volatile("%0 = " #tagged_id " ll" : "=r"(ut_value_)); ut_value_; })

/* The pid of the command given with -c. */
#define UT_CPID ((u32)UT_LOAD_CONSTANT(0x75746c6400000001))
/* bpf_ktime_get_boot_ns() when the program was loaded: elapsed counts from there. */
#define UT_START_NS UT_LOAD_CONSTANT(0x75746c6400000002)

/* Limits the runtime may set when it compiles the program (UTRACE_MAP_KEYS_MAX): entries per
 * map, and ring buffer pages (a power of two). */
#ifndef UT_MAP_KEYS_MAX
#define UT_MAP_KEYS_MAX 4096
#endif
#ifndef UT_RING_PAGES
#define UT_RING_PAGES 256
#endif

/* What buf() reads: up to 64 bytes of user memory and how many there are. */
struct ut_buffer {
  u64 length;
  u8 data[64];
};

/* ustack: the key of its frames in ut_stacks, the process, and at a function's first
 * instruction its return address, which older kernels' frame-pointer walk does not see yet. */
#define UT_MAX_STACK_FRAMES 127
struct ut_stack {
  u64 frames[UT_MAX_STACK_FRAMES];
};
struct ut_ustack {
  s64 id;
  u64 pid;
  u64 entry_caller;
};

/* usym(): an address and the process it is an address in. */
struct ut_usym {
  u64 addr;
  u64 pid;
};

/* strftime(): a CLOCK_BOOTTIME time in nanoseconds, and its format (ProgramPlan::formats). */
struct ut_timestamp {
  u64 ns;
  u64 format;
};

/* ntop(): an address family (AF_INET 2, AF_INET6 10) and the address, in network order. */
struct ut_inet {
  u64 af;
  u8 addr[16];
};

/* A map value that is a string. */
typedef char ut_string64[64];

/* Per-CPU values of aggregations (see codegen/aggregates.cpp). */
struct ut_avg {  /* avg() and stats() */
  s64 total;
  u64 count;
};
struct ut_minmax {  /* min() and max(): `set` tells a value from an empty slot */
  s64 value;
  u64 set;
};
struct ut_hist {  /* hist(): < 0, 0, 1, [2, 4), ... [2^62, 2^63) */
  u64 buckets[65];
};

static __always_inline u64 ut_hist_bucket(s64 v)
{
  if (v < 0)
    return 0;
  if (v == 0)
    return 1;
  u64 n = v;
  u32 log = 0;
  if (n >> 32) { n >>= 32; log += 32; }
  if (n >> 16) { n >>= 16; log += 16; }
  if (n >> 8) { n >>= 8; log += 8; }
  if (n >> 4) { n >>= 4; log += 4; }
  if (n >> 2) { n >>= 2; log += 2; }
  if (n >> 1) { log += 1; }
  return log + 2;
}

/* lhist(): bucket 0 below min, 1..full for [min + i*step, min + (i+1)*step), full + 1 above. */
static __always_inline u64 ut_lhist_bucket(s64 v, s64 min, s64 step, u64 full)
{
  if (v < min)
    return 0;
  u64 i = ((u64)v - (u64)min) / (u64)step;
  return i >= full ? full + 1 : i + 1;
}

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

/* A Go string (`len` bytes at `ptr`, with no NUL of its own) as a C string in dst[64], which
 * starts zeroed: its first 63 bytes at most (codegen's kMapStringSize). */
static __always_inline void ut_go_string(char *dst, u64 ptr, u64 len)
{
  if (len > 63)
    len = 63;
  bpf_probe_read_user(dst, len & 63, (void *)ptr);
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

/* 1 when the n bytes at a and b are the same (arrays and structs compared with ==). */
static __always_inline int ut_bytes_equal(const void *a, const void *b, u32 n)
{
  const u8 *x = a, *y = b;
  for (u32 i = 0; i < n; i++) {
    if (x[i] != y[i])
      return 0;
  }
  return 1;
}

/* 1 when `needle` (of at most nn bytes with its NUL) occurs in `hay` (hn bytes). */
static __always_inline int ut_strcontains(const char *hay, u32 hn, const char *needle, u32 nn)
{
  if (needle[0] == 0)
    return 1;
  for (u32 start = 0; start < hn; start++) {
    if (hay[start] == 0)
      return 0;
    for (u32 j = 0; j < nn && start + j < hn; j++) {
      if (needle[j] == 0)
        return 1;
      if (hay[start + j] != needle[j])
        break;
    }
  }
  return 0;
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
