
struct ut_bytes_8_4 { u8 bytes[8]; } __attribute__((aligned(4)));

struct key_ { struct ut_bytes_8_4 f0; };
BPF_PERCPU_HASH(map_, struct key_, u64, UT_MAP_KEYS_MAX);  /* @ */
BPF_HASH(map_same, u64, s64, UT_MAP_KEYS_MAX);  /* @same */
BPF_HASH(map_x, u64, s64, UT_MAP_KEYS_MAX);  /* @x */
BPF_RINGBUF_OUTPUT(events, UT_RING_PAGES);
BPF_PERCPU_ARRAY(ut_counters, u64, 4);
#define UT_MAP_map_ ((void *)bpf_pseudo_fd(1, -1))

/* Counts what BPF had to drop: [0] events, [1 + i] updates of map i when it was full. */
static __always_inline void ut_count(u32 i)
{
  u64 *c = ut_counters.lookup(&i);
  if (c)
    *c += 1;
}

struct event_0 { u64 id; char f0[16]; s64 f1; u64 f2; s64 f3; s64 f4; };

/* stdin:4  uprobe:/bin/app:draw */
int probe_0(struct pt_regs *ctx)
{
  u64 zero_key = 0;
  u64 var_l = 0;
  s64 var_i = 0;
  struct ut_bytes_8_4 var_p = {};
  /* stdin:4  $l = (struct Line *)arg0 */
  {
    var_l = ((u64)(s64)PT_REGS_PARM1(ctx));
  }
  /* stdin:4  $i = 2 */
  {
    var_i = 2;
  }
  /* stdin:5  printf("%s %d %d %d %d\n", $l->name, $l->b.y, $l->flags, $l->delta, $l->arr[$i]) */
  {
    char v0[16] = {};
    bpf_probe_read_user(v0, 16, (void *)(((u64)var_l + 16)));
    s32 v1 = 0;
    bpf_probe_read_user(&v1, 4, (void *)((((u64)var_l + 8) + 4)));
    u64 v2 = 0;
    bpf_probe_read_user(&v2, 1, (void *)(((u64)var_l + 32)));
    u64 v3 = 0;
    v3 = (v2 << 61) >> 61;
    u64 v4 = 0;
    bpf_probe_read_user(&v4, 1, (void *)(((u64)var_l + 32)));
    s64 v5 = 0;
    v5 = (s64)(v4 << 56) >> 59;
    u64 v6 = 0;
    v6 = (u64)(var_i) * 4;
    s32 v7 = 0;
    if (v6 < 16) bpf_probe_read_user(&v7, 4, (void *)((((u64)var_l + 36) + v6)));
    struct event_0 *e8 = events.ringbuf_reserve(sizeof(*e8));
    if (e8) {
      e8->id = 0;
      __builtin_memcpy(e8->f0, v0, 16);
      e8->f1 = v1;
      e8->f2 = v3;
      e8->f3 = v5;
      e8->f4 = v7;
      events.ringbuf_submit(e8, 0);
    } else {
      ut_count(0);  /* no room: counted as lost */
    }
  }
  /* stdin:6  @[$l->a] = count() */
  {
    struct ut_bytes_8_4 v9 = {};
    bpf_probe_read_user(&v9, 8, (void *)((u64)var_l));
    struct key_ k10 = {};
    k10.f0 = v9;
    {
      u64 *p = map_.lookup(&k10);
      if (p) {
        *p += 1;
      } else {
        u64 init = 1;
        if (map_.update(&k10, &init))
          ut_count(1);
      }
    }
  }
  /* stdin:6  $p = $l->a */
  {
    struct ut_bytes_8_4 v11 = {};
    bpf_probe_read_user(&v11, 8, (void *)((u64)var_l));
    var_p = v11;
  }
  /* stdin:6  @x = $p.x */
  {
    s32 v12 = 0;
    __builtin_memcpy(&v12, (u8 *)&var_p + 0, 4);
    s64 v13 = v12;
    if (map_x.update(&zero_key, &v13))
      ut_count(3);
  }
  /* stdin:6  @same = $l->a == $l->b */
  {
    struct ut_bytes_8_4 v14 = {};
    bpf_probe_read_user(&v14, 8, (void *)((u64)var_l));
    struct ut_bytes_8_4 v15 = {};
    bpf_probe_read_user(&v15, 8, (void *)(((u64)var_l + 8)));
    s64 v16 = ut_bytes_equal(&v14, &v15, 8);
    if (map_same.update(&zero_key, &v16))
      ut_count(2);
  }
  return 0;
}

