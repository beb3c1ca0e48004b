// Tracepoints: the kernel's static trace events (tracepoint:syscalls:sys_enter_openat). Each has
// a format, the fields of its record and where they lie. Analysis learns which tracepoints exist
// and their formats from a TracepointCatalog, which the runtime implements on tracefs
// (runtime/bpf/tracefs.h) and unit tests fake, so that all of codegen stays testable without
// root. Part of the contract between codegen and the runtime: nothing here knows the AST.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/result.h"

namespace ut::codegen {

// How a field can be read: what its declaration in the format file says it is.
enum class TracepointFieldKind {
  Integer,    // int, long, pid_t, size_t, bool...: by its size and signedness
  Pointer,    // const char *: a 64-bit address
  CharArray,  // char comm[16]: a string of at most that many characters
  DataLoc,    // __data_loc char[]: a u32 giving the string's offset (low 16 bits) in the record
  RelLoc,     // __rel_loc char[]: the same, its offset counted from the end of the field
  Unsupported
};

// One field of a tracepoint's record: `field:const char * filename; offset:24; size:8; signed:0;`
struct TracepointField {
  std::string declaration;  // as the format writes it: "const char * filename", "char comm[16]"
  std::string name;         // "filename"
  uint32_t offset = 0;      // from the start of the record
  uint32_t size = 0;        // bytes
  bool is_signed = false;
  TracepointFieldKind kind = TracepointFieldKind::Unsupported;
};

// The format of one tracepoint, without its common_ fields: while a BPF program runs, the kernel
// keeps a pt_regs pointer in their bytes, so they cannot be read.
struct TracepointFormat {
  std::string category;      // "syscalls"
  std::string name;          // "sys_enter_openat"
  uint32_t common_size = 8;  // the bytes of the common fields, before the first field
  std::vector<TracepointField> fields;

  // "tracepoint:syscalls:sys_enter_openat", as the `probe` builtin prints it.
  std::string probe_name() const { return "tracepoint:" + category + ":" + name; }
  const TracepointField *field(const std::string &field_name) const;
};

// Parses the text of events/CATEGORY/NAME/format.
Result<TracepointFormat> parse_tracepoint_format(const std::string &category,
                                                 const std::string &name, const std::string &text);

// The tracepoints of the running kernel. The runtime reads tracefs; unit tests use a fake.
class TracepointCatalog {
 public:
  virtual ~TracepointCatalog() = default;
  // Every tracepoint "category:name" that `pattern` ("CATEGORY:NAME", each with shell wildcards
  // '*' and '?') matches, sorted.
  virtual Result<std::vector<std::string>> match(const std::string &pattern) = 0;
  virtual Result<TracepointFormat> format(const std::string &category, const std::string &name) = 0;
};

}  // namespace ut::codegen
