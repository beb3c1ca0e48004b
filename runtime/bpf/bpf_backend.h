// The narrow interface between utrace and whatever compiles, loads and attaches BPF. The only
// implementation that talks to the kernel is KernelBackend (runtime/bpf/kernel_backend.cpp);
// tests can fake it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codegen/plan.h"
#include "runtime/bpf/compile_cache.h"
#include "support/result.h"

namespace ut::runtime {

// A live attachment. Destroying it detaches the program; the kernel also drops it when utrace's
// file descriptors close, so even `kill -9` leaves nothing attached.
class Attachment {
 public:
  virtual ~Attachment();
};

// One place of a uprobe: the file offset of an instruction, the value the program reads there
// with bpf_get_attach_cookie(), and (USDT) the file offset of a semaphore the kernel counts up
// while the probe is attached, 0 for none.
struct UprobeSite {
  uint64_t file_offset = 0;
  uint64_t cookie = 0;
  uint64_t semaphore_offset = 0;
};

using LoadConstants = std::map<codegen::LoadConstant, uint64_t>;
using MapEntries = std::vector<std::pair<std::string, std::string>>;  // raw key, raw value

class BpfBackend {
 public:
  virtual ~BpfBackend() = default;

  // Compiles `c_source` with `defines` ("NAME=VALUE"), or finds it compiled in the cache, and
  // creates its maps in the kernel. Programs are loaded when first attached, run or verified,
  // with `constants` written into them (absent ones are 0).
  virtual Result<void> load(const std::string &c_source, const std::vector<std::string> &defines,
                            const LoadConstants &constants = {}) = 0;

  // Runs `function` when any of `sites` of `binary` executes (in process `pid` only, when
  // pid > 0): on entry to the instruction at each site's file offset, or when the function that
  // starts there returns (`is_return`). The program reads the site's cookie with
  // bpf_get_attach_cookie(). One attachment holds them all, so a thousand functions attach as
  // one kernel object where the kernel allows it (uprobe_multi links, Linux 6.6). Sites the
  // kernel will not probe (ENOTSUPP: an instruction uprobes cannot step over, like a `lock`
  // prefix) are left out and their indices put in `refused`.
  virtual Result<std::unique_ptr<Attachment>> attach_uprobes(const std::string &function,
                                                             const std::string &binary,
                                                             const std::vector<UprobeSite> &sites,
                                                             bool is_return, pid_t pid,
                                                             std::vector<size_t> &refused) = 0;

  // Loads the program for a probe of `kind` through the kernel's verifier without attaching it.
  virtual Result<void> verify(const std::string &function, codegen::ProbeKind kind) = 0;

  // Runs `function` once, now, in this thread (BEGIN and END).
  virtual Result<void> run_once(const std::string &function) = 0;

  // Runs `function` (a probe of `kind`: interval, profile or software) every `period`
  // occurrences of the software perf event `config` (PERF_COUNT_SW_*; nanoseconds for the
  // clocks), on `cpu` (-1: any) in process `pid` (-1: any; then `cpu` must be one CPU).
  virtual Result<std::unique_ptr<Attachment>> attach_perf_event(const std::string &function,
                                                                codegen::ProbeKind kind,
                                                                uint32_t config, uint64_t period,
                                                                int cpu, pid_t pid) = 0;

  // Runs `function` (a tracepoint probe) whenever the tracepoint with perf event id `id`
  // (events/CATEGORY/NAME/id) fires, in any process, on any CPU.
  virtual Result<std::unique_ptr<Attachment>> attach_tracepoint(const std::string &function,
                                                                uint64_t id) = 0;

  // Calls `visit` with every entry of a hash map, as raw bytes valid during the call only (a big
  // map is never held twice over: as the kernel's bytes and as what `visit` makes of them).
  using EntryVisitor = std::function<void(std::string_view key, std::string_view value)>;
  virtual Result<void> visit_map(const std::string &c_name, size_t key_size, size_t value_size,
                                 const EntryVisitor &visit) = 0;

  // Every entry of a hash map, as raw bytes.
  Result<MapEntries> read_map(const std::string &c_name, size_t key_size, size_t value_size) {
    MapEntries entries;
    auto r = visit_map(c_name, key_size, value_size, [&](std::string_view k, std::string_view v) {
      entries.emplace_back(std::string(k), std::string(v));
    });
    if (!r) return std::move(r).error();
    return entries;
  }

  // The value of one entry of a map; nothing when the key is absent.
  virtual Result<std::optional<std::string>> lookup_map(const std::string &c_name,
                                                        const std::string &key,
                                                        size_t value_size) = 0;

  // Sets one entry of a map.
  virtual Result<void> write_map(const std::string &c_name, const std::string &key,
                                 const std::string &value) = 0;
  // Deletes every entry of a map.
  virtual Result<void> clear_map(const std::string &c_name, size_t key_size) = 0;
  // Sets every value of a map to zero bytes, keeping its keys.
  virtual Result<void> zero_map(const std::string &c_name, size_t key_size, size_t value_size) = 0;

  // Delivers each record of the ring buffer `c_name` to `on_record` from poll_events(); with
  // `perf_pages` > 0, `c_name` is a perf buffer of that many pages per CPU instead.
  virtual Result<void> open_events(const std::string &c_name, int perf_pages,
                                   std::function<void(std::string_view)> on_record) = 0;
  // Waits up to `timeout_ms` for records and delivers all that are ready.
  virtual Result<void> poll_events(int timeout_ms) = 0;
};

struct BackendOptions {
  CompileCache cache = CompileCache("");
  bool verbose = false;  // say on stderr where the BPF object came from and how long it took
};

std::unique_ptr<BpfBackend> make_kernel_backend(BackendOptions options);

}  // namespace ut::runtime
