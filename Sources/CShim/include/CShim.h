#ifndef TANDEM_CSHIM_H
#define TANDEM_CSHIM_H
#include <sys/types.h>

/// The peer's credentials of a connected Unix socket (SO_PEERCRED); Swift's Glibc lacks struct ucred.
/// Returns 0 on success, -1 with errno set otherwise.
int tandem_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid);

/// prctl(2) is variadic in glibc and so not imported into Swift.
int tandem_prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5);

#endif
