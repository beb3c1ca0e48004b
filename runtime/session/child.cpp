#include "runtime/session/child.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

namespace ut::runtime {

std::vector<std::string> ChildProcess::split(const std::string &command) {
  std::istringstream in(command);
  std::vector<std::string> argv;
  for (std::string word; in >> word;) argv.push_back(word);
  return argv;
}

namespace {

// Whether execvp() would find `name`: a path, or a file on PATH, that may be executed.
bool executable(const std::string &name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0;
  const char *path = getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');)
    if (access(((dir.empty() ? "." : dir) + "/" + name).c_str(), X_OK) == 0) return true;
  return false;
}

}  // namespace

Result<ChildProcess> ChildProcess::start(const std::vector<std::string> &argv,
                                         std::function<void(pid_t)> on_exit) {
  if (argv.empty()) return Error("-c needs a command");
  // Checked now, so that a mistyped command is reported before anything is attached.
  if (!executable(argv[0])) return Error("cannot run the command: No such file or directory");
  int go[2], status[2];
  if (pipe2(go, O_CLOEXEC) != 0 || pipe2(status, O_CLOEXEC) != 0)
    return Error(std::string("cannot start the command: ") + strerror(errno));
  pid_t pid = fork();
  if (pid < 0) return Error(std::string("cannot start the command: ") + strerror(errno));
  if (pid == 0) {
    // The child: ends with utrace if utrace dies, waits for the go, then execs.
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    close(go[1]);
    close(status[0]);
    char go_byte;
    if (read(go[0], &go_byte, 1) != 1) _exit(127);  // utrace gave up before releasing us
    std::vector<char *> args;
    for (const std::string &a : argv) args.push_back(const_cast<char *>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    int err = errno;
    (void)!write(status[1], &err, sizeof(err));
    _exit(127);
  }
  close(go[0]);
  close(status[1]);
  // Not being able to trace it only costs the exit hook.
  if (on_exit && ptrace(PTRACE_SEIZE, pid, nullptr, PTRACE_O_TRACEEXIT) != 0) on_exit = nullptr;
  return ChildProcess(pid, go[1], status[0], std::move(on_exit));
}

ChildProcess::ChildProcess(ChildProcess &&other) noexcept
    : pid_(other.pid_),
      go_fd_(other.go_fd_),
      status_fd_(other.status_fd_),
      reaped_(other.reaped_),
      on_exit_(std::move(other.on_exit_)) {
  other.pid_ = -1;
  other.go_fd_ = other.status_fd_ = -1;
}

ChildProcess::~ChildProcess() {
  if (go_fd_ >= 0) close(go_fd_);  // an unreleased child reads EOF and exits
  if (status_fd_ >= 0) close(status_fd_);
  if (pid_ > 0 && !reaped_) {
    kill(pid_, SIGTERM);
    reap();
  }
}

bool ChildProcess::handle(int status) {
  if (WIFEXITED(status) || WIFSIGNALED(status)) return reaped_ = true;
  if (!WIFSTOPPED(status)) return false;
  // Only a traced child stops here: at its exit, for a signal on its way (passed on), or in a
  // group stop (resumed).
  int event = status >> 16, signal = 0;
  if (event == PTRACE_EVENT_EXIT) {
    if (on_exit_) on_exit_(pid_);
  } else if (event == 0) {
    signal = WSTOPSIG(status);
  }
  ptrace(PTRACE_CONT, pid_, nullptr, signal);
  return false;
}

void ChildProcess::reap() {
  while (!reaped_) {
    int status = 0;
    if (waitpid(pid_, &status, 0) == pid_)
      handle(status);
    else if (errno != EINTR)
      break;
  }
}

Result<void> ChildProcess::release() {
  char go_byte = 1;
  if (write(go_fd_, &go_byte, 1) != 1)
    return Error(std::string("cannot start the command: ") + strerror(errno));
  close(go_fd_);
  go_fd_ = -1;
  int err = 0;
  ssize_t n = read(status_fd_, &err, sizeof(err));  // EOF: exec succeeded
  close(status_fd_);
  status_fd_ = -1;
  if (n == sizeof(err)) {
    reap();
    return Error(std::string("cannot run the command: ") + strerror(err));
  }
  return {};
}

bool ChildProcess::exited() {
  if (reaped_) return true;
  for (int status = 0; !reaped_ && waitpid(pid_, &status, WNOHANG) == pid_;) handle(status);
  return reaped_;
}

}  // namespace ut::runtime
