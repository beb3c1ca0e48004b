/* A C tracee for tracepoint tests: a known number of system calls, then exit.
 *   syscalls GETPIDS GETPPIDS PATH
 * calls getpid() GETPIDS times and getppid() GETPPIDS times, opens PATH (which need not exist),
 * then names itself "tp-tracee" and sleeps 10 ms once. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 4) return 2;
  /* Through syscall(): a C library may answer getpid() without asking the kernel. */
  for (long i = atol(argv[1]); i > 0; --i) syscall(SYS_getpid);
  for (long i = atol(argv[2]); i > 0; --i) syscall(SYS_getppid);
  int fd = open(argv[3], O_RDONLY);
  if (fd >= 0) close(fd);
  prctl(PR_SET_NAME, "tp-tracee");
  usleep(10000);
  return 0;
}
