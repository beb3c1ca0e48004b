#include "runtime/cli/listing.h"

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "runtime/binary/binary_path.h"
#include "runtime/binary/dwarf.h"
#include "runtime/binary/elf.h"
#include "runtime/binary/usdt.h"
#include "runtime/bpf/tracefs.h"
#include "support/strings.h"

namespace ut::runtime {
namespace {

const char *const kFixedProbes[] = {
    "BEGIN",
    "END",
    "interval:s:N",
    "interval:ms:N",
    "interval:us:N",
    "interval:hz:N",
    "profile:hz:N",
    "profile:s:N",
    "profile:ms:N",
    "profile:us:N",
    "software:alignment-faults:",
    "software:context-switches:",
    "software:cpu-clock:",
    "software:cpu-migrations:",
    "software:dummy:",
    "software:emulation-faults:",
    "software:major-faults:",
    "software:minor-faults:",
    "software:page-faults:",
    "software:task-clock:",
};

// One parameter as bpftrace -lv prints it: "struct point* p", or the type alone when unnamed.
std::string declaration(const DwarfParameter &param) {
  return param.name.empty() ? param.type.name : param.type.name + " " + param.name;
}

// Calls `list` with every ELF file that `binary` names as a uprobe's binary names files
// (resolve_binaries: one path or name, a path pattern, or with -p "*" for every file the process
// maps). A file that is no ELF file is an error when named alone and skipped among several.
Result<void> for_each_file(
    const std::string &binary, pid_t pid,
    const std::function<Result<void>(const std::string &, const ElfFile &)> &list) {
  auto paths = resolve_binaries(binary, pid);
  if (!paths) return std::move(paths).error();
  bool alone = paths->size() == 1 && binary.find_first_of("*?[") == std::string::npos;
  for (const std::string &path : *paths) {
    auto elf = ElfFile::open(path);
    if (!elf) {
      if (alone) return std::move(elf).error().context(path);
      continue;
    }
    if (auto r = list(path, *elf); !r) return r;
  }
  return {};
}

// uprobe:BINARY[:FUNCTION]: the binary's functions whose name matches, each followed with
// `verbose` by its parameters from DWARF (the binary's own or its separate debug file's); a
// function or binary without DWARF lists just its name.
Result<void> list_functions(const std::string &kind, const std::string &function,
                            const std::string &path, const ElfFile &elf, bool verbose, FILE *out) {
  std::map<std::string, uint64_t> names;  // name -> address of its first definition
  for (const ElfSymbol &s : elf.symbols())
    if (s.is_function && s.address != 0 && glob_match(function, s.name))
      names.emplace(s.name, s.address);
  std::optional<DwarfInfo> dwarf;
  if (verbose) {
    std::error_code ec;
    std::string real_path = std::filesystem::canonical(path, ec).string();
    if (auto opened = DwarfInfo::open(elf, ec ? path : real_path)) dwarf = std::move(*opened);
  }
  for (const auto &[name, address] : names) {
    fprintf(out, "%s:%s:%s\n", kind.c_str(), path.c_str(), name.c_str());
    if (!dwarf) continue;
    auto fn = dwarf->function_at(address);
    if (!fn) continue;
    // A return probe reads a Go function's results (rets.N), which bpftrace lists among the
    // parameters; an entry probe its parameters.
    bool results = kind == "uretprobe" && !fn->results.empty();
    for (const DwarfParameter &param : results ? fn->results : fn->params)
      fprintf(out, "    %s\n", declaration(param).c_str());
  }
  return {};
}

// The tracepoints `pattern` matches ("tracepoint:*:*open*", "*"), each followed with `verbose`
// by its fields as bpftrace -lv prints them ("    const char * filename"). When tracefs cannot
// be read, an error for a tracepoint pattern and nothing otherwise.
Result<void> list_tracepoints(const std::string &pattern, bool verbose, FILE *out) {
  bool asked = pattern.rfind("tracepoint:", 0) == 0;
  TracefsCatalog tracefs;
  auto all = tracefs.match("*:*");
  if (!all) return asked ? Result<void>(std::move(all).error()) : Result<void>();
  for (const std::string &event : *all) {
    std::string probe = "tracepoint:" + event;
    if (!pattern.empty() && !glob_match(pattern, probe)) continue;
    fprintf(out, "%s\n", probe.c_str());
    if (!verbose) continue;
    size_t colon = event.find(':');
    auto format = tracefs.format(event.substr(0, colon), event.substr(colon + 1));
    if (!format) continue;  // listed, but its format is unreadable: no fields to show
    for (const codegen::TracepointField &f : format->fields)
      fprintf(out, "    %s\n", f.declaration.c_str());
  }
  return {};
}

// usdt:BINARY[:PROVIDER:NAME], usdt:BINARY[:NAME]: the binary's USDT probes that match, each
// once however many places it has.
Result<void> list_usdt(const std::string &spec, const std::string &path, const ElfFile &elf,
                       FILE *out) {
  auto probes = read_usdt_probes(elf);
  if (!probes) return std::move(probes).error().context(path);
  size_t split = spec.find(':');
  std::string provider = split == std::string::npos ? "*" : spec.substr(0, split);
  std::string name = split == std::string::npos ? spec : spec.substr(split + 1);
  std::set<std::pair<std::string, std::string>> names;  // by provider, then name
  for (const UsdtProbe &p : *probes)
    if (glob_match(provider, p.provider) && glob_match(name, p.name))
      names.emplace(p.provider, p.name);
  for (const auto &[prov, n] : names)
    fprintf(out, "usdt:%s:%s:%s\n", path.c_str(), prov.c_str(), n.c_str());
  return {};
}

}  // namespace

Result<void> list_probes(const std::string &pattern, pid_t pid, bool verbose, FILE *out) {
  size_t colon = pattern.find(':');
  std::string kind = pattern.substr(0, colon);
  // KIND:BINARY[:REST], REST defaulting to everything.
  std::string rest = colon == std::string::npos ? "" : pattern.substr(colon + 1);
  std::string binary = rest.substr(0, rest.find(':'));
  std::string what = rest.find(':') == std::string::npos ? "*" : rest.substr(rest.find(':') + 1);
  if ((kind == "uprobe" || kind == "uretprobe" || kind == "u" || kind == "ur") &&
      colon != std::string::npos && pattern.find_first_of("*?", 0) != 0) {
    std::string name = kind.size() <= 2 ? (kind == "u" ? "uprobe" : "uretprobe") : kind;
    return for_each_file(binary, pid, [&](const std::string &path, const ElfFile &elf) {
      return list_functions(name, what, path, elf, verbose, out);
    });
  }
  if ((kind == "usdt" || kind == "U") && colon != std::string::npos) {
    return for_each_file(binary, pid, [&](const std::string &path, const ElfFile &elf) {
      return list_usdt(what, path, elf, out);
    });
  }
  for (const char *probe : kFixedProbes)
    if (pattern.empty() || glob_match(pattern, probe)) fprintf(out, "%s\n", probe);
  if (kind == "t" && colon != std::string::npos)  // the short name
    return list_tracepoints("tracepoint" + pattern.substr(colon), verbose, out);
  return list_tracepoints(pattern, verbose, out);
}

}  // namespace ut::runtime
