/*
 * Runs a libFuzzer harness over stored inputs, without libFuzzer and
 * without mutation: every file named on the command line, and every file
 * of every directory named there (in name order), goes through the
 * harness's LLVMFuzzerTestOneInput() once.  Linked with fuzz-expr.c or
 * fuzz-actions.c, it is how "make check" runs the fuzz corpora, so that
 * every input the fuzzer ever stopped on stays a regression test on any
 * compiler.  The harness aborts on a bug, printing the input; otherwise
 * this prints how many inputs it ran and exits 0.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads the whole of file 'name' into a new buffer, stored in '*datap'
 * with its size in '*sizep'.  Exits with a message on error. */
static void
read_file(const char *name, uint8_t **datap, size_t *sizep)
{
    FILE *file = fopen(name, "rb");
    if (!file) {
        ovs_fatal(errno, "%s: open failed", name);
    }
    size_t size = 0, allocated = 4096;
    uint8_t *data = xmalloc(allocated);
    size_t n;
    while ((n = fread(data + size, 1, allocated - size, file)) > 0) {
        size += n;
        if (size == allocated) {
            allocated *= 2;
            data = xrealloc(data, allocated);
        }
    }
    if (ferror(file)) {
        ovs_fatal(errno, "%s: read failed", name);
    }
    fclose(file);
    *datap = data;
    *sizep = size;
}

/* Runs the harness on file 'name'. */
static void
replay_file(const char *name)
{
    uint8_t *data;
    size_t size;
    read_file(name, &data, &size);
    LLVMFuzzerTestOneInput(data, size);
    free(data);
}

/* qsort() comparison of two strings. */
static int
compare_names(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;
    return strcmp(*a, *b);
}

/* Runs the harness on every regular file of directory 'dir', in name
 * order.  Returns the number of files run. */
static size_t
replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        ovs_fatal(errno, "%s: opendir failed", dir);
    }
    char **names = NULL;
    size_t n = 0, allocated = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.') {
            continue;
        }
        if (n == allocated) {
            names = x2nrealloc(names, &allocated, sizeof *names);
        }
        names[n++] = xasprintf("%s/%s", dir, de->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, compare_names);

    size_t n_run = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (!stat(names[i], &st) && S_ISREG(st.st_mode)) {
            replay_file(names[i]);
            n_run++;
        }
        free(names[i]);
    }
    free(names);
    return n_run;
}

/* Replays every file and directory named in 'argv'. */
int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    if (argc < 2) {
        ovs_fatal(0, "usage: %s FILE-OR-DIRECTORY...", argv[0]);
    }

    size_t n_run = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st)) {
            ovs_fatal(errno, "%s", argv[i]);
        }
        if (S_ISDIR(st.st_mode)) {
            n_run += replay_dir(argv[i]);
        } else {
            replay_file(argv[i]);
            n_run++;
        }
    }
    printf("%s: %"PRIuSIZE" inputs, no failure\n", program_name, n_run);
    return 0;
}
