// function_facts() against real DWARF: where args.NAME and rets.NAME find each value, for C
// compiled by gcc at -O0 (stack slots not yet filled at the entry: the convention places them)
// and -O2 (DWARF's registers), and for Go's register ABI (tests/unit/fixtures/dwarf_params.go).
#include "runtime/binary/function_facts.h"

#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include "tests/unit/scratch_dir.h"

namespace ut::runtime {
namespace {

using codegen::ValueFacts;
using Lines = std::vector<std::string>;

// Each value as "NAME: ax bx", "NAME: sp+8", "NAME: unreadable (WHY)", or for a struct in
// registers "NAME: {MEMBER: ax, ...}".
Lines places(const std::vector<ValueFacts> &values) {
  Lines out;
  for (const ValueFacts &v : values) {
    std::string text;
    if (v.kind == ValueFacts::Kind::Struct) {
      for (const std::string &member : places(v.members)) text += (text.empty() ? "" : ", ") + member;
      text = "{" + text + "}";
    } else if (v.kind == ValueFacts::Kind::Unreadable) {
      text = "unreadable (" + v.unreadable + ")";
    } else if (v.registers.empty()) {
      text = "sp+" + std::to_string(v.offset);
    } else {
      for (const std::string &r : v.registers) text += (text.empty() ? "" : " ") + r;
    }
    out.push_back(v.name + ": " + text);
  }
  return out;
}

codegen::FunctionFacts facts_of(const std::string &path, const std::string &function,
                                CallingConvention convention) {
  auto elf = ElfFile::open(path);
  EXPECT_TRUE(elf) << path;
  auto dwarf = DwarfInfo::open(*elf, path);
  EXPECT_TRUE(dwarf && dwarf->has_dwarf()) << path;
  auto fn = dwarf->function(function);
  EXPECT_TRUE(fn) << fn.error().message();
  return function_facts(*dwarf, *fn, convention);
}

const std::string kCFixture = std::string(UTRACE_SOURCE_DIR) + "/tests/unit/fixtures/dwarf_params.c";

std::string gcc(const std::string &dir, const std::string &flags) {
  std::string out = dir + "/params" + flags;
  std::string command = "gcc " + flags + " -g -o '" + out + "' '" + kCFixture + "'";
  return std::system(command.c_str()) == 0 ? out : "";
}

class FunctionFactsTest : public ::testing::Test {
 protected:
  testing::ScratchDir dir_{"utrace_function_facts"};
};

TEST_F(FunctionFactsTest, CByDwarfOrBySystemV) {
  std::string o0 = gcc(dir_.path(), "-O0"), o2 = gcc(dir_.path(), "-O2");
  ASSERT_FALSE(o0.empty() || o2.empty());
  // -O0 says fb-20 and fb-24 for a and b, filled only after the entry: System V places them.
  EXPECT_EQ(places(facts_of(o0, "add", CallingConvention::SystemV).params),
            (Lines{"a: di", "b: si"}));
  // Six in registers, the double in XMM0, the rest on the stack: the union and the struct too
  // (by value, they would take integer registers, but none is left).
  const Lines mixed{"f: di",
                    "g: si",
                    "m: dx",
                    "argv: cx",
                    "cp: r8",
                    "vl: r9",
                    "d: unreadable (it is passed in register X0, and probes cannot read "
                    "floating-point registers)",
                    "b: sp+8",
                    "e: sp+16",
                    "u: sp+24",
                    "pt: sp+32",
                    "vp: sp+40",
                    "cvp: sp+48"};
  EXPECT_EQ(places(facts_of(o2, "mixed", CallingConvention::SystemV).params), mixed);

  auto use_point = facts_of(o2, "use_point", CallingConvention::SystemV);
  ASSERT_EQ(use_point.params.size(), 1u);
  const ValueFacts &p = use_point.params[0];
  EXPECT_EQ(p.kind, ValueFacts::Kind::Pointer);
  ASSERT_EQ(p.members.size(), 2u);
  EXPECT_EQ(p.members[1].name, "y");
  EXPECT_EQ(p.members[1].offset, 4);
  EXPECT_EQ(p.members[1].size, 4u);
  EXPECT_TRUE(p.members[1].is_signed);
}

// Parameters where Go's DWARF says; results by the register ABI's assignment, which starts
// again at RAX. An error is an interface, a struct of two words in DWARF, each in a register.
TEST(FunctionFacts, GoRegisterAbi) {
  auto scale = facts_of(DWARF_GO_FIXTURE, "main.scale", CallingConvention::GoRegisters);
  EXPECT_EQ(places(scale.params),
            (Lines{"t: ax", "k: bx", "name: cx di", "xs: si r8 r9"}));
  EXPECT_EQ(scale.params[2].kind, ValueFacts::Kind::GoString);
  EXPECT_EQ(scale.params[3].kind, ValueFacts::Kind::GoSlice);
  ASSERT_EQ(scale.params[0].members.size(), 2u);
  EXPECT_EQ(scale.params[0].members[1].name, "b");
  EXPECT_EQ(scale.params[0].members[1].offset, 8);
  EXPECT_EQ(places(scale.results), (Lines{"~r0: ax", "~r1: {tab: bx, data: cx}"}));
}

}  // namespace
}  // namespace ut::runtime
