/*
 * osmotic-nbctl: port mirror commands (mirror-add, mirror-del,
 * mirror-list, lsp-attach-mirror, lsp-detach-mirror), with ovn-nbctl's
 * arguments, output and messages.  Mirrors are stored and validated;
 * nothing applies them to traffic yet (lib/nb-unapplied.c).
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "lib/nb-validate.h"
#include "lib/osmotic-nb-idl.h"
#include "utilities/nbctl.h"

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "util.h"

/* Stores in '*value' the one of the 'n' 'values' of which 's' is a
 * non-empty prefix ("g" for "gre"), as ovn-nbctl reads only the first
 * letter.  Returns false if there is none. */
static bool
parse_prefix(const char *s, const char *const *values, size_t n,
             const char **value)
{
    size_t len = strlen(s);
    for (size_t i = 0; len && i < n; i++) {
        if (!strncmp(s, values[i], len)) {
            *value = values[i];
            return true;
        }
    }
    return false;
}

/* Looks up mirror 'id'. */
static char *
find_mirror(struct ctl_context *ctx, const char *id, bool must_exist,
            const struct nbrec_mirror **mirrorp)
{
    return NBCTL_FIND(ctx, mirror, "mirror", id, must_exist, mirrorp);
}

/* "mirror-add NAME TYPE INDEX FILTER SINK". */
static void
cmd_mirror_add(struct ctl_context *ctx)
{
    static const char *const types[] = { "gre", "erspan" };
    static const char *const filters[] = { "from-lport", "to-lport" };
    const char *name = ctx->argv[1];
    const char *sink = ctx->argv[5];
    const char *type, *filter;
    long long int index;

    const struct nbrec_mirror *mirror;
    if (!nbctl_check(ctx, find_mirror(ctx, name, false, &mirror))) {
        return;
    }
    if (mirror) {
        if (!nbctl_has_option(ctx, "--may-exist")) {
            ctl_error(ctx, "Mirror with %s name already exists.", name);
        }
        return;
    }
    if (!parse_prefix(ctx->argv[2], types, ARRAY_SIZE(types), &type)) {
        ctl_error(ctx, "%s: type must be \"gre\" or \"erspan\"",
                  ctx->argv[2]);
        return;
    }
    if (!str_to_llong(ctx->argv[3], 10, &index)) {
        ctl_error(ctx, "Invalid Index");
        return;
    }
    if (!parse_prefix(ctx->argv[4], filters, ARRAY_SIZE(filters),
                      &filter)) {
        ctl_error(ctx, "%s: selection must be \"to-lport\" or "
                  "\"from-lport\"", ctx->argv[4]);
        return;
    }
    char *error = nb_validate_ip(sink);
    if (error) {
        free(error);
        ctl_error(ctx, "Invalid sink ip: %s", sink);
        return;
    }

    struct nbrec_mirror *new = nbrec_mirror_insert(ctx->txn);
    nbrec_mirror_set_name(new, name);
    nbrec_mirror_set_type(new, type);
    nbrec_mirror_set_index(new, index);
    nbrec_mirror_set_filter(new, filter);
    nbrec_mirror_set_sink(new, sink);
}

/* "mirror-del [NAME]": one mirror, or all.  Ports that name a deleted
 * mirror drop it (the reference is weak). */
static void
cmd_mirror_del(struct ctl_context *ctx)
{
    if (ctx->argc == 1) {
        const struct nbrec_mirror *mirror;
        NBREC_MIRROR_FOR_EACH_SAFE (mirror, ctx->idl) {
            nbrec_mirror_delete(mirror);
        }
        return;
    }
    const struct nbrec_mirror *mirror;
    if (nbctl_check(ctx, find_mirror(ctx, ctx->argv[1],
                                     !nbctl_has_option(ctx, "--if-exists"),
                                     &mirror))
        && mirror) {
        nbrec_mirror_delete(mirror);
    }
}

/* Orders mirrors by name. */
static int
compare_mirrors(const void *a_, const void *b_)
{
    const struct nbrec_mirror *a = *(const struct nbrec_mirror *const *) a_;
    const struct nbrec_mirror *b = *(const struct nbrec_mirror *const *) b_;
    return strcmp(a->name, b->name);
}

/* "mirror-list". */
static void
cmd_mirror_list(struct ctl_context *ctx)
{
    size_t n = 0, allocated = 0;
    const struct nbrec_mirror **mirrors = NULL;
    const struct nbrec_mirror *mirror;
    NBREC_MIRROR_FOR_EACH (mirror, ctx->idl) {
        if (n >= allocated) {
            mirrors = x2nrealloc(mirrors, &allocated, sizeof *mirrors);
        }
        mirrors[n++] = mirror;
    }
    if (n) {
        qsort(mirrors, n, sizeof *mirrors, compare_mirrors);
    }
    for (size_t i = 0; i < n; i++) {
        mirror = mirrors[i];
        ds_put_format(&ctx->output, "%s:\n", mirror->name);
        ds_put_format(&ctx->output, "  Type     :  %s\n", mirror->type);
        ds_put_format(&ctx->output, "  Sink     :  %s\n", mirror->sink);
        ds_put_format(&ctx->output, "  Filter   :  %s\n", mirror->filter);
        ds_put_format(&ctx->output, "  Index/Key:  %"PRId64"\n\n",
                      mirror->index);
    }
    free(mirrors);
}

/* Looks up the port and the mirror that the current command names. */
static bool
find_port_and_mirror(struct ctl_context *ctx,
                     const struct nbrec_logical_switch_port **lspp,
                     const struct nbrec_mirror **mirrorp)
{
    return (nbctl_check(ctx, NBCTL_FIND(ctx, logical_switch_port, "port",
                                        ctx->argv[1], true, lspp))
            && nbctl_check(ctx, find_mirror(ctx, ctx->argv[2], true,
                                            mirrorp)));
}

/* Returns true if 'lsp' has mirror 'mirror'. */
static bool
lsp_has_mirror(const struct nbrec_logical_switch_port *lsp,
               const struct nbrec_mirror *mirror)
{
    for (size_t i = 0; i < lsp->n_mirror_rules; i++) {
        if (lsp->mirror_rules[i] == mirror) {
            return true;
        }
    }
    return false;
}

/* "lsp-attach-mirror PORT MIRROR". */
static void
cmd_lsp_attach_mirror(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp;
    const struct nbrec_mirror *mirror;
    if (!find_port_and_mirror(ctx, &lsp, &mirror)) {
        return;
    }
    if (lsp_has_mirror(lsp, mirror)) {
        if (!nbctl_has_option(ctx, "--may-exist")) {
            ctl_error(ctx, "mirror %s is already attached to the logical "
                      "port %s.", mirror->name, ctx->argv[1]);
        }
        return;
    }
    nbrec_logical_switch_port_update_mirror_rules_addvalue(lsp, mirror);
}

/* "lsp-detach-mirror PORT MIRROR". */
static void
cmd_lsp_detach_mirror(struct ctl_context *ctx)
{
    const struct nbrec_logical_switch_port *lsp;
    const struct nbrec_mirror *mirror;
    if (!find_port_and_mirror(ctx, &lsp, &mirror)) {
        return;
    }
    if (!lsp_has_mirror(lsp, mirror)) {
        if (!nbctl_has_option(ctx, "--if-exists")) {
            ctl_error(ctx, "mirror %s is not attached to the logical port "
                      "%s.", mirror->name, ctx->argv[1]);
        }
        return;
    }
    nbrec_logical_switch_port_update_mirror_rules_delvalue(lsp, mirror);
}

/* The mirror commands. */
static const struct ctl_command_syntax mirror_commands[] = {
    { "mirror-add", 5, 5, "NAME TYPE INDEX FILTER SINK", NULL,
      cmd_mirror_add, NULL, "--may-exist", RW },
    { "mirror-del", 0, 1, "[NAME]", NULL, cmd_mirror_del, NULL,
      "--if-exists", RW },
    { "mirror-list", 0, 0, "", NULL, cmd_mirror_list, NULL, "", RO },
    { "lsp-attach-mirror", 2, 2, "PORT MIRROR", NULL, cmd_lsp_attach_mirror,
      NULL, "--may-exist", RW },
    { "lsp-detach-mirror", 2, 2, "PORT MIRROR", NULL, cmd_lsp_detach_mirror,
      NULL, "--if-exists", RW },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, "", RO },
};

/* Registers the mirror commands. */
void
nbctl_mirror_register(void)
{
    ctl_register_commands(mirror_commands);
}
