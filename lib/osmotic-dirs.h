/*
 * Default locations of Osmotic's run-time files and database sockets.
 *
 * Daemons keep their pid files and control sockets in the run directory
 * and their logs in the log directory by default.
 *
 * Every program finds the central databases the same way: an explicit
 * --db option wins, then the OSMOTIC_NB_DB / OSMOTIC_SB_DB environment
 * variables, then the Unix socket under the run directory (OSMOTIC_RUNDIR
 * in the environment, or the directory chosen at configure time).
 */
#ifndef OSMOTIC_DIRS_H
#define OSMOTIC_DIRS_H 1

/* Returns the run directory.  The string is owned by the module. */
const char *osmotic_rundir(void);

/* Returns the log directory: OSMOTIC_LOGDIR in the environment, or
 * the configured log directory (--with-logdir, by default
 * $(localstatedir)/log/osmotic; where osmotic-ctl keeps the
 * daemons' logs).  The string is owned by the module. */
const char *osmotic_logdir(void);

/* Returns the absolute name of a daemon's file in 'dir': 'name' taken in
 * 'dir' if it is relative, or PROGRAM.SUFFIX (e.g. osmotic-controller.pid)
 * if 'name' is NULL.  The caller frees the result. */
char *osmotic_file_in_dir(const char *dir, const char *name,
                          const char *suffix);

/* Return the default remote ("unix:..." or the environment's value) of the
 * northbound and southbound databases.  The strings are owned by the
 * module and stay valid for the life of the process. */
const char *osmotic_default_nb_db(void);
const char *osmotic_default_sb_db(void);

#endif /* lib/osmotic-dirs.h */
