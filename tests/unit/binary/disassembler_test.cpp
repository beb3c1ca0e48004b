// LLVM's x86-64 disassembler behind runtime/binary/disassembler.h: instruction starts, sizes,
// returns.
#include "runtime/binary/disassembler.h"

#include <gtest/gtest.h>

namespace ut::runtime {
namespace {

// push %rbp; mov %rsp,%rbp; mov %rdi,-0x8(%rbp); ret
constexpr std::string_view kCode("\x55\x48\x89\xe5\x48\x89\x7d\xf8\xc3", 9);

TEST(Disassembler, FindsEveryInstructionAndTheReturn) {
  auto code = disassemble_x86_64(kCode);
  ASSERT_TRUE(code.ok()) << code.error().message();
  ASSERT_EQ(code->size(), 4u);
  std::vector<uint64_t> starts;
  for (const Instruction &i : *code) starts.push_back(i.offset);
  EXPECT_EQ(starts, (std::vector<uint64_t>{0, 1, 4, 8}));
  EXPECT_EQ((*code)[2].size, 4u);
  EXPECT_FALSE((*code)[2].is_return);
  EXPECT_TRUE((*code)[3].is_return);
}

TEST(Disassembler, ACutInstructionIsAnErrorUnlessOnlyAPrefixIsWanted) {
  auto cut = disassemble_x86_64(kCode.substr(0, 6));
  ASSERT_FALSE(cut.ok());
  EXPECT_EQ(cut.error().message(), "no instruction at offset 4");
  auto prefix = disassemble_x86_64(kCode.substr(0, 6), /*whole=*/false);
  ASSERT_TRUE(prefix.ok());
  EXPECT_EQ(prefix->size(), 2u);
}

}  // namespace
}  // namespace ut::runtime
