// ElfFile: maps the file once with LLVM's MemoryBuffer, reads headers, sections and both symbol
// tables with LLVM's Object library, and keeps only plain tables afterwards. No LLVM object
// outlives open(); the buffer does, so bytes() can return views into it.
//
// This uses llvm::object::ELFFile (llvm/Object/ELF.h) rather than ELFObjectFile: the latter's
// header pulls in llvm/Support/JSON.h, which LLVM 14 cannot compile with clang in C++20 mode
// against libstdc++ 12 (incomplete llvm::json::Value in a constexpr std::vector).
#include "runtime/binary/elf.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <optional>
#include <system_error>
#include <utility>

#include <llvm/ADT/StringExtras.h>
#include <llvm/BinaryFormat/ELF.h>
#include <llvm/BinaryFormat/Magic.h>
#include <llvm/Demangle/Demangle.h>
#include <llvm/Object/ELF.h>
#include <llvm/Support/CRC.h>
#include <llvm/Support/Endian.h>
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

size_t leading_underscores(const std::string &name) {
  size_t n = name.find_first_not_of('_');
  return n == std::string::npos ? name.size() : n;
}

// Of two function symbols at one address, whether `a` is the less preferred: a size-0 one, then
// the one with more leading underscores ("__getpid" for "getpid"), then the greater name.
bool less_preferred(const ElfSymbol &a, const ElfSymbol &b) {
  if ((a.size == 0) != (b.size == 0)) return a.size == 0;
  size_t a_underscores = leading_underscores(a.name);
  size_t b_underscores = leading_underscores(b.name);
  if (a_underscores != b_underscores) return a_underscores > b_underscores;
  return a.name > b.name;
}

using ElfFile64 = llvm::object::ELFFile<llvm::object::ELF64LE>;

std::string lowercase_hex(llvm::ArrayRef<uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (uint8_t byte : bytes) {
    text.push_back(kDigits[byte >> 4]);
    text.push_back(kDigits[byte & 0xf]);
  }
  return text;
}

// The NT_GNU_BUILD_ID note among `notes` in hex; "" when there is none or the notes are
// malformed. Unlike a bad symbol table, a bad note does not make the file unusable: it only costs
// the lookup of a debug file.
template <typename Notes>
std::string build_id_in(Notes notes, llvm::Error &err) {
  std::string build_id;
  for (const auto &note : notes) {
    if (note.getType() == llvm::ELF::NT_GNU_BUILD_ID && note.getName() == "GNU") {
      build_id = lowercase_hex(note.getDesc());
      break;
    }
  }
  if (err) {
    llvm::consumeError(std::move(err));
    return "";
  }
  return build_id;
}

// The descriptions of the SystemTap probe notes among `notes` (owner "stapsdt", type 3). Notes
// after a malformed one cannot be found, so they are left out, like a bad build id note.
template <typename Notes>
std::vector<std::string> stapsdt_notes_in(Notes notes, llvm::Error &err) {
  constexpr uint32_t kStapsdtNote = 3;
  std::vector<std::string> descriptions;
  for (const auto &note : notes) {
    if (note.getType() == kStapsdtNote && note.getName() == "stapsdt")
      descriptions.push_back(llvm::toStringRef(note.getDesc()).str());
  }
  if (err) llvm::consumeError(std::move(err));
  return descriptions;
}

// The debug file's name, NUL-terminated and padded to 4 bytes, then the CRC32 of its contents.
struct DebugLink {
  std::string name;
  uint32_t crc = 0;
};

// The contents of .gnu_debuglink; nullopt when malformed (ignored like a bad note).
std::optional<DebugLink> read_debug_link(const ElfFile64 &ef, const ElfFile64::Elf_Shdr &shdr) {
  auto contents = ef.getSectionContents(shdr);
  if (!contents) {
    llvm::consumeError(contents.takeError());
    return std::nullopt;
  }
  llvm::StringRef data = llvm::toStringRef(*contents);
  size_t end = data.find('\0');
  if (end == llvm::StringRef::npos || end == 0) return std::nullopt;
  size_t crc_at = (end + 4) & ~size_t{3};
  if (crc_at + 4 > data.size()) return std::nullopt;
  return DebugLink{data.substr(0, end).str(),
                   llvm::support::endian::read32le(data.data() + crc_at)};
}

// The CRC32 that .gnu_debuglink records for the file at `path`; nullopt if it cannot be read.
std::optional<uint32_t> file_crc32(const std::string &path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) return std::nullopt;
  return llvm::crc32(llvm::arrayRefFromStringRef((*buffer)->getBuffer()));
}

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

std::string demangle(const std::string &name) {
  if (name.rfind("_Z", 0) != 0) return name;
  return llvm::demangle(name);
}

std::string without_parameters(const std::string &demangled) {
  static constexpr std::string_view kAnonymous = "(anonymous namespace)";
  size_t depth = 0;
  for (size_t i = 0; i < demangled.size(); ++i) {
    char c = demangled[i];
    if (c == '<') ++depth;
    if (c == '>' && depth > 0) --depth;
    if (c != '(' || depth > 0) continue;
    if (demangled.compare(i, kAnonymous.size(), kAnonymous) == 0) {
      i += kAnonymous.size() - 1;
      continue;
    }
    if (i > 0) return demangled.substr(0, i);
  }
  return demangled;
}

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
    if (shdr.sh_type == llvm::ELF::SHT_NOTE && *name == ".note.stapsdt") {
      llvm::Error err = llvm::Error::success();
      stapsdt_notes_ = stapsdt_notes_in(ef.notes(shdr, err), err);
    } else if (*name == ".stapsdt.base") {
      stapsdt_base_ = shdr.sh_addr;
    }
    ElfSection section{name->str(), shdr.sh_addr, shdr.sh_size, {}};
    if (shdr.sh_type != llvm::ELF::SHT_NOBITS) {
      // A section past the end of the file is left empty, like a bad note: the file's
      // symbols may still be good.
      auto contents = ef.getSectionContents(shdr);
      if (contents) {
        section.contents = llvm::toStringRef(*contents);
      } else {
        llvm::consumeError(contents.takeError());
      }
    }
    sections_.push_back(std::move(section));
    if (shdr.sh_type == llvm::ELF::SHT_NOTE && build_id_.empty()) {
      llvm::Error err = llvm::Error::success();
      build_id_ = build_id_in(ef.notes(shdr, err), err);
    } else if (shdr.sh_type == llvm::ELF::SHT_PROGBITS && *name == ".gnu_debuglink") {
      if (auto link = read_debug_link(ef, shdr)) {
        debug_link_ = std::move(link->name);
        debug_link_crc_ = link->crc;
      }
    }
  }
  // A file without section headers still has its notes in PT_NOTE segments.
  for (const auto &phdr : *phdrs) {
    if (phdr.p_type != llvm::ELF::PT_NOTE || !build_id_.empty()) continue;
    llvm::Error err = llvm::Error::success();
    build_id_ = build_id_in(ef.notes(phdr, err), err);
  }

  // .symtab first, then .dynsym, so dedup keeps the .symtab entry.
  for (uint32_t table_type : {llvm::ELF::SHT_SYMTAB, llvm::ELF::SHT_DYNSYM}) {
    for (const auto &shdr : *sections) {
      if (shdr.sh_type != table_type) continue;
      auto read = read_symbols(ef, *sections, shdr, symbols_, untyped_);
      if (!read) return std::move(read).error();
    }
  }
  index_symbols();
  return {};
}

void ElfFile::add_debug_symbols(const ElfFile &debug) {
  // Appended after this file's own symbols, so dedup keeps an own symbol over its twin.
  symbols_.insert(symbols_.end(), debug.symbols_.begin(), debug.symbols_.end());
  untyped_.insert(untyped_.end(), debug.untyped_.begin(), debug.untyped_.end());
  debug_path_ = debug.path();
  index_symbols();
}

// Sorts and dedups both tables, gives every symbol its file offset through this file's segments
// and rebuilds the address index for function_at().
void ElfFile::index_symbols() {
  demangled_data_.reset();
  for (auto *table : {&symbols_, &untyped_}) {
    sort_and_dedup(*table);
    for (ElfSymbol &symbol : *table) {
      const Segment *seg = segment_for(symbol.address);
      symbol.file_offset = seg != nullptr ? symbol.address - seg->vaddr + seg->offset : 0;
    }
  }

  functions_.clear();
  for (size_t i = 0; i < symbols_.size(); ++i) {
    const ElfSymbol &symbol = symbols_[i];
    if (!symbol.is_function || symbol.address == 0) continue;
    uint64_t end =
        symbol.size > UINT64_MAX - symbol.address ? UINT64_MAX : symbol.address + symbol.size;
    functions_.push_back({symbol.address, end, 0, i});
  }
  std::sort(functions_.begin(), functions_.end(),
            [this](const FunctionEntry &a, const FunctionEntry &b) {
              if (a.address != b.address) return a.address < b.address;
              return less_preferred(symbols_[a.index], symbols_[b.index]);
            });
  uint64_t max_end = 0;
  for (FunctionEntry &entry : functions_) {
    max_end = std::max(max_end, entry.end);
    entry.max_end = max_end;
  }
}

const ElfSection *ElfFile::section(std::string_view name) const {
  for (const ElfSection &section : sections_) {
    if (section.name == name) return &section;
  }
  return nullptr;
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
  // A mangled name that is no symbol is no demangled one either.
  if (best == nullptr && name.rfind("_Z", 0) != 0) {
    if (!demangled_data_) {
      auto &data = demangled_data_.emplace();
      for (size_t i = 0; i < symbols_.size(); ++i) {
        const ElfSymbol &s = symbols_[i];
        if (!s.is_function && s.name.rfind("_Z", 0) == 0) data.emplace_back(demangle(s.name), i);
      }
      std::sort(data.begin(), data.end());
    }
    auto lo = std::lower_bound(
        demangled_data_->begin(), demangled_data_->end(), name,
        [](const std::pair<std::string, size_t> &d, std::string_view n) { return d.first < n; });
    for (auto it = lo; it != demangled_data_->end() && it->first == name; ++it) {
      const ElfSymbol &s = symbols_[it->second];
      if (best == nullptr || (best->address == 0 && s.address != 0)) best = &s;
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

Result<uint64_t> ElfFile::address_of_file_offset(uint64_t offset) const {
  for (const Segment &seg : segments_) {
    if (offset >= seg.offset && offset - seg.offset < seg.filesz) {
      return seg.vaddr + (offset - seg.offset);
    }
  }
  return Error("file offset " + hex(offset) + " is in no loadable segment");
}

const ElfSymbol *ElfFile::function_at(uint64_t address) const {
  // Everything before `after` starts at or below `address`.
  auto after = std::upper_bound(functions_.begin(), functions_.end(), address,
                                [](uint64_t a, const FunctionEntry &f) { return a < f.address; });
  // Backwards, the first sized symbol that reaches past `address` is the innermost one holding
  // it, and at one address the preferred alias comes first.
  for (auto it = after; it != functions_.begin() && std::prev(it)->max_end > address;) {
    --it;
    if (it->end > address) return &symbols_[it->index];
  }
  if (after == functions_.begin()) return nullptr;
  // The last entry at the nearest start is sized if any there is; then none of them holds it.
  const FunctionEntry &nearest = *std::prev(after);
  if (nearest.end != nearest.address) return nullptr;
  const Segment *seg = segment_for(nearest.address);
  if (seg == nullptr || address - seg->vaddr >= seg->memsz) return nullptr;
  return &symbols_[nearest.index];
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

// A stale debug file (left by another version of the library) must not lend its symbols: a
// build-id candidate must carry the same id, a debug-link candidate the CRC32 the link records.
Result<ElfFile> open_debug_file(const ElfFile &elf, const std::string &real_path,
                                std::string_view root) {
  if (elf.build_id().empty() && elf.debug_link().empty()) {
    return Error("has neither a build id nor a .gnu_debuglink section");
  }
  std::vector<std::string> tried;
  const std::string &id = elf.build_id();
  if (id.size() > 2) {
    std::string path =
        std::string(root) + "/.build-id/" + id.substr(0, 2) + "/" + id.substr(2) + ".debug";
    tried.push_back(path);
    auto debug = ElfFile::open(path);
    if (debug && !debug->is_stripped() && debug->build_id() == id) return debug;
  }
  if (const std::string &link = elf.debug_link(); !link.empty()) {
    std::error_code ec;
    std::filesystem::path absolute = std::filesystem::absolute(real_path, ec);
    if (ec) absolute = real_path;  // no working directory: a relative path stays relative
    std::string dir = absolute.parent_path().string();
    for (std::string path :
         {dir + "/" + link, dir + "/.debug/" + link, std::string(root) + dir + "/" + link}) {
      tried.push_back(path);
      if (file_crc32(path) != elf.debug_link_crc()) continue;
      auto debug = ElfFile::open(path);
      if (debug && !debug->is_stripped()) return debug;
    }
  }
  std::string list;
  for (const std::string &path : tried) list += (list.empty() ? "" : ", ") + path;
  return Error("no separate debug file (tried " + list + ")");
}

}  // namespace ut::runtime
