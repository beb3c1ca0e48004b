#include "runtime/session/session.h"

#include <fcntl.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <optional>

#include "runtime/bpf/cpus.h"
#include "runtime/bpf/tracefs.h"
#include "runtime/output/printf.h"
#include "runtime/session/child.h"
#include "runtime/session/map_reader.h"
#include "runtime/session/placement.h"

namespace ut::runtime {
namespace {

using codegen::EventKind;
using codegen::ProbeKind;

// Several attachments that stand and fall together (a profile probe's perf event on each CPU).
struct AttachmentGroup : Attachment {
  std::vector<std::unique_ptr<Attachment>> parts;
};
using codegen::ProbeSpec;

volatile sig_atomic_t g_stop_signal = 0;
volatile sig_atomic_t g_print_maps = 0;  // SIGUSR1: print every map now, and keep tracing

constexpr char kWritesFromUserSpace[] =
    "; this kernel's lockdown forbids BPF to write user memory, so utrace writes it from user "
    "space, just after the probe fires";

void on_stop_signal(int sig) {
  g_stop_signal = sig;
}

void on_print_maps_signal(int) {
  g_print_maps = 1;
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a signal interrupts the ring buffer poll
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sa.sa_handler = on_print_maps_signal;
  sigaction(SIGUSR1, &sa, nullptr);
}

class SessionRun {
 public:
  SessionRun(const codegen::ProgramPlan &plan, const SourceFile &src, BpfBackend &backend,
             Output &out, const SessionOptions &options)
      : plan_(plan), src_(src), backend_(backend), out_(out), options_(options) {}

  int run() {
    Diagnostics diags;
    Resolved resolved;
    bool resolved_all = place_probes(plan_, options_, ncpus_, resolved, diags);
    for (size_t i = 0; i < resolved.place_names.size(); ++i)
      if (!resolved.place_names[i].empty()) resolver_.name_places(i, resolved.place_names[i]);
    diags.render(std::cerr, src_);  // the warnings of --missing-probes=warn too
    if (!resolved_all) return 1;
    // -c: the child exists (held before exec) before the program is compiled, for `cpid`.
    std::optional<ChildProcess> child;
    LoadConstants constants = resolved.constants;
    timespec now{};
    clock_gettime(CLOCK_BOOTTIME, &now);
    constants[codegen::LoadConstant::StartNs] =
        static_cast<uint64_t>(now.tv_sec) * 1000000000ULL + static_cast<uint64_t>(now.tv_nsec);
    if (!options_.command.empty()) {
      std::function<void(pid_t)> on_exit;
      if (!plan_.seen_processes_map.empty())
        on_exit = [this](pid_t pid) { resolver_.remember(pid); };
      auto c = ChildProcess::start(options_.command, std::move(on_exit));
      if (!c) return fail(c.error());
      child.emplace(std::move(*c));
      constants[codegen::LoadConstant::Cpid] = static_cast<uint64_t>(child->pid());
    }
    if (auto r = backend_.load(plan_.c_source, resolved.defines, constants); !r)
      return fail(r.error());
    if (plan_.writes_user_memory)
      std::cerr << "WARNING: this program writes into the memory of the processes it traces "
                   "(--unsafe): what they do may change, or they may crash"
                << (plan_.bpf_writes_user_memory ? "" : kWritesFromUserSpace) << "\n";
    if (!options_.quiet) out_.attached(resolved.attach_points);
    if (auto r = attach_all(resolved); !r) return fail(r.error());
    // A perf buffer is per CPU: UTRACE_RING_PAGES pages each.
    int perf_pages = plan_.perf_events ? static_cast<int>(options_.ring_pages) : 0;
    if (auto r = backend_.open_events(plan_.events_map, perf_pages,
                                      [this](std::string_view rec) { on_record(rec); });
        !r)
      return fail(r.error());

    install_signal_handlers();
    // -p: the process's end is when tracing ends. A pidfd becomes readable when it exits.
    int target_fd = -1;
    if (options_.pid > 0) {
      target_fd = static_cast<int>(syscall(SYS_pidfd_open, options_.pid, 0));
      if (target_fd < 0)
        return fail(Error("process " + std::to_string(options_.pid) + ": " + strerror(errno)));
      if (!plan_.seen_processes_map.empty()) resolver_.remember(options_.pid);
    }
    if (auto r = run_all(ProbeKind::Begin); !r) return fail(r.error());
    if (child) {
      if (auto r = child->release(); !r) return fail(r.error());
    }
    while (!stopping()) {
      if (auto r = backend_.poll_events(child ? 20 : 100); !r) return fail(r.error());
      report_lost_events();
      if (g_print_maps) {  // as bpftrace: the maps as they are now, printed as at exit
        g_print_maps = 0;
        print_maps();
      }
      out_.flush();
      if (child && child->exited()) break;  // what it did is in the ring buffer: finish() drains it
      if (target_fd >= 0 && target_exited(target_fd)) break;
    }
    if (target_fd >= 0) close(target_fd);
    finish();
    return exit_code_;
  }

 private:
  bool stopping() const { return g_stop_signal != 0 || exit_requested_; }

  // system(): the command's standard output, as the shell ran it.
  std::string run_command(const std::string &command) {
    out_.flush();
    std::string output;
    if (FILE *p = popen(command.c_str(), "r")) {
      char buf[4096];
      for (size_t n; (n = fread(buf, 1, sizeof(buf), p)) > 0;) output.append(buf, n);
      pclose(p);
    }
    return output;
  }

  // cat(): the file's first kCatBytes bytes, or bpftrace's error on stderr when it cannot be read.
  static constexpr size_t kCatBytes = 10240;  // bpftrace's BPFTRACE_CAT_BYTES_MAX default
  void print_file(const std::string &path) {
    std::string text;
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    int error = fd < 0 ? errno : 0;
    char buf[4096];
    while (fd >= 0 && text.size() < kCatBytes) {
      ssize_t n = read(fd, buf, std::min(sizeof(buf), kCatBytes - text.size()));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) error = errno;
      if (n <= 0) break;
      text.append(buf, static_cast<size_t>(n));
    }
    if (fd >= 0) close(fd);
    if (!text.empty()) out_.printf_text(text);
    if (error) {
      out_.flush();
      std::cerr << "ERROR: failed to open file '" << path << "': " << strerror(error) << "\n";
    }
  }

  // time(FORMAT): now, in local time, through strftime(3).
  static std::string wall_clock_text(const std::string &format) {
    time_t now = time(nullptr);
    tm local{};
    localtime_r(&now, &local);
    char text[512];
    size_t n = strftime(text, sizeof(text), format.c_str(), &local);
    return std::string(text, n);
  }

  static bool target_exited(int pidfd) {
    pollfd p{pidfd, POLLIN, 0};
    return poll(&p, 1, 0) > 0;
  }

  int fail(const Error &e) {
    out_.flush();
    std::cerr << "ERROR: " << e.message() << "\n";
    return 1;
  }

  // BEGIN and END are not attached: run_all() runs them once each, in the order written.
  Result<void> run_all(ProbeKind kind) {
    for (const ProbeSpec &p : plan_.probes) {
      if (p.kind != kind) continue;
      if (auto r = backend_.run_once(p.c_function); !r) return std::move(r).error().context(p.name);
    }
    return {};
  }

  // A uprobe's places, each with its cookie: the probe's index in the high half (see
  // codegen::attach_cookie), the place's in the low.
  Result<std::unique_ptr<Attachment>> attach_places(size_t index,
                                                    const std::vector<Placement> &placements) {
    const ProbeSpec &p = plan_.probes[index];
    auto group = std::make_unique<AttachmentGroup>();
    uint64_t place = 0;
    std::vector<std::string> refused_functions;
    for (const Placement &placement : placements) {
      std::vector<UprobeSite> sites;
      for (size_t i = 0; i < placement.targets.size(); ++i) {
        uint64_t semaphore = i < placement.usdt.size() ? placement.usdt[i].semaphore_offset : 0;
        sites.push_back(
            {placement.targets[i].file_offset, codegen::attach_cookie(index, place++), semaphore});
      }
      std::vector<size_t> refused;
      // Return probes placed on RET instructions (Go) are entry uprobes there.
      bool kernel_return = p.kind == ProbeKind::Uretprobe && !placement.targets.front().at_return;
      auto a = backend_.attach_uprobes(p.c_function, placement.binary, sites, kernel_return,
                                       options_.pid, refused);
      if (!a) return std::move(a).error();
      group->parts.push_back(std::move(*a));
      for (size_t i : refused) refused_functions.push_back(placement.targets[i].function);
    }
    if (!refused_functions.empty()) {
      const char *why =
          "the kernel cannot place a uprobe on the instruction there (uprobes "
          "cannot step over some instructions, such as `lock`-prefixed ones)";
      if (place == 1) return Error(why);
      std::string names;
      for (size_t i = 0; i < refused_functions.size() && i < 5; ++i)
        names += (i ? ", " : "") + refused_functions[i];
      if (refused_functions.size() > 5) names += ", ...";
      out_.flush();
      std::cerr << "WARNING: " << p.name << ": " << refused_functions.size() << " of " << place
                << " functions left out (" << names << "): " << why << "\n";
    }
    return std::unique_ptr<Attachment>(std::move(group));
  }

  Result<std::unique_ptr<Attachment>> attach(size_t index, const Resolved &r) {
    const ProbeSpec &p = plan_.probes[index];
    switch (p.kind) {
      case ProbeKind::Begin:
      case ProbeKind::End:
        return std::unique_ptr<Attachment>();
      case ProbeKind::Uprobe:
      case ProbeKind::Uretprobe:
      case ProbeKind::Usdt:
        return attach_places(index, r.placements[index]);
      case ProbeKind::Interval:  // one CPU: `interval:s:1 { print(@x); }` prints once a second
        return backend_.attach_perf_event(p.c_function, p.kind, PERF_COUNT_SW_CPU_CLOCK,
                                          p.period_ns, 0, -1);
      case ProbeKind::Profile:
        return attach_everywhere(p, PERF_COUNT_SW_CPU_CLOCK);
      case ProbeKind::Software:
        return attach_everywhere(p, p.perf_config);
      case ProbeKind::Tracepoint: {  // everywhere, in every process, as bpftrace (even with -p)
        auto id = tracefs_.id(p.tracepoint);
        if (!id) return std::move(id).error();
        return backend_.attach_tracepoint(p.c_function, *id);
      }
      case ProbeKind::Kprobe:  // refused by analysis
      case ProbeKind::Kretprobe:
        return Error("kernel probes are not supported");
    }
    return Error("unknown probe kind");
  }

  // A profile or software probe: on every CPU, or with -p on the target process wherever it runs.
  Result<std::unique_ptr<Attachment>> attach_everywhere(const ProbeSpec &p, uint32_t config) {
    if (options_.pid > 0)
      return backend_.attach_perf_event(p.c_function, p.kind, config, p.period_ns, -1,
                                        options_.pid);
    auto group = std::make_unique<AttachmentGroup>();
    for (int cpu : online_cpus()) {
      auto a = backend_.attach_perf_event(p.c_function, p.kind, config, p.period_ns, cpu, -1);
      if (!a) return std::move(a).error();
      group->parts.push_back(std::move(*a));
    }
    return std::unique_ptr<Attachment>(std::move(group));
  }

  Result<void> attach_all(const Resolved &r) {
    for (size_t i = 0; i < plan_.probes.size(); ++i) {
      const ProbeSpec &p = plan_.probes[i];
      auto a = attach(i, r);
      if (!a) return std::move(a).error().context(p.name);
      if (*a) attachments_.push_back(std::move(*a));
    }
    return {};
  }

  void on_record(std::string_view rec) {
    if (rec.size() < 8) return;
    uint64_t id = 0;
    memcpy(&id, rec.data(), 8);
    if (id >= plan_.events.size()) return;
    const codegen::EventSpec &ev = plan_.events[id];
    std::vector<Value> values;
    for (const codegen::FieldSpec &f : ev.fields) {
      if (!f.constant) {
        values.push_back(decode(f.type, rec, f.offset));
        continue;
      }
      Value v;
      v.type = f.type;
      v.s = *f.constant;
      values.push_back(std::move(v));
    }
    if (ev.kind == EventKind::ProcessSeen) {
      resolver_.remember(static_cast<pid_t>(values[0].i));
      return;
    }
    for (Value &v : values) resolver_.resolve(v);
    switch (ev.kind) {
      case EventKind::Printf:
        // After exit(), only END may still print.
        if (!exit_requested_ || in_end_)
          out_.printf_text(format_printf(plan_.formats[ev.format], values));
        break;
      case EventKind::Exit:
        if (!exit_requested_) exit_code_ = values.empty() ? 0 : static_cast<int>(values[0].i);
        exit_requested_ = true;
        break;
      case EventKind::PrintMap:
        print_map(plan_.maps[ev.map], values.size() > 0 ? values[0].i : 0,
                  values.size() > 1 ? values[1].i : 0);
        break;
      case EventKind::PrintValue:
        if (!exit_requested_ || in_end_) out_.value(values[0]);
        break;
      case EventKind::ClearMap: {
        const codegen::MapSpec &m = plan_.maps[ev.map];
        report(backend_.clear_map(m.c_name, m.key_size()));
        if (m.length_index >= 0) {  // len() of a cleared map is 0 again
          uint32_t index = static_cast<uint32_t>(m.length_index);
          int64_t zero = 0;
          report(backend_.write_map(plan_.lengths_map,
                                    std::string(reinterpret_cast<char *>(&index), 4),
                                    std::string(reinterpret_cast<char *>(&zero), 8)));
        }
        break;
      }
      case EventKind::ProcessSeen:
        break;
      case EventKind::System:
        if (!exit_requested_ || in_end_)
          out_.printf_text(run_command(format_printf(plan_.formats[ev.format], values)));
        break;
      case EventKind::Cat:
        if (!exit_requested_ || in_end_)
          print_file(format_printf(plan_.formats[ev.format], values));
        break;
      case EventKind::Time:
        if (!exit_requested_ || in_end_)
          out_.printf_text(wall_clock_text(values.empty() ? "%H:%M:%S\n" : values[0].s));
        break;
      case EventKind::ZeroMap: {
        const codegen::MapSpec &m = plan_.maps[ev.map];
        report(backend_.zero_map(m.c_name, m.key_size(), value_bytes(m)));
        break;
      }
      case EventKind::WriteMemory:
        write_memory(static_cast<pid_t>(values[0].i), static_cast<uint64_t>(values[1].i),
                     static_cast<uint64_t>(values[2].i), static_cast<size_t>(values[3].i));
        break;
    }
  }

  // `*ADDRESS = value` where BPF may not write user memory: the value's low `size` bytes
  // (little-endian, as BPF would have written them) into process `pid`, through its
  // /proc/PID/mem. A process that is gone by now is not an error.
  void write_memory(pid_t pid, uint64_t address, uint64_t value, size_t size) {
    if (size > sizeof(value)) return;
    int fd = open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return;
    if (pwrite(fd, &value, size, static_cast<off_t>(address)) != static_cast<ssize_t>(size) &&
        !memory_write_failed_) {
      memory_write_failed_ = true;
      std::cerr << "ERROR: cannot write " << size << " bytes at 0x" << std::hex << address
                << std::dec << " in process " << pid << ": " << strerror(errno) << "\n";
    }
    close(fd);
  }

  // The drop counters BPF keeps (see codegen/plan.h), summed over CPUs.
  std::vector<uint64_t> read_counters() {
    std::vector<uint64_t> counts(plan_.counters, 0);
    auto entries = backend_.read_map(plan_.counters_map, 4, 8 * ncpus_);
    if (!entries) return counts;
    for (const auto &[key, value] : *entries) {
      uint32_t index = 0;
      memcpy(&index, key.data(), 4);
      for (int cpu = 0; cpu < ncpus_ && index < counts.size(); ++cpu) {
        uint64_t n = 0;
        memcpy(&n, value.data() + 8 * cpu, 8);
        counts[index] += n;
      }
    }
    return counts;
  }

  // "Lost N events" as soon as the ring buffer had to drop some.
  void report_lost_events() {
    uint64_t lost = read_counters()[codegen::kLostEventsCounter];
    if (lost > lost_reported_) out_.lost_events(lost - lost_reported_);
    lost_reported_ = lost;
  }

  // At exit: what was dropped in all, once, on stderr.
  void report_drops() {
    std::vector<uint64_t> counts = read_counters();
    if (counts[codegen::kLostEventsCounter] > 0)
      std::cerr << "WARNING: " << counts[codegen::kLostEventsCounter]
                << " events were lost in all: the ring buffer was full\n";
    for (size_t i = 0; i < plan_.maps.size(); ++i) {
      uint64_t n = counts[codegen::map_full_counter(static_cast<int>(i))];
      if (n > 0)
        std::cerr << "WARNING: " << n << " updates of " << plan_.maps[i].name
                  << " were dropped: the map was full (" << options_.map_keys_max
                  << " keys; raise UTRACE_MAP_KEYS_MAX)\n";
    }
  }

  void report(const Result<void> &r) {
    if (!r) std::cerr << "ERROR: " << r.error().message() << "\n";
  }

  size_t value_bytes(const codegen::MapSpec &m) const {
    size_t size = m.value.byte_size();
    return m.per_cpu ? (size + 7) / 8 * 8 * ncpus_ : size;
  }

  // print(@m, top, div): the `top` largest entries (all when 0), values divided by `div`.
  void print_map(const codegen::MapSpec &m, int64_t top, int64_t div) {
    if (exit_requested_ && !in_end_) return;
    auto snap = MapReader(backend_, ncpus_, &resolver_).read(m);
    if (!snap) return report(std::move(snap).error());
    auto &entries = snap->entries;
    if (top > 0 && static_cast<size_t>(top) < entries.size())
      entries.erase(entries.begin(), entries.end() - top);
    if (div > 0) {
      for (auto &[keys, v] : entries) {
        v.i /= div;
        v.total /= div;
      }
    }
    out_.map(*snap);
  }

  // Delivers what is already in the ring buffer, detaches the probes, runs END, prints every map.
  void finish() {
    (void)backend_.poll_events(0);
    attachments_.clear();
    (void)backend_.poll_events(0);
    in_end_ = true;
    if (auto r = run_all(ProbeKind::End); !r) std::cerr << "ERROR: " << r.error().message() << "\n";
    (void)backend_.poll_events(0);
    report_lost_events();
    print_maps();
    report_drops();
  }

  void print_maps() {
    out_.maps_begin();
    MapReader reader(backend_, ncpus_, &resolver_);
    for (const codegen::MapSpec &m : plan_.maps) {
      auto snap = reader.read(m);
      if (!snap) {
        std::cerr << "ERROR: " << snap.error().message() << "\n";
        continue;
      }
      out_.map(*snap);
    }
    out_.flush();
  }

  const codegen::ProgramPlan &plan_;
  const SourceFile &src_;
  BpfBackend &backend_;
  Output &out_;
  const SessionOptions &options_;
  std::vector<std::unique_ptr<Attachment>> attachments_;
  int ncpus_ = possible_cpus();
  TracefsCatalog tracefs_;
  ValueResolver resolver_{backend_, plan_};
  bool exit_requested_ = false;
  bool memory_write_failed_ = false;  // reported once
  bool in_end_ = false;
  uint64_t lost_reported_ = 0;
  int exit_code_ = 0;
};

}  // namespace

int run_session(const codegen::ProgramPlan &plan, const SourceFile &src, BpfBackend &backend,
                Output &out, const SessionOptions &options) {
  return SessionRun(plan, src, backend, out, options).run();
}

}  // namespace ut::runtime
