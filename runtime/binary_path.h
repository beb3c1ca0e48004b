// Where the file of a uprobe target lives: a path as written, a program on $PATH, or a library
// named as the dynamic linker knows it ("libc", "c", "libc.so.6").
#pragma once

#include <sys/types.h>

#include <string>

#include "support/result.h"

namespace ut::runtime {

// `name` with a '/' is a path and is taken as it is; otherwise a program on $PATH, then a
// library through ld.so.cache (with `pid` > 0, the libraries that process has mapped first).
Result<std::string> resolve_binary(const std::string &name, pid_t pid);

}  // namespace ut::runtime
