#include "runtime/resolver.h"

#include <pwd.h>

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

}  // namespace ut::runtime
