#include "runtime/bpf/tracefs.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "support/strings.h"

namespace ut::runtime {
namespace {

Result<std::string> read_file(const std::string &path) {
  std::ifstream in(path);
  if (!in) return Error("cannot read " + path + ": " + strerror(errno));
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Result<std::vector<std::string>> TracefsCatalog::match(const std::string &pattern) {
  if (!events_) {
    auto text = read_file(root_ + "/available_events");
    if (!text) return std::move(text).error();
    std::vector<std::string> events;
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);)
      if (line.find(':') != std::string::npos) events.push_back(line);
    std::sort(events.begin(), events.end());
    events.erase(std::unique(events.begin(), events.end()), events.end());
    events_ = std::move(events);
  }
  // Names have no ':', so the pattern's one ':' falls on theirs and '*' never crosses it.
  std::vector<std::string> out;
  for (const std::string &event : *events_)
    if (glob_match(pattern, event)) out.push_back(event);
  return out;
}

Result<codegen::TracepointFormat> TracefsCatalog::format(const std::string &category,
                                                         const std::string &name) {
  auto text = read_file(root_ + "/events/" + category + "/" + name + "/format");
  if (!text) return std::move(text).error();
  return codegen::parse_tracepoint_format(category, name, *text);
}

Result<uint64_t> TracefsCatalog::id(const std::string &tracepoint) const {
  size_t colon = tracepoint.find(':');
  std::string path =
      root_ + "/events/" + tracepoint.substr(0, colon) + "/" + tracepoint.substr(colon + 1) + "/id";
  auto text = read_file(path);
  if (!text) return std::move(text).error();
  char *end = nullptr;
  uint64_t id = strtoull(text->c_str(), &end, 10);
  if (end == text->c_str()) return Error(path + " holds no id");
  return id;
}

}  // namespace ut::runtime
