
struct key_ { u64 f0; };
BPF_PERCPU_HASH(map_, struct key_, s64, UT_MAP_KEYS_MAX);  /* @ */
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

/* UT_USDT_PROBE_1(ctx): probe at every place of usdt:/bin/a:prov:tick, defined when the program is loaded */
/* UT_USDT_ARG_1_0(ctx): arg0 of usdt:/bin/a:prov:tick, defined when the program is loaded */
/* UT_USDT_ARG_1_1(ctx): arg1 of usdt:/bin/a:prov:tick, defined when the program is loaded */
/* UT_USDT_ARG_1_2(ctx): arg2 of usdt:/bin/a:prov:tick, defined when the program is loaded */

/* stdin:1  BEGIN */
int probe_0(struct bpf_raw_tracepoint_args *ctx)
{
  u64 zero_key = 0;
  return 0;
}

/* stdin:1  usdt:/bin/a:prov:tick */
int probe_1(struct pt_regs *ctx)
{
  u64 zero_key = 0;
  /* stdin:1  @[probe] = sum(arg0 + arg2) */
  {
    struct key_ k0 = {};
    k0.f0 = UT_USDT_PROBE_1(ctx);
    {
      s64 *p = map_.lookup(&k0);
      if (p) {
        *p += (s64)((s64)UT_USDT_ARG_1_0(ctx) + (s64)UT_USDT_ARG_1_2(ctx));
      } else {
        s64 init = (s64)((s64)UT_USDT_ARG_1_0(ctx) + (s64)UT_USDT_ARG_1_2(ctx));
        if (map_.update(&k0, &init))
          ut_count(1);
      }
    }
  }
  return 0;
}

