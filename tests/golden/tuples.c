
struct tuple_0 { s64 f0; char f1[2]; };
struct tuple_1 { s64 f0; char f1[4]; struct tuple_0 f2; };

BPF_RINGBUF_OUTPUT(events, UT_RING_PAGES);
BPF_PERCPU_ARRAY(ut_counters, u64, 1);

/* Counts what BPF had to drop: [0] events, [1 + i] updates of map i when it was full. */
static __always_inline void ut_count(u32 i)
{
  u64 *c = ut_counters.lookup(&i);
  if (c)
    *c += 1;
}

struct event_0 { u64 id; s64 f0; char f1[8]; s64 f2; };

/* stdin:1  BEGIN */
int probe_0(struct bpf_raw_tracepoint_args *ctx)
{
  u64 zero_key = 0;
  struct tuple_1 var_t = {};
  /* stdin:1  $t = (1, "two", (3, "x")) */
  {
    char v0[] = "two";
    char v1[] = "x";
    struct tuple_0 v2 = {};
    v2.f0 = 3;
    __builtin_memcpy(v2.f1, v1, 2);
    struct tuple_1 v3 = {};
    v3.f0 = 1;
    __builtin_memcpy(v3.f1, v0, 4);
    v3.f2 = v2;
    var_t = v3;
  }
  /* stdin:1  if (comm == "utrace" && $t.1 != "three") { printf("%d %s %d\n", $t.2.0, $t.2.1, sizeof($t)); } */
  {
    char v4[16] = {};
    bpf_get_current_comm(&v4, sizeof(v4));
    char v5[] = "utrace";
    s64 v6 = 0;
    if ((ut_streq(v4, v5, 7))) {
      char v7[] = "three";
      v6 = (!ut_streq(var_t.f1, v7, 4)) != 0;
    }
    if (v6) {
      /* stdin:1  printf("%d %s %d\n", $t.2.0, $t.2.1, sizeof($t)) */
      {
        struct event_0 *e8 = events.ringbuf_reserve(sizeof(*e8));
        if (e8) {
          e8->id = 0;
          e8->f0 = var_t.f2.f0;
          __builtin_memcpy(e8->f1, var_t.f2.f1, 2);
          e8->f2 = 32;
          events.ringbuf_submit(e8, 0);
        } else {
          ut_count(0);  /* no room: counted as lost */
        }
      }
    }
  }
  return 0;
}

