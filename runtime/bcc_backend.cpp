// The one file that talks to BCC: compiling with its Clang, loading programs and maps, attaching
// uprobes and perf events, reading maps and the ring buffer.
#include <bcc/BPF.h>
#include <bcc/libbpf.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <llvm/Support/ErrorHandling.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <sstream>

#include "runtime/bpf_backend.h"

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

// BCC and its Clang report on stderr, including harmless noise on every program load ("sha1 socket
// not available"). While BCC works, stderr goes to a temporary file; its text is kept for the error
// message when the call fails and dropped otherwise.
// The real stderr and the capture file while a capture is active, for explain_exit() below.
int g_saved_stderr = -1;
FILE *g_capture_file = nullptr;

class StderrCapture {
 public:
  StderrCapture() {
    fflush(stderr);
    saved_ = dup(STDERR_FILENO);
    file_ = tmpfile();
    if (saved_ >= 0 && file_) dup2(fileno(file_), STDERR_FILENO);
    g_saved_stderr = saved_;
    g_capture_file = file_;
  }
  ~StderrCapture() { restore(); }

  // Restores stderr and returns what was written to it meanwhile.
  std::string restore() {
    if (saved_ < 0 || !file_) return text_;
    fflush(stderr);
    dup2(saved_, STDERR_FILENO);
    g_saved_stderr = -1;
    g_capture_file = nullptr;
    close(saved_);
    saved_ = -1;
    rewind(file_);
    char buf[4096];
    for (size_t n; (n = fread(buf, 1, sizeof(buf), file_)) > 0;) text_.append(buf, n);
    fclose(file_);
    file_ = nullptr;
    return text_;
  }

 private:
  int saved_ = -1;
  FILE *file_ = nullptr;
  std::string text_;
};

bpf_prog_type program_type(codegen::ProbeKind kind) {
  switch (kind) {
    case codegen::ProbeKind::Begin:
    case codegen::ProbeKind::End:
      return BPF_PROG_TYPE_RAW_TRACEPOINT;
    case codegen::ProbeKind::Interval:
      return BPF_PROG_TYPE_PERF_EVENT;
    default:
      return BPF_PROG_TYPE_KPROBE;
  }
}

// LLVM ends the process on some errors in the C it compiles (exit(1) from a diagnostic, or a
// fatal error), the BPF stack limit above all. It does so from inside BCC with stderr captured:
// say what happened before the process goes. Nothing is attached yet when BCC compiles.
void explain_exit() {
  if (g_saved_stderr < 0 || !g_capture_file) return;
  fflush(stderr);
  dup2(g_saved_stderr, STDERR_FILENO);
  std::string text;
  rewind(g_capture_file);
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), g_capture_file)) > 0;) text.append(buf, n);
  if (text.find("stack limit") != std::string::npos)
    text =
        "a probe needs more than the 512 bytes of stack BPF allows (strings take 64 bytes "
        "each): split the probe or use fewer string values at once\n";
  fprintf(stderr, "ERROR: BPF compilation failed: %s", text.c_str());
  fflush(stderr);
}

void on_llvm_fatal_error(void *, const char *reason, bool) {
  fprintf(stderr, "%s\n", reason);  // into the capture, for explain_exit()
  exit(1);
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

class BccBackend : public BpfBackend {
 public:
  BccBackend() : bpf_(0, nullptr, /*rw_engine_enabled=*/false, "", /*allow_rlimit=*/true) {
    static bool installed = [] {
      llvm::install_fatal_error_handler(on_llvm_fatal_error);
      return atexit(explain_exit) == 0;
    }();
    (void)installed;
  }
  ~BccBackend() override {
    if (ring_) bpf_free_ringbuf(ring_);
  }

  Result<void> load(const std::string &c_source, const std::vector<std::string> &defines) override {
    std::vector<std::string> cflags;
    for (const std::string &d : defines) cflags.push_back("-D" + d);
    StderrCapture capture;
    ebpf::StatusTuple st = bpf_.init(c_source, cflags);
    std::string noise = capture.restore();
    if (!st.ok()) return Error("BPF compilation failed: " + st.msg() + "\n" + noise);
    return {};
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

  Result<std::unique_ptr<Attachment>> attach_interval(const std::string &function,
                                                      uint64_t period_ns, int cpu) override {
    auto fd = program_fd(function, program_type(codegen::ProbeKind::Interval));
    if (!fd) return std::move(fd).error();
    int perf_fd = bpf_attach_perf_event(*fd, PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK, period_ns,
                                        0, -1, cpu, -1);
    if (perf_fd < 0) return Error(std::string("cannot open a perf event: ") + strerror(errno));
    return std::unique_ptr<Attachment>(new PerfAttachment(perf_fd, ""));
  }

  Result<MapEntries> read_map(const std::string &c_name, size_t key_size,
                              size_t value_size) override {
    int fd = bpf_.get_table(c_name).get_fd();
    if (fd < 0) return Error("no map named " + c_name);
    MapEntries entries;
    if (lookup_batch(fd, key_size, value_size, entries)) return entries;
    entries.clear();
    std::string value(value_size, '\0');
    for (std::string &key : keys(fd, key_size))
      if (bpf_lookup_elem(fd, key.data(), value.data()) == 0)
        entries.emplace_back(std::move(key), value);
    return entries;
  }

  Result<void> write_map(const std::string &c_name, const std::string &key,
                         const std::string &value) override {
    int fd = bpf_.get_table(c_name).get_fd();
    if (fd < 0) return Error("no map named " + c_name);
    std::string k = key, v = value;
    if (bpf_update_elem(fd, k.data(), v.data(), BPF_ANY) != 0)
      return Error("cannot update " + c_name + ": " + strerror(errno));
    return {};
  }

  Result<void> clear_map(const std::string &c_name, size_t key_size) override {
    int fd = bpf_.get_table(c_name).get_fd();
    if (fd < 0) return Error("no map named " + c_name);
    for (std::string &key : keys(fd, key_size)) bpf_delete_elem(fd, key.data());
    return {};
  }

  Result<void> zero_map(const std::string &c_name, size_t key_size, size_t value_size) override {
    int fd = bpf_.get_table(c_name).get_fd();
    if (fd < 0) return Error("no map named " + c_name);
    std::string zero(value_size, '\0');
    for (std::string &key : keys(fd, key_size))
      bpf_update_elem(fd, key.data(), zero.data(), BPF_EXIST);
    return {};
  }

  Result<void> open_events(const std::string &c_name, int perf_pages,
                           std::function<void(std::string_view)> on_record) override {
    on_record_ = std::move(on_record);
    if (perf_pages > 0) {
      // Records a full buffer refused are counted by BPF (perf_submit fails), not here.
      ebpf::StatusTuple st =
          bpf_.open_perf_buffer(c_name, perf_buffer_callback, nullptr, &on_record_, perf_pages);
      if (!st.ok()) return Error("cannot open the perf buffer " + c_name + ": " + st.msg());
      perf_buffer_ = c_name;
      return {};
    }
    int fd = bpf_.get_table(c_name).get_fd();
    if (fd < 0) return Error("no ring buffer named " + c_name);
    ring_ = static_cast<ring_buffer *>(bpf_new_ringbuf(fd, ring_buffer_callback, &on_record_));
    if (!ring_) return Error("cannot open the ring buffer " + c_name);
    return {};
  }

  Result<void> poll_events(int timeout_ms) override {
    if (!perf_buffer_.empty()) {
      if (bpf_.poll_perf_buffer(perf_buffer_, timeout_ms) < 0 && errno != EINTR)
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
  static bool lookup_batch(int fd, size_t key_size, size_t value_size, MapEntries &entries) {
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
      if (rc != 0 && !done) return false;
      for (uint32_t i = 0; i < attr.batch.count; ++i)
        entries.emplace_back(std::string(&keys[i * key_size], key_size),
                             std::string(&values[i * value_size], value_size));
      if (done) return true;
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

  Result<int> program_fd(const std::string &function, bpf_prog_type type) {
    auto it = loaded_.find(function);
    if (it != loaded_.end()) return it->second;
    int fd = -1;
    StderrCapture capture;
    ebpf::StatusTuple st = bpf_.load_func(function, type, fd);
    std::string noise = capture.restore();
    if (!st.ok()) return Error("cannot load " + function + ": " + st.msg() + "\n" + noise);
    loaded_[function] = fd;
    return fd;
  }

  ebpf::BPF bpf_;
  std::map<std::string, int> loaded_;
  ring_buffer *ring_ = nullptr;
  std::string perf_buffer_;  // when events come through a perf buffer instead
  std::function<void(std::string_view)> on_record_;
  int next_event_ = 0;
};

}  // namespace

std::unique_ptr<BpfBackend> make_bcc_backend() {
  return std::make_unique<BccBackend>();
}

}  // namespace ut::runtime
