// GoBinaryInfo: Go's own tables, decoded as Go's debug/buildinfo and debug/gosym describe them,
// with every read bounds-checked, since a stripped binary or a scan for a header can hand us any
// bytes.
#include "runtime/binary/go_binary.h"

#include <algorithm>

namespace ut::runtime {
namespace {

constexpr std::string_view kBuildInfoMagic = "\xff Go buildinf:";
constexpr size_t kBuildInfoHeaderSize = 32;
constexpr size_t kBuildInfoAlign = 16;
constexpr uint8_t kBuildInfoBigEndian = 1;
constexpr uint8_t kBuildInfoInline = 2;

constexpr uint32_t kPclntab12 = 0xfffffffb;   // Go 1.2-1.15
constexpr uint32_t kPclntab116 = 0xfffffffa;  // Go 1.16-1.17
constexpr uint32_t kPclntab118 = 0xfffffff0;  // Go 1.18-1.19
constexpr uint32_t kPclntab120 = 0xfffffff1;  // Go 1.20 and later, laid out as 1.18's

// Little-endian reads of `size` (1-8) bytes at `offset`; nullopt past the end.
std::optional<uint64_t> read_uint(std::string_view data, uint64_t offset, unsigned size) {
  if (offset > data.size() || data.size() - offset < size) return std::nullopt;
  uint64_t value = 0;
  for (unsigned i = 0; i < size; ++i)
    value |= uint64_t(static_cast<uint8_t>(data[offset + i])) << (8 * i);
  return value;
}

// The NUL-terminated string at `offset`; nullopt when it does not end before `data` does.
std::optional<std::string_view> read_cstring(std::string_view data, uint64_t offset) {
  if (offset >= data.size()) return std::nullopt;
  size_t end = data.find('\0', offset);
  if (end == std::string_view::npos) return std::nullopt;
  return data.substr(offset, end - offset);
}

// A uvarint-length string at the front of `data`, which then starts past it; nullopt when
// malformed.
std::optional<std::string_view> take_varint_string(std::string_view &data) {
  uint64_t length = 0;
  size_t i = 0;
  for (unsigned shift = 0;; shift += 7) {
    if (i >= data.size() || shift > 63) return std::nullopt;
    uint8_t byte = static_cast<uint8_t>(data[i++]);
    length |= uint64_t(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) break;
  }
  if (length > data.size() - i) return std::nullopt;
  std::string_view text = data.substr(i, length);
  data.remove_prefix(i + length);
  return text;
}

// The Go string whose header {data, len} is at `address`.
std::optional<std::string> read_go_string(const ReadAddress &read, uint64_t address,
                                          unsigned ptr_size) {
  auto header = read(address, 2 * ptr_size);
  if (!header || header->size() < 2 * ptr_size) return std::nullopt;
  uint64_t data = *read_uint(*header, 0, ptr_size);
  uint64_t length = *read_uint(*header, ptr_size, ptr_size);
  if (length == 0) return std::string();
  if (length > (1u << 20)) return std::nullopt;
  auto text = read(data, length);
  if (!text || text->size() < length) return std::nullopt;
  return std::string(text->substr(0, length));
}

// cmd/go frames the module info with 16-byte sentinels; without them it is not module info.
std::string unframe_module_info(std::string_view text) {
  if (text.size() >= 33 && text[text.size() - 17] == '\n')
    return std::string(text.substr(16, text.size() - 32));
  return "";
}

// Every byte offset in `data` where a pclntab header of a known magic could start.
std::vector<size_t> pclntab_candidates(std::string_view data) {
  std::vector<size_t> found;
  // Past the magic's first byte: 0xff 0xff 0xff, two zero bytes, quantum, pointer size 8.
  constexpr std::string_view kTail("\xff\xff\xff\x00\x00", 5);
  for (size_t at = data.find(kTail, 1); at != std::string_view::npos;
       at = data.find(kTail, at + 1)) {
    size_t start = at - 1;
    if (start % 4 != 0 || at + 6 >= data.size() || data[at + 6] != 8) continue;
    uint8_t low = static_cast<uint8_t>(data[start]);
    if (low == 0xf0 || low == 0xf1 || low == 0xfa || low == 0xfb) found.push_back(start);
  }
  return found;
}

}  // namespace

std::optional<GoVersion> parse_go_version(std::string_view text) {
  size_t at = text.find("go1.");
  if (at == std::string_view::npos) return std::nullopt;
  text.remove_prefix(at + 2);
  int parts[3] = {0, 0, 0};
  for (int i = 0; i < 3; ++i) {
    if (text.empty() || text[0] < '0' || text[0] > '9') {
      if (i < 2) return std::nullopt;  // "go1." without a minor release
      break;
    }
    int value = 0;
    while (!text.empty() && text[0] >= '0' && text[0] <= '9' && value < 100000) {
      value = value * 10 + (text[0] - '0');
      text.remove_prefix(1);
    }
    parts[i] = value;
    if (text.empty() || text[0] != '.') break;  // "rc2", " X:...", "-abcdef" end the number
    text.remove_prefix(1);
  }
  return GoVersion{parts[0], parts[1], parts[2]};
}

std::optional<uint64_t> goid_offset_for(const GoVersion &version) {
  // runtime.g starts stack (16), stackguard0/1, _panic, _defer, m, sched (a gobuf of 7 words,
  // 6 from 1.25), syscallsp, syscallpc, [syscallbp from 1.23], stktopsp, param, atomicstatus,
  // stackLock, goid. Datadog's generated table (pkg/network/go/goid) agrees for 1.13-1.24.
  if (version.major != 1 || version.minor < 13 || version.minor > 25) return std::nullopt;
  if (version.minor == 23 || version.minor == 24) return 160;
  return 152;
}

Result<GoBuildInfo> parse_go_buildinfo(std::string_view section, const ReadAddress &read) {
  // The linker aligns the blob to 16 bytes; in .go.buildinfo it comes first.
  size_t at = 0;
  while (true) {
    at = section.find(kBuildInfoMagic, at);
    if (at == std::string_view::npos) return Error("no build info magic");
    if (at % kBuildInfoAlign == 0) break;
    ++at;
  }
  std::string_view blob = section.substr(at);
  if (blob.size() < kBuildInfoHeaderSize) return Error("the header is cut short");
  unsigned ptr_size = static_cast<uint8_t>(blob[14]);
  uint8_t flags = static_cast<uint8_t>(blob[15]);
  if (ptr_size != 4 && ptr_size != 8) return Error("bad pointer size " + std::to_string(ptr_size));

  GoBuildInfo info;
  if (flags & kBuildInfoInline) {
    std::string_view rest = blob.substr(kBuildInfoHeaderSize);
    auto version = take_varint_string(rest);
    if (!version) return Error("the version string is cut short");
    auto modules = take_varint_string(rest);
    info.version = std::string(*version);
    if (modules) info.module_info = unframe_module_info(*modules);
  } else {
    if (flags & kBuildInfoBigEndian) return Error("big-endian build info is not supported");
    auto version = read_go_string(read, *read_uint(blob, 16, ptr_size), ptr_size);
    if (!version) return Error("the version string is unreadable");
    info.version = std::move(*version);
    if (auto modules = read_go_string(read, *read_uint(blob, 16 + ptr_size, ptr_size), ptr_size))
      info.module_info = unframe_module_info(*modules);
  }
  if (info.version.empty()) return Error("the version string is empty");
  return info;
}

Result<std::vector<GoFunction>> parse_go_pclntab(std::string_view data, uint64_t text_start) {
  if (data.size() < 16) return Error("the header is cut short");
  uint32_t magic = static_cast<uint32_t>(*read_uint(data, 0, 4));
  unsigned quantum = static_cast<uint8_t>(data[6]);
  unsigned ptr_size = static_cast<uint8_t>(data[7]);
  if ((magic != kPclntab12 && magic != kPclntab116 && magic != kPclntab118 &&
       magic != kPclntab120) ||
      data[4] != 0 || data[5] != 0 || (quantum != 1 && quantum != 2 && quantum != 4) ||
      (ptr_size != 4 && ptr_size != 8)) {
    return Error("no pclntab magic");
  }
  auto word = [&](unsigned i) { return read_uint(data, 8 + uint64_t(i) * ptr_size, ptr_size); };
  unsigned words = magic == kPclntab12 ? 1 : magic == kPclntab116 ? 7 : 8;
  if (!word(words - 1)) return Error("the header is cut short");

  // Where the function table, the _func records and the names are, and how wide the table's
  // fields and the _func's entry are.
  uint64_t count = 0, functab = 0, funcdata = 0, names = 0, base = 0;
  unsigned field = ptr_size, entry_size = ptr_size;
  if (magic == kPclntab118 || magic == kPclntab120) {
    count = *word(0);
    base = *word(2) != 0 ? *word(2) : text_start;
    names = *word(3);
    funcdata = functab = *word(7);
    field = entry_size = 4;
  } else if (magic == kPclntab116) {
    count = *word(0);
    names = *word(2);
    funcdata = functab = *word(6);
  } else {
    count = *word(0);
    functab = 8 + ptr_size;
  }
  if (functab > data.size() || count > (data.size() - functab) / (2 * field))
    return Error("the function table is past the end");
  std::string_view name_table = names <= data.size() ? data.substr(names) : std::string_view();

  std::vector<GoFunction> functions;
  functions.reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    auto problem = [&](const char *what) {
      return Error(std::string(what) + " of function " + std::to_string(i));
    };
    uint64_t entry = *read_uint(data, functab + 2 * i * field, field) + base;
    uint64_t record = *read_uint(data, functab + (2 * i + 1) * field, field);
    auto end = read_uint(data, functab + (2 * i + 2) * field, field);
    if (!end) return problem("the end");
    auto own_entry = record <= UINT64_MAX - funcdata
                         ? read_uint(data, funcdata + record, entry_size)
                         : std::nullopt;
    if (!own_entry || *own_entry + base != entry) return problem("a bad record");
    auto name_offset = read_uint(data, funcdata + record + entry_size, 4);
    if (!name_offset) return problem("a bad record");
    auto name = read_cstring(name_table, *name_offset);
    if (!name || name->empty()) return problem("a bad name");
    if (*end + base < entry || (!functions.empty() && entry < functions.back().entry))
      return problem("an address out of order");
    functions.push_back(GoFunction{std::string(*name), entry, *end + base});
  }
  return functions;
}

Result<GoBinaryInfo> GoBinaryInfo::read(const ElfFile &elf, DwarfInfo *dwarf) {
  if (!elf.is_go()) return Error("is not a Go binary");
  GoBinaryInfo info;
  ReadAddress read = [&elf](uint64_t address, uint64_t size) -> std::optional<std::string_view> {
    auto bytes = elf.bytes(address, size);
    if (!bytes) return std::nullopt;
    return *bytes;
  };

  if (const ElfSection *section = elf.section(".go.buildinfo")) {
    auto build = parse_go_buildinfo(section->contents, read);
    if (!build) return Error("has a malformed .go.buildinfo: " + build.error().message());
    info.version_ = std::move(build->version);
    info.module_info_ = std::move(build->module_info);
  } else if (auto symbol = elf.find_symbol("runtime.buildVersion")) {
    if (auto version = read_go_string(read, symbol->address, 8)) info.version_ = *version;
  }
  info.release_ = parse_go_version(info.version_);

  // The ABI: what the compiler wrote into the DWARF, else what the release does.
  if (dwarf != nullptr && dwarf->has_dwarf()) {
    bool compiled_by_go = false;
    for (const DwarfUnit &unit : dwarf->units()) {
      if (unit.producer.rfind("Go cmd/compile", 0) != 0) continue;
      compiled_by_go = true;
      if (unit.producer.find("regabi") != std::string::npos) {
        info.abi_ = GoAbi::Register;
        break;
      }
    }
    if (compiled_by_go) {
      if (info.abi_ == GoAbi::Unknown) info.abi_ = GoAbi::Stack;
      info.abi_source_ = GoFactSource::Dwarf;
    }
    if (auto offset = dwarf->member_offset("runtime.g", "goid")) {
      info.goid_offset_ = *offset;
      info.goid_offset_source_ = GoFactSource::Dwarf;
    }
  }
  if (info.abi_ == GoAbi::Unknown && info.release_) {
    info.abi_ = info.release_->at_least(1, 17) ? GoAbi::Register : GoAbi::Stack;
    info.abi_source_ = GoFactSource::Version;
  }
  if (!info.goid_offset_ && info.release_) {
    info.goid_offset_ = goid_offset_for(*info.release_);
    if (info.goid_offset_) info.goid_offset_source_ = GoFactSource::Version;
  }

  // The pclntab's 1.18+ header records runtime.text; should it be 0, the symbol or .text is.
  uint64_t text_start = 0;
  if (auto text = elf.find_symbol("runtime.text")) {
    text_start = text->address;
  } else if (const ElfSection *section = elf.section(".text")) {
    text_start = section->address;
  }
  std::optional<std::string_view> pclntab;
  for (const char *name : {".gopclntab", ".data.rel.ro.gopclntab"}) {
    if (const ElfSection *section = elf.section(name); section && !pclntab)
      pclntab = section->contents;
  }
  if (!pclntab) {
    auto start = elf.find_symbol("runtime.pclntab");
    auto end = elf.find_symbol("runtime.epclntab");
    if (start && end && end->address > start->address)
      pclntab = read(start->address, end->address - start->address);
  }
  if (pclntab) {
    auto functions = parse_go_pclntab(*pclntab, text_start);
    if (!functions) return Error("has a malformed pclntab: " + functions.error().message());
    info.functions_ = std::move(*functions);
  } else {
    // An external linker merges the pclntab into .data.rel.ro; stripping takes its symbols.
    const ElfSection *section = elf.section(".data.rel.ro");
    std::string_view data = section != nullptr ? section->contents : std::string_view();
    for (size_t at : pclntab_candidates(data)) {
      auto functions = parse_go_pclntab(data.substr(at), text_start);
      if (functions && !functions->empty()) {
        info.functions_ = std::move(*functions);
        pclntab = data.substr(at);
        break;
      }
    }
    if (!pclntab) return Error("has no pclntab");
  }

  info.by_name_.resize(info.functions_.size());
  for (uint32_t i = 0; i < info.by_name_.size(); ++i) info.by_name_[i] = i;
  std::stable_sort(info.by_name_.begin(), info.by_name_.end(), [&](uint32_t a, uint32_t b) {
    return info.functions_[a].name < info.functions_[b].name;
  });
  return info;
}

const GoFunction *GoBinaryInfo::function(std::string_view name) const {
  auto it =
      std::lower_bound(by_name_.begin(), by_name_.end(), name,
                       [this](uint32_t i, std::string_view n) { return functions_[i].name < n; });
  if (it == by_name_.end() || functions_[*it].name != name) return nullptr;
  return &functions_[*it];
}

const GoFunction *GoBinaryInfo::function_at(uint64_t address) const {
  auto it = std::upper_bound(functions_.begin(), functions_.end(), address,
                             [](uint64_t a, const GoFunction &f) { return a < f.entry; });
  if (it == functions_.begin()) return nullptr;
  --it;
  return address < it->end ? &*it : nullptr;
}

}  // namespace ut::runtime
