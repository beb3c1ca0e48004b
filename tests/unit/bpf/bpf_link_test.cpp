// Linking one program out of a BpfObject: load-time values written in, callbacks appended.
#include <gtest/gtest.h>
#include <linux/btf.h>

#include <cstring>

#include "runtime/bpf/bpf_link.h"

namespace ut::runtime {
namespace {

constexpr uint8_t kLoadImm64 = BPF_LD | BPF_IMM | BPF_DW;
constexpr uint8_t kExit = BPF_JMP | BPF_EXIT;

BpfFunction function(const std::string &name, std::vector<bpf_insn> insns,
                     std::vector<BpfRelocation> relocations) {
  BpfFunction f;
  f.name = name;
  f.insns.assign(reinterpret_cast<const char *>(insns.data()), insns.size() * sizeof(bpf_insn));
  f.relocations = std::move(relocations);
  return f;
}

// probe_0 walks a map with ut_callback_1, which walks another with ut_callback_0, which reads
// cpid: each callback is appended once, after the code that first names it.
BpfObject nested_callbacks() {
  using K = BpfRelocation::Kind;
  BpfObject o;
  o.maps.push_back({"map_m", BPF_MAP_TYPE_HASH, 8, 8, 16, 0});
  bpf_insn ld{kLoadImm64, 1, 0, 0, 0}, second{}, exit{kExit, 0, 0, 0, 0};
  o.functions.push_back(
      function("probe_0", {ld, second, ld, second, exit}, {{K::Function, 0, 2}, {K::MapFd, 2, 0}}));
  o.functions.push_back(
      function("ut_callback_0", {ld, second, exit},
               {{K::Constant, 0, static_cast<uint32_t>(codegen::LoadConstant::Cpid)}}));
  o.functions.push_back(function("ut_callback_1", {ld, second, ld, second, exit},
                                 {{K::Function, 0, 1}, {K::Function, 2, 1}}));
  return o;
}

TEST(Link, CallbacksAreAppendedOnceAndReferencedRelatively) {
  auto linked = link_program(nested_callbacks(), 0, {42},
                             {{codegen::LoadConstant::Cpid, 0x1122334455667788ULL}});
  ASSERT_TRUE(linked.ok()) << linked.error().message();
  const std::vector<bpf_insn> &in = linked->insns;
  ASSERT_EQ(in.size(), 5u + 5u + 3u);
  EXPECT_EQ(linked->callback_starts, (std::vector<uint32_t>{5, 10}));
  // probe_0 -> ut_callback_1 at 5
  EXPECT_EQ(in[0].src_reg, BPF_PSEUDO_FUNC);
  EXPECT_EQ(in[0].imm, 5 - 0 - 1);
  EXPECT_EQ(in[2].src_reg, BPF_PSEUDO_MAP_FD);
  EXPECT_EQ(in[2].imm, 42);
  // ut_callback_1 -> ut_callback_0 at 10, twice, one copy
  EXPECT_EQ(in[5].src_reg, BPF_PSEUDO_FUNC);
  EXPECT_EQ(in[5].imm, 10 - 5 - 1);
  EXPECT_EQ(in[7].imm, 10 - 7 - 1);
  // ut_callback_0's constant, in two halves
  EXPECT_EQ(static_cast<uint32_t>(in[10].imm), 0x55667788u);
  EXPECT_EQ(static_cast<uint32_t>(in[11].imm), 0x11223344u);
  EXPECT_EQ(in[12].code, kExit);
}

TEST(Link, AProgramWithoutCallbacksIsItsOwnInstructions) {
  auto linked = link_program(nested_callbacks(), 1, {42}, {});
  ASSERT_TRUE(linked.ok());
  EXPECT_EQ(linked->insns.size(), 3u);
  EXPECT_TRUE(linked->callback_starts.empty());
  EXPECT_EQ(linked->insns[0].imm, 0) << "an absent constant is 0";
}

TEST(Link, FunctionBtfIsWellFormed) {
  const FunctionBtf &btf = function_btf();
  btf_header h{};
  ASSERT_GE(btf.blob.size(), sizeof(h));
  std::memcpy(&h, btf.blob.data(), sizeof(h));
  EXPECT_EQ(h.magic, BTF_MAGIC);
  EXPECT_EQ(h.hdr_len, sizeof(h));
  EXPECT_EQ(sizeof(h) + h.type_len + h.str_len, btf.blob.size());
  EXPECT_EQ(btf.blob[sizeof(h) + h.str_off], '\0') << "the string section starts empty";
  EXPECT_NE(btf.main_type_id, btf.callback_type_id);
}

}  // namespace
}  // namespace ut::runtime
