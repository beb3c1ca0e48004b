#include "codegen/builtins.h"
#include "codegen/builtin_rows.h"

#include <arpa/inet.h>

#include <algorithm>

#include "codegen/format.h"
#include "support/strings.h"

namespace ut::codegen {
namespace {

// ---- variables ----------------------------------------------------------------------------

std::string lower_pid(LowerContext &) {
  return "(u32)(bpf_get_current_pid_tgid() >> 32)";
}
std::string lower_tid(LowerContext &) {
  return "(u32)bpf_get_current_pid_tgid()";
}
std::string lower_uid(LowerContext &) {
  return "(u32)bpf_get_current_uid_gid()";
}
std::string lower_gid(LowerContext &) {
  return "(u32)(bpf_get_current_uid_gid() >> 32)";
}
std::string lower_nsecs(LowerContext &) {
  return "bpf_ktime_get_boot_ns()";
}
std::string lower_elapsed(LowerContext &) {
  return "(bpf_ktime_get_boot_ns() - UT_START_NS)";
}
std::string lower_cgroup(LowerContext &) {
  return "bpf_get_current_cgroup_id()";
}
std::string lower_rand(LowerContext &) {
  return "bpf_get_prandom_u32()";
}
std::string lower_cpu(LowerContext &) {
  return "bpf_get_smp_processor_id()";
}
std::string lower_numaid(LowerContext &) {
  return "bpf_get_numa_node_id()";
}
std::string lower_cpid(LowerContext &) {
  return "(u32)UT_CPID";
}
std::string lower_retval(LowerContext &) {
  return "(s64)PT_REGS_RC(ctx)";
}

std::string lower_duration(LowerContext &lc) {
  return lc.call_duration();
}

std::string lower_comm(LowerContext &lc) {
  std::string v = lc.temp(Type::string(16));
  lc.emit("bpf_get_current_comm(&" + v + ", sizeof(" + v + "));");
  return v;
}

// The 8-byte word `slot` words above the stack pointer: at a function's entry, slot 0 holds the
// return address and slots 1, 2, ... the arguments passed on the stack.
std::string stack_word(LowerContext &lc, int slot) {
  std::string v = lc.temp(Type::integer());
  lc.emit("bpf_probe_read_user(&" + v + ", sizeof(" + v + "), (void *)(PT_REGS_SP(ctx) + " +
          std::to_string(8 * slot) + "));");
  return v;
}

// arg0..arg9 as the function's language passes them (at its entry): System V for C and the
// like, six registers then the stack; Go's register ABI (Go 1.17+), nine registers then the
// stack; Go's older stack ABI, all on the stack. A usdt probe's arguments are wherever its
// argument specs say, which the runtime knows (see usdt_argument).
template <int N>
std::string lower_arg(LowerContext &lc) {
  if (lc.attach().kind == ProbeKind::Usdt) return lc.usdt_argument(N);
  const BinaryFacts &facts = lc.attach().binary_facts;
  if (facts.go && !facts.go_register_abi) return stack_word(lc, N + 1);
  if (facts.go) {
    static const char *kGoRegs[] = {"ax", "bx", "cx", "di", "si", "r8", "r9", "r10", "r11"};
    if constexpr (N < 9) return std::string("(s64)ctx->") + kGoRegs[N];
    return stack_word(lc, N - 8);
  }
  static const char *kRegs[] = {"PT_REGS_PARM1", "PT_REGS_PARM2", "PT_REGS_PARM3",
                                "PT_REGS_PARM4", "PT_REGS_PARM5", "PT_REGS_PARM6"};
  if constexpr (N < 6) return std::string("(s64)") + kRegs[N] + "(ctx)";
  return stack_word(lc, N - 5);
}

// sarg0..sarg9: the words on the stack above the return address at a function's entry, where
// the System V ABI puts arguments that do not fit in registers.
template <int N>
std::string lower_sarg(LowerContext &lc) {
  return stack_word(lc, N + 1);
}

// probe and func are the attach point and the place it reached (see attach_cookie): the runtime
// prints its name, or the traced function's (also in uretprobes, where bpftrace 0.17 names the
// caller). A uprobe's place is known only when it fires: one wildcard program serves many.
std::string lower_attach_cookie(LowerContext &lc) {
  if (lc.attach().kind == ProbeKind::Usdt) return usdt_probe_macro(lc.attach_index()) + "(ctx)";
  if ((mask(lc.attach().kind) & kUprobes) != 0) return "bpf_get_attach_cookie(ctx)";
  return std::to_string(attach_cookie(lc.attach_index(), 0)) + "ULL";
}

// goid: the id of the goroutine that hit the probe. Go's register ABI keeps the goroutine's g
// in R14 in Go code; its goid field is where the catalog says (DWARF, or the Go version).
std::string goid_unusable_at(const AttachInfo &a) {
  const BinaryFacts &f = a.binary_facts;
  if (!f.go) return a.binary + " is not a Go program";
  if (!f.go_register_abi)
    return a.binary +
           " passes arguments on the stack (Go before 1.17), where the goroutine is not "
           "kept in a register";
  if (!f.goid_offset)
    return "where runtime.g keeps the goroutine id in " + a.binary +
           " is unknown (no DWARF, and its Go version is not one utrace knows)";
  return "";
}

std::string lower_goid(LowerContext &lc) {
  std::string v = lc.temp(Type::integer());
  lc.emit("bpf_probe_read_user(&" + v + ", sizeof(" + v + "), (void *)(ctx->r14 + " +
          std::to_string(*lc.attach().binary_facts.goid_offset) + "));");
  return v;
}

// username: the uid, named in user space (/etc/passwd, NSS) when printed.
std::string lower_username(LowerContext &) {
  return "(u64)(u32)bpf_get_current_uid_gid()";
}

std::string lower_ustack_variable(LowerContext &lc) {
  return lc.user_stack(Type::ustack());
}

constexpr ProbeMask kArgs = mask(ProbeKind::Uprobe) | mask(ProbeKind::Usdt);
constexpr const char kArgsText[] = "uprobes and usdt probes";

const BuiltinVariable kVariables[] = {
    {"pid", Type::integer(32, false), kAnyProbe, "", lower_pid},
    {"tid", Type::integer(32, false), kAnyProbe, "", lower_tid},
    {"uid", Type::integer(32, false), kAnyProbe, "", lower_uid},
    {"gid", Type::integer(32, false), kAnyProbe, "", lower_gid},
    {"nsecs", Type::integer(64, false), kAnyProbe, "", lower_nsecs},
    {"elapsed", Type::integer(64, false), kAnyProbe, "", lower_elapsed},
    {"cgroup", Type::integer(64, false), kAnyProbe, "", lower_cgroup},
    {"rand", Type::integer(32, false), kAnyProbe, "", lower_rand},
    {"cpu", Type::integer(32, false), kAnyProbe, "", lower_cpu},
    {"numaid", Type::integer(32, false), kAnyProbe, "", lower_numaid},
    {"comm", Type::string(16), kAnyProbe, "", lower_comm},
    {"cpid", Type::integer(32, false), kAnyProbe, "", lower_cpid, /*needs_command=*/true},
    {"arg0", Type::integer(), kArgs, kArgsText, lower_arg<0>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"arg1", Type::integer(), kArgs, kArgsText, lower_arg<1>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"arg2", Type::integer(), kArgs, kArgsText, lower_arg<2>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"arg3", Type::integer(), kArgs, kArgsText, lower_arg<3>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"arg4", Type::integer(), kArgs, kArgsText, lower_arg<4>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"arg5", Type::integer(), kArgs, kArgsText, lower_arg<5>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"arg6", Type::integer(), kArgs, kArgsText, lower_arg<6>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"arg7", Type::integer(), kArgs, kArgsText, lower_arg<7>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"arg8", Type::integer(), kArgs, kArgsText, lower_arg<8>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"arg9", Type::integer(), kArgs, kArgsText, lower_arg<9>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"sarg0", Type::integer(), mask(ProbeKind::Uprobe), "uprobes", lower_sarg<0>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"sarg1", Type::integer(), mask(ProbeKind::Uprobe), "uprobes", lower_sarg<1>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"sarg2", Type::integer(), mask(ProbeKind::Uprobe), "uprobes", lower_sarg<2>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"sarg3", Type::integer(), mask(ProbeKind::Uprobe), "uprobes", lower_sarg<3>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"sarg4", Type::integer(), mask(ProbeKind::Uprobe), "uprobes", lower_sarg<4>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"sarg5", Type::integer(), mask(ProbeKind::Uprobe), "uprobes", lower_sarg<5>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"sarg6", Type::integer(), mask(ProbeKind::Uprobe), "uprobes", lower_sarg<6>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"sarg7", Type::integer(), mask(ProbeKind::Uprobe), "uprobes", lower_sarg<7>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"sarg8", Type::integer(), mask(ProbeKind::Uprobe), "uprobes", lower_sarg<8>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"sarg9", Type::integer(), mask(ProbeKind::Uprobe), "uprobes", lower_sarg<9>,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"probe", Type::of_kind(TypeKind::Probe), kAnyProbe, "", lower_attach_cookie,
     /*needs_command=*/false, /*reads_context=*/kUprobePlaces},
    {"username", Type::of_kind(TypeKind::Username), kAnyProbe, "", lower_username},
    {"goid", Type::integer(), kUprobes, "uprobes and uretprobes", lower_goid,
     /*needs_command=*/false, /*reads_context=*/kUprobes, goid_unusable_at},
    {"func", Type::of_kind(TypeKind::Func), kUprobes, "uprobes and uretprobes", lower_attach_cookie,
     /*needs_command=*/false, /*reads_context=*/kUprobes},
    {"ustack", Type::ustack(), kStackContext, kStackContextText, lower_ustack_variable,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"retval", Type::integer(), mask(ProbeKind::Uretprobe), "uretprobes", lower_retval,
     /*needs_command=*/false, /*reads_context=*/kAnyProbe},
    {"duration", Type::integer(64, false), mask(ProbeKind::Uretprobe), "uretprobes",
     lower_duration, /*needs_command=*/false, /*reads_context=*/kAnyProbe,
     /*unusable_at=*/nullptr, /*times_calls=*/true},
};

// ---- functions ----------------------------------------------------------------------------

bool is_string_literal(const ast::Expr *e) {
  return e->kind == ast::Expr::Kind::String;
}

Type check_printf(CallCheck &c) {
  const ast::Call &call = c.call;
  if (!is_string_literal(call.args[0])) {
    c.diags.error(call.args[0]->range, "printf: the first argument must be a string literal");
    return Type::none();
  }
  auto spec = parse_format(ast::as<ast::String>(*call.args[0]).value);
  if (!spec) {
    c.diags.error(call.range, "printf: " + spec.error().message());
    return Type::none();
  }
  size_t supplied = call.args.size() - 1, expected = conversion_count(*spec);
  if (supplied != expected) {
    c.diags.error(call.range, std::string("printf: ") +
                                  (supplied < expected ? "Not enough" : "Too many") +
                                  " arguments for format string (" + std::to_string(supplied) +
                                  " supplied, " + std::to_string(expected) + " expected)");
    return Type::none();
  }
  size_t arg = 1;
  for (const FormatPiece &p : spec->pieces) {
    if (!p.is_conversion) continue;
    const Type &t = c.arg_types[arg++];
    if (t.is_none()) continue;  // already reported
    const char *wanted = p.conversion == 's'   ? "string"
                         : p.conversion == 'r' ? "buffer"
                                               : "integer";
    bool ok = p.conversion == 's'   ? t.is_string() || t.is_symbolic()
              : p.conversion == 'r' ? t.is_buffer()
                                    : t.is_scalar();
    if (!ok) {
      std::string supplied = t.is_string()   ? "string"
                             : t.is_scalar() ? "integer"
                             : t.is_buffer() ? "buffer"
                             : t.is_record() ? "record"  // bpftrace's words
                             : t.is_array()  ? "array"
                                             : t.str();
      c.diags.error(call.range, "printf: %" + std::string(1, p.conversion) +
                                    (p.variant ? std::string(1, p.variant) : "") +
                                    " specifier expects a value of type " + wanted + " (" +
                                    supplied + " supplied)");
    }
  }
  c.sema.call_formats[&call] = c.sema.formats.size();
  c.sema.formats.push_back(std::move(*spec));
  return Type::none();
}

std::string lower_printf(LowerContext &lc, const ast::Call &call) {
  std::vector<const ast::Expr *> args(call.args.begin() + 1, call.args.end());
  EventSpec action;
  action.kind = EventKind::Printf;
  action.format = static_cast<int>(lc.sema().call_formats.at(&call));
  lc.send_event(action, args);
  return "";
}

// system(FORMAT, ...): printf's formatting, then the text runs as a shell command in user space
// and its output is printed (--unsafe).
std::string lower_system(LowerContext &lc, const ast::Call &call) {
  std::vector<const ast::Expr *> args(call.args.begin() + 1, call.args.end());
  EventSpec action;
  action.kind = EventKind::System;
  action.format = static_cast<int>(lc.sema().call_formats.at(&call));
  lc.send_event(action, args);
  return "";
}

// cat(FORMAT, ...): printf's formatting gives a file name; user space prints the file's contents
// when it handles the event.
std::string lower_cat(LowerContext &lc, const ast::Call &call) {
  std::vector<const ast::Expr *> args(call.args.begin() + 1, call.args.end());
  EventSpec action;
  action.kind = EventKind::Cat;
  action.format = static_cast<int>(lc.sema().call_formats.at(&call));
  lc.send_event(action, args);
  return "";
}

// signal(SIG): sends SIG (a number, or a name as "SIGKILL" or "KILL") to the process that hit
// the probe, from BPF (--unsafe).
const struct {
  const char *name;
  int number;
} kSignals[] = {{"HUP", 1},   {"INT", 2},   {"QUIT", 3},  {"ILL", 4},   {"TRAP", 5},
                {"ABRT", 6},  {"BUS", 7},   {"FPE", 8},   {"KILL", 9},  {"USR1", 10},
                {"SEGV", 11}, {"USR2", 12}, {"PIPE", 13}, {"ALRM", 14}, {"TERM", 15},
                {"CHLD", 17}, {"CONT", 18}, {"STOP", 19}, {"TSTP", 20}};

Type check_signal(CallCheck &c) {
  const ast::Expr *a = c.call.args[0];
  if (a->kind == ast::Expr::Kind::String) {
    std::string name = ast::as<ast::String>(*a).value;
    if (name.rfind("SIG", 0) == 0) name = name.substr(3);
    for (const auto &s : kSignals)
      if (name == s.name) return Type::none();
    c.diags.error(a->range, "'" + ast::as<ast::String>(*a).value + "' is not a signal name");
  } else if (!c.arg_types[0].is_none() && !c.arg_types[0].is_integer()) {
    c.diags.error(a->range, "signal() takes a signal number or name, not " + c.arg_types[0].str());
  }
  return Type::none();
}

std::string lower_signal(LowerContext &lc, const ast::Call &call) {
  const ast::Expr *a = call.args[0];
  std::string number;
  if (a->kind == ast::Expr::Kind::String) {
    std::string name = ast::as<ast::String>(*a).value;
    if (name.rfind("SIG", 0) == 0) name = name.substr(3);
    for (const auto &s : kSignals)
      if (name == s.name) number = std::to_string(s.number);
  } else {
    number = "(u32)(" + lc.expr(*a) + ")";
  }
  lc.emit("bpf_send_signal(" + number + ");");
  return "";
}

Type check_uaddr(CallCheck &c) {
  if (!is_string_literal(c.call.args[0])) {
    c.diags.error(c.call.args[0]->range, "uaddr() expects a string literal: the symbol's name");
    return Type::none();
  }
  if ((c.probe_kinds & kUprobes) != c.probe_kinds) {
    c.diags.error(c.call.range, "uaddr can only be used with u(ret)probes");
    return Type::none();
  }
  // What the symbol is, as DWARF says (a 4-byte int is read as 4 bytes); int64 when it is not
  // known, or when the files of the probe's attach points disagree.
  std::optional<Type> pointee;
  const std::string &symbol = ast::as<ast::String>(*c.call.args[0]).value;
  for (const AttachInfo &a : c.attach_points) {
    std::optional<Type> t = c.binaries ? c.binaries->variable_type(a.binary, symbol) : std::nullopt;
    if (!t || t->is_none() || (pointee && *pointee != *t)) return Type::pointer(Type::integer());
    pointee = t;
  }
  return Type::pointer(pointee.value_or(Type::integer()));
}

std::string lower_uaddr(LowerContext &lc, const ast::Call &call) {
  const auto &sym = ast::as<ast::String>(*call.args[0]);
  return "(u64)" + lc.symbol_address(lc.attach().binary, sym.value, call.range);
}

Type check_exit(CallCheck &c) {
  if (c.arg_types.size() == 1 && !c.arg_types[0].is_integer() && !c.arg_types[0].is_none())
    c.diags.error(c.call.args[0]->range, "exit() takes an integer exit code");
  return Type::none();
}

std::string lower_exit(LowerContext &lc, const ast::Call &call) {
  std::vector<const ast::Expr *> args(call.args.begin(), call.args.end());
  EventSpec action;
  action.kind = EventKind::Exit;
  lc.send_event(action, args);
  lc.emit(lc.return_statement());
  return "";
}

// str($N) is the parameter's text; str(p) and str(p, n) read a NUL-terminated string from user
// memory: at most n characters, and never more than kMaxStringSize - 1.
constexpr uint32_t kMaxStringSize = 64;

Type check_str(CallCheck &c) {
  const Type &arg = c.arg_types[0];
  if (positional_text(*c.call.args[0], c.sema)) return arg;
  if (arg.is_string() && c.call.args.size() == 1) return arg;  // str(args.name) of a Go string
  if (!arg.is_none() && !arg.is_scalar()) {
    c.diags.error(c.call.args[0]->range, "str() expects an address, not " + arg.str());
    return Type::none();
  }
  uint32_t size = kMaxStringSize;
  if (c.call.args.size() == 2) {
    const Type &length = c.arg_types[1];
    if (!length.is_none() && !length.is_integer()) {
      c.diags.error(c.call.args[1]->range, "str() length must be an integer, not " + length.str());
      return Type::none();
    }
    // A literal length sizes the string; one known only at run time (str(arg0, arg1), the
    // pointer and length of a Go string read by hand) reads at most the string's room.
    if (c.call.args[1]->kind == ast::Expr::Kind::Integer) {
      uint64_t n = ast::as<ast::Integer>(*c.call.args[1]).value;
      size = static_cast<uint32_t>(std::min<uint64_t>(n + 1, kMaxStringSize));
    }
  }
  return Type::string(size);
}

std::string lower_str(LowerContext &lc, const ast::Call &call) {
  const ast::Expr &arg = *call.args[0];
  Type t = lc.sema().type_of(call);
  if (auto text = positional_text(arg, lc.sema())) return lc.string_literal(*text);
  if (lc.sema().type_of(arg).is_string()) return lc.expr(arg);
  std::string address = lc.expr(arg);
  std::string v = lc.temp(t);
  if (call.args.size() == 2 && call.args[1]->kind != ast::Expr::Kind::Integer) {
    // At most `length` characters, and the NUL: the size the helper takes is 1 to sizeof(v).
    std::string length = lc.temp(Type::integer(64, false));
    lc.emit(length + " = (u64)(" + lc.expr(*call.args[1]) + ");");
    lc.emit("if (" + length + " > sizeof(" + v + ") - 1)");
    lc.emit("  " + length + " = sizeof(" + v + ") - 1;");
    lc.emit("bpf_probe_read_user_str(&" + v + ", " + length + " + 1, (void *)(" + address +
            "));");
    return v;
  }
  lc.emit("bpf_probe_read_user_str(&" + v + ", sizeof(" + v + "), (void *)(" + address + "));");
  return v;
}

// time() and time(FORMAT): the wall-clock time when user space handles the event, formatted
// with strftime(3); "%H:%M:%S\n" by default, as bpftrace.
Type check_time(CallCheck &c) {
  if (!c.call.args.empty() && !is_string_literal(c.call.args[0]))
    c.diags.error(c.call.args[0]->range, "time() takes a format as a string literal");
  return Type::none();
}

std::string lower_time(LowerContext &lc, const ast::Call &call) {
  EventSpec action;
  action.kind = EventKind::Time;
  lc.send_event(action, {call.args.begin(), call.args.end()});
  return "";
}

// strftime(FORMAT, NSECS): a boot-time timestamp (as nsecs gives) that prints as the wall-clock
// time, formatted in user space by strftime(3) plus %f (microseconds). The format is kept with
// printf's formats; the value carries its index, so that strftime() values of different formats
// are one type (one map may hold them).
Type check_strftime(CallCheck &c) {
  if (!is_string_literal(c.call.args[0])) {
    c.diags.error(c.call.args[0]->range, "strftime() takes a format as a string literal");
    return Type::none();
  }
  const Type &t = c.arg_types[1];
  if (!t.is_none() && !t.is_integer()) {
    c.diags.error(c.call.args[1]->range,
                  "strftime() takes a time in nanoseconds (as nsecs gives), not " + t.str());
    return Type::none();
  }
  c.sema.call_formats[&c.call] = c.sema.formats.size();
  c.sema.formats.push_back(FormatSpec{ast::as<ast::String>(*c.call.args[0]).value, {}});
  return Type::of_kind(TypeKind::Timestamp);
}

std::string lower_strftime(LowerContext &lc, const ast::Call &call) {
  std::string ns = lc.expr(*call.args[1]);
  std::string v = lc.temp(Type::of_kind(TypeKind::Timestamp));
  lc.emit(v + ".ns = (u64)(" + ns + ");");
  lc.emit(v + ".format = " + std::to_string(lc.sema().call_formats.at(&call)) + ";");
  return v;
}

// ntop([AF,] ADDR): an IPv4 or IPv6 address, printed by inet_ntop(3) in user space. ADDR is an
// integer (IPv4, its low 4 bytes as they lie in memory: ntop(0x0100007f) is 127.0.0.1) or a
// buffer of 4 bytes (IPv4) or 16 (IPv6); AF, when given, says which (2 AF_INET, 10 AF_INET6).
constexpr int kAfInet = 2, kAfInet6 = 10;

Type check_ntop(CallCheck &c) {
  bool has_af = c.call.args.size() == 2;
  if (has_af) {
    const ast::Expr *af = c.call.args[0];
    if (!c.arg_types[0].is_none() && !c.arg_types[0].is_integer()) {
      c.diags.error(af->range,
                    "ntop() takes an address family (2 for AF_INET, 10 for AF_INET6), not " +
                        c.arg_types[0].str());
      return Type::none();
    }
    if (af->kind == ast::Expr::Kind::Integer) {
      uint64_t n = ast::as<ast::Integer>(*af).value;
      if (n != kAfInet && n != kAfInet6) {
        c.diags.error(af->range, "ntop() address family must be 2 (AF_INET) or 10 (AF_INET6)");
        return Type::none();
      }
    }
  }
  const ast::Expr *addr = c.call.args[has_af ? 1 : 0];
  const Type &t = c.arg_types[has_af ? 1 : 0];
  if (t.is_none()) return Type::none();
  bool bytes = t.is_array() && t.elements[0].is_integer() && t.elements[0].bits == 8 &&
               (t.count == 4 || t.count == 16);  // pton()'s, or a struct's address bytes
  if (!t.is_integer() && !t.is_buffer() && !bytes) {
    c.diags.error(addr->range, "ntop() expects an integer or buffer argument, got " + t.str());
    return Type::none();
  }
  // buf(p, N): N is known here when it is a literal.
  if (t.is_buffer() && addr->kind == ast::Expr::Kind::Call) {
    const auto &call = ast::as<ast::Call>(*addr);
    if (call.name == "buf" && call.args.size() == 2 &&
        call.args[1]->kind == ast::Expr::Kind::Integer) {
      uint64_t n = ast::as<ast::Integer>(*call.args[1]).value;
      if (n != 4 && n != 16) {
        c.diags.error(addr->range, "ntop() argument must be 4 or 16 bytes in size");
        return Type::none();
      }
    }
  }
  return Type::of_kind(TypeKind::Inet);
}

std::string lower_ntop(LowerContext &lc, const ast::Call &call) {
  bool has_af = call.args.size() == 2;
  std::string af = has_af ? "(u64)(" + lc.expr(*call.args[0]) + ")" : "";
  const ast::Expr &addr = *call.args[has_af ? 1 : 0];
  std::string a = lc.expr(addr);
  std::string v = lc.temp(Type::of_kind(TypeKind::Inet));
  if (lc.sema().type_of(addr).is_integer()) {
    std::string ipv4 = lc.temp(Type::integer(32, false));
    lc.emit(ipv4 + " = (u32)(" + a + ");");
    lc.emit("__builtin_memcpy(" + v + ".addr, &" + ipv4 + ", 4);");
    lc.emit(v + ".af = " + (has_af ? af : std::to_string(kAfInet)) + ";");
    return v;
  }
  if (const Type &t = lc.sema().type_of(addr); t.is_array()) {  // 4 or 16 bytes
    lc.emit("__builtin_memcpy(" + v + ".addr, &" + a + ", " + std::to_string(t.count) + ");");
    lc.emit(v + ".af = " + (has_af ? af : std::to_string(t.count == 16 ? kAfInet6 : kAfInet)) +
            ";");
    return v;
  }
  // A buffer: 16 bytes are IPv6; of any other length the first 4 are IPv4.
  lc.emit("if (" + a + ".length == 16) {");
  lc.emit("  __builtin_memcpy(" + v + ".addr, " + a + ".data, 16);");
  if (!has_af) lc.emit("  " + v + ".af = " + std::to_string(kAfInet6) + ";");
  lc.emit("} else {");
  lc.emit("  __builtin_memcpy(" + v + ".addr, " + a + ".data, 4);");
  if (!has_af) lc.emit("  " + v + ".af = " + std::to_string(kAfInet) + ";");
  lc.emit("}");
  if (has_af) lc.emit(v + ".af = " + af + ";");
  return v;
}

// pton(ADDRESS): the bytes of an IPv4 or IPv6 address written as text, known when the script
// is checked: uint8[4] or uint8[16], in network order, as inet_pton(3) gives them.
std::vector<uint8_t> address_bytes(const std::string &text) {
  uint8_t bytes[16];
  if (inet_pton(AF_INET, text.c_str(), bytes) == 1) return {bytes, bytes + 4};
  if (inet_pton(AF_INET6, text.c_str(), bytes) == 1) return {bytes, bytes + 16};
  return {};
}

Type check_pton(CallCheck &c) {
  if (!is_string_literal(c.call.args[0])) {
    c.diags.error(c.call.args[0]->range, "pton() expects a string literal: an IPv4 or IPv6 address");
    return Type::none();
  }
  const std::string &text = ast::as<ast::String>(*c.call.args[0]).value;
  std::vector<uint8_t> bytes = address_bytes(text);
  if (bytes.empty()) {
    c.diags.error(c.call.args[0]->range, "pton() expects an IPv4 or IPv6 address, not \"" +
                                             text + "\"");
    return Type::none();
  }
  return Type::array(Type::integer(8, false), static_cast<uint32_t>(bytes.size()));
}

std::string lower_pton(LowerContext &lc, const ast::Call &call) {
  std::vector<uint8_t> bytes = address_bytes(ast::as<ast::String>(*call.args[0]).value);
  std::string v = lc.temp(lc.sema().type_of(call));
  for (size_t i = 0; i < bytes.size(); ++i)
    if (bytes[i]) lc.emit("((u8 *)&" + v + ")[" + std::to_string(i) + "] = " +
                          std::to_string(bytes[i]) + ";");
  return v;
}

// buf(p, n): n bytes of user memory at p (at most kBufferSize), printed with %r, %rx or %rh.
Type check_buf(CallCheck &c) {
  if (!c.arg_types[0].is_none() && !c.arg_types[0].is_scalar())
    c.diags.error(c.call.args[0]->range, "buf() expects an address, not " + c.arg_types[0].str());
  if (!c.arg_types[1].is_none() && !c.arg_types[1].is_integer())
    c.diags.error(c.call.args[1]->range, "buf() length must be an integer");
  if (c.call.args[1]->kind == ast::Expr::Kind::Integer &&
      ast::as<ast::Integer>(*c.call.args[1]).value > kBufferSize)
    c.diags.error(c.call.args[1]->range,
                  "buf() reads at most " + std::to_string(kBufferSize) + " bytes");
  return Type::buffer();
}

std::string lower_buf(LowerContext &lc, const ast::Call &call) {
  std::string address = lc.expr(*call.args[0]);
  std::string length = lc.expr(*call.args[1]);
  std::string v = lc.temp(Type::buffer());
  lc.emit(v + ".length = (u64)(" + length + ") < sizeof(" + v + ".data) ? (u64)(" + length +
          ") : sizeof(" + v + ".data);");
  lc.emit("bpf_probe_read_user(" + v + ".data, " + v + ".length, (void *)(" + address + "));");
  return v;
}

// ustack, ustack(perf), ustack(5), ustack(perf, 5): the user stack, frames the runtime turns into
// symbols (bpftrace mode: "main+274"; perf mode: "55b988d602ad main+274 (/path)").
Type check_ustack(CallCheck &c) {
  if ((kStackContext & c.probe_kinds) != c.probe_kinds) {
    c.diags.error(c.call.range, std::string("ustack() can only be used in ") + kStackContextText);
    return Type::none();
  }
  StackMode mode = StackMode::Bpftrace;
  uint32_t limit = kMaxStackFrames;
  for (size_t i = 0; i < c.call.args.size(); ++i) {
    const ast::Expr *a = c.call.args[i];
    if (i == 0 && a->kind == ast::Expr::Kind::Identifier) {
      const std::string &word = ast::as<ast::Identifier>(*a).name;
      if (word == "perf") {
        mode = StackMode::Perf;
      } else if (word != "bpftrace") {
        c.diags.error(a->range, "ustack() mode must be bpftrace or perf, not '" + word + "'");
        return Type::none();
      }
    } else if (i + 1 == c.call.args.size() && a->kind == ast::Expr::Kind::Integer) {
      uint64_t n = ast::as<ast::Integer>(*a).value;
      if (n < 1 || n > kMaxStackFrames) {
        c.diags.error(a->range,
                      "ustack() limit must be between 1 and " + std::to_string(kMaxStackFrames));
        return Type::none();
      }
      limit = static_cast<uint32_t>(n);
    } else {
      c.diags.error(a->range,
                    "ustack() takes a mode (bpftrace or perf) and a frame limit (an integer)");
      return Type::none();
    }
  }
  return Type::ustack(mode, limit);
}

// reg("name"): a register of the interrupted thread, by its x86-64 pt_regs name.
const char *const kRegisters[] = {"r15", "r14",     "r13", "r12", "bp",    "bx", "r11",
                                  "r10", "r9",      "r8",  "ax",  "cx",    "dx", "si",
                                  "di",  "orig_ax", "ip",  "cs",  "flags", "sp", "ss"};

Type check_reg(CallCheck &c) {
  const ast::Expr *a = c.call.args[0];
  if (a->kind != ast::Expr::Kind::String) {
    c.diags.error(a->range, "reg() takes a register name as a string literal, as in reg(\"ip\")");
    return Type::none();
  }
  const std::string &name = ast::as<ast::String>(*a).value;
  if (std::find(std::begin(kRegisters), std::end(kRegisters), name) == std::end(kRegisters)) {
    auto &d = c.diags.error(a->range,
                            "'" + name + "' is not a valid register on this architecture (x86_64)");
    if (std::string near = nearest_name(
            name, std::vector<std::string>(std::begin(kRegisters), std::end(kRegisters)));
        !near.empty())
      d.hint("did you mean '" + near + "'?");
    return Type::none();
  }
  if ((kUserContext & c.probe_kinds) != c.probe_kinds) {
    c.diags.error(c.call.range, std::string("reg() can only be used in ") + kUserContextText);
    return Type::none();
  }
  return Type::integer(64, false);
}

std::string lower_reg(LowerContext &lc, const ast::Call &call) {
  const std::string &name = ast::as<ast::String>(*call.args[0]).value;
  // Interval probes get the perf event's context, which holds the registers.
  bool perf = (mask(lc.attach().kind) & kPerfEvents) != 0;
  return "(u64)ctx->" + std::string(perf ? "regs." : "") + name;
}

// strncmp(a, b, n): 0 when the strings' first n characters are equal (up to a NUL), as C's.
Type check_strncmp(CallCheck &c) {
  for (size_t i = 0; i < 2; ++i)
    if (!c.arg_types[i].is_none() && !c.arg_types[i].is_string())
      c.diags.error(c.call.args[i]->range,
                    "strncmp() compares strings, not " + c.arg_types[i].str());
  if (!constant_integer(*c.call.args[2], c.sema))
    c.diags.error(c.call.args[2]->range, "strncmp() length must be an integer literal");
  return Type::integer(64, false);
}

std::string lower_strncmp(LowerContext &lc, const ast::Call &call) {
  std::string a = lc.expr(*call.args[0]), b = lc.expr(*call.args[1]);
  uint64_t n = *constant_integer(*call.args[2], lc.sema());
  uint32_t room =
      std::min(lc.sema().type_of(*call.args[0]).size, lc.sema().type_of(*call.args[1]).size);
  return "(u64)!ut_streq(" + a + ", " + b + ", " + std::to_string(std::min<uint64_t>(n, room)) +
         ")";
}

// strcontains(haystack, needle): 1 when needle occurs in haystack.
Type check_strcontains(CallCheck &c) {
  for (size_t i = 0; i < 2; ++i)
    if (!c.arg_types[i].is_none() && !c.arg_types[i].is_string())
      c.diags.error(c.call.args[i]->range,
                    "strcontains() takes strings, not " + c.arg_types[i].str());
  return Type::integer(64, false);
}

std::string lower_strcontains(LowerContext &lc, const ast::Call &call) {
  std::string hay = lc.expr(*call.args[0]), needle = lc.expr(*call.args[1]);
  return "(u64)ut_strcontains(" + hay + ", " +
         std::to_string(lc.sema().type_of(*call.args[0]).size) + ", " + needle + ", " +
         std::to_string(lc.sema().type_of(*call.args[1]).size) + ")";
}

// bswap(n): the bytes of an integer in reverse order, at its own width.
// uptr(p) and kptr(p): bpftrace's marks of the address space a pointer is in. utrace reads
// every pointer from the traced process's memory (it has no kernel probes), so both give the
// value unchanged, and a kptr() is read as user memory too.
Type check_address_space(CallCheck &c) {
  const Type &t = c.arg_types[0];
  if (!t.is_none() && !t.is_scalar()) {
    c.diags.error(c.call.args[0]->range,
                  c.call.name + "() takes an integer or a pointer, not " + t.str());
    return Type::none();
  }
  return t;
}

std::string lower_address_space(LowerContext &lc, const ast::Call &call) {
  return lc.expr(*call.args[0]);
}

Type check_bswap(CallCheck &c) {
  const Type &t = c.arg_types[0];
  if (!t.is_none() && !t.is_integer()) {
    c.diags.error(c.call.args[0]->range, "bswap() takes an integer, not " + t.str());
    return Type::none();
  }
  return t.is_none() ? t : Type::integer(t.bits, false);
}

std::string lower_bswap(LowerContext &lc, const ast::Call &call) {
  uint32_t bits = lc.sema().type_of(*call.args[0]).bits;
  std::string v = lc.expr(*call.args[0]);
  if (bits == 8) return "(u8)(" + v + ")";
  return "__builtin_bswap" + std::to_string(bits) + "((u" + std::to_string(bits) + ")(" + v + "))";
}

// usym(address): the symbol the address is in, in the process that hit the probe.
Type check_usym(CallCheck &c) {
  if (!c.arg_types[0].is_none() && !c.arg_types[0].is_scalar())
    c.diags.error(c.call.args[0]->range, "usym() expects an address, not " + c.arg_types[0].str());
  return Type::of_kind(TypeKind::Usym);
}

std::string lower_usym(LowerContext &lc, const ast::Call &call) {
  std::string address = lc.expr(*call.args[0]);
  std::string v = lc.temp(Type::of_kind(TypeKind::Usym));
  lc.emit(v + ".addr = (u64)(" + address + ");");
  lc.emit(v + ".pid = bpf_get_current_pid_tgid() >> 32;");
  lc.note_process(v + ".pid");
  return v;
}

std::string lower_ustack(LowerContext &lc, const ast::Call &call) {
  return lc.user_stack(lc.sema().type_of(call));
}

const BuiltinFunction kFunctions[] = {
    {"count", 0, 0, check_aggregation<AggKind::Count>, lower_aggregation_call},
    {"sum", 1, 1, check_aggregation<AggKind::Sum>, lower_aggregation_call},
    {"avg", 1, 1, check_aggregation<AggKind::Avg>, lower_aggregation_call},
    {"min", 1, 1, check_aggregation<AggKind::Min>, lower_aggregation_call},
    {"max", 1, 1, check_aggregation<AggKind::Max>, lower_aggregation_call},
    {"stats", 1, 1, check_aggregation<AggKind::Stats>, lower_aggregation_call},
    {"hist", 1, 1, check_aggregation<AggKind::Hist>, lower_aggregation_call},
    {"lhist", 4, 4, check_lhist, lower_aggregation_call},
    {"printf", 1, 1 + 64, check_printf, lower_printf},
    {"uaddr", 1, 1, check_uaddr, lower_uaddr},
    {"exit", 0, 1, check_exit, lower_exit},
    {"system", 1, 1 + 64, check_printf, lower_system, false, false, false, false,
     /*unsafe=*/true},
    {"cat", 1, 1 + 64, check_printf, lower_cat},
    {"signal", 1, 1, check_signal, lower_signal, false, false, false, false, /*unsafe=*/true},
    {"str", 1, 2, check_str, lower_str, /*positional_as_text=*/true},
    {"buf", 2, 2, check_buf, lower_buf},
    {"time", 0, 1, check_time, lower_time},
    {"usym", 1, 1, check_usym, lower_usym},
    {"strftime", 2, 2, check_strftime, lower_strftime},
    {"ntop", 1, 2, check_ntop, lower_ntop},
    {"pton", 1, 1, check_pton, lower_pton},
    {"strncmp", 3, 3, check_strncmp, lower_strncmp},
    {"strcontains", 2, 2, check_strcontains, lower_strcontains},
    {"bswap", 1, 1, check_bswap, lower_bswap},
    {"uptr", 1, 1, check_address_space, lower_address_space},
    {"kptr", 1, 1, check_address_space, lower_address_space},
    {"reg", 1, 1, check_reg, lower_reg, false, false, false, /*reads_registers=*/true},
    {"ustack", 0, 2, check_ustack, lower_ustack, false, false, /*word_args=*/true,
     /*reads_registers=*/true},
    {"print", 1, 3, check_print, lower_print, false, /*map_arg=*/true},
    {"clear", 1, 1, check_whole_map, lower_map_event<EventKind::ClearMap>, false, true},
    {"zero", 1, 1, check_whole_map, lower_map_event<EventKind::ZeroMap>, false, true},
    {"delete", 1, 2, check_entry, lower_delete, false, true},
    {"len", 1, 1, check_len, lower_len, false, true},
    {"has_key", 1, 2, check_entry, lower_has_key, false, true},
};

}  // namespace

const BuiltinVariable *find_variable(const std::string &name) {
  for (const auto &v : kVariables)
    if (name == v.name) return &v;
  return nullptr;
}

const BuiltinFunction *find_function(const std::string &name) {
  for (const auto &f : kFunctions)
    if (name == f.name) return &f;
  return nullptr;
}

std::string nearest_builtin(const std::string &name) {
  std::vector<std::string> names;
  for (const auto &v : kVariables) names.push_back(v.name);
  for (const auto &f : kFunctions) names.push_back(f.name);
  return nearest_name(name, names);
}

}  // namespace ut::codegen
