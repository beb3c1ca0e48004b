
struct tuple_0 { char f0[64]; s64 f1; };
struct tuple_1 { struct tuple_0 f0; u64 f1; };

struct key_m { char f0[64]; s64 f1; };
BPF_PERCPU_HASH(map_m, struct key_m, u64, UT_MAP_KEYS_MAX);  /* @m */
BPF_HASH(map_t, u64, s64, UT_MAP_KEYS_MAX);  /* @t */
BPF_RINGBUF_OUTPUT(events, UT_RING_PAGES);
BPF_PERCPU_ARRAY(ut_counters, u64, 3);
#define UT_MAP_map_m ((void *)bpf_pseudo_fd(1, -1))

/* Counts what BPF had to drop: [0] events, [1 + i] updates of map i when it was full. */
static __always_inline void ut_count(u32 i)
{
  u64 *c = ut_counters.lookup(&i);
  if (c)
    *c += 1;
}

struct ut_frame_probe_0 { s64 var_t; struct tuple_1 var_kv; u8 ut_returned; };
BPF_PERCPU_ARRAY(ut_frame_probe_0, struct ut_frame_probe_0, 1);
/* stdin:1  the body of a for loop over @m */
int ut_callback_0(void *ut_map)
{
  struct key_m *ut_key;
  asm volatile("%0 = r2" : "=r"(ut_key));
  u64 zero_key = 0;
  struct ut_frame_probe_0 *uf = ut_frame_probe_0.lookup(&zero_key);
  if (!uf)
    return 1;
  __builtin_memcpy(uf->var_kv.f0.f0, ut_key->f0, 63);
  uf->var_kv.f0.f1 = ut_key->f1;
  s64 v0 = 0;
  for (u32 cpu = 0; cpu < UT_NR_CPUS; cpu++) {
    u64 *p = bpf_map_lookup_percpu_elem(UT_MAP_map_m, ut_key, cpu);
    if (p) v0 += *p;
  }
  uf->var_kv.f1 = v0;
  /* stdin:1  if ($kv.1 > 5) { break; } */
  {
    if (((u64)uf->var_kv.f1 > (u64)5)) {
      /* stdin:1  break */
      return 1;
    }
  }
  /* stdin:1  $t += $kv.1 */
  {
    uf->var_t = (uf->var_t + uf->var_kv.f1);
  }
  return 0;
}

/* stdin:1  BEGIN */
int probe_0(struct bpf_raw_tracepoint_args *ctx)
{
  u64 zero_key = 0;
  s64 var_t = 0;
  struct tuple_1 var_kv = {};
  /* stdin:1  @m["a", 1] = count() */
  {
    char v0[] = "a";
    struct key_m k1 = {};
    __builtin_memcpy(k1.f0, v0, 2);
    k1.f1 = 1;
    {
      u64 *p = map_m.lookup(&k1);
      if (p) {
        *p += 1;
      } else {
        u64 init = 1;
        if (map_m.update(&k1, &init))
          ut_count(1);
      }
    }
  }
  /* stdin:1  $t = 0 */
  {
    var_t = 0;
  }
  /* stdin:1  for ($kv : @m) { if ($kv.1 > 5) { break; } $t += $kv.1; } */
  {
    struct ut_frame_probe_0 *uf = ut_frame_probe_0.lookup(&zero_key);
    if (uf) {
      __builtin_memcpy(&uf->var_t, &var_t, sizeof(var_t));
      __builtin_memcpy(&uf->var_kv, &var_kv, sizeof(var_kv));
      uf->ut_returned = 0;
      bpf_for_each_map_elem(UT_MAP_map_m, (void *)UT_LOAD_CONSTANT(0x7574636200000000), 0, 0);
      __builtin_memcpy(&var_t, &uf->var_t, sizeof(var_t));
      __builtin_memcpy(&var_kv, &uf->var_kv, sizeof(var_kv));
      if (uf->ut_returned)
        return 0;
    }
  }
  /* stdin:1  @t = $t */
  {
    s64 v2 = var_t;
    if (map_t.update(&zero_key, &v2))
      ut_count(2);
  }
  return 0;
}

