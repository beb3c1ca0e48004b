#include "runtime/bpf/bcc_compiler.h"

#include <bcc/bcc_version.h>
#include <bcc/bpf_module.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <llvm/Support/ErrorHandling.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "codegen/plan.h"

namespace ut::runtime {
namespace {

// LLVM answers some errors in the C it compiles with exit(1) or a fatal error (the BPF stack
// limit above all); in the compiler process that only ends the compile.
void on_llvm_fatal_error(void *, const char *reason, bool) {
  fprintf(stderr, "%s\n", reason);
  _exit(1);
}

constexpr uint8_t kLoadImm64 = BPF_LD | BPF_IMM | BPF_DW;

// BCC has created the maps and written their descriptors into the instructions; turn each one
// back into a relocation naming the map, so that the object can be loaded with other maps.
Result<BpfFunction> extract_function(const ebpf::BPFModule &module, size_t id) {
  BpfFunction f;
  f.name = module.function_name(id);
  f.insns.assign(reinterpret_cast<const char *>(module.function_start(id)),
                 module.function_size(id));
  auto *insns = reinterpret_cast<bpf_insn *>(f.insns.data());
  size_t count = f.insns.size() / sizeof(bpf_insn);
  for (size_t i = 0; i + 1 < count; ++i) {
    if (insns[i].code != kLoadImm64) continue;
    if (insns[i].src_reg == BPF_PSEUDO_MAP_FD) {
      int fd = insns[i].imm;
      size_t map = 0;
      while (map < module.num_tables() && module.table_fd(map) != fd) ++map;
      if (map == module.num_tables())
        return Error(f.name + " refers to a map BCC did not declare (fd " + std::to_string(fd) +
                     ")");
      f.relocations.push_back(
          {BpfRelocation::Kind::MapFd, static_cast<uint32_t>(i), static_cast<uint32_t>(map)});
      insns[i].imm = 0;
    } else if (insns[i].src_reg == 0) {
      uint64_t value = static_cast<uint32_t>(insns[i].imm) |
                       static_cast<uint64_t>(static_cast<uint32_t>(insns[i + 1].imm)) << 32;
      uint64_t tag = value & 0xffffffff00000000ULL;
      auto id = static_cast<uint32_t>(value);
      if (tag == codegen::kLoadConstantTag) {
        f.relocations.push_back({BpfRelocation::Kind::Constant, static_cast<uint32_t>(i), id});
      } else if (tag == codegen::kCallbackTag) {
        std::string callee = codegen::kCallbackPrefix + std::to_string(id);
        size_t index = 0;
        while (index < module.num_functions() && callee != module.function_name(index)) ++index;
        if (index == module.num_functions())
          return Error(f.name + " refers to a callback that was not compiled: " + callee);
        f.relocations.push_back({BpfRelocation::Kind::Function, static_cast<uint32_t>(i),
                                 static_cast<uint32_t>(index)});
        insns[i].imm = insns[i + 1].imm = 0;
      }
    }
    ++i;  // the second half of the 16-byte instruction
  }
  return f;
}

// A callback reads its key pointer from R2 with `asm("%0 = r2")` as its first statement (see
// codegen's lower_for_map). Clang does not know that R2 holds anything at entry, so make sure no
// instruction before that read overwrote R2; a program that fails this is refused, not loaded.
Result<void> check_callback_entry(const BpfFunction &f) {
  auto *insns = reinterpret_cast<const bpf_insn *>(f.insns.data());
  size_t count = f.insns.size() / sizeof(bpf_insn);
  for (size_t i = 0; i < count; ++i) {
    const bpf_insn &in = insns[i];
    uint8_t cls = BPF_CLASS(in.code);
    if (in.code == (BPF_ALU64 | BPF_MOV | BPF_X) && in.src_reg == BPF_REG_2) return {};
    bool writes_r2 = in.dst_reg == BPF_REG_2 && cls != BPF_ST && cls != BPF_STX;
    if (writes_r2 || cls == BPF_JMP || cls == BPF_JMP32) break;
    if (in.code == kLoadImm64) ++i;
  }
  return Error("the compiled " + f.name + " does not begin by reading its key from R2");
}

// The compile itself, in the compiler process. Errors are Clang's and BCC's messages.
Result<BpfObject> compile_here(const std::string &c_source,
                               const std::vector<std::string> &defines) {
  std::vector<std::string> flags;
  for (const std::string &d : defines) flags.push_back("-D" + d);
  std::vector<const char *> cflags;
  for (const std::string &f : flags) cflags.push_back(f.c_str());

  auto module = std::make_unique<ebpf::BPFModule>(0, nullptr, /*rw_engine_enabled=*/false, "",
                                                  /*allow_rlimit=*/true);
  int rc = module->load_string(c_source, cflags.data(), static_cast<int>(cflags.size()));
  if (rc != 0) return Error("");  // Clang has said why on stderr

  BpfObject object;
  object.license = module->license() ? module->license() : "GPL";
  object.kern_version = module->kern_version();
  for (size_t i = 0; i < module->num_tables(); ++i) {
    BpfMapDef m;
    m.name = module->table_name(i);
    m.type = static_cast<uint32_t>(module->table_type(i));
    m.key_size = static_cast<uint32_t>(module->table_key_size(i));
    m.value_size = static_cast<uint32_t>(module->table_leaf_size(i));
    m.max_entries = static_cast<uint32_t>(module->table_max_entries(i));
    m.flags = static_cast<uint32_t>(module->table_flags(i));
    object.maps.push_back(std::move(m));
  }
  for (size_t i = 0; i < module->num_functions(); ++i) {
    auto f = extract_function(*module, i);
    if (!f) return std::move(f).error();
    if (f->name.rfind(codegen::kCallbackPrefix, 0) == 0)
      if (auto ok = check_callback_entry(*f); !ok) return std::move(ok).error();
    object.functions.push_back(std::move(*f));
  }
  return object;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

std::string read_all(int fd) {
  std::string out;
  char buf[65536];
  for (ssize_t n; (n = read(fd, buf, sizeof(buf))) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

Result<CompiledObject> compile_with_bcc(const std::string &c_source,
                                        const std::vector<std::string> &defines) {
  // Clang and LLVM run in a child process: the ~60 MB they use go back to the system when it
  // exits instead of staying in the long-running tracer, and an error LLVM answers with exit()
  // or abort() ends the child, not utrace. The child sends the serialized object on a pipe and
  // its stderr (Clang's messages, BCC's noise) goes to a file read only when the compile failed.
  int pipe_fds[2];
  FILE *messages = tmpfile();
  if (!messages || pipe2(pipe_fds, O_CLOEXEC) != 0)
    return Error(std::string("cannot start the compiler: ") + strerror(errno));
  fflush(stdout);
  fflush(stderr);
  pid_t pid = fork();
  if (pid < 0) return Error(std::string("cannot start the compiler: ") + strerror(errno));
  if (pid == 0) {
    close(pipe_fds[0]);
    dup2(fileno(messages), STDERR_FILENO);
    llvm::install_fatal_error_handler(on_llvm_fatal_error);
    auto object = compile_here(c_source, defines);
    if (!object) {
      fprintf(stderr, "%s", object.error().message().c_str());
      _exit(1);
    }
    _exit(write_all(pipe_fds[1], serialize(*object, "")) ? 0 : 1);
  }
  close(pipe_fds[1]);
  std::string bytes = read_all(pipe_fds[0]);
  close(pipe_fds[0]);
  int status = 0;
  rusage usage{};
  while (wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  std::string text;
  rewind(messages);
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof(buf), messages)) > 0;) text.append(buf, n);
  fclose(messages);
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
    auto object = deserialize(bytes, "");
    if (!object) return Error("BPF compilation failed: " + object.error().message());
    return CompiledObject{std::move(*object), static_cast<uint64_t>(usage.ru_maxrss) * 1024};
  }
  if (text.find("stack limit") != std::string::npos)
    text =
        "a probe needs more than the 512 bytes of stack BPF allows (strings take 64 bytes "
        "each): split the probe or use fewer string values at once";
  if (WIFSIGNALED(status))
    text += "\nthe compiler was ended by signal " + std::to_string(WTERMSIG(status));
  while (!text.empty() && isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  return Error("BPF compilation failed: " + text);
}

std::string bcc_compiler_identity() {
  std::ostringstream id;
  id << "bcc " << LIBBCC_VERSION << "\n";
  utsname u{};
  if (uname(&u) == 0) {
    id << "kernel " << u.release << " " << u.version << "\n";
    // The headers BCC compiles against: which package the build link points at.
    std::string build = std::string("/lib/modules/") + u.release + "/build";
    if (char *real = realpath(build.c_str(), nullptr)) {
      id << "headers " << real << "\n";
      free(real);
    }
  }
  return id.str();
}

}  // namespace ut::runtime
