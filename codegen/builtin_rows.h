// The functions of builtin table rows that live outside codegen/builtins.cpp, one file per
// family. Internal to codegen/.
#pragma once

#include <string>

#include "codegen/builtins.h"

namespace ut::codegen {

// codegen/map_functions.cpp
Type check_print(CallCheck &c);
std::string lower_print(LowerContext &lc, const ast::Call &call);
Type check_whole_map(CallCheck &c);
template <EventKind kKind>
std::string lower_map_event(LowerContext &lc, const ast::Call &call);
Type check_entry(CallCheck &c);
std::string lower_delete(LowerContext &lc, const ast::Call &call);
std::string lower_has_key(LowerContext &lc, const ast::Call &call);
Type check_len(CallCheck &c);
std::string lower_len(LowerContext &lc, const ast::Call &call);

// codegen/aggregate_rows.cpp
// count(), sum(), avg(), min(), max(), stats() and hist(): an integer argument, if any.
template <AggKind kKind>
Type check_aggregation(CallCheck &c);
Type check_lhist(CallCheck &c);
std::string lower_aggregation_call(LowerContext &lc, const ast::Call &call);

}  // namespace ut::codegen
