// The types of script values, and how each one is laid out in the generated C.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ut::codegen {

// Stack, Usym, Probe, Func, Username, Timestamp and Inet are sent from BPF as ids, addresses and
// bytes that the runtime turns into text (is_symbolic()): a stack's frames, usym's symbol, the
// attach point's name or function, a user's name, strftime()'s time, ntop()'s address.
enum class TypeKind {
  None,
  Integer,
  String,
  Pointer,
  Tuple,
  Aggregate,
  Buffer,
  Stack,
  Usym,
  Probe,
  Func,
  Username,
  Timestamp,
  Inet,
  Record,  // a C struct or union (or a Go struct): `record` holds its layout
  Array    // `count` elements of `elements[0]`, one after another
};

// How ustack prints: bpftrace's "symbol+offset" lines, or perf's "address symbol+offset (file)".
enum class StackMode { Bpftrace, Perf };

// What an aggregation map holds per key: `@m = count()`, `@h[k] = hist(v)`.
enum class AggKind { Count, Sum, Avg, Min, Max, Stats, Hist, Lhist };

struct Aggregation {
  AggKind kind = AggKind::Count;
  int64_t lhist_min = 0, lhist_max = 0, lhist_step = 1;  // lhist only

  // lhist: the buckets between min and max, plus one below and one at or above max.
  uint32_t lhist_buckets() const {
    return static_cast<uint32_t>((lhist_max - lhist_min) / lhist_step) + 2;
  }
  bool operator==(const Aggregation &o) const {
    return kind == o.kind &&
           (kind != AggKind::Lhist ||
            (lhist_min == o.lhist_min && lhist_max == o.lhist_max && lhist_step == o.lhist_step));
  }
};

// The room a string takes as a map key or value (bpftrace's default string size).
constexpr uint32_t kMapStringSize = 64;

// buf(): at most this many bytes, held with their count (struct ut_buffer in the prelude).
constexpr uint32_t kBufferSize = 64;

// ustack: at most this many frames (the kernel's default perf_event_max_stack).
constexpr uint32_t kMaxStackFrames = 127;

// hist(): a bucket for negative values, one for 0, then [1], [2, 4), ... [2^62, 2^63).
constexpr uint32_t kHistBuckets = 65;

struct Record;

struct Type {
  TypeKind kind = TypeKind::None;
  uint32_t bits = 64;                          // Integer: 8, 16, 32 or 64
  bool is_signed = true;                       // Integer
  uint32_t size = 0;                           // String: bytes including the NUL
  std::vector<Type> elements;                  // Pointer: {pointee}; Tuple: the elements
  Aggregation agg;                             // Aggregate
  StackMode stack_mode = StackMode::Bpftrace;  // Stack; `size` is its frame limit
  uint32_t count = 0;                          // Array: how many elements
  // Record: its layout. Behind a pointer a named record may be known by name only
  // (Record::complete false), which breaks the cycle of `struct node { struct node *next; }`;
  // analysis looks the name up when the pointer is followed.
  std::shared_ptr<const Record> record;

  static Type none() { return {}; }
  static Type integer(uint32_t bits = 64, bool is_signed = true) {
    Type t;
    t.kind = TypeKind::Integer;
    t.bits = bits;
    t.is_signed = is_signed;
    return t;
  }
  static Type string(uint32_t size) {
    Type t;
    t.kind = TypeKind::String;
    t.size = size;
    return t;
  }
  static Type aggregate(const Aggregation &agg) {
    Type t;
    t.kind = TypeKind::Aggregate;
    t.agg = agg;
    return t;
  }
  static Type buffer() {
    Type t;
    t.kind = TypeKind::Buffer;
    t.size = kBufferSize;
    return t;
  }
  static Type ustack(StackMode mode = StackMode::Bpftrace, uint32_t limit = kMaxStackFrames) {
    Type t;
    t.kind = TypeKind::Stack;
    t.stack_mode = mode;
    t.size = limit;
    return t;
  }
  static Type pointer(const Type &pointee) {
    Type t;
    t.kind = TypeKind::Pointer;
    t.elements = {pointee};
    return t;
  }
  // Also the layout of map keys and event records: a struct of `elements`, as C lays it out.
  static Type tuple(std::vector<Type> elements) {
    Type t;
    t.kind = TypeKind::Tuple;
    t.elements = std::move(elements);
    return t;
  }
  static Type array(const Type &element, uint32_t count) {
    Type t;
    t.kind = TypeKind::Array;
    t.elements = {element};
    t.count = count;
    return t;
  }
  static Type of_record(std::shared_ptr<const Record> r) {
    Type t;
    t.kind = TypeKind::Record;
    t.record = std::move(r);
    return t;
  }

  bool is_integer() const { return kind == TypeKind::Integer; }
  bool is_string() const { return kind == TypeKind::String; }
  bool is_pointer() const { return kind == TypeKind::Pointer; }
  bool is_none() const { return kind == TypeKind::None; }
  bool is_aggregate() const { return kind == TypeKind::Aggregate; }
  bool is_buffer() const { return kind == TypeKind::Buffer; }
  bool is_stack() const { return kind == TypeKind::Stack; }
  bool is_record() const { return kind == TypeKind::Record; }
  bool is_array() const { return kind == TypeKind::Array; }
  // A pointer to a struct or union: what `->` follows.
  bool is_record_pointer() const { return is_pointer() && elements[0].is_record(); }
  bool is_symbolic() const {
    return kind == TypeKind::Stack || kind == TypeKind::Usym || kind == TypeKind::Probe ||
           kind == TypeKind::Func || kind == TypeKind::Username || kind == TypeKind::Timestamp ||
           kind == TypeKind::Inet;
  }
  static Type of_kind(TypeKind k) {
    Type t;
    t.kind = k;
    return t;
  }
  // Integers and pointers: what arithmetic and conditions take.
  bool is_scalar() const { return is_integer() || is_pointer(); }

  // Bytes the value occupies in maps and events (pointers are 64-bit user addresses).
  uint32_t byte_size() const;
  // Its alignment as C gives it: an integer's size, 8 for pointers and the 8-byte structs of
  // the prelude, 1 for strings and buffers' bytes, a record's as laid out, a tuple's largest.
  uint32_t align() const;
  // A tuple's elements' offsets, laid out as C lays out a struct of them (natural alignment):
  // (int8, int16, int32) is at 0, 2, 4 and takes 8 bytes.
  std::vector<uint32_t> element_offsets() const;
  // As users read it in messages: "int64", "uint32", "string[16]", "int64 *", "struct Point",
  // "int32[4]".
  std::string str() const;
  // The C type that holds it in generated code: "s64", "u32", "u64" (pointers), "char" (strings).
  std::string c_type() const;

  bool operator==(const Type &o) const;
  bool operator!=(const Type &o) const { return !(*this == o); }
};

// A member of a record. Members of an anonymous struct or union member are reached through it
// (Record::find), as C reaches them.
struct RecordField {
  std::string name;     // "" for an anonymous struct or union member
  Type type;            // a bitfield: the integer type it was declared with
  uint32_t offset = 0;  // bytes from the start of the record (a bitfield: of its first byte)
  uint32_t bit_shift = 0;  // a bitfield: its lowest bit within the byte at `offset`
  uint32_t bit_width = 0;  // a bitfield: how many bits it has; 0 for other members

  bool is_bitfield() const { return bit_width != 0; }
  bool operator==(const RecordField &o) const;
};

// The layout of a struct or union, from a C front end (the script's definitions) or DWARF (the
// traced program's types). Never computed by hand.
struct Record {
  std::string name;  // as users write it: "struct Line", "union Value", "main.Point"; "" when
                     // anonymous
  bool is_union = false;
  uint32_t size = 0;
  uint32_t align = 1;
  bool complete = true;  // false: only the name is known here (behind a pointer)
  std::vector<RecordField> fields;

  // A member by name, with anonymous members searched through: the member, its offset moved
  // to be from this record's start. nullopt when there is none.
  std::optional<RecordField> find(const std::string &member) const;
  // The members' names as a user may write them (through anonymous members), in order.
  std::vector<std::string> member_names() const;
};

// "count", "hist"...: how bpftrace names aggregation types in messages.
const char *agg_name(AggKind kind);

// What reading a map value of type `stored` in an expression yields: the value itself, or for
// count/sum/min/max/avg the merged 64-bit integer; none for stats, hist and lhist.
Type read_type(const Type &stored);

// Parses a cast's type name ("int8" ... "uint64"); none() when it is not one.
Type integer_type_named(const std::string &name);

}  // namespace ut::codegen
