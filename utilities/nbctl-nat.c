/*
 * osmotic-nbctl: NAT commands of logical routers (lr-nat-add, lr-nat-del,
 * lr-nat-list, lr-nat-update-ext-ip), with ovn-nbctl's arguments, output
 * and messages.  NAT rules are stored and validated; nothing applies them
 * to traffic yet (lib/nb-unapplied.c).
 *
 * A rule is known by its type and one IP: its logical IP for snat (the
 * network whose traffic goes out translated), its external IP otherwise.
 * Addresses are stored in canonical form, networks without host bits.
 */
#include <config.h>

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nb-validate.h"
#include "lib/nb-gateways.h"
#include "lib/osmotic-nb-idl.h"
#include "utilities/nbctl.h"

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "smap.h"
#include "svec.h"
#include "util.h"

/* Returns the router named by argument 'i', or NULL after reporting an
 * error. */
static const struct nbrec_logical_router *
arg_lr(struct ctl_context *ctx, int i)
{
    const struct nbrec_logical_router *lr;
    return (nbctl_check(ctx, NBCTL_FIND(ctx, logical_router, "router",
                                        ctx->argv[i], true, &lr))
            ? lr : NULL);
}

/* Checks NAT type 'type'. */
static bool
check_nat_type(struct ctl_context *ctx, const char *type)
{
    if (strcmp(type, "dnat") && strcmp(type, "snat")
        && strcmp(type, "dnat_and_snat")) {
        ctl_error(ctx, "%s: type must be one of \"dnat\", \"snat\" and "
                  "\"dnat_and_snat\".", type);
        return false;
    }
    return true;
}

/* Returns true if 'lrp' is a distributed gateway port: it has gateway
 * chassis or an HA chassis group. */
static bool
lrp_is_gateway(const struct nbrec_logical_router_port *lrp)
{
    return nb_lrp_names_gateway(lrp);
}

/* Returns true if IP address 'ip' (canonical text) is one of the
 * addresses of the networks of 'lrp'. */
static bool
ip_in_lrp_networks(const struct nbrec_logical_router_port *lrp,
                   const char *ip)
{
    for (size_t i = 0; i < lrp->n_networks; i++) {
        const char *slash = strchr(lrp->networks[i], '/');
        char *addr = xmemdup0(lrp->networks[i],
                              slash ? slash - lrp->networks[i]
                              : strlen(lrp->networks[i]));
        char *norm = nbctl_normalize_ip(addr, AF_UNSPEC);
        bool same = norm && !strcmp(norm, ip);
        free(norm);
        free(addr);
        if (same) {
            return true;
        }
    }
    return false;
}

/* Finds the gateway port a new rule with 'external_ip' applies on, from
 * --gateway-port or, on a router with several gateway ports, from the
 * networks that hold 'external_ip'.  Sets '*n_gateways' to the router's
 * number of gateway ports and '*gwp' to the port (NULL if none is
 * named or found).  Returns false after reporting an error. */
static bool
find_nat_gateway(struct ctl_context *ctx,
                 const struct nbrec_logical_router *lr,
                 const char *external_ip,
                 const struct nbrec_logical_router_port **gwp,
                 size_t *n_gateways)
{
    const char *name = shash_find_data(&ctx->options, "--gateway-port");
    *gwp = NULL;
    *n_gateways = 0;
    bool found = false;
    const struct nbrec_logical_router_port *named = NULL;
    if (name && !nbctl_check(ctx, NBCTL_FIND(ctx, logical_router_port,
                                             "port", name, true, &named))) {
        return false;
    }
    for (size_t i = 0; i < lr->n_ports; i++) {
        const struct nbrec_logical_router_port *lrp = lr->ports[i];
        found = found || lrp == named;
        if (lrp_is_gateway(lrp)) {
            ++*n_gateways;
            if (!name && ip_in_lrp_networks(lrp, external_ip)) {
                *gwp = lrp;
            }
        }
    }
    if (name) {
        if (!found) {
            ctl_error(ctx, "%s is not a router port of logical router: %s.",
                      name, ctx->argv[1]);
            return false;
        } else if (!lrp_is_gateway(named)) {
            ctl_error(ctx, "%s is not a distributed gateway router port.",
                      name);
            return false;
        }
        *gwp = named;
    } else if (*n_gateways > 1 && !*gwp) {
        ctl_error(ctx, "logical router: %s has multiple distributed gateway "
                  "ports and gateway_port can not be determined from "
                  "external IP of NAT rule.", ctx->argv[1]);
        return false;
    }
    return true;
}

/* Returns true if 'nat' is stateless. */
static bool
nat_is_stateless(const struct nbrec_nat *nat)
{
    return smap_get_bool(&nat->options, "stateless", false);
}

/* What lr-nat-add was asked to add. */
struct nat_request {
    const char *type;           /* "dnat", "snat" or "dnat_and_snat". */
    char *external_ip;          /* Canonical. */
    char *logical_ip;           /* Canonical; a network for snat. */
    const char *logical_port;   /* Or NULL. */
    const char *external_mac;   /* Or NULL. */
    const char *port_range;     /* Or NULL. */
    bool stateless;             /* --stateless. */
};

/* Checks request 'r' against the existing rules of 'lr' on gateway port
 * 'gw' (of 'n_gateways' gateway ports).  Returns true if 'r' is to be
 * added; false if it must not be, after reporting an error or, with
 * --may-exist, after updating the rule that is already there. */
static bool
check_nat_conflicts(struct ctl_context *ctx,
                    const struct nbrec_logical_router *lr,
                    const struct nat_request *r,
                    const struct nbrec_logical_router_port *gw,
                    size_t n_gateways)
{
    bool may_exist = nbctl_has_option(ctx, "--may-exist");
    bool is_snat = !strcmp(r->type, "snat");
    for (size_t i = 0; i < lr->n_nat; i++) {
        const struct nbrec_nat *nat = lr->nat[i];
        char *ext = nbctl_normalize_ip(nat->external_ip, AF_UNSPEC);
        char *log = nbctl_normalize_prefix(nat->logical_ip, AF_UNSPEC);
        if (!ext || !log) {
            free(ext);
            free(log);
            continue;
        }
        bool same_gateway = (n_gateways <= 1 || nat->gateway_port == gw
                             || (!nat->gateway_port && gw
                                 && ip_in_lrp_networks(gw, ext)));
        bool done = false;
        if (!strcmp(nat->type, r->type) && same_gateway
            && !strcmp(is_snat ? log : ext,
                       is_snat ? r->logical_ip : r->external_ip)) {
            if (strcmp(is_snat ? ext : log,
                       is_snat ? r->external_ip : r->logical_ip)) {
                ctl_error(ctx, "a NAT with this type (%s), %s (%s) already "
                          "exists", r->type,
                          is_snat ? "logical_ip" : "external_ip",
                          is_snat ? r->logical_ip : r->external_ip);
            } else if (may_exist) {
                nbrec_nat_set_logical_port(nat, r->logical_port);
                nbrec_nat_set_external_mac(nat, r->external_mac);
            } else {
                ctl_error(ctx, "%s, %s: a NAT with this external_ip and "
                          "logical_ip already exists", r->external_ip,
                          r->logical_ip);
            }
            done = true;
        }
        if ((!strcmp(r->type, "dnat_and_snat")
             || !strcmp(nat->type, "dnat_and_snat"))
            && !strcmp(ext, r->external_ip)
            && (nat_is_stateless(nat) || r->stateless)) {
            if (!may_exist && !ctx->error) {
                ctl_error(ctx, "%s, %s: External ip cannot be shared across "
                          "stateless and stateful NATs", r->external_ip,
                          r->logical_ip);
            }
            done = true;
        }
        free(ext);
        free(log);
        if (done) {
            return false;
        }
    }
    return true;
}

/* Parses the arguments after LOGICAL_IP of lr-nat-add into 'r'. */
static bool
parse_nat_extras(struct ctl_context *ctx, struct nat_request *r)
{
    bool portrange = nbctl_has_option(ctx, "--portrange");
    int n_extra = ctx->argc - 5;
    if (n_extra == 1) {
        if (!portrange) {
            ctl_error(ctx, "lr-nat-add with logical_port must also specify "
                      "external_mac.");
            return false;
        }
        r->port_range = ctx->argv[5];
    } else if (n_extra >= 2) {
        if (strcmp(r->type, "dnat_and_snat")) {
            ctl_error(ctx, "logical_port and external_mac are only valid "
                      "when type is \"dnat_and_snat\".");
            return false;
        } else if (n_extra == 2 && portrange) {
            ctl_error(ctx, "lr-nat-add with logical_port must also specify "
                      "external_mac.");
            return false;
        }
        r->logical_port = ctx->argv[5];
        const struct nbrec_logical_switch_port *lsp;
        if (!nbctl_check(ctx, NBCTL_FIND(ctx, logical_switch_port, "port",
                                         r->logical_port, true, &lsp))) {
            return false;
        }
        r->external_mac = ctx->argv[6];
        struct eth_addr ea;
        if (!eth_addr_from_string(r->external_mac, &ea)) {
            ctl_error(ctx, "invalid mac address %s.", r->external_mac);
            return false;
        }
        if (n_extra == 3) {
            r->port_range = ctx->argv[7];
        }
    }
    if (r->port_range && !nb_port_range_is_valid(r->port_range)) {
        ctl_error(ctx, "invalid port range %s.", r->port_range);
        return false;
    }
    return true;
}

/* Parses the type and addresses of lr-nat-add into 'r'. */
static bool
parse_nat_addresses(struct ctl_context *ctx, struct nat_request *r)
{
    r->type = ctx->argv[2];
    if (!check_nat_type(ctx, r->type)) {
        return false;
    }
    r->external_ip = nbctl_normalize_ip(ctx->argv[3], AF_UNSPEC);
    if (!r->external_ip) {
        ctl_error(ctx, "%s: Not a valid IPv4 or IPv6 address.",
                  ctx->argv[3]);
        return false;
    }
    int family = strchr(r->external_ip, ':') ? AF_INET6 : AF_INET;
    const char *fname = family == AF_INET6 ? "IPv6" : "IPv4";
    if (!strcmp(r->type, "snat")) {
        r->logical_ip = nbctl_normalize_prefix(ctx->argv[4], family);
        if (!r->logical_ip) {
            ctl_error(ctx, "%s: should be an %s address or network.",
                      ctx->argv[4], fname);
        }
    } else {
        r->logical_ip = nbctl_normalize_ip(ctx->argv[4], family);
        if (!r->logical_ip) {
            ctl_error(ctx, "%s: Not a valid %s address.", ctx->argv[4],
                      fname);
        }
    }
    return r->logical_ip != NULL;
}

/* "lr-nat-add ROUTER TYPE EXTERNAL_IP LOGICAL_IP [LOGICAL_PORT
 * EXTERNAL_MAC] [EXTERNAL_PORT_RANGE]". */
static void
cmd_lr_nat_add(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr = arg_lr(ctx, 1);
    struct nat_request r = {
        .stateless = nbctl_has_option(ctx, "--stateless"),
    };
    bool add_route = nbctl_has_option(ctx, "--add-route");
    const struct nbrec_logical_router_port *gw;
    size_t n_gateways;

    if (!lr || !parse_nat_addresses(ctx, &r)
        || !parse_nat_extras(ctx, &r)) {
        goto out;
    }
    if (r.stateless && strcmp(r.type, "dnat_and_snat")) {
        ctl_error(ctx, "stateless is not applicable to dnat or snat types");
        goto out;
    } else if (add_route && !strcmp(r.type, "snat")) {
        ctl_error(ctx, "routes cannot be added for snat types.");
        goto out;
    }
    if (!find_nat_gateway(ctx, lr, r.external_ip, &gw, &n_gateways)
        || !check_nat_conflicts(ctx, lr, &r, gw, n_gateways)) {
        goto out;
    }

    struct nbrec_nat *nat = nbrec_nat_insert(ctx->txn);
    nbrec_nat_set_type(nat, r.type);
    nbrec_nat_set_external_ip(nat, r.external_ip);
    nbrec_nat_set_logical_ip(nat, r.logical_ip);
    if (r.logical_port) {
        nbrec_nat_set_logical_port(nat, r.logical_port);
        nbrec_nat_set_external_mac(nat, r.external_mac);
    }
    if (r.port_range) {
        nbrec_nat_set_external_port_range(nat, r.port_range);
    }
    if (shash_find(&ctx->options, "--gateway-port")) {
        nbrec_nat_set_gateway_port(nat, gw);
    }
    struct smap options = SMAP_INITIALIZER(&options);
    smap_add(&options, "stateless", r.stateless ? "true" : "false");
    if (add_route) {
        smap_add(&options, "add_route", "true");
    }
    nbrec_nat_set_options(nat, &options);
    smap_destroy(&options);
    nbrec_logical_router_update_nat_addvalue(lr, nat);

out:
    free(r.external_ip);
    free(r.logical_ip);
}

/* Returns the IP that identifies 'nat' within its type, in canonical
 * form, or NULL if it is malformed. */
static char *
nat_key_ip(const struct nbrec_nat *nat)
{
    return (!strcmp(nat->type, "snat")
            ? nbctl_normalize_prefix(nat->logical_ip, AF_UNSPEC)
            : nbctl_normalize_prefix(nat->external_ip, AF_UNSPEC));
}

/* "lr-nat-del ROUTER [TYPE [IP | GATEWAY_PORT [GATEWAY_PORT]]]".  As with
 * ovn-nbctl, deleting the rules of a type and IP that has none is not an
 * error; naming a gateway port too makes it one, but for --if-exists. */
static void
cmd_lr_nat_del(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr = arg_lr(ctx, 1);
    if (!lr) {
        return;
    }
    if (ctx->argc == 2) {
        nbrec_logical_router_set_nat(lr, NULL, 0);
        return;
    }
    const char *type = ctx->argv[2];
    if (!check_nat_type(ctx, type)) {
        return;
    }

    char *ip = ctx->argc > 3 ? nbctl_normalize_prefix(ctx->argv[3],
                                                      AF_UNSPEC) : NULL;
    const struct nbrec_logical_router_port *gw = NULL;
    bool by_gateway = false;
    if (ctx->argc == 4 && !ip) {
        /* No IP: the argument is a gateway port. */
        by_gateway = true;
        if (!nbctl_check(ctx, NBCTL_FIND(ctx, logical_router_port, "port",
                                         ctx->argv[3], true, &gw))) {
            return;
        }
    } else if (ctx->argc == 5) {
        by_gateway = true;
        if (!ip) {
            ctl_error(ctx, "%s: Invalid IP address or CIDR", ctx->argv[3]);
            return;
        }
        if (!nbctl_check(ctx, NBCTL_FIND(ctx, logical_router_port, "port",
                                         ctx->argv[4], true, &gw))) {
            free(ip);
            return;
        }
    }

    size_t n_deleted = 0;
    for (size_t i = 0; i < lr->n_nat; i++) {
        const struct nbrec_nat *nat = lr->nat[i];
        char *key = ip ? nat_key_ip(nat) : NULL;
        if (!strcmp(nat->type, type)
            && (!ip || (key && !strcmp(key, ip)))
            && (!by_gateway || nat->gateway_port == gw)) {
            nbrec_logical_router_update_nat_delvalue(lr, nat);
            n_deleted++;
        }
        free(key);
    }
    if (ctx->argc == 5 && !n_deleted
        && !nbctl_has_option(ctx, "--if-exists")) {
        ctl_error(ctx, "no matching NAT with the type (%s), %s (%s) and "
                  "gateway_port (%s)", type,
                  !strcmp(type, "snat") ? "logical_ip" : "external_ip", ip,
                  ctx->argv[4]);
    }
    free(ip);
}

/* "lr-nat-list ROUTER", in ovn-nbctl's columns, sorted by type, gateway
 * port and external IP. */
static void
cmd_lr_nat_list(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr = arg_lr(ctx, 1);
    if (!lr || !lr->n_nat) {
        return;
    }
    struct svec lines = SVEC_EMPTY_INITIALIZER;
    for (size_t i = 0; i < lr->n_nat; i++) {
        const struct nbrec_nat *nat = lr->nat[i];
        struct ds line = DS_EMPTY_INITIALIZER;
        char *key = xasprintf("%-17.13s%-22.18s%s", nat->type,
                              nat->gateway_port ? nat->gateway_port->name
                              : "", nat->external_ip);
        ds_put_format(&line, "%-58.54s%-17.13s", key,
                      nat->external_port_range);
        free(key);
        if (nat->external_mac && nat->logical_port) {
            ds_put_format(&line, "%-20.16s%-21.17s%s", nat->logical_ip,
                          nat->external_mac, nat->logical_port);
        } else {
            ds_put_cstr(&line, nat->logical_ip);
        }
        svec_add_nocopy(&lines, ds_steal_cstr(&line));
    }
    ds_put_format(&ctx->output,
                  "%-17.13s%-22.18s%-19.15s%-17.13s%-20.16s%-21.17s%s\n",
                  "TYPE", "GATEWAY_PORT", "EXTERNAL_IP", "EXTERNAL_PORT",
                  "LOGICAL_IP", "EXTERNAL_MAC", "LOGICAL_PORT");
    nbctl_print_lines(&ctx->output, &lines);
}

/* "lr-nat-update-ext-ip ROUTER TYPE IP ADDRESS_SET": the rule of TYPE and
 * IP then applies only to traffic to or from the addresses of
 * ADDRESS_SET, or with --is-exempted to all other traffic.  The two are
 * exclusive: setting one clears the other. */
static void
cmd_lr_nat_update_ext_ip(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr = arg_lr(ctx, 1);
    const char *type = ctx->argv[2];
    const struct nbrec_address_set *as;
    if (!lr || !check_nat_type(ctx, type)
        || !nbctl_check(ctx, NBCTL_FIND(ctx, address_set, "Address Set",
                                        ctx->argv[4], true, &as))) {
        return;
    }
    char *ip = nbctl_normalize_prefix(ctx->argv[3], AF_UNSPEC);
    if (!ip) {
        ctl_error(ctx, "%s: Invalid IP address or CIDR", ctx->argv[3]);
        return;
    }
    bool exempted = nbctl_has_option(ctx, "--is-exempted");
    for (size_t i = 0; i < lr->n_nat; i++) {
        const struct nbrec_nat *nat = lr->nat[i];
        char *key = nat_key_ip(nat);
        bool hit = key && !strcmp(nat->type, type) && !strcmp(key, ip);
        free(key);
        if (hit) {
            nbrec_nat_set_allowed_ext_ips(nat, exempted ? NULL : as);
            nbrec_nat_set_exempted_ext_ips(nat, exempted ? as : NULL);
            free(ip);
            return;
        }
    }
    ctl_error(ctx, "%s: Could not locate nat rule for: %s.", type, ip);
    free(ip);
}

/* The NAT commands. */
static const struct ctl_command_syntax nat_commands[] = {
    { "lr-nat-add", 4, 7,
      "ROUTER TYPE EXTERNAL_IP LOGICAL_IP [LOGICAL_PORT EXTERNAL_MAC] "
      "[EXTERNAL_PORT_RANGE]", NULL, cmd_lr_nat_add, NULL,
      "--may-exist,--stateless,--portrange,--add-route,--gateway-port=",
      RW },
    { "lr-nat-del", 1, 4, "ROUTER [TYPE [IP] [GATEWAY_PORT]]", NULL,
      cmd_lr_nat_del, NULL, "--if-exists", RW },
    { "lr-nat-list", 1, 1, "ROUTER", NULL, cmd_lr_nat_list, NULL, "", RO },
    { "lr-nat-update-ext-ip", 4, 4, "ROUTER TYPE IP ADDRESS_SET", NULL,
      cmd_lr_nat_update_ext_ip, NULL, "--is-exempted", RW },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, "", RO },
};

/* Registers the NAT commands. */
void
nbctl_nat_register(void)
{
    ctl_register_commands(nat_commands);
}
