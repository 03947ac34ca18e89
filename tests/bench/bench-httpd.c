/*
 * bench-httpd: the smallest HTTP server that answers every request with a
 * fixed 200 response and closes the connection.  The switching benchmark
 * runs it inside a pod and points wrk at it with "Connection: close", so
 * every request is a new TCP connection: the rate it sustains is bounded
 * by how fast the virtual network sets up new connections (first
 * packets through the OpenFlow pipeline), not by the server.
 *
 * usage: bench-httpd PORT
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* The response sent to every request. */
static const char response[] =
    "HTTP/1.1 200 OK\r\n"
    "Content-Length: 2\r\n"
    "Content-Type: text/plain\r\n"
    "Connection: close\r\n"
    "\r\n"
    "ok";

/* Opens a listening TCP socket on every address at 'port', or exits with
 * a message. */
static int
open_listener(int port)
{
    struct sockaddr_in sin;
    int one = 1;
    int fd;

    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        perror("socket");
        exit(1);
    }
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_ANY);
    if (bind(fd, (struct sockaddr *) &sin, sizeof sin) < 0
        || listen(fd, 1024) < 0) {
        perror("bind/listen");
        exit(1);
    }
    return fd;
}

/* Reads one request from 'fd' (up to the end of its headers, or whatever
 * arrives in the first reads), answers it and closes 'fd'. */
static void
serve_one(int fd)
{
    char buf[4096];
    size_t used = 0;

    while (used < sizeof buf - 1) {
        ssize_t n = read(fd, buf + used, sizeof buf - 1 - used);
        if (n <= 0) {
            close(fd);
            return;
        }
        used += n;
        buf[used] = '\0';
        if (strstr(buf, "\r\n\r\n")) {
            break;
        }
    }
    if (write(fd, response, sizeof response - 1) < 0) {
        /* The client went away: nothing to do but close. */
    }
    close(fd);
}

int
main(int argc, char *argv[])
{
    int port;
    int lfd;

    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 1;
    }
    port = atoi(argv[1]);
    if (port <= 0 || port > 65535) {
        fprintf(stderr, "%s: invalid port '%s' (expected 1..65535)\n",
                argv[0], argv[1]);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);
    lfd = open_listener(port);
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) {
                continue;
            }
            perror("accept");
            return 1;
        }
        serve_one(fd);
    }
}
