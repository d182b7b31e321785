#ifndef TANDEM_CSHIM_H
#define TANDEM_CSHIM_H
#include <stdint.h>
#include <sys/types.h>
// Not part of Swift's Glibc module: epoll, signalfd, struct iovec for sd_journal_sendv.
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/uio.h>
#include <sys/prctl.h>
#include "CShimNet.h"

/// The peer's credentials of a connected Unix socket (SO_PEERCRED); Swift's Glibc lacks struct ucred.
/// Returns 0 on success, -1 with errno set otherwise.
int tandem_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid);

/// prctl(2) is variadic in glibc and so not imported into Swift.
int tandem_prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5);

/// epoll_ctl with the event mask and the fd as user data; struct epoll_event is packed on x86-64,
/// which Swift cannot lay out, so it never crosses into Swift.
int tandem_epoll_ctl(int epfd, int op, int fd, uint32_t events);

/// epoll_wait filling parallel arrays of fds and event masks; returns the count or -1 with errno.
int tandem_epoll_wait(int epfd, int *fds, uint32_t *events, int max_events, int timeout_ms);

/// epoll_pwait2(2) (Linux 5.11+) with a timeout in nanoseconds (negative: wait for ever), filling the same parallel
/// arrays. Where the kernel lacks it (ENOSYS) or a seccomp filter refuses it (EPERM, which epoll_pwait2 itself never
/// returns), it falls back for good, process-wide, to epoll_wait with the timeout rounded up to whole milliseconds,
/// so a wait never ends before the timeout either way. `allow_pwait2` 0 takes the fallback for this call (tests).
int tandem_epoll_wait_ns(int epfd, int *fds, uint32_t *events, int max_events, int64_t timeout_ns, int allow_pwait2);

/// 1 while tandem_epoll_wait_ns can use epoll_pwait2, 0 once it has fallen back to epoll_wait.
int tandem_epoll_pwait2_in_use(void);

/// The signal number in a struct signalfd_siginfo read from a signalfd.
uint32_t tandem_signalfd_signo(const void *siginfo);

/// sizeof(struct signalfd_siginfo): how many bytes one read from a signalfd returns per signal.
int tandem_signalfd_siginfo_size(void);

/// accept4(2) with SOCK_NONBLOCK|SOCK_CLOEXEC; glibc declares it only under _GNU_SOURCE.
int tandem_accept_nonblocking(int fd);

/// Moves the calling process into a new, private mount namespace and mounts a fresh tmpfs on
/// `target` there (unshare and mount are not imported into Swift). Lets a test put a fake
/// journald socket at /run/systemd/journal/socket without touching the host. 0 or -1 with errno.
int tandem_private_tmpfs(const char *target);

#endif
