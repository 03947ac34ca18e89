/*
 * ipfix-dump: an IPFIX collector for tests.  Binds a UDP port, feeds every
 * datagram to an ipfix_parser and prints each flow record it decodes on
 * one line ("domain=7 point=3 v4 6 10.0.0.1:1234 > 10.0.0.2:80 octets=60
 * packets=1"), each error as "error: ..." and, whenever they change, the
 * number of templates known ("templates=N") and of data sets skipped for
 * want of a template ("skipped=N").  With --read it decodes files, one
 * message each, instead.  On SIGTERM or SIGINT, or after --timeout
 * seconds, it prints the parser's counters on stderr and exits.
 * --share-templates shares templates between observation domains.
 *
 * usage: ipfix-dump [--address=IP] [--port-file=FILE] [--save=DIR]
 *                   [--share-templates] [--timeout=SECS] PORT
 *        ipfix-dump [--share-templates] --read FILE...
 */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#include "lib/ipfix.h"
#include "openvswitch/dynamic-string.h"
#include "util.h"

/* Set by the signal handler: time to exit. */
static volatile sig_atomic_t stop;

/* Notes that a signal asked us to exit. */
static void
on_signal(int sig OVS_UNUSED)
{
    stop = 1;
}

/* Prints record 'r' on one line of stdout. */
static void
print_record(const struct ipfix_record *r, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ipfix_record_format(r, &s);
    puts(ds_cstr(&s));
    ds_destroy(&s);
}

/* What was last printed about the parser's state. */
struct dump_state {
    size_t templates;           /* Last "templates=" printed. */
    uint64_t skipped;           /* Last "skipped=" printed. */
};

/* Feeds the 'n' bytes of 'msg' to 'parser', printing records, errors and
 * the changes of the counters 'state' tracks. */
static void
feed(struct ipfix_parser *parser, const void *msg, size_t n,
     struct dump_state *state)
{
    char *error = ipfix_parser_feed(parser, msg, n, print_record, NULL);
    if (error) {
        printf("error: %s\n", error);
        free(error);
    }

    struct ipfix_parser_counters c;
    ipfix_parser_get_counters(parser, &c);
    if (c.n_templates != state->templates) {
        printf("templates=%"PRIuSIZE"\n", c.n_templates);
        state->templates = c.n_templates;
    }
    if (c.sets_no_template != state->skipped) {
        printf("skipped=%"PRIu64"\n", c.sets_no_template);
        state->skipped = c.sets_no_template;
    }
}

/* Prints the counters of 'parser' on stderr. */
static void
print_stats(const struct ipfix_parser *parser)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ipfix_parser_stats(parser, &s);
    fputs(ds_cstr(&s), stderr);
    ds_destroy(&s);
}

/* Decodes each of the 'n' files in 'files' as one message, with templates
 * shared between domains if 'shared'. */
static int
read_files(char *files[], int n, bool shared)
{
    struct ipfix_parser *parser = ipfix_parser_create();
    ipfix_parser_set_shared_templates(parser, shared);
    struct dump_state state = { 0, 0 };
    for (int i = 0; i < n; i++) {
        FILE *f = fopen(files[i], "rb");
        if (!f) {
            ovs_fatal(errno, "%s: open failed", files[i]);
        }
        uint8_t buf[65536];
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        feed(parser, buf, len, &state);
    }
    print_stats(parser);
    ipfix_parser_destroy(parser);
    return 0;
}

/* Writes the 'n' bytes of 'msg' to DIR/msg-NNNN.bin, NNNN being 'seq'. */
static void
save(const char *dir, unsigned int seq, const void *msg, size_t n)
{
    char *name = xasprintf("%s/msg-%04u.bin", dir, seq);
    FILE *f = fopen(name, "wb");
    if (!f || fwrite(msg, 1, n, f) != n || fclose(f)) {
        ovs_fatal(errno, "%s: write failed", name);
    }
    free(name);
}

/* Prints the usage message and exits. */
static void
usage(void)
{
    printf("usage: %s [--address=IP] [--port-file=FILE] [--save=DIR]\n"
           "                  [--share-templates] [--timeout=SECS] PORT\n"
           "       %s [--share-templates] --read FILE...\n",
           program_name, program_name);
    exit(EXIT_SUCCESS);
}

/* Parses the options and runs the collector, or decodes files. */
int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        {"address", required_argument, NULL, 'a'},
        {"port-file", required_argument, NULL, 'p'},
        {"save", required_argument, NULL, 's'},
        {"timeout", required_argument, NULL, 't'},
        {"read", no_argument, NULL, 'r'},
        {"share-templates", no_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *address = "127.0.0.1";
    const char *port_file = NULL;
    const char *save_dir = NULL;
    int timeout = 0;
    bool read_mode = false;
    bool shared = false;

    set_program_name(argv[0]);
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (;;) {
        int c = getopt_long(argc, argv, "", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 'a':
            address = optarg;
            break;
        case 'p':
            port_file = optarg;
            break;
        case 's':
            save_dir = optarg;
            break;
        case 't':
            timeout = atoi(optarg);
            break;
        case 'r':
            read_mode = true;
            break;
        case 'S':
            shared = true;
            break;
        case 'h':
            usage();
            break;
        default:
            exit(EXIT_FAILURE);
        }
    }
    if (read_mode) {
        return read_files(argv + optind, argc - optind, shared);
    }
    if (argc - optind != 1) {
        ovs_fatal(0, "exactly one PORT expected (try --help)");
    }

    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_port = htons(atoi(argv[optind])),
    };
    if (inet_pton(AF_INET, address, &sin.sin_addr) != 1) {
        ovs_fatal(0, "%s: bad IPv4 address", address);
    }
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *) &sin, sizeof sin)) {
        ovs_fatal(errno, "bind to %s:%s failed", address, argv[optind]);
    }
    int rcvbuf = 4 * 1024 * 1024;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    if (port_file) {
        socklen_t len = sizeof sin;
        getsockname(fd, (struct sockaddr *) &sin, &len);
        FILE *f = fopen(port_file, "w");
        if (!f || fprintf(f, "%d\n", ntohs(sin.sin_port)) < 0 || fclose(f)) {
            ovs_fatal(errno, "%s: write failed", port_file);
        }
    }

    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    struct ipfix_parser *parser = ipfix_parser_create();
    ipfix_parser_set_shared_templates(parser, shared);
    struct dump_state state = { 0, 0 };
    time_t deadline = timeout ? time(NULL) + timeout : 0;
    unsigned int seq = 0;
    while (!stop && (!deadline || time(NULL) < deadline)) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        if (poll(&pfd, 1, 200) <= 0) {
            continue;
        }
        static uint8_t buf[65536];
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0) {
            continue;
        }
        if (save_dir) {
            save(save_dir, ++seq, buf, n);
        }
        feed(parser, buf, n, &state);
    }
    print_stats(parser);
    ipfix_parser_destroy(parser);
    close(fd);
    return 0;
}
