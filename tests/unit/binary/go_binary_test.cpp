// GoBinaryInfo against the counter sample built the ways Go programs ship (the build makes them
// in GO_INFO_DIR: plain, stripped with -s -w, a stripped PIE, an externally linked cgo PIE with
// and without symbols), and the decoders against hand-made blobs of the formats of Go releases
// older than the installed one.
#include "runtime/binary/go_binary.h"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ut::runtime {
namespace {

const std::string kDir = GO_INFO_DIR;

struct Opened {
  ElfFile elf;
  std::optional<DwarfInfo> dwarf;
  GoBinaryInfo go;
};

// The binary `name` in GO_INFO_DIR with its DWARF (when it has any) and what it says as Go.
Opened open_go(const std::string &name) {
  std::string path = kDir + "/" + name;
  auto elf = ElfFile::open(path);
  EXPECT_TRUE(elf) << path << ": " << elf.error().message();
  std::optional<DwarfInfo> dwarf;
  if (auto opened = DwarfInfo::open(*elf, path); opened && opened->has_dwarf())
    dwarf = std::move(*opened);
  auto go = GoBinaryInfo::read(*elf, dwarf ? &*dwarf : nullptr);
  EXPECT_TRUE(go) << path << ": " << go.error().message();
  return Opened{std::move(*elf), std::move(dwarf), std::move(*go)};
}

// name -> entry of every function.
std::map<std::string, uint64_t> entries(const GoBinaryInfo &go) {
  std::map<std::string, uint64_t> out;
  for (const GoFunction &f : go.functions()) out.emplace(f.name, f.entry);
  return out;
}

std::string hex(uint64_t value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(value));
  return buf;
}

// `name` with what each outermost pair of brackets holds written as "...".
std::string elide_brackets(const std::string &name) {
  std::string out;
  int depth = 0;
  for (char c : name) {
    if (c == '[' && depth++ == 0) out += "[...";
    if (c == ']' && --depth == 0) out += ']';
    if (depth == 0 && c != ']') out += c;
  }
  return out;
}

TEST(GoVersionTest, ParsesTheReleaseOutOfVersionStrings) {
  auto v = parse_go_version("go1.19.8");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->major, 1);
  EXPECT_EQ(v->minor, 19);
  EXPECT_EQ(v->patch, 8);
  v = parse_go_version("go1.21rc2");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->minor, 21);
  EXPECT_EQ(v->patch, 0);
  v = parse_go_version("go1.22.0 X:boringcrypto");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->minor, 22);
  v = parse_go_version("devel go1.23-7d0f5e1 Tue Jun 4 2024");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->minor, 23);
  EXPECT_TRUE(v->at_least(1, 17));
  EXPECT_FALSE(parse_go_version("go1.16")->at_least(1, 17));
  EXPECT_FALSE(parse_go_version(""));
  EXPECT_FALSE(parse_go_version("go1."));
  EXPECT_FALSE(parse_go_version("gcc 12"));
}

// The goid offsets of runtime.g for binaries without DWARF (see goid_offset_for()).
TEST(GoVersionTest, GoidOffsetTable) {
  std::map<int, uint64_t> expected{{13, 152}, {16, 152}, {17, 152}, {18, 152}, {19, 152}, {20, 152},
                                   {21, 152}, {22, 152}, {23, 160}, {24, 160}, {25, 152}};
  for (const auto &[minor, offset] : expected) {
    auto got = goid_offset_for(GoVersion{1, minor, 0});
    ASSERT_TRUE(got) << "go1." << minor;
    EXPECT_EQ(*got, offset) << "go1." << minor;
  }
  EXPECT_FALSE(goid_offset_for(GoVersion{1, 12, 17}));
  EXPECT_FALSE(goid_offset_for(GoVersion{1, 26, 0}));
  EXPECT_FALSE(goid_offset_for(GoVersion{2, 0, 0}));
}

// What `go build` makes by default: DWARF, a symbol table, not PIE. Version as `go version`
// says, the register ABI and the goid offset from the DWARF, which for this release must be
// what the table says.
TEST(GoBinaryTest, PlainBuild) {
  Opened b = open_go("plain");
  ASSERT_TRUE(b.dwarf);
  EXPECT_EQ(b.go.version(), GO_VERSION);
  ASSERT_TRUE(b.go.release());
  EXPECT_EQ(b.go.module_info().rfind("path\tcommand-line-arguments\n", 0), 0u)
      << b.go.module_info();
  EXPECT_EQ(b.go.abi(), GoAbi::Register);
  EXPECT_EQ(b.go.abi_source(), GoFactSource::Dwarf);
  ASSERT_TRUE(b.go.goid_offset());
  EXPECT_EQ(b.go.goid_offset_source(), GoFactSource::Dwarf);
  EXPECT_EQ(b.go.goid_offset(), goid_offset_for(*b.go.release()));
  EXPECT_FALSE(b.elf.is_stripped());
  EXPECT_FALSE(b.elf.is_pie());

  // Every function in the pclntab is an ELF function symbol at the same address, and its end
  // is at or past the symbol's. The names differ in two ways: assembly functions (ABI0) have
  // ".abi0" on their symbols only, and the pclntab writes brackets (array lengths, type
  // arguments) as "[...]".
  ASSERT_GT(b.go.functions().size(), 1000u);
  std::map<uint64_t, std::vector<std::string>> symbols;  // function symbols by address
  for (const ElfSymbol &s : b.elf.symbols())
    if (s.is_function) symbols[s.address].push_back(s.name);
  size_t abi0 = 0, elided = 0;
  for (const GoFunction &f : b.go.functions()) {
    auto at = symbols.find(f.entry);
    ASSERT_NE(at, symbols.end()) << f.name << " at " << hex(f.entry);
    bool named = false;
    for (const std::string &name : at->second) {
      auto symbol = b.elf.find_symbol(name);
      ASSERT_TRUE(symbol);
      EXPECT_GE(f.end, symbol->address + symbol->size) << f.name;
      if (name == f.name) {
        named = true;
      } else if (name == f.name + ".abi0") {
        named = true;
        ++abi0;
      } else if (elide_brackets(name) == f.name) {
        named = true;
        ++elided;
      }
    }
    EXPECT_TRUE(named) << f.name << " at " << hex(f.entry) << " is " << at->second.front();
  }
  EXPECT_GT(abi0, 0u);
  EXPECT_GT(elided, 0u);

  const GoFunction *work = b.go.function("main.doWork");
  ASSERT_NE(work, nullptr);
  EXPECT_EQ(b.go.function_at(work->entry), work);
  EXPECT_EQ(b.go.function_at(work->end - 1), work);
  EXPECT_NE(b.go.function_at(work->end), work);
  EXPECT_EQ(b.go.function("main.nothing"), nullptr);
  EXPECT_EQ(b.go.function_at(0x1000), nullptr);
}

// -ldflags='-s -w': no symbols, no DWARF, yet the same functions at the same addresses (from
// .gopclntab), and the ABI and goid offset from the version.
TEST(GoBinaryTest, StrippedBuildHasThePlainBuildsFunctions) {
  Opened plain = open_go("plain");
  Opened stripped = open_go("stripped");
  EXPECT_TRUE(stripped.elf.is_stripped());
  EXPECT_FALSE(stripped.dwarf);
  EXPECT_EQ(stripped.go.version(), GO_VERSION);
  EXPECT_EQ(stripped.go.abi(), GoAbi::Register);
  EXPECT_EQ(stripped.go.abi_source(), GoFactSource::Version);
  EXPECT_EQ(stripped.go.goid_offset(), plain.go.goid_offset());
  EXPECT_EQ(stripped.go.goid_offset_source(), GoFactSource::Version);

  for (const char *name : {"main.main", "main.doWork"}) {
    const GoFunction *f = stripped.go.function(name);
    ASSERT_NE(f, nullptr) << name;
    auto symbol = plain.elf.find_symbol(name);
    ASSERT_TRUE(symbol);
    EXPECT_EQ(hex(f->entry), hex(symbol->address)) << name;
    EXPECT_FALSE(stripped.elf.find_symbol(name));
  }
  EXPECT_EQ(entries(stripped.go), entries(plain.go));
}

// A PIE keeps its pclntab in .data.rel.ro.gopclntab; its addresses are link-time ones, in .text.
TEST(GoBinaryTest, StrippedPie) {
  Opened plain = open_go("plain");
  Opened pie = open_go("pie_stripped");
  EXPECT_TRUE(pie.elf.is_pie());
  EXPECT_TRUE(pie.elf.is_stripped());
  EXPECT_EQ(pie.go.version(), GO_VERSION);
  EXPECT_EQ(pie.go.abi(), GoAbi::Register);
  const ElfSection *text = pie.elf.section(".text");
  ASSERT_NE(text, nullptr);
  const GoFunction *work = pie.go.function("main.doWork");
  ASSERT_NE(work, nullptr);
  EXPECT_GE(work->entry, text->address);
  EXPECT_LT(work->end, text->address + text->size);
  // main.main grows its stack when it must: its prologue compares SP (or SP less its frame)
  // with g.stackguard0, through R14, as cmp 0x10(%r14), REG (REX 49 or 4d, then 3b 66 10).
  const GoFunction *main_main = pie.go.function("main.main");
  ASSERT_NE(main_main, nullptr);
  auto code = pie.elf.bytes(main_main->entry, 16);
  ASSERT_TRUE(code) << code.error().message();
  EXPECT_NE(code->find("\x3b\x66\x10"), std::string_view::npos);
  // The same functions as the non-PIE build, give or take what PIE code adds.
  EXPECT_NEAR(double(pie.go.functions().size()), double(plain.go.functions().size()), 20);
}

// An external linker (cgo) merges the pclntab into .data.rel.ro and `strip` takes the
// runtime.pclntab symbol: the pclntab is then found by its header, with the same functions.
TEST(GoBinaryTest, ExternallyLinkedStrippedPie) {
  Opened cgo = open_go("cgo_pie");
  Opened stripped = open_go("cgo_pie_stripped");
  EXPECT_EQ(cgo.elf.section(".gopclntab"), nullptr);
  EXPECT_EQ(cgo.elf.section(".data.rel.ro.gopclntab"), nullptr);
  EXPECT_TRUE(cgo.elf.find_symbol("runtime.pclntab"));
  EXPECT_FALSE(stripped.elf.find_symbol("runtime.pclntab"));
  EXPECT_EQ(stripped.go.version(), GO_VERSION);
  // runtime.text is not where .text starts: the C start-up code comes first.
  auto runtime_text = cgo.elf.find_symbol("runtime.text");
  ASSERT_TRUE(runtime_text);
  EXPECT_NE(runtime_text->address, cgo.elf.section(".text")->address);
  auto symbol = cgo.elf.find_symbol("main.doWork");
  ASSERT_TRUE(symbol);
  const GoFunction *work = stripped.go.function("main.doWork");
  ASSERT_NE(work, nullptr);
  EXPECT_EQ(hex(work->entry), hex(symbol->address));
  EXPECT_EQ(entries(stripped.go), entries(cgo.go));
}

TEST(GoBinaryTest, ACProgramIsNotGo) {
  auto elf = ElfFile::open("/proc/self/exe");
  ASSERT_TRUE(elf);
  auto go = GoBinaryInfo::read(*elf, nullptr);
  ASSERT_FALSE(go);
  EXPECT_EQ(go.error().message(), "is not a Go binary");
}

// --- Hand-made blobs -------------------------------------------------------------------------

void put(std::string &out, uint64_t value, unsigned size) {
  for (unsigned i = 0; i < size; ++i) out.push_back(static_cast<char>(value >> (8 * i)));
}

void put_at(std::string &out, size_t offset, uint64_t value, unsigned size) {
  for (unsigned i = 0; i < size; ++i) out[offset + i] = static_cast<char>(value >> (8 * i));
}

std::string buildinfo_header(uint8_t flags) {
  std::string blob("\xff Go buildinf:", 14);
  blob.push_back(8);
  blob.push_back(static_cast<char>(flags));
  blob.resize(32, '\0');
  return blob;
}

// cmd/go's framing of the module info, which ends in '\n': 16 bytes before, 16 after.
std::string framed(const std::string &text) {
  return std::string(16, 'S') + text + std::string(16, 'E');
}

ReadAddress no_memory() {
  return [](uint64_t, uint64_t) { return std::nullopt; };
}

// Go 1.18+: both strings inline after the header, each with a uvarint length.
TEST(GoBuildInfoTest, InlineStrings) {
  std::string text =
      "path\texample.com/x\nmod\texample.com/x\t(devel)\t\n"
      "dep\tgolang.org/x/sys\tv0.5.0\th1:5wTz4X8HSDaVhHXjEzPqEFIKOmCt5MGbs0a9PwTYlgM=\n";
  std::string modules = framed(text);
  ASSERT_GE(modules.size(), 128u);
  std::string blob = buildinfo_header(2);
  blob.push_back(8);
  blob += "go1.21.3";
  put(blob, 0x80 | (modules.size() & 0x7f), 1);  // a two-byte uvarint
  put(blob, modules.size() >> 7, 1);
  blob += modules;
  auto info = parse_go_buildinfo(blob, no_memory());
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->version, "go1.21.3");
  EXPECT_EQ(info->module_info, text);

  std::string cut = buildinfo_header(2) + "\x08go1.2";
  auto bad = parse_go_buildinfo(cut, no_memory());
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "the version string is cut short");
}

// Go 1.13-1.17: the header holds the addresses of runtime.buildVersion and runtime.modinfo,
// Go string headers {data, len} elsewhere in the file.
TEST(GoBuildInfoTest, PointersToGoStrings) {
  std::map<uint64_t, std::string> memory;
  memory[0x5000] = "go1.16.15";
  std::string modules = framed("path\tcommand-line-arguments\n");
  memory[0x6000] = modules;
  std::string version_header, modules_header;
  put(version_header, 0x5000, 8);
  put(version_header, 9, 8);
  put(modules_header, 0x6000, 8);
  put(modules_header, modules.size(), 8);
  memory[0x7000] = version_header;
  memory[0x7010] = modules_header;
  ReadAddress read = [&](uint64_t address, uint64_t size) -> std::optional<std::string_view> {
    auto it = memory.find(address);
    if (it == memory.end() || it->second.size() < size) return std::nullopt;
    return std::string_view(it->second).substr(0, size);
  };
  std::string blob = buildinfo_header(0);
  put_at(blob, 16, 0x7000, 8);
  put_at(blob, 24, 0x7010, 8);
  auto info = parse_go_buildinfo(std::string(16, '\0') + blob, read);  // at 16-byte alignment
  ASSERT_TRUE(info) << info.error().message();
  EXPECT_EQ(info->version, "go1.16.15");
  EXPECT_EQ(info->module_info, "path\tcommand-line-arguments\n");

  put_at(blob, 16, 0x9999, 8);
  auto bad = parse_go_buildinfo(blob, read);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "the version string is unreadable");
  // Not at a 16-byte boundary, so not build info.
  auto misaligned = parse_go_buildinfo("x" + blob, read);
  ASSERT_FALSE(misaligned);
  EXPECT_EQ(misaligned.error().message(), "no build info magic");
}

// A pclntab of the Go 1.2-1.15 (0xfffffffb) or 1.16-1.17 (0xfffffffa) layout, with `names`
// at the given addresses, each function 0x40 bytes long.
std::string old_pclntab(uint32_t magic, const std::vector<std::pair<std::string, uint64_t>> &fns) {
  const unsigned ptr = 8;
  std::string out;
  put(out, magic, 4);
  out += std::string("\0\0\x01\x08", 4);
  size_t n = fns.size();
  bool go116 = magic == 0xfffffffa;
  // 1.16: nfunc, nfiles, funcnametab, cutab, filetab, pctab, pcln offsets; 1.2: nfunc.
  size_t header = go116 ? 8 + 7 * ptr : 8 + ptr;
  size_t functab_size = (2 * n + 1) * ptr + (go116 ? 0 : 4);  // 1.2: then a file table offset
  size_t names_at = header + functab_size;
  std::string names;
  std::vector<size_t> name_offsets;
  for (const auto &f : fns) {
    name_offsets.push_back(go116 ? names.size() : names_at + names.size());
    names += f.first + std::string(1, '\0');
  }
  size_t records_at = names_at + names.size();
  // Offsets of _func records: from the function table (1.16's pcln) or the table's start (1.2).
  size_t record_base = go116 ? header : 0;
  if (go116) {
    put(out, n, ptr);
    put(out, 0, ptr);
    put(out, names_at, ptr);
    for (int i = 0; i < 3; ++i) put(out, records_at, ptr);
    put(out, header, ptr);
  } else {
    put(out, n, ptr);
  }
  for (size_t i = 0; i < n; ++i) {
    put(out, fns[i].second, ptr);
    put(out, records_at + i * 16 - record_base, ptr);
  }
  put(out, fns.back().second + 0x40, ptr);
  if (!go116) put(out, 0, 4);
  out += names;
  for (size_t i = 0; i < n; ++i) {
    put(out, fns[i].second, ptr);  // entry
    put(out, name_offsets[i], 4);  // nameoff
    put(out, 0, 4);
  }
  return out;
}

TEST(GoPclntabTest, OlderLayouts) {
  std::vector<std::pair<std::string, uint64_t>> fns{
      {"runtime.text", 0x401000}, {"main.main", 0x401040}, {"main.(*T).Run", 0x401080}};
  for (uint32_t magic : {0xfffffffbu, 0xfffffffau}) {
    auto parsed = parse_go_pclntab(old_pclntab(magic, fns), 0);
    ASSERT_TRUE(parsed) << hex(magic) << ": " << parsed.error().message();
    ASSERT_EQ(parsed->size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ((*parsed)[i].name, fns[i].first);
      EXPECT_EQ((*parsed)[i].entry, fns[i].second);
    }
    EXPECT_EQ((*parsed)[1].end, 0x401080u);
    EXPECT_EQ((*parsed)[2].end, 0x4010c0u);
  }
}

// Bad tables are errors, whatever byte is wrong.
TEST(GoPclntabTest, MalformedTables) {
  std::vector<std::pair<std::string, uint64_t>> fns{{"main.main", 0x401000}, {"main.f", 0x401040}};
  std::string table = old_pclntab(0xfffffffa, fns);
  auto error_of = [](const std::string &data) {
    auto parsed = parse_go_pclntab(data, 0);
    return parsed ? std::string("parsed") : parsed.error().message();
  };
  EXPECT_EQ(error_of(table.substr(0, 12)), "the header is cut short");
  EXPECT_EQ(error_of("\xf2\xff\xff\xff" + table.substr(4)), "no pclntab magic");
  std::string huge_count = table;
  put_at(huge_count, 8, 1u << 30, 8);
  EXPECT_EQ(error_of(huge_count), "the function table is past the end");
  // The table says main.f starts somewhere its record does not.
  std::string moved = table;
  put_at(moved, 8 + 7 * 8 + 16, 0x401050, 8);
  EXPECT_EQ(error_of(moved), "a bad record of function 1");
  // The name of main.f runs to the end without a NUL.
  std::string unterminated = table.substr(0, table.find("main.f") + 6);
  EXPECT_NE(error_of(unterminated), "parsed");
  // Cut inside the records.
  EXPECT_EQ(error_of(table.substr(0, table.size() - 20)), "a bad record of function 1");
}

}  // namespace
}  // namespace ut::runtime
