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

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>

#include "runtime/bpf/bcc_compiler.h"
#include "runtime/bpf/bpf_backend.h"
#include "runtime/bpf/bpf_link.h"
#include "runtime/bpf/cpus.h"

namespace ut::runtime {
namespace {

// File descriptors that hold attachments: BPF links and the perf events under them. Closing them
// is the whole detach, and the kernel does the same when utrace dies.
class FdAttachment : public Attachment {
 public:
  explicit FdAttachment(std::vector<int> fds) : fds_(std::move(fds)) {}
  ~FdAttachment() override {
    for (auto it = fds_.rbegin(); it != fds_.rend(); ++it) close(*it);
  }

 private:
  std::vector<int> fds_;
};

// ENOTSUPP: the kernel-internal errno (not in the uapi headers) with which uprobe registration
// refuses an instruction it cannot step over.
constexpr int kNotSupported = 524;

// BPF_LINK_CREATE's uprobe_multi attributes (Linux 6.6), declared here because the uapi headers
// utrace builds against may predate them. The layout is the kernel's ABI.
constexpr uint32_t kTraceUprobeMulti = 48;  // enum bpf_attach_type: BPF_TRACE_UPROBE_MULTI
constexpr uint32_t kUprobeMultiReturn = 1;  // BPF_F_UPROBE_MULTI_RETURN
struct UprobeMultiLinkAttr {
  uint32_t prog_fd;
  uint32_t target_fd;
  uint32_t attach_type;
  uint32_t flags;
  uint64_t path;
  uint64_t offsets;
  uint64_t ref_ctr_offsets;
  uint64_t cookies;
  uint32_t cnt;
  uint32_t multi_flags;
  uint32_t pid;
};
static_assert(sizeof(UprobeMultiLinkAttr) <= sizeof(union bpf_attr));

// The uprobe PMU's type and config bits, from sysfs (perf_event_open(2) describes the files).
struct UprobePmu {
  int type = -1;
  int retprobe_bit = 0;
  int ref_ctr_shift = 32;
};

int read_int_after(const std::string &path, const std::string &prefix) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  if (text.rfind(prefix, 0) != 0) return -1;
  return atoi(text.c_str() + prefix.size());
}

const UprobePmu &uprobe_pmu() {
  static const UprobePmu pmu = [] {
    const std::string dir = "/sys/bus/event_source/devices/uprobe/";
    UprobePmu p;
    p.type = read_int_after(dir + "type", "");
    int bit = read_int_after(dir + "format/retprobe", "config:");
    if (bit >= 0) p.retprobe_bit = bit;
    int shift = read_int_after(dir + "format/ref_ctr_offset", "config:");
    if (shift >= 0) p.ref_ctr_shift = shift;
    return p;
  }();
  return pmu;
}

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

// Whether this kernel has uprobe_multi links: a program loaded for them, linked to a path that is
// not a regular file, fails with EBADF where they exist and EINVAL where they do not.
// UTRACE_NO_UPROBE_MULTI=1 makes utrace use one perf event per site, as on older kernels.
bool kernel_has_uprobe_multi() {
  if (const char *off = getenv("UTRACE_NO_UPROBE_MULTI"); off && *off && strcmp(off, "0") != 0)
    return false;
  static const bool has = [] {
    bpf_insn insns[] = {{BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0},
                        {BPF_JMP | BPF_EXIT, 0, 0, 0, 0}};
    union bpf_attr attr {};
    attr.prog_type = BPF_PROG_TYPE_KPROBE;
    attr.expected_attach_type = kTraceUprobeMulti;
    attr.insns = reinterpret_cast<uint64_t>(insns);
    attr.insn_cnt = 2;
    attr.license = reinterpret_cast<uint64_t>("GPL");
    int prog = static_cast<int>(bpf(BPF_PROG_LOAD, attr));
    if (prog < 0) return false;
    uint64_t offset = 0;
    union bpf_attr link {};
    UprobeMultiLinkAttr m{};
    m.prog_fd = static_cast<uint32_t>(prog);
    m.attach_type = kTraceUprobeMulti;
    m.path = reinterpret_cast<uint64_t>("/");
    m.offsets = reinterpret_cast<uint64_t>(&offset);
    m.cnt = 1;
    memcpy(&link, &m, sizeof(m));
    int fd = static_cast<int>(bpf(BPF_LINK_CREATE, link));
    int error = errno;
    if (fd >= 0) close(fd);
    close(prog);
    return fd < 0 && error == EBADF;
  }();
  return has;
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
std::string log_tail(const std::string &buffer, size_t max_lines) {
  std::string_view log(buffer.c_str());  // the kernel's text ends at its NUL
  size_t end = log.find_last_not_of('\n');
  if (end == std::string::npos) return "";
  size_t begin = end + 1;
  for (size_t lines = 0; begin > 0 && lines < max_lines;)
    if (log[--begin] == '\n') ++lines;
  if (log[begin] == '\n') ++begin;
  return std::string(log.substr(begin, end + 1 - begin));
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

  Result<std::unique_ptr<Attachment>> attach_uprobes(const std::string &function,
                                                     const std::string &binary,
                                                     const std::vector<UprobeSite> &sites,
                                                     bool is_return, pid_t pid,
                                                     std::vector<size_t> &refused) override {
    std::vector<int> fds;
    Result<void> attached;
    std::vector<size_t> all(sites.size());
    for (size_t i = 0; i < all.size(); ++i) all[i] = i;
    if (kernel_has_uprobe_multi()) {
      auto fd = program_fd(function, program_type(codegen::ProbeKind::Uprobe), kTraceUprobeMulti);
      if (!fd) return std::move(fd).error();
      attached = link_uprobe_multi(*fd, binary, sites, all, is_return, pid, fds, refused);
    } else {
      auto fd = program_fd(function, program_type(codegen::ProbeKind::Uprobe));
      if (!fd) return std::move(fd).error();
      for (size_t i = 0; i < sites.size() && attached; ++i) {
        attached = link_uprobe(*fd, binary, sites[i], is_return, pid, fds);
        if (!attached && errno == kNotSupported) {
          refused.push_back(i);
          attached = {};
        }
      }
    }
    if (!attached) {
      for (int fd : fds) close(fd);
      return std::move(attached).error();
    }
    return std::unique_ptr<Attachment>(new FdAttachment(std::move(fds)));
  }

  Result<void> verify(const std::string &function, codegen::ProbeKind kind) override {
    bool uprobe = kind == codegen::ProbeKind::Uprobe || kind == codegen::ProbeKind::Uretprobe ||
                  kind == codegen::ProbeKind::Usdt;
    auto fd = program_fd(function, program_type(kind),
                         uprobe && kernel_has_uprobe_multi() ? kTraceUprobeMulti : 0);
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
    return std::unique_ptr<Attachment>(new FdAttachment({perf_fd}));
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
    auto attachment = std::make_unique<FdAttachment>(std::vector<int>{perf_fd});
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

  // One uprobe through the uprobe PMU (a perf event), its program linked with the site's cookie;
  // the descriptors go to `fds`. errno says why on failure.
  Result<void> link_uprobe(int prog_fd, const std::string &binary, const UprobeSite &site,
                           bool is_return, pid_t pid, std::vector<int> &fds) {
    const UprobePmu &pmu = uprobe_pmu();
    if (pmu.type < 0) {
      errno = ENOENT;
      return Error("this kernel has no uprobe PMU (/sys/bus/event_source/devices/uprobe)");
    }
    perf_event_attr pa{};
    pa.size = sizeof(pa);
    pa.type = static_cast<uint32_t>(pmu.type);
    pa.config = (is_return ? 1ULL << pmu.retprobe_bit : 0) | site.semaphore_offset
                                                                 << pmu.ref_ctr_shift;
    pa.config1 = reinterpret_cast<uint64_t>(binary.c_str());
    pa.config2 = site.file_offset;
    // A uprobe event with a pid follows that process's memory: all its threads.
    int perf_fd = static_cast<int>(syscall(__NR_perf_event_open, &pa, pid > 0 ? pid : -1,
                                           pid > 0 ? -1 : 0, -1, PERF_FLAG_FD_CLOEXEC));
    if (perf_fd < 0) return errno_error("cannot attach a uprobe to " + binary);
    fds.push_back(perf_fd);
    union bpf_attr attr {};
    attr.link_create.prog_fd = static_cast<uint32_t>(prog_fd);
    attr.link_create.target_fd = static_cast<uint32_t>(perf_fd);
    attr.link_create.attach_type = BPF_PERF_EVENT;
    attr.link_create.perf_event.bpf_cookie = site.cookie;
    int link = static_cast<int>(bpf(BPF_LINK_CREATE, attr));
    if (link < 0) return errno_error("cannot attach a program to a uprobe of " + binary);
    fds.push_back(link);
    return {};
  }

  // An error saying `what` failed and why, with errno left as it was for the caller to test.
  static Error errno_error(const std::string &what) {
    int error = errno;
    Error e(what + ": " + strerror(error));
    errno = error;
    return e;
  }

  // Sites `which` of `sites` as uprobe_multi links: one link for all when the kernel takes them
  // all. When it refuses one (ENOTSUPP fails the whole link), the halves are tried apart, down to
  // the sites it refuses, which go to `refused`.
  Result<void> link_uprobe_multi(int prog_fd, const std::string &binary,
                                 const std::vector<UprobeSite> &sites,
                                 const std::vector<size_t> &which, bool is_return, pid_t pid,
                                 std::vector<int> &fds, std::vector<size_t> &refused) {
    if (which.empty()) return {};
    std::vector<uint64_t> offsets, cookies, semaphores;
    bool any_semaphore = false;
    for (size_t i : which) {
      offsets.push_back(sites[i].file_offset);
      cookies.push_back(sites[i].cookie);
      semaphores.push_back(sites[i].semaphore_offset);
      any_semaphore = any_semaphore || sites[i].semaphore_offset != 0;
    }
    UprobeMultiLinkAttr m{};
    m.prog_fd = static_cast<uint32_t>(prog_fd);
    m.attach_type = kTraceUprobeMulti;
    m.path = reinterpret_cast<uint64_t>(binary.c_str());
    m.offsets = reinterpret_cast<uint64_t>(offsets.data());
    m.ref_ctr_offsets = any_semaphore ? reinterpret_cast<uint64_t>(semaphores.data()) : 0;
    m.cookies = reinterpret_cast<uint64_t>(cookies.data());
    m.cnt = static_cast<uint32_t>(which.size());
    m.multi_flags = is_return ? kUprobeMultiReturn : 0;
    m.pid = pid > 0 ? static_cast<uint32_t>(pid) : 0;
    union bpf_attr attr {};
    memcpy(&attr, &m, sizeof(m));
    int link = static_cast<int>(bpf(BPF_LINK_CREATE, attr));
    if (link >= 0) {
      fds.push_back(link);
      return {};
    }
    if (errno != kNotSupported)
      return Error("cannot attach uprobes to " + binary + ": " + strerror(errno));
    if (which.size() == 1) {
      refused.push_back(which[0]);
      return {};
    }
    size_t half = which.size() / 2;
    std::vector<size_t> first(which.begin(), which.begin() + static_cast<long>(half));
    std::vector<size_t> second(which.begin() + static_cast<long>(half), which.end());
    if (auto r = link_uprobe_multi(prog_fd, binary, sites, first, is_return, pid, fds, refused); !r)
      return r;
    return link_uprobe_multi(prog_fd, binary, sites, second, is_return, pid, fds, refused);
  }

  // The program `function` loaded as `type` (for `attach_type` links), loading it the first time.
  Result<int> program_fd(const std::string &function, bpf_prog_type type,
                         uint32_t attach_type = 0) {
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
    attr.expected_attach_type = attach_type;
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
};

}  // namespace

std::unique_ptr<BpfBackend> make_kernel_backend(BackendOptions options) {
  return std::make_unique<KernelBackend>(std::move(options));
}

}  // namespace ut::runtime
