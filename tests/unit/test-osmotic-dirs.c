#include <config.h>

#include <stdlib.h>

#include "lib/osmotic-dirs.h"
#include "tests/unit/unit-suites.h"

#include "util.h"

/* Checks that osmotic_file_in_dir(dir, name, suffix) is 'expected'. */
static void
check_file_in_dir(const char *dir, const char *name, const char *suffix,
                  const char *expected)
{
    char *file = osmotic_file_in_dir(dir, name, suffix);
    ck_assert_str_eq(file, expected);
    free(file);
}

START_TEST(test_default_file_is_program_dot_suffix)
{
    set_program_name("osmotic-controller");
    check_file_in_dir("/run/osm", NULL, "pid",
                      "/run/osm/osmotic-controller.pid");
    check_file_in_dir("/log/osm", NULL, "log",
                      "/log/osm/osmotic-controller.log");
}
END_TEST

START_TEST(test_relative_name_is_taken_in_dir)
{
    check_file_in_dir("/run/osm", "c2.ctl", "ctl", "/run/osm/c2.ctl");
    check_file_in_dir("/run/osm", "sub/c2.pid", "pid", "/run/osm/sub/c2.pid");
}
END_TEST

START_TEST(test_absolute_name_is_kept)
{
    check_file_in_dir("/run/osm", "/tmp/x.pid", "pid", "/tmp/x.pid");
}
END_TEST

START_TEST(test_environment_chooses_dirs)
{
    setenv("OSMOTIC_RUNDIR", "/env/run", 1);
    setenv("OSMOTIC_LOGDIR", "/env/log", 1);
    ck_assert_str_eq(osmotic_rundir(), "/env/run");
    ck_assert_str_eq(osmotic_logdir(), "/env/log");
    setenv("OSMOTIC_RUNDIR", "", 1);
    unsetenv("OSMOTIC_LOGDIR");
    ck_assert_str_eq(osmotic_rundir(), OSMOTIC_RUNDIR);
    ck_assert_str_eq(osmotic_logdir(), OSMOTIC_LOGDIR);
}
END_TEST

Suite *
osmotic_dirs_suite(void)
{
    Suite *s = suite_create("osmotic-dirs");
    TCase *tc = tcase_create("osmotic-dirs");
    tcase_add_test(tc, test_default_file_is_program_dot_suffix);
    tcase_add_test(tc, test_relative_name_is_taken_in_dir);
    tcase_add_test(tc, test_absolute_name_is_kept);
    tcase_add_test(tc, test_environment_chooses_dirs);
    suite_add_tcase(s, tc);
    return s;
}
