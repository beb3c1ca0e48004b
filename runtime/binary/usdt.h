// USDT probes (SystemTap SDT, <sys/sdt.h>): where each lives in an ELF file, read from its
// .note.stapsdt notes, and how BPF reads its arguments, from each location's argument specs
// ("-4@%edi 8@-16(%rbp) 4@$5"), as C the generated program uses.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "codegen/plan.h"
#include "runtime/binary/elf.h"
#include "support/result.h"

namespace ut::runtime {

// One location of a USDT probe. A probe the compiler copied (inlined) has one per copy, each
// with its own argument specs. Addresses are the file's virtual addresses, corrected for
// prelinking (.stapsdt.base); offsets are file offsets, what uprobes take.
struct UsdtProbe {
  std::string provider;
  std::string name;
  uint64_t address = 0;  // the probe's nop
  uint64_t file_offset = 0;
  uint64_t semaphore_address = 0;  // 0: the probe has no semaphore
  uint64_t semaphore_offset = 0;
  std::string arguments;  // as in the note: "-4@%edi 8@%rax"

  std::string full_name() const { return provider + ":" + name; }  // "myprov:tick"
};

// Every USDT probe location of `elf`, in the order of its notes. A note that is malformed or
// points outside the file's segments is an error naming it.
Result<std::vector<UsdtProbe>> read_usdt_probes(const ElfFile &elf);

// The locations that `spec` names in `elf`, sorted by provider, name and address:
// "provider:name" (each part may be a pattern with '*' and '?'), or "name" alone, in any
// provider. A plain name alone must belong to one provider only: an error lists the candidates
// otherwise. Empty when nothing matches.
Result<std::vector<UsdtProbe>> find_usdt_probes(const ElfFile &elf, const std::string &spec);

// One argument spec of a location: SIZE@OPERAND, SIZE negative for a signed value.
struct UsdtArgument {
  enum class Kind { Constant, Register, Memory };
  Kind kind = Kind::Constant;
  int size = 8;  // bytes: 1, 2, 4 or 8
  bool is_signed = false;
  int64_t value = 0;   // Constant: the value as written; Memory: the displacement
  std::string base;    // Register, Memory: a pt_regs field ("di", "ip"); "" for none
  int shift = 0;       // Register: 8 for %ah, %bh, %ch, %dh
  std::string index;   // Memory: the index register's pt_regs field, "" for none
  int scale = 1;       // Memory: the index's factor
  std::string symbol;  // Memory: `counter(%rip)`, `counter+8(%rip)`: the symbol
};

// The argument specs of one location, split and parsed. Errors name the spec that could not be
// read ("cannot read the argument '4@%xmm0'").
Result<std::vector<UsdtArgument>> parse_usdt_arguments(std::string_view text);

// A C expression (an s64) of argument `arg` at the location `probe` of `elf`, read in a BPF
// program whose `struct pt_regs *ctx` is the uprobe's at that location: registers from ctx,
// memory with bpf_probe_read_user(), extended to 64 bits by the argument's size and sign.
// A symbol-relative operand (`counter(%rip)`) is found relative to the probe's own address,
// which ctx->ip holds there, so that it also works where the file is loaded at another address.
Result<std::string> usdt_argument_c(const UsdtArgument &arg, const UsdtProbe &probe,
                                    const ElfFile &elf);

// One place a usdt attach point reached: a location in a file.
struct UsdtPlace {
  const ElfFile *elf;
  const UsdtProbe *probe;
};

// The definitions ("NAME(ctx)=BODY", see codegen::usdt_argument_macro and usdt_probe_macro) of
// the macros through which the program of usdt attach point `probe_index` reads `probe` and its
// first `args_read` arguments at `places`, given in the order of their attach cookies. The
// program picks what to read by the place it fired at: the low half of its cookie. Errors name
// the place: an argument its probe does not have, or one utrace cannot read.
Result<std::vector<std::string>> usdt_macros(size_t probe_index, uint32_t args_read,
                                             const std::vector<UsdtPlace> &places);

}  // namespace ut::runtime
