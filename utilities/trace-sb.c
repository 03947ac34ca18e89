#include <config.h>

#include "utilities/trace-sb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/lflow-sim.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"
#include "lib/rampout.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "packets.h"
#include "ovsdb-idl.h"
#include "timeval.h"
#include "util.h"

/* Connects '*idlp' (of 'class') to 'remote' and waits until it has read
 * the whole database, or until time_msec() reaches 'deadline'.  Returns
 * NULL, with '*idlp' for the caller to destroy, or an error message, with
 * '*idlp' destroyed and set to NULL. */
char *
trace_db_connect(const struct ovsdb_idl_class *class, const char *remote,
                 long long int deadline, struct ovsdb_idl **idlp)
{
    /* One remote that cannot be reached fails at once; the members of a
     * cluster are tried in turn until one is the leader. */
    bool retry = strchr(remote, ',') != NULL;
    struct ovsdb_idl *idl = ovsdb_idl_create(remote, class, true, retry);
    char *error = NULL;
    for (;;) {
        ovsdb_idl_run(idl);
        if (ovsdb_idl_has_ever_connected(idl)) {
            break;
        }
        if (!ovsdb_idl_is_alive(idl)) {
            int retval = ovsdb_idl_get_last_error(idl);
            error = xasprintf("%s: database connection failed (%s)", remote,
                              ovs_retval_to_string(retval));
            break;
        }
        if (time_msec() >= deadline) {
            error = xasprintf("%s: timed out reading the %s database",
                              remote, class->database);
            break;
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
    if (error) {
        ovsdb_idl_destroy(idl);
        idl = NULL;
    }
    *idlp = idl;
    return error;
}

/* Returns the chassis of highest priority among the 'n' of 'names' (with
 * priorities 'prios') that has a Chassis row, or NULL. */
static const char *
trace_sb_gateway(struct trace_sb *sb, const int64_t *prios, char **names,
                 size_t n)
{
    const char *best = NULL;
    int64_t best_prio = -1;
    for (size_t i = 0; i < n; i++) {
        const struct sbrec_chassis *ch;
        SBREC_CHASSIS_FOR_EACH (ch, sb->idl) {
            if (!strcmp(ch->name, names[i]) && prios[i] > best_prio) {
                best = names[i];
                best_prio = prios[i];
            }
        }
    }
    return best;
}

/* Adds redirect port 'name' with key 'key' to the router with tunnel key
 * 'dp_key', bound to the chassis that claimed it in the database
 * ('claimed', the gateway its traffic leaves by: after a failover that
 * only BFD noticed, not the first of its list), or, while none has, to
 * the registered chassis of highest priority among the 'n' of 'names'
 * (with priorities 'prios'), with a note that says so. */
static void
trace_sb_add_redirect(struct trace_sb *sb, uint32_t dp_key, uint32_t key,
                      const char *name, const char *claimed,
                      const int64_t *prios, char **names, size_t n)
{
    const char *chassis = claimed;
    if (!chassis) {
        chassis = trace_sb_gateway(sb, prios, names, n);
    }
    struct lflow_sim_port *port = lflow_sim_add_port(
        sb->sim, lflow_sim_datapath_by_key(sb->sim, dp_key), key, name,
        "redirect", chassis, true);
    if (!claimed && chassis) {
        lflow_sim_port_set_chassis_note(
            port, "no chassis has claimed it: its registered gateway of "
            "highest priority");
    }
}

/* Compares SB Rampout rows by name, for qsort(). */
static int
trace_sb_rampout_cmp(const void *a_, const void *b_)
{
    const struct sbrec_rampout *const *a = a_, *const *b = b_;
    return rampout_name_cmp((*a)->name, (*b)->name);
}

/* Adds the redirect keys of routers (lib/rampout.h) as ports bound to
 * their active chassis, as the database sees it (the chassis that claimed
 * it, controller/gateway-claim.h): "cr-PORT" for a gateway port,
 * "rampout-ROUTER/RULE" for a ramp-out rule.  (Each controller
 * decides for itself, from BFD too: osmotic-controller(8).) */
static void
trace_sb_load_redirects(struct trace_sb *sb)
{
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, sb->idl) {
        if (pb->datapath && pb->n_gateway_chassis
            && pb->tunnel_key <= RAMPOUT_MAX_PORT_KEY) {
            /* The active gateway claims the port's chassis. */
            char *name = xasprintf("cr-%s", pb->logical_port);
            trace_sb_add_redirect(sb, pb->datapath->tunnel_key,
                                  rampout_port_redirect_key(pb->tunnel_key),
                                  name, pb->chassis ? pb->chassis->name : NULL,
                                  pb->key_gateway_chassis,
                                  pb->value_gateway_chassis,
                                  pb->n_gateway_chassis);
            free(name);
        }
    }

    size_t n = 0, allocated = 0;
    const struct sbrec_rampout **rules = NULL;
    const struct sbrec_rampout *r;
    SBREC_RAMPOUT_FOR_EACH (r, sb->idl) {
        if (r->datapath) {
            if (n >= allocated) {
                rules = x2nrealloc(rules, &allocated, sizeof *rules);
            }
            rules[n++] = r;
        }
    }
    if (n) {
        qsort(rules, n, sizeof *rules, trace_sb_rampout_cmp);
    }
    /* Numbered per router, in name order. */
    for (size_t i = 0; i < n; i++) {
        uint32_t number = 1;
        for (size_t j = 0; j < i; j++) {
            number += rules[j]->datapath == rules[i]->datapath;
        }
        if (number > RAMPOUT_MAX_RULES) {
            continue;
        }
        char *name = xasprintf("rampout-%s", rules[i]->name);
        trace_sb_add_redirect(sb, rules[i]->datapath->tunnel_key,
                              rampout_rule_redirect_key(number), name,
                              rules[i]->active_chassis,
                              rules[i]->key_gateway_chassis,
                              rules[i]->value_gateway_chassis,
                              rules[i]->n_gateway_chassis);
        free(name);
    }
    free(rules);

    /* Learned MAC bindings resolve next hops in lr_in_arp_resolve below
     * the addresses northd knows, as the controller installs them
     * (controller/physical-gateway.h). */
    const struct sbrec_mac_binding *mb;
    SBREC_MAC_BINDING_FOR_EACH (mb, sb->idl) {
        struct lflow_sim_datapath *dp = (mb->datapath
                                         ? lflow_sim_datapath_by_key(
                                             sb->sim,
                                             mb->datapath->tunnel_key)
                                         : NULL);
        const struct lflow_sim_port *port = lflow_sim_find_port(
            sb->sim, mb->logical_port);
        ovs_be32 ip;
        struct in6_addr ip6;
        bool v4 = ip_parse(mb->ip, &ip);
        if (!dp || !port || port->dp != dp
            || (!v4 && !ipv6_parse(mb->ip, &ip6))) {
            continue;
        }
        bool gateway = false;
        SBREC_PORT_BINDING_FOR_EACH (pb, sb->idl) {
            if (!strcmp(pb->logical_port, mb->logical_port)) {
                gateway = pb->n_gateway_chassis > 0;
            }
        }
        /* The next hop is in reg0 (IPv4) or xxreg0 (IPv6). */
        struct ds m = DS_EMPTY_INITIALIZER;
        ds_put_format(&m, REG_OUTPORT"=%"PRIu32",", port->key);
        if (v4) {
            ds_put_format(&m, "ip,reg0=%#"PRIx32, ntohl(ip));
        } else {
            ds_put_cstr(&m, "ipv6,xxreg0=0x");
            for (int i = 0; i < 16; i++) {
                ds_put_format(&m, "%02x", ip6.s6_addr[i]);
            }
        }
        char *match = ds_steal_cstr(&m);
        char *actions = xasprintf("eth.dst = %s; %s", mb->mac,
                                  gateway ? "next;" : "output;");
        char *source = xasprintf("MAC_Binding:"UUID_FMT,
                                 UUID_ARGS(&mb->header_.uuid));
        char *error = lflow_sim_add_flow(
            sb->sim, dp, P_INGRESS,
            pipeline_stage_info(S_ROUTER_INGRESS_ARP_RESOLVE)->table_id,
            50, match, actions, source, "");
        free(error);
        free(match);
        free(actions);
        free(source);
    }
}

/* Adds the datapaths and their ports and multicast groups to 'sb->sim'. */
static void
trace_sb_load_topology(struct trace_sb *sb)
{
    const struct sbrec_datapath_binding *db;
    SBREC_DATAPATH_BINDING_FOR_EACH (db, sb->idl) {
        lflow_sim_add_datapath(sb->sim, db->tunnel_key, db->name,
                               !strcmp(db->type, "router")
                               ? DP_ROUTER : DP_SWITCH);
    }

    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, sb->idl) {
        if (!pb->datapath) {
            continue;
        }
        struct lflow_sim_datapath *dp = lflow_sim_datapath_by_key(
            sb->sim, pb->datapath->tunnel_key);
        struct lflow_sim_port *port = lflow_sim_add_port(
            sb->sim, dp, pb->tunnel_key, pb->logical_port, pb->type,
            pb->chassis ? pb->chassis->name : NULL, pb->enabled);
        for (size_t i = 0; i < pb->n_port_security; i++) {
            lflow_sim_port_add_security(port, pb->port_security[i]);
        }
        if (!strcmp(pb->type, "patch")) {
            lflow_sim_port_set_peer(port, smap_get(&pb->options, "peer"));
        }
    }

    trace_sb_load_redirects(sb);

    const struct sbrec_color *color;
    SBREC_COLOR_FOR_EACH (color, sb->idl) {
        lflow_sim_add_color(sb->sim, color->color_id, color->name);
    }

    const struct sbrec_multicast_group *mg;
    SBREC_MULTICAST_GROUP_FOR_EACH (mg, sb->idl) {
        if (!mg->datapath) {
            continue;
        }
        struct lflow_sim_datapath *dp = lflow_sim_datapath_by_key(
            sb->sim, mg->datapath->tunnel_key);
        const struct lflow_sim_port **ports = xmalloc(
            (mg->n_ports + 1) * sizeof *ports);
        size_t n = 0;
        for (size_t i = 0; i < mg->n_ports; i++) {
            const struct lflow_sim_port *port = lflow_sim_find_port(
                sb->sim, mg->ports[i]->logical_port);
            if (port) {
                ports[n++] = port;
            }
        }
        lflow_sim_add_mcgroup(dp, mg->tunnel_key, mg->name, ports, n);
        free(ports);
    }
}

/* Adds every address set to 'sb->sim', for the matches that name them
 * (none from a server whose schema predates the table). */
static void
trace_sb_load_address_sets(struct trace_sb *sb)
{
    const struct sbrec_address_set *as;
    SBREC_ADDRESS_SET_FOR_EACH (as, sb->idl) {
        lflow_sim_add_address_set(sb->sim, as->name,
                                  (const char *const *) as->addresses,
                                  as->n_addresses);
    }
}

/* Adds every logical flow to 'sb->sim'.  A flow that does not parse is
 * reported on stderr and left out, as the controller leaves it out. */
static void
trace_sb_load_flows(struct trace_sb *sb)
{
    const struct sbrec_logical_flow *lf;
    SBREC_LOGICAL_FLOW_FOR_EACH (lf, sb->idl) {
        enum pipeline pipeline;
        if (!pipeline_from_string(lf->pipeline, &pipeline)) {
            continue;
        }
        /* A flow of a datapath group is in each of its datapaths. */
        struct sbrec_datapath_binding *const *dps
            = (lf->logical_datapath ? &lf->logical_datapath
               : lf->logical_dp_group ? lf->logical_dp_group->datapaths
               : NULL);
        size_t n_dps = (lf->logical_datapath ? 1
                        : lf->logical_dp_group
                        ? lf->logical_dp_group->n_datapaths : 0);
        char uuid[UUID_LEN + 1];
        snprintf(uuid, sizeof uuid, UUID_FMT,
                 UUID_ARGS(&lf->header_.uuid));
        for (size_t i = 0; i < n_dps; i++) {
            struct lflow_sim_datapath *dp = lflow_sim_datapath_by_key(
                sb->sim, dps[i]->tunnel_key);
            if (!dp) {
                continue;
            }
            char *error = lflow_sim_add_flow(sb->sim, dp, pipeline,
                                             lf->table_id, lf->priority,
                                             lf->match, lf->actions,
                                             lf->source, uuid);
            if (error) {
                fprintf(stderr, "osmotic-trace: warning: logical flow %s "
                        "skipped: %s\n", uuid, error);
                free(error);
                break;
            }
        }
    }
}

/* Reads the SB at 'remote' into 'sb'.  Returns NULL, or an error message
 * (then 'sb' holds nothing to close). */
char *
trace_sb_open(const char *remote, long long int deadline,
              struct trace_sb *sb)
{
    char *error = trace_db_connect(&sbrec_idl_class, remote, deadline,
                                   &sb->idl);
    if (error) {
        return error;
    }
    sb->sim = lflow_sim_create();
    trace_sb_load_topology(sb);
    trace_sb_load_address_sets(sb);
    trace_sb_load_flows(sb);
    return NULL;
}

/* Frees what 'sb' holds.  Accepts NULL. */
void
trace_sb_close(struct trace_sb *sb)
{
    if (sb) {
        lflow_sim_destroy(sb->sim);
        ovsdb_idl_destroy(sb->idl);
    }
}

/* Returns true if the first 32 bits of 'uuid' are 'cookie'. */
static bool
cookie_is(const struct uuid *uuid, uint32_t cookie)
{
    return uuid->parts[0] == cookie;
}

/* Returns the name of the datapath of logical flow 'lf' in which OpenFlow
 * flow 'flow' (its text, with "metadata=KEY", or NULL) runs: its datapath,
 * or the member of its datapath group with that key. */
static const char *
lflow_datapath_name(const struct sbrec_logical_flow *lf, const char *flow)
{
    if (lf->logical_datapath) {
        return lf->logical_datapath->name;
    } else if (!lf->logical_dp_group) {
        return "?";
    }
    const char *metadata = flow ? strstr(flow, "metadata=") : NULL;
    if (metadata) {
        int64_t key = strtoll(metadata + strlen("metadata="), NULL, 0);
        const struct sbrec_logical_dp_group *g = lf->logical_dp_group;
        for (size_t i = 0; i < g->n_datapaths; i++) {
            if (g->datapaths[i]->tunnel_key == key) {
                return g->datapaths[i]->name;
            }
        }
    }
    return "(datapath group)";
}

/* Appends to 's' the SB row whose uuid starts with the 32 bits 'cookie':
 * a logical flow (with its datapath, stage, source and match) or the row
 * a physical flow comes from.  'flow', the OpenFlow flow's text or NULL,
 * says which datapath of a flow's datapath group it is.  Appends nothing
 * if there is none. */
void
trace_sb_describe_cookie(const struct trace_sb *sb, uint32_t cookie,
                         const char *flow, struct ds *s)
{
    const struct sbrec_logical_flow *lf;
    SBREC_LOGICAL_FLOW_FOR_EACH (lf, sb->idl) {
        if (cookie_is(&lf->header_.uuid, cookie)) {
            ds_put_format(s, "%s %s, priority %"PRId64", match (%s), "
                          "actions (%s)", lflow_datapath_name(lf, flow),
                          lf->stage, lf->priority, lf->match, lf->actions);
            if (lf->source[0]) {
                ds_put_format(s, ", source %s", lf->source);
            }
            return;
        }
    }
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, sb->idl) {
        if (cookie_is(&pb->header_.uuid, cookie)) {
            ds_put_format(s, "Port_Binding %s (key %"PRId64")",
                          pb->logical_port, pb->tunnel_key);
            return;
        }
    }
    const struct sbrec_multicast_group *mg;
    SBREC_MULTICAST_GROUP_FOR_EACH (mg, sb->idl) {
        if (cookie_is(&mg->header_.uuid, cookie)) {
            ds_put_format(s, "Multicast_Group %s (key %"PRId64")",
                          mg->name, mg->tunnel_key);
            return;
        }
    }
    const struct sbrec_chassis *ch;
    SBREC_CHASSIS_FOR_EACH (ch, sb->idl) {
        if (cookie_is(&ch->header_.uuid, cookie)) {
            ds_put_format(s, "Chassis %s", ch->name);
            return;
        }
    }
    const struct sbrec_datapath_binding *db;
    SBREC_DATAPATH_BINDING_FOR_EACH (db, sb->idl) {
        if (cookie_is(&db->header_.uuid, cookie)) {
            ds_put_format(s, "Datapath_Binding %s (key %"PRId64")",
                          db->name, db->tunnel_key);
            return;
        }
    }
}

/* Appends to 's' what a physical output flow with 'cookie' sends to:
 * "outport NAME" for a Port_Binding's flow, "multicast group NAME" for a
 * Multicast_Group's, nothing otherwise. */
void
trace_sb_cookie_target(const struct trace_sb *sb, uint32_t cookie,
                       struct ds *s)
{
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, sb->idl) {
        if (cookie_is(&pb->header_.uuid, cookie)) {
            ds_put_format(s, "outport %s", pb->logical_port);
            return;
        }
    }
    const struct sbrec_multicast_group *mg;
    SBREC_MULTICAST_GROUP_FOR_EACH (mg, sb->idl) {
        if (cookie_is(&mg->header_.uuid, cookie)) {
            ds_put_format(s, "multicast group %s", mg->name);
            return;
        }
    }
}

/* Returns the stage of the logical flow whose UUID starts with the 32 bits
 * 'cookie', or NULL if there is none (or it names no stage). */
const char *
trace_sb_cookie_stage(const struct trace_sb *sb, uint32_t cookie)
{
    const struct sbrec_logical_flow *lf;
    if (!cookie) {
        return NULL;
    }
    SBREC_LOGICAL_FLOW_FOR_EACH (lf, sb->idl) {
        if (cookie_is(&lf->header_.uuid, cookie)) {
            return lf->stage[0] ? lf->stage : NULL;
        }
    }
    return NULL;
}
