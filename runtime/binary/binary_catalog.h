// The facts analysis needs of the files uprobes attach to (codegen/binaries.h), read from the
// ELF files themselves.
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "codegen/binaries.h"

namespace ut::runtime {

class ElfBinaryCatalog : public codegen::BinaryCatalog {
 public:
  explicit ElfBinaryCatalog(pid_t pid);
  ~ElfBinaryCatalog() override;
  std::optional<codegen::BinaryFacts> facts(const std::string &binary) override;
  Result<codegen::FunctionFacts> function(const std::string &binary,
                                          const std::string &function) override;
  Result<codegen::Type> type(const std::string &binary, const std::string &name) override;
  std::optional<codegen::Type> variable_type(const std::string &binary,
                                             const std::string &symbol) override;

 private:
  struct File;  // one file opened: its facts, and its ELF and DWARF for functions
  File &file(const std::string &binary);

  pid_t pid_;  // -p: libraries are looked up among that process's first
  std::map<std::string, std::unique_ptr<File>> files_;  // by the name a probe gives
};

}  // namespace ut::runtime
