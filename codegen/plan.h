// ProgramPlan: everything the runtime needs to load, attach, decode and print one script. It is
// the whole contract between codegen/ and runtime/; the runtime never sees the syntax tree.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "codegen/types.h"
#include "support/source.h"

namespace ut::codegen {

enum class ProbeKind {
  Begin,
  End,
  Uprobe,
  Uretprobe,
  Interval,
  Profile,
  Software,
  Kprobe,
  Kretprobe,
  Tracepoint,
  Usdt
};

// One attach point, expanded. The runtime loads `c_function` and attaches it here.
struct ProbeSpec {
  ProbeKind kind = ProbeKind::Begin;
  std::string name;        // as the `probe` builtin prints it: "uprobe:/tmp/counter:main.doWork"
  std::string c_function;  // "probe_0"
  std::string binary;      // uprobe, usdt: the ELF file
  std::string symbol;      // uprobe: the function; usdt: "provider:name", or "name" alone
  uint64_t symbol_offset = 0;       // uprobe: bytes into the function (`main+12`)
  std::optional<uint64_t> address;  // uprobe: a virtual address in the binary instead
  uint64_t period_ns = 0;           // interval, profile: nanoseconds; software: events
  uint32_t perf_config = 0;         // software: the PERF_COUNT_SW_* event
  Range range;                      // the attach point in the script, for errors
  std::string tracepoint;           // tracepoint: "syscalls:sys_enter_openat"
  // usdt: the C reads arg0 .. arg(N-1) as UT_USDT_ARG_<probe index>_<n>(ctx), macros the runtime
  // defines from the probe's argument specs (see usdt_argument_macro).
  uint32_t usdt_args = 0;
  // uretprobe: it reads `duration`, so a helper probe stamps each call's entry, and the runtime
  // defines entry_sp_macro() for it.
  bool times_calls = false;
  // Made by utrace, not written in the script: the entry side of a return probe that reads
  // `duration` (it stamps each call's start). Attached like any uprobe, but not counted in
  // "Attaching N probes...".
  bool helper = false;
};

// uretprobe: how far the stack pointer where the return probe fires lies above where it was at
// the function's entry, UT_ENTRY_SP_<probe index>, which the runtime defines from how it places
// the probe: 0 on a RET instruction (Go's return probes), 8 after a kernel uretprobe's return.
inline std::string entry_sp_macro(size_t probe) {
  return "UT_ENTRY_SP_" + std::to_string(probe);
}

inline std::string usdt_argument_macro(size_t probe, uint32_t n) {
  return "UT_USDT_ARG_" + std::to_string(probe) + "_" + std::to_string(n);
}
// usdt: the value of `probe`, UT_USDT_PROBE_<probe index>(ctx), which the runtime defines: the
// attach cookie of the probe's first place, at every place of one probe (its inlined copies have
// one name), so that `@[probe]` counts them as one.
inline std::string usdt_probe_macro(size_t probe) {
  return "UT_USDT_PROBE_" + std::to_string(probe);
}

// One BPF map of the generated C. The runtime opens it by `c_name`; `name` is for printing.
// Keys are `key_types` laid out as consecutive 8-byte-aligned fields (a scalar map has one u64 0).
struct MapSpec {
  std::string name;             // "@", "@prev"
  std::string c_name;           // "map_", "map_prev"
  std::vector<Type> key_types;  // empty for a scalar map
  Type value;                   // an aggregate type for `@m = count()` and the like
  uint32_t max_entries = 4096;  // the default; UTRACE_MAP_KEYS_MAX sets another when loading
  bool per_cpu = false;         // aggregations: one value per CPU, merged when read
  int length_index = -1;  // len(@m) is used: its entry count's index in ProgramPlan::lengths_map

  uint32_t key_size() const;
};

// One piece of a printf format: literal text, or one conversion of one argument.
struct FormatPiece {
  std::string text;  // the literal text, or the conversion as written without length ("%-5d")
  bool is_conversion = false;
  char conversion = 0;  // 'd', 'u', 'x', 'X', 'o', 's', 'c', 'p', 'r'
  char variant = 0;     // %r only: 'x' (%rx: every byte as \xNN), 'h' (%rh: hex bytes)
};

struct FormatSpec {
  std::string format;  // as written, escapes decoded
  std::vector<FormatPiece> pieces;
};

// What user space does with an event: print it with a format, end the run, or act on a map
// (print it as at exit, delete every key, zero every value), or print a value.
// ProcessSeen: the first ustack of a process; user space reads its mappings then, so that its
// stacks resolve even after it exits.
// Time: time(FORMAT) prints the wall-clock time, formatted in user space.
// System: system(FORMAT, ...) runs the formatted command (--unsafe only).
// WriteMemory: `*ADDRESS = value` (--unsafe) where BPF may not write user memory: fields pid,
// address, value and size; user space writes the value's low `size` bytes into the process.
// Cat: cat(FORMAT, ...) prints the contents of the file the format names.
enum class EventKind {
  Printf,
  Exit,
  PrintMap,
  ClearMap,
  ZeroMap,
  PrintValue,
  ProcessSeen,
  Time,
  System,
  WriteMemory,
  Cat
};

// A field of an event record; `offset` is from the start of the record.
struct FieldSpec {
  uint32_t offset = 0;
  Type type;
  // A value known when the script is compiled (a string literal printed with %s): it is not
  // sent from BPF at all, and `offset` is unused.
  std::optional<std::string> constant;

  bool operator==(const FieldSpec &o) const { return type == o.type && constant == o.constant; }
};

// A record sent from BPF to user space through the ring buffer. Every record starts with a u64
// event id, the index of its EventSpec in ProgramPlan::events.
struct EventSpec {
  EventKind kind = EventKind::Printf;
  std::string c_struct;  // "event_0"
  uint32_t size = 0;
  std::vector<FieldSpec> fields;
  int format = -1;  // Printf, System, Cat: index into ProgramPlan::formats
  int map = -1;     // PrintMap, ClearMap, ZeroMap: index into ProgramPlan::maps
};

// Values known only when the program is loaded, not when it is compiled (the -c child's pid).
// The C reads each as a 64-bit immediate made of kLoadConstantTag and the constant's id (the
// prelude's UT_LOAD_CONSTANT); the loader writes the value into that instruction, so that one
// compiled (and cached) object serves every run.
// StartNs: CLOCK_BOOTTIME in nanoseconds when the program was loaded (elapsed).
enum class LoadConstant : uint32_t { Cpid = 1, StartNs = 2 };
inline constexpr uint64_t kLoadConstantTag = 0x75746c6400000000ULL;  // "utld"

// A BPF callback (the body of `for ($kv : @m)`) is the C function ut_callback_N; a program passes
// it to a helper as a 64-bit immediate made of kCallbackTag and N (the prelude's UT_CALLBACK).
// The loader appends the callback to each program that names it and makes the immediate a
// reference to it: BCC cannot relocate function addresses itself.
inline constexpr uint64_t kCallbackTag = 0x7574636200000000ULL;  // "utcb"
inline constexpr char kCallbackPrefix[] = "ut_callback_";

// The value of `probe` and `func`: the attach point's index in ProgramPlan::probes in the high 32
// bits and, in the low, the place it reached (one of a wildcard's functions, numbered by the
// runtime as it attaches them; 0 for other probes). Uprobes read it with bpf_get_attach_cookie().
inline uint64_t attach_cookie(size_t probe, uint64_t place) {
  return static_cast<uint64_t>(probe) << 32 | place;
}

// An ELF symbol's address the generated C needs (`uaddr("main.counter")`). The C uses `macro`;
// the runtime resolves the symbol and defines the macro when it compiles the program.
// The runtime defines the macro as a load-time constant (kSymbolConstants + the SymbolRef's
// index): the address itself, or for a position-independent file traced without -p, the
// distance from the probe's instruction pointer. Either way the compiled object holds no
// address, and the compile cache serves every process.
struct SymbolRef {
  std::string macro;  // "UT_SYM_0"
  std::string binary;
  std::string symbol;
  Range range;
  size_t probe = 0;  // the attach point whose program uses it, its index in ProgramPlan::probes
};
inline constexpr uint32_t kSymbolConstants = 0x100;

struct ProgramPlan {
  std::string c_source;
  std::vector<ProbeSpec> probes;
  std::vector<MapSpec> maps;  // sorted by name: the order maps print in
  std::vector<EventSpec> events;
  std::vector<FormatSpec> formats;  // printf's and the like's; strftime()'s (format only)
  std::vector<SymbolRef> symbols;
  std::string events_map = "events";  // the ring buffer (or the perf buffer, see perf_events)
  // Events travel through a perf buffer, for kernels without BPF ring buffers (before 5.8).
  bool perf_events = false;
  // The program writes into traced processes' memory (`*ADDRESS = value`, --unsafe): the
  // runtime says so when it starts.
  bool writes_user_memory = false;
  bool bpf_writes_user_memory = true;  // with bpf_probe_write_user(), else EventKind::WriteMemory
  // A per-CPU array of drop counters: kLostEventsCounter, then map_full_counter(i) for map i.
  std::string counters_map = "ut_counters";
  // Entry counts of the maps len() reads (MapSpec::length_index), kept as entries come and go.
  std::string lengths_map = "ut_lengths";
  int counters = 1;  // its size
  // The map of ustack's frames (by the hash of the frames), and the set of processes already
  // reported with EventKind::ProcessSeen (ustack, usym); each empty when nothing needs it.
  std::string stacks_map;
  std::string seen_processes_map;
  // BPF callbacks (ut_callback_N) the programs pass to helpers: the bodies of map for loops.
  int callbacks = 0;
};

constexpr int kLostEventsCounter = 0;
inline int map_full_counter(int map_index) {
  return 1 + map_index;
}

}  // namespace ut::codegen
