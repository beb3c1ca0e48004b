#include "runtime/binary_catalog.h"

#include "runtime/binary_path.h"
#include "runtime/elf.h"

namespace ut::runtime {

std::optional<codegen::BinaryFacts> ElfBinaryCatalog::facts(const std::string &binary) {
  auto known = known_.find(binary);
  if (known != known_.end()) return known->second;
  std::optional<codegen::BinaryFacts> facts;
  auto path = resolve_binary(binary, pid_);
  if (path) {
    if (auto elf = ElfFile::open(*path)) {
      facts.emplace();
      facts->go = elf->is_go();
      // amd64 Go has passed arguments in registers since 1.17; older builds are rare now.
      facts->go_register_abi = elf->is_go();
    }
  }
  known_[binary] = facts;
  return facts;
}

}  // namespace ut::runtime
