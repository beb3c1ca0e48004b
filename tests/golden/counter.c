
BPF_HASH(map_, u64, s64, UT_MAP_KEYS_MAX);  /* @ */
BPF_HASH(map_prev, u64, s64, UT_MAP_KEYS_MAX);  /* @prev */
BPF_RINGBUF_OUTPUT(events, UT_RING_PAGES);
BPF_PERCPU_ARRAY(ut_counters, u64, 3);

/* Counts what BPF had to drop: [0] events, [1 + i] updates of map i when it was full. */
static __always_inline void ut_count(u32 i)
{
  u64 *c = ut_counters.lookup(&i);
  if (c)
    *c += 1;
}

struct event_0 { u64 id; s64 f0; s64 f1; };

/* UT_SYM_0: the address of main.counter in /tmp/counter, defined when the program is loaded */

/* stdin:1  uprobe:/tmp/counter:main.doWork */
int probe_0(struct pt_regs *ctx)
{
  u64 zero_key = 0;
  /* stdin:1  @ = *uaddr("main.counter") */
  {
    s64 v0 = 0;
    bpf_probe_read_user(&v0, 8, (void *)((u64)UT_SYM_0));
    s64 v1 = v0;
    if (map_.update(&zero_key, &v1))
      ut_count(1);
  }
  return 0;
}

/* stdin:2  interval:s:1 */
int probe_1(struct ut_perf_event_data *ctx)
{
  u64 zero_key = 0;
  /* stdin:2  printf("counter: %d\t %d ops/sec\n", @, @-@prev) */
  {
    s64 *p0 = map_.lookup(&zero_key);
    s64 v1 = 0;
    if (p0)
      v1 = *p0;
    s64 *p2 = map_.lookup(&zero_key);
    s64 v3 = 0;
    if (p2)
      v3 = *p2;
    s64 *p4 = map_prev.lookup(&zero_key);
    s64 v5 = 0;
    if (p4)
      v5 = *p4;
    struct event_0 *e6 = events.ringbuf_reserve(sizeof(*e6));
    if (e6) {
      e6->id = 0;
      e6->f0 = v1;
      e6->f1 = ((s64)v3 - (s64)v5);
      events.ringbuf_submit(e6, 0);
    } else {
      ut_count(0);  /* no room: counted as lost */
    }
  }
  /* stdin:2  @prev = @ */
  {
    s64 *p7 = map_.lookup(&zero_key);
    s64 v8 = 0;
    if (p7)
      v8 = *p7;
    s64 v9 = v8;
    if (map_prev.update(&zero_key, &v9))
      ut_count(2);
  }
  return 0;
}

