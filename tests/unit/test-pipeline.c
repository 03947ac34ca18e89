#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/pipeline.h"
#include "openvswitch/dynamic-string.h"
#include "svec.h"
#include "tests/unit/unit-asserts.h"
#include "tests/unit/unit-suites.h"
#include "util.h"

/* Writes 'm' back in the match format, for round trips. */
static char *
match_to_string(const struct pipeline_match *m)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    for (size_t i = 0; i < m->n_alts; i++) {
        const struct pipeline_match_alt *alt = &m->alts[i];
        ds_put_cstr(&s, i ? PIPELINE_MATCH_OR : "");
        ds_put_cstr(&s, alt->common);
        for (size_t j = 0; j < alt->n_dims; j++) {
            if (j || alt->common[0]) {
                ds_put_cstr(&s, PIPELINE_MATCH_AND);
            }
            ds_put_char(&s, '[');
            for (size_t k = 0; k < alt->dims[j].n_values; k++) {
                ds_put_cstr(&s, k ? PIPELINE_MATCH_DIM_OR : "");
                ds_put_cstr(&s, alt->dims[j].values[k]);
            }
            ds_put_char(&s, ']');
        }
    }
    return ds_steal_cstr(&s);
}

/* Asserts that 'text' parses and prints back the same. */
static void
check_round_trip(const char *text)
{
    struct pipeline_match m;
    char *error = pipeline_match_parse(text, &m);
    ck_assert_msg(!error, "\"%s\": %s", text, error);
    char *again = match_to_string(&m);
    ck_assert_str_eq(again, text);
    free(again);
    for (size_t i = 0; i < m.n_alts; i++) {
        ck_assert_ptr_nonnull(strstr(text, m.alts[i].text));
    }
    pipeline_match_destroy(&m);
}

/* Asserts that 'text' is refused with an error containing 'needle'. */
static void
check_refused(const char *text, const char *needle)
{
    struct pipeline_match m;
    char *error = pipeline_match_parse(text, &m);
    ck_assert_msg(error != NULL, "\"%s\" was accepted", text);
    ck_assert_msg(strstr(error, needle) != NULL,
                  "\"%s\": error \"%s\" lacks \"%s\"", text, error, needle);
    ck_assert_ptr_null(m.alts);
    ck_assert_uint_eq(m.n_alts, 0);
    free(error);
    pipeline_match_destroy(&m);
}

START_TEST(test_plain_alternatives_round_trip)
{
    check_round_trip("");
    check_round_trip("reg14=0x1");
    check_round_trip("reg14=0x1,dl_src=0a:00:00:00:00:01 || arp || "
                     "ct_state=+trk|+new");

    /* Plain alternatives are the ovs-ofctl parser's to judge. */
    struct pipeline_match m;
    ck_assert_ok(pipeline_match_parse("nosuchfield=1", &m));
    ck_assert_uint_eq(m.n_alts, 1);
    ck_assert_str_eq(m.alts[0].common, "nosuchfield=1");
    ck_assert_uint_eq(m.alts[0].n_dims, 0);
    pipeline_match_destroy(&m);
}
END_TEST

START_TEST(test_conjunctive_alternatives_round_trip)
{
    check_round_trip("tcp && [nw_src=10.0.0.1 | nw_src=10.0.0.2] && "
                     "[tp_dst=80 | tp_dst=443]");
    check_round_trip("[reg14=0x1 | reg14=0x2] && [reg15=0x3 | reg15=0x4] "
                     "&& [reg9=0x1/0xff]");
    check_round_trip("arp || tcp6 && [ipv6_src=fd00::/64 | "
                     "ipv6_src=fd00:1::1] && [tp_dst=22 | "
                     "tp_dst=0x400/0xfc00] || reg14=0x5");
    /* Subfield syntax inside a value. */
    check_round_trip("[reg0[0..3]=1 | reg0[0..3]=2] && [reg1=0x1 | "
                     "reg1=0x2]");

    struct pipeline_match m;
    ck_assert_ok(pipeline_match_parse(
                     "  ip && [nw_src=1.1.1.1 | nw_src=2.2.2.2] && "
                     "[nw_dst=3.3.3.3]  || arp", &m));
    ck_assert_uint_eq(m.n_alts, 2);
    const struct pipeline_match_alt *alt = &m.alts[0];
    ck_assert_str_eq(alt->text, "ip && [nw_src=1.1.1.1 | nw_src=2.2.2.2] "
                     "&& [nw_dst=3.3.3.3]");
    ck_assert_str_eq(alt->common, "ip");
    ck_assert_uint_eq(alt->n_dims, 2);
    ck_assert_uint_eq(alt->dims[0].n_values, 2);
    ck_assert_str_eq(alt->dims[0].values[1], "nw_src=2.2.2.2");
    ck_assert_uint_eq(alt->dims[1].n_values, 1);
    ck_assert_str_eq(m.alts[1].common, "arp");
    ck_assert_uint_eq(m.alts[1].n_dims, 0);
    pipeline_match_destroy(&m);
}
END_TEST

START_TEST(test_malformed_conjunctions_are_refused)
{
    check_refused("ip && [nw_src=1.1.1.1 | nw_src=2.2.2.2]",
                  "at least two dimensions");
    check_refused("[reg14=1 | reg14=2]", "at least two dimensions");
    check_refused("ip && arp", "\"arp\": expecting a dimension");
    check_refused("ip && arp && [reg14=1] && [reg15=1]",
                  "\"arp\": expecting a dimension");
    check_refused("[reg14=1] && reg15=1 && [reg13=1]",
                  "\"reg15=1\": expecting a dimension");
    check_refused("[] && [reg15=1]", "empty value");
    check_refused("[reg14=1 | ] && [reg15=1]", "empty value");
    check_refused("[reg14=1 || reg14=2] && [reg15=1]",
                  "expecting a dimension");
    check_refused("[reg14=1 |reg14=2] && [reg15=1]", "contains a blank");
    check_refused(" && [reg14=1] && [reg15=1]", "contains a blank");
    check_refused("[reg14=1] && [nosuchfield=1]", "nosuchfield");
    check_refused("reg14=1 || [reg14=1] && [reg15=1 | nosuch=2]",
                  "alternative 2");
}
END_TEST

START_TEST(test_address_set_references)
{
    check_round_trip("tcp && [nw_src=$as_all] && [tp_dst=80 | tp_dst=8080]");
    check_round_trip("reg15=0x2,ip,nw_src=$as1 || ipv6,ipv6_dst=$pg1_ip6");
    check_round_trip("tcp6 && [ipv6_src=$a.b-c | ipv6_src=fd00::1] && "
                     "[tp_dst=22 | tp_dst=23]");

    struct pipeline_set_ref ref;
    ck_assert_ok(pipeline_ofmatch_find_set("ip,nw_dst=$as_1,reg15=0x1",
                                           &ref));
    ck_assert_str_eq(ref.name, "as_1");
    ck_assert_str_eq(ref.field, "nw_dst");
    ck_assert(!ref.ipv6);
    char *text = pipeline_ofmatch_with_address("ip,nw_dst=$as_1,reg15=0x1",
                                               &ref, "10.0.0.7/24");
    ck_assert_str_eq(text, "ip,nw_dst=10.0.0.0/24,reg15=0x1");
    free(text);
    /* An address of the other family is not the field's. */
    ck_assert_ptr_null(pipeline_ofmatch_with_address(
                           "ip,nw_dst=$as_1,reg15=0x1", &ref, "fd00::1"));
    ck_assert_ptr_null(pipeline_ofmatch_with_address(
                           "ip,nw_dst=$as_1,reg15=0x1", &ref, "bogus"));
    free(ref.name);
    ck_assert_ok(pipeline_ofmatch_find_set("ip,nw_dst=10.0.0.1", &ref));
    ck_assert_ptr_null(ref.name);
}
END_TEST

START_TEST(test_bad_address_set_references_are_refused)
{
    check_refused("ip,nw_src=$", "bad address set name");
    check_refused("ip,nw_src=$a/b", "bad address set name");
    check_refused("tcp,tp_dst=$ports", "only nw_src, nw_dst, ipv6_src");
    check_refused("ip,nw_src=$a,nw_dst=$b", "more than one address set");
    check_refused("ip,nw_src=$a && [tp_dst=1 | tp_dst=2] && "
                  "[reg14=1 | reg14=2]", "belongs in a dimension");
    check_refused("tcp && [nw_src=$a,nw_dst=$b] && [tp_dst=80]",
                  "more than one address set");
    /* Checked as any value: an IPv6 field needs IPv6 in the common
     * part. */
    check_refused("tcp && [ipv6_src=$a] && [tp_dst=80]",
                  "lacks OpenFlow prerequisites");
    check_refused("tcp && [nw_src=$a] && [nw_src=$b]",
                  "in both dimension 1 and dimension 2");
}
END_TEST

static const char *const *
lookup_test_set(const char *name, size_t *n, void *aux OVS_UNUSED)
{
    static const char *const as[] = {
        "10.0.0.1", "fd00::1", "10.0.0.1/32", "10.1.0.0/16", "junk",
    };
    if (!strcmp(name, "as")) {
        *n = ARRAY_SIZE(as);
        return as;
    }
    *n = 0;
    return NULL;
}

START_TEST(test_address_set_expansion)
{
    struct svec out = SVEC_EMPTY_INITIALIZER;
    pipeline_ofmatch_expand("ip,nw_src=$as", lookup_test_set, NULL, &out);
    ck_assert_uint_eq(out.n, 2);
    ck_assert_str_eq(out.names[0], "ip,nw_src=10.0.0.1");
    ck_assert_str_eq(out.names[1], "ip,nw_src=10.1.0.0/16");
    svec_clear(&out);
    pipeline_ofmatch_expand("ipv6,ipv6_dst=$as", lookup_test_set, NULL,
                            &out);
    ck_assert_uint_eq(out.n, 1);
    ck_assert_str_eq(out.names[0], "ipv6,ipv6_dst=fd00::1");
    svec_clear(&out);
    pipeline_ofmatch_expand("ip,nw_src=$nosuch", lookup_test_set, NULL,
                            &out);
    ck_assert_uint_eq(out.n, 0);
    pipeline_ofmatch_expand("ip,nw_src=10.0.0.9", lookup_test_set, NULL,
                            &out);
    ck_assert_uint_eq(out.n, 1);
    ck_assert_str_eq(out.names[0], "ip,nw_src=10.0.0.9");
    svec_destroy(&out);
}
END_TEST

START_TEST(test_shared_fields_are_refused)
{
    check_refused("reg14=0x1 && [reg14=0x2 | reg15=0x1] && [reg13=1]",
                  "reg14 is in both the common part and dimension 1");
    check_refused("ip && [nw_src=1.1.1.1] && [nw_src=2.2.2.2]",
                  "ip_src is in both dimension 1 and dimension 2");
    /* The same packet field under two names. */
    check_refused("tcp && [tcp_dst=1 | tcp_dst=2] && [tp_dst=3]",
                  "dimension 1 and dimension 2");
    check_refused("reg9=0x3/0x3 && [reg9=0x2/0x2] && [reg14=1]",
                  "reg9 is in both");
    /* Disjoint bits of one register are different fields. */
    check_round_trip("reg9=0x1/0x1 && [reg9=0x2/0x2 | reg9=0x4/0x4] && "
                     "[reg9=0x8/0x8 | reg9=0x10/0x10]");
}
END_TEST

START_TEST(test_incomplete_openflow_matches_are_refused)
{
    /* The controller installs the common part, and it with each value,
     * as flows: each must carry its own prerequisites. */
    check_refused("[tp_dst=1 | tp_dst=2] && [reg14=1 | reg14=2]",
                  "\"tp_dst=1\" lacks OpenFlow prerequisites");
    check_refused("nw_proto=6 && [ip | ipv6] && [reg14=1 | reg14=2]",
                  "common part \"nw_proto=6\" lacks OpenFlow "
                  "prerequisites");
    check_round_trip("[ip,nw_src=1.1.1.1 | ipv6,ipv6_src=::1] && "
                     "[reg14=0x1 | reg14=0x2]");
}
END_TEST

START_TEST(test_split_leaves_conjunctions_whole)
{
    char **alts;
    size_t n = pipeline_match_split("", &alts);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(alts[0], "");
    pipeline_match_free(alts, n);

    n = pipeline_match_split("arp || ip && [nw_src=1.1.1.1 | "
                             "nw_src=2.2.2.2] && [reg14=1 | reg14=2]",
                             &alts);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(alts[1], "ip && [nw_src=1.1.1.1 | nw_src=2.2.2.2] && "
                     "[reg14=1 | reg14=2]");
    pipeline_match_free(alts, n);
}
END_TEST

/* The logical flow match format. */
Suite *
pipeline_suite(void)
{
    Suite *s = suite_create("pipeline");
    TCase *tc = tcase_create("match");
    tcase_add_test(tc, test_plain_alternatives_round_trip);
    tcase_add_test(tc, test_conjunctive_alternatives_round_trip);
    tcase_add_test(tc, test_malformed_conjunctions_are_refused);
    tcase_add_test(tc, test_shared_fields_are_refused);
    tcase_add_test(tc, test_address_set_references);
    tcase_add_test(tc, test_bad_address_set_references_are_refused);
    tcase_add_test(tc, test_address_set_expansion);
    tcase_add_test(tc, test_incomplete_openflow_matches_are_refused);
    tcase_add_test(tc, test_split_leaves_conjunctions_whole);
    suite_add_tcase(s, tc);
    return s;
}
