// The values user space turns into text without asking BPF again: ntop()'s addresses (decoded)
// and strftime()'s times (formatted from a wall-clock time).
#include <gtest/gtest.h>
#include <time.h>

#include <cstdlib>
#include <cstring>
#include <optional>

#include "codegen/format.h"
#include "runtime/printf.h"
#include "runtime/resolver.h"
#include "runtime/values.h"

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

class TimestampText : public ::testing::Test {
 protected:
  void SetUp() override {
    const char *tz = getenv("TZ");
    saved_ = tz ? std::optional<std::string>(tz) : std::nullopt;
    setenv("TZ", "UTC", 1);
    tzset();
  }
  void TearDown() override {
    if (saved_)
      setenv("TZ", saved_->c_str(), 1);
    else
      unsetenv("TZ");
    tzset();
  }
  std::optional<std::string> saved_;
};

TEST_F(TimestampText, Strftime3WithMicroseconds) {
  int64_t ns = 1700000000LL * 1000000000 + 123456789;  // 2023-11-14 22:13:20.123456789 UTC
  using runtime::ValueResolver;
  EXPECT_EQ(ValueResolver::timestamp_text("%Y-%m-%d %H:%M:%S.%f", ns),
            "2023-11-14 22:13:20.123456");
  EXPECT_EQ(ValueResolver::timestamp_text("%f|%f|%%f|%%|100%", ns), "123456|123456|%f|%|100%");
  EXPECT_EQ(ValueResolver::timestamp_text("%f", 1700000000LL * 1000000000 + 5000), "000005");
  EXPECT_EQ(ValueResolver::timestamp_text("", ns), "");
}

// Boot time plus the offset is the wall clock (to well within a millisecond here).
TEST(TimestampOffset, TurnsBootTimeIntoWallClockTime) {
  int64_t offset = runtime::ValueResolver::boot_to_wall_clock_ns();
  timespec boot{}, wall{};
  clock_gettime(CLOCK_BOOTTIME, &boot);
  clock_gettime(CLOCK_REALTIME, &wall);
  int64_t boot_ns = boot.tv_sec * 1000000000LL + boot.tv_nsec;
  int64_t wall_ns = wall.tv_sec * 1000000000LL + wall.tv_nsec;
  EXPECT_LT(std::llabs(boot_ns + offset - wall_ns), 1000000LL);
}

}  // namespace
}  // namespace ut
