#include "CEpoll.h"

#include <malloc.h>
#include <sys/epoll.h>

int cepoll_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int cepoll_add_readable(int epfd, int fd) {
    struct epoll_event event = { .events = EPOLLIN | EPOLLRDHUP | EPOLLET, .data = { .fd = fd } };
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

int cepoll_remove(int epfd, int fd) {
    struct epoll_event unused = { 0 };
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &unused);
}

int cepoll_ready(int epfd, int32_t *fds, uint32_t *events, int max) {
    struct epoll_event ready[256];
    if (max > 256) max = 256;
    int n = epoll_wait(epfd, ready, max, 0);
    for (int i = 0; i < n; i++) {
        fds[i] = ready[i].data.fd;
        events[i] = ready[i].events;
    }
    return n;
}

int cepoll_hung_up(uint32_t events) { return (events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0; }

int cepoll_release_memory(void) {
    return malloc_trim(0);
}
