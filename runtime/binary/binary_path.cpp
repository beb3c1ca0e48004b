#include "runtime/binary/binary_path.h"

#include <bcc/bcc_proc.h>
#include <glob.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
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

Result<std::vector<std::string>> resolve_binaries(const std::string &pattern, pid_t pid) {
  if (pattern == "*") {
    if (pid <= 0)
      return Error("a uprobe on every binary ('*') needs -p PID: the files of which process?");
    std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
    if (!maps) return Error("cannot read the mappings of process " + std::to_string(pid));
    std::set<std::string> files;
    // start-end perms offset dev inode path
    for (std::string line; std::getline(maps, line);) {
      std::istringstream fields(line);
      std::string range, perms, offset, dev, inode, path;
      fields >> range >> perms >> offset >> dev >> inode;
      std::getline(fields >> std::ws, path);
      if (perms.size() > 2 && perms[2] == 'x' && !path.empty() && path[0] == '/')
        files.insert(path);
    }
    return std::vector<std::string>(files.begin(), files.end());
  }
  if (pattern.find_first_of("*?[") != std::string::npos && pattern.find('/') != std::string::npos) {
    std::vector<std::string> files;
    glob_t matches{};
    if (glob(pattern.c_str(), 0, nullptr, &matches) == 0) {
      for (size_t i = 0; i < matches.gl_pathc; ++i) {
        struct stat st {};
        if (stat(matches.gl_pathv[i], &st) == 0 && S_ISREG(st.st_mode))
          files.push_back(matches.gl_pathv[i]);
      }
    }
    globfree(&matches);
    return files;
  }
  auto one = resolve_binary(pattern, pid);
  if (!one) return std::move(one).error();
  return std::vector<std::string>{*one};
}

Result<uint64_t> address_in_process(pid_t pid, const std::string &path, const ElfFile &elf,
                                    uint64_t vaddr) {
  auto file_offset = elf.file_offset(vaddr);
  if (!file_offset) return std::move(file_offset).error();
  struct stat file {};
  if (stat(path.c_str(), &file) != 0) return Error("cannot stat " + path);
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  if (!maps) return Error("cannot read the mappings of process " + std::to_string(pid));
  // The file's mapping with the highest file offset at or below the address's: the segment that
  // holds it (a .bss address lies past the file bytes, in the data segment's mapping or after).
  std::optional<uint64_t> best_offset;
  uint64_t best_start = 0;
  for (std::string line; std::getline(maps, line);) {
    unsigned long long start = 0, end = 0, offset = 0, inode = 0;
    unsigned major = 0, minor = 0;
    char perms[8] = {};
    if (sscanf(line.c_str(), "%llx-%llx %7s %llx %x:%x %llu", &start, &end, perms, &offset, &major,
               &minor, &inode) != 7)
      continue;
    if (inode != file.st_ino || makedev(major, minor) != file.st_dev) continue;
    if (offset > *file_offset || (best_offset && offset <= *best_offset)) continue;
    best_offset = offset;
    best_start = start;
  }
  if (!best_offset) return Error("process " + std::to_string(pid) + " has not mapped " + path);
  return best_start - *best_offset + *file_offset;
}

}  // namespace ut::runtime
