// The aggregation functions' type rules: count(), sum(), avg(), min(), max(), stats(), hist(),
// lhist(). Their BPF side is codegen/aggregates.cpp. Rows of the builtin table.
#include "codegen/builtin_rows.h"

namespace ut::codegen {
namespace {

// Their lowering is the map update, written by lower_aggregation() (codegen/aggregates.cpp), since
// it needs the map and key the call is assigned to.

Type aggregation_of(CallCheck &c, AggKind kind) {
  for (size_t i = 0; i < c.arg_types.size() && i < 1; ++i) {
    const Type &t = c.arg_types[i];
    if (!t.is_none() && !t.is_scalar()) {
      c.diags.error(c.call.args[i]->range,
                    std::string(agg_name(kind)) + "() takes an integer, not " + t.str());
      return Type::none();
    }
  }
  Aggregation agg;
  agg.kind = kind;
  return Type::aggregate(agg);
}

}  // namespace

template <AggKind kKind>
Type check_aggregation(CallCheck &c) {
  return aggregation_of(c, kKind);
}

template Type check_aggregation<AggKind::Count>(CallCheck &);
template Type check_aggregation<AggKind::Sum>(CallCheck &);
template Type check_aggregation<AggKind::Avg>(CallCheck &);
template Type check_aggregation<AggKind::Min>(CallCheck &);
template Type check_aggregation<AggKind::Max>(CallCheck &);
template Type check_aggregation<AggKind::Stats>(CallCheck &);
template Type check_aggregation<AggKind::Hist>(CallCheck &);

// lhist(value, min, max, step): min, max and step are integer literals, min < max, step >= 1,
// and at most 1000 buckets.
Type check_lhist(CallCheck &c) {
  Type t = aggregation_of(c, AggKind::Lhist);
  if (t.is_none()) return t;
  int64_t bounds[3] = {0, 0, 0};
  for (size_t i = 1; i < 4; ++i) {
    const ast::Expr *a = c.call.args[i];
    if (a->kind != ast::Expr::Kind::Integer || ast::as<ast::Integer>(*a).value > INT64_MAX) {
      c.diags.error(a->range, "lhist() expects an integer literal here");
      return Type::none();
    }
    bounds[i - 1] = static_cast<int64_t>(ast::as<ast::Integer>(*a).value);
  }
  auto [min, max, step] = bounds;
  if (min >= max) {
    c.diags.error(c.call.range, "lhist() min must be less than max (provided min " +
                                    std::to_string(min) + " and max " + std::to_string(max) + ")");
    return Type::none();
  }
  if (step < 1) {
    c.diags.error(c.call.args[3]->range,
                  "lhist() step must be >= 1 (provided " + std::to_string(step) + ")");
    return Type::none();
  }
  if ((max - min) / step > 1000) {
    c.diags.error(c.call.range, "lhist() would have " + std::to_string((max - min) / step) +
                                    " buckets; at most 1000 are supported");
    return Type::none();
  }
  t.agg.lhist_min = min;
  t.agg.lhist_max = max;
  t.agg.lhist_step = step;
  return t;
}

std::string lower_aggregation_call(LowerContext &, const ast::Call &) {
  return "";  // never reached: the assignment lowers it (lower_aggregation)
}

}  // namespace ut::codegen
