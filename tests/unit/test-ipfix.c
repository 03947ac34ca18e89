#include <config.h>

#include <stdio.h>
#include <string.h>

#include "lib/ipfix.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "tests/unit/unit-asserts.h"
#include "tests/unit/unit-suites.h"
#include "util.h"

/* Information elements the tests use. */
enum {
    OCTETS = 1, PACKETS = 2, PROTO = 4, SPORT = 7, SRC4 = 8, DPORT = 11,
    DST4 = 12, SRC6 = 27, DST6 = 28, IF_NAME = 82, OBS_POINT = 138,
    PROCESS_ID = 144,
};

/* A message under construction. */
struct mb {
    uint8_t buf[70000];         /* The bytes (room to overflow 65535). */
    size_t len;                 /* Bytes used. */
    size_t set_start;           /* Offset of the open set's header. */
};

/* Appends the 'n' bytes of 'p' to 'm'. */
static void
mb_bytes(struct mb *m, const void *p, size_t n)
{
    ck_assert(m->len + n <= sizeof m->buf);
    memcpy(m->buf + m->len, p, n);
    m->len += n;
}

/* Appends 'v' to 'm' in 'n' big-endian bytes. */
static void
mb_uint(struct mb *m, uint64_t v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t b = v >> (8 * (n - 1 - i));
        mb_bytes(m, &b, 1);
    }
}

/* Starts 'm' as a message of observation domain 'domain'. */
static void
mb_init(struct mb *m, uint32_t domain)
{
    m->len = 0;
    mb_uint(m, 10, 2);          /* Version. */
    mb_uint(m, 0, 2);           /* Length, set by mb_len(). */
    mb_uint(m, 1700000000, 4);  /* Export time. */
    mb_uint(m, 1, 4);           /* Sequence number. */
    mb_uint(m, domain, 4);
}

/* Opens a set of id 'id' in 'm'. */
static void
mb_set(struct mb *m, uint16_t id)
{
    m->set_start = m->len;
    mb_uint(m, id, 2);
    mb_uint(m, 0, 2);
}

/* Closes the open set of 'm', setting its length. */
static void
mb_end_set(struct mb *m)
{
    size_t n = m->len - m->set_start;
    m->buf[m->set_start + 2] = n >> 8;
    m->buf[m->set_start + 3] = n;
}

/* Sets the length in the header of 'm' and returns its size. */
static size_t
mb_len(struct mb *m)
{
    m->buf[2] = m->len >> 8;
    m->buf[3] = m->len;
    return m->len;
}

/* Appends a field specifier for element 'ie' of 'len' bytes. */
static void
mb_field(struct mb *m, uint16_t ie, uint16_t len)
{
    mb_uint(m, ie, 2);
    mb_uint(m, len, 2);
}

/* Appends a field specifier for element 'ie' of enterprise 'pen'. */
static void
mb_efield(struct mb *m, uint16_t ie, uint16_t len, uint32_t pen)
{
    mb_uint(m, ie | 0x8000, 2);
    mb_uint(m, len, 2);
    mb_uint(m, pen, 4);
}

/* Appends an IPv4 address. */
static void
mb_ip4(struct mb *m, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
    uint8_t ip[4] = { a, b, c, d };
    mb_bytes(m, ip, 4);
}

/* Appends IPv6 address fd00::'last'. */
static void
mb_ip6(struct mb *m, uint8_t last)
{
    uint8_t ip[16] = { 0xfd, [15] = last };
    mb_bytes(m, ip, 16);
}

/* Appends a template set holding template 'id' with the fields of the
 * IPv4 template the tests use: point, protocol, addresses, ports, octets,
 * packets. */
static void
mb_v4_template(struct mb *m, uint16_t id)
{
    mb_set(m, 2);
    mb_uint(m, id, 2);
    mb_uint(m, 8, 2);
    mb_field(m, OBS_POINT, 4);
    mb_field(m, PROTO, 1);
    mb_field(m, SRC4, 4);
    mb_field(m, DST4, 4);
    mb_field(m, SPORT, 2);
    mb_field(m, DPORT, 2);
    mb_field(m, OCTETS, 8);
    mb_field(m, PACKETS, 8);
    mb_end_set(m);
}

/* Appends one record of the mb_v4_template() layout: 10.0.0.1:'sport' >
 * 10.0.0.2:80, TCP, point 3, 'octets' bytes in 1 packet (33 bytes). */
static void
mb_v4_record(struct mb *m, uint16_t sport, uint64_t octets)
{
    mb_uint(m, 3, 4);
    mb_uint(m, 6, 1);
    mb_ip4(m, 10, 0, 0, 1);
    mb_ip4(m, 10, 0, 0, 2);
    mb_uint(m, sport, 2);
    mb_uint(m, 80, 2);
    mb_uint(m, octets, 8);
    mb_uint(m, 1, 8);
}

/* What a record of mb_v4_record() prints as. */
#define V4_LINE(SPORT, OCTETS) \
    "domain=7 point=3 v4 6 10.0.0.1:" #SPORT " > 10.0.0.2:80 octets=" \
    #OCTETS " packets=1\n"

/* Appends each record it gets to the struct ds 'aux', one per line. */
static void
collect(const struct ipfix_record *r, void *aux)
{
    struct ds *out = aux;
    ipfix_record_format(r, out);
    ds_put_char(out, '\n');
}

/* Feeds message 'm' to 'p', appending its records to 'out'; returns the
 * error. */
static char *
feed(struct ipfix_parser *p, struct mb *m, struct ds *out)
{
    size_t n = mb_len(m);
    return ipfix_parser_feed(p, m->buf, n, collect, out);
}

/* Returns the counters of 'p'. */
static struct ipfix_parser_counters
counters(const struct ipfix_parser *p)
{
    struct ipfix_parser_counters c;
    ipfix_parser_get_counters(p, &c);
    return c;
}

/* Asserts that 'out' holds 'expected' and empties it. */
#define ck_assert_records(OUT, EXPECTED)                                \
    do {                                                                \
        ck_assert_str_eq(ds_cstr(OUT), EXPECTED);                       \
        ds_clear(OUT);                                                  \
    } while (0)

/* --- Records. --- */

START_TEST(test_ipv4_records_decoded)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    mb_set(&m, 256);
    mb_v4_record(&m, 1234, 60);
    mb_v4_record(&m, 1235, 1500);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, V4_LINE(1234, 60) V4_LINE(1235, 1500));
    ck_assert_uint_eq(counters(p).records, 2);
    ck_assert_uint_eq(counters(p).n_templates, 1);

    /* The template is remembered for the next message. */
    mb_init(&m, 7);
    mb_set(&m, 256);
    mb_v4_record(&m, 1236, 40);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, V4_LINE(1236, 40));

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_ipv6_record_decoded)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    mb_init(&m, 9);
    mb_set(&m, 2);
    mb_uint(&m, 300, 2);
    mb_uint(&m, 7, 2);
    mb_field(&m, SRC6, 16);
    mb_field(&m, DST6, 16);
    mb_field(&m, PROTO, 1);
    mb_field(&m, SPORT, 2);
    mb_field(&m, DPORT, 2);
    mb_field(&m, PACKETS, 8);
    mb_field(&m, OCTETS, 8);
    mb_end_set(&m);
    mb_set(&m, 300);
    mb_ip6(&m, 1);
    mb_ip6(&m, 2);
    mb_uint(&m, 17, 1);
    mb_uint(&m, 53, 2);
    mb_uint(&m, 5353, 2);
    mb_uint(&m, 2, 8);
    mb_uint(&m, 136, 8);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, "domain=9 point=0 v6 17 [fd00::1]:53 > "
                      "[fd00::2]:5353 octets=136 packets=2\n");

    /* With IPv4 addresses too, in any order, the IPv6 ones win. */
    mb_init(&m, 9);
    mb_set(&m, 2);
    mb_uint(&m, 301, 2);
    mb_uint(&m, 4, 2);
    mb_field(&m, SRC6, 16);
    mb_field(&m, SRC4, 4);
    mb_field(&m, DST4, 4);
    mb_field(&m, DST6, 16);
    mb_end_set(&m);
    mb_set(&m, 301);
    mb_ip6(&m, 3);
    mb_ip4(&m, 10, 0, 0, 1);
    mb_ip4(&m, 10, 0, 0, 2);
    mb_ip6(&m, 4);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, "domain=9 point=0 v6 0 [fd00::3]:0 > "
                      "[fd00::4]:0 octets=0 packets=0\n");

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_record_without_addresses)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    mb_init(&m, 1);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, 2, 2);
    mb_field(&m, OBS_POINT, 4);
    mb_field(&m, PACKETS, 8);
    mb_end_set(&m);
    mb_set(&m, 256);
    mb_uint(&m, 42, 4);
    mb_uint(&m, 5, 8);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, "domain=1 point=42 non-ip 0 octets=0 "
                      "packets=5\n");

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

/* Stores the record it gets in the struct ipfix_record 'aux'. */
static void
keep(const struct ipfix_record *r, void *aux)
{
    struct ipfix_record *kept = aux;
    *kept = *r;
}

START_TEST(test_ipv4_record_with_one_address)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ipfix_record r;
    struct mb m;

    /* The absent destination is 0.0.0.0, IPv4-mapped like the source. */
    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, 1, 2);
    mb_field(&m, SRC4, 4);
    mb_end_set(&m);
    mb_set(&m, 256);
    mb_ip4(&m, 10, 0, 0, 1);
    mb_end_set(&m);
    memset(&r, 0xaa, sizeof r);
    ck_assert_ok(ipfix_parser_feed(p, m.buf, mb_len(&m), keep, &r));
    ck_assert_uint_eq(r.ip_version, 4);
    ck_assert(IN6_IS_ADDR_V4MAPPED(&r.src));
    ck_assert(IN6_IS_ADDR_V4MAPPED(&r.dst));
    ck_assert_uint_eq(in6_addr_get_mapped_ipv4(&r.src), htonl(0x0a000001));
    ck_assert_uint_eq(in6_addr_get_mapped_ipv4(&r.dst), 0);

    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_reduced_size_encoding)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    /* Octets in 4 bytes, packets in 2, point in 1, ports in 1. */
    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, 8, 2);
    mb_field(&m, OBS_POINT, 1);
    mb_field(&m, PROTO, 1);
    mb_field(&m, SRC4, 4);
    mb_field(&m, DST4, 4);
    mb_field(&m, SPORT, 1);
    mb_field(&m, DPORT, 1);
    mb_field(&m, OCTETS, 4);
    mb_field(&m, PACKETS, 2);
    mb_end_set(&m);
    mb_set(&m, 256);
    mb_uint(&m, 3, 1);
    mb_uint(&m, 6, 1);
    mb_ip4(&m, 10, 0, 0, 1);
    mb_ip4(&m, 10, 0, 0, 2);
    mb_uint(&m, 200, 1);
    mb_uint(&m, 80, 1);
    mb_uint(&m, 0xfedcba98, 4);
    mb_uint(&m, 0x1234, 2);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, "domain=7 point=3 v4 6 10.0.0.1:200 > "
                      "10.0.0.2:80 octets=4275878552 packets=4660\n");

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_enterprise_fields_skipped)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    /* Enterprise elements 1 and 8 are not octetDeltaCount and
     * sourceIPv4Address; one is variable-length. */
    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, 5, 2);
    mb_efield(&m, OCTETS, 8, 6876);
    mb_field(&m, SRC4, 4);
    mb_efield(&m, SRC4, 65535, 6876);
    mb_field(&m, DST4, 4);
    mb_efield(&m, PACKETS, 2, 29305);
    mb_end_set(&m);
    mb_set(&m, 256);
    mb_uint(&m, 999, 8);
    mb_ip4(&m, 192, 168, 0, 1);
    mb_uint(&m, 4, 1);
    mb_ip4(&m, 1, 1, 1, 1);
    mb_ip4(&m, 192, 168, 0, 2);
    mb_uint(&m, 77, 2);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, "domain=7 point=0 v4 0 192.168.0.1:0 > "
                      "192.168.0.2:0 octets=0 packets=0\n");

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_variable_length_fields)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    /* interfaceName with a 1-byte length, then with 255 and a 2-byte
     * length (300 bytes), then 0 bytes. */
    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, 4, 2);
    mb_field(&m, IF_NAME, 65535);
    mb_field(&m, OBS_POINT, 4);
    mb_field(&m, IF_NAME, 65535);
    mb_field(&m, PACKETS, 8);
    mb_end_set(&m);
    mb_set(&m, 256);
    mb_uint(&m, 5, 1);
    mb_bytes(&m, "v-p1x", 5);
    mb_uint(&m, 11, 4);
    mb_uint(&m, 255, 1);
    mb_uint(&m, 300, 2);
    for (int i = 0; i < 300; i++) {
        mb_uint(&m, 'a', 1);
    }
    mb_uint(&m, 1, 8);
    mb_uint(&m, 0, 1);
    mb_uint(&m, 12, 4);
    mb_uint(&m, 0, 1);
    mb_uint(&m, 2, 8);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out,
                      "domain=7 point=11 non-ip 0 octets=0 packets=1\n"
                      "domain=7 point=12 non-ip 0 octets=0 packets=2\n");

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_padding_at_end_of_sets)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    /* 3 bytes of padding after the template, 32 (less than a 33-byte
     * record) after the records. */
    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    mb_uint(&m, 0, 3);
    mb_end_set(&m);
    mb_set(&m, 256);
    mb_v4_record(&m, 1, 60);
    mb_uint(&m, 0, 32);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, V4_LINE(1, 60));

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

/* --- Templates. --- */

START_TEST(test_templates_keyed_by_domain)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    ck_assert_ok(feed(p, &m, &out));

    /* Domain 8 does not know domain 7's template 256. */
    mb_init(&m, 8);
    mb_set(&m, 256);
    mb_v4_record(&m, 1, 60);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, "");
    ck_assert_uint_eq(counters(p).sets_no_template, 1);

    /* Its own template 256 differs, and domain 7's stays. */
    mb_init(&m, 8);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, 1, 2);
    mb_field(&m, PACKETS, 8);
    mb_end_set(&m);
    mb_set(&m, 256);
    mb_uint(&m, 9, 8);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, "domain=8 point=0 non-ip 0 octets=0 packets=9\n");
    ck_assert_uint_eq(counters(p).n_templates, 2);

    mb_init(&m, 7);
    mb_set(&m, 256);
    mb_v4_record(&m, 2, 60);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, V4_LINE(2, 60));

    /* Template 300 in domains 100 to 399, each of its own layout: 'd'
     * bytes skipped, then the point.  Each decodes with its own. */
    for (int d = 100; d < 400; d++) {
        mb_init(&m, d);
        mb_set(&m, 2);
        mb_uint(&m, 300, 2);
        mb_uint(&m, 2, 2);
        mb_field(&m, 210, d);
        mb_field(&m, OBS_POINT, 4);
        mb_end_set(&m);
        ck_assert_ok(feed(p, &m, &out));
    }
    for (int d = 100; d < 400; d++) {
        mb_init(&m, d);
        mb_set(&m, 300);
        mb_uint(&m, 0, d);
        mb_uint(&m, d, 4);
        mb_end_set(&m);
        ck_assert_ok(feed(p, &m, &out));
        char *line = xasprintf("domain=%d point=%d non-ip 0 octets=0 "
                               "packets=0\n", d, d);
        ck_assert_records(&out, line);
        free(line);
    }

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_shared_templates)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    /* Learned in domain 7, used in domain 8; records keep their own
     * domain. */
    ipfix_parser_set_shared_templates(p, true);
    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    ck_assert_ok(feed(p, &m, &out));
    mb_init(&m, 8);
    mb_set(&m, 256);
    mb_v4_record(&m, 1, 60);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, "domain=8 point=3 v4 6 10.0.0.1:1 > 10.0.0.2:80 "
                      "octets=60 packets=1\n");

    /* Re-sent in domain 9, it replaces the one of domain 7. */
    mb_init(&m, 9);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, 1, 2);
    mb_field(&m, PACKETS, 8);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_uint_eq(counters(p).n_templates, 1);
    mb_init(&m, 7);
    mb_set(&m, 256);
    mb_uint(&m, 4, 8);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, "domain=7 point=0 non-ip 0 octets=0 packets=4\n");

    /* A withdrawal in any domain withdraws it. */
    mb_init(&m, 5);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, 0, 2);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_uint_eq(counters(p).n_templates, 0);

    /* Going back to templates per domain forgets them. */
    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    ck_assert_ok(feed(p, &m, &out));
    ipfix_parser_set_shared_templates(p, true);
    ck_assert_uint_eq(counters(p).n_templates, 1);
    ipfix_parser_set_shared_templates(p, false);
    ck_assert_uint_eq(counters(p).n_templates, 0);
    ck_assert_uint_eq(counters(p).templates_evicted, 0);

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_template_replaced_when_resent)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    mb_v4_template(&m, 256);        /* Unchanged: still one. */
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_uint_eq(counters(p).n_templates, 1);

    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, 2, 2);
    mb_field(&m, PACKETS, 4);
    mb_field(&m, OBS_POINT, 4);
    mb_end_set(&m);
    mb_set(&m, 256);
    mb_uint(&m, 3, 4);
    mb_uint(&m, 4, 4);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, "domain=7 point=4 non-ip 0 octets=0 packets=3\n");
    ck_assert_uint_eq(counters(p).n_templates, 1);

    /* Same fields, same sizes, another order. */
    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, 2, 2);
    mb_field(&m, OBS_POINT, 4);
    mb_field(&m, PACKETS, 4);
    mb_end_set(&m);
    mb_set(&m, 256);
    mb_uint(&m, 3, 4);
    mb_uint(&m, 4, 4);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, "domain=7 point=3 non-ip 0 octets=0 packets=4\n");
    ck_assert_uint_eq(counters(p).n_templates, 1);

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_template_withdrawn)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    mb_v4_template(&m, 257);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_uint_eq(counters(p).n_templates, 2);

    /* Field count 0 withdraws template 256 (and a template never
     * defined, harmlessly). */
    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, 0, 2);
    mb_uint(&m, 999, 2);
    mb_uint(&m, 0, 2);
    mb_end_set(&m);
    mb_set(&m, 256);
    mb_v4_record(&m, 1, 60);
    mb_end_set(&m);
    mb_set(&m, 257);
    mb_v4_record(&m, 2, 60);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, V4_LINE(2, 60));
    ck_assert_uint_eq(counters(p).sets_no_template, 1);
    ck_assert_uint_eq(counters(p).n_templates, 1);

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

/* Appends an options template set with template 'id': scope
 * exportingProcessId, then the fields of the IPv4 flow layout. */
static void
mb_options_template(struct mb *m, uint16_t id)
{
    mb_set(m, 3);
    mb_uint(m, id, 2);
    mb_uint(m, 4, 2);
    mb_uint(m, 1, 2);
    mb_field(m, PROCESS_ID, 4);
    mb_field(m, SRC4, 4);
    mb_field(m, DST4, 4);
    mb_field(m, IF_NAME, 65535);
    mb_end_set(m);
}

START_TEST(test_options_records_not_delivered)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    mb_init(&m, 7);
    mb_options_template(&m, 462);
    mb_v4_template(&m, 256);
    mb_set(&m, 462);
    for (int i = 0; i < 2; i++) {
        mb_uint(&m, 1, 4);
        mb_ip4(&m, 10, 0, 0, 1);
        mb_ip4(&m, 10, 0, 0, 2);
        mb_uint(&m, 2, 1);
        mb_bytes(&m, "br", 2);
    }
    mb_end_set(&m);
    mb_set(&m, 256);
    mb_v4_record(&m, 5, 60);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, V4_LINE(5, 60));
    struct ipfix_parser_counters c = counters(p);
    ck_assert_uint_eq(c.options_records, 2);
    ck_assert_uint_eq(c.records, 1);
    ck_assert_uint_eq(c.n_templates, 2);
    ck_assert_uint_eq(c.n_options_templates, 1);

    /* A truncated options record is reported like any other. */
    mb_init(&m, 7);
    mb_set(&m, 462);
    mb_uint(&m, 1, 4);
    mb_ip4(&m, 10, 0, 0, 1);
    mb_ip4(&m, 10, 0, 0, 2);
    mb_uint(&m, 9, 1);
    mb_bytes(&m, "br", 2);
    mb_end_set(&m);
    ck_assert_error(feed(p, &m, &out),
                    "offset 20: record of options template 462 is "
                    "truncated: a variable-length field does not fit");

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_withdraw_all_templates)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    mb_v4_template(&m, 257);
    mb_options_template(&m, 462);
    ck_assert_ok(feed(p, &m, &out));
    mb_init(&m, 8);
    mb_v4_template(&m, 256);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_uint_eq(counters(p).n_templates, 4);

    /* Template id 2 withdraws domain 7's templates, not its options
     * template nor domain 8's. */
    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 2, 2);
    mb_uint(&m, 0, 2);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_uint_eq(counters(p).n_templates, 2);
    ck_assert_uint_eq(counters(p).n_options_templates, 1);

    /* Id 3 in an options template set withdraws the options
     * templates. */
    mb_init(&m, 7);
    mb_set(&m, 3);
    mb_uint(&m, 3, 2);
    mb_uint(&m, 0, 2);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_uint_eq(counters(p).n_templates, 1);
    ck_assert_uint_eq(counters(p).n_options_templates, 0);

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_data_before_template)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb data, m;

    /* Not an error: counted, and decoded once the template is known. */
    mb_init(&data, 7);
    mb_set(&data, 256);
    mb_v4_record(&data, 1, 60);
    mb_end_set(&data);
    ck_assert_ok(feed(p, &data, &out));
    ck_assert_records(&out, "");
    struct ipfix_parser_counters c = counters(p);
    ck_assert_uint_eq(c.sets_no_template, 1);
    ck_assert_uint_eq(c.records, 0);
    ck_assert_uint_eq(c.errors, 0);

    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_ok(feed(p, &data, &out));
    ck_assert_records(&out, V4_LINE(1, 60));

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_oldest_template_evicted)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    ipfix_parser_set_max_templates(p, 2);
    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    mb_v4_template(&m, 257);
    mb_v4_template(&m, 256);        /* Re-sent: 257 is now the oldest. */
    mb_v4_template(&m, 258);
    ck_assert_ok(feed(p, &m, &out));
    struct ipfix_parser_counters c = counters(p);
    ck_assert_uint_eq(c.n_templates, 2);
    ck_assert_uint_eq(c.templates_evicted, 1);

    mb_init(&m, 7);
    for (int id = 256; id <= 258; id++) {
        mb_set(&m, id);
        mb_v4_record(&m, id, 60);
        mb_end_set(&m);
    }
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_records(&out, V4_LINE(256, 60) V4_LINE(258, 60));
    ck_assert_uint_eq(counters(p).sets_no_template, 1);

    /* Lowering the limit evicts at once. */
    ipfix_parser_set_max_templates(p, 1);
    ck_assert_uint_eq(counters(p).n_templates, 1);
    ck_assert_uint_eq(counters(p).templates_evicted, 2);

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_many_templates_bounded)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    /* 3000 distinct templates in 3 domains: at most the default kept. */
    for (int domain = 0; domain < 3; domain++) {
        mb_init(&m, domain);
        mb_set(&m, 2);
        for (int id = 256; id < 1256; id++) {
            mb_uint(&m, id, 2);
            mb_uint(&m, 1, 2);
            mb_field(&m, PACKETS, 8);
        }
        mb_end_set(&m);
        ck_assert_ok(feed(p, &m, &out));
    }
    struct ipfix_parser_counters c = counters(p);
    ck_assert_uint_eq(c.n_templates, IPFIX_MAX_TEMPLATES);
    ck_assert_uint_eq(c.templates_evicted, 3000 - IPFIX_MAX_TEMPLATES);

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

/* --- Malformed messages. --- */

START_TEST(test_short_header)
{
    struct ipfix_parser *p = ipfix_parser_create();
    uint8_t buf[10] = { 0, 10 };
    ck_assert_error(ipfix_parser_feed(p, buf, sizeof buf, collect, NULL),
                    "offset 0: message of 10 bytes is shorter than an "
                    "IPFIX message header (16 bytes)");
    ck_assert_error(ipfix_parser_feed(p, buf, 0, collect, NULL),
                    "message of 0 bytes");
    ck_assert_uint_eq(counters(p).errors, 2);
    ck_assert_uint_eq(counters(p).messages, 2);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_wrong_version)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    mb_len(&m);
    m.buf[1] = 9;                   /* NetFlow v9. */
    ck_assert_error(ipfix_parser_feed(p, m.buf, m.len, collect, &out),
                    "offset 0: version 9 is not IPFIX's (10)");
    ck_assert_uint_eq(counters(p).n_templates, 0);

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_length_mismatches)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    mb_set(&m, 256);
    mb_v4_record(&m, 1, 60);
    mb_end_set(&m);
    size_t n = mb_len(&m);

    /* Fewer bytes received than the header says: nothing parsed. */
    ck_assert_error(ipfix_parser_feed(p, m.buf, n - 1, collect, &out),
                    "offset 2: message length 93 is longer than the 92 "
                    "bytes received");
    ck_assert_records(&out, "");
    ck_assert_uint_eq(counters(p).n_templates, 0);

    /* More: the message is parsed, the excess reported. */
    m.buf[n] = 0xff;
    ck_assert_error(ipfix_parser_feed(p, m.buf, n + 1, collect, &out),
                    "offset 93: 1 bytes after the end of the message (its "
                    "length is 93)");
    ck_assert_records(&out, V4_LINE(1, 60));

    /* A header length below the header's own. */
    m.buf[2] = 0;
    m.buf[3] = 15;
    ck_assert_error(ipfix_parser_feed(p, m.buf, n, collect, &out),
                    "offset 2: message length 15 is shorter than the "
                    "message header (16 bytes)");
    ck_assert_records(&out, "");

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_set_length_past_end)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    /* The first set's records are delivered, the second set's length
     * runs past the end. */
    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    mb_set(&m, 256);
    mb_v4_record(&m, 1, 60);
    mb_end_set(&m);
    mb_set(&m, 256);
    mb_v4_record(&m, 2, 60);
    mb_end_set(&m);
    m.buf[m.set_start + 3]++;
    ck_assert_error(feed(p, &m, &out),
                    "offset 95: set 256 of length 38 runs past the end of "
                    "the message (37 bytes left)");
    ck_assert_records(&out, V4_LINE(1, 60));

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_set_too_short)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    /* A set length of 0 would never advance, 1 to 3 end before the set
     * header does. */
    for (int len = 0; len < 4; len++) {
        mb_init(&m, 7);
        mb_uint(&m, 256, 2);
        mb_uint(&m, len, 2);
        mb_uint(&m, 0, 4);
        char *expected = xasprintf("offset 18: set length %d is shorter "
                                   "than a set header (4 bytes)", len);
        ck_assert_error(feed(p, &m, &out), expected);
        free(expected);
    }

    /* Three bytes left after the last set. */
    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    mb_uint(&m, 0, 3);
    ck_assert_error(feed(p, &m, &out),
                    "offset 56: 3 bytes left, too few for a set header");
    ck_assert_uint_eq(counters(p).n_templates, 1);

    /* Reserved set ids are skipped. */
    mb_init(&m, 7);
    mb_set(&m, 1);
    mb_uint(&m, 0xffff, 4);
    mb_end_set(&m);
    mb_set(&m, 255);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_absurd_field_counts)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    /* 65535 fields in an 8-byte set. */
    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, 65535, 2);
    mb_field(&m, PACKETS, 8);
    mb_end_set(&m);
    ck_assert_error(feed(p, &m, &out),
                    "offset 22: template 256 has 65535 fields, more than "
                    "the 4 bytes left in its set can hold");

    /* 1025 fields that fit, but more than the parser takes. */
    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, IPFIX_MAX_FIELDS + 1, 2);
    for (int i = 0; i <= IPFIX_MAX_FIELDS; i++) {
        mb_field(&m, 210, 1);
    }
    mb_end_set(&m);
    ck_assert_error(feed(p, &m, &out),
                    "offset 22: template 256 has 1025 fields, more than "
                    "the 1024 supported");

    /* Enterprise fields take 8 bytes: the count fits 4-byte fields. */
    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, 2, 2);
    mb_efield(&m, 1, 4, 9);
    mb_end_set(&m);
    ck_assert_error(feed(p, &m, &out),
                    "offset 32: template 256 field 2 of 2 is past the end "
                    "of its set");

    /* An enterprise number cut by the end of the set. */
    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, 1, 2);
    mb_uint(&m, 0x8001, 2);
    mb_uint(&m, 4, 2);
    mb_uint(&m, 0, 2);
    mb_end_set(&m);
    ck_assert_error(feed(p, &m, &out),
                    "offset 24: template 256 field 1: enterprise number "
                    "past the end of its set");

    /* Options: a scope field count of 0, or above the field count. */
    mb_init(&m, 7);
    mb_set(&m, 3);
    mb_uint(&m, 300, 2);
    mb_uint(&m, 1, 2);
    mb_uint(&m, 0, 2);
    mb_field(&m, PROCESS_ID, 4);
    mb_end_set(&m);
    ck_assert_error(feed(p, &m, &out),
                    "offset 24: options template 300 has scope field count "
                    "0 (must be 1 to its field count, 1)");
    m.buf[25] = 2;
    ck_assert_error(feed(p, &m, &out), "scope field count 2");
    ck_assert_uint_eq(counters(p).n_templates, 0);

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_bad_template_records)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    /* A template id below 256. */
    mb_init(&m, 7);
    mb_v4_template(&m, 255);
    ck_assert_error(feed(p, &m, &out),
                    "offset 20: template id 255 is below 256");

    /* A withdrawal of id 5. */
    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 5, 2);
    mb_uint(&m, 0, 2);
    mb_end_set(&m);
    ck_assert_error(feed(p, &m, &out),
                    "offset 20: withdrawal of template 5, which is neither "
                    "2 (all) nor 256 or above");

    /* An IPv4 address in 3 bytes; a port in 3; a varlen counter. */
    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, 2, 2);
    mb_field(&m, PACKETS, 8);
    mb_field(&m, SRC4, 3);
    mb_end_set(&m);
    ck_assert_error(feed(p, &m, &out),
                    "offset 28: template 256 field 2: sourceIPv4Address (8) "
                    "has length 3, expected 4");
    m.buf[28 + 1] = SPORT;
    ck_assert_error(feed(p, &m, &out),
                    "sourceTransportPort (7) has length 3, expected 1 to 2");
    m.buf[28 + 1] = OCTETS;
    m.buf[28 + 2] = m.buf[28 + 3] = 0xff;
    ck_assert_error(feed(p, &m, &out),
                    "octetDeltaCount (1) has length 65535, expected 1 to 8");

    /* Records of 0 bytes. */
    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 256, 2);
    mb_uint(&m, 2, 2);
    mb_field(&m, 210, 0);
    mb_efield(&m, 5, 0, 9);
    mb_end_set(&m);
    ck_assert_error(feed(p, &m, &out),
                    "offset 20: template 256 describes records of 0 bytes");

    /* Non-zero bytes too few for a record at the end of a template set. */
    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    mb_uint(&m, 1, 2);
    mb_end_set(&m);
    ck_assert_error(feed(p, &m, &out),
                    "offset 56: 2 bytes at the end of a template set are "
                    "neither a record nor padding");
    ck_assert_uint_eq(counters(p).n_templates, 1);

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_truncated_records)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    /* A fixed-length record cut short: the full ones are delivered. */
    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    mb_set(&m, 256);
    mb_v4_record(&m, 1, 60);
    mb_v4_record(&m, 2, 60);
    m.len -= 10;
    mb_end_set(&m);
    ck_assert_error(feed(p, &m, &out),
                    "offset 93: record of template 256 is truncated: 23 "
                    "bytes left in its set, its records have at least 33");
    ck_assert_records(&out, V4_LINE(1, 60));

    /* A variable-length field longer than the set, with a 1-byte and a
     * 3-byte length, and a 3-byte length cut after 2. */
    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 257, 2);
    mb_uint(&m, 2, 2);
    mb_field(&m, OBS_POINT, 4);
    mb_field(&m, IF_NAME, 65535);
    mb_end_set(&m);
    mb_set(&m, 257);
    mb_uint(&m, 1, 4);
    mb_uint(&m, 3, 1);
    mb_bytes(&m, "abc", 3);
    mb_uint(&m, 2, 4);
    mb_uint(&m, 200, 1);
    mb_bytes(&m, "abc", 3);
    mb_end_set(&m);
    ck_assert_error(feed(p, &m, &out),
                    "offset 44: record of template 257 is truncated: a "
                    "variable-length field does not fit in the 8 bytes left "
                    "in its set");
    ck_assert_records(&out, "domain=7 point=1 non-ip 0 octets=0 packets=0\n");

    mb_init(&m, 7);
    mb_set(&m, 257);
    mb_uint(&m, 2, 4);
    mb_uint(&m, 255, 1);
    mb_uint(&m, 1000, 2);
    mb_bytes(&m, "abc", 3);
    mb_end_set(&m);
    ck_assert_error(feed(p, &m, &out),
                    "offset 20: record of template 257 is truncated: a "
                    "variable-length field does not fit in the 10 bytes");

    mb_init(&m, 7);
    mb_set(&m, 257);
    mb_uint(&m, 2, 4);
    mb_uint(&m, 255, 1);
    mb_uint(&m, 1, 1);
    mb_end_set(&m);
    ck_assert_error(feed(p, &m, &out),
                    "offset 20: record of template 257 is truncated");
    ck_assert_records(&out, "");

    /* Two variable-length fields: records have at least 2 bytes, but the
     * first takes both and leaves no length byte for the second. */
    mb_init(&m, 7);
    mb_set(&m, 2);
    mb_uint(&m, 258, 2);
    mb_uint(&m, 2, 2);
    mb_field(&m, IF_NAME, 65535);
    mb_field(&m, IF_NAME, 65535);
    mb_end_set(&m);
    mb_set(&m, 258);
    mb_uint(&m, 1, 1);
    mb_bytes(&m, "a", 1);
    mb_end_set(&m);
    ck_assert_error(feed(p, &m, &out),
                    "offset 36: record of template 258 is truncated: a "
                    "variable-length field does not fit in the 2 bytes");

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_stats_output)
{
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;
    struct mb m;

    mb_init(&m, 7);
    mb_v4_template(&m, 256);
    mb_options_template(&m, 300);
    mb_set(&m, 256);
    mb_v4_record(&m, 1, 60);
    mb_end_set(&m);
    mb_set(&m, 999);
    mb_end_set(&m);
    ck_assert_ok(feed(p, &m, &out));
    ck_assert_error(ipfix_parser_feed(p, "", 0, collect, &out), "offset 0");

    ds_clear(&out);
    ipfix_parser_stats(p, &out);
    ck_assert_str_eq(ds_cstr(&out),
                     "messages: 2\n"
                     "malformed messages: 1\n"
                     "flow records: 1\n"
                     "options records: 0\n"
                     "data sets skipped for want of a template: 1\n"
                     "templates known: 2 (1 options templates)\n"
                     "templates evicted: 0\n");

    ds_destroy(&out);
    ipfix_parser_destroy(p);
    ipfix_parser_destroy(NULL);
}
END_TEST

/* --- Messages Open vSwitch 3.1 sent (tests/system/test-ipfix-ovs.sh). --- */

/* Feeds file tests/unit/ipfix-vectors/'name' to 'p', appending its
 * records to 'out'. */
static void
feed_vector(struct ipfix_parser *p, const char *name, struct ds *out)
{
    char *file = xasprintf("%s/tests/unit/ipfix-vectors/%s",
                           OSM_UNIT_SRCDIR, name);
    FILE *f = fopen(file, "rb");
    ck_assert_msg(f != NULL, "%s: cannot open", file);
    static uint8_t buf[65536];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    ck_assert_ok(ipfix_parser_feed(p, buf, n, collect, out));
    free(file);
}

START_TEST(test_ovs_vectors)
{
    static const char *const templates[] = {
        "templates-280-v4-tcp.bin", "templates-284-v4-udp.bin",
        "templates-292-v4-icmp.bin", "templates-300-v6-tcp.bin",
        "templates-304-v6-udp.bin", "templates-312-v6-icmp.bin",
        "options-template.bin",
    };
    static const struct {
        const char *file;
        const char *record;
    } data[] = {
        { "data-v4-udp.bin", "domain=7 point=4 v4 17 10.0.0.1:1234 > "
          "10.0.0.2:5678 octets=38 packets=1\n" },
        { "data-v6-udp.bin", "domain=7 point=7 v6 17 [fd00::1]:1235 > "
          "[fd00::2]:5679 octets=68 packets=1\n" },
        { "data-v4-tcp.bin", "domain=7 point=3 v4 6 10.0.0.1:40000 > "
          "10.0.0.2:80 octets=40 packets=1\n" },
        { "data-v6-tcp.bin", "domain=7 point=6 v6 6 [fd00::1]:40001 > "
          "[fd00::2]:443 octets=68 packets=1\n" },
        { "data-v4-icmp.bin", "domain=7 point=5 v4 1 10.0.0.1:0 > "
          "10.0.0.2:0 octets=84 packets=1\n" },
        { "data-v6-icmp.bin", "domain=7 point=8 v6 58 [fd00::1]:0 > "
          "[fd00::2]:0 octets=104 packets=1\n" },
        { "data-v4-udp-sampled.bin", "domain=7 point=9 v4 17 10.0.0.1:1236 "
          "> 10.0.0.2:7000 octets=114 packets=3\n" },
        { "options-data.bin", "" },
    };
    struct ipfix_parser *p = ipfix_parser_create();
    struct ds out = DS_EMPTY_INITIALIZER;

    /* Before the templates, nothing decodes. */
    for (size_t i = 0; i < ARRAY_SIZE(data); i++) {
        feed_vector(p, data[i].file, &out);
    }
    ck_assert_records(&out, "");
    ck_assert_uint_eq(counters(p).sets_no_template, ARRAY_SIZE(data));

    for (size_t i = 0; i < ARRAY_SIZE(templates); i++) {
        feed_vector(p, templates[i], &out);
    }
    struct ipfix_parser_counters c = counters(p);
    ck_assert_uint_eq(c.n_templates, 31);
    ck_assert_uint_eq(c.n_options_templates, 1);

    for (size_t i = 0; i < ARRAY_SIZE(data); i++) {
        feed_vector(p, data[i].file, &out);
        ck_assert_records(&out, data[i].record);
    }
    ck_assert_uint_eq(counters(p).options_records, 1);
    ck_assert_uint_eq(counters(p).errors, 0);

    ds_destroy(&out);
    ipfix_parser_destroy(p);
}
END_TEST

START_TEST(test_ovs_vectors_cut_anywhere)
{
    static const char *const files[] = {
        "templates-280-v4-tcp.bin", "data-v4-tcp.bin",
    };
    struct ds out = DS_EMPTY_INITIALIZER;

    /* Every prefix of a real message is refused (the header's length no
     * longer matches), and with a patched length parses up to the cut or
     * reports it, without reading past it (valgrind and ASan check). */
    for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
        char *file = xasprintf("%s/tests/unit/ipfix-vectors/%s",
                               OSM_UNIT_SRCDIR, files[i]);
        FILE *f = fopen(file, "rb");
        ck_assert(f != NULL);
        uint8_t msg[65536];
        size_t n = fread(msg, 1, sizeof msg, f);
        fclose(f);
        free(file);

        struct ipfix_parser *p = ipfix_parser_create();
        if (i == 1) {
            feed_vector(p, files[0], &out);
        }
        for (size_t cut = 0; cut < n; cut++) {
            uint8_t *copy = xmemdup(msg, cut);
            char *error = ipfix_parser_feed(p, copy, cut, collect, &out);
            ck_assert(error != NULL);
            free(error);
            if (cut > 16) {
                copy[2] = cut >> 8;
                copy[3] = cut;
                error = ipfix_parser_feed(p, copy, cut, collect, &out);
                ck_assert(error != NULL);
                free(error);
            }
            free(copy);
        }
        ck_assert_records(&out, "");
        ipfix_parser_destroy(p);
    }
    ds_destroy(&out);
}
END_TEST

Suite *
ipfix_suite(void)
{
    Suite *s = suite_create("ipfix");
    TCase *tc = tcase_create("ipfix");
    tcase_add_test(tc, test_ipv4_records_decoded);
    tcase_add_test(tc, test_ipv6_record_decoded);
    tcase_add_test(tc, test_record_without_addresses);
    tcase_add_test(tc, test_ipv4_record_with_one_address);
    tcase_add_test(tc, test_reduced_size_encoding);
    tcase_add_test(tc, test_enterprise_fields_skipped);
    tcase_add_test(tc, test_variable_length_fields);
    tcase_add_test(tc, test_padding_at_end_of_sets);
    tcase_add_test(tc, test_templates_keyed_by_domain);
    tcase_add_test(tc, test_shared_templates);
    tcase_add_test(tc, test_template_replaced_when_resent);
    tcase_add_test(tc, test_template_withdrawn);
    tcase_add_test(tc, test_options_records_not_delivered);
    tcase_add_test(tc, test_withdraw_all_templates);
    tcase_add_test(tc, test_data_before_template);
    tcase_add_test(tc, test_oldest_template_evicted);
    tcase_add_test(tc, test_many_templates_bounded);
    tcase_add_test(tc, test_short_header);
    tcase_add_test(tc, test_wrong_version);
    tcase_add_test(tc, test_length_mismatches);
    tcase_add_test(tc, test_set_length_past_end);
    tcase_add_test(tc, test_set_too_short);
    tcase_add_test(tc, test_absurd_field_counts);
    tcase_add_test(tc, test_bad_template_records);
    tcase_add_test(tc, test_truncated_records);
    tcase_add_test(tc, test_stats_output);
    tcase_add_test(tc, test_ovs_vectors);
    tcase_add_test(tc, test_ovs_vectors_cut_anywhere);
    suite_add_tcase(s, tc);
    return s;
}
