// utrace -l [PATTERN]: the probes a script could use, as attach points, one per line.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <string>

#include "support/result.h"

namespace ut::runtime {

// Lists what matches `pattern` ('*' and '?' as in a shell): `uprobe:BINARY[:FUNCTION]` lists
// the functions of a binary or library (BINARY resolved as uprobes resolve it),
// `usdt:BINARY[:PROVIDER:NAME]` (or `usdt:BINARY:NAME`) its USDT probes, `software:*`
// the software events; no pattern lists the probe kinds and the software events.
Result<void> list_probes(const std::string &pattern, pid_t pid, FILE *out);

}  // namespace ut::runtime
