// Symbols and address mapping of one ELF executable or shared library, for resolving uprobe
// targets ("main.doWork" -> file offset) and uaddr() globals, and back from code addresses to
// functions for usym()/ustack(). Only x86-64 ELF64 little-endian executables and shared objects
// are accepted. LLVM stays behind this header: callers need neither its headers nor its compile
// flags.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
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

// One section header of an ELF file.
struct ElfSection {
  std::string name;
  uint64_t address = 0;  // sh_addr: 0 for sections not loaded (.symtab, .debug_*)
  uint64_t size = 0;     // sh_size
  // The section's bytes in the file, as stored (compressed sections stay compressed); empty for
  // SHT_NOBITS (.bss) and for a section that claims bytes past the end of the file. The view
  // lives as long as the ElfFile.
  std::string_view contents;
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
  // A C++ data (STT_OBJECT) symbol is also found by its demangled name: "geo::total" for
  // _ZN3geo5totalE, as uaddr() is given it. Functions are not, since a demangled function name
  // may stand for several symbols (overloads, constructor clones): find_uprobe_targets() places
  // probes by those. Error when missing: "symbol 'NAME' not found in PATH".
  Result<ElfSymbol> find_symbol(std::string_view name) const;

  // All defined function and object symbols of both tables, deduplicated by name+address and
  // sorted by name (then address).
  const std::vector<ElfSymbol> &symbols() const { return symbols_; }

  // Virtual address -> file offset through the PT_LOAD segments (by p_vaddr..p_vaddr+p_memsz);
  // an error if no segment holds `address`.
  Result<uint64_t> file_offset(uint64_t address) const;
  // The inverse: file offset -> virtual address, through the PT_LOAD segment whose file bytes
  // (p_offset..p_offset+p_filesz) hold `offset`; an error if none does.
  Result<uint64_t> address_of_file_offset(uint64_t offset) const;

  // The function symbol (is_function) that holds virtual address `address`: the innermost one
  // whose [address, address+size) contains it, else the nearest preceding size-0 function (asm
  // routines such as _start) as long as it lies in the same PT_LOAD segment; nullptr when none.
  // Among aliases it prefers a sized symbol, then fewer leading underscores ("getpid" over
  // "__getpid"). O(log n) for ordinary, non-nested functions. The symbol lives as long as this
  // ElfFile.
  const ElfSymbol *function_at(uint64_t address) const;

  // The first section named `name`; nullptr when there is none. The section lives as long as
  // this ElfFile.
  const ElfSection *section(std::string_view name) const;

  bool is_pie() const { return is_pie_; }            // e_type == ET_DYN
  bool is_go() const { return is_go_; }              // has .go.buildinfo or .gopclntab
  bool is_stripped() const { return is_stripped_; }  // has no .symtab of its own

  // The GNU build id (the NT_GNU_BUILD_ID note) in lowercase hex; "" when the file has none or its
  // notes are malformed.
  const std::string &build_id() const { return build_id_; }
  // The file name in .gnu_debuglink and the CRC32 of the debug file it names; "" and 0 when the
  // file has no such section.
  const std::string &debug_link() const { return debug_link_; }
  uint32_t debug_link_crc() const { return debug_link_crc_; }

  // The descriptions of the file's SystemTap probe notes (.note.stapsdt notes of owner "stapsdt"
  // and type 3), raw, in file order: runtime/usdt.h reads them. Malformed notes are left out.
  const std::vector<std::string> &stapsdt_notes() const { return stapsdt_notes_; }
  // The address of the .stapsdt.base section, which the notes' addresses are relative to when the
  // file was prelinked; nullopt when the file has no such section.
  std::optional<uint64_t> stapsdt_base() const { return stapsdt_base_; }

  // Adds the function and object symbols of `debug`, this file's separate debug file (see
  // open_debug_file()), to symbols(), find_symbol() and function_at(), as if this file's .symtab
  // had never been stripped. Only symbols are taken: the debug file's addresses are this file's
  // virtual addresses, but its segments carry no file bytes, so file offsets, bytes() and
  // address_of_file_offset() keep using this file's segments. Merging into one table, rather
  // than asking two files in turn, keeps the alias preferences of function_at() across both.
  void add_debug_symbols(const ElfFile &debug);
  // The path of the debug file whose symbols were added; "" when none was.
  const std::string &debug_path() const { return debug_path_; }

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

  // One function symbol in address order, for function_at(). `max_end` is the largest `end` of
  // this entry and all before it: a backward search stops where no earlier symbol reaches further.
  struct FunctionEntry {
    uint64_t address = 0;
    uint64_t end = 0;  // address + size, saturated
    uint64_t max_end = 0;
    size_t index = 0;  // into symbols_
  };

  ElfFile();
  Result<void> parse();
  void index_symbols();
  const Segment *segment_for(uint64_t address) const;

  std::string path_;
  std::unique_ptr<llvm::MemoryBuffer> buffer_;
  std::vector<Segment> segments_;
  std::vector<ElfSection> sections_;
  std::vector<ElfSymbol> symbols_;  // defined FUNC/IFUNC/OBJECT symbols, what symbols() returns
  std::vector<ElfSymbol> untyped_;  // defined NOTYPE symbols (_end, asm labels), same order
  std::vector<FunctionEntry> functions_;  // by address; at one address the preferred one last
  // The C++ data symbols of symbols_ by their demangled names, sorted: (name, index). Made by
  // the first lookup that needs it, since demangling every symbol costs more than most uses of
  // a file (symbolizing a stack) ever need.
  mutable std::optional<std::vector<std::pair<std::string, size_t>>> demangled_data_;
  bool is_pie_ = false;
  bool is_go_ = false;
  bool is_stripped_ = true;
  std::string build_id_;
  std::string debug_link_;
  uint32_t debug_link_crc_ = 0;
  std::string debug_path_;
  std::vector<std::string> stapsdt_notes_;
  std::optional<uint64_t> stapsdt_base_;
};

// A C++ (Itanium ABI) symbol name as people write it, "ns::Foo::bar(int)"; any other name as it
// is.
std::string demangle(const std::string &name);

// A demangled C++ function name without its parameter list and what follows it:
// "ns::Foo::bar(int) const" -> "ns::Foo::bar". Parentheses in template arguments and in
// "(anonymous namespace)" belong to the name.
std::string without_parameters(const std::string &demangled);

// Where distributions install separate debug files (gdb's default debug-file-directory).
inline constexpr std::string_view kDebugRoot = "/usr/lib/debug";

// Opens the separate debug file of `elf`: the file with the .symtab that a stripped library
// lacks (Debian's libc6-dbg, Fedora's debuginfo packages). Searches as gdb does: by build id,
// ROOT/.build-id/XX/REST.debug where XX is the id's first byte; then by the .gnu_debuglink name,
// in DIR, DIR/.debug and ROOT/DIR, where DIR is the directory of `real_path`, the file's path
// with symlinks resolved (`elf.path()` may be a /proc/PID/map_files link, and debug links are
// relative to the real file). A candidate counts only if it is an ELF file with a .symtab and
// matches: the same build id by build id, the link's CRC32 by debug link. Error when none does:
// "no separate debug file (tried PATH, PATH, ...)".
Result<ElfFile> open_debug_file(const ElfFile &elf, const std::string &real_path,
                                std::string_view root = kDebugRoot);

}  // namespace ut::runtime
