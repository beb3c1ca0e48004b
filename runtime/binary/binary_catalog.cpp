#include "runtime/binary/binary_catalog.h"

#include <filesystem>

#include "runtime/binary/binary_path.h"
#include "runtime/binary/dwarf.h"
#include "runtime/binary/elf.h"
#include "runtime/binary/function_facts.h"
#include "runtime/binary/go_binary.h"

namespace ut::runtime {

struct ElfBinaryCatalog::File {
  std::optional<ElfFile> elf;
  std::string error;  // why `elf` could not be opened
  std::string real_path;
  // Opened when first needed (a C library's debug file is not read for arg0).
  bool dwarf_opened = false;
  std::optional<DwarfInfo> dwarf;  // when the file (or its debug file) has DWARF
  std::optional<codegen::BinaryFacts> facts;

  DwarfInfo *open_dwarf() {
    if (!dwarf_opened) {
      dwarf_opened = true;
      if (auto opened = DwarfInfo::open(*elf, real_path); opened && opened->has_dwarf())
        dwarf.emplace(std::move(*opened));
    }
    return dwarf ? &*dwarf : nullptr;
  }
};

namespace {

// The address of the C++ function whose demangled name is `name` ("ns::f(int)"), when the
// symbols of that name are at one address (constructor clones C1 and C2 may be). gcc gives
// functions in anonymous namespaces, and static ones, no DW_AT_linkage_name, so DWARF alone does
// not know them by such a name; probes find them by their symbols.
std::optional<uint64_t> demangled_function_address(const ElfFile &elf, const std::string &name) {
  std::optional<uint64_t> address;
  for (const ElfSymbol &symbol : elf.symbols()) {
    if (!symbol.is_function || symbol.address == 0 || symbol.name.rfind("_Z", 0) != 0) continue;
    if (demangle(symbol.name) != name) continue;
    if (address && *address != symbol.address) return std::nullopt;
    address = symbol.address;
  }
  return address;
}

}  // namespace

ElfBinaryCatalog::ElfBinaryCatalog(pid_t pid) : pid_(pid) {}
ElfBinaryCatalog::~ElfBinaryCatalog() = default;

ElfBinaryCatalog::File &ElfBinaryCatalog::file(const std::string &binary) {
  auto known = files_.find(binary);
  if (known != files_.end()) return *known->second;
  auto &f = *files_.emplace(binary, std::make_unique<File>()).first->second;
  auto path = resolve_binary(binary, pid_);
  if (!path) {
    f.error = path.error().message();
    return f;
  }
  auto elf = ElfFile::open(*path);
  if (!elf) {
    f.error = std::move(elf).error().context(*path).message();
    return f;
  }
  f.elf.emplace(std::move(*elf));
  std::error_code ec;
  f.real_path = std::filesystem::canonical(*path, ec).string();
  if (ec) f.real_path = *path;
  codegen::BinaryFacts &facts = f.facts.emplace();
  facts.go = f.elf->is_go();
  if (facts.go) {
    // The ABI and where g keeps its id: from DWARF, else from the Go version.
    if (auto go = GoBinaryInfo::read(*f.elf, f.open_dwarf())) {
      facts.go_register_abi = go->abi() == GoAbi::Register;
      if (go->goid_offset()) facts.goid_offset = static_cast<uint32_t>(*go->goid_offset());
    }
  }
  return f;
}

std::optional<codegen::BinaryFacts> ElfBinaryCatalog::facts(const std::string &binary) {
  return file(binary).facts;
}

Result<codegen::FunctionFacts> ElfBinaryCatalog::function(const std::string &binary,
                                                          const std::string &function) {
  File &f = file(binary);
  if (!f.elf) return Error(f.error);
  DwarfInfo *dwarf = f.open_dwarf();
  if (!dwarf) return Error(f.elf->path() + " has no DWARF debug info");
  // By the symbol's address first: it parses one compile unit, and finds C++ functions by
  // their mangled names, or by their demangled ones with parameters. DWARF by name knows the
  // rest (C++'s scoped names without parameters), and says when such a name is overloaded.
  auto fn = Result<DwarfFunction>(Error(""));
  if (auto symbol = f.elf->find_symbol(function)) {
    fn = dwarf->function_at(symbol->address);
  } else if (function.find('(') != std::string::npos) {
    if (auto address = demangled_function_address(*f.elf, function))
      fn = dwarf->function_at(*address);
  }
  if (!fn) fn = dwarf->function(function);
  if (!fn) return std::move(fn).error();
  CallingConvention convention = !f.facts->go                ? CallingConvention::SystemV
                                 : f.facts->go_register_abi ? CallingConvention::GoRegisters
                                                             : CallingConvention::GoStack;
  return function_facts(*dwarf, *fn, convention);
}

Result<codegen::Type> ElfBinaryCatalog::type(const std::string &binary, const std::string &name) {
  File &f = file(binary);
  if (!f.elf) return Error(f.error);
  DwarfInfo *dwarf = f.open_dwarf();
  if (!dwarf) return Error("no DWARF in " + f.elf->path());
  if (auto type = dwarf->named_type(name)) return *type;
  return Error("no type '" + name + "' in " + f.elf->path());
}

std::optional<codegen::Type> ElfBinaryCatalog::variable_type(const std::string &binary,
                                                             const std::string &symbol) {
  File &f = file(binary);
  DwarfInfo *dwarf = f.elf ? f.open_dwarf() : nullptr;
  if (!dwarf) return std::nullopt;
  return dwarf->variable_type(symbol);
}

}  // namespace ut::runtime
