/*
 * bench-conns: many concurrent, mostly idle TCP connections, for the
 * colouring benchmark (tests/bench/color-mice-vs-elephants.sh), which
 * checks that the elephant detector still promotes a bulk transfer while
 * a host carries them.
 *
 * "bench-conns server PORT" accepts connections and echoes what each
 * sends, serving them side by side; the routing benchmark's failover
 * probe (tests/bench/failover-probe.py) connects to it too.
 *
 * "bench-conns client IP PORT N INTERVAL-MS SECONDS" opens N connections
 * to IP:PORT (at most 200 connecting at a time), then sends 64 bytes on
 * each every INTERVAL-MS milliseconds (spread evenly over the interval)
 * and reads the echo, for SECONDS seconds after the last one is
 * established.  It prints "open N" (flushed) once all N are established,
 * and at the end "# open N requests R answered A failed F", where F
 * counts connections that failed or were closed by the other side.
 * Needs N + 16 file descriptors (ulimit -n).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Bytes sent on each connection at each interval. */
#define MSG_BYTES 64

/* Connections in progress at most, while opening. */
#define MAX_CONNECTING 200

/* Prints 'msg' and exits. */
static void
die(const char *msg)
{
    perror(msg);
    exit(1);
}

/* Monotonic time in milliseconds. */
static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Parses 's' as an integer from 'min' to 'max', or exits naming 'what'. */
static long
parse_int(const char *s, long min, long max, const char *what)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < min || v > max) {
        fprintf(stderr, "bench-conns: invalid %s '%s' (%ld to %ld)\n", what,
                s, min, max);
        exit(1);
    }
    return v;
}

/* Makes 'fd' non-blocking. */
static void
set_nonblock(int fd)
{
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
        die("fcntl");
    }
}

/* The server: accepts on 'port' and echoes, with epoll. */
static void __attribute__((noreturn))
run_server(int port)
{
    struct sockaddr_in sin;
    struct epoll_event ev, evs[256];
    int one = 1;
    int lfd, ep;

    lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0) {
        die("socket");
    }
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(lfd, (struct sockaddr *) &sin, sizeof sin) < 0
        || listen(lfd, 4096) < 0) {
        die("bind/listen");
    }
    set_nonblock(lfd);
    ep = epoll_create1(0);
    if (ep < 0) {
        die("epoll_create1");
    }
    ev.events = EPOLLIN;
    ev.data.fd = lfd;
    epoll_ctl(ep, EPOLL_CTL_ADD, lfd, &ev);
    for (;;) {
        int n = epoll_wait(ep, evs, 256, -1);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == lfd) {
                int c;
                while ((c = accept(lfd, NULL, NULL)) >= 0) {
                    set_nonblock(c);
                    ev.events = EPOLLIN;
                    ev.data.fd = c;
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ev);
                }
                continue;
            }
            char buf[4096];
            ssize_t r = read(fd, buf, sizeof buf);
            if (r > 0) {
                if (write(fd, buf, r) < 0) {
                    /* A full buffer: the client sends little, drop it. */
                }
            } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                close(fd);
            }
        }
    }
}

/* One client connection. */
struct conn {
    int fd;                     /* Socket, or -1 once failed. */
    int open;                   /* Established? */
    long long next;             /* When to send next (ms). */
};

/* The client: see the comment at the top. */
static int
run_client(const char *ip, int port, long n, long interval, long seconds)
{
    struct sockaddr_in sin;
    struct epoll_event ev, evs[512];
    struct conn *conns;
    long started = 0, opened = 0, failed = 0, connecting = 0;
    long long requests = 0, answered = 0, end = 0;
    int ep;

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    if (inet_pton(AF_INET, ip, &sin.sin_addr) != 1) {
        fprintf(stderr, "bench-conns: invalid address '%s'\n", ip);
        return 1;
    }
    conns = calloc(n, sizeof *conns);
    ep = epoll_create1(0);
    if (!conns || ep < 0) {
        die("calloc/epoll_create1");
    }

    for (;;) {
        long long now = now_ms();

        /* Open more connections. */
        while (started < n && connecting < MAX_CONNECTING) {
            struct conn *c = &conns[started];
            c->fd = socket(AF_INET, SOCK_STREAM, 0);
            if (c->fd < 0) {
                die("socket");
            }
            set_nonblock(c->fd);
            if (connect(c->fd, (struct sockaddr *) &sin, sizeof sin) < 0
                && errno != EINPROGRESS) {
                die("connect");
            }
            ev.events = EPOLLIN | EPOLLOUT;
            ev.data.u64 = started;
            epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
            started++;
            connecting++;
        }
        if (!end && opened + failed == n) {
            end = now + seconds * 1000;
            printf("open %ld\n", opened);
            fflush(stdout);
        }
        if (end && now >= end) {
            break;
        }

        /* Send what is due. */
        for (long i = 0; end && i < n; i++) {
            struct conn *c = &conns[i];
            if (c->fd >= 0 && c->open && now >= c->next) {
                char msg[MSG_BYTES];
                memset(msg, 'm', sizeof msg);
                if (write(c->fd, msg, sizeof msg) == sizeof msg) {
                    requests++;
                }
                c->next += interval;
                if (c->next < now) {
                    c->next = now + interval;
                }
            }
        }

        int k = epoll_wait(ep, evs, 512, 10);
        for (int j = 0; j < k; j++) {
            struct conn *c = &conns[evs[j].data.u64];
            if (c->fd < 0) {
                continue;
            }
            if (!c->open) {
                int err = 0;
                socklen_t len = sizeof err;
                getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
                connecting--;
                if (err) {
                    close(c->fd);
                    c->fd = -1;
                    failed++;
                    continue;
                }
                c->open = 1;
                opened++;
                /* Spread the sends evenly over the interval. */
                c->next = now_ms() + interval * (evs[j].data.u64 % 1000)
                                     / 1000;
                ev.events = EPOLLIN;
                ev.data.u64 = evs[j].data.u64;
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                continue;
            }
            char buf[4096];
            ssize_t r = read(c->fd, buf, sizeof buf);
            if (r > 0) {
                answered += r / MSG_BYTES;
            } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                close(c->fd);
                c->fd = -1;
                failed++;
            }
        }
    }
    printf("# open %ld requests %lld answered %lld failed %ld\n",
           opened, requests, answered, failed);
    return 0;
}

int
main(int argc, char *argv[])
{
    if (argc == 3 && !strcmp(argv[1], "server")) {
        run_server(parse_int(argv[2], 1, 65535, "port"));
    } else if (argc == 7 && !strcmp(argv[1], "client")) {
        return run_client(argv[2], parse_int(argv[3], 1, 65535, "port"),
                          parse_int(argv[4], 1, 1000000, "connections"),
                          parse_int(argv[5], 1, 3600000, "interval"),
                          parse_int(argv[6], 1, 86400, "seconds"));
    }
    fprintf(stderr, "usage: %s server PORT\n"
            "       %s client IP PORT N INTERVAL-MS SECONDS\n",
            argv[0], argv[0]);
    return 1;
}
