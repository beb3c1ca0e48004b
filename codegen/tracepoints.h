// Tracepoints: the kernel's static trace events (tracepoint:syscalls:sys_enter_openat). Each has
// a format, the fields of its record and where they lie. Analysis learns which tracepoints exist
// and their formats from a TracepointCatalog, which the runtime implements on tracefs and unit
// tests fake, so that all of codegen stays testable without root.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "codegen/types.h"
#include "parser/ast.h"
#include "parser/diagnostics.h"
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

// The type a script sees for a field (none() when utrace cannot read it yet).
Type tracepoint_field_type(const TracepointField &field);

struct AttachInfo;
class LowerContext;

// The tracepoints the attach point `pattern` (tracepoint:CATEGORY:NAME, perhaps with wildcards)
// stands for, each with its format; empty after reporting why there are none.
std::vector<AttachInfo> expand_tracepoints(const AttachInfo &pattern, TracepointCatalog *catalog,
                                           Diagnostics &diags, bool missing_is_warning = false);

// Whether `f` reads a tracepoint field: `args->name` or `args.name`.
bool is_tracepoint_args(const ast::Field &f);

// The type of `args->name` in a probe with these attach points; none() after reporting why it
// cannot be read (a field one of them lacks, a probe that is not all tracepoints).
Type check_tracepoint_field(const ast::Field &f, const std::vector<AttachInfo> &attach_points,
                            Diagnostics &diags);

// The C struct of a tracepoint's record, named by tracepoint_struct_name(); its fields at the
// format's offsets.
std::string tracepoint_struct_name(const TracepointFormat &format);
std::string tracepoint_struct(const TracepointFormat &format);

// The C value of `args->name` in the function of the attach point being lowered.
std::string lower_tracepoint_field(LowerContext &lc, const ast::Field &f);

}  // namespace ut::codegen
