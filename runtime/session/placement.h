// Where a plan's probes go, read from the ELF files the script names: each uprobe and usdt
// probe's places in every file its binary names (symbols, wildcards, C++ and Go names, RET
// instructions of Go functions), what `probe` and `func` print at each place, and the
// definitions the compiler needs (uaddr()'s load-time constants, usdt arguments). The step
// between lowering and loading; problems are diagnostics on the script's attach points.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "codegen/plan.h"
#include "parser/diagnostics.h"
#include "runtime/binary/elf.h"
#include "runtime/binary/uprobe_targets.h"
#include "runtime/binary/usdt.h"
#include "runtime/bpf/bpf_backend.h"
#include "runtime/session/resolver.h"
#include "runtime/session/session.h"

namespace ut::runtime {

// The places of one uprobe or usdt attach point in one file.
struct Placement {
  std::string binary;
  std::vector<UprobeTarget> targets;
  std::vector<UsdtProbe> usdt;  // usdt: the probe's location at each target
};

// Where each uprobe goes and what each uaddr() is, read from the ELF files the script names.
struct Resolved {
  std::map<std::string, ElfFile> files;
  // Per plan.probes entry: a uprobe's places, by file (empty for other probes, and for a probe
  // that matched nothing under --missing-probes=warn).
  std::vector<std::vector<Placement>> placements;
  std::vector<std::string> defines;
  LoadConstants constants;   // uaddr()'s addresses
  size_t attach_points = 0;  // what "Attaching N probes..." counts
  // Per plan.probes entry: what `probe` and `func` print at each place (ValueResolver).
  std::vector<std::vector<ValueResolver::PlaceNames>> place_names;
};

// Fills `r` for `plan`; false after reporting errors in `diags` (warnings go there too).
bool place_probes(const codegen::ProgramPlan &plan, const SessionOptions &options, int ncpus,
                  Resolved &r, Diagnostics &diags);

}  // namespace ut::runtime
