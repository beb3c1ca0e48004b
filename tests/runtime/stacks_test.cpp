// ustack: frames from the kernel, the direct caller kept at a function's first instruction, and
// symbols resolved through the process's mappings, also after the process has exited.
#include "tests/runtime/runtime_fixture.h"

namespace ut {
namespace {

bool matches(const std::string &text, const std::string &pattern) {
  return std::regex_match(text, std::regex(pattern));
}

// calls 100 0: main calls f(i) 100 times. bpftrace 0.17 prints f, then main's caller: at f's
// first instruction the frame-pointer walk cannot see main yet.
TEST_F(Runtime, UstackKeysKeepTheDirectCallerAndResolveAfterExit) {
  RunResult r = utrace(
      {"-q", "-c", kCCalls + " 100 0", "-e",
       "uprobe:" + kCCalls + ":f { @[ustack(3)] = count(); @k[ustack(2), comm] = count(); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // The maps print after the command exited: its mappings were read while it ran.
  EXPECT_TRUE(
      matches(r.out,
              "\n\n"
              "@\\[\n    f\\+0\n    main\\+[0-9]+\n    __libc_start_call_main\\+[0-9]+\n\\]: 100\n"
              "@k\\[\n    f\\+0\n    main\\+[0-9]+\n, calls\\]: 100\n"))
      << r.out << r.err;
}

TEST_F(Runtime, UstackInPrintfAndPrintAndPerfMode) {
  RunResult r =
      utrace({"-q", "-c", kCCalls + " 10 0", "-e",
              "uprobe:" + kCCalls +
                  ":f /arg0 == 5/ { printf(\"%s|\", ustack(perf, 2)); print(ustack(1)); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string path = std::filesystem::canonical(kCCalls).string();
  EXPECT_TRUE(matches(r.out, "\n\t[0-9a-f]+ f\\+0 \\(" + path +
                                 "\\)\n\t[0-9a-f]+ main\\+[0-9]+ \\(" + path +
                                 "\\)\n\\|\n        f\\+0\n\n\n\n"))
      << r.out << r.err;
}

// probe and func name the attach point and its function, in uretprobes too (bpftrace 0.17 gives
// the caller there); usym(reg("ip")) is the function, usym of the return address its caller.
TEST_F(Runtime, ProbeFuncUsymAndReg) {
  std::string binary = std::filesystem::canonical(kCCalls).string();
  RunResult r = utrace(
      {"-q", "-c", binary + " 3 0", "-e",
       "uprobe:" + binary +
           ":f { @in[probe, func, usym(reg(\"ip\")), usym(*(uint64 *)reg(\"sp\"))] = count(); } "
           "uretprobe:" +
           binary + ":f { @out[probe, func] = count(); printf(\"%s %s\\n\", func, usym(0x10)); }"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "f 0x10\nf 0x10\nf 0x10\n\n\n"
            "@in[uprobe:" +
                binary +
                ":f, f, f, main]: 3\n"
                "@out[uretprobe:" +
                binary + ":f, f]: 3\n")
      << r.err;
}

TEST_F(Runtime, UstackOfAGoFunctionNamesItsCaller) {
  Background counter({kTmpCounter});
  std::this_thread::sleep_for(200ms);
  RunResult r = utrace(
      {"-q", "-e",
       R"(uprobe:/tmp/counter:"main.doWork" { @[ustack(2)] = count(); if (@[ustack(2)] >= 5) { exit(); } })"},
      stop_after(10s));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(
      matches(r.out, "\n\n@\\[\n    main\\.doWork\\+0\n    main\\.main\\+[0-9]+\n\\]: [0-9]+\n"))
      << r.out << r.err;
  EXPECT_TRUE(counter.alive());
}

// Go programs ship stripped: with no symbol table the frames and usym() are named from
// .gopclntab, the same text as for the unstripped counter above.
TEST_F(Runtime, UstackOfAStrippedGoFunctionNamesItsCaller) {
  std::string stripped = ::testing::TempDir() + "/utrace-counter-stripped-stack";
  ASSERT_EQ(std::system(("strip -o '" + stripped + "' " + kTmpCounter).c_str()), 0);
  std::string program = "uprobe:" + stripped +
                        R"(:"main.doWork" { @[ustack(2)] = count(); if (@[ustack(2)] >= 5) { )"
                        R"(printf("%s %s\n", usym(reg("ip")), func); exit(); } })";
  RunResult r;
  {
    Background counter({stripped});
    std::this_thread::sleep_for(200ms);
    r = utrace({"-q", "-e", program}, stop_after(10s));
    EXPECT_TRUE(counter.alive());
  }
  std::filesystem::remove(stripped);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(matches(r.out,
                      "(main\\.doWork main\\.doWork\n)+\n\n"
                      "@\\[\n    main\\.doWork\\+0\n    main\\.main\\+[0-9]+\n\\]: [0-9]+\n"))
      << r.out << r.err;
}

}  // namespace
}  // namespace ut
