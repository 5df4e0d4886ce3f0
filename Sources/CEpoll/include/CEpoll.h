// A minimal epoll interface for the HTTP server's event loops. Swift cannot import
// `struct epoll_event` (it is packed on x86-64), so these helpers take and return plain arrays.
// Also the server's one other need from C: malloc_trim.
#ifndef CEPOLL_H
#define CEPOLL_H

#include <stdint.h>

/// epoll_create1(EPOLL_CLOEXEC); -1 and errno on failure.
int cepoll_create(void);
/// Adds `fd` with edge-triggered EPOLLIN | EPOLLRDHUP (reported once per arrival of data or of
/// the peer's FIN; on adding, at once if data is already waiting); 0, or -1 and errno.
int cepoll_add_readable(int epfd, int fd);
/// Removes `fd`; 0, or -1 and errno.
int cepoll_remove(int epfd, int fd);
/// epoll_wait without blocking: fills up to `max` ready descriptors and their event masks;
/// returns how many, or -1 and errno.
int cepoll_ready(int epfd, int32_t *fds, uint32_t *events, int max);
/// Whether an event mask reports the peer's FIN, a hang-up or an error.
int cepoll_hung_up(uint32_t events);
/// malloc_trim(0): gives memory glibc holds but does not use back to the system (malloc.h is
/// not part of Swift's Glibc module). 1 if any was given back.
int cepoll_release_memory(void);

#endif
