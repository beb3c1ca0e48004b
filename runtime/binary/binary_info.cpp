#include "runtime/binary/binary_info.h"

#include <filesystem>
#include <optional>

#include "runtime/binary/binary_path.h"
#include "runtime/binary/dwarf.h"
#include "runtime/binary/elf.h"
#include "runtime/binary/go_binary.h"

namespace ut::runtime {
namespace {

const char *yes_no(bool value) {
  return value ? "yes" : "no";
}

std::string source_note(GoFactSource source) {
  switch (source) {
    case GoFactSource::Dwarf:
      return " (from DWARF)";
    case GoFactSource::Version:
      return " (from Go version)";
    case GoFactSource::None:
      break;
  }
  return "";
}

// The language of a binary that is not Go, by its compile units: C++ when any is C++, then C,
// then Rust.
std::string language_of(DwarfInfo *dwarf) {
  if (dwarf == nullptr) return "unknown";
  bool seen[3] = {false, false, false};
  const char *const kOrder[3] = {"C++", "C", "Rust"};
  for (const DwarfUnit &unit : dwarf->units()) {
    for (int i = 0; i < 3; ++i) seen[i] = seen[i] || unit.language == kOrder[i];
  }
  for (int i = 0; i < 3; ++i) {
    if (seen[i]) return kOrder[i];
  }
  return "unknown";
}

}  // namespace

Result<std::string> describe_binary(const std::string &name, pid_t pid) {
  auto path = resolve_binary(name, pid);
  if (!path) return std::move(path).error();
  auto elf = ElfFile::open(*path);
  if (!elf) return std::move(elf).error().context(*path);
  std::error_code ec;
  std::string real_path = std::filesystem::canonical(*path, ec).string();
  std::optional<DwarfInfo> dwarf;
  if (auto opened = DwarfInfo::open(*elf, ec ? *path : real_path); opened && opened->has_dwarf())
    dwarf = std::move(*opened);
  DwarfInfo *dwarf_ptr = dwarf ? &*dwarf : nullptr;

  std::string out = "file: " + *path + "\n";
  size_t functions = 0;
  if (elf->is_go()) {
    auto go = GoBinaryInfo::read(*elf, dwarf_ptr);
    if (!go) return std::move(go).error().context(*path);
    out += "language: Go\n";
    out += "go version: " + (go->version().empty() ? "unknown" : go->version()) + "\n";
    const char *abi = go->abi() == GoAbi::Register ? "register"
                      : go->abi() == GoAbi::Stack  ? "stack"
                                                   : "unknown";
    out += std::string("abi: ") + abi + source_note(go->abi_source()) + "\n";
    out += "goid offset: " +
           (go->goid_offset() ? std::to_string(*go->goid_offset()) : std::string("unknown")) +
           source_note(go->goid_offset_source()) + "\n";
    functions = go->functions().size();
  } else {
    out += "language: " + language_of(dwarf_ptr) + "\n";
    for (const ElfSymbol &symbol : elf->symbols())
      if (symbol.is_function && symbol.address != 0) ++functions;
  }
  out += std::string("stripped: ") + yes_no(elf->is_stripped()) + "\n";
  out += std::string("pie: ") + yes_no(elf->is_pie()) + "\n";
  std::string dwarf_line = "no";
  if (dwarf) dwarf_line = dwarf->path() == elf->path() ? "yes" : "yes (" + dwarf->path() + ")";
  out += "dwarf: " + dwarf_line + "\n";
  out += "functions: " + std::to_string(functions) + "\n";
  return out;
}

}  // namespace ut::runtime
