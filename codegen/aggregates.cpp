#include "codegen/aggregates.h"

namespace ut::codegen {
namespace {

// `p` points at this CPU's slot of an existing entry; `init` is how a new entry starts.
struct Fold {
  std::string existing;  // C statement(s) updating *p
  std::string fresh;     // C initializer of a new value
};

Fold fold(const Aggregation &agg, const std::vector<std::string> &args) {
  const std::string v = args.empty() ? "" : args[0];
  switch (agg.kind) {
    case AggKind::Count:
      return {"*p += 1;", "1"};
    case AggKind::Sum:
      return {"*p += " + v + ";", v};
    case AggKind::Avg:
    case AggKind::Stats:
      return {"p->total += " + v + "; p->count += 1;", "{" + v + ", 1}"};
    case AggKind::Min:
      return {"if (!p->set || " + v + " < p->value) { p->value = " + v + "; p->set = 1; }",
              "{" + v + ", 1}"};
    case AggKind::Max:
      return {"if (!p->set || " + v + " > p->value) { p->value = " + v + "; p->set = 1; }",
              "{" + v + ", 1}"};
    default:
      return {"", ""};
  }
}

}  // namespace

void lower_aggregation_update(LowerContext &lc, const std::string &map, const std::string &key,
                              const Aggregation &agg, const std::vector<std::string> &args,
                              const std::string &zero, const std::string &full,
                              const std::string &grew) {
  Type value = Type::aggregate(agg);
  std::string type = value.c_type();
  lc.emit("{");  // hold the map's slot for this CPU in p
  if (agg.kind == AggKind::Hist || agg.kind == AggKind::Lhist) {
    std::string bucket = agg.kind == AggKind::Hist
                             ? "ut_hist_bucket(" + args[0] + ")"
                             : "ut_lhist_bucket(" + args[0] + ", " + std::to_string(agg.lhist_min) +
                                   "LL, " + std::to_string(agg.lhist_step) + "LL, " +
                                   std::to_string(agg.lhist_buckets() - 2) + ")";
    uint32_t buckets = agg.kind == AggKind::Hist ? kHistBuckets : agg.lhist_buckets();
    lc.emit("  u32 zk = 0;");
    lc.emit("  " + type + " *z = " + zero + ".lookup(&zk);");
    if (grew.empty()) {
      lc.emit("  " + type + " *p = z ? " + map + ".lookup_or_try_init(" + key + ", z) : 0;");
    } else {  // a new key counts for len()
      lc.emit("  " + type + " *p = " + map + ".lookup(" + key + ");");
      lc.emit("  if (!p && z) {");
      lc.emit("    if (" + map + ".insert(" + key + ", z) == 0)");
      lc.emit("      " + grew);
      lc.emit("    p = " + map + ".lookup(" + key + ");");
      lc.emit("  }");
    }
    lc.emit("  u64 b = " + bucket + ";");
    lc.emit("  if (!p)");
    lc.emit("    " + full);
    lc.emit("  else if (b < " + std::to_string(buckets) + ")");
    lc.emit("    p->buckets[b] += 1;");
  } else {
    Fold f = fold(agg, args);
    lc.emit("  " + type + " *p = " + map + ".lookup(" + key + ");");
    lc.emit("  if (p) {");
    lc.emit("    " + f.existing);
    lc.emit("  } else {");
    lc.emit("    " + type + " init = " + f.fresh + ";");
    if (grew.empty()) {
      lc.emit("    if (" + map + ".update(" + key + ", &init))");
      lc.emit("      " + full);
    } else {
      // A new key counts for len(); if another CPU made it first, fold into our slot of it.
      lc.emit("    long rc = " + map + ".insert(" + key + ", &init);");
      lc.emit("    if (rc == 0) {");
      lc.emit("      " + grew);
      lc.emit("    } else if (rc == -EEXIST && (p = " + map + ".lookup(" + key + "))) {");
      lc.emit("      " + f.existing);
      lc.emit("    } else {");
      lc.emit("      " + full);
      lc.emit("    }");
    }
    lc.emit("  }");
  }
  lc.emit("}");
}

std::string lower_aggregation_read(LowerContext &lc, const std::string &map_ref,
                                   const std::string &key, const Aggregation &agg) {
  std::string type = Type::aggregate(agg).c_type();
  std::string v = lc.temp(Type::integer());
  bool needs_extra =
      agg.kind == AggKind::Avg || agg.kind == AggKind::Min || agg.kind == AggKind::Max;
  // The count for avg; whether any CPU had a value, for min and max.
  std::string extra = needs_extra ? lc.temp(Type::integer(64, false)) : "";
  lc.emit("for (u32 cpu = 0; cpu < UT_NR_CPUS; cpu++) {");
  lc.emit("  " + type + " *p = bpf_map_lookup_percpu_elem(" + map_ref + ", " + key + ", cpu);");
  switch (agg.kind) {
    case AggKind::Count:
    case AggKind::Sum:
      lc.emit("  if (p) " + v + " += *p;");
      break;
    case AggKind::Avg:
      lc.emit("  if (p) { " + v + " += p->total; " + extra + " += p->count; }");
      break;
    case AggKind::Min:
    case AggKind::Max: {
      std::string better = agg.kind == AggKind::Min ? "<" : ">";
      lc.emit("  if (p && p->set && (!" + extra + " || p->value " + better + " " + v + ")) { " + v +
              " = p->value; " + extra + " = 1; }");
      break;
    }
    default:
      break;
  }
  lc.emit("}");
  if (agg.kind == AggKind::Avg)
    lc.emit(v + " = " + extra + " ? ut_sdiv(" + v + ", " + extra + ") : 0;");
  return v;
}

}  // namespace ut::codegen
