// The facts analysis needs of the files uprobes attach to (codegen/binaries.h), read from the
// ELF files themselves.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>

#include "codegen/binaries.h"

namespace ut::runtime {

class ElfBinaryCatalog : public codegen::BinaryCatalog {
 public:
  explicit ElfBinaryCatalog(pid_t pid) : pid_(pid) {}
  std::optional<codegen::BinaryFacts> facts(const std::string &binary) override;

 private:
  pid_t pid_;  // -p: libraries are looked up among that process's first
  std::map<std::string, std::optional<codegen::BinaryFacts>> known_;
};

}  // namespace ut::runtime
