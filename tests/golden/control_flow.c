
struct key_sq { s64 f0; };
BPF_HASH(map_sq, struct key_sq, s64, UT_MAP_KEYS_MAX);  /* @sq */
BPF_RINGBUF_OUTPUT(events, UT_RING_PAGES);
BPF_PERCPU_ARRAY(ut_counters, u64, 2);

/* Counts what BPF had to drop: [0] events, [1 + i] updates of map i when it was full. */
static __always_inline void ut_count(u32 i)
{
  u64 *c = ut_counters.lookup(&i);
  if (c)
    *c += 1;
}

struct event_0 { u64 id; };
struct event_1 { u64 id; s64 f0; };

/* stdin:1  BEGIN */
int probe_0(struct bpf_raw_tracepoint_args *ctx)
{
  u64 zero_key = 0;
  s64 var_i = 0;
  /* stdin:1  $i = 0 */
  {
    var_i = 0;
  }
  /* stdin:1  while ($i < 3) { @sq[$i] = $i * $i; $i++; } */
  {
    while (1) {
      if (!(((s64)var_i < (s64)3)))
        break;
      /* stdin:1  @sq[$i] = $i * $i */
      {
        struct key_sq k0 = {};
        k0.f0 = var_i;
        s64 v1 = ((s64)var_i * (s64)var_i);
        if (map_sq.update(&k0, &v1))
          ut_count(1);
      }
      /* stdin:1  $i++ */
      {
        (void)(var_i++);
      }
    }
  }
  /* stdin:1  if ($i == 3 && @sq[2] == 4) { printf("ok\n"); } else { exit(1); } */
  {
    s64 v2 = 0;
    if ((((s64)var_i == (s64)3))) {
      struct key_sq k3 = {};
      k3.f0 = 2;
      s64 *p4 = map_sq.lookup(&k3);
      s64 v5 = 0;
      if (p4)
        v5 = *p4;
      v2 = (((s64)v5 == (s64)4)) != 0;
    }
    if (v2) {
      /* stdin:1  printf("ok\n") */
      {
        struct event_0 *e6 = events.ringbuf_reserve(sizeof(*e6));
        if (e6) {
          e6->id = 0;
          events.ringbuf_submit(e6, 0);
        } else {
          ut_count(0);  /* no room: counted as lost */
        }
      }
    } else {
      /* stdin:1  exit(1) */
      {
        struct event_1 *e7 = events.ringbuf_reserve(sizeof(*e7));
        if (e7) {
          e7->id = 1;
          e7->f0 = 1;
          events.ringbuf_submit(e7, 0);
        } else {
          ut_count(0);  /* no room: counted as lost */
        }
        return 0;
      }
    }
  }
  return 0;
}

