
struct key_ { struct ut_ustack f0; char f1[64]; };
BPF_PERCPU_HASH(map_, struct key_, u64, UT_MAP_KEYS_MAX);  /* @ */
BPF_RINGBUF_OUTPUT(events, UT_RING_PAGES);
BPF_PERCPU_ARRAY(ut_counters, u64, 2);
BPF_PERCPU_ARRAY(ut_stack_scratch, struct ut_stack, 1);
BPF_HASH(ut_stacks, u64, struct ut_stack, UT_MAP_KEYS_MAX);
BPF_HASH(ut_seen_processes, u32, u8, UT_MAP_KEYS_MAX);
#define UT_MAP_map_ ((void *)bpf_pseudo_fd(1, -1))

/* Counts what BPF had to drop: [0] events, [1 + i] updates of map i when it was full. */
static __always_inline void ut_count(u32 i)
{
  u64 *c = ut_counters.lookup(&i);
  if (c)
    *c += 1;
}

/* The first `limit` frames of the user stack, stored in ut_stacks under a hash of them: the
 * key, or -1 when there is no stack. */
static __always_inline s64 ut_user_stack(void *ctx, u32 limit)
{
  u32 zero = 0;
  struct ut_stack *s = ut_stack_scratch.lookup(&zero);
  if (!s)
    return -1;
  /* The kernel zeroes the slots after the last frame. */
  if (bpf_get_stack(ctx, s->frames, sizeof(s->frames), BPF_F_USER_STACK) <= 0)
    return -1;
  u64 hash = 0xcbf29ce484222325ULL;
  for (u32 i = 0; i < UT_MAX_STACK_FRAMES; i++) {
    if (i >= limit)
      s->frames[i] = 0;
    hash = (hash ^ s->frames[i]) * 0x100000001b3ULL;
  }
  hash >>= 1;  /* keys are not negative */
  ut_stacks.update(&hash, s);
  return hash;
}

struct event_0 { u64 id; u64 f0; };

/* stdin:1  uprobe:/bin/sh:main */
int probe_0(struct pt_regs *ctx)
{
  u64 zero_key = 0;
  /* stdin:1  @[ustack(perf, 4), comm] = count() */
  {
    struct ut_ustack v0 = {};
    v0.id = ut_user_stack(ctx, 4);
    v0.pid = bpf_get_current_pid_tgid() >> 32;
    /* At the first instruction the return address is on top of the stack. */
    bpf_probe_read_user(&v0.entry_caller, 8, (void *)PT_REGS_SP(ctx));
    u32 pid1 = v0.pid;
    u8 pid1_seen = 1;
    if (ut_seen_processes.insert(&pid1, &pid1_seen) == 0) {
      struct event_0 *e2 = events.ringbuf_reserve(sizeof(*e2));
      if (e2) {
        e2->id = 0;
        e2->f0 = pid1;
        events.ringbuf_submit(e2, 0);
      } else {
        ut_count(0);  /* no room: counted as lost */
      }
    }
    char v3[16] = {};
    bpf_get_current_comm(&v3, sizeof(v3));
    struct key_ k4 = {};
    k4.f0 = v0;
    __builtin_memcpy(k4.f1, v3, 16);
    {
      u64 *p = map_.lookup(&k4);
      if (p) {
        *p += 1;
      } else {
        u64 init = 1;
        if (map_.update(&k4, &init))
          ut_count(1);
      }
    }
  }
  return 0;
}

