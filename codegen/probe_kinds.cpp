#include "codegen/probe_kinds.h"

#include <limits>

#include "support/duration.h"
#include "support/strings.h"

namespace ut::codegen {
namespace {

bool parse_special(const ast::AttachPoint &ap, AttachInfo &out, Diagnostics &diags) {
  if (ap.parts.size() != 1) {
    diags.error(ap.range, ap.parts[0] + " takes no arguments");
    return false;
  }
  out.name = ap.parts[0];
  return true;
}

bool parse_uprobe(const ast::AttachPoint &ap, AttachInfo &out, Diagnostics &diags) {
  if (ap.parts.size() != 3 || ap.parts[1].empty() || ap.parts[2].empty()) {
    diags.error(ap.range, ap.parts[0] + " takes a binary and a function: " + ap.parts[0] +
                              ":/path/to/binary:function");
    return false;
  }
  out.binary = ap.parts[1];
  out.symbol = ap.parts[2];
  out.name = std::string(out.kind == ProbeKind::Uprobe ? "uprobe" : "uretprobe") + ":" +
             out.binary + ":" + out.symbol;
  return true;
}

bool parse_interval(const ast::AttachPoint &ap, AttachInfo &out, Diagnostics &diags) {
  static const struct {
    const char *unit;
    uint64_t ns_per;
    bool is_rate;
  } kUnits[] = {
      {"s", 1000000000ull, false},
      {"ms", 1000000ull, false},
      {"us", 1000ull, false},
      {"hz", 1000000000ull, true},
  };
  if (ap.parts.size() == 2) {  // interval:1s, interval:100ms
    auto ns = parse_duration_ns(ap.parts[1]);
    if (!ns || *ns == 0) {
      diags.error(ap.range,
                  "interval takes a duration (interval:1s, interval:100ms) or a unit and a "
                  "count (interval:s:1), not '" +
                      ap.parts[1] + "'");
      return false;
    }
    out.period_ns = *ns;
    out.name = "interval:" + ap.parts[1];
    return true;
  }
  if (ap.parts.size() != 3) {
    diags.error(ap.range, "interval takes a unit and a count: interval:s:1, interval:ms:100");
    return false;
  }
  const std::string &unit = ap.parts[1], &count_text = ap.parts[2];
  uint64_t count = 0;
  bool numeric = !count_text.empty() && count_text.size() < 19;
  for (char c : count_text) numeric = numeric && isdigit(static_cast<unsigned char>(c));
  if (numeric) count = std::stoull(count_text);
  if (!numeric || count == 0) {
    diags.error(ap.range, "interval count must be a positive integer, not '" + count_text + "'");
    return false;
  }
  for (const auto &u : kUnits) {
    if (unit != u.unit) continue;
    out.period_ns = u.is_rate ? u.ns_per / count : u.ns_per * count;
    if (out.period_ns == 0 || (!u.is_rate && out.period_ns / u.ns_per != count)) {
      diags.error(ap.range, "interval is out of range");
      return false;
    }
    out.name = "interval:" + unit + ":" + count_text;
    return true;
  }
  diags.error(ap.range, "unknown interval unit '" + unit + "'").hint("use s, ms, us or hz");
  return false;
}

// kprobe:FUNCTION, kretprobe:FUNCTION: parsed so that analysis can refuse them with the reason.
bool parse_kprobe(const ast::AttachPoint &ap, AttachInfo &out, Diagnostics &diags) {
  if (ap.parts.size() != 2 || ap.parts[1].empty()) {
    diags.error(ap.range, ap.parts[0] + " takes a kernel function: " + ap.parts[0] + ":vfs_read");
    return false;
  }
  out.symbol = ap.parts[1];
  out.name = (out.kind == ProbeKind::Kprobe ? "kprobe:" : "kretprobe:") + out.symbol;
  return true;
}

const ProbeKindRow kProbeKinds[] = {
    {"BEGIN", "", ProbeKind::Begin, "struct bpf_raw_tracepoint_args *ctx", parse_special},
    {"END", "", ProbeKind::End, "struct bpf_raw_tracepoint_args *ctx", parse_special},
    {"uprobe", "u", ProbeKind::Uprobe, "struct pt_regs *ctx", parse_uprobe},
    {"uretprobe", "ur", ProbeKind::Uretprobe, "struct pt_regs *ctx", parse_uprobe},
    {"interval", "i", ProbeKind::Interval, "struct ut_perf_event_data *ctx", parse_interval},
    {"kprobe", "k", ProbeKind::Kprobe, "struct pt_regs *ctx", parse_kprobe},
    {"kretprobe", "kr", ProbeKind::Kretprobe, "struct pt_regs *ctx", parse_kprobe},
};

}  // namespace

std::optional<AttachInfo> parse_attach_point(const ast::AttachPoint &ap, Diagnostics &diags) {
  const std::string &kind = ap.parts[0];
  for (const auto &row : kProbeKinds) {
    if (kind != row.name && kind != row.short_name) continue;
    AttachInfo info;
    info.kind = row.kind;
    info.node = &ap;
    if (!row.parse(ap, info, diags)) return std::nullopt;
    return info;
  }
  auto &d = diags.error(ap.range, "unknown probe type '" + kind + "'");
  std::vector<std::string> names;
  for (const auto &row : kProbeKinds) names.push_back(row.name);
  if (std::string best = nearest_name(kind, names); !best.empty())
    d.hint("did you mean '" + best + "'?");
  return std::nullopt;
}

const ProbeKindRow &probe_kind_row(ProbeKind kind) {
  for (const auto &row : kProbeKinds)
    if (row.kind == kind) return row;
  return kProbeKinds[0];
}

}  // namespace ut::codegen
