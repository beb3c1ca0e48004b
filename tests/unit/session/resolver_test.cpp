// strftime()'s times, which the resolver formats from a wall-clock time in user space.
#include <gtest/gtest.h>
#include <time.h>

#include <cstdlib>
#include <optional>
#include <string>

#include "runtime/session/resolver.h"

namespace ut {
namespace {

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
