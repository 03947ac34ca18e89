#include <config.h>

#include "controller/sb-monitor.h"

#include <stdlib.h>
#include <string.h>

#include "controller/local-datapaths.h"
#include "lib/osmotic-sb-idl.h"

#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(sb_monitor);

/* The conditions of the growing tables, all built together. */
struct sb_monitor_conds {
    struct ovsdb_idl_condition pb, lf, mg, mb;
};

static void
sb_monitor_conds_init(struct sb_monitor_conds *c)
{
    ovsdb_idl_condition_init(&c->pb);
    ovsdb_idl_condition_init(&c->lf);
    ovsdb_idl_condition_init(&c->mg);
    ovsdb_idl_condition_init(&c->mb);
}

static void
sb_monitor_conds_destroy(struct sb_monitor_conds *c)
{
    ovsdb_idl_condition_destroy(&c->pb);
    ovsdb_idl_condition_destroy(&c->lf);
    ovsdb_idl_condition_destroy(&c->mg);
    ovsdb_idl_condition_destroy(&c->mb);
}

/* Sends 'c' and returns the condition seqno that will apply all four. */
static unsigned int
sb_monitor_conds_send(struct sb_monitor_conds *c,
                      struct ovsdb_idl *sb_idl)
{
    unsigned int seqno = sbrec_port_binding_set_condition(sb_idl, &c->pb);
    seqno = MAX(seqno, sbrec_logical_flow_set_condition(sb_idl, &c->lf));
    seqno = MAX(seqno, sbrec_multicast_group_set_condition(sb_idl, &c->mg));
    return MAX(seqno, sbrec_mac_binding_set_condition(sb_idl, &c->mb));
}

/* Starts with nothing of the growing tables: the first compute, which
 * learns the local interfaces, asks for what they need. */
void
sb_monitor_init(struct sb_monitor *m, struct ovsdb_idl *sb_idl)
{
    struct sb_monitor_conds c;
    sb_monitor_conds_init(&c);
    m->key = NULL;
    m->inputs_gen = 0;
    m->chassis = UUID_ZERO;
    m->expected_seqno = sb_monitor_conds_send(&c, sb_idl);
    sb_monitor_conds_destroy(&c);
}

void
sb_monitor_destroy(struct sb_monitor *m)
{
    free(m->key);
}

static int
sb_monitor_compare_uuids(const void *a_, const void *b_)
{
    return uuid_compare_3way(a_, b_);
}

/* Returns the UUIDs of the datapath groups in 'sb_idl' that have a member
 * in 'lds', sorted, and stores their number in '*n'. */
static struct uuid *
sb_monitor_local_groups(struct ovsdb_idl *sb_idl,
                        const struct local_datapaths *lds, size_t *n)
{
    struct uuid *groups = NULL;
    size_t allocated = 0;
    const struct sbrec_logical_dp_group *g;

    *n = 0;
    SBREC_LOGICAL_DP_GROUP_FOR_EACH (g, sb_idl) {
        for (size_t i = 0; i < g->n_datapaths; i++) {
            if (local_datapaths_find(lds, g->datapaths[i]->tunnel_key)) {
                if (*n >= allocated) {
                    groups = x2nrealloc(groups, &allocated, sizeof *groups);
                }
                groups[(*n)++] = g->header_.uuid;
                break;
            }
        }
    }
    if (*n) {
        qsort(groups, *n, sizeof *groups, sb_monitor_compare_uuids);
    }
    return groups;
}

/* Asks for what a chassis 'chassis' (NULL if not registered yet) with
 * interfaces for logical ports 'iface_ids' and local datapaths 'lds'
 * needs.  Returns true if that changed the conditions.
 *
 * 'inputs_gen' changes whenever 'iface_ids' or 'lds' may have;
 * 'groups_changed' says that the datapath groups may have (a tracked
 * change of Logical_DP_Group since the last call).  With neither, and
 * the conditions applied, there is nothing to do: this runs after every
 * compute.
 *
 * While the server has not applied the conditions last sent, they go to
 * the IDL again on every call, changed or not: the IDL drops a repeated
 * condition, and its answer (the condition seqno that will apply them)
 * stays right across reconnections, when a request in flight may be
 * settled without the seqno moving.  Once applied, unchanged conditions
 * cost only the comparison of their key. */
bool
sb_monitor_update(struct sb_monitor *m, struct ovsdb_idl *sb_idl,
                  const struct sset *iface_ids,
                  const struct local_datapaths *lds,
                  const struct sbrec_chassis *chassis,
                  uint64_t inputs_gen, bool groups_changed)
{
    const struct uuid *chassis_uuid = (chassis ? &chassis->header_.uuid
                                       : &UUID_ZERO);
    if (m->key && m->inputs_gen == inputs_gen && !groups_changed
        && uuid_equals(&m->chassis, chassis_uuid)
        && sb_monitor_settled(m, sb_idl)) {
        return false;
    }
    m->inputs_gen = inputs_gen;
    m->chassis = *chassis_uuid;

    /* The key: sorted interface ids, datapath UUIDs, the chassis and the
     * datapath groups.  UUIDs, not tunnel keys: a switch deleted and
     * created again may get the same key. */
    struct ds key = DS_EMPTY_INITIALIZER;
    const char **ids = sset_sort(iface_ids);
    for (size_t i = 0; i < sset_count(iface_ids); i++) {
        ds_put_format(&key, "%s,", ids[i]);
    }
    ds_put_char(&key, '|');
    size_t n_dps = hmap_count(&lds->map);
    struct uuid *dps = xmalloc((n_dps + 1) * sizeof *dps);
    const struct local_datapath *ld;
    size_t n = 0;
    HMAP_FOR_EACH (ld, node, &lds->map) {
        dps[n++] = ld->uuid;
    }
    qsort(dps, n, sizeof *dps, sb_monitor_compare_uuids);
    for (size_t i = 0; i < n; i++) {
        ds_put_format(&key, UUID_FMT",", UUID_ARGS(&dps[i]));
    }
    if (chassis) {
        ds_put_format(&key, "|"UUID_FMT, UUID_ARGS(&chassis->header_.uuid));
    }
    /* Flows shared by several datapaths: those of every group with a
     * local member (the groups themselves are few and all monitored). */
    size_t n_groups;
    struct uuid *groups = sb_monitor_local_groups(sb_idl, lds, &n_groups);
    ds_put_cstr(&key, "|groups:");
    for (size_t i = 0; i < n_groups; i++) {
        ds_put_format(&key, UUID_FMT",", UUID_ARGS(&groups[i]));
    }

    bool changed = !m->key || strcmp(m->key, ds_cstr(&key));
    if (changed || !sb_monitor_settled(m, sb_idl)) {
        struct sb_monitor_conds c;
        sb_monitor_conds_init(&c);
        for (size_t i = 0; i < sset_count(iface_ids); i++) {
            sbrec_port_binding_add_clause_logical_port(&c.pb, OVSDB_F_EQ,
                                                       ids[i]);
        }
        for (size_t i = 0; i < n; i++) {
            const struct uuid *dp = &dps[i];
            sbrec_port_binding_add_clause_datapath(&c.pb, OVSDB_F_EQ, dp);
            sbrec_logical_flow_add_clause_logical_datapath(&c.lf,
                                                           OVSDB_F_EQ, dp);
            sbrec_multicast_group_add_clause_datapath(&c.mg, OVSDB_F_EQ,
                                                      dp);
            sbrec_mac_binding_add_clause_datapath(&c.mb, OVSDB_F_EQ, dp);
        }
        /* Every patch port: the local datapaths are closed over patch
         * peers (controller/gateway.h), which needs the other end of
         * every patch port of a local datapath before its datapath is
         * local.  Patch ports are few: two per router port. */
        sbrec_port_binding_add_clause_type(&c.pb, OVSDB_F_EQ, "patch");
        if (chassis) {
            sbrec_port_binding_add_clause_chassis(&c.pb, OVSDB_F_EQ,
                                                  &chassis->header_.uuid);
        }
        for (size_t i = 0; i < n_groups; i++) {
            sbrec_logical_flow_add_clause_logical_dp_group(&c.lf, OVSDB_F_EQ,
                                                           &groups[i]);
        }
        m->expected_seqno = sb_monitor_conds_send(&c, sb_idl);
        sb_monitor_conds_destroy(&c);
    }
    free(groups);
    free(dps);
    free(ids);

    if (changed) {
        VLOG_INFO("monitoring %"PRIuSIZE" local interfaces' ports and "
                  "%"PRIuSIZE" local datapaths", sset_count(iface_ids), n);
        free(m->key);
        m->key = ds_steal_cstr(&key);
    } else {
        ds_destroy(&key);
    }
    return changed;
}

/* Returns true if the server has applied the conditions last sent. */
bool
sb_monitor_settled(const struct sb_monitor *m, const struct ovsdb_idl *sb_idl)
{
    return ovsdb_idl_get_condition_seqno(sb_idl) >= m->expected_seqno;
}
