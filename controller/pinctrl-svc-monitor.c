#include <config.h>

#include "controller/pinctrl-svc-monitor.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "controller/binding.h"
#include "controller/desired.h"
#include "controller/pinctrl.h"
#include "controller/svc-probe.h"
#include "dp-packet.h"
#include "lib/logical-actions.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "random.h"
#include "smap.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(pinctrl_svc_monitor);

/* Priority of the flows of table 0 that catch the answers to probes and
 * the backend's ARP requests for the monitor's address: above the port's
 * own flow (100). */
#define SVC_MON_PRIORITY 110

/* The probe state of one Service_Monitor row bound here. */
struct svc_mon {
    struct hmap_node node;      /* In svc_monitors's 'monitors', by UUID. */
    struct uuid uuid;           /* Its Service_Monitor row. */
    bool tcp;                   /* Else UDP. */
    struct in6_addr ip;         /* The backend (IPv4-mapped for IPv4). */
    uint16_t port;
    struct in6_addr src_ip;     /* The monitor, of the same family. */
    struct eth_addr src_mac;
    struct eth_addr dst_mac;    /* The backend's port's MAC. */
    ofp_port_t ofport;          /* Its port on br-int. */

    int interval_ms, timeout_ms; /* options. */
    int success_count, failure_count;

    long long int next_probe;   /* When to send the next probe. */
    bool waiting;               /* A probe is out... */
    long long int deadline;     /* ...until this time. */
    uint16_t src_port;          /* The probe's source port. */
    uint32_t seq;               /* Its sequence number (TCP). */
    int n_success, n_failure;   /* Results in a row. */
    const char *status;         /* "online", "offline" or NULL (none
                                 * decided yet). */
    bool seen;                  /* Still in SB and bound here. */
};

struct svc_monitors {
    struct hmap monitors;       /* "struct svc_mon"s. */
    unsigned long long int n_probes, n_replies;
    bool ran;                   /* svc_monitors_run() ran since the last
                                 * svc_monitors_wait(). */
};

struct svc_monitors *
svc_monitors_create(void)
{
    struct svc_monitors *sm = xzalloc(sizeof *sm);
    hmap_init(&sm->monitors);
    return sm;
}

void
svc_monitors_destroy(struct svc_monitors *sm)
{
    if (sm) {
        struct svc_mon *m;
        HMAP_FOR_EACH_POP (m, node, &sm->monitors) {
            free(m);
        }
        hmap_destroy(&sm->monitors);
        free(sm);
    }
}

static struct svc_mon *
svc_mon_find(const struct svc_monitors *sm, const struct uuid *uuid)
{
    struct svc_mon *m;
    HMAP_FOR_EACH_WITH_HASH (m, node, uuid_hash(uuid), &sm->monitors) {
        if (uuid_equals(&m->uuid, uuid)) {
            return m;
        }
    }
    return NULL;
}

/* Returns option 'name' of 'row', a number from 1 to 3600, or 'def'. */
static int
option(const struct sbrec_service_monitor *row, const char *name, int def)
{
    int value = smap_get_int(&row->options, name, def);
    return value >= 1 && value <= 3600 ? value : def;
}

/* Reads into '*mac' the MAC of 'pb' (the first word of its first "mac"
 * entry).  Returns false if it has none. */
static bool
port_mac(const struct sbrec_port_binding *pb, struct eth_addr *mac)
{
    for (size_t i = 0; i < pb->n_mac; i++) {
        char word[ETH_ADDR_STRLEN + 1];
        if (sscanf(pb->mac[i], "%17s", word) == 1
            && eth_addr_from_string(word, mac)) {
            return true;
        }
    }
    return false;
}

/* Reads the addresses of 'row', the backend's into '*ip' and the
 * monitor's into '*src_ip', IPv4 ones mapped.  Returns false unless both
 * are addresses of one family. */
static bool
monitor_addrs(const struct sbrec_service_monitor *row, struct in6_addr *ip,
              struct in6_addr *src_ip)
{
    ovs_be32 ip4, src_ip4;
    if (ip_parse(row->ip, &ip4) && ip_parse(row->src_ip, &src_ip4)) {
        in6_addr_set_mapped_ipv4(ip, ip4);
        in6_addr_set_mapped_ipv4(src_ip, src_ip4);
        return true;
    }
    return (ipv6_parse(row->ip, ip) && ipv6_parse(row->src_ip, src_ip)
            && !IN6_IS_ADDR_V4MAPPED(ip) && !IN6_IS_ADDR_V4MAPPED(src_ip));
}

/* Reads Service_Monitor 'row', bound here on 'bl', into 'm'.  Returns
 * false if it cannot be probed. */
static bool
svc_mon_read(struct svc_mon *m, const struct sbrec_service_monitor *row,
             const struct binding_lport *bl)
{
    struct in6_addr ip, src_ip;
    struct eth_addr src_mac, dst_mac;
    if (!monitor_addrs(row, &ip, &src_ip)
        || !eth_addr_from_string(row->src_mac, &src_mac)
        || !port_mac(bl->pb, &dst_mac)
        || row->port < 1 || row->port > 65535) {
        return false;
    }
    m->tcp = !row->protocol || strcmp(row->protocol, "udp");
    m->ip = ip;
    m->port = row->port;
    m->src_ip = src_ip;
    m->src_mac = src_mac;
    m->dst_mac = dst_mac;
    m->ofport = bl->ofport;
    m->interval_ms = option(row, "interval", 5) * 1000;
    m->timeout_ms = option(row, "timeout", 20) * 1000;
    m->success_count = option(row, "success_count", 3);
    m->failure_count = option(row, "failure_count", 3);
    return true;
}

/* Sends one packet into 'm''s port. */
static void
svc_mon_send(struct pinctrl *pc, const struct svc_mon *m,
             const struct dp_packet *p)
{
    char *actions = xasprintf("output:%d", ofp_to_u16(m->ofport));
    pinctrl_packet_out(pc, p, actions);
    free(actions);
}

/* Sends 'm''s next probe. */
static void
svc_mon_probe(struct svc_monitors *sm, struct pinctrl *pc, struct svc_mon *m,
              long long int now)
{
    struct dp_packet p;
    dp_packet_init(&p, 128);
    /* A fresh source port (and sequence number) for each probe, so that
     * an answer to an old one is not taken for this one's. */
    m->src_port = 32768 + random_range(28232);
    m->seq = random_uint32();
    if (m->tcp) {
        svc_probe_build_tcp(&p, m->src_mac, m->dst_mac, &m->src_ip,
                            &m->ip, m->src_port, m->port, TCP_SYN, m->seq);
    } else {
        svc_probe_build_udp(&p, m->src_mac, m->dst_mac, &m->src_ip,
                            &m->ip, m->src_port, m->port);
    }
    svc_mon_send(pc, m, &p);
    dp_packet_uninit(&p);
    sm->n_probes++;
    m->waiting = true;
    /* A UDP probe succeeds by staying unanswered: no longer than the
     * next probe. */
    m->deadline = now + (m->tcp ? m->timeout_ms
                         : MIN(m->timeout_ms, m->interval_ms));
    m->next_probe = now + m->interval_ms;
}

/* Counts the outcome of 'm''s probe. */
static void
svc_mon_result(struct svc_mon *m, bool success)
{
    m->waiting = false;
    if (success) {
        m->n_failure = 0;
        if (++m->n_success >= m->success_count) {
            m->n_success = m->success_count;
            m->status = "online";
        }
    } else {
        m->n_success = 0;
        if (++m->n_failure >= m->failure_count) {
            m->n_failure = m->failure_count;
            m->status = "offline";
        }
    }
}

/* Probes the monitors of SB 'sb_idl' whose logical ports 'bindings' has,
 * and writes their status within 'txn' (when nonnull). */
void
svc_monitors_run(struct svc_monitors *sm, struct pinctrl *pc,
                 struct ovsdb_idl *sb_idl, struct ovsdb_idl_txn *txn,
                 const struct binding_result *bindings)
{
    if (!sbrec_server_has_service_monitor_table(sb_idl)) {
        return;
    }
    struct svc_mon *m;
    HMAP_FOR_EACH (m, node, &sm->monitors) {
        m->seen = false;
    }

    sm->ran = true;
    long long int now = time_msec();
    bool connected = pinctrl_is_connected(pc);
    const struct sbrec_service_monitor *row;
    SBREC_SERVICE_MONITOR_FOR_EACH (row, sb_idl) {
        const struct binding_lport *bl
            = shash_find_data(&bindings->lports, row->logical_port);
        if (!bl || !bl->pb || !bl->pb->n_up || !bl->pb->up[0]) {
            /* Not here, or its flows not installed yet: northd holds the
             * backend offline meanwhile (northd/svc-monitors.c), and a
             * verdict written now would contradict it.  Probing starts
             * afresh once the port is up. */
            continue;
        }
        m = svc_mon_find(sm, &row->header_.uuid);
        bool is_new = !m;
        if (is_new) {
            m = xzalloc(sizeof *m);
            m->uuid = row->header_.uuid;
            m->next_probe = now;
        }
        if (!svc_mon_read(m, row, bl)) {
            if (!is_new) {
                hmap_remove(&sm->monitors, &m->node);
            }
            free(m);
            continue;
        }
        if (is_new) {
            hmap_insert(&sm->monitors, &m->node, uuid_hash(&m->uuid));
        }
        m->seen = true;

        if (m->waiting && now >= m->deadline) {
            /* TCP: no answer, a failure.  UDP: no unreachable, a
             * success. */
            svc_mon_result(m, !m->tcp);
        }
        if (!m->waiting && now >= m->next_probe) {
            if (connected) {
                svc_mon_probe(sm, pc, m, now);
            } else {
                /* No connection to br-int: try again in a second. */
                m->next_probe = now + 1000;
            }
        }
        if (txn && m->status
            && (!row->status || strcmp(row->status, m->status))) {
            bool v6 = !IN6_IS_ADDR_V4MAPPED(&m->ip);
            VLOG_INFO("backend %s%s%s:%"PRId64" (%s) on %s is %s",
                      v6 ? "[" : "", row->ip, v6 ? "]" : "", row->port,
                      m->tcp ? "tcp" : "udp", row->logical_port, m->status);
            sbrec_service_monitor_set_status(row, m->status);
        }
    }

    HMAP_FOR_EACH_SAFE (m, node, &sm->monitors) {
        if (!m->seen) {
            hmap_remove(&sm->monitors, &m->node);
            free(m);
        }
    }
}

/* Wakes the main loop for the next probe or deadline, if the main loop
 * ran the monitors this time: while it does not (no southbound database),
 * their times pass without it, and waking for them would spin. */
void
svc_monitors_wait(struct svc_monitors *sm)
{
    if (!sm->ran) {
        return;
    }
    sm->ran = false;
    const struct svc_mon *m;
    HMAP_FOR_EACH (m, node, &sm->monitors) {
        poll_timer_wait_until(m->waiting ? m->deadline : m->next_probe);
    }
}

/* Handles packet-in 'pin', which the flows of a monitored port sent: the
 * answer to a probe, or anything else, which is ignored. */
void
svc_monitors_handle_reply(struct svc_monitors *sm, struct pinctrl *pc,
                          const struct ofputil_packet_in *pin)
{
    struct svc_probe_reply r;
    if (!svc_probe_parse_reply(pin->packet, pin->packet_len, &r)) {
        return;
    }
    /* Only the backend's own port speaks for it: another local backend
     * could otherwise quote a neighbour's probe in an ICMP error it makes
     * up and take the neighbour out of rotation. */
    ofp_port_t in_port = pin->flow_metadata.flow.in_port.ofp_port;
    struct svc_mon *m;
    HMAP_FOR_EACH (m, node, &sm->monitors) {
        struct svc_probe probe = {
            .tcp = m->tcp,
            .backend_ip = m->ip,
            .backend_port = m->port,
            .monitor_ip = m->src_ip,
            .monitor_port = m->src_port,
            .seq = m->seq,
        };
        if (!m->waiting || m->ofport != in_port
            || !svc_probe_reply_answers(&r, &probe)) {
            continue;
        }
        sm->n_replies++;
        if (r.verdict == SVC_PROBE_SYN_ACK) {
            /* Close the half-open connection at once. */
            struct dp_packet p;
            dp_packet_init(&p, 128);
            svc_probe_build_tcp(&p, m->src_mac, m->dst_mac, &m->src_ip,
                                &m->ip, m->src_port, m->port, TCP_RST,
                                r.ack);
            svc_mon_send(pc, m, &p);
            dp_packet_uninit(&p);
            svc_mon_result(m, true);
        } else {
            svc_mon_result(m, false);
        }
        return;
    }
}

/* Appends counters to 's', for "osmotic-appctl -t osmotic-controller
 * status". */
void
svc_monitors_status(const struct svc_monitors *sm, struct ds *s)
{
    ds_put_format(s, "service monitors probing: %"PRIuSIZE"\n",
                  hmap_count(&sm->monitors));
    ds_put_format(s, "service monitor probes: %llu, answers: %llu\n",
                  sm->n_probes, sm->n_replies);
}

/* Appends to 'flows' (at most 3 more) the flows of an IPv4 monitor of the
 * backend 'ip':'port', from 'src_ip' and 'mac', on OpenFlow port 'ofport':
 * the answers to probes go to the controller (operation 'op''s meter),
 * and the backend's ARP requests for 'src_ip' get an answer at once. */
static void
port_flows4(ovs_be32 ip, int64_t port, ovs_be32 src_ip, struct eth_addr mac,
            bool tcp, int ofport, uint32_t op, char **flows, size_t *n)
{
    if (tcp) {
        flows[(*n)++] = xasprintf(
            "table=%d,priority=%d,in_port=%d,tcp,dl_dst="ETH_ADDR_FMT","
            "nw_src="IP_FMT",nw_dst="IP_FMT",tp_src=%"PRId64","
            "actions=controller(userdata=00.00.00.%02x,meter_id=%"PRIu32
            ")", OFTABLE_PHY_IN, SVC_MON_PRIORITY, ofport,
            ETH_ADDR_ARGS(mac), IP_ARGS(ip), IP_ARGS(src_ip), port,
            LACT_PIN_SVC_MON, op);
    }
    flows[(*n)++] = xasprintf(
        "table=%d,priority=%d,in_port=%d,icmp,icmp_type=3,"
        "dl_dst="ETH_ADDR_FMT",nw_src="IP_FMT",nw_dst="IP_FMT","
        "actions=controller(userdata=00.00.00.%02x,meter_id=%"PRIu32")",
        OFTABLE_PHY_IN, SVC_MON_PRIORITY, ofport, ETH_ADDR_ARGS(mac),
        IP_ARGS(ip), IP_ARGS(src_ip), LACT_PIN_SVC_MON, op);
    flows[(*n)++] = xasprintf(
        "table=%d,priority=%d,in_port=%d,arp,arp_op=1,arp_tpa="IP_FMT","
        "actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
        "set_field:"ETH_ADDR_FMT"->eth_src,set_field:2->arp_op,"
        "move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],"
        "set_field:"ETH_ADDR_FMT"->arp_sha,"
        "move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],"
        "set_field:"IP_FMT"->arp_spa,IN_PORT",
        OFTABLE_PHY_IN, SVC_MON_PRIORITY, ofport, IP_ARGS(src_ip),
        ETH_ADDR_ARGS(mac), ETH_ADDR_ARGS(mac), IP_ARGS(src_ip));
}

/* As port_flows4() for an IPv6 monitor (at most 4 flows), whose backend
 * asks for the MAC of 'src_ip' by neighbor solicitation.  OpenFlow lets
 * only an advertisement set the target link-layer address, so the first
 * flow turns the solicitation into a solicited advertisement in place and
 * runs it through the table again, where the second, which matches only
 * an advertisement for 'src_ip' from 'mac' (as the backend never sends
 * one: it would only get it back), fills in that address and sends it
 * back out.  The userspace datapath keeps the ICMPv6 checksum right. */
static void
port_flows6(const struct in6_addr *ip, int64_t port,
            const struct in6_addr *src_ip, struct eth_addr mac, bool tcp,
            int ofport, uint32_t op, char **flows, size_t *n)
{
    char ip_s[INET6_ADDRSTRLEN], src_s[INET6_ADDRSTRLEN];
    inet_ntop(AF_INET6, ip, ip_s, sizeof ip_s);
    inet_ntop(AF_INET6, src_ip, src_s, sizeof src_s);
    if (tcp) {
        flows[(*n)++] = xasprintf(
            "table=%d,priority=%d,in_port=%d,tcp6,dl_dst="ETH_ADDR_FMT","
            "ipv6_src=%s,ipv6_dst=%s,tp_src=%"PRId64","
            "actions=controller(userdata=00.00.00.%02x,meter_id=%"PRIu32
            ")", OFTABLE_PHY_IN, SVC_MON_PRIORITY, ofport,
            ETH_ADDR_ARGS(mac), ip_s, src_s, port, LACT_PIN_SVC_MON, op);
    }
    flows[(*n)++] = xasprintf(
        "table=%d,priority=%d,in_port=%d,icmp6,icmpv6_type=1,"
        "dl_dst="ETH_ADDR_FMT",ipv6_src=%s,ipv6_dst=%s,"
        "actions=controller(userdata=00.00.00.%02x,meter_id=%"PRIu32")",
        OFTABLE_PHY_IN, SVC_MON_PRIORITY, ofport, ETH_ADDR_ARGS(mac),
        ip_s, src_s, LACT_PIN_SVC_MON, op);
    flows[(*n)++] = xasprintf(
        "table=%d,priority=%d,in_port=%d,icmp6,icmpv6_type=135,"
        "icmpv6_code=0,nd_target=%s,"
        "actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
        "set_field:"ETH_ADDR_FMT"->eth_src,"
        "move:NXM_NX_IPV6_SRC[]->NXM_NX_IPV6_DST[],"
        "set_field:%s->ipv6_src,set_field:0x60000000->nd_reserved,"
        "set_field:2->nd_options_type,set_field:136->icmpv6_type,"
        "resubmit(,%d)",
        OFTABLE_PHY_IN, SVC_MON_PRIORITY, ofport, src_s, ETH_ADDR_ARGS(mac),
        src_s, OFTABLE_PHY_IN);
    flows[(*n)++] = xasprintf(
        "table=%d,priority=%d,in_port=%d,icmp6,icmpv6_type=136,"
        "icmpv6_code=0,dl_src="ETH_ADDR_FMT",nd_target=%s,"
        "actions=set_field:"ETH_ADDR_FMT"->nd_tll,IN_PORT",
        OFTABLE_PHY_IN, SVC_MON_PRIORITY, ofport, ETH_ADDR_ARGS(mac), src_s,
        ETH_ADDR_ARGS(mac));
}

/* Adds to 'desired' (the owner being built: local port 'bl''s) the flows
 * of the monitors of 'bl': its answers to probes go to the controller,
 * and its ARP requests (IPv4) or neighbor solicitations (IPv6) for a
 * monitor's address get an answer. */
void
svc_monitors_add_port_flows(struct ovsdb_idl *sb_idl,
                            const struct binding_lport *bl, uint32_t cookie,
                            struct desired *desired)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    if (!sbrec_server_has_service_monitor_table(sb_idl)) {
        return;
    }
    const struct sbrec_service_monitor *row;
    SBREC_SERVICE_MONITOR_FOR_EACH (row, sb_idl) {
        struct in6_addr ip, src_ip;
        struct eth_addr mac;
        if (strcmp(row->logical_port, bl->pb->logical_port)
            || !monitor_addrs(row, &ip, &src_ip)
            || !eth_addr_from_string(row->src_mac, &mac)) {
            continue;
        }
        int ofport = ofp_to_u16(bl->ofport);
        uint32_t op = pinctrl_meter_id(LACT_PIN_SVC_MON);
        bool tcp = !row->protocol || strcmp(row->protocol, "udp");
        char *flows[4];
        size_t n = 0;
        if (IN6_IS_ADDR_V4MAPPED(&ip)) {
            port_flows4(in6_addr_get_mapped_ipv4(&ip), row->port,
                        in6_addr_get_mapped_ipv4(&src_ip), mac, tcp, ofport,
                        op, flows, &n);
        } else {
            port_flows6(&ip, row->port, &src_ip, mac, tcp, ofport, op,
                        flows, &n);
        }
        for (size_t i = 0; i < n; i++) {
            char *error = desired_add_flow(desired, cookie, flows[i]);
            if (error) {
                VLOG_WARN_RL(&rl, "service monitor flow skipped: %s", error);
                free(error);
            }
            free(flows[i]);
        }
    }
}
