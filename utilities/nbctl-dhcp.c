/*
 * osmotic-nbctl: DHCP options commands (dhcp-options-create, -del, -list,
 * -set-options, -get-options) and the switch port commands that attach
 * them (lsp-set-dhcpv4-options, lsp-get-dhcpv4-options and their DHCPv6
 * twins), with ovn-nbctl's arguments, output and messages.  DHCP options
 * are stored and validated; nothing answers DHCP from them yet
 * (lib/nb-unapplied.c).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/nb-validate.h"
#include "lib/osmotic-nb-idl.h"
#include "utilities/nbctl.h"

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"

/* Finds the DHCP_Options row whose UUID is 'id' (DHCP options have no
 * name).  Returns an error if there is none and 'must_exist'. */
static char *
find_dhcp_options(struct ctl_context *ctx, const char *id, bool must_exist,
                  const struct nbrec_dhcp_options **optsp)
{
    struct uuid uuid;
    const struct nbrec_dhcp_options *opts = NULL;
    if (uuid_from_string(&uuid, id)) {
        opts = nbrec_dhcp_options_get_for_uuid(ctx->idl, &uuid);
        if (opts && !opts->header_.new_datum) {
            opts = NULL;
        }
    }
    *optsp = opts;
    return (!opts && must_exist
            ? xasprintf("%s: dhcp options UUID not found", id)
            : NULL);
}

/* Returns true if 'cidr' is an IPv4 (or, if 'ipv6', IPv6) network. */
static bool
cidr_is_family(const char *cidr, bool ipv6)
{
    return nb_cidr_family(cidr) == (ipv6 ? 6 : 4);
}

/* "dhcp-options-create CIDR [KEY=VALUE]...": the KEY=VALUE pairs are
 * external IDs, as in ovn-nbctl.  Prints nothing: "dhcp-options-list"
 * (or "find DHCP_Options cidr=...") gives the new row's UUID. */
static void
cmd_dhcp_options_create(struct ctl_context *ctx)
{
    const char *cidr = ctx->argv[1];
    if (!cidr_is_family(cidr, false) && !cidr_is_family(cidr, true)) {
        ctl_error(ctx, "Invalid cidr format '%s'", cidr);
        return;
    }
    struct smap ids = SMAP_INITIALIZER(&ids);
    if (nbctl_parse_key_values(ctx, ctx->argc - 2, ctx->argv + 2, &ids)) {
        struct nbrec_dhcp_options *opts = nbrec_dhcp_options_insert(ctx->txn);
        nbrec_dhcp_options_set_cidr(opts, cidr);
        nbrec_dhcp_options_set_external_ids(opts, &ids);
    }
    smap_destroy(&ids);
}

/* "[--if-exists] dhcp-options-del UUID".  Ports that use the options lose
 * them (the reference is weak), as in OVN. */
static void
cmd_dhcp_options_del(struct ctl_context *ctx)
{
    const struct nbrec_dhcp_options *opts;
    if (nbctl_check(ctx, find_dhcp_options(
                        ctx, ctx->argv[1],
                        !nbctl_has_option(ctx, "--if-exists"), &opts))
        && opts) {
        nbrec_dhcp_options_delete(opts);
    }
}

/* "dhcp-options-list": the UUIDs, in the order of their CIDRs. */
static void
cmd_dhcp_options_list(struct ctl_context *ctx)
{
    struct smap by_cidr = SMAP_INITIALIZER(&by_cidr);
    const struct nbrec_dhcp_options *opts;
    NBREC_DHCP_OPTIONS_FOR_EACH (opts, ctx->idl) {
        /* Two rows may have the same CIDR: the UUID keeps keys apart. */
        char *key = xasprintf("%s "UUID_FMT, opts->cidr,
                              UUID_ARGS(&opts->header_.uuid));
        smap_add_format(&by_cidr, key, UUID_FMT,
                        UUID_ARGS(&opts->header_.uuid));
        free(key);
    }
    const struct smap_node **nodes = smap_sort(&by_cidr);
    for (size_t i = 0; i < smap_count(&by_cidr); i++) {
        ds_put_format(&ctx->output, "%s\n", nodes[i]->value);
    }
    free(nodes);
    smap_destroy(&by_cidr);
}

/* "dhcp-options-set-options UUID [KEY=VALUE]...": replaces the options. */
static void
cmd_dhcp_options_set_options(struct ctl_context *ctx)
{
    const struct nbrec_dhcp_options *opts;
    if (!nbctl_check(ctx, find_dhcp_options(ctx, ctx->argv[1], true,
                                            &opts))) {
        return;
    }
    struct smap options = SMAP_INITIALIZER(&options);
    if (nbctl_parse_key_values(ctx, ctx->argc - 2, ctx->argv + 2,
                               &options)) {
        nbrec_dhcp_options_set_options(opts, &options);
    }
    smap_destroy(&options);
}

/* "dhcp-options-get-options UUID": "KEY=VALUE" lines, sorted. */
static void
cmd_dhcp_options_get_options(struct ctl_context *ctx)
{
    const struct nbrec_dhcp_options *opts;
    if (!nbctl_check(ctx, find_dhcp_options(ctx, ctx->argv[1], true,
                                            &opts))) {
        return;
    }
    const struct smap_node **nodes = smap_sort(&opts->options);
    for (size_t i = 0; i < smap_count(&opts->options); i++) {
        ds_put_format(&ctx->output, "%s=%s\n", nodes[i]->key,
                      nodes[i]->value);
    }
    free(nodes);
}

/* "lsp-set-dhcpv4-options PORT [UUID]" and the DHCPv6 one ('ipv6'):
 * without UUID, detaches the port's options. */
static void
set_lsp_dhcp_options(struct ctl_context *ctx, bool ipv6)
{
    const struct nbrec_logical_switch_port *lsp;
    if (!nbctl_check(ctx, NBCTL_FIND(ctx, logical_switch_port, "port",
                                     ctx->argv[1], true, &lsp))) {
        return;
    }
    const struct nbrec_dhcp_options *opts = NULL;
    if (ctx->argc > 2) {
        if (!nbctl_check(ctx, find_dhcp_options(ctx, ctx->argv[2], true,
                                                &opts))) {
            return;
        }
        if (!cidr_is_family(opts->cidr, ipv6)) {
            ctl_error(ctx, "DHCP options cidr '%s' is not IPv%d",
                      opts->cidr, ipv6 ? 6 : 4);
            return;
        }
    }
    if (ipv6) {
        nbrec_logical_switch_port_set_dhcpv6_options(lsp, opts);
    } else {
        nbrec_logical_switch_port_set_dhcpv4_options(lsp, opts);
    }
}

static void
cmd_lsp_set_dhcpv4_options(struct ctl_context *ctx)
{
    set_lsp_dhcp_options(ctx, false);
}

static void
cmd_lsp_set_dhcpv6_options(struct ctl_context *ctx)
{
    set_lsp_dhcp_options(ctx, true);
}

/* "lsp-get-dhcpv4-options PORT" and the DHCPv6 one ('ipv6'): prints
 * "UUID (CIDR)" of the port's options, if it has any. */
static void
get_lsp_dhcp_options(struct ctl_context *ctx, bool ipv6)
{
    const struct nbrec_logical_switch_port *lsp;
    if (!nbctl_check(ctx, NBCTL_FIND(ctx, logical_switch_port, "port",
                                     ctx->argv[1], true, &lsp))) {
        return;
    }
    const struct nbrec_dhcp_options *opts
        = ipv6 ? lsp->dhcpv6_options : lsp->dhcpv4_options;
    if (opts) {
        ds_put_format(&ctx->output, UUID_FMT" (%s)\n",
                      UUID_ARGS(&opts->header_.uuid), opts->cidr);
    }
}

static void
cmd_lsp_get_dhcpv4_options(struct ctl_context *ctx)
{
    get_lsp_dhcp_options(ctx, false);
}

static void
cmd_lsp_get_dhcpv6_options(struct ctl_context *ctx)
{
    get_lsp_dhcp_options(ctx, true);
}

/* The DHCP options commands. */
static const struct ctl_command_syntax dhcp_commands[] = {
    { "dhcp-options-create", 1, INT_MAX, "CIDR [KEY=VALUE]...", NULL,
      cmd_dhcp_options_create, NULL, "", RW },
    { "dhcp-options-del", 1, 1, "DHCP_OPT_UUID", NULL, cmd_dhcp_options_del,
      NULL, "--if-exists", RW },
    { "dhcp-options-list", 0, 0, "", NULL, cmd_dhcp_options_list, NULL, "",
      RO },
    { "dhcp-options-set-options", 1, INT_MAX,
      "DHCP_OPT_UUID KEY=VALUE [KEY=VALUE]...", NULL,
      cmd_dhcp_options_set_options, NULL, "", RW },
    { "dhcp-options-get-options", 1, 1, "DHCP_OPT_UUID", NULL,
      cmd_dhcp_options_get_options, NULL, "", RO },
    { "lsp-set-dhcpv4-options", 1, 2, "PORT [DHCP_OPT_UUID]", NULL,
      cmd_lsp_set_dhcpv4_options, NULL, "", RW },
    { "lsp-get-dhcpv4-options", 1, 1, "PORT", NULL,
      cmd_lsp_get_dhcpv4_options, NULL, "", RO },
    { "lsp-set-dhcpv6-options", 1, 2, "PORT [DHCP_OPT_UUID]", NULL,
      cmd_lsp_set_dhcpv6_options, NULL, "", RW },
    { "lsp-get-dhcpv6-options", 1, 1, "PORT", NULL,
      cmd_lsp_get_dhcpv6_options, NULL, "", RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, "", RO },
};

/* Registers the DHCP options commands. */
void
nbctl_dhcp_register(void)
{
    ctl_register_commands(dhcp_commands);
}
