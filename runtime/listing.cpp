#include "runtime/listing.h"

#include <set>
#include <vector>

#include "runtime/binary_path.h"
#include "runtime/elf.h"
#include "runtime/usdt.h"
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

// uprobe:BINARY[:FUNCTION]: the binary's functions whose name matches.
Result<void> list_functions(const std::string &kind, const std::string &rest, pid_t pid,
                            FILE *out) {
  size_t colon = rest.find(':');
  std::string binary = rest.substr(0, colon);
  std::string function = colon == std::string::npos ? "*" : rest.substr(colon + 1);
  auto path = resolve_binary(binary, pid);
  if (!path) return std::move(path).error();
  auto elf = ElfFile::open(*path);
  if (!elf) return std::move(elf).error().context(*path);
  std::set<std::string> names;
  for (const ElfSymbol &s : elf->symbols())
    if (s.is_function && s.address != 0 && glob_match(function, s.name)) names.insert(s.name);
  for (const std::string &name : names)
    fprintf(out, "%s:%s:%s\n", kind.c_str(), path->c_str(), name.c_str());
  return {};
}

// usdt:BINARY[:PROVIDER:NAME], usdt:BINARY[:NAME]: the binary's USDT probes that match, each
// once however many places it has.
Result<void> list_usdt(const std::string &rest, pid_t pid, FILE *out) {
  size_t colon = rest.find(':');
  std::string binary = rest.substr(0, colon);
  std::string spec = colon == std::string::npos ? "*" : rest.substr(colon + 1);
  auto path = resolve_binary(binary, pid);
  if (!path) return std::move(path).error();
  auto elf = ElfFile::open(*path);
  if (!elf) return std::move(elf).error().context(*path);
  auto probes = read_usdt_probes(*elf);
  if (!probes) return std::move(probes).error().context(*path);
  size_t split = spec.find(':');
  std::string provider = split == std::string::npos ? "*" : spec.substr(0, split);
  std::string name = split == std::string::npos ? spec : spec.substr(split + 1);
  std::set<std::pair<std::string, std::string>> names;  // by provider, then name
  for (const UsdtProbe &p : *probes)
    if (glob_match(provider, p.provider) && glob_match(name, p.name))
      names.emplace(p.provider, p.name);
  for (const auto &[prov, n] : names)
    fprintf(out, "usdt:%s:%s:%s\n", path->c_str(), prov.c_str(), n.c_str());
  return {};
}

}  // namespace

Result<void> list_probes(const std::string &pattern, pid_t pid, FILE *out) {
  size_t colon = pattern.find(':');
  std::string kind = pattern.substr(0, colon);
  if ((kind == "uprobe" || kind == "uretprobe" || kind == "u" || kind == "ur") &&
      colon != std::string::npos && pattern.find_first_of("*?", 0) != 0) {
    std::string rest = pattern.substr(colon + 1);
    if (rest.find_first_of("*?") < rest.find(':'))
      return Error("-l needs the binary of a uprobe without wildcards: uprobe:/bin/bash:read*");
    return list_functions(kind.size() <= 2 ? (kind == "u" ? "uprobe" : "uretprobe") : kind, rest,
                          pid, out);
  }
  if ((kind == "usdt" || kind == "U") && colon != std::string::npos) {
    std::string rest = pattern.substr(colon + 1);
    if (rest.find_first_of("*?") < rest.find(':'))
      return Error("-l needs the binary of usdt probes without wildcards: usdt:/bin/python3:*");
    return list_usdt(rest, pid, out);
  }
  for (const char *probe : kFixedProbes)
    if (pattern.empty() || glob_match(pattern, probe)) fprintf(out, "%s\n", probe);
  return {};
}

}  // namespace ut::runtime
