
struct key_ { char f0[64]; };
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

struct event_0 { u64 id; char f0[64]; u64 f1; s64 f2; };
struct event_1 { u64 id; char f0[64]; };
struct event_2 { u64 id; char f0[64]; };

/* tracepoint:syscalls:sys_enter_openat: its record, as events/syscalls/sys_enter_openat/format lays it out */
struct tp_syscalls_sys_enter_openat {
  u64 ut_common;  /* the common fields; a pt_regs pointer while BPF runs */
  s32 __syscall_nr;  /* int __syscall_nr */
  u8 ut_pad_12[4];
  u64 dfd;  /* int dfd */
  u64 filename;  /* const char * filename */
  u64 flags;  /* int flags */
  u64 mode;  /* umode_t mode */
};

/* tracepoint:sched:sched_switch: its record, as events/sched/sched_switch/format lays it out */
struct tp_sched_sched_switch {
  u64 ut_common;  /* the common fields; a pt_regs pointer while BPF runs */
  char prev_comm[16];  /* char prev_comm[16] */
  s32 prev_pid;  /* pid_t prev_pid */
  s32 prev_prio;  /* int prev_prio */
  s64 prev_state;  /* long prev_state */
  char next_comm[16];  /* char next_comm[16] */
  s32 next_pid;  /* pid_t next_pid */
  s32 next_prio;  /* int next_prio */
};

/* tracepoint:sched:sched_process_exec: its record, as events/sched/sched_process_exec/format lays it out */
struct tp_sched_sched_process_exec {
  u64 ut_common;  /* the common fields; a pt_regs pointer while BPF runs */
  u32 filename;  /* __data_loc char[] filename */
  s32 pid;  /* pid_t pid */
  s32 old_pid;  /* pid_t old_pid */
};

/* tracepoint:test:rel: its record, as events/test/rel/format lays it out */
struct tp_test_rel {
  u64 ut_common;  /* the common fields; a pt_regs pointer while BPF runs */
  u32 msg;  /* __rel_loc char[] msg */
};

/* tracepoints.bt:1  tracepoint:syscalls:sys_enter_openat */
int probe_0(struct tp_syscalls_sys_enter_openat *ctx)
{
  u64 zero_key = 0;
  /* tracepoints.bt:1  predicate */
  if (!(((s64)(u32)(bpf_get_current_pid_tgid() >> 32) == (s64)(u32)UT_CPID)))
    return 0;
  /* tracepoints.bt:2  printf("%s %d %d\n", str(args->filename), args->flags, args.__syscall_nr) */
  {
    char v0[64] = {};
    bpf_probe_read_user_str(&v0, sizeof(v0), (void *)(ctx->filename));
    struct event_0 *e1 = events.ringbuf_reserve(sizeof(*e1));
    if (e1) {
      e1->id = 0;
      __builtin_memcpy(e1->f0, v0, 64);
      e1->f1 = ctx->flags;
      e1->f2 = ctx->__syscall_nr;
      events.ringbuf_submit(e1, 0);
    } else {
      ut_count(0);  /* no room: counted as lost */
    }
  }
  return 0;
}

/* tracepoints.bt:4  tracepoint:sched:sched_switch */
int probe_1(struct tp_sched_sched_switch *ctx)
{
  u64 zero_key = 0;
  /* tracepoints.bt:4  predicate */
  if (!(((s64)ctx->prev_pid == (s64)(u32)UT_CPID)))
    return 0;
  /* tracepoints.bt:4  @[args->prev_comm] = count() */
  {
    char v0[16] = {};
    __builtin_memcpy(v0, ctx->prev_comm, 16);
    struct key_ k1 = {};
    __builtin_memcpy(k1.f0, v0, 16);
    {
      u64 *p = map_.lookup(&k1);
      if (p) {
        *p += 1;
      } else {
        u64 init = 1;
        if (map_.update(&k1, &init))
          ut_count(1);
      }
    }
  }
  return 0;
}

/* tracepoints.bt:5  tracepoint:sched:sched_process_exec */
int probe_2(struct tp_sched_sched_process_exec *ctx)
{
  u64 zero_key = 0;
  /* tracepoints.bt:5  printf("%s\n", args->filename) */
  {
    char v0[64] = {};
    bpf_probe_read_kernel_str(&v0, sizeof(v0), (char *)ctx + (ctx->filename & 0xffff));
    struct event_1 *e1 = events.ringbuf_reserve(sizeof(*e1));
    if (e1) {
      e1->id = 1;
      __builtin_memcpy(e1->f0, v0, 64);
      events.ringbuf_submit(e1, 0);
    } else {
      ut_count(0);  /* no room: counted as lost */
    }
  }
  return 0;
}

/* tracepoints.bt:6  tracepoint:test:rel */
int probe_3(struct tp_test_rel *ctx)
{
  u64 zero_key = 0;
  /* tracepoints.bt:6  printf("%s\n", args->msg) */
  {
    char v0[64] = {};
    bpf_probe_read_kernel_str(&v0, sizeof(v0), (char *)&ctx->msg + sizeof(ctx->msg) + (ctx->msg & 0xffff));
    struct event_2 *e1 = events.ringbuf_reserve(sizeof(*e1));
    if (e1) {
      e1->id = 2;
      __builtin_memcpy(e1->f0, v0, 64);
      events.ringbuf_submit(e1, 0);
    } else {
      ut_count(0);  /* no room: counted as lost */
    }
  }
  return 0;
}

