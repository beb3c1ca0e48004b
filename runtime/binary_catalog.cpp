#include "runtime/binary_catalog.h"

#include <filesystem>

#include "runtime/binary_path.h"
#include "runtime/dwarf.h"
#include "runtime/elf.h"
#include "runtime/go_binary.h"

namespace ut::runtime {

std::optional<codegen::BinaryFacts> ElfBinaryCatalog::facts(const std::string &binary) {
  auto known = known_.find(binary);
  if (known != known_.end()) return known->second;
  std::optional<codegen::BinaryFacts> facts;
  auto path = resolve_binary(binary, pid_);
  auto elf = path ? ElfFile::open(*path) : Result<ElfFile>(Error(""));
  if (elf) {
    facts.emplace();
    facts->go = elf->is_go();
    if (facts->go) {
      // The ABI and where g keeps its id: from DWARF, else from the Go version.
      std::error_code ec;
      std::string real_path = std::filesystem::canonical(*path, ec).string();
      auto dwarf = DwarfInfo::open(*elf, ec ? *path : real_path);
      DwarfInfo *dwarf_ptr = dwarf && dwarf->has_dwarf() ? &*dwarf : nullptr;
      if (auto go = GoBinaryInfo::read(*elf, dwarf_ptr)) {
        facts->go_register_abi = go->abi() == GoAbi::Register;
        if (go->goid_offset()) facts->goid_offset = static_cast<uint32_t>(*go->goid_offset());
      }
    }
  }
  known_[binary] = facts;
  return facts;
}

}  // namespace ut::runtime
