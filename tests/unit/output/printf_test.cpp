#include <gtest/gtest.h>

#include "codegen/format.h"
#include "runtime/output/printf.h"

namespace ut {
namespace {

runtime::Value integer(int64_t v, bool is_signed = true) {
  runtime::Value out;
  out.type = codegen::Type::integer(64, is_signed);
  out.i = v;
  return out;
}

runtime::Value string(const std::string &s) {
  runtime::Value out;
  out.type = codegen::Type::string(static_cast<uint32_t>(s.size() + 1));
  out.s = s;
  return out;
}

runtime::Value buffer(const std::string &bytes) {
  runtime::Value out;
  out.type = codegen::Type::buffer();
  out.s = bytes;
  return out;
}

std::string format(const std::string &fmt, const std::vector<runtime::Value> &args) {
  auto spec = codegen::parse_format(fmt);
  EXPECT_TRUE(spec.ok()) << spec.error().message();
  return runtime::format_printf(*spec, args);
}

TEST(Printf, ConversionsFlagsAndWidths) {
  EXPECT_EQ(format("[%s] [%10s] [%-10s] [%.3s]",
                   {string("abc"), string("abc"), string("abc"), string("abcdef")}),
            "[abc] [       abc] [abc       ] [abc]");
  EXPECT_EQ(format("[%d] [%5d] [%-5d] [%x] [%X] [%o] [%05d] [%c]",
                   {integer(-42), integer(42), integer(42), integer(255), integer(255), integer(8),
                    integer(42), integer(65)}),
            "[-42] [   42] [42   ] [ff] [FF] [10] [00042] [A]");
}

TEST(Printf, SixtyFourBitValuesPrintInFull) {
  EXPECT_EQ(format("%d %u %x %ld %lu",
                   {integer(5000000000), integer(-1), integer(-1), integer(-1), integer(-1)}),
            "5000000000 18446744073709551615 ffffffffffffffff -1 18446744073709551615");
}

TEST(Printf, PercentAndPointers) {
  EXPECT_EQ(format("100%% done %d %p", {integer(1), integer(4096)}), "100% done 1 0x1000");
  EXPECT_EQ(format("%p", {integer(0)}), "(nil)");
}

TEST(Printf, BuffersAsTextAsEscapesAndAsHex) {
  std::string bytes(
      "hi\n\0\x03"
      "A\x7f\xff",
      8);
  EXPECT_EQ(
      format("[%r] [%rx] [%rh]", {buffer(bytes), buffer(bytes.substr(0, 4)), buffer(std::string("\x03\0", 2))}),
      "[hi\\x0a\\x00\\x03A\\x7f\\xff] [\\x68\\x69\\x0a\\x00] [03 00]");
  EXPECT_EQ(format("[%-6r] [%4rh] [%r]x", {buffer("ab"), buffer("\x01"), buffer("")}),
            "[ab    ] [  01] []x");
  EXPECT_EQ(buffer(bytes).text(), "hi\\x0a\\x00\\x03A\\x7f\\xff") << "print() and maps use %r";
}

TEST(Printf, InvalidSpecifierIsAnError) {
  auto spec = codegen::parse_format("%+d");
  ASSERT_FALSE(spec.ok());
  EXPECT_EQ(spec.error().message(), "invalid format specifier '%+'");
  EXPECT_EQ(codegen::conversion_count(*codegen::parse_format("a %d %s %% %x")), 3u);
}

}  // namespace
}  // namespace ut
