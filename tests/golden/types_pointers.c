
struct ut_bytes_256_8 { u8 bytes[256]; } __attribute__((aligned(8)));

BPF_HASH(map_b, u64, struct ut_bytes_256_8, UT_MAP_KEYS_MAX);  /* @b */
BPF_HASH(map_q, u64, u64, UT_MAP_KEYS_MAX);  /* @q */
BPF_HASH(map_v, u64, s64, UT_MAP_KEYS_MAX);  /* @v */
BPF_HASH(map_w, u64, s64, UT_MAP_KEYS_MAX);  /* @w */
BPF_RINGBUF_OUTPUT(events, UT_RING_PAGES);
BPF_PERCPU_ARRAY(ut_counters, u64, 5);

/* Counts what BPF had to drop: [0] events, [1 + i] updates of map i when it was full. */
static __always_inline void ut_count(u32 i)
{
  u64 *c = ut_counters.lookup(&i);
  if (c)
    *c += 1;
}

struct ut_zero_block { u8 bytes[256]; };
BPF_ARRAY(ut_zeros, struct ut_zero_block, 1);  /* never written */
struct ut_scratch_probe_0 { struct ut_bytes_256_8 var_b; struct ut_bytes_256_8 v8; };
BPF_PERCPU_ARRAY(ut_scratch_probe_0, struct ut_scratch_probe_0, 1);
/* stdin:2  uprobe:/bin/app:f */
int probe_0(struct pt_regs *ctx)
{
  u32 scratch_key = 0;
  struct ut_scratch_probe_0 *scratch = ut_scratch_probe_0.lookup(&scratch_key);
  if (!scratch)
    return 0;
  u64 zero_key = 0;
  u64 var_p = 0;
  bpf_probe_read_kernel(&scratch->var_b, 256, ut_zeros.lookup(&scratch_key));
  /* stdin:2  $p = (int32 *)arg0 */
  {
    var_p = ((u64)(s64)PT_REGS_PARM1(ctx));
  }
  /* stdin:2  $p++ */
  {
    u64 v0 = 0;
    v0 = var_p;
    var_p = v0 + 4;
    (void)v0;
  }
  /* stdin:2  $p += 2 */
  {
    var_p = (var_p + (2) * 4);
  }
  /* stdin:2  @q = $p + 1 */
  {
    u64 v1 = ((u64)var_p + (u64)(1) * 4);
    if (map_q.update(&zero_key, &v1))
      ut_count(2);
  }
  /* stdin:2  @q-- */
  {
    u64 *p2 = map_q.lookup(&zero_key);
    u64 v3 = 0;
    if (p2)
      v3 = *p2;
    u64 v4 = 0;
    v4 = v3 - 4;
    u64 v5 = v4;
    if (map_q.update(&zero_key, &v5))
      ut_count(2);
    (void)v3;
  }
  /* stdin:2  @v = $p[3] */
  {
    s32 v6 = 0;
    bpf_probe_read_user(&v6, 4, (void *)(((u64)var_p + 12)));
    s64 v7 = v6;
    if (map_v.update(&zero_key, &v7))
      ut_count(3);
  }
  /* stdin:3  $b = *(struct Big *)arg1 */
  {
    bpf_probe_read_kernel(&scratch->v8, 256, ut_zeros.lookup(&scratch_key));
    bpf_probe_read_user(&scratch->v8, 256, (void *)(((u64)(s64)PT_REGS_PARM2(ctx))));
    bpf_probe_read_kernel(&scratch->var_b, 256, &scratch->v8);
  }
  /* stdin:3  @b = $b */
  {
    if (map_b.update(&zero_key, &scratch->var_b))
      ut_count(1);
  }
  /* stdin:3  @w = $b.words[31] */
  {
    s64 v9 = 0;
    __builtin_memcpy(&v9, (u8 *)&scratch->var_b + 248, 8);
    s64 v10 = v9;
    if (map_w.update(&zero_key, &v10))
      ut_count(4);
  }
  return 0;
}

