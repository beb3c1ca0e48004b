// The BPF side of aggregations: how `@m[k] = count()` (and sum, avg, min, max, stats, hist,
// lhist) updates its per-CPU map, and how `@m[k]` reads the value merged over every CPU.
#pragma once

#include <string>
#include <vector>

#include "codegen/lower_context.h"
#include "codegen/types.h"

namespace ut::codegen {

// Emits the C that folds `args` (lowered call arguments) into `map[*key]`. `key` is a C pointer
// expression; `zero` names a BPF array holding one zeroed value (hist and lhist start from it);
// `full` is the statement that counts an update the full map refused; `grew`, when not empty,
// counts a new key (for len()).
void lower_aggregation_update(LowerContext &lc, const std::string &map, const std::string &key,
                              const Aggregation &agg, const std::vector<std::string> &args,
                              const std::string &zero, const std::string &full,
                              const std::string &grew);

// Emits the C that reads count, sum, min, max or avg at `map[*key]` summed (or compared, or
// averaged) over every CPU, and returns the name of the s64 that holds it. `map_ref` is the
// map's address for bpf_map_lookup_percpu_elem().
std::string lower_aggregation_read(LowerContext &lc, const std::string &map_ref,
                                   const std::string &key, const Aggregation &agg);

}  // namespace ut::codegen
