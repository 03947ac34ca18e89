#include <config.h>

#include "controller/pinctrl-log.h"

#include <string.h>

#include "byte-order.h"
#include "dp-packet.h"
#include "lib/pipeline.h"
#include "flow.h"
#include "lib/osmotic-sb-idl.h"
#include "ovsdb-idl.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(pinctrl_log);

/* Returns the value of "KEY=" in 'payload' ("name=N,severity=S,
 * verdict=V", as lib/logical-actions.c writes it), a copy the caller
 * frees, or "" if absent. */
static char *
pinctrl_log_option(const char *payload, const char *key)
{
    size_t klen = strlen(key);
    for (const char *p = payload; p && *p; ) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t) (end - p) : strlen(p);
        if (len > klen && !strncmp(p, key, klen) && p[klen] == '=') {
            return xmemdup0(p + klen + 1, len - klen - 1);
        }
        p = end ? end + 1 : NULL;
    }
    return xstrdup("");
}

/* Where the names of datapaths and ports come from. */
static struct ovsdb_idl *log_sb_idl;
static struct ovsdb_idl_index *log_pb_by_key;

/* Makes log lines name datapaths and ports from 'sb_idl', with
 * 'pb_by_key' an index of its Port_Bindings by datapath and tunnel key.
 * Both must outlive the log handler's use (NULL stops it). */
void
pinctrl_log_set_sb(struct ovsdb_idl *sb_idl, struct ovsdb_idl_index *pb_by_key)
{
    log_sb_idl = sb_idl;
    log_pb_by_key = pb_by_key;
}

/* Returns the Datapath_Binding with tunnel key 'key', or NULL. */
static const struct sbrec_datapath_binding *
log_find_dp(uint64_t key)
{
    const struct sbrec_datapath_binding *dp;
    if (log_sb_idl) {
        SBREC_DATAPATH_BINDING_FOR_EACH (dp, log_sb_idl) {
            if (dp->tunnel_key == key) {
                return dp;
            }
        }
    }
    return NULL;
}

/* Appends to 's' the name of port 'key' of 'dp' (or of the datapath with
 * 'dp_key'): its logical port name, or its key if there is none; 0 is no
 * port, "-". */
static void
log_put_port(const struct sbrec_datapath_binding *dp, uint32_t key,
             struct ds *s)
{
    if (!key) {
        ds_put_char(s, '-');
        return;
    }
    if (dp && log_pb_by_key) {
        struct sbrec_port_binding *target
            = sbrec_port_binding_index_init_row(log_pb_by_key);
        sbrec_port_binding_index_set_datapath(target, dp);
        sbrec_port_binding_index_set_tunnel_key(target, key);
        const struct sbrec_port_binding *pb
            = sbrec_port_binding_index_find(log_pb_by_key, target);
        sbrec_port_binding_index_destroy_row(target);
        if (pb) {
            ds_put_cstr(s, pb->logical_port);
            return;
        }
    }
    ds_put_format(s, "%"PRIu32, key);
}

void
pinctrl_log_handle(struct rconn *rconn OVS_UNUSED,
                   const struct ofputil_packet_in *pin, const char *payload,
                   size_t len OVS_UNUSED)
{
    char *name = pinctrl_log_option(payload, "name");
    char *severity = pinctrl_log_option(payload, "severity");
    char *verdict = pinctrl_log_option(payload, "verdict");
    char *meter = pinctrl_log_option(payload, "meter");

    struct dp_packet packet;
    dp_packet_use_const(&packet, pin->packet, pin->packet_len);
    struct flow flow;
    flow_extract(&packet, &flow);
    struct ds s = DS_EMPTY_INITIALIZER;
    flow_format(&s, &flow, NULL);

    enum vlog_level level = (!strcmp(severity, "alert")
                             || !strcmp(severity, "warning") ? VLL_WARN
                             : !strcmp(severity, "debug") ? VLL_DBG
                             : VLL_INFO);
    /* The direction is the pipeline's: an ingress stage runs the
     * from-lport ACLs, an egress stage the to-lport ones. */
    const struct flow *md = &pin->flow_metadata.flow;
    bool egress = pin->table_id >= OFTABLE_EGRESS;
    uint64_t dp_key = ntohll(md->metadata);
    const struct sbrec_datapath_binding *dp = log_find_dp(dp_key);
    struct ds where = DS_EMPTY_INITIALIZER;
    if (dp && dp->name[0]) {
        ds_put_cstr(&where, dp->name);
    } else {
        ds_put_format(&where, "%"PRIu64, dp_key);
    }
    ds_put_cstr(&where, ", inport=");
    log_put_port(dp, md->regs[14], &where);
    ds_put_cstr(&where, ", outport=");
    log_put_port(dp, md->regs[15], &where);
    /* The meter's name: the last part of "UNIT/RATE/BURST/NAME". */
    const char *meter_name = meter;
    for (int i = 0; i < 3 && strchr(meter_name, '/'); i++) {
        meter_name = strchr(meter_name, '/') + 1;
    }
    VLOG(level, "log(name=%s, severity=%s, verdict=%s, direction=%s%s%s, "
         "datapath=%s): %s", name, severity, verdict,
         egress ? "to-lport" : "from-lport",
         meter[0] ? ", meter=" : "", meter_name, ds_cstr(&where),
         ds_cstr(&s));
    ds_destroy(&where);
    ds_destroy(&s);
    free(name);
    free(severity);
    free(verdict);
    free(meter);
}
