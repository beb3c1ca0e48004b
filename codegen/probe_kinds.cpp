#include "codegen/probe_kinds.h"

#include <linux/perf_event.h>

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
  const std::string &where = ap.parts[2];
  out.name = std::string(out.kind == ProbeKind::Uprobe ? "uprobe" : "uretprobe") + ":" +
             out.binary + ":" + where;
  // An address (0x401136), `symbol+offset` (main+12, main+0x1c), or a symbol.
  auto number = [](const std::string &text) -> std::optional<uint64_t> {
    if (text.empty() || text.size() > 18) return std::nullopt;
    bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
    for (size_t i = hex ? 2 : 0; i < text.size(); ++i)
      if (!(hex ? isxdigit(static_cast<unsigned char>(text[i]))
                : isdigit(static_cast<unsigned char>(text[i]))))
        return std::nullopt;
    return std::stoull(text, nullptr, hex ? 16 : 10);
  };
  if (where.size() > 2 && where.rfind("0x", 0) == 0) {
    if (auto a = number(where)) {
      out.address = *a;
      return true;
    }
  }
  size_t plus = where.rfind('+');
  if (plus != std::string::npos && plus > 0) {
    auto offset = number(where.substr(plus + 1));
    if (!offset) {
      diags.error(ap.range, "the offset in '" + where + "' must be a number (main+12, main+0x1c)");
      return false;
    }
    if (out.kind == ProbeKind::Uretprobe && *offset != 0) {
      diags.error(ap.range, "a uretprobe goes on a whole function, not at an offset into it");
      return false;
    }
    out.symbol = where.substr(0, plus);
    out.symbol_offset = *offset;
    return true;
  }
  out.symbol = where;
  return true;
}

// interval:s:1, interval:1s, profile:hz:99: a period (hz: a rate) in nanoseconds.
bool parse_interval(const ast::AttachPoint &ap, AttachInfo &out, Diagnostics &diags) {
  const std::string kind = out.kind == ProbeKind::Profile ? "profile" : "interval";
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
      diags.error(ap.range, kind + " takes a duration (" + kind + ":1s, " + kind +
                                ":100ms) or a unit and a count (" + kind + ":s:1), not '" +
                                ap.parts[1] + "'");
      return false;
    }
    out.period_ns = *ns;
    out.name = kind + ":" + ap.parts[1];
    return true;
  }
  if (ap.parts.size() != 3) {
    diags.error(ap.range,
                kind + " takes a unit and a count: " + kind + ":s:1, " + kind + ":ms:100");
    return false;
  }
  const std::string &unit = ap.parts[1], &count_text = ap.parts[2];
  uint64_t count = 0;
  bool numeric = !count_text.empty() && count_text.size() < 19;
  for (char c : count_text) numeric = numeric && isdigit(static_cast<unsigned char>(c));
  if (numeric) count = std::stoull(count_text);
  if (!numeric || count == 0) {
    diags.error(ap.range, kind + " count must be a positive integer, not '" + count_text + "'");
    return false;
  }
  for (const auto &u : kUnits) {
    if (unit != u.unit) continue;
    out.period_ns = u.is_rate ? u.ns_per / count : u.ns_per * count;
    if (out.period_ns == 0 || (!u.is_rate && out.period_ns / u.ns_per != count)) {
      diags.error(ap.range, kind + " is out of range");
      return false;
    }
    out.name = kind + ":" + unit + ":" + count_text;
    return true;
  }
  diags.error(ap.range, "unknown " + kind + " unit '" + unit + "'").hint("use s, ms, us or hz");
  return false;
}

// software:EVENT[:COUNT]: every COUNT occurrences of a software perf event (bpftrace's names
// and default counts).
bool parse_software(const ast::AttachPoint &ap, AttachInfo &out, Diagnostics &diags) {
  static const struct {
    const char *name;
    const char *alias;
    uint32_t config;
    uint64_t default_count;
  } kEvents[] = {
      {"cpu-clock", "cpu", PERF_COUNT_SW_CPU_CLOCK, 1000000},
      {"task-clock", "", PERF_COUNT_SW_TASK_CLOCK, 1000000},
      {"page-faults", "faults", PERF_COUNT_SW_PAGE_FAULTS, 100},
      {"context-switches", "cs", PERF_COUNT_SW_CONTEXT_SWITCHES, 1000},
      {"cpu-migrations", "", PERF_COUNT_SW_CPU_MIGRATIONS, 1},
      {"minor-faults", "", PERF_COUNT_SW_PAGE_FAULTS_MIN, 100},
      {"major-faults", "", PERF_COUNT_SW_PAGE_FAULTS_MAJ, 1},
      {"alignment-faults", "", PERF_COUNT_SW_ALIGNMENT_FAULTS, 1},
      {"emulation-faults", "", PERF_COUNT_SW_EMULATION_FAULTS, 1},
      {"dummy", "", PERF_COUNT_SW_DUMMY, 1},
  };
  if (ap.parts.size() < 2 || ap.parts.size() > 3) {
    diags.error(ap.range,
                "software takes an event and an optional count: software:page-faults:100");
    return false;
  }
  const std::string &event = ap.parts[1];
  for (const auto &e : kEvents) {
    if (event != e.name && event != e.alias) continue;
    out.perf_config = e.config;
    out.period_ns = e.default_count;
    if (ap.parts.size() == 3) {
      const std::string &text = ap.parts[2];
      bool numeric = !text.empty() && text.size() < 19;
      for (char c : text) numeric = numeric && isdigit(static_cast<unsigned char>(c));
      if (!numeric || std::stoull(text) == 0) {
        diags.error(ap.range, "software count must be a positive integer, not '" + text + "'");
        return false;
      }
      out.period_ns = std::stoull(text);
    }
    out.name = "software:" + std::string(e.name) + ":" + std::to_string(out.period_ns);
    return true;
  }
  std::vector<std::string> names;
  for (const auto &e : kEvents) names.push_back(e.name);
  auto &d = diags.error(ap.range, "unknown software event '" + event + "'");
  if (std::string best = nearest_name(event, names); !best.empty())
    d.hint("did you mean '" + best + "'?");
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

// tracepoint:CATEGORY:NAME, each part perhaps with wildcards; analysis expands it into the
// tracepoints it matches.
bool parse_tracepoint(const ast::AttachPoint &ap, AttachInfo &out, Diagnostics &diags) {
  if (ap.parts.size() != 3 || ap.parts[1].empty() || ap.parts[2].empty()) {
    diags.error(ap.range,
                "tracepoint takes a category and a name: "
                "tracepoint:syscalls:sys_enter_openat");
    return false;
  }
  out.name = "tracepoint:" + ap.parts[1] + ":" + ap.parts[2];
  return true;
}

// usdt:BINARY:PROVIDER:NAME, or usdt:BINARY:NAME when only one provider has NAME (the runtime
// checks that, in the binary).
bool parse_usdt(const ast::AttachPoint &ap, AttachInfo &out, Diagnostics &diags) {
  bool parts_ok = ap.parts.size() == 3 || ap.parts.size() == 4;
  for (size_t i = 1; parts_ok && i < ap.parts.size(); ++i) parts_ok = !ap.parts[i].empty();
  if (!parts_ok) {
    diags.error(ap.range, ap.parts[0] + " takes a binary, a provider and a probe name: " +
                              ap.parts[0] + ":/path/to/binary:provider:name (or " + ap.parts[0] +
                              ":/path/to/binary:name when the name is in one provider only)");
    return false;
  }
  out.binary = ap.parts[1];
  out.symbol = ap.parts.size() == 4 ? ap.parts[2] + ":" + ap.parts[3] : ap.parts[2];
  out.name = "usdt:" + out.binary + ":" + out.symbol;
  return true;
}

const ProbeKindRow kProbeKinds[] = {
    {"BEGIN", "", ProbeKind::Begin, "struct bpf_raw_tracepoint_args *ctx", parse_special},
    {"END", "", ProbeKind::End, "struct bpf_raw_tracepoint_args *ctx", parse_special},
    {"uprobe", "u", ProbeKind::Uprobe, "struct pt_regs *ctx", parse_uprobe},
    {"uretprobe", "ur", ProbeKind::Uretprobe, "struct pt_regs *ctx", parse_uprobe},
    {"interval", "i", ProbeKind::Interval, "struct ut_perf_event_data *ctx", parse_interval},
    {"profile", "p", ProbeKind::Profile, "struct ut_perf_event_data *ctx", parse_interval},
    {"software", "s", ProbeKind::Software, "struct ut_perf_event_data *ctx", parse_software},
    {"kprobe", "k", ProbeKind::Kprobe, "struct pt_regs *ctx", parse_kprobe},
    {"kretprobe", "kr", ProbeKind::Kretprobe, "struct pt_regs *ctx", parse_kprobe},
    // The context is the tracepoint's record, a struct of its own (codegen/tracepoints.h).
    {"tracepoint", "t", ProbeKind::Tracepoint, "void *ctx", parse_tracepoint},
    {"usdt", "U", ProbeKind::Usdt, "struct pt_regs *ctx", parse_usdt},
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
