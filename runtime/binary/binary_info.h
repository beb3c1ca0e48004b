// utrace --info BINARY: what utrace knows about an executable or library, as text.
#pragma once

#include <sys/types.h>

#include <string>

#include "support/result.h"

namespace ut::runtime {

// The facts about `name` (resolved as a uprobe's binary is, see resolve_binary()), one
// "key: value" line each, in this order:
//   file: PATH                     the resolved path
//   language: Go|C|C++|Rust|unknown  Go from its sections; else the DWARF compile units'
//   go version: go1.19.8|unknown   Go only, as are the two lines below
//   abi: register|stack|unknown (from DWARF|from Go version)
//   goid offset: N|unknown (from DWARF|from Go version)
//   stripped: yes|no               no .symtab
//   pie: yes|no                    ELF type ET_DYN (shared libraries too)
//   dwarf: yes|yes (DEBUGFILE)|no  the file's own DWARF or its separate debug file's
//   functions: N                   Go: functions in the pclntab; else function symbols
// Errors name the file: "PATH: does not exist", "PATH: is not an ELF file".
Result<std::string> describe_binary(const std::string &name, pid_t pid);

}  // namespace ut::runtime
