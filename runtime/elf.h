// Symbols and address mapping of one ELF executable or shared library, for resolving uprobe
// targets ("main.doWork" -> file offset) and uaddr() globals. Only x86-64 ELF64 little-endian
// executables and shared objects are accepted. LLVM stays behind this header: callers need
// neither its headers nor its compile flags.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "support/result.h"

namespace llvm {
class MemoryBuffer;
}  // namespace llvm

namespace ut::runtime {

// One symbol of an ELF file. `address` is the symbol's virtual address as in the file (st_value);
// `file_offset` is where its first byte lives in the file (what uprobes attach to):
// address - PT_LOAD.p_vaddr + PT_LOAD.p_offset of the PT_LOAD segment that holds it, or 0 when no
// segment does (absolute symbols). For .bss data the offset lies past the segment's file bytes.
struct ElfSymbol {
  std::string name;
  uint64_t address = 0;
  uint64_t size = 0;
  uint64_t file_offset = 0;
  bool is_function = false;  // STT_FUNC or STT_GNU_IFUNC
};

// A parsed ELF file. The file is mapped once by open(); every query afterwards is in memory and
// never fails for I/O reasons. Movable, not copyable.
class ElfFile {
 public:
  // Opens and parses `path`. Error messages name the problem only ("does not exist", "is not an
  // ELF file", ...); callers add the path or probe as context.
  static Result<ElfFile> open(const std::string &path);

  ElfFile(ElfFile &&) noexcept;
  ElfFile &operator=(ElfFile &&) noexcept;
  ~ElfFile();

  const std::string &path() const { return path_; }

  // Exact-name lookup over .symtab and .dynsym. Undefined symbols are skipped; among several
  // definitions it prefers a non-zero address first, then a function or object over an untyped
  // (STT_NOTYPE) symbol. Section, file and TLS symbols are never found.
  // Error when missing: "symbol 'NAME' not found in PATH".
  Result<ElfSymbol> find_symbol(std::string_view name) const;

  // All defined function and object symbols of both tables, deduplicated by name+address and
  // sorted by name (then address).
  const std::vector<ElfSymbol> &symbols() const { return symbols_; }

  // Virtual address -> file offset through the PT_LOAD segments (by p_vaddr..p_vaddr+p_memsz);
  // an error if no segment holds `address`.
  Result<uint64_t> file_offset(uint64_t address) const;

  bool is_pie() const { return is_pie_; }            // e_type == ET_DYN
  bool is_go() const { return is_go_; }              // has .go.buildinfo or .gopclntab
  bool is_stripped() const { return is_stripped_; }  // has no .symtab

  // The file's bytes for virtual addresses [address, address+size), e.g. a function's code for
  // disassembly. The range must lie in the file-backed part of one PT_LOAD segment (not .bss).
  // The view lives as long as this ElfFile.
  Result<std::string_view> bytes(uint64_t address, uint64_t size) const;

 private:
  // One PT_LOAD program header.
  struct Segment {
    uint64_t vaddr = 0;
    uint64_t memsz = 0;
    uint64_t offset = 0;
    uint64_t filesz = 0;
  };

  ElfFile();
  Result<void> parse();
  const Segment *segment_for(uint64_t address) const;

  std::string path_;
  std::unique_ptr<llvm::MemoryBuffer> buffer_;
  std::vector<Segment> segments_;
  std::vector<ElfSymbol> symbols_;  // defined FUNC/IFUNC/OBJECT symbols, what symbols() returns
  std::vector<ElfSymbol> untyped_;  // defined NOTYPE symbols (_end, asm labels), same order
  bool is_pie_ = false;
  bool is_go_ = false;
  bool is_stripped_ = true;
};

}  // namespace ut::runtime
