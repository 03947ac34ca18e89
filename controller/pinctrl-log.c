#include <config.h>

#include "controller/pinctrl-log.h"

#include <string.h>

#include "byte-order.h"
#include "dp-packet.h"
#include "lib/pipeline.h"
#include "flow.h"
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

void
pinctrl_log_handle(struct rconn *rconn OVS_UNUSED,
                   const struct ofputil_packet_in *pin, const char *payload,
                   size_t len OVS_UNUSED)
{
    char *name = pinctrl_log_option(payload, "name");
    char *severity = pinctrl_log_option(payload, "severity");
    char *verdict = pinctrl_log_option(payload, "verdict");

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
    VLOG(level, "log(name=%s, severity=%s, verdict=%s, direction=%s, "
         "datapath=%"PRIu64", inport=%"PRIu32", outport=%"PRIu32"): %s",
         name, severity, verdict, egress ? "to-lport" : "from-lport",
         ntohll(md->metadata), md->regs[14], md->regs[15], ds_cstr(&s));
    ds_destroy(&s);
    free(name);
    free(severity);
    free(verdict);
}
