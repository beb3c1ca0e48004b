// User-space code addresses of traced processes -> "function+offset" and the file that holds
// them, for usym() and ustack(). A process's executable mappings are read from /proc/PID/maps
// and kept, so that its addresses still resolve after it has exited: utrace prints most stacks at
// its own exit, when short-lived tracees are long gone.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runtime/binary/elf.h"
#include "runtime/binary/go_binary.h"

namespace ut::runtime {

// One resolved address.
struct SymbolizedFrame {
  uint64_t address = 0;
  std::string symbol;   // "main", "work_loop"; empty when unknown
  uint64_t offset = 0;  // address - symbol start
  std::string module;   // the mapped file's path ("/usr/lib/x86_64-linux-gnu/libc.so.6"); empty
                        // for anonymous memory
};

// Remembers processes and the ELF files they map. Each file is opened once (while a process that
// maps it lives) and shared by every process that maps it; a stripped file gets the symbols of
// its separate debug file as well (open_debug_file()), so static functions of system libraries
// resolve too, and a stripped Go binary (-ldflags='-s -w') names its functions from .gopclntab,
// as its unstripped build would from .symtab. Not thread-safe.
class Symbolizer {
 public:
  // Reads /proc/PID/maps now and keeps the executable mappings, so that the process's addresses
  // resolve even after it exits. A second call for the same pid re-reads (new dlopen()ed
  // libraries), keeping the old mappings if the process is gone. Returns false if the process
  // does not exist or has no memory (zombie, kernel thread) and nothing was remembered before.
  bool remember(pid_t pid);

  // Resolves `address` in process `pid`; remembers the process first if it never was. A pid
  // reused by a new process is only noticed by calling remember() again.
  SymbolizedFrame resolve(pid_t pid, uint64_t address);

 private:
  // One mapped file. Device and inode tell apart one path in two mount namespaces, or a file
  // replaced at its path while an old process still maps the old one.
  struct FileKey {
    uint64_t device = 0;
    uint64_t inode = 0;
    std::string path;
    bool operator<(const FileKey &other) const;
  };

  // One opened ELF file and, when it is a stripped Go binary, its .gopclntab functions: stripping
  // takes the symbol table but keeps the table the Go runtime itself unwinds and panics with.
  struct File {
    ElfFile elf;
    std::optional<GoBinaryInfo> go;  // only for a stripped Go binary with a readable pclntab
  };

  // One executable mapping of a process.
  struct Mapping {
    uint64_t start = 0;
    uint64_t end = 0;
    uint64_t file_offset = 0;    // where `start` lies in the file
    std::string path;            // as /proc/PID/maps shows it: a file, "[vdso]", or "" (anonymous)
    const File *file = nullptr;  // null when `path` could not be opened as an ELF file
  };

  const File *open_file(pid_t pid, const Mapping &mapping, const FileKey &key);

  std::map<FileKey, std::unique_ptr<File>> files_;   // null: failed to open, not tried again
  std::map<pid_t, std::vector<Mapping>> processes_;  // mappings sorted by start
};

}  // namespace ut::runtime
