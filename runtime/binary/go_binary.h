// What utrace knows about a Go executable from its own bytes: the Go release and ABI it was built
// with, where the goroutine id sits in runtime.g, and its functions from .gopclntab, which
// stripping (-ldflags='-s -w') keeps. Reads ElfFile sections and asks DwarfInfo; no LLVM here.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/binary/dwarf.h"
#include "runtime/binary/elf.h"
#include "support/result.h"

namespace ut::runtime {

// A Go release: "go1.19.8" is {1, 19, 8}.
struct GoVersion {
  int major = 0;
  int minor = 0;
  int patch = 0;

  bool at_least(int want_major, int want_minor) const {
    return major != want_major ? major > want_major : minor >= want_minor;
  }
};

// The release a Go version string names: "go1.19.8", "go1.21rc2" (1.21.0), "go1.22.0
// X:boringcrypto", "devel go1.23-abcdef Tue ..." (1.23.0); nullopt when it names none.
std::optional<GoVersion> parse_go_version(std::string_view text);

// The offset of `goid` in runtime.g on amd64 for `version`, for binaries without DWARF: 152 for
// Go 1.13-1.22 and 1.25, 160 for 1.23-1.24 (which have g.syscallbp, where 1.25 dropped
// gobuf.ret); nullopt outside 1.13-1.25.
std::optional<uint64_t> goid_offset_for(const GoVersion &version);

// The two strings of .go.buildinfo.
struct GoBuildInfo {
  std::string version;  // runtime.Version(): "go1.19.8"
  // What runtime/debug.ReadBuildInfo() parses: "path\tcommand-line-arguments\nmod\t...\n...";
  // "" when the binary has none.
  std::string module_info;
};

// The file's bytes at virtual address [address, address+size); nullopt when it has none there.
using ReadAddress = std::function<std::optional<std::string_view>(uint64_t address, uint64_t size)>;

// Decodes the build info blob at the start of `section` (.go.buildinfo): the magic
// "\xff Go buildinf:", the pointer size, flags, then either (Go 1.18 and later, flag 2) both
// strings inline, each a uvarint length and its bytes, or (Go 1.13-1.17) the addresses of two
// Go string headers {data, len}, read through `read`. Only little-endian blobs are decoded.
// Errors name the problem: "has no Go build info magic", "its version string is unreadable"...
Result<GoBuildInfo> parse_go_buildinfo(std::string_view section, const ReadAddress &read);

// One function of .gopclntab.
struct GoFunction {
  std::string name;    // "main.doWork", "net/http.(*Server).Serve", "main.Sum[...]"
  uint64_t entry = 0;  // virtual address, as in ELF symbols
  uint64_t end = 0;    // the next function's entry (or the table's end): code plus padding
};

// Decodes the function table of a pclntab starting at `data[0]` (`data` may run past its end):
// Go 1.18+ (magic 0xfffffff0, 1.20+ 0xfffffff1) entries are offsets from the text start its
// header records, or from `text_start` when the header has 0 there (an unrelocated PIE);
// Go 1.16-1.17 (0xfffffffa) and 1.2-1.15 (0xfffffffb) entries are addresses. Every offset is
// bounds-checked: a malformed table is an error ("no pclntab magic", "a bad name of function
// 12"...), never garbage. By entry address.
Result<std::vector<GoFunction>> parse_go_pclntab(std::string_view data, uint64_t text_start);

enum class GoAbi { Unknown, Stack, Register };

// Where a fact about a Go binary came from.
enum class GoFactSource {
  None,     // not known
  Dwarf,    // the binary's DWARF (DW_AT_producer, runtime.g's members)
  Version,  // its Go release and what that release is known to do
};

// What utrace knows about one Go binary.
class GoBinaryInfo {
 public:
  // Reads `elf`, which must be Go (ElfFile::is_go()); `dwarf` is its DWARF or nullptr. Go
  // releases before 1.13 have no .go.buildinfo: their version is read from the
  // runtime.buildVersion symbol when there is one, else unknown. The pclntab is the .gopclntab
  // section (.data.rel.ro.gopclntab in a PIE), or runtime.pclntab, or found by its header in
  // .data.rel.ro (a stripped PIE that an external linker merged). Errors: "is not a Go binary",
  // "has a malformed .go.buildinfo: ...", "has no pclntab", "has a malformed pclntab: ...".
  static Result<GoBinaryInfo> read(const ElfFile &elf, DwarfInfo *dwarf);

  // runtime.Version(): "go1.19.8"; "" when unknown. `release` is its parse.
  const std::string &version() const { return version_; }
  const std::optional<GoVersion> &release() const { return release_; }
  const std::string &module_info() const { return module_info_; }

  // Register ABI (arguments in RAX, RBX, RCX, RDI, RSI, R8-R11; R14 = g): the DWARF producer
  // says "regabi", or without DWARF, an amd64 release from 1.17. Stack ABI: a DWARF producer
  // without it, or an older release.
  GoAbi abi() const { return abi_; }
  GoFactSource abi_source() const { return abi_source_; }

  // The offset of `goid` in runtime.g: from DWARF, else goid_offset_for() the release.
  std::optional<uint64_t> goid_offset() const { return goid_offset_; }
  GoFactSource goid_offset_source() const { return goid_offset_source_; }

  // Every function of .gopclntab, by entry address. With or without a symbol table.
  const std::vector<GoFunction> &functions() const { return functions_; }
  // The function named `name` exactly; nullptr when there is none.
  const GoFunction *function(std::string_view name) const;
  // The function whose [entry, end) holds `address`; nullptr when none does.
  const GoFunction *function_at(uint64_t address) const;

 private:
  std::string version_;
  std::optional<GoVersion> release_;
  std::string module_info_;
  GoAbi abi_ = GoAbi::Unknown;
  GoFactSource abi_source_ = GoFactSource::None;
  std::optional<uint64_t> goid_offset_;
  GoFactSource goid_offset_source_ = GoFactSource::None;
  std::vector<GoFunction> functions_;
  std::vector<uint32_t> by_name_;  // indexes into functions_, by name
};

}  // namespace ut::runtime
