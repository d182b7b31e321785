/* Loopback backends for the checkd benchmark: one epoll loop in C, fast enough that the checker is what gets
 * measured (the python backend topped out near 5,600 checks/s on one core).
 *
 *   backend --tcp N --http N --ports FILE --runtime DIR --stats FILE [--workers W] [--bind ADDR]
 *
 * --tcp N listeners on 127.0.0.1 (or --bind's IPv4 address) accept and close at once (TCP_CHECK targets); --http N listeners read a request
 * up to its blank line, answer a fixed 200 and close (HTTP_GET targets). It also plays ipvsd and vrrpd:
 * SOCK_SEQPACKET listeners DIR/ipvsd.sock and DIR/vrrpd.sock that count the datagrams checkd sends. Ports go to
 * FILE (one "kind port" a line, written atomically once every listener is up); counters are rewritten into the
 * stats file as JSON every second (same keys as backends.py). With --workers W > 1 the TCP listeners are shared
 * by W forked processes (EPOLLEXCLUSIVE); counters are summed through shared memory.
 * SIGTERM/SIGINT end it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { K_TCP = 1, K_HTTP, K_UNIX_IPVSD, K_UNIX_VRRPD, K_CONN, K_PEER_IPVSD, K_PEER_VRRPD };

struct counters {
    volatile uint64_t tcp_accepted, http_served, http_bad, ipvsd, vrrpd;
};

static const char RESPONSE[] = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
static volatile sig_atomic_t stop;
static struct counters *shared;          /* one slot per worker */
static int nworkers = 1;

static void on_signal(int signo) { (void)signo; stop = 1; }

static void die(const char *what) { perror(what); exit(1); }

static uint64_t key(int kind, int fd) { return ((uint64_t)kind << 32) | (uint32_t)fd; }

static struct in_addr bind_address = { .s_addr = 0 };

static int tcp_listener(uint16_t *port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket");
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr = bind_address };
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) die("bind");
    if (listen(fd, 512) != 0) die("listen");
    socklen_t len = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &len);
    *port = ntohs(a.sin_port);
    return fd;
}

static int unix_listener(const char *dir, const char *name) {
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    snprintf(a.sun_path, sizeof a.sun_path, "%s/%s.sock", dir, name);
    unlink(a.sun_path);
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket(AF_UNIX)");
    if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) die("bind(AF_UNIX)");
    chmod(a.sun_path, 0666);
    if (listen(fd, 4) != 0) die("listen(AF_UNIX)");
    return fd;
}

/* Per-connection progress towards "\r\n\r\n" (0..3), indexed by fd. */
static uint8_t *progress;
static int progress_size;

static void serve(int epfd, int fd, struct counters *c) {
    char buf[2048];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;   /* wait for more */
        if (n <= 0) break;                                                 /* closed early or error */
        uint8_t p = progress[fd];
        for (ssize_t i = 0; i < n; i++) {
            char ch = buf[i];
            if ((p == 0 || p == 2) && ch == '\r') p++;
            else if ((p == 1 || p == 3) && ch == '\n') p++;
            else p = ch == '\r' ? 1 : 0;
            if (p == 4) break;
        }
        if (p == 4) {
            if (send(fd, RESPONSE, sizeof RESPONSE - 1, MSG_NOSIGNAL) == (ssize_t)(sizeof RESPONSE - 1))
                c->http_served++;
            else
                c->http_bad++;
            break;
        }
        progress[fd] = p;
    }
    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
    progress[fd] = 0;
    close(fd);
}

static void write_stats(const char *path) {
    struct counters sum = {0};
    for (int i = 0; i < nworkers; i++) {
        sum.tcp_accepted += shared[i].tcp_accepted;
        sum.http_served += shared[i].http_served;
        sum.http_bad += shared[i].http_bad;
        sum.ipvsd += shared[i].ipvsd;
        sum.vrrpd += shared[i].vrrpd;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return;
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    fprintf(f, "{\"tcp_accepted\": %llu, \"http_served\": %llu, \"http_bad\": %llu, "
               "\"datagrams\": {\"ipvsd\": %llu, \"vrrpd\": %llu}, \"time\": %lld.%03ld}\n",
            (unsigned long long)sum.tcp_accepted, (unsigned long long)sum.http_served,
            (unsigned long long)sum.http_bad, (unsigned long long)sum.ipvsd, (unsigned long long)sum.vrrpd,
            (long long)now.tv_sec, now.tv_nsec / 1000000);
    fclose(f);
    rename(tmp, path);
}

int main(int argc, char **argv) {
    bind_address.s_addr = htonl(INADDR_LOOPBACK);
    int ntcp = 0, nhttp = 0;
    const char *ports = NULL, *runtime = NULL, *stats = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--tcp")) ntcp = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--http")) nhttp = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--ports")) ports = argv[i + 1];
        else if (!strcmp(argv[i], "--runtime")) runtime = argv[i + 1];
        else if (!strcmp(argv[i], "--stats")) stats = argv[i + 1];
        else if (!strcmp(argv[i], "--workers")) nworkers = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--bind")) {
            if (inet_pton(AF_INET, argv[i + 1], &bind_address) != 1) { fprintf(stderr, "bad --bind address\n"); return 2; }
        }
        else { fprintf(stderr, "unknown argument %s\n", argv[i]); return 2; }
    }
    if (!ports || !runtime || !stats || nworkers < 1) {
        fprintf(stderr, "usage: %s --tcp N --http N --ports FILE --runtime DIR --stats FILE [--workers W]\n", argv[0]);
        return 2;
    }

    /* Listeners plus connections in flight: take what the kernel allows (root may raise the hard limit). */
    struct rlimit rl = { .rlim_cur = 1 << 20, .rlim_max = 1 << 20 };
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    getrlimit(RLIMIT_NOFILE, &rl);
    if ((long)rl.rlim_cur < (long)(ntcp + nhttp) * 2 + 64)
        fprintf(stderr, "backend: open-file limit %ld is tight for %d listeners\n", (long)rl.rlim_cur, ntcp + nhttp);
    progress_size = (int)(rl.rlim_cur < (1 << 20) ? rl.rlim_cur : (1 << 20));
    progress = calloc(progress_size, 1);

    shared = mmap(NULL, sizeof(struct counters) * nworkers, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (shared == MAP_FAILED) die("mmap");
    memset((void *)shared, 0, sizeof(struct counters) * nworkers);

    int total = ntcp + nhttp;
    int *fds = malloc(sizeof(int) * (total + 1));
    int *kinds = malloc(sizeof(int) * (total + 1));
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", ports);
    FILE *pf = fopen(tmp, "w");
    if (!pf) die("ports file");
    for (int i = 0; i < total; i++) {
        uint16_t port;
        fds[i] = tcp_listener(&port);
        kinds[i] = i < ntcp ? K_TCP : K_HTTP;
        fprintf(pf, "%s %u\n", i < ntcp ? "tcp" : "http", port);
    }
    mkdir(runtime, 0755);
    int uipvsd = unix_listener(runtime, "ipvsd"), uvrrpd = unix_listener(runtime, "vrrpd");
    fclose(pf);

    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    int worker = 0;
    pid_t children[64];
    int nchildren = 0;
    for (int w = 1; w < nworkers && w < 64; w++) {
        pid_t pid = fork();
        if (pid < 0) die("fork");
        if (pid == 0) { worker = w; nchildren = 0; break; }
        children[nchildren++] = pid;
    }
    struct counters *c = &shared[worker];

    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) die("epoll_create1");
    for (int i = 0; i < total; i++) {
        struct epoll_event ev = { .events = EPOLLIN | (nworkers > 1 ? EPOLLEXCLUSIVE : 0),
                                  .data.u64 = key(kinds[i], fds[i]) };
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, fds[i], &ev) != 0) die("epoll_ctl");
    }
    if (worker == 0) {
        struct epoll_event ev = { .events = EPOLLIN, .data.u64 = key(K_UNIX_IPVSD, uipvsd) };
        epoll_ctl(epfd, EPOLL_CTL_ADD, uipvsd, &ev);
        ev.data.u64 = key(K_UNIX_VRRPD, uvrrpd);
        epoll_ctl(epfd, EPOLL_CTL_ADD, uvrrpd, &ev);
        rename(tmp, ports);   /* only now: everything listens */
    }

    struct epoll_event events[256];
    time_t last = 0;
    while (!stop) {
        int n = epoll_wait(epfd, events, 256, 200);
        if (n < 0 && errno != EINTR) die("epoll_wait");
        for (int i = 0; i < n; i++) {
            int kind = (int)(events[i].data.u64 >> 32), fd = (int)(uint32_t)events[i].data.u64;
            switch (kind) {
            case K_TCP:
            case K_HTTP:
                for (;;) {
                    int conn = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (conn < 0) break;
                    if (kind == K_TCP) { c->tcp_accepted++; close(conn); continue; }
                    if (conn >= progress_size) { close(conn); continue; }
                    progress[conn] = 0;
                    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = key(K_CONN, conn) };
                    epoll_ctl(epfd, EPOLL_CTL_ADD, conn, &ev);
                }
                break;
            case K_CONN:
                serve(epfd, fd, c);
                break;
            case K_UNIX_IPVSD:
            case K_UNIX_VRRPD:
                for (;;) {
                    int conn = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
                    if (conn < 0) break;
                    struct epoll_event ev = { .events = EPOLLIN,
                                              .data.u64 = key(kind == K_UNIX_IPVSD ? K_PEER_IPVSD : K_PEER_VRRPD, conn) };
                    epoll_ctl(epfd, EPOLL_CTL_ADD, conn, &ev);
                }
                break;
            case K_PEER_IPVSD:
            case K_PEER_VRRPD:
                for (;;) {
                    char buf[65536];
                    ssize_t got = recv(fd, buf, sizeof buf, 0);
                    if (got > 0) { if (kind == K_PEER_IPVSD) c->ipvsd++; else c->vrrpd++; continue; }
                    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
                    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
                    close(fd);
                    break;
                }
                break;
            }
        }
        if (worker == 0) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            if (now.tv_sec != last) { last = now.tv_sec; write_stats(stats); }
        }
    }
    if (worker == 0) {
        for (int i = 0; i < nchildren; i++) kill(children[i], SIGTERM);
        for (int i = 0; i < nchildren; i++) waitpid(children[i], NULL, 0);
        write_stats(stats);
    }
    return 0;
}
