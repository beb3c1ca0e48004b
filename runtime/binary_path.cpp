#include "runtime/binary_path.h"

#include <bcc/bcc_proc.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>
#include <vector>

namespace ut::runtime {
namespace {

std::string on_path(const std::string &name) {
  const char *path = getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

// BCC's lookup takes the name without "lib" and ".so": "c" for libc.so.6.
std::string library(const std::string &name, pid_t pid) {
  std::vector<std::string> candidates{name};
  std::string bare = name;
  if (bare.rfind("lib", 0) == 0) bare = bare.substr(3);
  if (size_t so = bare.find(".so"); so != std::string::npos) bare = bare.substr(0, so);
  if (bare != name && !bare.empty()) candidates.push_back(bare);
  for (const std::string &c : candidates) {
    if (char *found = bcc_procutils_which_so(c.c_str(), pid > 0 ? pid : 0)) {
      std::string out = found;
      free(found);
      return out;
    }
  }
  return "";
}

}  // namespace

Result<std::string> resolve_binary(const std::string &name, pid_t pid) {
  if (name.find('/') != std::string::npos) return name;
  if (std::string program = on_path(name); !program.empty()) return program;
  if (std::string lib = library(name, pid); !lib.empty()) return lib;
  return Error("'" + name +
               "' is not a path, a program on $PATH or a library the dynamic linker knows");
}

}  // namespace ut::runtime
