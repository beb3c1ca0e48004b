
struct key_ { struct ut_inet f0; };
BPF_PERCPU_HASH(map_, struct key_, u64, UT_MAP_KEYS_MAX);  /* @ */
BPF_RINGBUF_OUTPUT(events, UT_RING_PAGES);
BPF_PERCPU_ARRAY(ut_counters, u64, 2);
#define UT_MAP_map_ ((void *)bpf_pseudo_fd(1, -1))

/* Counts what BPF had to drop: [0] events, [1 + i] updates of map i when it was full. */
static __always_inline void ut_count(u32 i)
{
  u64 *c = ut_counters.lookup(&i);
  if (c)
    *c += 1;
}

struct event_0 { u64 id; struct ut_timestamp f0; struct ut_inet f1; };
struct event_1 { u64 id; u64 f0; };

/* stdin:1  uprobe:/bin/sh:main */
int probe_0(struct pt_regs *ctx)
{
  u64 zero_key = 0;
  /* stdin:1  printf("%s %s\n", strftime("%H:%M:%S.%f", nsecs), ntop(0x0100007f)) */
  {
    struct ut_timestamp v0 = {};
    v0.ns = (u64)(bpf_ktime_get_boot_ns());
    v0.format = 0;
    struct ut_inet v1 = {};
    u32 v2 = 0;
    v2 = (u32)(16777343);
    __builtin_memcpy(v1.addr, &v2, 4);
    v1.af = 2;
    struct event_0 *e3 = events.ringbuf_reserve(sizeof(*e3));
    if (e3) {
      e3->id = 0;
      e3->f0 = v0;
      e3->f1 = v1;
      events.ringbuf_submit(e3, 0);
    } else {
      ut_count(0);  /* no room: counted as lost */
    }
  }
  /* stdin:1  @[ntop(10, buf(arg0, 16))] = count() */
  {
    struct ut_buffer v4 = {};
    v4.length = (u64)(16) < sizeof(v4.data) ? (u64)(16) : sizeof(v4.data);
    bpf_probe_read_user(v4.data, v4.length, (void *)((s64)PT_REGS_PARM1(ctx)));
    struct ut_inet v5 = {};
    if (v4.length == 16) {
      __builtin_memcpy(v5.addr, v4.data, 16);
    } else {
      __builtin_memcpy(v5.addr, v4.data, 4);
    }
    v5.af = (u64)(10);
    struct key_ k6 = {};
    k6.f0 = v5;
    {
      u64 *p = map_.lookup(&k6);
      if (p) {
        *p += 1;
      } else {
        u64 init = 1;
        if (map_.update(&k6, &init))
          ut_count(1);
      }
    }
  }
  /* stdin:1  cat("/proc/%d/status", pid) */
  {
    struct event_1 *e7 = events.ringbuf_reserve(sizeof(*e7));
    if (e7) {
      e7->id = 1;
      e7->f0 = (u32)(bpf_get_current_pid_tgid() >> 32);
      events.ringbuf_submit(e7, 0);
    } else {
      ut_count(0);  /* no room: counted as lost */
    }
  }
  return 0;
}

