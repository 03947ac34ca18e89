/*
 * bench-coap: a CoAP-like request/response exchange over UDP, for the
 * colouring benchmark (tests/bench/color-mice-vs-elephants.sh).
 *
 * "bench-coap server PORT [BYTES]" answers every confirmable GET with a
 * piggybacked 2.05 Content acknowledgement of BYTES payload bytes (default
 * 64), echoing its message id and token.
 *
 * "bench-coap client IP PORT COUNT INTERVAL-MS [BYTES]" sends COUNT GET
 * requests for /bench (BYTES payload bytes, default 16) at a fixed pace,
 * one every INTERVAL-MS milliseconds, whether or not the previous one was
 * answered (so one lost datagram does not stall the measurement), and
 * prints one line per request: its round trip in microseconds, or
 * "lost" when no answer came within one second.  A round trip runs from
 * just before send() to the answer's arrival as the kernel stamped it
 * (SO_TIMESTAMPNS, the way ping times its echoes), both CLOCK_REALTIME in
 * the same process: neither process start-up nor the client's own
 * wake-up after the answer arrived is in it.  A last line "# sent N
 * answered N lost N" sums up.  Answers to requests sent within the last
 * second are waited for after the last request.
 */
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* CoAP header fields (RFC 7252). */
#define COAP_VERSION 1
#define COAP_CON 0              /* Confirmable. */
#define COAP_ACK 2              /* Acknowledgement. */
#define COAP_GET 0x01           /* 0.01 GET. */
#define COAP_CONTENT 0x45       /* 2.05 Content. */
#define COAP_TOKEN_LEN 4
#define COAP_OPT_URI_PATH 11

/* A request is answered within this long, or counted lost. */
#define LOST_AFTER_NS 1000000000LL

/* Largest datagram handled. */
#define MAX_MSG 65000

/* Prints 'msg' and exits. */
static void
die(const char *msg)
{
    perror(msg);
    exit(1);
}

/* The time of 'clock' in nanoseconds. */
static long long
clock_ns(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Receives one datagram from 'fd' into 'buf' and stores in '*at' the
 * time the kernel stamped on its arrival (SO_TIMESTAMPNS), or the time
 * now if it carries none. */
static ssize_t
recv_stamped(int fd, void *buf, size_t size, long long *at)
{
    char control[CMSG_SPACE(sizeof(struct timespec))];
    struct iovec iov = { .iov_base = buf, .iov_len = size };
    struct msghdr mh = {
        .msg_iov = &iov, .msg_iovlen = 1,
        .msg_control = control, .msg_controllen = sizeof control,
    };
    ssize_t n = recvmsg(fd, &mh, 0);
    *at = clock_ns(CLOCK_REALTIME);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); n >= 0 && c;
         c = CMSG_NXTHDR(&mh, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
            struct timespec ts;
            memcpy(&ts, CMSG_DATA(c), sizeof ts);
            *at = ts.tv_sec * 1000000000LL + ts.tv_nsec;
        }
    }
    return n;
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
        fprintf(stderr, "bench-coap: invalid %s '%s' (%ld to %ld)\n", what,
                s, min, max);
        exit(1);
    }
    return v;
}

/* Writes the CoAP header of a message of 'type' and 'code' with message
 * id 'mid' and token 'token' into 'buf'; returns its length. */
static size_t
put_header(uint8_t *buf, int type, int code, uint16_t mid, uint32_t token)
{
    buf[0] = (COAP_VERSION << 6) | (type << 4) | COAP_TOKEN_LEN;
    buf[1] = code;
    buf[2] = mid >> 8;
    buf[3] = mid & 0xff;
    memcpy(buf + 4, &token, COAP_TOKEN_LEN);
    return 4 + COAP_TOKEN_LEN;
}

/* Appends the payload marker and 'n' payload bytes at 'buf' + 'len';
 * returns the new length. */
static size_t
put_payload(uint8_t *buf, size_t len, size_t n)
{
    if (n) {
        buf[len++] = 0xff;
        memset(buf + len, 'x', n);
        len += n;
    }
    return len;
}

/* The server: answers every confirmable request on 'port'. */
static void __attribute__((noreturn))
run_server(int port, size_t bytes)
{
    struct sockaddr_in sin;
    uint8_t req[MAX_MSG], resp[MAX_MSG];
    int fd;

    fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
        die("socket");
    }
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(fd, (struct sockaddr *) &sin, sizeof sin) < 0) {
        die("bind");
    }
    for (;;) {
        struct sockaddr_in from;
        socklen_t fromlen = sizeof from;
        ssize_t n = recvfrom(fd, req, sizeof req, 0,
                             (struct sockaddr *) &from, &fromlen);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            die("recvfrom");
        }
        if (n < 4 + COAP_TOKEN_LEN || req[0] >> 6 != COAP_VERSION
            || ((req[0] >> 4) & 3) != COAP_CON
            || (req[0] & 0xf) != COAP_TOKEN_LEN) {
            continue;
        }
        uint32_t token;
        memcpy(&token, req + 4, COAP_TOKEN_LEN);
        size_t len = put_header(resp, COAP_ACK, COAP_CONTENT,
                                (req[2] << 8) | req[3], token);
        len = put_payload(resp, len, bytes);
        if (sendto(fd, resp, len, 0, (struct sockaddr *) &from,
                   fromlen) < 0 && errno != ENOBUFS && errno != EAGAIN) {
            die("sendto");
        }
    }
}

/* The client: 'count' requests to 'ip':'port', one every 'interval_ms'. */
static int
run_client(const char *ip, int port, long count, long interval_ms,
           size_t bytes)
{
    struct sockaddr_in sin;
    long long *sent_at;         /* Send time of each request, 0 if none
                                 * (CLOCK_REALTIME). */
    long long *rtt;             /* Round trip of each, -1 while unknown. */
    uint8_t msg[MAX_MSG];
    long next = 0, answered = 0;
    long long start, deadline;
    int fd;

    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    if (inet_pton(AF_INET, ip, &sin.sin_addr) != 1) {
        fprintf(stderr, "bench-coap: invalid address '%s'\n", ip);
        return 1;
    }
    fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *) &sin, sizeof sin) < 0) {
        die("socket/connect");
    }
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on) < 0) {
        die("SO_TIMESTAMPNS");
    }
    sent_at = calloc(count, sizeof *sent_at);
    rtt = malloc(count * sizeof *rtt);
    if (!sent_at || !rtt) {
        die("malloc");
    }
    for (long i = 0; i < count; i++) {
        rtt[i] = -1;
    }

    start = clock_ns(CLOCK_MONOTONIC);
    deadline = start + (count - 1) * interval_ms * 1000000LL + LOST_AFTER_NS;
    for (;;) {
        long long now = clock_ns(CLOCK_MONOTONIC);
        if (next < count && now >= start + next * interval_ms * 1000000LL) {
            uint32_t token = next;
            size_t len = put_header(msg, COAP_CON, COAP_GET, next & 0xffff,
                                    token);
            msg[len++] = (COAP_OPT_URI_PATH << 4) | 5;
            memcpy(msg + len, "bench", 5);
            len += 5;
            len = put_payload(msg, len, bytes);
            sent_at[next] = clock_ns(CLOCK_REALTIME);
            if (send(fd, msg, len, 0) < 0 && errno != ECONNREFUSED
                && errno != ENOBUFS && errno != EAGAIN) {
                die("send");
            }
            next++;
            continue;
        }
        if (now >= deadline || answered == count) {
            break;
        }

        long long wake = next < count
                         ? start + next * interval_ms * 1000000LL : deadline;
        int timeout_ms = (wake - now + 999999) / 1000000;
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, timeout_ms) <= 0) {
            continue;
        }
        long long t;
        ssize_t n = recv_stamped(fd, msg, sizeof msg, &t);
        if (n < 4 + COAP_TOKEN_LEN || ((msg[0] >> 4) & 3) != COAP_ACK
            || msg[1] != COAP_CONTENT) {
            continue;
        }
        uint32_t token;
        memcpy(&token, msg + 4, COAP_TOKEN_LEN);
        if (token < (uint32_t) next && rtt[token] < 0
            && t - sent_at[token] <= LOST_AFTER_NS) {
            rtt[token] = t - sent_at[token];
            answered++;
        }
    }

    for (long i = 0; i < count; i++) {
        if (rtt[i] >= 0) {
            printf("%.1f\n", rtt[i] / 1000.0);
        } else {
            printf("lost\n");
        }
    }
    printf("# sent %ld answered %ld lost %ld\n", next, answered,
           next - answered);
    free(sent_at);
    free(rtt);
    return 0;
}

int
main(int argc, char *argv[])
{
    if (argc >= 3 && argc <= 4 && !strcmp(argv[1], "server")) {
        run_server(parse_int(argv[2], 1, 65535, "port"),
                          argc > 3 ? parse_int(argv[3], 0, 60000, "size")
                                   : 64);
    } else if (argc >= 6 && argc <= 7 && !strcmp(argv[1], "client")) {
        return run_client(argv[2], parse_int(argv[3], 1, 65535, "port"),
                          parse_int(argv[4], 1, 10000000, "count"),
                          parse_int(argv[5], 1, 60000, "interval"),
                          argc > 6 ? parse_int(argv[6], 0, 60000, "size")
                                   : 16);
    }
    fprintf(stderr, "usage: %s server PORT [BYTES]\n"
            "       %s client IP PORT COUNT INTERVAL-MS [BYTES]\n",
            argv[0], argv[0]);
    return 1;
}
