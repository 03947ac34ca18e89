#include <config.h>

#include "lib/tunnel-keys.h"
#include "tests/unit/unit-suites.h"

START_TEST(test_alloc_gives_lowest_free)
{
    struct tunnel_keys keys;
    tunnel_keys_init(&keys, 1, 100);
    ck_assert_uint_eq(tunnel_keys_alloc(&keys), 1);
    ck_assert_uint_eq(tunnel_keys_alloc(&keys), 2);
    ck_assert_uint_eq(tunnel_keys_alloc(&keys), 3);
    tunnel_keys_release(&keys, 2);
    ck_assert_uint_eq(tunnel_keys_alloc(&keys), 2);
    ck_assert_uint_eq(tunnel_keys_alloc(&keys), 4);
    ck_assert_uint_eq(keys.n_used, 4);
    tunnel_keys_destroy(&keys);
}
END_TEST

START_TEST(test_reserved_keys_are_skipped)
{
    struct tunnel_keys keys;
    tunnel_keys_init(&keys, 1, 100);
    ck_assert(tunnel_keys_reserve(&keys, 1));
    ck_assert(tunnel_keys_reserve(&keys, 3));
    ck_assert_uint_eq(tunnel_keys_alloc(&keys), 2);
    ck_assert_uint_eq(tunnel_keys_alloc(&keys), 4);
    tunnel_keys_destroy(&keys);
}
END_TEST

START_TEST(test_duplicate_reserve_refused)
{
    struct tunnel_keys keys;
    tunnel_keys_init(&keys, 1, 100);
    ck_assert(tunnel_keys_reserve(&keys, 7));
    ck_assert(!tunnel_keys_reserve(&keys, 7));
    ck_assert_uint_eq(keys.n_used, 1);
    tunnel_keys_destroy(&keys);
}
END_TEST

START_TEST(test_out_of_range_refused)
{
    struct tunnel_keys keys;
    tunnel_keys_init(&keys, 1, 32767);
    ck_assert(!tunnel_keys_reserve(&keys, 0));
    ck_assert(!tunnel_keys_reserve(&keys, 32768));
    ck_assert(!tunnel_keys_in_use(&keys, 0));
    ck_assert(tunnel_keys_reserve(&keys, 32767));
    ck_assert(tunnel_keys_in_use(&keys, 32767));
    tunnel_keys_destroy(&keys);
}
END_TEST

START_TEST(test_exhaustion_returns_zero)
{
    struct tunnel_keys keys;
    tunnel_keys_init(&keys, 5, 7);
    ck_assert_uint_eq(tunnel_keys_alloc(&keys), 5);
    ck_assert_uint_eq(tunnel_keys_alloc(&keys), 6);
    ck_assert_uint_eq(tunnel_keys_alloc(&keys), 7);
    ck_assert_uint_eq(tunnel_keys_alloc(&keys), 0);
    tunnel_keys_release(&keys, 6);
    ck_assert_uint_eq(tunnel_keys_alloc(&keys), 6);
    tunnel_keys_destroy(&keys);
}
END_TEST

START_TEST(test_release_of_free_key_ignored)
{
    struct tunnel_keys keys;
    tunnel_keys_init(&keys, 1, 10);
    tunnel_keys_release(&keys, 4);
    tunnel_keys_release(&keys, 50);
    ck_assert_uint_eq(keys.n_used, 0);
    ck_assert_uint_eq(tunnel_keys_alloc(&keys), 1);
    tunnel_keys_destroy(&keys);
}
END_TEST

START_TEST(test_clear_frees_everything)
{
    struct tunnel_keys keys;
    tunnel_keys_init(&keys, 1, 16777215);
    ck_assert(tunnel_keys_reserve(&keys, 16777215));
    ck_assert_uint_eq(tunnel_keys_alloc(&keys), 1);
    tunnel_keys_clear(&keys);
    ck_assert_uint_eq(keys.n_used, 0);
    ck_assert(!tunnel_keys_in_use(&keys, 16777215));
    ck_assert_uint_eq(tunnel_keys_alloc(&keys), 1);
    tunnel_keys_destroy(&keys);
    tunnel_keys_destroy(NULL);
}
END_TEST

Suite *
tunnel_keys_suite(void)
{
    Suite *s = suite_create("tunnel-keys");
    TCase *tc = tcase_create("tunnel-keys");
    tcase_add_test(tc, test_alloc_gives_lowest_free);
    tcase_add_test(tc, test_reserved_keys_are_skipped);
    tcase_add_test(tc, test_duplicate_reserve_refused);
    tcase_add_test(tc, test_out_of_range_refused);
    tcase_add_test(tc, test_exhaustion_returns_zero);
    tcase_add_test(tc, test_release_of_free_key_ignored);
    tcase_add_test(tc, test_clear_frees_everything);
    suite_add_tcase(s, tc);
    return s;
}
