/* The floor of the checkd benchmark: the least a checker can do for the same checks, in plain C, so the
 * kernel's cost of a loopback connection can be told apart from checkd's own.
 *
 *   floor PORTS_FILE [DELAY_MS=1000] [ADDRESS=127.0.0.1]
 *
 * For every "tcp PORT" / "http PORT" line of the backend's ports file, every DELAY_MS after the last attempt
 * ended (keepalived's delay_loop rule): socket, SO_LINGER 0 (no TIME_WAIT, as keepalived and checkd), non-blocking
 * connect, epoll for writable, getsockopt(SO_ERROR); TCP closes there; HTTP sends a GET, reads until the peer
 * closes (an eager read first, epoll only if nothing is there yet) and closes. No timeouts, no parsing, no
 * logging: the same system calls as checkd, nothing else. Runs until SIGTERM; prints attempts and failures.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct target { uint16_t port; int http; int fd; int phase; };  /* phase 0 connecting, 1 receiving */
static struct target *targets;
static int ntargets;
/* FIFO of (due, target): every delay is the same, so completion order is due order. */
static struct { int64_t due; int idx; } *fifo;
static int fhead, ftail, fcap;
static volatile sig_atomic_t stop;
static uint64_t attempts, failures;
static int epfd;
static int64_t delay_ns;
/* Where the backends listen: 127.0.0.1, or their address behind a veth (bench/checkd/run REMOTE=1). */
static struct in_addr target_address;
static const char REQUEST[] = "GET /health HTTP/1.0\r\nUser-Agent: floor\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

static void on_signal(int s) { (void)s; stop = 1; }
static int64_t now_ns(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec * 1000000000LL + t.tv_nsec; }
static void push(int64_t due, int idx) { fifo[ftail].due = due; fifo[ftail].idx = idx; ftail = (ftail + 1) % fcap; }

static void done(int idx, int ok) {
    struct target *t = &targets[idx];
    if (t->fd >= 0) close(t->fd);
    t->fd = -1;
    attempts++;
    if (!ok) failures++;
    push(now_ns() + delay_ns, idx);
}

static void receive(int idx) {
    struct target *t = &targets[idx];
    char buf[16384];
    for (;;) {
        ssize_t n = recv(t->fd, buf, sizeof buf, 0);
        if (n > 0) continue;
        if (n == 0) return done(idx, 1);
        if (errno == EAGAIN) {
            if (t->phase != 1) {
                t->phase = 1;
                struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)idx };
                epoll_ctl(epfd, EPOLL_CTL_MOD, t->fd, &ev);
            }
            return;
        }
        return done(idx, 0);
    }
}

static void launch(int idx) {
    struct target *t = &targets[idx];
    t->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (t->fd < 0) return done(idx, 0);
    struct linger l = { 1, 0 };
    setsockopt(t->fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(t->port), .sin_addr = target_address };
    if (connect(t->fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) return done(idx, 0);
    t->phase = 0;
    struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = (uint32_t)idx };
    epoll_ctl(epfd, EPOLL_CTL_ADD, t->fd, &ev);
}

static void ready(int idx) {
    struct target *t = &targets[idx];
    if (t->phase == 1) return receive(idx);
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) return done(idx, 0);
    if (!t->http) return done(idx, 1);
    if (send(t->fd, REQUEST, sizeof REQUEST - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof REQUEST - 1)) return done(idx, 0);
    receive(idx);
}

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s PORTS_FILE [DELAY_MS] [ADDRESS]\n", argv[0]); return 2; }
    target_address.s_addr = htonl(INADDR_LOOPBACK);
    if (argc > 3 && inet_pton(AF_INET, argv[3], &target_address) != 1) { fprintf(stderr, "bad address\n"); return 2; }
    delay_ns = (argc > 2 ? atoll(argv[2]) : 1000) * 1000000LL;
    FILE *f = fopen(argv[1], "r");
    if (!f) { perror(argv[1]); return 1; }
    char kind[16];
    unsigned port;
    int cap = 1024;
    targets = malloc(sizeof *targets * cap);
    while (fscanf(f, "%15s %u", kind, &port) == 2) {
        if (ntargets == cap) targets = realloc(targets, sizeof *targets * (cap *= 2));
        targets[ntargets++] = (struct target){ .port = (uint16_t)port, .http = !strcmp(kind, "http"), .fd = -1 };
    }
    fclose(f);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    fcap = ntargets + 1;
    fifo = malloc(sizeof *fifo * fcap);
    int64_t start = now_ns();
    for (int i = 0; i < ntargets; i++) push(start + delay_ns * i / ntargets, i);   /* spread like warmup */
    epfd = epoll_create1(EPOLL_CLOEXEC);
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    struct epoll_event events[256];
    while (!stop) {
        int timeout = -1;
        if (fhead != ftail) {
            int64_t wait = fifo[fhead].due - now_ns();
            timeout = wait <= 0 ? 0 : (int)((wait + 999999) / 1000000);
        }
        int n = epoll_wait(epfd, events, 256, timeout);
        for (int i = 0; i < n; i++) ready((int)events[i].data.u32);
        int64_t now = now_ns();
        while (fhead != ftail && fifo[fhead].due <= now) {
            int idx = fifo[fhead].idx;
            fhead = (fhead + 1) % fcap;
            launch(idx);
        }
    }
    printf("floor: %llu attempts, %llu failures\n", (unsigned long long)attempts, (unsigned long long)failures);
    return 0;
}
