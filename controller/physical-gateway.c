#include <config.h>

#include "controller/physical-gateway.h"

#include <stdlib.h>
#include <string.h>

#include "controller/desired.h"
#include "controller/encaps.h"
#include "controller/gateway.h"
#include "controller/local-datapaths.h"
#include "controller/physical.h"
#include "controller/runtime.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"
#include "lib/rampout.h"

#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "simap.h"
#include "smap.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(physical_gateway);

/* Adds 'flow' (formatted like printf) with 'cookie' to the owner being
 * built in 'desired'; logs a flow that does not parse. */
static void OVS_PRINTF_FORMAT(3, 4)
pg_add(struct desired *desired, uint32_t cookie, const char *format, ...)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    va_list args;
    va_start(args, format);
    char *flow = xvasprintf(format, args);
    va_end(args);
    char *error = desired_add_flow(desired, cookie, flow);
    if (error) {
        VLOG_WARN_RL(&rl, "physical flow skipped: %s", error);
        free(error);
    }
    free(flow);
}

/* Returns the value of REG_CT_ZONE in the router with datapath 'dp': its
 * conntrack zone in bits 0..15 and its second zone, for the forced SNAT
 * of its load-balanced connections, in bits 16..31 (lib/pipeline.h); 0
 * for a switch (or a router without zones yet). */
static uint32_t
pg_router_zone(const struct physical_ctx *ctx,
               const struct sbrec_datapath_binding *dp)
{
    if (!dp->type || strcmp(dp->type, "router")) {
        return 0;
    }
    uint32_t zones = 0;
    for (int snat = 0; snat < 2; snat++) {
        char *name = runtime_router_zone_name(&dp->header_.uuid, snat);
        zones |= (uint32_t) simap_get(ctx->ct_zones, name) << (16 * snat);
        free(name);
    }
    return zones;
}

/* Returns the Port_Binding of patch port 'name', or NULL. */
static const struct sbrec_port_binding *
pg_find_patch(const struct physical_ctx *ctx, const char *name)
{
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, ctx->sb_idl) {
        if (!strcmp(pb->type, "patch") && !strcmp(pb->logical_port, name)) {
            return pb;
        }
    }
    return NULL;
}

/* Returns the OpenFlow port of localnet port 'pb' here, or 0. */
static int
pg_localnet_ofport(const struct physical_ctx *ctx,
                   const struct sbrec_port_binding *pb)
{
    /* The type first: this runs for every member of every multicast
     * group rebuilt, and a lookup in the options costs a hash. */
    if (strcmp(pb->type, "localnet")) {
        return 0;
    }
    const char *network = smap_get(&pb->options, "network_name");
    return network ? simap_get(&ctx->tunnels->localnets, network) : 0;
}

/* The flows of patch port 'pb' of a local datapath. */
static void
pg_patch_port(const struct physical_ctx *ctx,
              const struct sbrec_port_binding *pb)
{
    const char *peer_name = smap_get(&pb->options, "peer");
    const struct sbrec_port_binding *peer = (peer_name
                                             ? pg_find_patch(ctx, peer_name)
                                             : NULL);
    const struct local_datapath *ld
        = local_datapaths_find(ctx->lds, pb->datapath->tunnel_key);
    const struct local_datapath *peer_ld
        = (peer && peer->datapath
           ? local_datapaths_find(ctx->lds, peer->datapath->tunnel_key)
           : NULL);
    if (!peer_ld) {
        return;
    }
    uint32_t cookie = pb->header_.uuid.parts[0];
    int64_t dp = pb->datapath->tunnel_key;

    /* Output: the datapath's egress, here. */
    pg_add(ctx->desired, cookie, "table=%d,priority=100,metadata=%#"PRIx64","
           REG_OUTPORT"=%#"PRIx64",actions=set_field:%#"PRIx32"->"REG_CT_ZONE","
           "load:0->"REG_FLAGS"[%d],resubmit(,%u)", OFTABLE_PHY_OUT_REMOTE,
           dp, pb->tunnel_key, pg_router_zone(ctx, pb->datapath),
           MLF_OUTPORT_SECURED_BIT,
           local_datapath_stage_oftable(ld, P_EGRESS, 0));

    /* Delivery: the peer's ingress, keeping only the colour (lib/pipeline.h,
     * next to PIPELINE_COLOR_MASK). */
    struct ds clear = DS_EMPTY_INITIALIZER;
    for (int r = 0; r <= 8; r++) {
        ds_put_format(&clear, "load:0->NXM_NX_REG%d[],", r);
    }
    ds_put_cstr(&clear, "load:0->NXM_NX_REG9[8..31],");
    for (int r = 10; r <= 15; r++) {
        ds_put_format(&clear, "load:0->NXM_NX_REG%d[],", r);
    }
    pg_add(ctx->desired, cookie, "table=%d,priority=100,metadata=%#"PRIx64","
           REG_OUTPORT"=%#"PRIx64",actions=ct_clear,%s"
           "set_field:%#"PRIx64"->metadata,set_field:%#"PRIx64"->"
           REG_INPORT",set_field:%#"PRIx32"->"REG_CT_ZONE",load:0->NXM_OF_IN_PORT[],"
           "resubmit(,%u)", OFTABLE_PHY_DELIVER, dp, pb->tunnel_key,
           ds_cstr(&clear), peer->datapath->tunnel_key, peer->tunnel_key,
           pg_router_zone(ctx, peer->datapath),
           local_datapath_stage_oftable(peer_ld, P_INGRESS, 0));
    ds_destroy(&clear);
}

/* The flows of localnet port 'pb' of a local datapath, reached here
 * through OpenFlow port 'ofport'. */
static void
pg_localnet_port(const struct physical_ctx *ctx,
                 const struct sbrec_port_binding *pb, int ofport)
{
    const struct local_datapath *ld
        = local_datapaths_find(ctx->lds, pb->datapath->tunnel_key);
    uint32_t cookie = pb->header_.uuid.parts[0];
    int64_t dp = pb->datapath->tunnel_key;
    int64_t key = pb->tunnel_key;

    pg_add(ctx->desired, cookie, "table=%d,priority=100,in_port=%d,"
           "actions=set_field:%#"PRIx64"->metadata,set_field:%#"PRIx64"->"
           REG_INPORT",resubmit(,%u)", OFTABLE_PHY_IN, ofport, dp, key,
           local_datapath_stage_oftable(ld, P_INGRESS, 0));
    pg_add(ctx->desired, cookie, "table=%d,priority=100,metadata=%#"PRIx64","
           REG_OUTPORT"=%#"PRIx64",actions=load:0->"REG_FLAGS"[%d],"
           "resubmit(,%u)", OFTABLE_PHY_OUT_LOCAL, dp, key,
           MLF_OUTPORT_SECURED_BIT,
           local_datapath_stage_oftable(ld, P_EGRESS, 0));
    pg_add(ctx->desired, cookie, "table=%d,priority=110,metadata=%#"PRIx64","
           REG_INPORT"=%#"PRIx64","REG_OUTPORT"=%#"PRIx64","
           REG_FLAGS"=0/%#x,actions=drop", OFTABLE_PHY_DELIVER,
           dp, key, key, 1u << MLF_ALLOW_LOOPBACK_BIT);
    pg_add(ctx->desired, cookie, "table=%d,priority=100,metadata=%#"PRIx64","
           REG_OUTPORT"=%#"PRIx64",actions=load:0->NXM_OF_IN_PORT[],"
           "output:%d", OFTABLE_PHY_DELIVER, dp, key, ofport);
}

/* Adds to the owner being built the flows of patch or localnet port 'pb'
 * of a local datapath, and returns true, or returns false if 'pb' is
 * neither. */
bool
physical_gateway_port(const struct physical_ctx *ctx,
                      const struct sbrec_port_binding *pb)
{
    if (!pb->datapath
        || !local_datapaths_find(ctx->lds, pb->datapath->tunnel_key)) {
        return false;
    }
    if (!strcmp(pb->type, "patch")) {
        pg_patch_port(ctx, pb);
        return true;
    }
    int ofport = pg_localnet_ofport(ctx, pb);
    if (ofport) {
        pg_localnet_port(ctx, pb, ofport);
        return true;
    }
    return !strcmp(pb->type, "localnet");
}

/* Returns true if 'pb', a member of a multicast group of a local datapath,
 * is reached here without a tunnel: a patch port whose peer is local, or a
 * localnet port this chassis maps. */
bool
physical_gateway_local_member(const struct physical_ctx *ctx,
                              const struct sbrec_port_binding *pb)
{
    if (!strcmp(pb->type, "patch")) {
        const char *peer_name = smap_get(&pb->options, "peer");
        const struct sbrec_port_binding *peer
            = peer_name ? pg_find_patch(ctx, peer_name) : NULL;
        return (peer && peer->datapath
                && local_datapaths_find(ctx->lds,
                                        peer->datapath->tunnel_key));
    }
    return pg_localnet_ofport(ctx, pb) != 0;
}

/* Returns true if a change of 'pb' changes more than its own flows: the
 * local datapaths, redirects or multicast members. */
bool
physical_gateway_needs_recompute(const struct sbrec_port_binding *pb)
{
    return (!strcmp(pb->type, "patch") || !strcmp(pb->type, "localnet")
            || pb->n_gateway_chassis);
}

/* --- Redirects ---------------------------------------------------------- */

/* The flows of redirect key 'rkey' of router 'dp' whose chassis list is
 * ('prios', 'names', 'n'), with 'cookie'. */
static void
pg_redirect(const struct physical_ctx *ctx,
            const struct sbrec_datapath_binding *dp, uint32_t rkey,
            const int64_t *prios, char **names, size_t n, uint32_t cookie,
            const char **activep)
{
    const struct local_datapath *ld
        = local_datapaths_find(ctx->lds, dp->tunnel_key);
    const char *self = ctx->chassis->name;
    const char *active = gateway_active_chassis(ctx->sb_idl, prios, names, n,
                                                self, ctx->tunnels);
    uint32_t zone = pg_router_zone(ctx, dp);
    unsigned int egress = local_datapath_stage_oftable(ld, P_EGRESS, 0);
    *activep = active;

    if (active && !strcmp(active, self)) {
        pg_add(ctx->desired, cookie, "table=%d,priority=100,"
               "metadata=%#"PRIx64","REG_OUTPORT"=%#"PRIx32",actions="
               "set_field:%#"PRIx32"->"REG_CT_ZONE",resubmit(,%u)",
               OFTABLE_PHY_OUT_REMOTE, dp->tunnel_key, rkey, zone, egress);
    } else if (active) {
        int tunnel = encaps_ports_find(ctx->tunnels, active, 0,
                                       ENCAPS_DSCP_INHERIT);
        if (tunnel) {
            pg_add(ctx->desired, cookie, "table=%d,priority=100,"
                   "metadata=%#"PRIx64","REG_OUTPORT"=%#"PRIx32",actions="
                   "set_field:%#"PRIx64"->tun_id,"
                   "move:NXM_NX_REG15[0..15]->NXM_NX_TUN_METADATA0[0..15],"
                   "move:NXM_NX_REG14[0..14]->NXM_NX_TUN_METADATA0[16..30],"
                   "move:NXM_NX_REG9[0..7]->NXM_NX_TUN_METADATA0[32..39],"
                   "load:%d->"REG_CHASSIS",resubmit(,%d)",
                   OFTABLE_PHY_OUT_REMOTE, dp->tunnel_key, rkey,
                   dp->tunnel_key, tunnel, OFTABLE_PHY_LANE);
        }
    } else {
        pg_add(ctx->desired, cookie, "table=%d,priority=100,"
               "metadata=%#"PRIx64","REG_OUTPORT"=%#"PRIx32",actions=drop",
               OFTABLE_PHY_OUT_REMOTE, dp->tunnel_key, rkey);
    }
    /* From a tunnel: this chassis was chosen by the sender. */
    pg_add(ctx->desired, cookie, "table=%d,priority=100,metadata=%#"PRIx64","
           REG_OUTPORT"=%#"PRIx32",actions=set_field:%#"PRIx32"->"REG_CT_ZONE","
           "resubmit(,%u)", OFTABLE_PHY_OUT_LOCAL, dp->tunnel_key, rkey,
           zone, egress);
}

/* Drops, at delivery to the localnet ports of the switch beyond gateway
 * port 'gw', frames from 'mac' unless this chassis is 'active'. */
static void
pg_gate_mac(const struct physical_ctx *ctx,
            const struct sbrec_port_binding *gw, const struct eth_addr mac,
            const char *active)
{
    if (active && !strcmp(active, ctx->chassis->name)) {
        return;
    }
    const char *peer_name = smap_get(&gw->options, "peer");
    const struct sbrec_port_binding *peer
        = peer_name ? pg_find_patch(ctx, peer_name) : NULL;
    if (!peer || !peer->datapath) {
        return;
    }
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, ctx->sb_idl) {
        if (pb->datapath == peer->datapath && pg_localnet_ofport(ctx, pb)) {
            pg_add(ctx->desired, gw->header_.uuid.parts[0],
                   "table=%d,priority=120,metadata=%#"PRIx64","
                   REG_OUTPORT"=%#"PRIx64",dl_src="ETH_ADDR_FMT","
                   "actions=drop", OFTABLE_PHY_DELIVER,
                   pb->datapath->tunnel_key, pb->tunnel_key,
                   ETH_ADDR_ARGS(mac));
        }
    }
}

/* Compares SB Rampout rows by name, for qsort(). */
static int
pg_rampout_cmp(const void *a_, const void *b_)
{
    const struct sbrec_rampout *const *a = a_, *const *b = b_;
    return rampout_name_cmp((*a)->name, (*b)->name);
}

/* The MAC bindings of router 'dp'. */
static void
pg_mac_bindings(const struct physical_ctx *ctx,
                const struct sbrec_datapath_binding *dp)
{
    const struct local_datapath *ld
        = local_datapaths_find(ctx->lds, dp->tunnel_key);
    const struct pipeline_stage_info *resolve
        = pipeline_stage_info(S_ROUTER_INGRESS_ARP_RESOLVE);
    const struct pipeline_stage_info *redirect
        = pipeline_stage_info(S_ROUTER_INGRESS_GW_REDIRECT);
    const struct sbrec_mac_binding *mb;
    SBREC_MAC_BINDING_FOR_EACH (mb, ctx->sb_idl) {
        if (mb->datapath != dp) {
            continue;
        }
        const struct sbrec_port_binding *pb = pg_find_patch(ctx,
                                                            mb->logical_port);
        ovs_be32 ip;
        struct in6_addr ip6;
        struct eth_addr mac;
        if (!pb || pb->datapath != dp
            || !eth_addr_from_string(mb->mac, &mac)) {
            continue;
        }
        /* The next hop is in reg0 (IPv4) or xxreg0 (IPv6). */
        struct ds nexthop = DS_EMPTY_INITIALIZER;
        if (ip_parse(mb->ip, &ip)) {
            ds_put_format(&nexthop, "ip,reg0=%#"PRIx32, ntohl(ip));
        } else if (ipv6_parse(mb->ip, &ip6)) {
            ds_put_cstr(&nexthop, "ipv6,xxreg0=0x");
            for (int i = 0; i < 16; i++) {
                ds_put_format(&nexthop, "%02x", ip6.s6_addr[i]);
            }
        } else {
            continue;
        }
        unsigned int next = (pb->n_gateway_chassis
                             ? local_datapath_stage_oftable(
                                 ld, P_INGRESS, redirect->table_id)
                             : OFTABLE_PHY_OUT_REMOTE);
        pg_add(ctx->desired, mb->header_.uuid.parts[0], "table=%u,"
               "priority=50,metadata=%#"PRIx64","REG_OUTPORT"=%#"PRIx64","
               "%s,actions=set_field:"ETH_ADDR_FMT"->eth_dst,"
               "resubmit(,%u)", OFTABLE_INGRESS + resolve->table_id,
               dp->tunnel_key, pb->tunnel_key, ds_cstr(&nexthop),
               ETH_ADDR_ARGS(mac), next);
        ds_destroy(&nexthop);
    }
}

/* The redirects and MAC bindings of local router 'dp', as owner
 * (DESIRED_GATEWAY, the datapath's UUID). */
static void
pg_router(const struct physical_ctx *ctx,
          const struct sbrec_datapath_binding *dp)
{
    desired_begin(ctx->desired, DESIRED_GATEWAY, &dp->header_.uuid);
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, ctx->sb_idl) {
        if (pb->datapath != dp || !pb->n_gateway_chassis
            || pb->tunnel_key > RAMPOUT_MAX_PORT_KEY || !ctx->chassis) {
            continue;
        }
        const char *active;
        pg_redirect(ctx, dp, rampout_port_redirect_key(pb->tunnel_key),
                    pb->key_gateway_chassis, pb->value_gateway_chassis,
                    pb->n_gateway_chassis, pb->header_.uuid.parts[0],
                    &active);
        struct eth_addr mac;
        if (pb->n_mac && eth_addr_from_string(pb->mac[0], &mac)) {
            pg_gate_mac(ctx, pb, mac, active);
        }
    }

    /* Ramp-out rules, numbered by name. */
    size_t n = 0, allocated = 0;
    const struct sbrec_rampout **rules = NULL;
    const struct sbrec_rampout *r;
    SBREC_RAMPOUT_FOR_EACH (r, ctx->sb_idl) {
        if (r->datapath == dp) {
            if (n >= allocated) {
                rules = x2nrealloc(rules, &allocated, sizeof *rules);
            }
            rules[n++] = r;
        }
    }
    if (n) {
        qsort(rules, n, sizeof *rules, pg_rampout_cmp);
    }
    for (size_t i = 0; i < n && i < RAMPOUT_MAX_RULES && ctx->chassis; i++) {
        r = rules[i];
        const char *active;
        pg_redirect(ctx, dp, rampout_rule_redirect_key(i + 1),
                    r->key_gateway_chassis, r->value_gateway_chassis,
                    r->n_gateway_chassis, r->header_.uuid.parts[0], &active);
        SBREC_PORT_BINDING_FOR_EACH (pb, ctx->sb_idl) {
            if (pb->datapath == dp && pb->n_gateway_chassis) {
                pg_gate_mac(ctx, pb,
                            rampout_rule_mac(dp->tunnel_key, i + 1), active);
            }
        }
    }
    free(rules);
    pg_mac_bindings(ctx, dp);
    desired_end(ctx->desired);
}

/* Builds the redirects and MAC bindings of every local router. */
void
physical_gateway_run(const struct physical_ctx *ctx)
{
    const struct local_datapath *ld;
    HMAP_FOR_EACH (ld, node, &ctx->lds->map) {
        if (ld->type == DP_ROUTER && ld->dp) {
            const struct sbrec_datapath_binding *dp
                = sbrec_datapath_binding_get_for_uuid(ctx->sb_idl,
                                                      &ld->uuid);
            if (dp) {
                pg_router(ctx, dp);
            }
        }
    }
}
