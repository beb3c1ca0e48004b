// utrace -l [PATTERN]: the probes a script could use, as attach points, one per line.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <string>

#include "support/result.h"

namespace ut::runtime {

// Lists what matches `pattern` ('*' and '?' as in a shell): `uprobe:BINARY[:FUNCTION]` lists
// the functions of a binary or library (BINARY resolved as uprobes resolve it; with `verbose`,
// each with its parameters from DWARF), `usdt:BINARY[:PROVIDER:NAME]` (or `usdt:BINARY:NAME`)
// its USDT probes, `software:*` the software events, `tracepoint:CATEGORY:NAME` the kernel's
// tracepoints (with `verbose`, each with its fields); no pattern lists the probe kinds, the
// software events and the tracepoints.
Result<void> list_probes(const std::string &pattern, pid_t pid, bool verbose, FILE *out);

}  // namespace ut::runtime
