/*
 * osmotic-nbctl: static MAC binding commands (static-mac-binding-add,
 * static-mac-binding-del, static-mac-binding-list), with ovn-nbctl's
 * arguments, output and messages.  Static MAC bindings are stored and
 * validated; nothing applies them to traffic yet (lib/nb-unapplied.c).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/osmotic-nb-idl.h"
#include "utilities/nbctl.h"

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "smap.h"
#include "util.h"

/* Returns the static MAC binding of router port 'port' for 'ip' (in
 * canonical form), or NULL. */
static const struct nbrec_static_mac_binding *
find_binding(struct ovsdb_idl *idl, const char *port, const char *ip)
{
    const struct nbrec_static_mac_binding *smb;
    NBREC_STATIC_MAC_BINDING_FOR_EACH (smb, idl) {
        if (!strcmp(smb->logical_port, port) && !strcmp(smb->ip, ip)) {
            return smb;
        }
    }
    return NULL;
}

/* Checks that argument 1 names a router port and parses argument 2, an
 * IP address, into '*ipp' (canonical, to be freed).  Returns false after
 * reporting an error. */
static bool
parse_port_and_ip(struct ctl_context *ctx, char **ipp)
{
    const struct nbrec_logical_router_port *lrp;
    if (!nbctl_check(ctx, NBCTL_FIND(ctx, logical_router_port, "port",
                                     ctx->argv[1], true, &lrp))) {
        return false;
    }
    *ipp = nbctl_normalize_ip(ctx->argv[2], AF_UNSPEC);
    if (!*ipp) {
        ctl_error(ctx, "%s: Not a valid IPv4 or IPv6 address.", ctx->argv[2]);
        return false;
    }
    return true;
}

/* "[--may-exist] static-mac-binding-add PORT IP MAC". */
static void
cmd_static_mac_binding_add(struct ctl_context *ctx)
{
    const char *port = ctx->argv[1];
    const char *mac = ctx->argv[3];
    char *ip;
    if (!parse_port_and_ip(ctx, &ip)) {
        return;
    }
    struct eth_addr ea;
    if (!eth_addr_from_string(mac, &ea)) {
        ctl_error(ctx, "invalid mac address %s.", mac);
        goto out;
    }

    const struct nbrec_static_mac_binding *smb
        = find_binding(ctx->idl, port, ip);
    if (smb) {
        if (!nbctl_has_option(ctx, "--may-exist")) {
            ctl_error(ctx, "%s, %s: a Static_MAC_Binding with this "
                      "logical_port and ip already exists", port, ip);
        } else if (strcmp(smb->mac, mac)) {
            nbrec_static_mac_binding_verify_mac(smb);
            nbrec_static_mac_binding_set_mac(smb, mac);
        }
        goto out;
    }
    struct nbrec_static_mac_binding *new
        = nbrec_static_mac_binding_insert(ctx->txn);
    nbrec_static_mac_binding_set_logical_port(new, port);
    nbrec_static_mac_binding_set_ip(new, ip);
    nbrec_static_mac_binding_set_mac(new, mac);

out:
    free(ip);
}

/* "[--if-exists] static-mac-binding-del PORT IP". */
static void
cmd_static_mac_binding_del(struct ctl_context *ctx)
{
    char *ip;
    if (!parse_port_and_ip(ctx, &ip)) {
        return;
    }
    const struct nbrec_static_mac_binding *smb
        = find_binding(ctx->idl, ctx->argv[1], ip);
    if (smb) {
        nbrec_static_mac_binding_delete(smb);
    } else if (!nbctl_has_option(ctx, "--if-exists")) {
        ctl_error(ctx, "no matching Static_MAC_Binding with port %s and ip "
                  "%s", ctx->argv[1], ip);
    }
    free(ip);
}

/* "static-mac-binding-list": ovn-nbctl's columns, by port then IP as
 * text. */
static void
cmd_static_mac_binding_list(struct ctl_context *ctx)
{
    struct smap lines = SMAP_INITIALIZER(&lines);
    const struct nbrec_static_mac_binding *smb;
    NBREC_STATIC_MAC_BINDING_FOR_EACH (smb, ctx->idl) {
        char *key = xasprintf("%-25s%-25s", smb->logical_port, smb->ip);
        smap_add(&lines, key, smb->mac);
        free(key);
    }
    if (!smap_is_empty(&lines)) {
        const struct smap_node **nodes = smap_sort(&lines);
        ds_put_format(&ctx->output, "%-25s%-25s%s\n",
                      "LOGICAL_PORT", "IP", "MAC");
        for (size_t i = 0; i < smap_count(&lines); i++) {
            ds_put_format(&ctx->output, "%s%s\n",
                          nodes[i]->key, nodes[i]->value);
        }
        free(nodes);
    }
    smap_destroy(&lines);
}

/* The static MAC binding commands. */
static const struct ctl_command_syntax mac_binding_commands[] = {
    { "static-mac-binding-add", 3, 3, "PORT IP MAC", NULL,
      cmd_static_mac_binding_add, NULL, "--may-exist", RW },
    { "static-mac-binding-del", 2, 2, "PORT IP", NULL,
      cmd_static_mac_binding_del, NULL, "--if-exists", RW },
    { "static-mac-binding-list", 0, 0, "", NULL,
      cmd_static_mac_binding_list, NULL, "", RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, "", RO },
};

/* Registers the static MAC binding commands. */
void
nbctl_mac_binding_register(void)
{
    ctl_register_commands(mac_binding_commands);
}
