
BPF_HASH(map_s, u64, s64, UT_MAP_KEYS_MAX);  /* @s */
BPF_RINGBUF_OUTPUT(events, UT_RING_PAGES);
BPF_PERCPU_ARRAY(ut_counters, u64, 2);

/* Counts what BPF had to drop: [0] events, [1 + i] updates of map i when it was full. */
static __always_inline void ut_count(u32 i)
{
  u64 *c = ut_counters.lookup(&i);
  if (c)
    *c += 1;
}

/* stdin:1  BEGIN */
int probe_0(struct bpf_raw_tracepoint_args *ctx)
{
  u64 zero_key = 0;
  s64 var_s = 0;
  s64 var_i = 0;
  s64 var_sq = 0;
  /* stdin:1  let $s = 0 */
  {
    var_s = 0;
  }
  /* stdin:1  for ($i : 1..$1) { let $sq; $sq = $i * $i; $s += $sq; } */
  {
    s64 v0 = 0;
    v0 = 0;
    for (var_i = 1; var_i < v0; var_i++) {
      /* stdin:1  let $sq */
      {
        __builtin_memset(&var_sq, 0, sizeof(var_sq));
      }
      /* stdin:1  $sq = $i * $i */
      {
        var_sq = ((s64)var_i * (s64)var_i);
      }
      /* stdin:1  $s += $sq */
      {
        var_s = (var_s + var_sq);
      }
    }
  }
  /* stdin:1  @s = $s */
  {
    s64 v1 = var_s;
    if (map_s.update(&zero_key, &v1))
      ut_count(1);
  }
  return 0;
}

