#include "runtime/bpf/cpus.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace ut::runtime {

int possible_cpus() {
  std::ifstream in("/sys/devices/system/cpu/possible");
  std::string ranges;
  std::getline(in, ranges);
  int highest = 0;
  size_t start = 0;
  while (start < ranges.size()) {  // "0-3,8-11"
    size_t end = ranges.find(',', start);
    std::string part =
        ranges.substr(start, end == std::string::npos ? std::string::npos : end - start);
    size_t dash = part.find('-');
    highest =
        std::max(highest, std::atoi(part.c_str() + (dash == std::string::npos ? 0 : dash + 1)));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return highest + 1;
}

std::vector<int> online_cpus() {
  std::vector<int> cpus;
  std::ifstream in("/sys/devices/system/cpu/online");
  std::string range;
  while (std::getline(in, range, ',')) {
    int first = 0, last = 0;
    int n = sscanf(range.c_str(), "%d-%d", &first, &last);
    if (n < 1) continue;
    if (n == 1) last = first;
    for (int cpu = first; cpu <= last; ++cpu) cpus.push_back(cpu);
  }
  return cpus;
}

}  // namespace ut::runtime
