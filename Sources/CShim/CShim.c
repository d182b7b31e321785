#define _GNU_SOURCE
#include "CShim.h"
#include <string.h>
#include <sys/socket.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <errno.h>
#include <limits.h>
#include <time.h>

int tandem_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid) {
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return -1;
    *pid = cred.pid; *uid = cred.uid; *gid = cred.gid;
    return 0;
}

int tandem_prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5) {
    return prctl(option, arg2, arg3, arg4, arg5);
}

int tandem_epoll_ctl(int epfd, int op, int fd, uint32_t events) {
    struct epoll_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.events = events;
    ev.data.fd = fd;
    return epoll_ctl(epfd, op, fd, &ev);
}

int tandem_epoll_wait(int epfd, int *fds, uint32_t *events, int max_events, int timeout_ms) {
    struct epoll_event ready[64];
    if (max_events > 64) max_events = 64;
    int n = epoll_wait(epfd, ready, max_events, timeout_ms);
    for (int i = 0; i < n; i++) {
        fds[i] = ready[i].data.fd;
        events[i] = ready[i].events;
    }
    return n;
}

#ifndef __NR_epoll_pwait2
#define __NR_epoll_pwait2 441  /* the same number on every architecture (the generic syscall table) */
#endif

/* Process-wide: once the kernel or a seccomp filter refused epoll_pwait2, every loop uses epoll_wait. */
static volatile int pwait2_unavailable = 0;

int tandem_epoll_pwait2_in_use(void) { return !pwait2_unavailable; }

int tandem_epoll_wait_ns(int epfd, int *fds, uint32_t *events, int max_events, int64_t timeout_ns, int allow_pwait2) {
    struct epoll_event ready[64];
    if (max_events > 64) max_events = 64;
    int n = -1;
    int done = 0;
    if (allow_pwait2 && !pwait2_unavailable) {
        struct timespec ts;
        struct timespec *timeout = NULL;
        if (timeout_ns >= 0) {
            ts.tv_sec = (time_t)(timeout_ns / 1000000000);
            ts.tv_nsec = (long)(timeout_ns % 1000000000);
            timeout = &ts;
        }
        /* Called directly, so the build does not need glibc 2.35's wrapper; no sigmask, so no sigsetsize. */
        n = (int)syscall(__NR_epoll_pwait2, epfd, ready, max_events, timeout, NULL, (size_t)0);
        if (n < 0 && (errno == ENOSYS || errno == EPERM)) {
            pwait2_unavailable = 1;
        } else {
            done = 1;
        }
    }
    if (!done) {
        int timeout_ms = -1;
        if (timeout_ns >= 0) {
            int64_t ms = (timeout_ns + 999999) / 1000000;  /* rounded up: never wakes before the deadline */
            timeout_ms = ms > INT_MAX ? INT_MAX : (int)ms;
        }
        n = epoll_wait(epfd, ready, max_events, timeout_ms);
    }
    for (int i = 0; i < n; i++) {
        fds[i] = ready[i].data.fd;
        events[i] = ready[i].events;
    }
    return n;
}

uint32_t tandem_signalfd_signo(const void *siginfo) {
    struct signalfd_siginfo info;
    memcpy(&info, siginfo, sizeof(info));
    return info.ssi_signo;
}

int tandem_signalfd_siginfo_size(void) {
    return (int)sizeof(struct signalfd_siginfo);
}

int tandem_accept_nonblocking(int fd) {
    return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int tandem_private_tmpfs(const char *target) {
    if (unshare(CLONE_NEWNS) != 0) return -1;
    /* Without MS_PRIVATE the new mount would propagate back to the host's namespace. */
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) return -1;
    return mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0755");
}
