// The backend that talks to the kernel: gets a BpfObject (from the compile cache, or from BCC's
// Clang on a miss), creates its maps and loads its programs with plain bpf(2) calls, attaches
// uprobes and perf events, reads maps and the event buffers. Of BCC it uses the compiler (in
// bcc_compiler.cpp) and its C helpers for attaching and for reading ring and perf buffers.
#include <bcc/libbpf.h>
#include <bcc/perf_reader.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "runtime/bcc_compiler.h"
#include "runtime/bpf_backend.h"
#include "runtime/bpf_link.h"
#include "runtime/map_reader.h"

namespace ut::runtime {
namespace {

// A perf event with a BPF program on it. Uprobes are created through the uprobe PMU, which leaves
// no entry in uprobe_events; when BCC had to fall back to uprobe_events, that entry is removed too.
class PerfAttachment : public Attachment {
 public:
  PerfAttachment(int fd, std::string event_name) : fd_(fd), event_name_(std::move(event_name)) {}
  ~PerfAttachment() override {
    bpf_close_perf_event_fd(fd_);
    if (!event_name_.empty() && listed_in_uprobe_events()) bpf_detach_uprobe(event_name_.c_str());
  }

 private:
  bool listed_in_uprobe_events() const {
    std::ifstream events("/sys/kernel/tracing/uprobe_events");
    std::string line;
    while (std::getline(events, line))
      if (line.find(event_name_) != std::string::npos) return true;
    return false;
  }

  int fd_;
  std::string event_name_;
};

bpf_prog_type program_type(codegen::ProbeKind kind) {
  switch (kind) {
    case codegen::ProbeKind::Begin:
    case codegen::ProbeKind::End:
      return BPF_PROG_TYPE_RAW_TRACEPOINT;
    case codegen::ProbeKind::Interval:
    case codegen::ProbeKind::Profile:
    case codegen::ProbeKind::Software:
      return BPF_PROG_TYPE_PERF_EVENT;
    case codegen::ProbeKind::Tracepoint:
      return BPF_PROG_TYPE_TRACEPOINT;
    default:
      return BPF_PROG_TYPE_KPROBE;
  }
}

void perf_buffer_callback(void *ctx, void *data, int size) {
  auto *handler = static_cast<std::function<void(std::string_view)> *>(ctx);
  (*handler)(std::string_view(static_cast<const char *>(data), static_cast<size_t>(size)));
}

int ring_buffer_callback(void *ctx, void *data, size_t size) {
  auto *handler = static_cast<std::function<void(std::string_view)> *>(ctx);
  (*handler)(std::string_view(static_cast<const char *>(data), size));
  return 0;
}

long bpf(int cmd, union bpf_attr &attr) {
  return syscall(__NR_bpf, cmd, &attr, sizeof(attr));
}

// A kernel object name: at most 15 characters of [A-Za-z0-9_.].
void copy_object_name(char (&dest)[BPF_OBJ_NAME_LEN], const std::string &name) {
  size_t n = 0;
  for (char c : name) {
    if (n + 1 == BPF_OBJ_NAME_LEN) break;
    if (isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.') dest[n++] = c;
  }
  dest[n] = '\0';
}

// The last `max_lines` lines of a verifier log: the failing instruction and the reason.
std::string log_tail(const std::string &log, size_t max_lines) {
  size_t end = log.find_last_not_of("\n\0");
  if (end == std::string::npos) return "";
  size_t begin = end + 1;
  for (size_t lines = 0; begin > 0 && lines < max_lines;)
    if (log[--begin] == '\n') ++lines;
  if (log[begin] == '\n') ++begin;
  return log.substr(begin, end + 1 - begin);
}

class KernelBackend : public BpfBackend {
 public:
  explicit KernelBackend(BackendOptions options) : options_(std::move(options)) {
    // Kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK.
    rlimit unlimited{RLIM_INFINITY, RLIM_INFINITY};
    setrlimit(RLIMIT_MEMLOCK, &unlimited);
  }
  ~KernelBackend() override {
    if (ring_) bpf_free_ringbuf(ring_);
    for (perf_reader *r : perf_readers_) perf_reader_free(r);
    for (auto &[name, fd] : loaded_) close(fd);
    for (int fd : map_fds_) close(fd);
    if (btf_fd_ >= 0) close(btf_fd_);
  }

  Result<void> load(const std::string &c_source, const std::vector<std::string> &defines,
                    const LoadConstants &constants) override {
    constants_ = constants;
    auto begin = std::chrono::steady_clock::now();
    std::string key = compile_key(c_source, defines, bcc_compiler_identity());
    std::optional<BpfObject> cached = options_.cache.find(key);
    if (cached) {
      object_ = std::move(*cached);
      note("BPF object from the cache: " + options_.cache.path(key), begin);
    } else {
      auto compiled = compile_with_bcc(c_source, defines);
      if (!compiled) return std::move(compiled).error();
      object_ = std::move(compiled->object);
      options_.cache.store(key, object_);
      char compiler[64];
      snprintf(compiler, sizeof(compiler), " (compiler process peak RSS %.1f MB)",
               static_cast<double>(compiled->compiler_peak_rss) / (1 << 20));
      note("compiled with BCC" + std::string(compiler) +
               (options_.cache.enabled() ? ", cached as " + options_.cache.path(key)
                                         : std::string(", no cache")),
           begin);
    }
    return create_maps();
  }

  Result<std::unique_ptr<Attachment>> attach_uprobe(const std::string &function,
                                                    const std::string &binary, uint64_t file_offset,
                                                    bool is_return, pid_t pid) override {
    auto fd = program_fd(function, program_type(codegen::ProbeKind::Uprobe));
    if (!fd) return std::move(fd).error();
    std::string event = "utrace_" + std::to_string(getpid()) + "_" + std::to_string(next_event_++);
    int perf_fd =
        bpf_attach_uprobe(*fd, is_return ? BPF_PROBE_RETURN : BPF_PROBE_ENTRY, event.c_str(),
                          binary.c_str(), file_offset, pid > 0 ? pid : -1, 0);
    if (perf_fd < 0) return Error("cannot attach a uprobe to " + binary + ": " + strerror(errno));
    return std::unique_ptr<Attachment>(new PerfAttachment(perf_fd, event));
  }

  Result<void> verify(const std::string &function, codegen::ProbeKind kind) override {
    auto fd = program_fd(function, program_type(kind));
    if (!fd) return std::move(fd).error();
    return {};
  }

  // A raw-tracepoint program run with BPF_PROG_TEST_RUN: no attachment to make or undo.
  Result<void> run_once(const std::string &function) override {
    auto fd = program_fd(function, program_type(codegen::ProbeKind::Begin));
    if (!fd) return std::move(fd).error();
    union bpf_attr attr {};
    attr.test.prog_fd = static_cast<uint32_t>(*fd);
    if (syscall(__NR_bpf, BPF_PROG_TEST_RUN, &attr, sizeof(attr)) != 0)
      return Error(std::string("cannot run ") + function + ": " + strerror(errno));
    return {};
  }

  Result<std::unique_ptr<Attachment>> attach_perf_event(const std::string &function,
                                                        codegen::ProbeKind kind, uint32_t config,
                                                        uint64_t period, int cpu,
                                                        pid_t pid) override {
    auto fd = program_fd(function, program_type(kind));
    if (!fd) return std::move(fd).error();
    int perf_fd = bpf_attach_perf_event(*fd, PERF_TYPE_SOFTWARE, config, period, 0, pid, cpu, -1);
    if (perf_fd < 0) return Error(std::string("cannot open a perf event: ") + strerror(errno));
    return std::unique_ptr<Attachment>(new PerfAttachment(perf_fd, ""));
  }

  // One perf event is enough, whatever its CPU: the kernel runs a tracepoint's BPF programs
  // wherever it fires, not just where the event counts (and refuses the same program twice).
  // A counting event, not a sampling one: some tracepoints (irq_vectors) refuse sampling, and
  // the program runs either way.
  Result<std::unique_ptr<Attachment>> attach_tracepoint(const std::string &function,
                                                        uint64_t id) override {
    auto fd = program_fd(function, program_type(codegen::ProbeKind::Tracepoint));
    if (!fd) return std::move(fd).error();
    perf_event_attr attr{};
    attr.type = PERF_TYPE_TRACEPOINT;
    attr.size = sizeof(attr);
    attr.config = id;
    std::vector<int> cpus = online_cpus();
    int perf_fd = static_cast<int>(syscall(__NR_perf_event_open, &attr, -1,
                                           cpus.empty() ? 0 : cpus[0], -1, PERF_FLAG_FD_CLOEXEC));
    if (perf_fd < 0)
      return Error(std::string("cannot open the tracepoint's perf event: ") + strerror(errno));
    auto attachment = std::make_unique<PerfAttachment>(perf_fd, "");
    if (ioctl(perf_fd, PERF_EVENT_IOC_SET_BPF, *fd) != 0 ||
        ioctl(perf_fd, PERF_EVENT_IOC_ENABLE, 0) != 0)
      return Error(std::string("cannot attach to the tracepoint: ") + strerror(errno));
    return std::unique_ptr<Attachment>(std::move(attachment));
  }

  Result<void> visit_map(const std::string &c_name, size_t key_size, size_t value_size,
                         const EntryVisitor &visit) override {
    int fd = map_fd(c_name);
    if (fd < 0) return Error("no map named " + c_name);
    switch (lookup_batch(fd, key_size, value_size, visit)) {
      case Batch::Done:
        return {};
      case Batch::Failed:
        return Error(std::string("cannot read the map ") + c_name + ": " + strerror(errno));
      case Batch::Unsupported:
        break;
    }
    std::string value(value_size, '\0');
    for (std::string &key : keys(fd, key_size))
      if (bpf_lookup_elem(fd, key.data(), value.data()) == 0) visit(key, value);
    return {};
  }

  Result<std::optional<std::string>> lookup_map(const std::string &c_name, const std::string &key,
                                                size_t value_size) override {
    int fd = map_fd(c_name);
    if (fd < 0) return Error("no map named " + c_name);
    std::string k = key, value(value_size, '\0');
    if (bpf_lookup_elem(fd, k.data(), value.data()) != 0) return std::optional<std::string>();
    return std::optional<std::string>(std::move(value));
  }

  Result<void> write_map(const std::string &c_name, const std::string &key,
                         const std::string &value) override {
    int fd = map_fd(c_name);
    if (fd < 0) return Error("no map named " + c_name);
    std::string k = key, v = value;
    if (bpf_update_elem(fd, k.data(), v.data(), BPF_ANY) != 0)
      return Error("cannot update " + c_name + ": " + strerror(errno));
    return {};
  }

  Result<void> clear_map(const std::string &c_name, size_t key_size) override {
    int fd = map_fd(c_name);
    if (fd < 0) return Error("no map named " + c_name);
    for (std::string &key : keys(fd, key_size)) bpf_delete_elem(fd, key.data());
    return {};
  }

  Result<void> zero_map(const std::string &c_name, size_t key_size, size_t value_size) override {
    int fd = map_fd(c_name);
    if (fd < 0) return Error("no map named " + c_name);
    std::string zero(value_size, '\0');
    for (std::string &key : keys(fd, key_size))
      bpf_update_elem(fd, key.data(), zero.data(), BPF_EXIST);
    return {};
  }

  Result<void> open_events(const std::string &c_name, int perf_pages,
                           std::function<void(std::string_view)> on_record) override {
    on_record_ = std::move(on_record);
    int fd = map_fd(c_name);
    if (fd < 0) return Error("no event buffer named " + c_name);
    if (perf_pages > 0) {
      // One perf ring per CPU, each put in the perf event array at its CPU's index. Records a
      // full ring refused are counted by BPF (perf_submit fails), not here.
      for (int cpu : online_cpus()) {
        auto *reader = static_cast<perf_reader *>(
            bpf_open_perf_buffer(perf_buffer_callback, nullptr, &on_record_, -1, cpu, perf_pages));
        if (!reader) return Error("cannot open a perf buffer on CPU " + std::to_string(cpu));
        perf_readers_.push_back(reader);
        int reader_fd = perf_reader_fd(reader);
        if (bpf_update_elem(fd, &cpu, &reader_fd, BPF_ANY) != 0)
          return Error("cannot install the perf buffer of CPU " + std::to_string(cpu) + ": " +
                       strerror(errno));
      }
      return {};
    }
    ring_ = static_cast<ring_buffer *>(bpf_new_ringbuf(fd, ring_buffer_callback, &on_record_));
    if (!ring_) return Error("cannot open the ring buffer " + c_name);
    return {};
  }

  Result<void> poll_events(int timeout_ms) override {
    if (!perf_readers_.empty()) {
      if (perf_reader_poll(static_cast<int>(perf_readers_.size()), perf_readers_.data(),
                           timeout_ms) < 0 &&
          errno != EINTR)
        return Error(std::string("perf buffer poll failed: ") + strerror(errno));
      return {};
    }
    if (!ring_) return {};
    int rc = bpf_poll_ringbuf(ring_, timeout_ms);
    if (rc < 0 && rc != -EINTR)
      return Error(std::string("ring buffer poll failed: ") + strerror(-rc));
    return {};
  }

 private:
  // Every entry with BPF_MAP_LOOKUP_BATCH, thousands per system call (a 100,000-key map prints
  // in a fraction of the time of one lookup per key). False when the kernel cannot batch.
  enum class Batch { Done, Unsupported, Failed };  // Unsupported: nothing was visited yet
  static Batch lookup_batch(int fd, size_t key_size, size_t value_size, const EntryVisitor &visit) {
    constexpr uint32_t kChunk = 4096;
    std::vector<char> keys(kChunk * key_size), values(kChunk * value_size);
    uint64_t in_token = 0, out_token = 0;  // the kernel's position in the map
    for (bool first = true;; first = false) {
      union bpf_attr attr {};
      attr.batch.in_batch = first ? 0 : reinterpret_cast<uint64_t>(&in_token);
      attr.batch.out_batch = reinterpret_cast<uint64_t>(&out_token);
      attr.batch.keys = reinterpret_cast<uint64_t>(keys.data());
      attr.batch.values = reinterpret_cast<uint64_t>(values.data());
      attr.batch.count = kChunk;
      attr.batch.map_fd = static_cast<uint32_t>(fd);
      long rc = syscall(__NR_bpf, BPF_MAP_LOOKUP_BATCH, &attr, sizeof(attr));
      bool done = rc != 0 && errno == ENOENT;  // the last chunk, maybe partial
      if (rc != 0 && !done) return first ? Batch::Unsupported : Batch::Failed;
      for (uint32_t i = 0; i < attr.batch.count; ++i)
        visit(std::string_view(&keys[i * key_size], key_size),
              std::string_view(&values[i * value_size], value_size));
      if (done) return Batch::Done;
      in_token = out_token;
    }
  }

  // Every key of the map, listed before any is changed.
  static std::vector<std::string> keys(int fd, size_t key_size) {
    std::vector<std::string> out;
    std::string previous, next(key_size, '\0');
    while (bpf_get_next_key(fd, out.empty() ? nullptr : previous.data(), next.data()) == 0) {
      out.push_back(next);
      previous = next;
    }
    return out;
  }

  void note(const std::string &what, std::chrono::steady_clock::time_point since) const {
    if (!options_.verbose) return;
    auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since);
    fprintf(stderr, "utrace: %s (%.1f ms)\n", what.c_str(), ms.count());
  }

  Result<void> create_maps() {
    for (const BpfMapDef &m : object_.maps) {
      union bpf_attr attr {};
      attr.map_type = m.type;
      attr.key_size = m.key_size;
      attr.value_size = m.value_size;
      attr.max_entries = m.max_entries;
      if (m.type == BPF_MAP_TYPE_PERF_EVENT_ARRAY && m.max_entries == 0)
        attr.max_entries = static_cast<uint32_t>(possible_cpus());
      attr.map_flags = m.flags;
      copy_object_name(attr.map_name, m.name);
      int fd = static_cast<int>(bpf(BPF_MAP_CREATE, attr));
      if (fd < 0) return Error("cannot create the map " + m.name + ": " + strerror(errno));
      map_fds_.push_back(fd);
    }
    return {};
  }

  // The BTF of function_btf(), loaded the first time a program needs it.
  Result<int> btf_fd() {
    if (btf_fd_ >= 0) return btf_fd_;
    const std::string &blob = function_btf().blob;
    std::string log(64 << 10, '\0');
    union bpf_attr attr {};
    attr.btf = reinterpret_cast<uint64_t>(blob.data());
    attr.btf_size = static_cast<uint32_t>(blob.size());
    attr.btf_log_buf = reinterpret_cast<uint64_t>(log.data());
    attr.btf_log_size = static_cast<uint32_t>(log.size());
    attr.btf_log_level = 1;
    btf_fd_ = static_cast<int>(bpf(BPF_BTF_LOAD, attr));
    if (btf_fd_ < 0)
      return Error(std::string("the kernel refused utrace's BTF: ") + strerror(errno) + "\n" +
                   log_tail(log, 10));
    return btf_fd_;
  }

  int map_fd(const std::string &c_name) const {
    int index = object_.map_index(c_name);
    return index < 0 ? -1 : map_fds_[static_cast<size_t>(index)];
  }

  // The program `function` loaded as `type`, loading it the first time.
  Result<int> program_fd(const std::string &function, bpf_prog_type type) {
    auto it = loaded_.find(function);
    if (it != loaded_.end()) return it->second;
    int index = object_.function_index(function);
    if (index < 0) return Error("no BPF function named " + function);
    auto linked = link_program(object_, static_cast<size_t>(index), map_fds_, constants_);
    if (!linked) return std::move(linked).error().context(function);
    const std::vector<bpf_insn> &insns = linked->insns;
    // Callbacks are subprograms, which the kernel accepts only with BTF function information.
    std::vector<bpf_func_info> func_info;
    if (!linked->callback_starts.empty()) {
      auto btf = btf_fd();
      if (!btf) return std::move(btf).error();
      func_info.push_back({0, function_btf().main_type_id});
      for (uint32_t start : linked->callback_starts)
        func_info.push_back({start, function_btf().callback_type_id});
    }
    union bpf_attr attr {};
    attr.prog_type = type;
    attr.insns = reinterpret_cast<uint64_t>(insns.data());
    attr.insn_cnt = static_cast<uint32_t>(insns.size());
    if (!func_info.empty()) {
      attr.prog_btf_fd = static_cast<uint32_t>(btf_fd_);
      attr.func_info_rec_size = sizeof(bpf_func_info);
      attr.func_info = reinterpret_cast<uint64_t>(func_info.data());
      attr.func_info_cnt = static_cast<uint32_t>(func_info.size());
    }
    attr.license = reinterpret_cast<uint64_t>(object_.license.c_str());
    attr.kern_version = object_.kern_version;
    copy_object_name(attr.prog_name, function);
    int fd = static_cast<int>(bpf(BPF_PROG_LOAD, attr));
    if (fd < 0) {
      // Again with the verifier's log, which says why.
      int error = errno;
      std::string log(16 << 20, '\0');
      attr.log_level = 1;
      attr.log_buf = reinterpret_cast<uint64_t>(log.data());
      attr.log_size = static_cast<uint32_t>(log.size());
      fd = static_cast<int>(bpf(BPF_PROG_LOAD, attr));
      if (fd < 0)
        return Error("cannot load " + function + ": " + strerror(error) + "\n" + log_tail(log, 30));
    }
    loaded_[function] = fd;
    return fd;
  }

  BackendOptions options_;
  BpfObject object_;
  LoadConstants constants_;
  int btf_fd_ = -1;
  std::vector<int> map_fds_;  // in the order of object_.maps
  std::map<std::string, int> loaded_;
  ring_buffer *ring_ = nullptr;
  std::vector<perf_reader *> perf_readers_;  // when events come through a perf buffer instead
  std::function<void(std::string_view)> on_record_;
  int next_event_ = 0;
};

}  // namespace

std::unique_ptr<BpfBackend> make_kernel_backend(BackendOptions options) {
  return std::make_unique<KernelBackend>(std::move(options));
}

}  // namespace ut::runtime
