// Where uprobes go in Go functions: past the stack-growth check of the prologue.
#include "runtime/binary/uprobe_targets.h"

#include <gtest/gtest.h>

#include <string>

namespace ut::runtime {
namespace {

std::string bytes(std::initializer_list<uint8_t> b) {
  return std::string(b.begin(), b.end());
}

TEST(GoPrologue, RegisterAbiSmallFrame) {
  // cmp rsp,[r14+0x10]; jbe +0x2a; push rbp; mov rbp,rsp
  EXPECT_EQ(go_prologue_end(bytes({0x49, 0x3b, 0x66, 0x10, 0x76, 0x2a, 0x55, 0x48, 0x89, 0xe5})),
            6u);
}

TEST(GoPrologue, RegisterAbiLargeFrame) {
  // lea r12,[rsp-8]; cmp r12,[r14+0x10]; jbe rel32; push rbp
  EXPECT_EQ(go_prologue_end(bytes({0x4c, 0x8d, 0x64, 0x24, 0xf8, 0x4d, 0x3b, 0x66, 0x10, 0x0f,
                                   0x86, 0x00, 0x01, 0x00, 0x00, 0x55})),
            15u);
}

TEST(GoPrologue, StackAbi) {
  // mov rcx,fs:[-8]; cmp rsp,[rcx+0x10]; jbe +0x30; sub rsp,0x18
  EXPECT_EQ(go_prologue_end(bytes({0x64, 0x48, 0x8b, 0x0c, 0x25, 0xf8, 0xff, 0xff, 0xff, 0x48,
                                   0x3b, 0x61, 0x10, 0x76, 0x30, 0x48, 0x83, 0xec, 0x18})),
            15u);
}

TEST(GoPrologue, NoCheckMeansTheFirstInstruction) {
  // mov rax,[rip+0x10]; inc rax: a NOSPLIT function
  EXPECT_EQ(go_prologue_end(bytes({0x48, 0x8b, 0x05, 0x10, 0x00, 0x00, 0x00, 0x48, 0xff, 0xc0})),
            0u);
  // a comparison with no branch after it is not the check
  EXPECT_EQ(go_prologue_end(bytes({0x49, 0x3b, 0x66, 0x10, 0x55})), 0u);
  EXPECT_EQ(go_prologue_end(""), 0u);
}

}  // namespace
}  // namespace ut::runtime
