// Symbolizer: /proc/PID/maps lines become Mappings, each pointing at a cached ElfFile. An address
// goes mapping -> file offset -> the ELF's virtual address -> function, which works alike for PIE
// and non-PIE executables and shared libraries, wherever they were loaded. The function comes
// from the ELF symbols, or first from .gopclntab in a stripped Go binary, whose entries are
// virtual addresses as well.
//
// Not resolved (the frame keeps only the module): [vdso] (its image lives only in the process's
// memory), JIT code in anonymous memory, and files that cannot be opened or are not ELF.
#include "runtime/binary/symbolizer.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>

namespace ut::runtime {
namespace {

// One line of /proc/PID/maps:
//   55d6c3a5e000-55d6c3a62000 r-xp 00002000 08:01 1234567    /usr/bin/cat
struct MapsLine {
  uint64_t start = 0;
  uint64_t end = 0;
  bool executable = false;
  uint64_t file_offset = 0;
  uint64_t device = 0;  // major << 32 | minor
  uint64_t inode = 0;
  std::string path;  // the rest of the line; may hold spaces and end in " (deleted)"
};

std::optional<MapsLine> parse_maps_line(const std::string &text) {
  MapsLine line;
  char perms[5] = {};
  unsigned major = 0;
  unsigned minor = 0;
  int path_at = -1;
  int fields = std::sscanf(
      text.c_str(), "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %x:%x %" SCNu64 " %n", &line.start,
      &line.end, perms, &line.file_offset, &major, &minor, &line.inode, &path_at);
  if (fields != 7 || path_at < 0) return std::nullopt;
  line.executable = perms[2] == 'x';
  line.device = uint64_t{major} << 32 | minor;
  line.path = text.substr(path_at);
  return line;
}

constexpr std::string_view kDeleted = " (deleted)";

bool is_deleted(const std::string &path) {
  return path.size() > kDeleted.size() &&
         path.compare(path.size() - kDeleted.size(), kDeleted.size(), kDeleted) == 0;
}

std::string hex(uint64_t value) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%" PRIx64, value);
  return buf;
}

}  // namespace

bool Symbolizer::FileKey::operator<(const FileKey &other) const {
  return std::tie(device, inode, path) < std::tie(other.device, other.inode, other.path);
}

bool Symbolizer::remember(pid_t pid) {
  bool known = processes_.count(pid) != 0;
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  std::vector<Mapping> mappings;
  for (std::string text; std::getline(maps, text);) {
    std::optional<MapsLine> line = parse_maps_line(text);
    if (!line || !line->executable) continue;
    Mapping mapping{line->start, line->end, line->file_offset, line->path, nullptr};
    if (!mapping.path.empty() && mapping.path[0] == '/') {
      mapping.file = open_file(pid, mapping, FileKey{line->device, line->inode, line->path});
    }
    mappings.push_back(std::move(mapping));
  }
  // No maps (gone) or empty maps (a zombie or kernel thread): keep what was known.
  if (mappings.empty()) return known;
  std::sort(mappings.begin(), mappings.end(),
            [](const Mapping &a, const Mapping &b) { return a.start < b.start; });
  processes_[pid] = std::move(mappings);
  return true;
}

// Tries, in order: /proc/PID/map_files/START-END, the very file mapped even if deleted or in
// another mount namespace (opening it needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE);
// /proc/PID/root/PATH, the path in the process's mount namespace (enough for one's own
// processes); and PATH itself, in case the process has exited meanwhile.
const Symbolizer::File *Symbolizer::open_file(pid_t pid, const Mapping &mapping,
                                              const FileKey &key) {
  auto cached = files_.find(key);
  if (cached != files_.end()) return cached->second.get();

  std::string proc = "/proc/" + std::to_string(pid);
  std::vector<std::string> candidates = {proc + "/map_files/" + hex(mapping.start) + "-" +
                                         hex(mapping.end)};
  if (!is_deleted(mapping.path)) {
    candidates.push_back(proc + "/root" + mapping.path);
    candidates.push_back(mapping.path);
  }
  std::unique_ptr<File> file;
  for (const std::string &candidate : candidates) {
    if (auto opened = ElfFile::open(candidate)) {
      file = std::make_unique<File>(File{std::move(opened).value(), std::nullopt});
      break;
    }
  }
  if (file != nullptr && file->elf.is_stripped()) {
    ElfFile &elf = file->elf;
    // Distributions strip .symtab from their libraries (Debian's libc.so.6), leaving only the
    // exported functions; the debug file adds the static ones (__libc_start_call_main). Looked
    // up in this process's file system, by the path the traced process sees.
    std::string real_path = mapping.path;
    if (is_deleted(real_path)) real_path.resize(real_path.size() - kDeleted.size());
    if (auto debug = open_debug_file(elf, real_path)) elf.add_debug_symbols(*debug);
    // Go programs ship stripped (-ldflags='-s -w') and rarely with a debug file; their pclntab
    // still names every Go function. One that cannot be read leaves the ELF symbols alone.
    if (elf.is_go()) {
      if (auto go = GoBinaryInfo::read(elf, nullptr)) file->go = std::move(go).value();
    }
  }
  return files_.emplace(key, std::move(file)).first->second.get();
}

SymbolizedFrame Symbolizer::resolve(pid_t pid, uint64_t address) {
  SymbolizedFrame frame;
  frame.address = address;
  auto process = processes_.find(pid);
  if (process == processes_.end()) {
    if (!remember(pid)) return frame;
    process = processes_.find(pid);
  }
  const std::vector<Mapping> &mappings = process->second;
  auto after = std::upper_bound(mappings.begin(), mappings.end(), address,
                                [](uint64_t a, const Mapping &m) { return a < m.start; });
  if (after == mappings.begin()) return frame;
  const Mapping &mapping = *std::prev(after);
  if (address >= mapping.end) return frame;
  frame.module = mapping.path;
  if (mapping.file == nullptr) return frame;
  const ElfFile &elf = mapping.file->elf;

  auto elf_address = elf.address_of_file_offset(address - mapping.start + mapping.file_offset);
  if (!elf_address) return frame;
  // The pclntab first: it bounds every Go function exactly, while what ELF symbols a stripped
  // Go binary keeps (a cgo binary's .dynsym) name a few C functions at best, and function_at()
  // would stretch a size-0 one over the Go code after it. Its names are those of .symtab, except
  // that assembly functions lack the ".abi0" suffix and generic ones read "[...]" for their type
  // arguments. It holds no C code of a cgo binary: the ELF symbols are asked for that.
  if (mapping.file->go) {
    if (const GoFunction *function = mapping.file->go->function_at(*elf_address)) {
      frame.symbol = function->name;
      frame.offset = *elf_address - function->entry;
      return frame;
    }
  }
  const ElfSymbol *symbol = elf.function_at(*elf_address);
  if (symbol == nullptr) return frame;
  frame.symbol = demangle(symbol->name);
  frame.offset = *elf_address - symbol->address;
  return frame;
}

}  // namespace ut::runtime
