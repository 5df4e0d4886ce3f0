#ifndef CPROCESS_H
#define CPROCESS_H

#include <sys/types.h>

/// pidfd_open(2) (Linux 5.3+): a descriptor that becomes readable when `pid` exits, or -1 with
/// errno set (ENOSYS on older kernels). Swift cannot call the variadic syscall(2) itself.
int cprocess_pidfd_open(pid_t pid);

#endif
