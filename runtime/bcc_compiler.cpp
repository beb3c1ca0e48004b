#include "runtime/bcc_compiler.h"

#include <bcc/bcc_version.h>
#include <bcc/bpf_module.h>
#include <linux/bpf.h>
#include <llvm/Support/ErrorHandling.h>
#include <sys/utsname.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

#include "codegen/plan.h"
#include "runtime/stderr_capture.h"

namespace ut::runtime {
namespace {

// LLVM ends the process on some errors in the C it compiles (exit(1) from a diagnostic, or a
// fatal error), the BPF stack limit above all. It does so from inside BCC with stderr captured:
// say what happened before the process goes. Nothing is attached yet when BCC compiles.
void explain_exit() {
  std::optional<std::string> text = StderrCapture::restore_at_exit();
  if (!text) return;
  if (text->find("stack limit") != std::string::npos)
    *text =
        "a probe needs more than the 512 bytes of stack BPF allows (strings take 64 bytes "
        "each): split the probe or use fewer string values at once\n";
  fprintf(stderr, "ERROR: BPF compilation failed: %s", text->c_str());
  fflush(stderr);
}

void on_llvm_fatal_error(void *, const char *reason, bool) {
  fprintf(stderr, "%s\n", reason);  // into the capture, for explain_exit()
  exit(1);
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

}  // namespace

Result<BpfObject> compile_with_bcc(const std::string &c_source,
                                   const std::vector<std::string> &defines) {
  static bool installed = [] {
    llvm::install_fatal_error_handler(on_llvm_fatal_error);
    return atexit(explain_exit) == 0;
  }();
  (void)installed;

  std::vector<std::string> flags;
  for (const std::string &d : defines) flags.push_back("-D" + d);
  std::vector<const char *> cflags;
  for (const std::string &f : flags) cflags.push_back(f.c_str());

  StderrCapture capture;
  auto module = std::make_unique<ebpf::BPFModule>(0, nullptr, /*rw_engine_enabled=*/false, "",
                                                  /*allow_rlimit=*/true);
  int rc = module->load_string(c_source, cflags.data(), static_cast<int>(cflags.size()));
  std::string noise = capture.restore();
  if (rc != 0) return Error("BPF compilation failed: " + noise);

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
