#include <config.h>

#include "lib/osmotic-dirs.h"

#include <stdlib.h>

#include "util.h"

/* Returns the value of environment variable 'name' if it is set and not
 * empty, otherwise NULL. */
static const char *
env_nonempty(const char *name)
{
    const char *value = getenv(name);
    return value && value[0] ? value : NULL;
}

const char *
osmotic_rundir(void)
{
    const char *dir = env_nonempty("OSMOTIC_RUNDIR");
    return dir ? dir : OSMOTIC_RUNDIR;
}

const char *
osmotic_logdir(void)
{
    const char *dir = env_nonempty("OSMOTIC_LOGDIR");
    return dir ? dir : OSMOTIC_LOGDIR;
}

char *
osmotic_file_in_dir(const char *dir, const char *name, const char *suffix)
{
    return (name
            ? abs_file_name(dir, name)
            : xasprintf("%s/%s.%s", dir, program_name, suffix));
}

/* Returns the default remote for the database whose environment variable
 * is 'env_name' and whose socket file is 'sock_name', caching the result
 * in '*cache'. */
static const char *
default_db(char **cache, const char *env_name, const char *sock_name)
{
    if (!*cache) {
        const char *remote = env_nonempty(env_name);
        *cache = remote ? xstrdup(remote)
                        : xasprintf("unix:%s/%s", osmotic_rundir(),
                                    sock_name);
    }
    return *cache;
}

const char *
osmotic_default_nb_db(void)
{
    static char *nb_db;
    return default_db(&nb_db, "OSMOTIC_NB_DB", "osmotic-nb.sock");
}

const char *
osmotic_default_sb_db(void)
{
    static char *sb_db;
    return default_db(&sb_db, "OSMOTIC_SB_DB", "osmotic-sb.sock");
}
