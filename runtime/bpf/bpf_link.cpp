#include "runtime/bpf/bpf_link.h"

#include <linux/btf.h>

#include <cstring>

namespace ut::runtime {
namespace {

struct Linker {
  const BpfObject &object;
  const std::vector<int> &map_fds;
  const std::map<codegen::LoadConstant, uint64_t> &constants;
  LinkedProgram out;
  std::map<uint32_t, uint32_t> placed;  // function index -> start instruction

  // Appends function `index` and, after it, every callback it names; returns its start.
  Result<uint32_t> place(uint32_t index, int depth) {
    if (auto it = placed.find(index); it != placed.end()) return it->second;
    if (depth > 8) return Error("callbacks nest more than 8 deep");
    const BpfFunction &f = object.functions[index];
    auto start = static_cast<uint32_t>(out.insns.size());
    placed[index] = start;
    if (depth > 0) out.callback_starts.push_back(start);
    size_t count = f.insns.size() / sizeof(bpf_insn);
    out.insns.resize(start + count);
    std::memcpy(&out.insns[start], f.insns.data(), f.insns.size());
    for (const BpfRelocation &r : f.relocations) {
      uint32_t at = start + r.insn;
      switch (r.kind) {
        case BpfRelocation::Kind::MapFd:
          out.insns[at].src_reg = BPF_PSEUDO_MAP_FD;
          out.insns[at].imm = map_fds[r.target];
          out.insns[at + 1].imm = 0;
          break;
        case BpfRelocation::Kind::Constant: {
          auto it = constants.find(static_cast<codegen::LoadConstant>(r.target));
          uint64_t value = it == constants.end() ? 0 : it->second;
          out.insns[at].imm = static_cast<int32_t>(static_cast<uint32_t>(value));
          out.insns[at + 1].imm = static_cast<int32_t>(static_cast<uint32_t>(value >> 32));
          break;
        }
        case BpfRelocation::Kind::Function: {
          auto callee = place(r.target, depth + 1);  // may grow out.insns
          if (!callee) return std::move(callee).error();
          out.insns[at].src_reg = BPF_PSEUDO_FUNC;
          out.insns[at].imm = static_cast<int32_t>(*callee - at - 1);
          out.insns[at + 1].imm = 0;
          break;
        }
      }
    }
    return start;
  }
};

// Appends a BTF type record and its extra words.
void put(std::string &types, std::initializer_list<uint32_t> words) {
  for (uint32_t w : words) types.append(reinterpret_cast<const char *>(&w), sizeof(w));
}

FunctionBtf build_function_btf() {
  // Strings: offsets are fixed by this literal's layout.
  static const char kStrings[] = "\0int\0ctx\0ut_program\0ut_callback\0map\0key\0value\0data";
  auto str = [](const char *s) {
    return static_cast<uint32_t>(
        static_cast<const char *>(memmem(kStrings, sizeof(kStrings), s, strlen(s) + 1)) - kStrings);
  };
  std::string types;
  // 1: int
  put(types, {str("int"), BTF_KIND_INT << 24, 4, (BTF_INT_SIGNED << 24) | 32});
  // 2: void *
  put(types, {0, BTF_KIND_PTR << 24, 0});
  // 3: int (void *ctx)
  put(types, {0, (BTF_KIND_FUNC_PROTO << 24) | 1, 1, str("ctx"), 2});
  // 4: int (void *map, void *key, void *value, void *data)
  put(types, {0, (BTF_KIND_FUNC_PROTO << 24) | 4, 1, str("map"), 2, str("key"), 2, str("value"), 2,
              str("data"), 2});
  // 5: the program, a global function; 6: a callback, which the kernel wants static.
  put(types, {str("ut_program"), (BTF_KIND_FUNC << 24) | BTF_FUNC_GLOBAL, 3});
  put(types, {str("ut_callback"), (BTF_KIND_FUNC << 24) | BTF_FUNC_STATIC, 4});

  btf_header header{};
  header.magic = BTF_MAGIC;
  header.version = BTF_VERSION;
  header.hdr_len = sizeof(header);
  header.type_off = 0;
  header.type_len = static_cast<uint32_t>(types.size());
  header.str_off = header.type_len;
  header.str_len = sizeof(kStrings);
  FunctionBtf btf;
  btf.blob.append(reinterpret_cast<const char *>(&header), sizeof(header));
  btf.blob += types;
  btf.blob.append(kStrings, sizeof(kStrings));
  btf.main_type_id = 5;
  btf.callback_type_id = 6;
  return btf;
}

}  // namespace

Result<LinkedProgram> link_program(const BpfObject &object, size_t function,
                                   const std::vector<int> &map_fds,
                                   const std::map<codegen::LoadConstant, uint64_t> &constants) {
  Linker linker{object, map_fds, constants, {}, {}};
  auto start = linker.place(static_cast<uint32_t>(function), 0);
  if (!start) return std::move(start).error();
  return std::move(linker.out);
}

const FunctionBtf &function_btf() {
  static const FunctionBtf btf = build_function_btf();
  return btf;
}

}  // namespace ut::runtime
