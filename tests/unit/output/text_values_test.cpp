// The values user space turns into text without asking BPF again: ntop()'s addresses, decoded.
#include <gtest/gtest.h>

#include <cstring>

#include "codegen/format.h"
#include "runtime/output/printf.h"
#include "runtime/output/values.h"

namespace ut {
namespace {

using codegen::Type;
using codegen::TypeKind;

// A struct ut_inet as BPF writes it.
std::string inet_bytes(uint64_t af, const std::vector<uint8_t> &addr) {
  std::string bytes(24, '\0');
  memcpy(&bytes[0], &af, 8);
  memcpy(&bytes[8], addr.data(), addr.size());
  return bytes;
}

TEST(TextValues, InetDecodesToTheAddressText) {
  Type inet = Type::of_kind(TypeKind::Inet);
  EXPECT_EQ(runtime::decode(inet, inet_bytes(2, {127, 0, 0, 1}), 0).text(), "127.0.0.1");
  EXPECT_EQ(
      runtime::decode(
          inet, inet_bytes(10, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}), 0)
          .text(),
      "2001:db8::1");
  EXPECT_EQ(runtime::decode(
                inet, inet_bytes(10, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 1, 2, 3}), 0)
                .text(),
            "::ffff:10.1.2.3");
  // An address family that is neither: nothing, as bpftrace prints it.
  EXPECT_EQ(runtime::decode(inet, inet_bytes(7, {1, 2, 3, 4}), 0).text(), "");
  // Printed with %s and a width, like any string.
  auto spec = codegen::parse_format("[%-10s]");
  ASSERT_TRUE(spec.ok());
  EXPECT_EQ(runtime::format_printf(*spec, {runtime::decode(inet, inet_bytes(2, {10, 0, 0, 1}), 0)}),
            "[10.0.0.1  ]");
}

}  // namespace
}  // namespace ut
