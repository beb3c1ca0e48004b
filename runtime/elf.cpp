// ElfFile: maps the file once with LLVM's MemoryBuffer, reads headers, sections and both symbol
// tables with LLVM's Object library, and keeps only plain tables afterwards. No LLVM object
// outlives open(); the buffer does, so bytes() can return views into it.
//
// This uses llvm::object::ELFFile (llvm/Object/ELF.h) rather than ELFObjectFile: the latter's
// header pulls in llvm/Support/JSON.h, which LLVM 14 cannot compile with clang in C++20 mode
// against libstdc++ 12 (incomplete llvm::json::Value in a constexpr std::vector).
#include "runtime/elf.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <system_error>
#include <utility>

#include <llvm/BinaryFormat/ELF.h>
#include <llvm/BinaryFormat/Magic.h>
#include <llvm/Object/ELF.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

namespace ut::runtime {
namespace {

std::string hex(uint64_t value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%" PRIx64, value);
  return buf;
}

// Consumes an llvm::Error (it must be handled exactly once) and returns its text.
std::string take_message(llvm::Error err) {
  return llvm::toString(std::move(err));
}

bool by_name_then_address(const ElfSymbol &a, const ElfSymbol &b) {
  if (a.name != b.name) return a.name < b.name;
  return a.address < b.address;
}

bool same_name_and_address(const ElfSymbol &a, const ElfSymbol &b) {
  return a.name == b.name && a.address == b.address;
}

// Sorts by name+address and drops repeats (a symbol in both .symtab and .dynsym), keeping the
// first of each run, so a .symtab entry wins over its .dynsym twin.
void sort_and_dedup(std::vector<ElfSymbol> &symbols) {
  std::stable_sort(symbols.begin(), symbols.end(), by_name_then_address);
  symbols.erase(std::unique(symbols.begin(), symbols.end(), same_name_and_address), symbols.end());
}

// The symbols named `name` in `symbols`, which is sorted by name.
std::pair<std::vector<ElfSymbol>::const_iterator, std::vector<ElfSymbol>::const_iterator>
equal_name_range(const std::vector<ElfSymbol> &symbols, std::string_view name) {
  auto lo = std::lower_bound(symbols.begin(), symbols.end(), name,
                             [](const ElfSymbol &s, std::string_view n) { return s.name < n; });
  auto hi = std::upper_bound(lo, symbols.end(), name,
                             [](std::string_view n, const ElfSymbol &s) { return n < s.name; });
  return {lo, hi};
}

using ElfFile64 = llvm::object::ELFFile<llvm::object::ELF64LE>;

// Appends the defined FUNC/IFUNC/OBJECT symbols of `table` to `typed` and the defined NOTYPE ones
// to `untyped`, file_offset still 0; everything else (undefined, section, file, TLS, unnamed) is
// skipped.
Result<void> read_symbols(const ElfFile64 &ef, ElfFile64::Elf_Shdr_Range sections,
                          const ElfFile64::Elf_Shdr &table, std::vector<ElfSymbol> &typed,
                          std::vector<ElfSymbol> &untyped) {
  auto strtab = ef.getStringTableForSymtab(table, sections);
  if (!strtab) return Error("has a bad string table: " + take_message(strtab.takeError()));
  auto syms = ef.symbols(&table);
  if (!syms) return Error("has a bad symbol table: " + take_message(syms.takeError()));
  for (const auto &raw : *syms) {
    uint8_t type = raw.getType();
    bool is_function = type == llvm::ELF::STT_FUNC || type == llvm::ELF::STT_GNU_IFUNC;
    bool is_typed = is_function || type == llvm::ELF::STT_OBJECT;
    if (raw.isUndefined() || (!is_typed && type != llvm::ELF::STT_NOTYPE)) continue;
    auto name = raw.getName(*strtab);
    if (!name) return Error("has a bad symbol name: " + take_message(name.takeError()));
    if (name->empty()) continue;
    (is_typed ? typed : untyped)
        .push_back(ElfSymbol{name->str(), raw.st_value, raw.st_size, 0, is_function});
  }
  return {};
}

}  // namespace

ElfFile::ElfFile() = default;
ElfFile::ElfFile(ElfFile &&) noexcept = default;
ElfFile &ElfFile::operator=(ElfFile &&) noexcept = default;
ElfFile::~ElfFile() = default;

Result<ElfFile> ElfFile::open(const std::string &path) {
  // No null terminator needed, so large files are mmapped rather than copied.
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    std::error_code ec = buffer.getError();
    if (ec == std::errc::no_such_file_or_directory) return Error("does not exist");
    return Error("cannot read: " + ec.message());
  }
  ElfFile elf;
  elf.path_ = path;
  elf.buffer_ = std::move(*buffer);
  if (auto parsed = elf.parse(); !parsed) return std::move(parsed).error();
  return elf;
}

// Fills every table from buffer_. Rejects anything but x86-64 ELF64 LE executables and shared
// objects; a malformed file is an error, not a partial result.
Result<void> ElfFile::parse() {
  llvm::StringRef data = buffer_->getBuffer();
  switch (llvm::identify_magic(data)) {
    case llvm::file_magic::elf:
    case llvm::file_magic::elf_relocatable:
    case llvm::file_magic::elf_executable:
    case llvm::file_magic::elf_shared_object:
    case llvm::file_magic::elf_core:
      break;
    default:
      return Error("is not an ELF file");
  }
  if (llvm::object::getElfArchType(data) !=
      std::make_pair<uint8_t, uint8_t>(llvm::ELF::ELFCLASS64, llvm::ELF::ELFDATA2LSB)) {
    return Error("is not a 64-bit little-endian ELF file (only x86-64 is supported)");
  }

  auto created = ElfFile64::create(data);
  if (!created) return Error("is not a valid ELF file: " + take_message(created.takeError()));
  const ElfFile64 &ef = *created;
  const auto &header = ef.getHeader();
  if (header.e_machine != llvm::ELF::EM_X86_64) {
    return Error("is an ELF file for machine " + std::to_string(header.e_machine) +
                 "; only x86-64 is supported");
  }
  if (header.e_type == llvm::ELF::ET_REL) {
    return Error("is a relocatable object file, not an executable or shared library");
  }
  if (header.e_type == llvm::ELF::ET_CORE) {
    return Error("is a core dump, not an executable or shared library");
  }
  if (header.e_type != llvm::ELF::ET_EXEC && header.e_type != llvm::ELF::ET_DYN) {
    return Error("is not an executable or shared library (ELF type " +
                 std::to_string(header.e_type) + ")");
  }
  is_pie_ = header.e_type == llvm::ELF::ET_DYN;

  auto phdrs = ef.program_headers();
  if (!phdrs) return Error("has bad program headers: " + take_message(phdrs.takeError()));
  for (const auto &phdr : *phdrs) {
    if (phdr.p_type != llvm::ELF::PT_LOAD) continue;
    segments_.push_back({phdr.p_vaddr, phdr.p_memsz, phdr.p_offset, phdr.p_filesz});
  }

  auto sections = ef.sections();
  if (!sections) return Error("has bad section headers: " + take_message(sections.takeError()));
  for (const auto &shdr : *sections) {
    if (shdr.sh_type == llvm::ELF::SHT_SYMTAB) is_stripped_ = false;
    auto name = ef.getSectionName(shdr);
    if (!name) return Error("has a bad section name: " + take_message(name.takeError()));
    if (*name == ".go.buildinfo" || *name == ".gopclntab") is_go_ = true;
  }

  // .symtab first, then .dynsym, so dedup keeps the .symtab entry.
  for (uint32_t table_type : {llvm::ELF::SHT_SYMTAB, llvm::ELF::SHT_DYNSYM}) {
    for (const auto &shdr : *sections) {
      if (shdr.sh_type != table_type) continue;
      auto read = read_symbols(ef, *sections, shdr, symbols_, untyped_);
      if (!read) return std::move(read).error();
    }
  }
  for (auto *table : {&symbols_, &untyped_}) {
    sort_and_dedup(*table);
    for (ElfSymbol &symbol : *table) {
      if (const Segment *seg = segment_for(symbol.address)) {
        symbol.file_offset = symbol.address - seg->vaddr + seg->offset;
      }
    }
  }
  return {};
}

const ElfFile::Segment *ElfFile::segment_for(uint64_t address) const {
  for (const Segment &seg : segments_) {
    if (address >= seg.vaddr && address - seg.vaddr < seg.memsz) return &seg;
  }
  return nullptr;
}

Result<ElfSymbol> ElfFile::find_symbol(std::string_view name) const {
  // A non-zero address wins first; then the earlier table, so typed beats untyped (NOTYPE).
  const ElfSymbol *best = nullptr;
  for (const auto *table : {&symbols_, &untyped_}) {
    auto [lo, hi] = equal_name_range(*table, name);
    for (auto it = lo; it != hi; ++it) {
      if (best == nullptr || (best->address == 0 && it->address != 0)) best = &*it;
    }
  }
  if (best == nullptr) {
    return Error("symbol '" + std::string(name) + "' not found in " + path_);
  }
  return *best;
}

Result<uint64_t> ElfFile::file_offset(uint64_t address) const {
  const Segment *seg = segment_for(address);
  if (seg == nullptr) return Error("address " + hex(address) + " is in no loadable segment");
  return address - seg->vaddr + seg->offset;
}

Result<std::string_view> ElfFile::bytes(uint64_t address, uint64_t size) const {
  auto range_error = [&](const char *problem) {
    return Error("address range [" + hex(address) + ", +" + std::to_string(size) + ") " + problem);
  };
  const Segment *seg = segment_for(address);
  if (seg == nullptr) return range_error("is in no loadable segment");
  // Compared by subtraction, never by adding to `size`, so huge sizes cannot wrap around.
  uint64_t start = address - seg->vaddr;
  if (start > seg->filesz || size > seg->filesz - start) {
    return range_error("is not backed by file contents");
  }
  uint64_t offset = seg->offset + start;
  std::string_view file = buffer_->getBuffer();
  if (offset > file.size() || size > file.size() - offset) {
    return range_error("lies past the end of the file");
  }
  return file.substr(offset, size);
}

}  // namespace ut::runtime
