#include "runtime/binary/uprobe_targets.h"

#include <algorithm>
#include <map>

#include "runtime/binary/disassembler.h"
#include "runtime/binary/go_binary.h"
#include "support/strings.h"

namespace ut::runtime {
namespace {

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

// The function's RET instructions, as targets.
Result<std::vector<UprobeTarget>> return_targets(const ElfFile &elf, const ElfSymbol &f) {
  if (f.size == 0)
    return Error(f.name +
                 " has no size in the symbol table: its RET instructions "
                 "cannot be found");
  auto code = elf.bytes(f.address, f.size);
  if (!code) return std::move(code).error();
  auto instructions = disassemble_x86_64(*code);
  if (!instructions) return std::move(instructions).error().context(f.name);
  std::vector<UprobeTarget> targets;
  for (const Instruction &i : *instructions) {
    if (!i.is_return) continue;
    auto t = target_at(elf, &f, f.address + i.offset);
    if (!t) return std::move(t).error();
    t->at_return = true;
    targets.push_back(std::move(*t));
  }
  if (targets.empty())
    return Error(demangle(f.name) +
                 " has no RET instruction (it never returns), so a return probe cannot go there");
  return targets;
}

bool starts_with(std::string_view code, uint64_t at, std::initializer_list<uint8_t> bytes) {
  if (at + bytes.size() > code.size()) return false;
  for (uint8_t b : bytes)
    if (static_cast<uint8_t>(code[at++]) != b) return false;
  return true;
}

// Go writes a generic function as `main.Sum[...]`; its symbols are one per shape of its type
// arguments, `main.Sum[go.shape.int_0]`. The pattern that matches them all, or "" for a name
// without `[...]`.
std::string go_generic_pattern(const std::string &name) {
  std::string pattern = name;
  bool generic = false;
  for (size_t at; (at = pattern.find("[...]")) != std::string::npos; generic = true)
    pattern.replace(at, 5, "[*]");
  return generic ? pattern : "";
}

}  // namespace

uint64_t go_prologue_end(std::string_view code) {
  auto decoded = disassemble_x86_64(code, /*whole=*/false);
  if (!decoded || decoded->size() < 2) return 0;
  const std::vector<Instruction> &in = *decoded;
  auto is_jbe = [&](size_t k) {
    return k < in.size() && (starts_with(code, in[k].offset, {0x76}) ||
                             starts_with(code, in[k].offset, {0x0f, 0x86}));
  };
  auto after = [&](size_t k) { return in[k].offset + in[k].size; };
  // Register ABI (Go 1.17+): g is in R14, the stack guard at g+16.
  if (starts_with(code, in[0].offset, {0x49, 0x3b, 0x66, 0x10}) && is_jbe(1))  // cmp rsp,[r14+16]
    return after(1);
  if ((starts_with(code, in[0].offset, {0x4c, 0x8d, 0x64, 0x24}) ||   // lea r12,[rsp-N]
       starts_with(code, in[0].offset, {0x4c, 0x8d, 0xa4, 0x24})) &&  // (disp32)
      starts_with(code, in[1].offset, {0x4d, 0x3b, 0x66, 0x10}) &&
      is_jbe(2))  // cmp r12,[r14+16]
    return after(2);
  // Stack ABI: g from thread-local storage into RCX, then the same comparison.
  if (in.size() > 2 && starts_with(code, in[0].offset, {0x64, 0x48, 0x8b, 0x0c, 0x25})) {
    if (starts_with(code, in[1].offset, {0x48, 0x3b, 0x61, 0x10}) && is_jbe(2))  // cmp rsp,[rcx+16]
      return after(2);
    if (in.size() > 3 && starts_with(code, in[1].offset, {0x48, 0x8d, 0x44, 0x24}) &&  // lea rax
        starts_with(code, in[2].offset, {0x48, 0x3b, 0x41, 0x10}) && is_jbe(3))  // cmp rax,[rcx+16]
      return after(3);
  }
  return 0;
}

bool is_function_pattern(const ElfFile &elf, const std::string &symbol) {
  return symbol.find_first_of("*?") != std::string::npos && !elf.find_symbol(symbol);
}

Result<std::vector<UprobeTarget>> find_uprobe_targets(const ElfFile &elf,
                                                      const codegen::ProbeSpec &probe,
                                                      const UprobeOptions &options) {
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
  } else if (std::string shapes = go_generic_pattern(probe.symbol); !shapes.empty()) {
    functions =
        functions_where(elf, [&](const std::string &name) { return glob_match(shapes, name); });
  } else {
    functions = functions_where(elf, [&](const std::string &name) { return name == probe.symbol; });
  }
  // A stripped Go binary has no symbol table, but its .gopclntab names every function.
  std::vector<ElfSymbol> from_pclntab;
  if (functions.empty() && elf.is_go() && elf.is_stripped()) {
    auto go = GoBinaryInfo::read(elf, nullptr);
    if (go) {
      std::string shapes = go_generic_pattern(probe.symbol);
      bool pattern = probe.symbol.find_first_of("*?") != std::string::npos;
      for (const GoFunction &g : go->functions()) {
        bool hit = pattern           ? glob_match(probe.symbol, g.name)
                   : !shapes.empty() ? glob_match(shapes, g.name) || g.name == probe.symbol
                                     : g.name == probe.symbol;
        if (hit) from_pclntab.push_back(ElfSymbol{g.name, g.entry, g.end - g.entry, 0, true});
      }
    }
    for (const ElfSymbol &f : from_pclntab) functions.push_back(&f);
  }
  bool go = elf.is_go() && probe.symbol_offset == 0;
  for (const ElfSymbol *f : functions) {
    if (go && probe.kind == codegen::ProbeKind::Uretprobe && !options.kernel_uretprobe) {
      auto returns = return_targets(elf, *f);
      if (!returns) return std::move(returns).error();
      targets.insert(targets.end(), returns->begin(), returns->end());
      continue;
    }
    if (go && probe.kind == codegen::ProbeKind::Uprobe && f->size > 0) {
      auto code = elf.bytes(f->address, std::min<uint64_t>(f->size, 64));
      uint64_t skip = code ? go_prologue_end(*code) : 0;
      auto t = target_at(elf, f, f->address + skip);
      if (!t) return std::move(t).error();
      targets.push_back(std::move(*t));
      continue;
    }
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
