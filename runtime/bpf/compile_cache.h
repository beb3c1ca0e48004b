// A directory of compiled BPF objects, so that running the same script again skips Clang (most
// of utrace's start-up time and memory). An entry is found by a hash of its key and holds the
// whole key, so a hash collision or a damaged file is a miss, never a wrong program.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/bpf/bpf_object.h"

namespace ut::runtime {

// Everything a compile reads: the C, the defines and the compiler's identity.
std::string compile_key(const std::string &c_source, const std::vector<std::string> &defines,
                        const std::string &compiler_identity);

class CompileCache {
 public:
  // $UTRACE_CACHE_DIR (empty: no cache), else $XDG_CACHE_HOME/utrace, else ~/.cache/utrace.
  static CompileCache from_environment();
  // A cache in `dir`; an empty `dir` is no cache.
  explicit CompileCache(std::string dir, size_t max_entries = 256)
      : dir_(std::move(dir)), max_entries_(max_entries) {}

  bool enabled() const { return !dir_.empty(); }
  // The file that holds (or would hold) the entry for `key`.
  std::string path(const std::string &key) const;

  // The object stored for `key`, if there is a sound one. Only files owned by this user and
  // writable by nobody else are read: a cache entry is code that runs in the kernel.
  std::optional<BpfObject> find(const std::string &key) const;
  // Stores `object` for `key` (atomically: readers see the old entry or the new one), and drops
  // the least recently used entries beyond the limit. Failing to store is not an error.
  void store(const std::string &key, const BpfObject &object) const;

 private:
  bool directory_is_private() const;
  void prune() const;

  std::string dir_;
  size_t max_entries_;
};

}  // namespace ut::runtime
