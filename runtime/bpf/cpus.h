// The machine's CPUs as BPF counts them: the slots of a per-CPU map value, and the CPUs a per-CPU
// perf event is opened on.
#pragma once

#include <vector>

namespace ut::runtime {

// The machine's possible CPUs (/sys/devices/system/cpu/possible), at least 1.
int possible_cpus();
// The CPUs online now (/sys/devices/system/cpu/online): where per-CPU perf events go.
std::vector<int> online_cpus();

}  // namespace ut::runtime
