#include "runtime/session.h"

#include <linux/perf_event.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <iostream>
#include <map>
#include <optional>

#include "runtime/binary_path.h"
#include "runtime/child.h"
#include "runtime/disassembler.h"
#include "runtime/elf.h"
#include "runtime/map_reader.h"
#include "runtime/printf.h"
#include "runtime/tracefs.h"

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

void on_stop_signal(int sig) {
  g_stop_signal = sig;
}

void install_signal_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a signal interrupts the ring buffer poll
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// Where each uprobe goes and what each uaddr() is, read from the ELF files the script names.
struct Resolved {
  std::map<std::string, ElfFile> files;
  std::vector<uint64_t> probe_offsets;  // per plan.probes entry (0 for non-uprobes)
  std::vector<std::string> binaries;    // per plan.probes entry: the uprobe's file, resolved
  std::vector<std::string> defines;
};

class SessionRun {
 public:
  SessionRun(const codegen::ProgramPlan &plan, const SourceFile &src, BpfBackend &backend,
             Output &out, const SessionOptions &options)
      : plan_(plan), src_(src), backend_(backend), out_(out), options_(options) {}

  int run() {
    Diagnostics diags;
    Resolved resolved;
    if (!resolve(resolved, diags)) {
      diags.render(std::cerr, src_);
      return 1;
    }
    // -c: the child exists (held before exec) before the program is compiled, for `cpid`.
    std::optional<ChildProcess> child;
    LoadConstants constants;
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
    if (!options_.quiet) out_.attached(plan_.probes.size());
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

  Result<const ElfFile *> open_elf(Resolved &r, const std::string &path) {
    auto it = r.files.find(path);
    if (it != r.files.end()) return &it->second;
    auto elf = ElfFile::open(path);
    if (!elf) return std::move(elf).error();
    return &r.files.emplace(path, std::move(*elf)).first->second;
  }

  // Where in the file a uprobe goes: a symbol, `symbol+offset` or an address, always at the
  // first byte of an instruction (checked by disassembling the function up to there): a uprobe
  // inside an instruction would corrupt the traced program.
  static Result<uint64_t> probe_offset(const ElfFile &elf, const ProbeSpec &p) {
    uint64_t address = 0;
    const ElfSymbol *function = nullptr;
    ElfSymbol found;
    if (p.address) {
      address = *p.address;
      function = elf.function_at(address);
    } else {
      auto sym = elf.find_symbol(p.symbol);
      if (!sym) return std::move(sym).error();
      found = *sym;
      function = &found;
      if (found.size > 0 && p.symbol_offset >= found.size)
        return Error(p.symbol + "+" + std::to_string(p.symbol_offset) + " is past the end of " +
                     p.symbol + " (" + std::to_string(found.size) + " bytes)");
      address = found.address + p.symbol_offset;
    }
    if (function && address > function->address) {
      uint64_t into = address - function->address;
      uint64_t length = function->size > 0 ? function->size : into + 16;
      auto code = elf.bytes(function->address, length);
      if (!code) return std::move(code).error();
      // A function of unknown size is decoded a little past the probe: its last instruction may
      // be cut there, which is not an error.
      auto instructions = disassemble_x86_64(*code, /*whole=*/function->size > 0);
      uint64_t start = 0;
      if (instructions)
        for (const Instruction &i : *instructions)
          if (i.offset <= into) start = i.offset;
      if (!instructions || start != into)
        return Error(function->name + "+" + std::to_string(into) +
                     " is not the first byte of an instruction" +
                     (instructions ? " (the instruction there starts at " + function->name + "+" +
                                         std::to_string(start) + ")"
                                   : ""));
    }
    auto offset = elf.file_offset(address);
    if (!offset) return std::move(offset).error();
    return *offset;
  }

  bool resolve(Resolved &r, Diagnostics &diags) {
    for (const ProbeSpec &p : plan_.probes) {
      uint64_t offset = 0;
      std::string binary;
      if (!p.binary.empty()) {
        auto found = resolve_binary(p.binary, options_.pid);
        if (found) binary = *found;
        if (!found) {
          diags.error(p.range, found.error().message());
        } else if (access(binary.c_str(), R_OK) != 0) {
          diags.error(p.range,
                      "uprobe target file '" + binary + "' does not exist or is not executable");
        } else if (auto elf = open_elf(r, binary); !elf) {
          diags.error(p.range, "cannot read '" + binary + "': " + elf.error().message());
        } else if (auto where = probe_offset(**elf, p); !where) {
          diags.error(p.range, where.error().message());
        } else {
          offset = *where;
        }
      }
      r.probe_offsets.push_back(offset);
      r.binaries.push_back(binary);
    }
    for (const codegen::SymbolRef &s : plan_.symbols) {
      auto path = resolve_binary(s.binary, options_.pid);
      if (!path) continue;  // reported with its probe
      auto elf = open_elf(r, *path);
      if (!elf) continue;  // reported with its probe
      auto sym = (*elf)->find_symbol(s.symbol);
      if (!sym) {
        diags.error(s.range, sym.error().message());
        continue;
      }
      if ((*elf)->is_pie())
        diags.error(s.range, "uaddr() of '" + s.symbol + "': " + s.binary +
                                 " is position-independent, which is not supported yet");
      r.defines.push_back(s.macro + "=" + std::to_string(sym->address) + "ULL");
    }
    r.defines.push_back("UT_NR_CPUS=" + std::to_string(ncpus_));
    r.defines.push_back("UT_MAP_KEYS_MAX=" + std::to_string(options_.map_keys_max));
    r.defines.push_back("UT_RING_PAGES=" + std::to_string(options_.ring_pages));
    return !diags.has_errors();
  }

  // BEGIN and END are not attached: run_all() runs them once each, in the order written.
  Result<void> run_all(ProbeKind kind) {
    for (const ProbeSpec &p : plan_.probes) {
      if (p.kind != kind) continue;
      if (auto r = backend_.run_once(p.c_function); !r) return std::move(r).error().context(p.name);
    }
    return {};
  }

  Result<std::unique_ptr<Attachment>> attach(const ProbeSpec &p, const std::string &binary,
                                             uint64_t offset) {
    switch (p.kind) {
      case ProbeKind::Begin:
      case ProbeKind::End:
        return std::unique_ptr<Attachment>();
      case ProbeKind::Uprobe:
      case ProbeKind::Uretprobe:
        return backend_.attach_uprobe(p.c_function, binary, offset, p.kind == ProbeKind::Uretprobe,
                                      options_.pid);
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
      auto a = attach(p, r.binaries[i], r.probe_offsets[i]);
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
      case EventKind::Time:
        if (!exit_requested_ || in_end_)
          out_.printf_text(wall_clock_text(values.empty() ? "%H:%M:%S\n" : values[0].s));
        break;
      case EventKind::ZeroMap: {
        const codegen::MapSpec &m = plan_.maps[ev.map];
        report(backend_.zero_map(m.c_name, m.key_size(), value_bytes(m)));
        break;
      }
    }
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
