#ifndef CPROCESS_H
#define CPROCESS_H

#include <sys/types.h>

/// pidfd_open(2) (Linux 5.3+): a descriptor that becomes readable when `pid` exits, or -1 with
/// errno set (ENOSYS on older kernels). Swift cannot call the variadic syscall(2) itself.
int cprocess_pidfd_open(pid_t pid);

/// pipe2(2) with O_CLOEXEC: both ends close on exec from the start, so a child another thread
/// spawns meanwhile never inherits them (pipe + fcntl leaves a window). Swift's Glibc module does
/// not export pipe2 (it needs _GNU_SOURCE). 0, or -1 with errno set.
int cprocess_pipe_cloexec(int fds[2]);

#endif
