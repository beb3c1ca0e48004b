#include "runtime/uprobe_targets.h"

#include <algorithm>
#include <map>

#include "runtime/disassembler.h"
#include "support/strings.h"

namespace ut::runtime {
namespace {

// "ns::Foo::bar(int) const" -> "ns::Foo::bar": the name without its parameter list.
std::string without_parameters(const std::string &demangled) {
  size_t depth = 0;
  for (size_t i = 0; i < demangled.size(); ++i) {
    char c = demangled[i];
    if (c == '<') ++depth;
    if (c == '>' && depth > 0) --depth;
    if (c == '(' && depth == 0 && i > 0) return demangled.substr(0, i);
  }
  return demangled;
}

// Checks that `address` is the first byte of an instruction of the function that holds it, by
// disassembling the function up to there.
Result<void> check_instruction_boundary(const ElfFile &elf, const ElfSymbol *function,
                                        uint64_t address) {
  if (!function || address <= function->address) return {};
  uint64_t into = address - function->address;
  uint64_t length = function->size > 0 ? function->size : into + 16;
  auto code = elf.bytes(function->address, length);
  if (!code) return std::move(code).error();
  // A function of unknown size is decoded a little past the probe: its last instruction may be
  // cut there, which is not an error.
  auto instructions = disassemble_x86_64(*code, /*whole=*/function->size > 0);
  uint64_t start = 0;
  if (instructions)
    for (const Instruction &i : *instructions)
      if (i.offset <= into) start = i.offset;
  if (instructions && start == into) return {};
  return Error(function->name + "+" + std::to_string(into) +
               " is not the first byte of an instruction" +
               (instructions ? " (the instruction there starts at " + function->name + "+" +
                                   std::to_string(start) + ")"
                             : ""));
}

Result<UprobeTarget> target_at(const ElfFile &elf, const ElfSymbol *function, uint64_t address) {
  if (auto ok = check_instruction_boundary(elf, function, address); !ok)
    return std::move(ok).error();
  auto offset = elf.file_offset(address);
  if (!offset) return std::move(offset).error();
  return UprobeTarget{function ? demangle(function->name) : std::string(), *offset};
}

// Every function (one per address) whose name, demangled name or demangled name without its
// parameters satisfies `matches`.
// Of aliases (malloc, __libc_malloc) the one named as people call it: fewer leading underscores.
template <typename Match>
std::vector<const ElfSymbol *> functions_where(const ElfFile &elf, Match matches) {
  auto underscores = [](const std::string &name) { return name.find_first_not_of('_'); };
  std::map<uint64_t, const ElfSymbol *> by_address;
  for (const ElfSymbol &s : elf.symbols()) {
    if (!s.is_function || s.address == 0) continue;
    bool hit = matches(s.name);
    if (!hit && s.name.rfind("_Z", 0) == 0) {
      std::string demangled = demangle(s.name);
      hit = matches(demangled) || matches(without_parameters(demangled));
    }
    if (!hit) continue;
    auto [it, added] = by_address.emplace(s.address, &s);
    if (!added && underscores(s.name) < underscores(it->second->name)) it->second = &s;
  }
  std::vector<const ElfSymbol *> found;
  for (const auto &[address, symbol] : by_address) found.push_back(symbol);
  std::sort(found.begin(), found.end(),
            [](const ElfSymbol *a, const ElfSymbol *b) { return a->name < b->name; });
  return found;
}

}  // namespace

bool is_function_pattern(const ElfFile &elf, const std::string &symbol) {
  return symbol.find_first_of("*?") != std::string::npos && !elf.find_symbol(symbol);
}

Result<std::vector<UprobeTarget>> find_uprobe_targets(const ElfFile &elf,
                                                      const codegen::ProbeSpec &probe) {
  std::vector<UprobeTarget> targets;
  if (probe.address) {
    auto t = target_at(elf, elf.function_at(*probe.address), *probe.address);
    if (!t) return std::move(t).error();
    targets.push_back(std::move(*t));
    return targets;
  }
  std::vector<const ElfSymbol *> functions;
  ElfSymbol exact;
  if (auto sym = elf.find_symbol(probe.symbol)) {
    exact = *sym;
    functions.push_back(&exact);
  } else if (is_function_pattern(elf, probe.symbol)) {
    functions = functions_where(
        elf, [&](const std::string &name) { return glob_match(probe.symbol, name); });
  } else {
    functions = functions_where(elf, [&](const std::string &name) { return name == probe.symbol; });
  }
  for (const ElfSymbol *f : functions) {
    if (f->size > 0 && probe.symbol_offset >= f->size)
      return Error(probe.symbol + "+" + std::to_string(probe.symbol_offset) +
                   " is past the end of " + probe.symbol + " (" + std::to_string(f->size) +
                   " bytes)");
    auto t = target_at(elf, f, f->address + probe.symbol_offset);
    if (!t) return std::move(t).error();
    targets.push_back(std::move(*t));
  }
  return targets;
}

}  // namespace ut::runtime
