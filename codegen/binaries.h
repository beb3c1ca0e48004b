// What analysis knows of the file a uprobe attaches to, so that arguments and goroutine ids are
// read the way that file's language passes them. The runtime reads the facts from the ELF file
// (runtime/binary_catalog.h); unit tests give a fake.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace ut::codegen {

struct BinaryFacts {
  bool go = false;  // a Go program; otherwise C, C++ and the like (the System V ABI)
  // Go's register ABI (Go 1.17+ on amd64): integer arguments and results in RAX, RBX, RCX, RDI,
  // RSI, R8, R9, R10, R11; the goroutine (g) in R14. Otherwise Go passes them on the stack.
  bool go_register_abi = false;
  std::optional<uint32_t> goid_offset;  // of runtime.g's goid field, when known
};

class BinaryCatalog {
 public:
  virtual ~BinaryCatalog() = default;
  // The facts of the file `binary` names (as a uprobe names it: a path, a program or a library);
  // nullopt when it cannot be read, which the runtime reports where it attaches.
  virtual std::optional<BinaryFacts> facts(const std::string &binary) = 0;
};

}  // namespace ut::codegen
