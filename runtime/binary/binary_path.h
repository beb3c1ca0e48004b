// Where the file of a uprobe target lives: a path as written, a program on $PATH, or a library
// named as the dynamic linker knows it ("libc", "c", "libc.so.6").
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "runtime/binary/elf.h"
#include "support/result.h"

namespace ut::runtime {

// `name` with a '/' is a path and is taken as it is; otherwise a program on $PATH, then a
// library through ld.so.cache (with `pid` > 0, the libraries that process has mapped first).
Result<std::string> resolve_binary(const std::string &name, pid_t pid);

// The files a uprobe's binary names: "*" is every file process `pid` has mapped executable (an
// error without a pid), a path with wildcards every file that matches (possibly none), and any
// other name the one file resolve_binary() finds.
Result<std::vector<std::string>> resolve_binaries(const std::string &pattern, pid_t pid);

// Where virtual address `vaddr` of the ELF file `elf` (at `path`) is in the memory of process
// `pid`: through the process's mapping of the segment that holds it. An error when the process
// has not mapped the file.
Result<uint64_t> address_in_process(pid_t pid, const std::string &path, const ElfFile &elf,
                                    uint64_t vaddr);

}  // namespace ut::runtime
