#include "runtime/session/placement.h"

#include <unistd.h>

#include <cinttypes>

#include "runtime/binary/binary_path.h"

namespace ut::runtime {
namespace {

using codegen::ProbeKind;
using codegen::ProbeSpec;

class Placer {
 public:
  Placer(const codegen::ProgramPlan &plan, const SessionOptions &options, int ncpus)
      : plan_(plan), options_(options), ncpus_(ncpus) {}

  Result<const ElfFile *> open_elf(Resolved &r, const std::string &path) {
    auto it = r.files.find(path);
    if (it != r.files.end()) return &it->second;
    auto elf = ElfFile::open(path);
    if (!elf) return std::move(elf).error();
    return &r.files.emplace(path, std::move(*elf)).first->second;
  }

  // A probe that reaches nothing: an error, or with --missing-probes=warn a warning and a probe
  // left out.
  void missing(Diagnostics &diags, const ProbeSpec &p, const std::string &message) {
    if (options_.missing_probes_warn)
      diags.warning(p.range, message + "; the probe is left out");
    else
      diags.error(p.range, message);
  }

  // The places of a uprobe, uretprobe or usdt probe in `elf`, into `placement`.
  Result<void> find_places(const ElfFile &elf, const ProbeSpec &p, Placement &placement) const {
    if (p.kind != ProbeKind::Usdt) {
      auto targets = find_uprobe_targets(elf, p, {options_.kernel_uretprobe});
      if (!targets) return std::move(targets).error();
      placement.targets = std::move(*targets);
      return {};
    }
    auto probes = find_usdt_probes(elf, p.symbol);
    if (!probes) return std::move(probes).error();
    for (const UsdtProbe &u : *probes) placement.targets.push_back({u.full_name(), u.file_offset});
    placement.usdt = std::move(*probes);
    return {};
  }

  // The places of a uprobe, uretprobe or usdt probe, in every file its binary names.
  std::vector<Placement> place(Resolved &r, Diagnostics &diags, const ProbeSpec &p) {
    auto binaries = resolve_binaries(p.binary, options_.pid);
    if (!binaries) {
      diags.error(p.range, binaries.error().message());
      return {};
    }
    bool one_file = binaries->size() == 1 && p.binary != "*" &&
                    p.binary.find_first_of("*?[") == std::string::npos;
    bool usdt = p.kind == ProbeKind::Usdt;
    bool pattern = p.symbol.find_first_of("*?") != std::string::npos;
    std::vector<Placement> placements;
    for (const std::string &binary : *binaries) {
      if (access(binary.c_str(), R_OK) != 0) {
        missing(diags, p,
                std::string(usdt ? "usdt" : "uprobe") + " target file '" + binary +
                    "' does not exist or is not executable");
        return {};
      }
      auto elf = open_elf(r, binary);
      if (!elf) {
        if (one_file)
          diags.error(p.range, "cannot read '" + binary + "': " + elf.error().message());
        continue;  // '*' and path patterns take the ELF files among what they match
      }
      Placement placement{binary, {}, {}};
      if (auto found = find_places(**elf, p, placement); !found) {
        diags.error(p.range, found.error().message());
        return {};
      }
      if (!placement.targets.empty()) {
        if ((*elf)->is_go() && p.kind == ProbeKind::Uretprobe && options_.kernel_uretprobe)
          diags.warning(p.range, "kernel uretprobes on the Go program " + binary +
                                     " (--kernel-uretprobe) can crash it: they change return "
                                     "addresses on goroutine stacks, which Go moves");
        placements.push_back(std::move(placement));
      }
      if (one_file && placements.empty()) {
        if (usdt)
          missing(diags, p,
                  pattern ? "no USDT probe in " + binary + " matches '" + p.symbol + "'"
                          : "USDT probe '" + p.symbol + "' not found in " + binary);
        else
          missing(diags, p,
                  pattern ? "no function in " + binary + " matches '" + p.symbol + "'"
                          : "symbol '" + p.symbol + "' not found in " + binary);
      }
    }
    std::string what = (usdt ? "USDT probe '" : "'") + p.symbol + "'";
    if (!one_file && placements.empty())
      missing(diags, p,
              p.binary == "*"
                  ? "no file that process " + std::to_string(options_.pid) + " maps has " + what
                  : "no file matching '" + p.binary + "' has " + what);
    return placements;
  }

  // What `probe` and `func` print for each place of uprobe `index`, in cookie order.
  // A binary named by a pattern or as a program or library name ("libc") prints as the file it
  // resolved to, as bpftrace prints it; a path prints as written.
  void name_places(Resolved &r, size_t index, const std::vector<Placement> &placements) {
    const ProbeSpec &p = plan_.probes[index];
    bool resolved_name = p.binary.find_first_of("*?[") != std::string::npos ||
                         p.binary.find('/') == std::string::npos;
    bool expanded = p.symbol.find_first_of("*?") != std::string::npos;
    std::string kind = p.kind == ProbeKind::Uprobe ? "uprobe:" : "uretprobe:";
    std::vector<ValueResolver::PlaceNames> names;
    for (const Placement &placement : placements) {
      const std::string &binary = resolved_name ? placement.binary : p.binary;
      for (const UprobeTarget &t : placement.targets) {
        if (p.kind == ProbeKind::Usdt) {  // always "provider:name", also for usdt:BINARY:name
          names.push_back({"usdt:" + binary + ":" + t.function, ""});
          continue;
        }
        std::string where =
            expanded ? t.function : p.name.substr(kind.size() + p.binary.size() + 1);
        names.push_back({kind + binary + ":" + where, t.function.empty() ? p.symbol : t.function});
      }
    }
    r.place_names[index] = std::move(names);
  }

  // uaddr("NAME") of symbol reference `index`: defines its macro as a load-time constant (see
  // codegen::SymbolRef). A position-dependent file's symbol is where the file says. In a
  // position-independent one (a PIE program, a library) it moves with the process: with -p,
  // where that process has the file mapped; in an entry uprobe on one place of the same file,
  // as far from the probe's instruction pointer as the symbol lies from the probe in the file.
  void define_symbol(Resolved &r, Diagnostics &diags, size_t index) {
    const codegen::SymbolRef &s = plan_.symbols[index];
    uint32_t id = codegen::kSymbolConstants + static_cast<uint32_t>(index);
    char tagged[32];
    snprintf(tagged, sizeof(tagged), "0x%016" PRIx64, codegen::kLoadConstantTag | id);
    std::string constant = std::string("UT_LOAD_CONSTANT(") + tagged + ")";
    auto value = [&](uint64_t v) { r.constants[static_cast<codegen::LoadConstant>(id)] = v; };
    const std::vector<Placement> &placements = r.placements[s.probe];
    if (placements.empty()) {  // the probe is left out (--missing-probes=warn) or in error
      r.defines.push_back(s.macro + "=" + constant);
      auto path = resolve_binary(s.binary, options_.pid);
      auto elf = path ? open_elf(r, *path) : Result<const ElfFile *>(Error(""));
      if (!options_.missing_probes_warn && elf) {  // report a missing symbol all the same
        if (auto sym = (*elf)->find_symbol(s.symbol); !sym)
          diags.error(s.range, sym.error().message());
      }
      return;
    }
    const std::string &path = placements[0].binary;
    const ElfFile &elf = r.files.at(path);
    auto sym = elf.find_symbol(s.symbol);
    if (!sym) {
      diags.error(s.range, sym.error().message());
      return;
    }
    if (!elf.is_pie()) {
      r.defines.push_back(s.macro + "=" + constant);
      return value(sym->address);
    }
    if (options_.pid > 0) {
      auto address = address_in_process(options_.pid, path, elf, sym->address);
      if (!address) {
        diags.error(s.range, "uaddr(\"" + s.symbol + "\"): " + address.error().message());
        return;
      }
      r.defines.push_back(s.macro + "=" + constant);
      return value(*address);
    }
    const ProbeSpec &p = plan_.probes[s.probe];
    if (p.kind == ProbeKind::Uprobe && placements.size() == 1 &&
        placements[0].targets.size() == 1) {
      auto place = elf.address_of_file_offset(placements[0].targets[0].file_offset);
      if (place) {
        r.defines.push_back(s.macro + "=((u64)PT_REGS_IP(ctx) + " + constant + ")");
        return value(sym->address - *place);
      }
    }
    diags
        .error(s.range, "uaddr(\"" + s.symbol + "\"): " + path +
                            " is position-independent, so where '" + s.symbol +
                            "' lies differs from process to process")
        .hint("name the process with -p PID, or read it in an entry uprobe on one function of " +
              path);
  }

  bool resolve(Resolved &r, Diagnostics &diags) {
    r.place_names.resize(plan_.probes.size());
    for (size_t i = 0; i < plan_.probes.size(); ++i) {
      const ProbeSpec &p = plan_.probes[i];
      std::vector<Placement> placements;
      bool uprobe = p.kind == ProbeKind::Uprobe || p.kind == ProbeKind::Uretprobe ||
                    p.kind == ProbeKind::Usdt;
      if (uprobe) {
        placements = place(r, diags, p);
        name_places(r, i, placements);
        if (p.kind == ProbeKind::Usdt) define_usdt_macros(i, placements, r, diags);
        if (p.times_calls) define_entry_sp(i, placements, r, diags);
        if (!p.helper)
          for (const Placement &placement : placements) r.attach_points += placement.targets.size();
      } else {
        r.attach_points += 1;
      }
      r.placements.push_back(std::move(placements));
    }
    for (size_t i = 0; i < plan_.symbols.size(); ++i) define_symbol(r, diags, i);
    r.defines.push_back("UT_NR_CPUS=" + std::to_string(ncpus_));
    r.defines.push_back("UT_MAP_KEYS_MAX=" + std::to_string(options_.map_keys_max));
    r.defines.push_back("UT_RING_PAGES=" + std::to_string(options_.ring_pages));
    return !diags.has_errors();
  }

  // Where return probe `index` finds the stack pointer of the call's entry (entry_sp_macro):
  // where it is on a RET instruction, 8 bytes below after a kernel uretprobe's return.
  void define_entry_sp(size_t index, const std::vector<Placement> &placements, Resolved &r,
                       Diagnostics &diags) {
    size_t at_return = 0, all = 0;
    for (const Placement &placement : placements) {
      for (const UprobeTarget &t : placement.targets) at_return += t.at_return;
      all += placement.targets.size();
    }
    if (at_return != 0 && at_return != all)
      diags.warning(plan_.probes[index].range,
                    "duration: this probe returns through RET instructions in some files and "
                    "kernel uretprobes in others; calls of the latter are not timed");
    r.defines.push_back(codegen::entry_sp_macro(index) + "=" + (at_return != 0 ? "0" : "8"));
  }

  // The macros through which the program of usdt probe `index` reads `probe` and its arguments
  // at each of its places.
  void define_usdt_macros(size_t index, const std::vector<Placement> &placements, Resolved &r,
                          Diagnostics &diags) {
    const ProbeSpec &p = plan_.probes[index];
    std::vector<UsdtPlace> places;
    for (const Placement &placement : placements)
      for (const UsdtProbe &u : placement.usdt)
        places.push_back({&r.files.at(placement.binary), &u});
    auto macros = usdt_macros(index, p.usdt_args, places);
    if (!macros) return (void)diags.error(p.range, macros.error().message());
    r.defines.insert(r.defines.end(), macros->begin(), macros->end());
  }

 private:
  const codegen::ProgramPlan &plan_;
  const SessionOptions &options_;
  int ncpus_;
};

}  // namespace

bool place_probes(const codegen::ProgramPlan &plan, const SessionOptions &options, int ncpus,
                  Resolved &r, Diagnostics &diags) {
  return Placer(plan, options, ncpus).resolve(r, diags);
}

}  // namespace ut::runtime
