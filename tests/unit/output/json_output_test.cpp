#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>

#include "runtime/output/output.h"
#include "tests/unit/output/printed.h"

namespace ut {
namespace {

using codegen::AggKind;
using codegen::Aggregation;
using codegen::Type;
using runtime::MapSnapshot;
using runtime::Output;
using runtime::Value;

// Everything a JSON Output prints on its stream while `write` runs.
std::string printed(const std::function<void(Output &)> &write) {
  return testing::printed(runtime::make_json_output, write);
}

Value integer(int64_t v, bool is_signed = true) {
  Value out;
  out.type = Type::integer(64, is_signed);
  out.i = v;
  return out;
}

Value string(const std::string &s) {
  Value out;
  out.type = Type::string(static_cast<uint32_t>(s.size() + 1));
  out.s = s;
  return out;
}

Value aggregate(AggKind kind, int64_t v) {
  Value out;
  out.type = Type::aggregate(Aggregation{kind});
  out.i = v;
  return out;
}

Value stats(AggKind kind, uint64_t count, int64_t total) {
  Value out = aggregate(kind, total / static_cast<int64_t>(count));
  out.count = count;
  out.total = total;
  return out;
}

// A hist with `counts` set at the given bucket indexes.
Value hist(const std::vector<std::pair<size_t, uint64_t>> &counts) {
  Value out = aggregate(AggKind::Hist, 0);
  out.buckets.assign(codegen::kHistBuckets, 0);
  for (auto [index, n] : counts) out.buckets[index] = n;
  return out;
}

Value lhist(int64_t min, int64_t max, int64_t step,
            const std::vector<std::pair<size_t, uint64_t>> &counts) {
  Value out;
  Aggregation agg{AggKind::Lhist, min, max, step};
  out.type = Type::aggregate(agg);
  out.buckets.assign(agg.lhist_buckets(), 0);
  for (auto [index, n] : counts) out.buckets[index] = n;
  return out;
}

MapSnapshot scalar(const std::string &name, const Value &v) {
  return {name, true, {{{}, v}}};
}

MapSnapshot keyed(const std::string &name,
                  const std::vector<std::pair<std::vector<Value>, Value>> &entries) {
  return {name, false, entries};
}

std::string printed_map(const MapSnapshot &m) {
  return printed([&](Output &out) { out.map(m); });
}

std::string printed_value(const Value &v) {
  return printed([&](Output &out) { out.value(v); });
}

TEST(JsonOutput, AttachedPrintfAndLostEvents) {
  EXPECT_EQ(printed([](Output &out) {
              out.attached(1);
              out.printf_text("hello 5\n");
              out.lost_events(4);
            }),
            "{\"type\": \"attached_probes\", \"data\": {\"probes\": 1}}\n"
            "{\"type\": \"printf\", \"data\": \"hello 5\\n\"}\n"
            "{\"type\": \"lost_events\", \"data\": {\"events\": 4}}\n");
}

TEST(JsonOutput, StringsAreEscaped) {
  EXPECT_EQ(printed([](Output &out) { out.printf_text("a\tb\"c\n"); }),
            R"({"type": "printf", "data": "a\tb\"c\n"})"
            "\n");
  // DEL is not a control character in JSON; NUL is.
  std::string controls("\\ \r \x01 \x1b \x7f \0.", 12);
  EXPECT_EQ(printed([&](Output &out) { out.printf_text(controls); }),
            "{\"type\": \"printf\", \"data\": \"\\\\ \\r \\u0001 \\u001b \x7f \\u0000.\"}\n");
}

TEST(JsonOutput, BytesThatAreNotUtf8AreEscaped) {
  // é, € and 😀 pass through; a lone continuation byte, 0xff, a truncated sequence, an overlong
  // '/' and a UTF-16 surrogate do not.
  EXPECT_EQ(printed_value(string("\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \x80 \xff \xe2\x82 "
                                 "\xc0\xaf \xed\xa0\x80")),
            "{\"type\": \"value\", \"data\": \"\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \\u0080 "
            "\\u00ff \\u00e2\\u0082 \\u00c0\\u00af \\u00ed\\u00a0\\u0080\"}\n");
  // A sequence cut short at the end of the string.
  EXPECT_EQ(printed_value(string("ab\xe2\x82")),
            "{\"type\": \"value\", \"data\": \"ab\\u00e2\\u0082\"}\n");
}

TEST(JsonOutput, Values) {
  EXPECT_EQ(printed_value(integer(123)), "{\"type\": \"value\", \"data\": 123}\n");
  EXPECT_EQ(printed_value(integer(-1)), "{\"type\": \"value\", \"data\": -1}\n");
  EXPECT_EQ(printed_value(string("abc")), "{\"type\": \"value\", \"data\": \"abc\"}\n");
}

TEST(JsonOutput, IntegersBeyondTwoToThe53AreStrings) {
  EXPECT_EQ(printed_value(integer(-1, false)),
            "{\"type\": \"value\", \"data\": \"18446744073709551615\"}\n");
  EXPECT_EQ(printed_value(integer(std::numeric_limits<int64_t>::min())),
            "{\"type\": \"value\", \"data\": \"-9223372036854775808\"}\n");
  EXPECT_EQ(printed_value(integer(std::numeric_limits<int64_t>::max())),
            "{\"type\": \"value\", \"data\": \"9223372036854775807\"}\n");
  EXPECT_EQ(printed_value(integer(int64_t{1} << 53)),
            "{\"type\": \"value\", \"data\": 9007199254740992}\n");
  EXPECT_EQ(printed_value(integer(-(int64_t{1} << 53))),
            "{\"type\": \"value\", \"data\": -9007199254740992}\n");
  EXPECT_EQ(printed_value(integer((int64_t{1} << 53) + 1)),
            "{\"type\": \"value\", \"data\": \"9007199254740993\"}\n");
}

TEST(JsonOutput, MapsBeginAndRaw) {
  EXPECT_EQ(printed([](Output &out) {
              out.maps_begin();
              out.raw("as it is\n");
            }),
            "as it is\n");
}

TEST(JsonOutput, ScalarAndKeyedMaps) {
  EXPECT_EQ(printed_map(scalar("@c", aggregate(AggKind::Count, 1))),
            "{\"type\": \"map\", \"data\": {\"@c\": 1}}\n");
  EXPECT_EQ(printed_map(scalar("@u", integer(-1, false))),
            "{\"type\": \"map\", \"data\": {\"@u\": \"18446744073709551615\"}}\n");
  EXPECT_EQ(printed_map(scalar("@s", string("a b \n d"))),
            "{\"type\": \"map\", \"data\": {\"@s\": \"a b \\n d\"}}\n");
  EXPECT_EQ(printed_map(keyed("@m", {{{string("key1")}, aggregate(AggKind::Sum, 2)},
                                     {{string("key2")}, aggregate(AggKind::Sum, 3)}})),
            "{\"type\": \"map\", \"data\": {\"@m\": {\"key1\": 2, \"key2\": 3}}}\n");
  EXPECT_EQ(printed_map(keyed("@k", {{{integer(1), string("a")}, integer(5)},
                                     {{integer(-2), string("b \"c\"")}, integer(-6)}})),
            "{\"type\": \"map\", \"data\": {\"@k\": {\"1,a\": 5, \"-2,b \\\"c\\\"\": -6}}}\n");
}

TEST(JsonOutput, EmptyMapsPrintNothing) {
  EXPECT_EQ(printed_map(keyed("@m", {})), "");
  EXPECT_EQ(printed_map({"@x", true, {}}), "");
}

TEST(JsonOutput, AvgAndStatsAreStats) {
  EXPECT_EQ(printed_map(scalar("@a", stats(AggKind::Avg, 2, 10))),
            "{\"type\": \"stats\", \"data\": {\"@a\": 5}}\n");
  EXPECT_EQ(printed_map(scalar("@st", stats(AggKind::Stats, 2, 12))),
            "{\"type\": \"stats\", \"data\": {\"@st\": {\"count\": 2, \"average\": 6, "
            "\"total\": 12}}}\n");
  EXPECT_EQ(printed_map(keyed("@stk", {{{string("a")}, stats(AggKind::Stats, 1, 4)}})),
            "{\"type\": \"stats\", \"data\": {\"@stk\": {\"a\": {\"count\": 1, \"average\": 4, "
            "\"total\": 4}}}}\n");
}

TEST(JsonOutput, HistBuckets) {
  // -1, 0, 2 and 1024: the negative bucket, [0], [1] (empty), [2, 4) ... [1K, 2K).
  EXPECT_EQ(printed_map(scalar("@h", hist({{0, 1}, {1, 1}, {3, 1}, {12, 1}}))),
            "{\"type\": \"hist\", \"data\": {\"@h\": [{\"max\": -1, \"count\": 1},"
            "{\"min\": 0, \"max\": 0, \"count\": 1},{\"min\": 1, \"max\": 1, \"count\": 0},"
            "{\"min\": 2, \"max\": 3, \"count\": 1},{\"min\": 4, \"max\": 7, \"count\": 0},"
            "{\"min\": 8, \"max\": 15, \"count\": 0},{\"min\": 16, \"max\": 31, \"count\": 0},"
            "{\"min\": 32, \"max\": 63, \"count\": 0},{\"min\": 64, \"max\": 127, \"count\": 0},"
            "{\"min\": 128, \"max\": 255, \"count\": 0},{\"min\": 256, \"max\": 511, \"count\": 0},"
            "{\"min\": 512, \"max\": 1023, \"count\": 0},"
            "{\"min\": 1024, \"max\": 2047, \"count\": 1}]}}\n");
  EXPECT_EQ(printed_map(keyed("@hk", {{{string("x")}, hist({{3, 1}})}})),
            "{\"type\": \"hist\", \"data\": {\"@hk\": {\"x\": [{\"min\": 2, \"max\": 3, "
            "\"count\": 1}]}}}\n");
  // The last bucket, [4E, 8E), ends at INT64_MAX.
  EXPECT_EQ(printed_map(scalar("@big", hist({{64, 1}}))),
            "{\"type\": \"hist\", \"data\": {\"@big\": [{\"min\": \"4611686018427387904\", "
            "\"max\": \"9223372036854775807\", \"count\": 1}]}}\n");
  EXPECT_EQ(printed_map(scalar("@zero", hist({}))),
            "{\"type\": \"hist\", \"data\": {\"@zero\": []}}\n");
}

TEST(JsonOutput, LhistUnderflowAndOverflow) {
  // lhist(v, 0, 100, 10) given -1, 5 and 100.
  std::string middle;
  for (int lo = 10; lo < 100; lo += 10)
    middle += ",{\"min\": " + std::to_string(lo) + ", \"max\": " + std::to_string(lo + 9) +
              ", \"count\": 0}";
  EXPECT_EQ(printed_map(scalar("@l", lhist(0, 100, 10, {{0, 1}, {1, 1}, {11, 1}}))),
            "{\"type\": \"hist\", \"data\": {\"@l\": [{\"max\": -1, \"count\": 1},"
            "{\"min\": 0, \"max\": 9, \"count\": 1}" +
                middle + ",{\"min\": 100, \"count\": 1}]}}\n");
  // lhist(v, -10, 10, 5) given -20 and 3: the underflow bucket ends below min.
  EXPECT_EQ(printed_map(scalar("@n", lhist(-10, 10, 5, {{0, 2}, {3, 1}}))),
            "{\"type\": \"hist\", \"data\": {\"@n\": [{\"max\": -11, \"count\": 2},"
            "{\"min\": -10, \"max\": -6, \"count\": 0},{\"min\": -5, \"max\": -1, \"count\": 0},"
            "{\"min\": 0, \"max\": 4, \"count\": 1}]}}\n");
}

}  // namespace
}  // namespace ut
