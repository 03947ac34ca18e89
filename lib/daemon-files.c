#include <config.h>

#include "lib/daemon-files.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/osmotic-dirs.h"
#include "daemon.h"
#include "openvswitch/vlog.h"
#include "util.h"

void
daemon_files_init(struct daemon_files *files, bool unixctl_none)
{
    files->unixctl_none = unixctl_none;
    files->unixctl = NULL;
}

void
daemon_files_destroy(struct daemon_files *files)
{
    if (files) {
        free(files->unixctl);
        files->unixctl = NULL;
    }
}

void
daemon_files_set_unixctl(struct daemon_files *files, const char *name)
{
    free(files->unixctl);
    files->unixctl = (files->unixctl_none && !strcmp(name, "none")
                      ? xstrdup(name)
                      : osmotic_file_in_dir(osmotic_rundir(), name, "ctl"));
}

const char *
daemon_files_unixctl(struct daemon_files *files)
{
    if (!files->unixctl) {
        files->unixctl = osmotic_file_in_dir(osmotic_rundir(), NULL, "ctl");
    }
    return files->unixctl;
}

void
daemon_files_set_pidfile(const char *name)
{
    char *file = osmotic_file_in_dir(osmotic_rundir(), name, "pid");
    set_pidfile(file);
    free(file);
}

void
daemon_files_set_log_file(const char *name)
{
    char *file = osmotic_file_in_dir(osmotic_logdir(), name, "log");
    int error = vlog_set_log_file(file);
    free(file);
    if (error) {
        exit(EXIT_FAILURE);
    }
}

/* Prints one option's help: 'option' and 'text' on one line, then
 * "(default...: DIR/PROGRAM.SUFFIX)" below 'text', both at 'column'. */
static void
usage_option(int column, const char *option, const char *text,
             const char *what, const char *dir, const char *suffix)
{
    printf("  %-*s%s\n", column - 2, option, text);
    printf("%*s(%s: %s/%s.%s)\n", column, "", what, dir, program_name,
           suffix);
}

void
daemon_files_usage(int column)
{
    usage_option(column, "--unixctl=SOCKET", "control socket",
                 "default", osmotic_rundir(), "ctl");
    usage_option(column, "--pidfile[=FILE]", "create pid file FILE",
                 "default FILE", osmotic_rundir(), "pid");
    usage_option(column, "--log-file[=FILE]", "log to FILE",
                 "default FILE", osmotic_logdir(), "log");
}

void
daemon_files_print_version(void)
{
    printf("%s (Osmotic) %s\n", program_name, OSMOTIC_VERSION);
    exit(EXIT_SUCCESS);
}
