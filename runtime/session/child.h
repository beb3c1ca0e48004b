// The command given with -c: started before anything is attached but held before exec, so that
// probes are in place before its first instruction; released once they are.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "support/result.h"

namespace ut::runtime {

class ChildProcess {
 public:
  // Forks and holds the child before it execs `argv` (argv[0] is looked up on PATH). With
  // `on_exit`, the child is traced (PTRACE_SEIZE, PTRACE_O_TRACEEXIT) and `on_exit` runs when it
  // is about to exit, while its memory mappings still exist: a short-lived command's stacks then
  // resolve after it is gone. Signals sent to a traced child are passed on; a stop (SIGSTOP,
  // SIGTSTP) is not kept.
  static Result<ChildProcess> start(const std::vector<std::string> &argv,
                                    std::function<void(pid_t)> on_exit = {});
  // Splits a -c command line on white space, as bpftrace does (no shell).
  static std::vector<std::string> split(const std::string &command);

  ChildProcess(ChildProcess &&other) noexcept;
  ChildProcess &operator=(ChildProcess &&) = delete;
  ~ChildProcess();  // a child still running is sent SIGTERM and reaped

  pid_t pid() const { return pid_; }
  // Lets the child exec. Errors: the exec failed (no such command...).
  Result<void> release();
  // True once the child has exited (reaped without blocking).
  bool exited();

 private:
  ChildProcess(pid_t pid, int go_fd, int status_fd, std::function<void(pid_t)> on_exit)
      : pid_(pid), go_fd_(go_fd), status_fd_(status_fd), on_exit_(std::move(on_exit)) {}

  // Acts on one state change waitpid() reported; true once the child is reaped.
  bool handle(int status);
  // Waits until the child is reaped.
  void reap();

  pid_t pid_ = -1;
  int go_fd_ = -1;      // the parent writes here to let the child exec
  int status_fd_ = -1;  // the child writes errno here if exec fails; closed by a successful exec
  bool reaped_ = false;
  std::function<void(pid_t)> on_exit_;
};

}  // namespace ut::runtime
