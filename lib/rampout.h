/*
 * Gateways and ramp-out rules: the numbers that osmotic-northd, the
 * controller and the trace must agree on.
 *
 * A router port with gateway chassis (a gateway port) sends what the
 * router routes out of it through one chassis only, the active one of its
 * list.  In the router's pipeline this is an outport that is no port: a
 * redirect key.  The router's lr_in_gw_redirect stage turns outport "the
 * gateway port" into the redirect key of the ramp-out rule that pinned
 * the packet (lr_in_rampout), or of the port itself when no rule did; the
 * controller of every chassis sends a redirect key to the active chassis
 * of its list (physical table 30), where the router's egress pipeline
 * runs (SNAT) and lr_out_delivery turns the key back into the gateway
 * port.  Redirect keys travel between chassis in the outport bits of the
 * Geneve option like port keys:
 *
 *     0x8000 + K     the gateway port with key K (K < 0x4000), whose list
 *                    is its Port_Binding's gateway_chassis
 *     0xc000 + N     ramp-out rule N of the router (1 <= N < 0x4000),
 *                    whose list is its SB Rampout row's gateway_chassis
 *
 * Rules are numbered 1, 2, ... in the order of their SB Rampout names
 * ("ROUTER/RULE") within a router, so every reader numbers them alike.
 * A colour's own gateways (NB Color:rampout_chassis) are one more rule of
 * every router with a gateway port, named RAMPOUT_COLOR_PREFIX followed
 * by the colour's name ("ROUTER/color:gold").  Color:rampout_chassis, an
 * OVSDB set (which keeps no order), holds "CHASSIS:PRIORITY" entries
 * (rampout_color_gateway_parse()).
 *
 * A rule's traffic leaves with a source MAC of its own, so that two
 * gateways active for one router at once (one for the port, another for
 * a rule) never show one MAC on two ports of the external network:
 * 02:0e: followed by the router's datapath key (24 bits) and the rule
 * number (8 bits, so rules beyond 255 share MACs with earlier ones).
 */
#ifndef OSMOTIC_RAMPOUT_H
#define OSMOTIC_RAMPOUT_H 1

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/compiler.h"
#include "openvswitch/types.h"

struct sbrec_rampout;

#define RAMPOUT_PORT_REDIRECT_BASE 0x8000
#define RAMPOUT_RULE_REDIRECT_BASE 0xc000
#define RAMPOUT_MAX_PORT_KEY 0x3fff
#define RAMPOUT_MAX_RULES 0x3fff

/* The name, within a router, of the rule of a colour's own gateways. */
#define RAMPOUT_COLOR_PREFIX "color:"

/* Returns the redirect key of the gateway port with key 'port_key'. */
static inline uint32_t
rampout_port_redirect_key(uint32_t port_key)
{
    return RAMPOUT_PORT_REDIRECT_BASE + port_key;
}

/* Returns the redirect key of ramp-out rule number 'rule'. */
static inline uint32_t
rampout_rule_redirect_key(uint32_t rule)
{
    return RAMPOUT_RULE_REDIRECT_BASE + rule;
}

struct eth_addr rampout_rule_mac(uint32_t dp_key, uint32_t rule);
char *rampout_color_gateway_parse(const char *entry, char **chassis,
                                  int64_t *priority) OVS_WARN_UNUSED_RESULT;
int rampout_name_cmp(const char *a, const char *b);

#endif /* lib/rampout.h */
