#include <config.h>

#include "northd/bfd.h"

#include <string.h>

#include "lib/osmotic-nb-idl.h"
#include "lib/osmotic-sb-idl.h"
#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "random.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(northd_bfd);

void
nd_bfd_init(struct nd_bfd *bfd)
{
    sset_init(&bfd->up);
    sset_init(&bfd->ports);
}

void
nd_bfd_destroy(struct nd_bfd *bfd)
{
    sset_destroy(&bfd->up);
    sset_destroy(&bfd->ports);
}

/* Returns the key of a session: "PORT|IP". */
static char *
session_key(const char *port, const char *ip)
{
    return xasprintf("%s|%s", port, ip);
}

/* Returns true if NB 'row' describes a session that can run: a port
 * name and an IPv4 address (sessions to IPv6 neighbours are not applied:
 * lib/nb-unapplied.c). */
static bool
nb_row_ok(const struct nbrec_bfd *row)
{
    ovs_be32 ip;
    return row->logical_port[0] && ip_parse(row->dst_ip, &ip);
}

/* Returns the SB BFD row of 'key' in 'sb_idl', or NULL. */
static const struct sbrec_bfd *
sb_row_find(struct ovsdb_idl *sb_idl, const char *port, const char *ip)
{
    const struct sbrec_bfd *sb;
    SBREC_BFD_FOR_EACH (sb, sb_idl) {
        if (!strcmp(sb->logical_port, port) && !strcmp(sb->dst_ip, ip)) {
            return sb;
        }
    }
    return NULL;
}

/* Returns true if some chassis claims port 'name' (its Port_Binding
 * names a chassis): only then does a controller run its sessions. */
static bool
port_is_claimed(struct ovsdb_idl *sb_idl, const char *name)
{
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, sb_idl) {
        if (!strcmp(pb->logical_port, name)) {
            return pb->chassis != NULL;
        }
    }
    return false;
}

/* Returns the status of the session of NB 'row': its SB row's, while a
 * chassis runs it, else "down". */
static const char *
session_status(struct ovsdb_idl *sb_idl, const struct nbrec_bfd *row)
{
    if (!sbrec_server_has_bfd_table(sb_idl) || !nb_row_ok(row)) {
        return "down";
    }
    const struct sbrec_bfd *sb = sb_row_find(sb_idl, row->logical_port,
                                             row->dst_ip);
    return (sb && sb->status && port_is_claimed(sb_idl, row->logical_port)
            ? sb->status : "down");
}

/* Returns a source port that 'used' (indexed from ND_BFD_SRC_PORT_MIN)
 * does not mark: the first free one from a hash of 'key', so that the
 * same session tends to get the same port. */
static int64_t
pick_src_port(const bool *used, const char *key)
{
    int n = ND_BFD_SRC_PORT_MAX - ND_BFD_SRC_PORT_MIN + 1;
    int start = hash_string(key, 0) % n;
    for (int i = 0; i < n; i++) {
        int p = (start + i) % n;
        if (!used[p]) {
            return ND_BFD_SRC_PORT_MIN + p;
        }
    }
    return ND_BFD_SRC_PORT_MIN + start;
}

/* Sets integer column COL of SB BFD row SB to VALUE unless it has it. */
#define SET_INT(SB, COL, VALUE)                                 \
    do {                                                        \
        if ((SB)->COL != (VALUE)) {                             \
            sbrec_bfd_set_##COL(SB, VALUE);                     \
        }                                                       \
    } while (0)

/* Writes the SB BFD rows of the NB BFD rows (within 'sb_txn', when it is
 * nonnull) and reads the sessions' status.  Returns true if the sessions
 * that are up, or the ports that have sessions, changed. */
bool
nd_bfd_sync(struct nd_bfd *bfd, struct ovsdb_idl *nb_idl,
            struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *sb_txn)
{
    bool has_table = sbrec_server_has_bfd_table(sb_idl);
    if (!nbrec_bfd_first(nb_idl) && (!has_table || !sbrec_bfd_first(sb_idl))
        && sset_is_empty(&bfd->up) && sset_is_empty(&bfd->ports)) {
        return false;           /* No session, as most of the time. */
    }
    struct sset up = SSET_INITIALIZER(&up);
    struct sset ports = SSET_INITIALIZER(&ports);

    /* The SB rows by key, and the source ports in use. */
    struct shash sb_rows = SHASH_INITIALIZER(&sb_rows);
    bool *used = xzalloc(ND_BFD_SRC_PORT_MAX - ND_BFD_SRC_PORT_MIN + 1);
    if (has_table) {
        const struct sbrec_bfd *sb;
        SBREC_BFD_FOR_EACH (sb, sb_idl) {
            char *key = session_key(sb->logical_port, sb->dst_ip);
            if (!shash_add_once(&sb_rows, key, sb) && sb_txn) {
                sbrec_bfd_delete(sb);   /* A duplicate. */
            } else if (sb->src_port >= ND_BFD_SRC_PORT_MIN
                       && sb->src_port <= ND_BFD_SRC_PORT_MAX) {
                used[sb->src_port - ND_BFD_SRC_PORT_MIN] = true;
            }
            free(key);
        }
    }

    const struct nbrec_bfd *row;
    NBREC_BFD_FOR_EACH (row, nb_idl) {
        if (!nb_row_ok(row)) {
            continue;
        }
        sset_add(&ports, row->logical_port);
        if (!has_table) {
            continue;
        }
        char *key = session_key(row->logical_port, row->dst_ip);
        const struct sbrec_bfd *sb = shash_find_and_delete(&sb_rows, key);
        if (!sb && sb_txn) {
            struct sbrec_bfd *new = sbrec_bfd_insert(sb_txn);
            sbrec_bfd_set_logical_port(new, row->logical_port);
            sbrec_bfd_set_dst_ip(new, row->dst_ip);
            int64_t port = pick_src_port(used, key);
            used[port - ND_BFD_SRC_PORT_MIN] = true;
            sbrec_bfd_set_src_port(new, port);
            uint32_t disc;
            do {
                disc = random_uint32();
            } while (!disc);
            sbrec_bfd_set_disc(new, disc);
            sb = new;
        }
        free(key);
        if (!sb) {
            continue;
        }
        if (sb_txn) {
            SET_INT(sb, min_tx, (row->n_min_tx ? row->min_tx[0]
                                 : ND_BFD_MIN_TX_DEFAULT));
            SET_INT(sb, min_rx, (row->n_min_rx ? row->min_rx[0]
                                 : ND_BFD_MIN_RX_DEFAULT));
            SET_INT(sb, detect_mult, (row->n_detect_mult
                                      ? row->detect_mult[0]
                                      : ND_BFD_DETECT_MULT_DEFAULT));
        }
        if (!strcmp(session_status(sb_idl, row), "up")) {
            char uuid[UUID_LEN + 1];
            snprintf(uuid, sizeof uuid, UUID_FMT,
                     UUID_ARGS(&row->header_.uuid));
            sset_add(&up, uuid);
        }
    }

    /* SB rows of sessions NB no longer has. */
    struct shash_node *node;
    SHASH_FOR_EACH (node, &sb_rows) {
        if (sb_txn) {
            sbrec_bfd_delete(node->data);
        }
    }
    shash_destroy(&sb_rows);
    free(used);

    bool changed = (!sset_equals(&up, &bfd->up)
                    || !sset_equals(&ports, &bfd->ports));
    sset_swap(&up, &bfd->up);
    sset_swap(&ports, &bfd->ports);
    sset_destroy(&up);
    sset_destroy(&ports);
    return changed;
}

/* Copies the status of each session to its NB BFD row, within the NB
 * transaction open on 'nb_idl'. */
void
nd_bfd_sync_nb(struct ovsdb_idl *nb_idl, struct ovsdb_idl *sb_idl)
{
    const struct nbrec_bfd *row;
    NBREC_BFD_FOR_EACH (row, nb_idl) {
        if (!nd_bfd_applies(row)) {
            continue;
        }
        const char *status = session_status(sb_idl, row);
        if (!row->status || strcmp(row->status, status)) {
            VLOG_INFO("BFD session %s to %s: %s", row->logical_port,
                      row->dst_ip, status);
            nbrec_bfd_set_status(row, status);
        }
    }
}

/* Returns true if the session of 'row' is applied: one to an IPv4
 * neighbour.  A route whose session is not applied is used as if it had
 * none. */
bool
nd_bfd_applies(const struct nbrec_bfd *row)
{
    return !strchr(row->dst_ip, ':');
}

/* Returns true if the session of 'row' is up. */
bool
nd_bfd_is_up(const struct nd_bfd *bfd, const struct nbrec_bfd *row)
{
    char uuid[UUID_LEN + 1];
    snprintf(uuid, sizeof uuid, UUID_FMT, UUID_ARGS(&row->header_.uuid));
    return sset_contains(&bfd->up, uuid);
}

/* Returns true if router port 'port' has a BFD session. */
bool
nd_bfd_port_has_sessions(const struct nd_bfd *bfd, const char *port)
{
    return sset_contains(&bfd->ports, port);
}
