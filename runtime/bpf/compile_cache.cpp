#include "runtime/bpf/compile_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>

namespace ut::runtime {
namespace {

constexpr const char kSuffix[] = ".bpfo";

uint64_t fnv1a(const std::string &s, uint64_t seed) {
  uint64_t h = seed;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return h;
}

// Owned by this user and writable by nobody else.
bool is_private(const struct stat &st) {
  return st.st_uid == geteuid() && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

// Creates `dir` and its missing parents, each readable by this user only, but only inside a
// directory this user owns: root run with another user's $HOME (sudo -E) must not leave a
// root-owned ~/.cache behind that the user can no longer write to.
void make_directories(const std::string &dir) {
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    std::string part = dir.substr(0, slash);
    struct stat st {};
    if (stat(part.c_str(), &st) != 0) {
      size_t parent_end = part.rfind('/');
      struct stat parent {};
      std::string parent_path = parent_end == 0 ? "/" : part.substr(0, parent_end);
      if (stat(parent_path.c_str(), &parent) != 0 || parent.st_uid != geteuid()) return;
      if (mkdir(part.c_str(), 0700) != 0) return;
    }
    if (slash == std::string::npos) return;
  }
}

}  // namespace

std::string compile_key(const std::string &c_source, const std::vector<std::string> &defines,
                        const std::string &compiler_identity) {
  std::string key = compiler_identity;
  for (const std::string &d : defines) key += "-D" + d + "\n";
  key += "\n" + c_source;
  return key;
}

CompileCache CompileCache::from_environment() {
  if (const char *dir = getenv("UTRACE_CACHE_DIR")) return CompileCache(dir);
  if (const char *xdg = getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return CompileCache(std::string(xdg) + "/utrace");
  if (const char *home = getenv("HOME"); home && *home)
    return CompileCache(std::string(home) + "/.cache/utrace");
  return CompileCache("");
}

std::string CompileCache::path(const std::string &key) const {
  char name[64];
  snprintf(name, sizeof(name), "%016llx%016llx%s",
           static_cast<unsigned long long>(fnv1a(key, 0xcbf29ce484222325ULL)),
           static_cast<unsigned long long>(fnv1a(key, 0x84222325cbf29ce4ULL)), kSuffix);
  return dir_ + "/" + name;
}

bool CompileCache::directory_is_private() const {
  struct stat st {};
  return stat(dir_.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && is_private(st);
}

std::optional<BpfObject> CompileCache::find(const std::string &key) const {
  if (!enabled() || !directory_is_private()) return std::nullopt;
  std::string file = path(key);
  int fd = open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  std::string bytes;
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && is_private(st)) {
    bytes.resize(static_cast<size_t>(st.st_size));
    if (read(fd, bytes.data(), bytes.size()) != static_cast<ssize_t>(bytes.size())) bytes.clear();
  }
  close(fd);
  auto object = deserialize(bytes, key);
  if (!object) return std::nullopt;
  utimensat(AT_FDCWD, file.c_str(), nullptr, 0);  // recently used: kept longest by prune()
  return std::move(*object);
}

void CompileCache::store(const std::string &key, const BpfObject &object) const {
  if (!enabled()) return;
  make_directories(dir_);
  if (!directory_is_private()) return;
  std::string file = path(key);
  std::string temp = file + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << serialize(object, key);
    if (!out.flush()) {
      unlink(temp.c_str());
      return;
    }
  }
  chmod(temp.c_str(), 0600);
  if (rename(temp.c_str(), file.c_str()) != 0) unlink(temp.c_str());
  prune();
}

void CompileCache::prune() const {
  std::vector<std::pair<timespec, std::string>> entries;
  if (DIR *d = opendir(dir_.c_str())) {
    while (dirent *e = readdir(d)) {
      std::string name = e->d_name;
      if (name.size() <= sizeof(kSuffix) - 1 ||
          name.compare(name.size() - (sizeof(kSuffix) - 1), std::string::npos, kSuffix) != 0)
        continue;
      struct stat st {};
      if (stat((dir_ + "/" + name).c_str(), &st) == 0) entries.emplace_back(st.st_mtim, name);
    }
    closedir(d);
  }
  if (entries.size() <= max_entries_) return;
  std::sort(entries.begin(), entries.end(), [](const auto &a, const auto &b) {
    return a.first.tv_sec != b.first.tv_sec ? a.first.tv_sec < b.first.tv_sec
                                            : a.first.tv_nsec < b.first.tv_nsec;
  });
  for (size_t i = 0; i < entries.size() - max_entries_; ++i)
    unlink((dir_ + "/" + entries[i].second).c_str());
}

}  // namespace ut::runtime
