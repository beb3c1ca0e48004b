// C structs, unions, arrays and pointers as the script's maps hold them: decoded from the bytes
// BPF wrote, printed as bpftrace 0.17 prints them in text and JSON. The types are built by hand
// as a C front end lays them out, for
//   struct Point { int x; int y; };
//   struct Line { struct Point a; struct Point b; char name[16]; unsigned int flags : 3;
//                 int arr[4]; short m[2][2]; };
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>

#include "runtime/output/output.h"
#include "runtime/output/values.h"
#include "tests/unit/output/printed.h"

namespace ut {
namespace {

using codegen::AggKind;
using codegen::Aggregation;
using codegen::Record;
using codegen::RecordField;
using codegen::Type;
using runtime::MapSnapshot;
using runtime::Output;
using runtime::Value;

Type int32() {
  return Type::integer(32);
}

Type record_type(Record r) {
  return Type::of_record(std::make_shared<const Record>(std::move(r)));
}

Type point_type() {
  return record_type({"struct Point", false, 8, 4, true, {{"x", int32(), 0}, {"y", int32(), 4}}});
}

Type line_type() {
  Type point = point_type();
  return record_type({"struct Line",
                      false,
                      60,
                      4,
                      true,
                      {{"a", point, 0},
                       {"b", point, 8},
                       {"name", Type::string(16), 16},
                       {"flags", Type::integer(32, false), 32, 0, 3},
                       {"arr", Type::array(int32(), 4), 36},
                       {"m", Type::array(Type::array(Type::integer(16), 2), 2), 52}}});
}

// The tuple (struct Point, string, int64), which C lays out at 0, 8 and 72.
Type tuple_type() {
  return Type::tuple({point_type(), Type::string(codegen::kMapStringSize), Type::integer(64)});
}

template <typename T>
void put(std::string &bytes, size_t offset, T v) {
  ASSERT_LE(offset + sizeof(T), bytes.size());
  memcpy(&bytes[offset], &v, sizeof(T));
}

// A struct Line with every member set; the bits of `flags`' storage unit above its 3 are set
// too, as a neighbouring bitfield would leave them.
std::string line_bytes() {
  std::string bytes(60, '\0');
  put<int32_t>(bytes, 0, 1);
  put<int32_t>(bytes, 4, 2);
  put<int32_t>(bytes, 8, 3);
  put<int32_t>(bytes, 12, -4);
  memcpy(&bytes[16], "hello", 5);
  put<uint32_t>(bytes, 32, 0xfffffffd);  // flags = 0b101
  put<int32_t>(bytes, 36, 10);
  put<int32_t>(bytes, 40, 20);
  put<int32_t>(bytes, 44, 30);
  put<int32_t>(bytes, 48, -40);
  put<int16_t>(bytes, 52, 1);
  put<int16_t>(bytes, 54, 2);
  put<int16_t>(bytes, 56, 3);
  put<int16_t>(bytes, 58, -5);
  return bytes;
}

Value zeroes(const Type &t) {
  return runtime::decode(t, std::string(t.byte_size(), '\0'), 0);
}

Value count(uint64_t n) {
  Value v;
  v.type = Type::aggregate(Aggregation{AggKind::Count});
  v.i = static_cast<int64_t>(n);
  return v;
}

Value pointer(uint64_t address) {
  std::string bytes(8, '\0');
  put<uint64_t>(bytes, 0, address);
  return runtime::decode(Type::pointer(point_type()), bytes, 0);
}

using testing::printed;

// The maps of the script that bpftrace 0.17 was measured on, all zeroes:
//   @[$p] = count(); @arr = $l.arr; @k[$l.arr] = count(); @l = $l; @m = $l.m; @p = $p;
//   @t = ($p, "", 1); @ptr = (struct Point *)...
std::string all_maps(std::unique_ptr<Output> (*make)(FILE *)) {
  Value point = zeroes(point_type()), line = zeroes(line_type());
  std::string tuple(tuple_type().byte_size(), '\0');
  put<int64_t>(tuple, 72, 1);
  return printed(make, [&](Output &out) {
    out.map({"@", false, {{{point}, count(1)}}});
    out.map({"@arr", true, {{{}, line.elements[4]}}});
    out.map({"@k", false, {{{line.elements[4]}, count(1)}}});
    out.map({"@l", true, {{{}, line}}});
    out.map({"@m", true, {{{}, line.elements[5]}}});
    out.map({"@p", true, {{{}, point}}});
    out.map({"@t", true, {{{}, runtime::decode(tuple_type(), tuple, 0)}}});
    out.map({"@ptr", true, {{{}, pointer(140727296606032)}}});
  });
}

TEST(Records, MapsPrintAsBpftracePrintsThem) {
  EXPECT_EQ(all_maps(runtime::make_text_output),
            "@[{.x=0,.y=0}]: 1\n"
            "@arr: [0,0,0,0]\n"
            "@k[[0,0,0,0]]: 1\n"
            "@l: { .a = { .x = 0, .y = 0 }, .b = { .x = 0, .y = 0 }, .name = , .flags = 0, "
            ".arr = [0,0,0,0], .m = [[0,0],[0,0]] }\n"
            "@m: [[0,0],[0,0]]\n"
            "@p: { .x = 0, .y = 0 }\n"
            "@t: ({ .x = 0, .y = 0 }, , 1)\n"
            "@ptr: 140727296606032\n");
}

// JSON objects are spaced "{ "x": 0 }", arrays are not, and keys are the text's key form.
TEST(Records, MapsPrintAsBpftracePrintsThemInJson) {
  EXPECT_EQ(all_maps(runtime::make_json_output),
            "{\"type\": \"map\", \"data\": {\"@\": {\"{.x=0,.y=0}\": 1}}}\n"
            "{\"type\": \"map\", \"data\": {\"@arr\": [0,0,0,0]}}\n"
            "{\"type\": \"map\", \"data\": {\"@k\": {\"[0,0,0,0]\": 1}}}\n"
            "{\"type\": \"map\", \"data\": {\"@l\": { \"a\": { \"x\": 0, \"y\": 0 }, "
            "\"b\": { \"x\": 0, \"y\": 0 }, \"name\": \"\", \"flags\": 0, \"arr\": [0,0,0,0], "
            "\"m\": [[0,0],[0,0]] }}}\n"
            "{\"type\": \"map\", \"data\": {\"@m\": [[0,0],[0,0]]}}\n"
            "{\"type\": \"map\", \"data\": {\"@p\": { \"x\": 0, \"y\": 0 }}}\n"
            "{\"type\": \"map\", \"data\": {\"@t\": [{ \"x\": 0, \"y\": 0 },\"\",1]}}\n"
            "{\"type\": \"map\", \"data\": {\"@ptr\": 140727296606032}}\n");
}

// print($l) and print(@l) show the same text as the map does.
TEST(Records, PrintedValues) {
  Value line = runtime::decode(line_type(), line_bytes(), 0);
  auto print = [&](std::unique_ptr<Output> (*make)(FILE *), const Value &v) {
    return printed(make, [&](Output &out) { out.value(v); });
  };
  EXPECT_EQ(print(runtime::make_text_output, line),
            "{ .a = { .x = 1, .y = 2 }, .b = { .x = 3, .y = -4 }, .name = hello, .flags = 5, "
            ".arr = [10,20,30,-40], .m = [[1,2],[3,-5]] }\n");
  EXPECT_EQ(print(runtime::make_json_output, line),
            "{\"type\": \"value\", \"data\": { \"a\": { \"x\": 1, \"y\": 2 }, "
            "\"b\": { \"x\": 3, \"y\": -4 }, \"name\": \"hello\", \"flags\": 5, "
            "\"arr\": [10,20,30,-40], \"m\": [[1,2],[3,-5]] }}\n");
  // A record key in JSON: its compact text, as a JSON string.
  EXPECT_EQ(printed(runtime::make_json_output,
                    [&](Output &out) {
                      out.map({"@by", false, {{{line}, count(2)}}});
                    }),
            "{\"type\": \"map\", \"data\": {\"@by\": {\"{.a={.x=1,.y=2},.b={.x=3,.y=-4},"
            ".name=hello,.flags=5,.arr=[10,20,30,-40],.m=[[1,2],[3,-5]]}\": 2}}}\n");
  // Pointers beyond 2^53 are strings in JSON, as every integer is.
  EXPECT_EQ(print(runtime::make_json_output, pointer(0xffff888000000000)),
            "{\"type\": \"value\", \"data\": \"18446612682070032384\"}\n");
}

TEST(Records, MembersAreReadAtTheirOffsets) {
  Value line = runtime::decode(line_type(), line_bytes(), 0);
  EXPECT_EQ(line.text(),
            "{ .a = { .x = 1, .y = 2 }, .b = { .x = 3, .y = -4 }, .name = hello, .flags = 5, "
            ".arr = [10,20,30,-40], .m = [[1,2],[3,-5]] }");
  // As a key, compact all the way down.
  EXPECT_EQ(line.key_text(),
            "{.a={.x=1,.y=2},.b={.x=3,.y=-4},.name=hello,.flags=5,.arr=[10,20,30,-40],"
            ".m=[[1,2],[3,-5]]}");
  // A record at an offset in a larger buffer (an event's field).
  std::string event = "12345678" + line_bytes();
  EXPECT_EQ(runtime::decode(line_type(), event, 8).text(), line.text());
  // Bytes cut short of the record: nothing is read past them.
  EXPECT_EQ(runtime::decode(line_type(), line_bytes().substr(0, 59), 0).text(), "{  }");
}

TEST(Records, TuplesHoldRecordsInTheFormOfWhereTheyPrint) {
  std::string bytes(tuple_type().byte_size(), '\0');
  ASSERT_EQ(bytes.size(), 80u);
  put<int32_t>(bytes, 0, 7);
  put<int32_t>(bytes, 4, -8);
  memcpy(&bytes[8], "two", 3);
  put<int64_t>(bytes, 72, -9);
  Value t = runtime::decode(tuple_type(), bytes, 0);
  EXPECT_EQ(t.text(), "({ .x = 7, .y = -8 }, two, -9)");
  EXPECT_EQ(t.key_text(), "({.x=7,.y=-8}, two, -9)");
}

TEST(Records, BitfieldsAreMaskedAndSignExtended) {
  // struct Bits { int lo : 5; int mid : 7; unsigned int hi : 20; }: mid straddles bytes 0 and
  // 1, hi starts at bit 4 of byte 1.
  Type bits = record_type({"struct Bits",
                           false,
                           4,
                           4,
                           true,
                           {{"lo", int32(), 0, 0, 5},
                            {"mid", int32(), 0, 5, 7},
                            {"hi", Type::integer(32, false), 1, 4, 20}}});
  uint32_t word = (uint32_t{0x1d} & 0x1f) | (uint32_t{0x40} << 5) | (uint32_t{0xabcde} << 12);
  std::string bytes(4, '\0');
  put<uint32_t>(bytes, 0, word);
  EXPECT_EQ(runtime::decode(bits, bytes, 0).text(), "{ .lo = -3, .mid = -64, .hi = 703710 }");
  // A 64-bit bitfield that starts at bit 3: its top bits are in the ninth byte.
  Type wide =
      record_type({"struct Wide", false, 16, 8, true, {{"w", Type::integer(64, false), 0, 3, 64}}});
  std::string wide_bytes(16, '\0');
  put<uint64_t>(wide_bytes, 0, uint64_t{0xffffffffffffffff} << 3);
  put<uint8_t>(wide_bytes, 8, 0x07);
  EXPECT_EQ(runtime::decode(wide, wide_bytes, 0).text(), "{ .w = 18446744073709551615 }");
}

TEST(Records, AnonymousMembersPrintInPlaceAndFloatsAreLeftOut) {
  // struct Tagged { int kind; union { int i; unsigned int u; }; float f; char c; }
  Type anon =
      record_type({"", true, 4, 4, true, {{"i", int32(), 0}, {"u", Type::integer(32, false), 0}}});
  Type tagged = record_type(
      {"struct Tagged",
       false,
       16,
       4,
       true,
       {{"kind", int32(), 0}, {"", anon, 4}, {"f", Type::none(), 8}, {"c", Type::integer(8), 12}}});
  std::string bytes(16, '\0');
  put<int32_t>(bytes, 0, 2);
  put<int32_t>(bytes, 4, -1);
  put<float>(bytes, 8, 1.5f);
  put<int8_t>(bytes, 12, 65);
  Value v = runtime::decode(tagged, bytes, 0);
  EXPECT_EQ(v.text(), "{ .kind = 2, .i = -1, .u = 4294967295, .c = 65 }");
  EXPECT_EQ(v.key_text(), "{.kind=2,.i=-1,.u=4294967295,.c=65}");
  EXPECT_EQ(printed(runtime::make_json_output, [&](Output &out) { out.value(v); }),
            "{\"type\": \"value\", \"data\": { \"kind\": 2, \"i\": -1, \"u\": 4294967295, "
            "\"c\": 65 }}\n");
}

TEST(Records, PointersAreUnsignedAddresses) {
  EXPECT_EQ(pointer(0xffff888000000000).text(), "18446612682070032384");
  EXPECT_EQ(pointer(0xffff888000000000).key_text(), "18446612682070032384");
  EXPECT_TRUE(pointer(1) < pointer(0xffff888000000000));
  EXPECT_FALSE(pointer(0xffff888000000000) < pointer(1));
}

TEST(Records, RecordsAndArraysSortMemberByMember) {
  auto point = [](int32_t x, int32_t y) {
    std::string bytes(8, '\0');
    put<int32_t>(bytes, 0, x);
    put<int32_t>(bytes, 4, y);
    return runtime::decode(point_type(), bytes, 0);
  };
  EXPECT_TRUE(point(1, 5) < point(2, 0));
  EXPECT_TRUE(point(1, -5) < point(1, 0));
  EXPECT_FALSE(point(2, 0) < point(1, 5));
  EXPECT_TRUE(point(3, 3) == point(3, 3));
  Value line = runtime::decode(line_type(), line_bytes(), 0);
  Value arr = line.elements[4], lower = arr;
  lower.elements[3].i = -41;
  EXPECT_TRUE(lower < arr);
  EXPECT_FALSE(arr < lower);
}

}  // namespace
}  // namespace ut
