#include <config.h>

#include "controller/physical.h"

#include <stdint.h>
#include <string.h>

#include "controller/binding.h"
#include "controller/desired.h"
#include "controller/encaps.h"
#include "controller/inc-engine.h"
#include "controller/local-datapaths.h"
#include "controller/physical-gateway.h"
#include "controller/pinctrl.h"
#include "controller/pinctrl-svc-monitor.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"

#include "openvswitch/dynamic-string.h"
#include "openvswitch/shash.h"
#include "flow.h"
#include "openvswitch/vlog.h"
#include "simap.h"
#include "util.h"
#include "uuidset.h"

VLOG_DEFINE_THIS_MODULE(physical);

/* Actions that put the logical ports and colour into the Geneve option
 * and the datapath key into the VNI. */
#define PHYSICAL_ENCAP_FMT                                              \
    "set_field:%#"PRIx64"->tun_id,"                                     \
    "move:NXM_NX_REG15[0..15]->NXM_NX_TUN_METADATA0[0..15],"            \
    "move:NXM_NX_REG14[0..14]->NXM_NX_TUN_METADATA0[16..30],"           \
    "move:NXM_NX_REG9[0..7]->NXM_NX_TUN_METADATA0[32..39],"

/* Adds 'flow' (formatted like printf) with 'cookie' to the owner being
 * built in 'desired'; logs a flow that does not parse. */
static void OVS_PRINTF_FORMAT(3, 4)
physical_add(struct desired *desired, uint32_t cookie,
             const char *format, ...)
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

/* Returns the OpenFlow port of the lane-0 tunnel to 'chassis' (the one
 * that inherits the DSCP), which also identifies the chassis in
 * REG_CHASSIS, or 0 if there is none. */
static int
physical_tunnel(const struct physical_ctx *ctx,
                const struct sbrec_chassis *chassis)
{
    if (!chassis || chassis == ctx->chassis) {
        return 0;
    }
    return encaps_ports_find(ctx->tunnels, chassis->name, 0,
                             ENCAPS_DSCP_INHERIT);
}

/* Appends to 's' the actions that send the packet to the chassis whose
 * lane-0 tunnel is 'tunnel': the lane table picks the tunnel of the
 * packet's colour. */
static void
physical_put_to_chassis(struct ds *s, int tunnel)
{
    ds_put_format(s, "load:%d->"REG_CHASSIS",resubmit(,%d),", tunnel,
                  OFTABLE_PHY_LANE);
}

/* Returns true if colours are promoted dynamically (the southbound
 * database has a Color_Promotion): packets from local ports then look up
 * the colour of their connection in table 9 first. */
static bool
physical_dynamic_colors(const struct physical_ctx *ctx)
{
    return sbrec_color_promotion_first(ctx->sb_idl) != NULL;
}

/* Flows for one local logical port. */
static void
physical_local_port(const struct physical_ctx *ctx,
                    const struct binding_lport *bl, int zone,
                    struct desired *flows)
{
    const struct sbrec_port_binding *pb = bl->pb;
    const struct local_datapath *ld
        = local_datapaths_find(ctx->lds, pb->datapath->tunnel_key);
    uint32_t cookie = pb->header_.uuid.parts[0];
    int64_t dp = pb->datapath->tunnel_key;
    int64_t key = pb->tunnel_key;
    bool secured = pb->n_port_security > 0;

    /* Physical ingress sets, and output to the port sets or clears, the
     * flags that the switch's port security drops match. */
    if (pb->enabled) {
        char conn_colors[32] = "";
        if (physical_dynamic_colors(ctx)) {
            snprintf(conn_colors, sizeof conn_colors, "resubmit(,%d),",
                     OFTABLE_COLOR_CONN);
        }
        physical_add(flows, cookie, "table=%d,priority=100,in_port=%d,"
                     "actions=set_field:%#"PRIx64"->metadata,"
                     "set_field:%#"PRIx64"->"REG_INPORT","
                     "set_field:%d->"REG_CT_ZONE",%s%sresubmit(,%u)",
                     OFTABLE_PHY_IN, ofp_to_u16(bl->ofport), dp, key, zone,
                     secured ? "load:1->"REG_FLAGS"["
                               OVS_STRINGIZE(MLF_INPORT_SECURED_BIT)"],"
                             : "",
                     conn_colors,
                     local_datapath_stage_oftable(ld, P_INGRESS, 0));
    }
    physical_add(flows, cookie, "table=%d,priority=100,metadata=%#"PRIx64","
                 REG_OUTPORT"=%#"PRIx64",actions=set_field:%d->"
                 REG_CT_ZONE",load:%d->"REG_FLAGS"[%d],resubmit(,%u)",
                 OFTABLE_PHY_OUT_LOCAL, dp, key, zone, secured,
                 MLF_OUTPORT_SECURED_BIT,
                 local_datapath_stage_oftable(ld, P_EGRESS, 0));
    physical_add(flows, cookie, "table=%d,priority=110,metadata=%#"PRIx64","
                 REG_INPORT"=%#"PRIx64","REG_OUTPORT"=%#"PRIx64","
                 REG_FLAGS"=0/%#x,actions=drop", OFTABLE_PHY_DELIVER,
                 dp, key, key, 1u << MLF_ALLOW_LOOPBACK_BIT);
    physical_add(flows, cookie, "table=%d,priority=100,metadata=%#"PRIx64","
                 REG_OUTPORT"=%#"PRIx64",actions=load:0->NXM_OF_IN_PORT[],"
                 "output:%d", OFTABLE_PHY_DELIVER, dp, key,
                 ofp_to_u16(bl->ofport));
    svc_monitors_add_port_flows(ctx->sb_idl, bl, cookie, flows);
}

/* qsort() comparison of ints. */
static int
physical_int_cmp(const void *a_, const void *b_)
{
    const int *a = a_, *b = b_;

    return *a < *b ? -1 : *a > *b;
}

/* Appends the actions that send the packet to every other chassis to
 * 's', in order of their lane-0 tunnels' OpenFlow ports. */
static void
physical_put_all_tunnels(const struct physical_ctx *ctx, struct ds *s)
{
    size_t n = hmap_count(&ctx->tunnels->map);
    int *ofports = xmalloc((n + 1) * sizeof *ofports);
    const struct encaps_port *p;
    size_t i = 0;

    HMAP_FOR_EACH (p, node, &ctx->tunnels->map) {
        if (!p->lane && p->dscp == ENCAPS_DSCP_INHERIT) {
            ofports[i++] = p->ofport;
        }
    }
    n = i;
    qsort(ofports, n, sizeof *ofports, physical_int_cmp);
    for (i = 0; i < n; i++) {
        physical_put_to_chassis(s, ofports[i]);
    }
    free(ofports);
}

/* Flow for a port of a local datapath that is bound on another chassis,
 * or on none that this chassis knows of yet.  An unbound port's packets
 * go to every chassis (the one that has just bound it delivers, the
 * others drop), so that a binding made elsewhere works before its news
 * arrives here.  Only VIF ports (empty type) are treated so. */
static void
physical_remote_port(const struct physical_ctx *ctx,
                     const struct sbrec_port_binding *pb,
                     struct desired *flows)
{
    struct ds outputs = DS_EMPTY_INITIALIZER;

    if (pb->chassis) {
        int tunnel = physical_tunnel(ctx, pb->chassis);
        if (tunnel) {
            physical_put_to_chassis(&outputs, tunnel);
        }
    } else if (!pb->type[0]) {
        physical_put_all_tunnels(ctx, &outputs);
    }
    if (outputs.length) {
        ds_chomp(&outputs, ',');
        physical_add(flows, pb->header_.uuid.parts[0],
                     "table=%d,priority=100,metadata=%#"PRIx64","
                     REG_OUTPORT"=%#"PRIx64",actions="PHYSICAL_ENCAP_FMT
                     "%s", OFTABLE_PHY_OUT_REMOTE,
                     pb->datapath->tunnel_key, pb->tunnel_key,
                     pb->datapath->tunnel_key, ds_cstr(&outputs));
    }
    ds_destroy(&outputs);
}

/* Flows for a multicast group of a local datapath. */
static void
physical_mcgroup(const struct physical_ctx *ctx,
                 const struct sbrec_multicast_group *mg,
                 struct desired *flows)
{
    const struct local_datapath *ld
        = local_datapaths_find(ctx->lds, mg->datapath->tunnel_key);
    unsigned int egress = local_datapath_stage_oftable(ld, P_EGRESS, 0);
    int64_t dp = mg->datapath->tunnel_key;
    struct ds local = DS_EMPTY_INITIALIZER;
    struct ds remote = DS_EMPTY_INITIALIZER;
    struct shash seen = SHASH_INITIALIZER(&seen);

    for (size_t i = 0; i < mg->n_ports; i++) {
        const struct sbrec_port_binding *pb = mg->ports[i];
        if (shash_find(&ctx->bindings->lports, pb->logical_port)
            || physical_gateway_local_member(ctx, pb)) {
            /* Each member's copy carries that member's port security
             * flag into egress. */
            ds_put_format(&local, "clone(set_field:%#"PRIx64"->"
                          REG_OUTPORT",load:%d->"REG_FLAGS"[%d],"
                          "resubmit(,%u)),", pb->tunnel_key,
                          pb->n_port_security > 0, MLF_OUTPORT_SECURED_BIT,
                          egress);
        } else {
            int tunnel = physical_tunnel(ctx, pb->chassis);
            if (tunnel && shash_add_once(&seen, pb->chassis->name, NULL)) {
                physical_put_to_chassis(&remote, tunnel);
            }
        }
    }
    shash_destroy(&seen);

    uint32_t cookie = mg->header_.uuid.parts[0];
    if (remote.length) {
        physical_add(flows, cookie, "table=%d,priority=100,"
                     "metadata=%#"PRIx64","REG_OUTPORT"=%#"PRIx64","
                     REG_FLAGS"=0/%#x,actions="PHYSICAL_ENCAP_FMT
                     "%sresubmit(,%d)", OFTABLE_PHY_OUT_REMOTE, dp,
                     mg->tunnel_key, 1u << MLF_FROM_TUNNEL_BIT, dp,
                     ds_cstr(&remote), OFTABLE_PHY_OUT_LOCAL);
    }
    if (local.length) {
        ds_chomp(&local, ',');
        physical_add(flows, cookie, "table=%d,priority=100,"
                     "metadata=%#"PRIx64","REG_OUTPORT"=%#"PRIx64
                     ",actions=%s", OFTABLE_PHY_OUT_LOCAL, dp,
                     mg->tunnel_key, ds_cstr(&local));
    }
    ds_destroy(&local);
    ds_destroy(&remote);
}

/* Adds the lane table's flows for packets to chassis 'ch', whose lane-0
 * tunnel is 'tunnel': a packet of a colour that has a lane other than 0,
 * a DSCP or a meter goes, through the meter, to the tunnel of that lane
 * (lane 0 if the chassis pair has no such lane) that marks that DSCP;
 * any other packet to the lane-0 tunnel, which inherits the inner
 * DSCP. */
static void
physical_lanes(const struct physical_ctx *ctx,
               const struct sbrec_chassis *ch, int tunnel)
{
    uint32_t cookie = ch->header_.uuid.parts[0];

    physical_add(ctx->desired, cookie, "table=%d,priority=100,"
                 REG_CHASSIS"=%d,actions=output:%d", OFTABLE_PHY_LANE,
                 tunnel, tunnel);

    const struct sbrec_color *color;
    SBREC_COLOR_FOR_EACH (color, ctx->sb_idl) {
        int dscp = color->n_dscp ? *color->dscp : ENCAPS_DSCP_INHERIT;
        bool metered = color->n_meter_rate && *color->meter_rate > 0;
        if (!color->lane && dscp == ENCAPS_DSCP_INHERIT && !metered) {
            continue;
        }
        int port = encaps_ports_find(ctx->tunnels, ch->name, color->lane,
                                     dscp);
        if (!port) {
            /* The pair has no such lane: lane 0, with the colour's
             * DSCP. */
            port = encaps_ports_find(ctx->tunnels, ch->name, 0, dscp);
        }
        if (!port) {
            port = tunnel;
        }
        struct ds meter = DS_EMPTY_INITIALIZER;
        if (metered) {
            ds_put_format(&meter, "meter:%"PRId64",",
                          PHYSICAL_COLOR_METER_BASE + color->color_id);
        }
        physical_add(ctx->desired, cookie, "table=%d,priority=110,"
                     REG_CHASSIS"=%d,"REG_COLOR"=%"PRId64"/%#x,"
                     "actions=%soutput:%d", OFTABLE_PHY_LANE, tunnel,
                     color->color_id, PIPELINE_COLOR_MASK, ds_cstr(&meter),
                     port);
        ds_destroy(&meter);
    }
}

/* The flows of chassis 'ch', as owner (DESIRED_CHASSIS, its UUID): what
 * receives from its tunnels (every lane and DSCP) and what sends to it
 * (the lane table). */
static void
physical_tunnel_in(const struct physical_ctx *ctx,
                   const struct sbrec_chassis *ch)
{
    int tunnel = physical_tunnel(ctx, ch);
    char learn_colors[32] = "";
    if (physical_dynamic_colors(ctx)) {
        snprintf(learn_colors, sizeof learn_colors, "resubmit(,%d),",
                 OFTABLE_COLOR_LEARN);
    }

    desired_begin(ctx->desired, DESIRED_CHASSIS, &ch->header_.uuid);
    if (tunnel) {
        const struct encaps_port *p;
        HMAP_FOR_EACH (p, node, &ctx->tunnels->map) {
            if (strcmp(p->chassis, ch->name)) {
                continue;
            }
            physical_add(ctx->desired, ch->header_.uuid.parts[0],
                         "table=%d,priority=100,in_port=%d,actions="
                         "move:NXM_NX_TUN_ID[0..23]->OXM_OF_METADATA[0..23],"
                         "move:NXM_NX_TUN_METADATA0[0..15]->"
                         "NXM_NX_REG15[0..15],"
                         "move:NXM_NX_TUN_METADATA0[16..30]->"
                         "NXM_NX_REG14[0..14],"
                         "move:NXM_NX_TUN_METADATA0[32..39]->"
                         "NXM_NX_REG9[0..7],"
                         "load:1->NXM_NX_REG10[%d],%sresubmit(,%d)",
                         OFTABLE_PHY_IN, p->ofport, MLF_FROM_TUNNEL_BIT,
                         learn_colors, OFTABLE_PHY_OUT_LOCAL);
        }
        physical_lanes(ctx, ch, tunnel);
    }
    desired_end(ctx->desired);
}

/* Adds to the owner being built the flows of table 8 for colour 'color',
 * if some Color_Promotion promotes to it: a TCP or UDP packet of that
 * colour that arrives from a tunnel (its connection was promoted on the
 * sending host) teaches table 9 to give the packets of the other
 * direction the same colour, for as long as the connection carries
 * traffic ('Color_Promotion:idle', by default PHYSICAL_COLOR_IDLE).  The
 * packet does not say which rule promoted it, so when several rules
 * promote to the colour the learnt flows live the shortest of their idle
 * times: none outlives the demotion of a connection (the next packet of a
 * connection still promoted teaches it again), which a longer time would
 * do, since the host that promoted also learns its own direction back
 * from the replies. */
static void
physical_color_learn(const struct physical_ctx *ctx,
                     const struct sbrec_color *color)
{
    int64_t idle = -1;
    const struct sbrec_color_promotion *cp;
    SBREC_COLOR_PROMOTION_FOR_EACH (cp, ctx->sb_idl) {
        if (cp->to_color == color) {
            int64_t rule_idle = cp->n_idle ? *cp->idle : PHYSICAL_COLOR_IDLE;
            idle = idle < 0 ? rule_idle : MIN(idle, rule_idle);
        }
    }
    if (idle < 0) {
        return;
    }
    static const struct {
        const char *proto, *src, *dst, *tp;
    } kinds[] = {
        { "tcp", "NXM_OF_IP_SRC[]", "NXM_OF_IP_DST[]", "TCP" },
        { "udp", "NXM_OF_IP_SRC[]", "NXM_OF_IP_DST[]", "UDP" },
        { "tcp6", "NXM_NX_IPV6_SRC[]", "NXM_NX_IPV6_DST[]", "TCP" },
        { "udp6", "NXM_NX_IPV6_SRC[]", "NXM_NX_IPV6_DST[]", "UDP" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
        bool v6 = strchr(kinds[i].proto, '6') != NULL;
        physical_add(ctx->desired, color->header_.uuid.parts[0],
                     "table=%d,priority=100,%s,"REG_COLOR"=%"PRId64"/%#x,"
                     "actions=learn(table=%d,idle_timeout=%"PRId64","
                     "priority=100,cookie=%#x,OXM_OF_METADATA[],"
                     "eth_type=%s,nw_proto=%d,%s=%s,%s=%s,"
                     "NXM_OF_%s_SRC[]=NXM_OF_%s_DST[],"
                     "NXM_OF_%s_DST[]=NXM_OF_%s_SRC[],"
                     "load:%"PRId64"->NXM_NX_REG9[0..7])",
                     OFTABLE_COLOR_LEARN, kinds[i].proto, color->color_id,
                     PIPELINE_COLOR_MASK, OFTABLE_COLOR_CONN, idle,
                     PHYSICAL_COLOR_LEARN_COOKIE,
                     v6 ? "0x86dd" : "0x800",
                     !strncmp(kinds[i].proto, "tcp", 3) ? 6 : 17,
                     kinds[i].src, kinds[i].dst, kinds[i].dst, kinds[i].src,
                     kinds[i].tp, kinds[i].tp, kinds[i].tp, kinds[i].tp,
                     color->color_id);
    }
}

/* The meter of a colour that has a rate, as owner (DESIRED_COLOR, the
 * colour's UUID): a drop band at the colour's rate (kb/s) and burst; and,
 * for a colour that connections are promoted to, its table-8 flows. */
static void
physical_color(const struct physical_ctx *ctx, const struct sbrec_color *color)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

    desired_begin(ctx->desired, DESIRED_COLOR, &color->header_.uuid);
    physical_color_learn(ctx, color);
    if (color->n_meter_rate && *color->meter_rate > 0) {
        char *spec = (color->n_meter_burst && *color->meter_burst > 0
                      ? xasprintf("kbps,burst,bands=type=drop,rate=%"PRId64
                                  ",burst_size=%"PRId64, *color->meter_rate,
                                  *color->meter_burst)
                      : xasprintf("kbps,bands=type=drop,rate=%"PRId64,
                                  *color->meter_rate));
        char *error = desired_add_meter(ctx->desired,
                                        PHYSICAL_COLOR_METER_BASE
                                        + color->color_id, spec);
        if (error) {
            VLOG_WARN_RL(&rl, "colour %s: %s", color->name, error);
            free(error);
        }
        free(spec);
    }
    desired_end(ctx->desired);
}

/* The flows of port binding 'pb', as owner (DESIRED_PORT, its UUID):
 * those of a local port, or of a port of a local datapath bound
 * elsewhere, or none. */
static void
physical_port(const struct physical_ctx *ctx,
              const struct sbrec_port_binding *pb)
{
    desired_begin(ctx->desired, DESIRED_PORT, &pb->header_.uuid);
    const struct binding_lport *bl = shash_find_data(&ctx->bindings->lports,
                                                     pb->logical_port);
    if (bl && bl->pb == pb) {
        physical_local_port(ctx, bl, simap_get(ctx->ct_zones,
                                               pb->logical_port),
                            ctx->desired);
    } else if (physical_gateway_port(ctx, pb)) {
        /* A patch or localnet port (physical-gateway.h). */
    } else if (pb->datapath && pb->chassis != ctx->chassis
               && local_datapaths_find(ctx->lds, pb->datapath->tunnel_key)) {
        physical_remote_port(ctx, pb, ctx->desired);
    }
    desired_end(ctx->desired);
}

/* The flows of multicast group 'mg', as owner (DESIRED_MCGROUP, its
 * UUID), if its datapath is local. */
static void
physical_mcgroup_owner(const struct physical_ctx *ctx,
                       const struct sbrec_multicast_group *mg)
{
    desired_begin(ctx->desired, DESIRED_MCGROUP, &mg->header_.uuid);
    if (mg->datapath
        && local_datapaths_find(ctx->lds, mg->datapath->tunnel_key)) {
        physical_mcgroup(ctx, mg, ctx->desired);
    }
    desired_end(ctx->desired);
}

/* The controller's own flows and meters, as owner (DESIRED_STATIC,
 * all-zeros UUID): each physical table's default, and the meters of the
 * packet-in handlers. */
static void
physical_static(const struct physical_ctx *ctx)
{
    struct desired *d = ctx->desired;

    desired_begin(d, DESIRED_STATIC, &UUID_ZERO);
    physical_add(d, 0, "table=%d,priority=0,actions=drop", OFTABLE_PHY_IN);
    physical_add(d, 0, "table=%d,priority=0,actions=resubmit(,%d)",
                 OFTABLE_PHY_OUT_REMOTE, OFTABLE_PHY_OUT_LOCAL);
    physical_add(d, 0, "table=%d,priority=0,actions=drop",
                 OFTABLE_PHY_OUT_LOCAL);
    physical_add(d, 0, "table=%d,priority=0,actions=drop",
                 OFTABLE_PHY_DELIVER);
    physical_add(d, 0, "table=%d,priority=0,actions=drop",
                 OFTABLE_PHY_LANE);
    pinctrl_add_meters(d);
    desired_end(d);
}

/* The physical node's recompute: every physical flow. */
void
physical_run(struct engine_node *node, const struct physical_ctx *ctx)
{
    const uint32_t kinds = (DESIRED_KIND_BIT(DESIRED_STATIC)
                            | DESIRED_KIND_BIT(DESIRED_PORT)
                            | DESIRED_KIND_BIT(DESIRED_MCGROUP)
                            | DESIRED_KIND_BIT(DESIRED_CHASSIS)
                            | DESIRED_KIND_BIT(DESIRED_COLOR)
                            | DESIRED_KIND_BIT(DESIRED_GATEWAY));

    desired_sweep_begin(ctx->desired, kinds);
    physical_static(ctx);
    physical_gateway_run(ctx);

    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH (pb, ctx->sb_idl) {
        physical_port(ctx, pb);
    }
    const struct sbrec_multicast_group *mg;
    SBREC_MULTICAST_GROUP_FOR_EACH (mg, ctx->sb_idl) {
        physical_mcgroup_owner(ctx, mg);
    }
    const struct sbrec_chassis *ch;
    SBREC_CHASSIS_FOR_EACH (ch, ctx->sb_idl) {
        physical_tunnel_in(ctx, ch);
    }
    const struct sbrec_color *color;
    SBREC_COLOR_FOR_EACH (color, ctx->sb_idl) {
        physical_color(ctx, color);
    }
    desired_sweep_end(ctx->desired, kinds);
    node->changed = true;
}

/* Rebuilds the multicast groups of the datapath with key 'dp_key'. */
static void
physical_rebuild_mcgroups(const struct physical_ctx *ctx, int64_t dp_key)
{
    const struct sbrec_multicast_group *mg;
    SBREC_MULTICAST_GROUP_FOR_EACH (mg, ctx->sb_idl) {
        if (mg->datapath && mg->datapath->tunnel_key == dp_key) {
            physical_mcgroup_owner(ctx, mg);
        }
    }
}

/* Rebuilds the flows of port binding 'uuid' (removes them if the row is
 * gone) and notes its datapath in 'dps'. */
static void
physical_rebuild_port(const struct physical_ctx *ctx, const struct uuid *uuid,
                      struct hmapx *dps)
{
    const struct sbrec_port_binding *pb
        = sbrec_port_binding_get_for_uuid(ctx->sb_idl, uuid);
    if (pb && !sbrec_port_binding_is_deleted(pb)) {
        physical_port(ctx, pb);
        if (pb->datapath) {
            hmapx_add(dps, CONST_CAST(struct sbrec_datapath_binding *,
                                      pb->datapath));
        }
    } else {
        desired_remove(ctx->desired, DESIRED_PORT, uuid);
    }
}

/* Rebuilds the multicast groups of every datapath in 'dps' (a set of
 * "struct sbrec_datapath_binding"s) that this pass has not rebuilt yet:
 * their copies to local members and to other chassis depend on where
 * each member is bound. */
static void
physical_rebuild_dps_mcgroups(struct engine_node *node,
                              const struct physical_ctx *ctx,
                              const struct hmapx *dps)
{
    struct physical_data *data = node->data;
    struct hmapx_node *hn;
    HMAPX_FOR_EACH (hn, dps) {
        const struct sbrec_datapath_binding *dp = hn->data;
        if (hmapx_add(&data->mcgroup_dps, hn->data)) {
            physical_rebuild_mcgroups(ctx, dp->tunnel_key);
        }
    }
}

/* Returns the physical node's data. */
struct physical_data *
physical_data_create(void)
{
    struct physical_data *data = xmalloc(sizeof *data);
    hmapx_init(&data->mcgroup_dps);
    return data;
}

void
physical_data_destroy(struct physical_data *data)
{
    if (data) {
        hmapx_destroy(&data->mcgroup_dps);
        free(data);
    }
}

/* Forgets what the last pass rebuilt. */
void
physical_clear_tracked(struct engine_node *node)
{
    struct physical_data *data = node->data;
    hmapx_clear(&data->mcgroup_dps);
}

/* The physical node's handler of runtime changes: the flows of each port
 * binding that changed locally, and the multicast groups of their
 * datapaths.  A change of the local datapaths recomputes. */
bool
physical_handle_runtime(struct engine_node *node,
                        const struct physical_ctx *ctx,
                        const struct uuidset *changed_pbs, bool lds_changed)
{
    if (lds_changed) {
        return false;
    }
    struct hmapx dps = HMAPX_INITIALIZER(&dps);
    const struct uuidset_node *u;
    UUIDSET_FOR_EACH (u, changed_pbs) {
        physical_rebuild_port(ctx, &u->uuid, &dps);
        node->changed = true;
    }
    physical_rebuild_dps_mcgroups(node, ctx, &dps);
    hmapx_destroy(&dps);
    return true;
}

/* The physical node's handler of port binding changes. */
bool
physical_handle_port_bindings(struct engine_node *node,
                              const struct physical_ctx *ctx)
{
    const struct sbrec_port_binding *pb;
    SBREC_PORT_BINDING_FOR_EACH_TRACKED (pb, ctx->sb_idl) {
        if (physical_gateway_needs_recompute(pb)
            && !binding_pb_change_is_nat_addresses(pb)) {
            return false;
        }
    }

    struct hmapx dps = HMAPX_INITIALIZER(&dps);
    SBREC_PORT_BINDING_FOR_EACH_TRACKED (pb, ctx->sb_idl) {
        const struct binding_lport *bl
            = shash_find_data(&ctx->bindings->lports, pb->logical_port);
        if (bl && bl->pb == pb
            && binding_pb_change_is_echo(pb, ctx->chassis)) {
            /* The echo of this chassis' own claim of a local port: its
             * flows, and its copies in its multicast groups, depend on
             * its binding here, not on the chassis column, and were built
             * when it became local. */
            continue;
        }
        if (binding_pb_change_is_nat_addresses(pb)) {
            /* Only the gateway announcements read them. */
            continue;
        }
        if (sbrec_port_binding_is_deleted(pb)) {
            /* Its multicast groups change too, in rows of their own. */
            desired_remove(ctx->desired, DESIRED_PORT, &pb->header_.uuid);
        } else {
            physical_rebuild_port(ctx, &pb->header_.uuid, &dps);
        }
        node->changed = true;
    }
    physical_rebuild_dps_mcgroups(node, ctx, &dps);
    hmapx_destroy(&dps);
    return true;
}

/* Returns true if 'mg' changed in a column of its own (or is new or
 * deleted).  The client library also reports a row as changed when a row
 * it names changed: a multicast group, when one of its port bindings did,
 * which the port bindings' handler deals with. */
static bool
physical_mcgroup_row_changed(const struct sbrec_multicast_group *mg)
{
    if (sbrec_multicast_group_is_new(mg)
        || sbrec_multicast_group_is_deleted(mg)) {
        return true;
    }
    for (size_t i = 0; i < SBREC_MULTICAST_GROUP_N_COLUMNS; i++) {
        if (sbrec_multicast_group_is_updated(mg, i)) {
            return true;
        }
    }
    return false;
}

/* The physical node's handler of multicast group changes. */
bool
physical_handle_mcgroups(struct engine_node *node,
                         const struct physical_ctx *ctx)
{
    const struct physical_data *data = node->data;
    const struct sbrec_multicast_group *mg;

    SBREC_MULTICAST_GROUP_FOR_EACH_TRACKED (mg, ctx->sb_idl) {
        if (sbrec_multicast_group_is_deleted(mg)) {
            desired_remove(ctx->desired, DESIRED_MCGROUP, &mg->header_.uuid);
        } else if (!physical_mcgroup_row_changed(mg)
                   || (mg->datapath
                       && hmapx_contains(&data->mcgroup_dps,
                                         mg->datapath))) {
            /* Nothing of its own changed, or this pass rebuilt it from
             * its current row already. */
            continue;
        } else {
            physical_mcgroup_owner(ctx, mg);
        }
        node->changed = true;
    }
    return true;
}
