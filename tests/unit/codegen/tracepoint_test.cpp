// Tracepoint probes without a kernel: formats as tracefs writes them (copied from a 6.x kernel),
// served by a fake catalog, through parsing, analysis and lowering.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "codegen/tracepoints.h"
#include "stdlib/prelude.h"
#include "support/strings.h"
#include "tests/unit/test_support.h"

namespace ut {
namespace {

using codegen::TracepointFieldKind;
using testing::Pipeline;

const char kCommon[] =
    "format:\n"
    "\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
    "\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
    "\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
    "\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
    "\n";

const std::map<std::string, std::string> kFormats = {
    {"syscalls:sys_enter_openat",
     "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
     "\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;\n"
     "\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n"
     "\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;\n"
     "\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;\n"},
    {"syscalls:sys_enter_getpid", "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"},
    {"syscalls:sys_enter_getppid", "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"},
    {"syscalls:sys_exit_openat",
     "\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
     "\tfield:long ret;\toffset:16;\tsize:8;\tsigned:1;\n"},
    {"sched:sched_switch",
     "\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
     "\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;\n"
     "\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;\n"
     "\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;\n"
     "\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;\n"
     "\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;\n"
     "\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;\n"},
    {"sched:sched_process_exec",
     "\tfield:__data_loc char[] filename;\toffset:8;\tsize:4;\tsigned:0;\n"
     "\tfield:pid_t pid;\toffset:12;\tsize:4;\tsigned:1;\n"
     "\tfield:pid_t old_pid;\toffset:16;\tsize:4;\tsigned:1;\n"},
    {"sched:sched_process_exit",
     "\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
     "\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
     "\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n"
     "\tfield:bool group_dead;\toffset:32;\tsize:1;\tsigned:0;\n"},
    {"raw_syscalls:sys_enter",
     "\tfield:long id;\toffset:8;\tsize:8;\tsigned:1;\n"
     "\tfield:unsigned long args[6];\toffset:16;\tsize:48;\tsigned:0;\n"},
    // Made up: one field name with a different type in each.
    {"test:rel", "\tfield:__rel_loc char[] msg;\toffset:8;\tsize:4;\tsigned:0;\n"},
    {"test:wide", "\tfield:long msg;\toffset:8;\tsize:8;\tsigned:1;\n"},
};

class FakeCatalog : public codegen::TracepointCatalog {
 public:
  Result<std::vector<std::string>> match(const std::string &pattern) override {
    std::vector<std::string> out;
    for (const auto &[name, text] : kFormats)
      if (glob_match(pattern, name)) out.push_back(name);
    return out;
  }
  Result<codegen::TracepointFormat> format(const std::string &category,
                                           const std::string &name) override {
    auto it = kFormats.find(category + ":" + name);
    if (it == kFormats.end()) return Error("no such tracepoint");
    return codegen::parse_tracepoint_format(
        category, name,
        "name: " + name + "\nID: 1\n" + kCommon + it->second + "\nprint fmt: \"\"\n");
  }
};

FakeCatalog catalog;

codegen::AnalyzeOptions with_catalog() {
  codegen::AnalyzeOptions o;
  o.tracepoints = &catalog;
  o.has_command = true;
  return o;
}

std::string errors_of(const std::string &text) {
  Pipeline p(text);
  if (!p.program || p.diags.has_errors()) return "parse failed: " + p.errors();
  p.analyze(with_catalog());
  return p.errors();
}

// The type of `args->FIELD` (or any expression) in `PROBE { EXPR; }`.
std::string type_of(const std::string &probe, const std::string &expr) {
  Pipeline p(probe + " { " + expr + "; }");
  auto sema = p.analyze(with_catalog());
  if (p.diags.has_errors()) return p.errors();
  const auto &stmt = *p.program->probes[0]->body->stmts[0];
  return sema.type_of(*ast::as<ast::ExprStmt>(stmt).expr).str();
}

TEST(TracepointFormat, FieldsAndHowEachIsRead) {
  auto f = catalog.format("syscalls", "sys_enter_openat");
  ASSERT_TRUE(f) << f.error().message();
  EXPECT_EQ(f->common_size, 8u);
  ASSERT_EQ(f->fields.size(), 5u);  // the common_ fields are not among them
  EXPECT_EQ(f->fields[2].declaration, "const char * filename");
  EXPECT_EQ(f->fields[2].name, "filename");
  EXPECT_EQ(f->fields[2].offset, 24u);
  EXPECT_EQ(f->fields[2].kind, TracepointFieldKind::Pointer);
  EXPECT_EQ(f->fields[0].kind, TracepointFieldKind::Integer);
  auto exec = catalog.format("sched", "sched_process_exec");
  ASSERT_TRUE(exec);
  EXPECT_EQ(exec->fields[0].name, "filename");
  EXPECT_EQ(exec->fields[0].kind, TracepointFieldKind::DataLoc);
  auto sw = catalog.format("sched", "sched_switch");
  ASSERT_TRUE(sw);
  EXPECT_EQ(sw->fields[0].declaration, "char prev_comm[16]");
  EXPECT_EQ(sw->fields[0].name, "prev_comm");
  EXPECT_EQ(sw->fields[0].kind, TracepointFieldKind::CharArray);
  EXPECT_EQ(catalog.format("raw_syscalls", "sys_enter")->fields[1].kind,
            TracepointFieldKind::Unsupported);
  EXPECT_EQ(catalog.format("test", "rel")->fields[0].kind, TracepointFieldKind::RelLoc);

  auto bad = codegen::parse_tracepoint_format("a", "b", "format:\n\tfield:int x;\toffset:z;\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message(), "cannot read the format of a:b: 'field:int x;\toffset:z;'");
}

TEST(TracepointFields, TypesFollowTheFormat) {
  const std::string openat = "tracepoint:syscalls:sys_enter_openat";
  EXPECT_EQ(type_of(openat, "args->__syscall_nr"), "int32");
  EXPECT_EQ(type_of(openat, "args->dfd"), "unsigned int64");      // size 8, signed 0 in the format
  EXPECT_EQ(type_of(openat, "args.filename"), "unsigned int64");  // an address
  EXPECT_EQ(type_of(openat, "str(args->filename)"), "string[64]");
  EXPECT_EQ(type_of("t:syscalls:sys_exit_openat", "args->ret"), "int64");
  EXPECT_EQ(type_of("t:sched:sched_switch", "args->prev_comm"), "string[16]");
  EXPECT_EQ(type_of("t:sched:sched_switch", "args->prev_pid"), "int32");
  EXPECT_EQ(type_of("t:sched:sched_process_exec", "args->filename"), "string[64]");
  EXPECT_EQ(type_of("t:sched:sched_process_exit", "args->group_dead"), "unsigned int8");
  EXPECT_EQ(type_of("t:test:rel", "args->msg"), "string[64]");
  // A field of every tracepoint a wildcard matches; types that differ widen.
  EXPECT_EQ(type_of("t:sched:sched_process_e*", "args->pid"), "int32");
  EXPECT_EQ(type_of("t:syscalls:sys_*_openat", "args->__syscall_nr"), "int32");
}

TEST(TracepointFields, BuiltinsOfTheCurrentTask) {
  EXPECT_EQ(errors_of("tracepoint:sched:sched_switch { @[pid, tid, comm, cpu, nsecs, ustack] = "
                      "count(); @p[probe] = count(); }"),
            "");
  EXPECT_EQ(errors_of("tracepoint:sched:sched_switch { @ = arg0; }"),
            "stdin:1:37-41: ERROR: the arg0 builtin can only be used in uprobes and usdt probes\n"
            "tracepoint:sched:sched_switch { @ = arg0; }\n"
            "                                    ~~~~\n");
}

TEST(TracepointErrors, AFieldTheTracepointLacks) {
  EXPECT_EQ(errors_of("tracepoint:syscalls:sys_enter_openat { @ = args->filenam; }"),
            "stdin:1:44-57: ERROR: tracepoint:syscalls:sys_enter_openat has no field 'filenam'\n"
            "tracepoint:syscalls:sys_enter_openat { @ = args->filenam; }\n"
            "                                           ~~~~~~~~~~~~~\n"
            "HINT: did you mean 'filename'?\n");
  EXPECT_EQ(errors_of("t:sched:sched_process_exec { @ = args.comm; }"),
            "stdin:1:34-43: ERROR: tracepoint:sched:sched_process_exec has no field 'comm'\n"
            "t:sched:sched_process_exec { @ = args.comm; }\n"
            "                                 ~~~~~~~~~\n"
            "HINT: its fields are filename, pid, old_pid\n");
  // The first of the matched tracepoints that lacks it is named.
  EXPECT_EQ(errors_of("t:sched:sched_process_e* { @ = args->comm; }"),
            "stdin:1:32-42: ERROR: tracepoint:sched:sched_process_exec has no field 'comm'\n"
            "t:sched:sched_process_e* { @ = args->comm; }\n"
            "                               ~~~~~~~~~~\n"
            "HINT: its fields are filename, pid, old_pid\n");
  // The common fields hold a pt_regs pointer while BPF runs.
  EXPECT_NE(errors_of("t:sched:sched_switch { @ = args->common_pid; }")
                .find("ERROR: tracepoint:sched:sched_switch has no field 'common_pid'"),
            std::string::npos);
}

TEST(TracepointErrors, FieldsThatCannotBeRead) {
  EXPECT_EQ(errors_of("t:raw_syscalls:sys_enter { @ = args->args; }"),
            "stdin:1:32-42: ERROR: tracepoint:raw_syscalls:sys_enter: utrace cannot read field "
            "'unsigned long args[6]' yet\n"
            "t:raw_syscalls:sys_enter { @ = args->args; }\n"
            "                               ~~~~~~~~~~\n");
  EXPECT_EQ(errors_of("t:test:* { @ = args->msg; }"),
            "stdin:1:16-25: ERROR: args->msg is string[64] in tracepoint:test:rel but int64 in "
            "tracepoint:test:wide\n"
            "t:test:* { @ = args->msg; }\n"
            "               ~~~~~~~~~\n");
  EXPECT_EQ(errors_of("t:sched:sched_switch { @ = args; }"),
            "stdin:1:28-32: ERROR: args is a tracepoint's record: read one of its fields, as in "
            "args->name\n"
            "t:sched:sched_switch { @ = args; }\n"
            "                           ~~~~\n");
  EXPECT_EQ(errors_of("t:sched:sched_switch, interval:s:1 { @ = args->prev_pid; }"),
            "stdin:1:42-56: ERROR: args->prev_pid reads a tracepoint field, but interval:s:1 is "
            "not a tracepoint\n"
            "t:sched:sched_switch, interval:s:1 { @ = args->prev_pid; }\n"
            "                                         ~~~~~~~~~~~~~~\n"
            "HINT: give tracepoints a probe of their own\n");
}

TEST(TracepointErrors, ArgsOutsideTracepointsAndUprobes) {
  EXPECT_EQ(errors_of("interval:s:1 { @ = args->x; }"),
            "stdin:1:20-27: ERROR: args.x: args can only be used in uprobes and tracepoint probes\n"
            "interval:s:1 { @ = args->x; }\n"
            "                   ~~~~~~~\n");
}

TEST(TracepointErrors, MissingProbesWarnLeavesAProbeWithoutTracepointsOut) {
  Pipeline p("t:nope:* { @gone = count(); } t:syscalls:sys_enter_openat { @kept = count(); }");
  ASSERT_TRUE(p.program);
  codegen::AnalyzeOptions o = with_catalog();
  o.missing_probes_warn = true;
  auto sema = p.analyze(o);
  EXPECT_FALSE(p.diags.has_errors());
  EXPECT_EQ(p.errors(),
            "stdin:1:1-9: WARNING: tracepoint:nope:* matches no tracepoint; the probe is left out\n"
            "t:nope:* { @gone = count(); } t:syscalls:sys_enter_openat { @kept = count(); }\n"
            "~~~~~~~~\n");
  ASSERT_EQ(sema.probes.size(), 1u);
  EXPECT_EQ(sema.probes[0].attach_points[0].name, "tracepoint:syscalls:sys_enter_openat");
}

TEST(TracepointErrors, PatternsThatMatchNothing) {
  EXPECT_EQ(errors_of("tracepoint:syscalls:sys_enter_opnat { }"),
            "stdin:1:1-36: ERROR: tracepoint:syscalls:sys_enter_opnat matches no tracepoint\n"
            "tracepoint:syscalls:sys_enter_opnat { }\n"
            "~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
            "HINT: did you mean 'tracepoint:syscalls:sys_enter_openat'?\n");
  EXPECT_EQ(errors_of("t:nope:* { }"),
            "stdin:1:1-9: ERROR: tracepoint:nope:* matches no tracepoint\n"
            "t:nope:* { }\n"
            "~~~~~~~~\n");
  EXPECT_EQ(errors_of("tracepoint:syscalls { }"),
            "stdin:1:1-20: ERROR: tracepoint takes a category and a name: "
            "tracepoint:syscalls:sys_enter_openat\n"
            "tracepoint:syscalls { }\n"
            "~~~~~~~~~~~~~~~~~~~\n");
  // Without a catalog (as in the fuzzer) tracepoints are refused, not guessed.
  EXPECT_EQ(testing::errors_of("t:sched:sched_switch { }"),
            "stdin:1:1-21: ERROR: tracepoint:sched:sched_switch: the kernel's tracepoints are not "
            "known here\n"
            "t:sched:sched_switch { }\n"
            "~~~~~~~~~~~~~~~~~~~~\n");
}

TEST(TracepointPlan, AWildcardIsOneProbePerTracepoint) {
  Pipeline p("tracepoint:syscalls:sys_enter_get*pid { @[probe] = count(); }");
  auto sema = p.analyze(with_catalog());
  ASSERT_EQ(p.errors(), "");
  auto plan = codegen::lower(*p.program, sema);
  ASSERT_EQ(plan.probes.size(), 2u);
  EXPECT_EQ(plan.probes[0].kind, codegen::ProbeKind::Tracepoint);
  EXPECT_EQ(plan.probes[0].name, "tracepoint:syscalls:sys_enter_getpid");
  EXPECT_EQ(plan.probes[0].tracepoint, "syscalls:sys_enter_getpid");
  EXPECT_EQ(plan.probes[1].name, "tracepoint:syscalls:sys_enter_getppid");
  EXPECT_EQ(plan.probes[1].c_function, "probe_1");
}

// The generated C: one struct per tracepoint at the format's offsets, each kind of field read.
TEST(TracepointPlan, GoldenC) {
  Pipeline p(
      "tracepoint:syscalls:sys_enter_openat /pid == cpid/ {\n"
      "  printf(\"%s %d %d\\n\", str(args->filename), args->flags, args.__syscall_nr);\n"
      "}\n"
      "t:sched:sched_switch /args->prev_pid == cpid/ { @[args->prev_comm] = count(); }\n"
      "t:sched:sched_process_exec { printf(\"%s\\n\", args->filename); }\n"
      "t:test:rel { printf(\"%s\\n\", args->msg); }\n",
      "tracepoints.bt");
  auto sema = p.analyze(with_catalog());
  ASSERT_EQ(p.errors(), "");
  std::string c = codegen::lower(*p.program, sema).c_source;
  c = c.substr(std::string(stdlib::prelude()).size());
  std::string path = std::string(UTRACE_SOURCE_DIR) + "/tests/golden/tracepoints.c";
  if (getenv("UTRACE_UPDATE_GOLDEN")) {
    std::ofstream(path) << c;
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << "missing golden file " << path << " (run with UTRACE_UPDATE_GOLDEN=1)";
  std::stringstream expected;
  expected << in.rdbuf();
  EXPECT_EQ(c, expected.str());
}

}  // namespace
}  // namespace ut
