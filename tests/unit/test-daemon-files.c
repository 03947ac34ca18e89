#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/daemon-files.h"
#include "tests/unit/unit-suites.h"

#include "util.h"

/* Sets the program name and Osmotic's directories as a daemon would see
 * them. */
static void
setup_daemon(void)
{
    set_program_name("osmotic-northd");
    setenv("OSMOTIC_RUNDIR", "/env/run", 1);
    setenv("OSMOTIC_LOGDIR", "/env/log", 1);
}

/* Checks that, with 'unixctl_none', "--unixctl=ARG" ('arg' NULL for no
 * option) gives the control socket 'expected'. */
static void
check_unixctl(bool unixctl_none, const char *arg, const char *expected)
{
    struct daemon_files files;

    daemon_files_init(&files, unixctl_none);
    if (arg) {
        daemon_files_set_unixctl(&files, arg);
    }
    ck_assert_str_eq(daemon_files_unixctl(&files), expected);
    daemon_files_destroy(&files);
}

START_TEST(test_unixctl_default_is_program_ctl_in_rundir)
{
    setup_daemon();
    check_unixctl(false, NULL, "/env/run/osmotic-northd.ctl");
    check_unixctl(true, NULL, "/env/run/osmotic-northd.ctl");
}
END_TEST

START_TEST(test_unixctl_relative_name_is_taken_in_rundir)
{
    setup_daemon();
    check_unixctl(false, "n2.ctl", "/env/run/n2.ctl");
    check_unixctl(false, "/tmp/n2.ctl", "/tmp/n2.ctl");
}
END_TEST

START_TEST(test_unixctl_none_only_where_allowed)
{
    setup_daemon();
    check_unixctl(true, "none", "none");
    check_unixctl(false, "none", "/env/run/none");
}
END_TEST

START_TEST(test_unixctl_last_option_wins)
{
    struct daemon_files files;

    setup_daemon();
    daemon_files_init(&files, true);
    daemon_files_set_unixctl(&files, "none");
    daemon_files_set_unixctl(&files, "c1.ctl");
    ck_assert_str_eq(daemon_files_unixctl(&files), "/env/run/c1.ctl");
    daemon_files_destroy(&files);
    daemon_files_destroy(NULL);
}
END_TEST

/* Creates a fresh temporary directory and returns its name, which the
 * caller frees. */
static char *
make_temp_dir(void)
{
    char *dir = xstrdup("/tmp/osm-daemon-files-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    return dir;
}

/* Removes directory 'dir' with 'file' in it, and frees 'dir'. */
static void
remove_temp_dir(char *dir, const char *file)
{
    char *name = xasprintf("%s/%s", dir, file);
    unlink(name);
    free(name);
    rmdir(dir);
    free(dir);
}

/* Returns true if 'dir'/'file' exists. */
static bool
file_exists(const char *dir, const char *file)
{
    struct stat st;
    char *name = xasprintf("%s/%s", dir, file);
    bool exists = !stat(name, &st);
    free(name);
    return exists;
}

/* This test opens a log file, so it needs its own process (Check forks
 * each test by default). */
START_TEST(test_log_file_default_is_program_log_in_logdir)
{
    char *dir = make_temp_dir();

    setup_daemon();
    setenv("OSMOTIC_LOGDIR", dir, 1);
    daemon_files_set_log_file(NULL);
    ck_assert(file_exists(dir, "osmotic-northd.log"));
    remove_temp_dir(dir, "osmotic-northd.log");
}
END_TEST

START_TEST(test_log_file_relative_name_is_taken_in_logdir)
{
    char *dir = make_temp_dir();

    setup_daemon();
    setenv("OSMOTIC_LOGDIR", dir, 1);
    daemon_files_set_log_file("n2.log");
    ck_assert(file_exists(dir, "n2.log"));
    remove_temp_dir(dir, "n2.log");
}
END_TEST

/* Run as an exit test: a log file that cannot be opened ends the program
 * with a failure status. */
START_TEST(test_log_file_unopenable_exits)
{
    setup_daemon();
    setenv("OSMOTIC_LOGDIR", "/nonexistent-osmotic-dir/log", 1);
    daemon_files_set_log_file(NULL);
}
END_TEST

/* Returns what daemon_files_usage('column') prints.  The caller frees
 * it. */
static char *
capture_usage(int column)
{
    char *dir = make_temp_dir();
    char *name = xasprintf("%s/usage", dir);

    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    ck_assert_ptr_nonnull(freopen(name, "w", stdout));
    daemon_files_usage(column);
    fflush(stdout);
    dup2(saved, STDOUT_FILENO);
    close(saved);

    FILE *f = fopen(name, "r");
    ck_assert_ptr_nonnull(f);
    char *text = xzalloc(4096);
    size_t n = fread(text, 1, 4095, f);
    text[n] = '\0';
    fclose(f);
    free(name);
    remove_temp_dir(dir, "usage");
    return text;
}

START_TEST(test_usage_names_defaults_at_column)
{
    setup_daemon();
    char *text = capture_usage(21);
    ck_assert_str_eq(
        text,
        "  --unixctl=SOCKET   control socket\n"
        "                     (default: /env/run/osmotic-northd.ctl)\n"
        "  --pidfile[=FILE]   create pid file FILE\n"
        "                     (default FILE: /env/run/osmotic-northd.pid)\n"
        "  --log-file[=FILE]  log to FILE\n"
        "                     (default FILE: /env/log/osmotic-northd.log)\n");
    free(text);
}
END_TEST

Suite *
daemon_files_suite(void)
{
    Suite *s = suite_create("daemon-files");
    TCase *tc = tcase_create("daemon-files");
    tcase_add_test(tc, test_unixctl_default_is_program_ctl_in_rundir);
    tcase_add_test(tc, test_unixctl_relative_name_is_taken_in_rundir);
    tcase_add_test(tc, test_unixctl_none_only_where_allowed);
    tcase_add_test(tc, test_unixctl_last_option_wins);
    tcase_add_test(tc, test_log_file_default_is_program_log_in_logdir);
    tcase_add_test(tc, test_log_file_relative_name_is_taken_in_logdir);
    tcase_add_exit_test(tc, test_log_file_unopenable_exits, EXIT_FAILURE);
    tcase_add_test(tc, test_usage_names_defaults_at_column);
    suite_add_tcase(s, tc);
    return s;
}
