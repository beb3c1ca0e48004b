#include "runtime/bpf/preflight.h"

#include <linux/bpf.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

namespace ut::runtime {
namespace {

constexpr int kCapPerfmon = 38;
constexpr int kCapBpf = 39;
constexpr long kTracefsMagic = 0x74726163;

uint64_t effective_capabilities() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("CapEff:", 0) == 0) return std::stoull(line.substr(7), nullptr, 16);
  return 0;
}

}  // namespace

Result<void> check_privileges() {
  if (geteuid() == 0) return {};
  uint64_t caps = effective_capabilities();
  if ((caps >> kCapBpf & 1) && (caps >> kCapPerfmon & 1)) return {};
  return Error(
      "utrace needs root (or the CAP_BPF and CAP_PERFMON capabilities) to load BPF programs");
}

Result<void> check_kernel_headers() {
  struct utsname u {};
  uname(&u);
  std::string build = std::string("/lib/modules/") + u.release + "/build";
  if (access((build + "/include").c_str(), R_OK) == 0) return {};
  return Error("no kernel headers at " + build +
               ": run scripts/setup.sh, or link it to an installed /usr/src/linux-headers-*-amd64");
}

bool kernel_has_kprobes() {
  return access("/sys/bus/event_source/devices/kprobe/type", F_OK) == 0 ||
         access("/sys/kernel/tracing/kprobe_events", F_OK) == 0;
}

// Asks the verifier: a kprobe program that calls bpf_probe_write_user() loads only where the
// helper is allowed (lockdown takes it away).
bool bpf_may_write_user_memory() {
  const bpf_insn insns[] = {
      {BPF_ST | BPF_MEM | BPF_DW, 10, 0, -8, 0},   // *(u64 *)(r10 - 8) = 0
      {BPF_ALU64 | BPF_MOV | BPF_K, 1, 0, 0, 0},   // r1 = 0
      {BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0},  // r2 = r10
      {BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -8},  // r2 += -8
      {BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 8},   // r3 = 8
      {BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_probe_write_user},
      {BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},  // r0 = 0
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  union bpf_attr attr {};
  attr.prog_type = BPF_PROG_TYPE_KPROBE;
  attr.insns = reinterpret_cast<uint64_t>(insns);
  attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
  attr.license = reinterpret_cast<uint64_t>("GPL");
  long fd = syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
  if (fd < 0) return false;
  close(static_cast<int>(fd));
  return true;
}

bool kernel_has_ring_buffers() {
  union bpf_attr attr {};
  attr.map_type = BPF_MAP_TYPE_RINGBUF;
  attr.max_entries = 4096;
  long fd = syscall(__NR_bpf, BPF_MAP_CREATE, &attr, sizeof(attr));
  if (fd >= 0) {
    close(static_cast<int>(fd));
    return true;
  }
  return errno != EINVAL;  // EINVAL: no such map type; EPERM and the like say nothing
}

Result<void> check_tracefs() {
  struct statfs fs {};
  if (statfs("/sys/kernel/tracing", &fs) == 0 && fs.f_type == kTracefsMagic) return {};
  return Error(
      "tracefs is not mounted at /sys/kernel/tracing: run scripts/setup.sh, or "
      "'mount -t tracefs nodev /sys/kernel/tracing'");
}

}  // namespace ut::runtime
