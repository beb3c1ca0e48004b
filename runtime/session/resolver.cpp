#include "runtime/session/resolver.h"

#include <pwd.h>
#include <time.h>

#include <algorithm>
#include <cinttypes>
#include <cstring>

namespace ut::runtime {

void ValueResolver::resolve(Value &v) {
  for (Value &e : v.elements) resolve(e);
  if (!v.type.is_symbolic() || !v.s.empty()) return;
  switch (v.type.kind) {
    case codegen::TypeKind::Stack:
      return resolve_stack(v);
    case codegen::TypeKind::Usym: {
      SymbolizedFrame f =
          symbolizer_.resolve(static_cast<pid_t>(v.count), static_cast<uint64_t>(v.i));
      if (!f.symbol.empty()) {
        v.s = f.symbol;
      } else {
        char address[32];
        snprintf(address, sizeof(address), "0x%" PRIx64, static_cast<uint64_t>(v.i));
        v.s = address;
      }
      return;
    }
    case codegen::TypeKind::Probe:
    case codegen::TypeKind::Func: {
      auto cookie = static_cast<uint64_t>(v.i);
      size_t probe = cookie >> 32, place = cookie & 0xffffffffu;
      if (probe >= plan_.probes.size()) return;
      bool is_probe = v.type.kind == codegen::TypeKind::Probe;
      auto named = places_.find(probe);
      if (named != places_.end() && place < named->second.size())
        v.s = is_probe ? named->second[place].probe : named->second[place].func;
      else
        v.s = is_probe ? plan_.probes[probe].name : plan_.probes[probe].symbol;
      return;
    }
    case codegen::TypeKind::Username: {
      passwd entry{}, *found = nullptr;
      char buf[1024];
      auto uid = static_cast<uid_t>(v.i);
      v.s = getpwuid_r(uid, &entry, buf, sizeof(buf), &found) == 0 && found ? found->pw_name
                                                                            : std::to_string(uid);
      return;
    }
    case codegen::TypeKind::Timestamp:
      if (v.count < plan_.formats.size())
        v.s = timestamp_text(plan_.formats[v.count].format, v.i + boot_to_wall_ns_);
      return;
    default:
      return;
  }
}

void ValueResolver::resolve_stack(Value &v) {
  const std::string &stacks_map = plan_.stacks_map;
  if (stacks_map.empty() || v.i < 0) return;
  auto key = static_cast<uint64_t>(v.i);
  auto raw = backend_.lookup_map(stacks_map, std::string(reinterpret_cast<const char *>(&key), 8),
                                 codegen::kMaxStackFrames * 8);
  if (!raw || !*raw) return;
  std::vector<uint64_t> addresses((*raw)->size() / 8);
  memcpy(addresses.data(), (*raw)->data(), addresses.size() * 8);
  addresses.erase(std::find(addresses.begin(), addresses.end(), 0), addresses.end());
  // At a function's first instruction the frame-pointer walk misses the direct caller, whose
  // return address BPF read from the top of the stack. Kernels from 6.11 put it in themselves
  // (then it is already the second frame); a recursive call from one call site would look the
  // same, and there the older kernels' stack stays one frame short.
  auto caller = static_cast<uint64_t>(v.total);
  if (!addresses.empty() && caller != 0 && (addresses.size() < 2 || addresses[1] != caller))
    addresses.insert(addresses.begin() + 1, caller);
  if (addresses.size() > v.type.size) addresses.resize(v.type.size);
  auto pid = static_cast<pid_t>(v.count);
  for (uint64_t a : addresses)
    v.s += frame_line(symbolizer_.resolve(pid, a), v.type.stack_mode) + "\n";
}

std::string ValueResolver::frame_line(const SymbolizedFrame &f, codegen::StackMode mode) {
  char address[32];
  std::string symbol;
  if (!f.symbol.empty()) symbol = f.symbol + "+" + std::to_string(f.offset);
  if (mode == codegen::StackMode::Perf) {
    snprintf(address, sizeof(address), "%" PRIx64, f.address);
    if (symbol.empty()) symbol = "0x" + std::string(address);
    return std::string(address) + " " + symbol + " (" +
           (f.module.empty() ? "[unknown]" : f.module) + ")";
  }
  if (!symbol.empty()) return symbol;
  snprintf(address, sizeof(address), "0x%" PRIx64, f.address);
  return address;
}

std::string ValueResolver::timestamp_text(const std::string &format, int64_t wall_ns) {
  constexpr int64_t kSecond = 1000000000;
  time_t seconds = static_cast<time_t>(wall_ns / kSecond);
  int64_t fraction = wall_ns % kSecond;
  if (fraction < 0) {
    fraction += kSecond;
    --seconds;
  }
  char micros[8];
  snprintf(micros, sizeof(micros), "%06d", static_cast<int>(fraction / 1000));
  std::string expanded;  // %f replaced; "%%f" stays the text "%f"
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] == '%' && i + 1 < format.size()) {
      if (format[i + 1] == 'f') {
        expanded += micros;
      } else {
        expanded.append(format, i, 2);
      }
      ++i;
      continue;
    }
    expanded += format[i];
  }
  tm local{};
  localtime_r(&seconds, &local);
  char text[512];
  size_t n = strftime(text, sizeof(text), expanded.c_str(), &local);
  return std::string(text, n);
}

int64_t ValueResolver::boot_to_wall_clock_ns() {
  auto ns = [](clockid_t clock) {
    timespec t{};
    clock_gettime(clock, &t);
    return static_cast<int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
  };
  // The boot-time reading between two wall-clock ones; the tightest of a few tries.
  int64_t best_window = INT64_MAX, offset = 0;
  for (int i = 0; i < 5; ++i) {
    int64_t before = ns(CLOCK_REALTIME), boot = ns(CLOCK_BOOTTIME), after = ns(CLOCK_REALTIME);
    if (after - before < best_window) {
      best_window = after - before;
      offset = before + (after - before) / 2 - boot;
    }
  }
  return offset;
}

}  // namespace ut::runtime
