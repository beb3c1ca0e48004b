// Checks made before loading anything, so that a missing privilege or system piece is reported
// in one line that says how to fix it, instead of as BCC's noise.
#pragma once

#include "support/result.h"

namespace ut::runtime {

// Root, or CAP_BPF and CAP_PERFMON in the effective set.
Result<void> check_privileges();
// BCC compiles against /lib/modules/$(uname -r)/build.
Result<void> check_kernel_headers();
// Whether the kernel has BPF ring buffers (5.8 and later); true when it cannot tell.
bool kernel_has_ring_buffers();
// Whether the running kernel supports kprobes (the kprobe PMU or kprobe_events exists).
bool kernel_has_kprobes();

// Whether BPF programs may write user memory (bpf_probe_write_user): not under kernel lockdown
// (integrity or confidentiality), which takes the helper away.
bool bpf_may_write_user_memory();
// tracefs at /sys/kernel/tracing.
Result<void> check_tracefs();

}  // namespace ut::runtime
