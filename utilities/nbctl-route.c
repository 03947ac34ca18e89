/*
 * osmotic-nbctl: static route and routing policy commands of logical
 * routers (lr-route-add, lr-route-del, lr-route-list, lr-policy-add,
 * lr-policy-del, lr-policy-list), with ovn-nbctl's arguments, output and
 * messages.
 *
 * Prefixes and next hops are stored in canonical form, a prefix without
 * host bits ("10.0.0.1/24" is 10.0.0.0/24, as ovn-nbctl reads it).  A
 * route belongs to a route table (the main one, "", by default); routes
 * of one router with the same table, policy and prefix are ECMP routes,
 * told apart by their next hops.
 */
#include <config.h>

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "lib/nb-validate.h"
#include "lib/osmotic-nb-idl.h"
#include "utilities/nbctl.h"

#include "db-ctl-base.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "smap.h"
#include "svec.h"
#include "util.h"

/* Returns the router named by argument 1, or NULL after reporting an
 * error. */
static const struct nbrec_logical_router *
arg_lr(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr;
    return (nbctl_check(ctx, NBCTL_FIND(ctx, logical_router, "router",
                                        ctx->argv[1], true, &lr))
            ? lr : NULL);
}

/* Returns the policy of 'route', "dst-ip" when unset. */
static const char *
route_policy(const struct nbrec_logical_router_static_route *route)
{
    return route->policy ? route->policy : "dst-ip";
}

/* Parses the --policy option into '*policy' (NULL without it). */
static bool
parse_policy(struct ctl_context *ctx, const char **policy)
{
    *policy = shash_find_data(&ctx->options, "--policy");
    if (*policy && strcmp(*policy, "dst-ip") && strcmp(*policy, "src-ip")) {
        ctl_error(ctx, "bad policy: %s", *policy);
        return false;
    }
    return true;
}

/* Returns the value of option --route-table, or "" (the main table). */
static const char *
route_table_option(const struct ctl_context *ctx)
{
    const char *table = shash_find_data(&ctx->options, "--route-table");
    return table ? table : "";
}

/* Returns the next hop of 'route' in canonical form ("discard" and ""
 * stay as they are), in a malloc()'d string. */
static char *
route_nexthop(const struct nbrec_logical_router_static_route *route)
{
    if (!strcmp(route->nexthop, "discard") || !route->nexthop[0]) {
        return xstrdup(route->nexthop);
    }
    char *nexthop = nbctl_normalize_prefix(route->nexthop, AF_UNSPEC);
    return nexthop ? nexthop : xstrdup(route->nexthop);
}

/* Returns the route of 'lr' in route table 'table' with 'policy' and
 * 'prefix' (canonical) and, if 'nexthop' is nonnull, that next hop. */
static const struct nbrec_logical_router_static_route *
find_route(const struct nbrec_logical_router *lr, const char *table,
           const char *policy, const char *prefix, const char *nexthop)
{
    for (size_t i = 0; i < lr->n_static_routes; i++) {
        const struct nbrec_logical_router_static_route *route
            = lr->static_routes[i];
        if (strcmp(route->route_table, table)
            || strcmp(route_policy(route), policy)) {
            continue;
        }
        char *p = nbctl_normalize_prefix(route->ip_prefix, AF_UNSPEC);
        char *nh = nexthop ? route_nexthop(route) : NULL;
        bool same = (p && !strcmp(p, prefix)
                     && (!nexthop || !strcmp(nh, nexthop)));
        free(p);
        free(nh);
        if (same) {
            return route;
        }
    }
    return NULL;
}

/* Finds the BFD session for --bfd[=UUID] of a route to 'nexthop' by
 * 'port' (either may be NULL), creating it if need be.  Stores it in
 * '*bfdp'.  Returns false after reporting an error. */
static bool
find_route_bfd(struct ctl_context *ctx, const char *nexthop,
               const struct nbrec_logical_router_port *port,
               const struct nbrec_bfd **bfdp)
{
    const char *id = shash_find_data(&ctx->options, "--bfd");
    *bfdp = NULL;
    if (id) {
        struct uuid uuid;
        if (uuid_from_string(&uuid, id)) {
            *bfdp = nbrec_bfd_get_for_uuid(ctx->idl, &uuid);
        }
        if (!*bfdp) {
            ctl_error(ctx, "no entry found in the BFD table");
            return false;
        }
        return true;
    }
    const struct nbrec_bfd *bfd;
    NBREC_BFD_FOR_EACH (bfd, ctx->idl) {
        if (!strcmp(bfd->dst_ip, nexthop)
            && (!port || !strcmp(bfd->logical_port, port->name))) {
            *bfdp = bfd;
            return true;
        }
    }
    if (!port) {
        ctl_error(ctx, "insert entry in the BFD table failed");
        return false;
    }
    struct nbrec_bfd *new = nbrec_bfd_insert(ctx->txn);
    nbrec_bfd_set_dst_ip(new, nexthop);
    nbrec_bfd_set_logical_port(new, port->name);
    *bfdp = new;
    return true;
}

/* What lr-route-add was asked to add. */
struct route_request {
    const char *policy;         /* --policy, or NULL. */
    const char *table;          /* --route-table, or "". */
    char *prefix;               /* Canonical prefix. */
    char *nexthop;              /* Canonical next hop, "discard" or "". */
    const struct nbrec_logical_router_port *port;   /* Or NULL. */
    bool ecmp;                  /* --ecmp or --ecmp-symmetric-reply. */
    bool symmetric;             /* --ecmp-symmetric-reply. */
    bool bfd;                   /* --bfd. */
};

/* Parses the arguments of lr-route-add into 'r'. */
static bool
parse_route_request(struct ctl_context *ctx, struct route_request *r)
{
    r->symmetric = nbctl_has_option(ctx, "--ecmp-symmetric-reply");
    r->ecmp = r->symmetric || nbctl_has_option(ctx, "--ecmp");
    r->bfd = shash_find(&ctx->options, "--bfd") != NULL;
    r->table = route_table_option(ctx);
    if (!parse_policy(ctx, &r->policy)) {
        return false;
    }
    if (shash_find(&ctx->options, "--route-table")) {
        /* Given, even empty ("--route-table="), it must be a valid name:
         * the main table is the option's absence. */
        char *error = nb_validate_route_table(r->table);
        if (error) {
            ctl_error(ctx, "--route-table: %s", error);
            free(error);
            return false;
        }
    }
    r->prefix = nbctl_normalize_prefix(ctx->argv[2], AF_UNSPEC);
    if (!r->prefix) {
        ctl_error(ctx, "bad prefix argument: %s", ctx->argv[2]);
        return false;
    }
    bool v6 = strchr(r->prefix, ':') != NULL;
    const char *nexthop = ctx->argv[3];
    if (!strcmp(nexthop, "discard")) {
        r->nexthop = xstrdup("discard");
    } else {
        r->nexthop = nbctl_normalize_ip(nexthop, v6 ? AF_INET6 : AF_INET);
        if (!r->nexthop) {
            /* Not an address: the port to send by, with no next hop. */
            char *error = NBCTL_FIND(ctx, logical_router_port, "port",
                                     nexthop, true, &r->port);
            if (error) {
                free(error);
                ctl_error(ctx, "bad %s nexthop argument: %s",
                          v6 ? "IPv6" : "IPv4", nexthop);
                return false;
            }
            r->nexthop = xstrdup("");
        }
    }
    if (ctx->argc == 5
        && !nbctl_check(ctx, NBCTL_FIND(ctx, logical_router_port, "port",
                                        ctx->argv[4], true, &r->port))) {
        return false;
    }
    if (r->port) {
        /* A port of another router would be a mistake that ovn-nbctl
         * lets through. */
        const struct nbrec_logical_router *lr
            = nbctl_lrp_to_lr(ctx->idl, r->port);
        const struct nbrec_logical_router *want = arg_lr(ctx);
        if (want && lr != want) {
            ctl_error(ctx, "%s: logical router %s has no port with this "
                      "name", r->port->name, ctx->argv[1]);
            return false;
        }
    }
    if (!strcmp(r->nexthop, "discard")) {
        if (r->ecmp) {
            ctl_error(ctx, "ecmp is not valid for discard routes.");
            return false;
        } else if (r->bfd) {
            ctl_error(ctx, "bfd dst_ip cannot be discard.");
            return false;
        } else if (r->port) {
            ctl_error(ctx, "outport is not valid for discard routes.");
            return false;
        }
    }
    return true;
}

/* "lr-route-add ROUTER PREFIX NEXTHOP [PORT]", NEXTHOP an IP address,
 * "discard" or a router port. */
static void
cmd_lr_route_add(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr = arg_lr(ctx);
    struct route_request r = { .port = NULL };
    if (!lr || !parse_route_request(ctx, &r)) {
        goto out;
    }
    const char *policy = r.policy ? r.policy : "dst-ip";
    const struct nbrec_bfd *bfd = NULL;
    const struct nbrec_logical_router_static_route *route
        = find_route(lr, r.table, policy, r.prefix,
                     r.ecmp ? r.nexthop : NULL);

    if (route && r.ecmp) {
        if (!nbctl_has_option(ctx, "--may-exist")) {
            ctl_error(ctx, "duplicate nexthop for the same ECMP route");
        }
        goto out;
    } else if (route) {
        if (!nbctl_has_option(ctx, "--may-exist")) {
            ctl_error(ctx, "duplicate prefix: %s (policy: %s). Use option "
                      "--ecmp to allow this for ECMP routing.", r.prefix,
                      policy);
            goto out;
        }
        /* --may-exist: the route takes the new next hop and port. */
        nbrec_logical_router_static_route_set_nexthop(route, r.nexthop);
        if (r.port) {
            nbrec_logical_router_static_route_set_output_port(route,
                                                              r.port->name);
        }
        if (r.bfd) {
            if (!find_route_bfd(ctx, r.nexthop, r.port, &bfd)) {
                goto out;
            }
            nbrec_logical_router_static_route_set_bfd(route, bfd);
        }
        goto out;
    }
    if (find_route(lr, r.table, policy, r.prefix, "discard")) {
        ctl_error(ctx, "discard nexthop for the same ECMP route exists.");
        goto out;
    }
    if (r.bfd && !find_route_bfd(ctx, r.nexthop, r.port, &bfd)) {
        goto out;
    }

    struct nbrec_logical_router_static_route *new
        = nbrec_logical_router_static_route_insert(ctx->txn);
    nbrec_logical_router_static_route_set_ip_prefix(new, r.prefix);
    nbrec_logical_router_static_route_set_nexthop(new, r.nexthop);
    if (r.port) {
        nbrec_logical_router_static_route_set_output_port(new, r.port->name);
    }
    if (r.policy) {
        nbrec_logical_router_static_route_set_policy(new, r.policy);
    }
    if (r.table[0]) {
        nbrec_logical_router_static_route_set_route_table(new, r.table);
    }
    if (r.symmetric) {
        const struct smap options = SMAP_CONST1(&options,
                                                "ecmp_symmetric_reply",
                                                "true");
        nbrec_logical_router_static_route_set_options(new, &options);
    }
    if (bfd) {
        nbrec_logical_router_static_route_set_bfd(new, bfd);
    }
    nbrec_logical_router_update_static_routes_addvalue(lr, new);

out:
    free(r.prefix);
    free(r.nexthop);
}

/* Deletes 'route' of 'lr', and its BFD session. */
static void
delete_route(const struct nbrec_logical_router *lr,
             const struct nbrec_logical_router_static_route *route)
{
    if (route->bfd) {
        nbrec_bfd_delete(route->bfd);
    }
    nbrec_logical_router_update_static_routes_delvalue(lr, route);
}

/* "lr-route-del ROUTER [PREFIX [NEXTHOP [PORT]]]": the routes of the main
 * table (or --route-table) that match what is given.  Without anything,
 * every route of every table. */
static void
cmd_lr_route_del(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr = arg_lr(ctx);
    const char *policy;
    if (!lr || !parse_policy(ctx, &policy)) {
        return;
    }
    if (ctx->argc == 2 && !policy) {
        for (size_t i = 0; i < lr->n_static_routes; i++) {
            delete_route(lr, lr->static_routes[i]);
        }
        return;
    }

    char *prefix = NULL, *nexthop = NULL;
    const char *port = ctx->argc > 4 ? ctx->argv[4] : NULL;
    if (ctx->argc > 2) {
        prefix = nbctl_normalize_prefix(ctx->argv[2], AF_UNSPEC);
        if (!prefix) {
            ctl_error(ctx, "bad prefix argument: %s", ctx->argv[2]);
            return;
        }
    }
    if (ctx->argc > 3) {
        nexthop = (!strcmp(ctx->argv[3], "discard") ? xstrdup("discard")
                   : nbctl_normalize_prefix(ctx->argv[3], AF_UNSPEC));
        if (!nexthop) {
            ctl_error(ctx, "bad nexthop argument: %s", ctx->argv[3]);
            free(prefix);
            return;
        }
    }

    const char *table = route_table_option(ctx);
    size_t n_deleted = 0;
    for (size_t i = 0; i < lr->n_static_routes; i++) {
        const struct nbrec_logical_router_static_route *route
            = lr->static_routes[i];
        char *p = nbctl_normalize_prefix(route->ip_prefix, AF_UNSPEC);
        char *nh = route_nexthop(route);
        bool match = ((!policy || !strcmp(route_policy(route), policy))
                      && (!prefix || (p && !strcmp(p, prefix)))
                      && (!nexthop || !strcmp(nh, nexthop))
                      && !strcmp(route->route_table, table)
                      && (!port || (route->output_port
                                    && !strcmp(route->output_port, port))));
        free(p);
        free(nh);
        if (match) {
            delete_route(lr, route);
            n_deleted++;
        }
    }
    if (!n_deleted && !nbctl_has_option(ctx, "--if-exists")) {
        ctl_error(ctx, "no matching route: policy '%s', prefix '%s', "
                  "nexthop '%s', output_port '%s'.",
                  policy ? policy : "any", prefix ? prefix : "any",
                  nexthop ? nexthop : "any", port ? port : "any");
    }
    free(prefix);
    free(nexthop);
}

/* A route to list, with what it is sorted by. */
struct listed_route {
    const struct nbrec_logical_router_static_route *route;
    struct in6_addr addr;       /* The prefix's address; IPv4 mapped. */
    int priority;               /* Longer prefixes first, then dst-ip. */
};

/* Compares the table, priority and prefix of 'a' and 'b': equal for ECMP
 * routes. */
static int
compare_route_keys(const struct listed_route *a, const struct listed_route *b)
{
    int cmp = strcmp(a->route->route_table, b->route->route_table);
    if (cmp) {
        return cmp;
    } else if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    return memcmp(&a->addr, &b->addr, sizeof a->addr);
}

/* Orders routes as lr-route-list prints them: table, priority, prefix,
 * then next hop and port. */
static int
compare_listed_routes(const void *a_, const void *b_)
{
    const struct listed_route *a = a_;
    const struct listed_route *b = b_;
    int cmp = compare_route_keys(a, b);
    if (cmp) {
        return cmp;
    }
    cmp = strcmp(a->route->nexthop, b->route->nexthop);
    if (cmp) {
        return cmp;
    }
    const char *pa = a->route->output_port, *pb = b->route->output_port;
    return pa && pb ? strcmp(pa, pb) : pa ? 1 : pb ? -1 : 0;
}

/* Appends the line of 'r' (in a group of ECMP routes if 'ecmp') to
 * 'out'. */
static void
print_route(const struct listed_route *r, bool ecmp, struct ds *out)
{
    const struct nbrec_logical_router_static_route *route = r->route;
    char *prefix = nbctl_normalize_prefix(route->ip_prefix, AF_UNSPEC);
    char *nexthop = route_nexthop(route);
    ds_put_format(out, "%25s %25s %s", prefix, nexthop,
                  route_policy(route));
    free(prefix);
    free(nexthop);
    if (route->output_port) {
        ds_put_format(out, " %s", route->output_port);
    }
    if (ecmp) {
        ds_put_cstr(out, " ecmp");
    }
    if (smap_get_bool(&route->options, "ecmp_symmetric_reply", false)) {
        ds_put_cstr(out, " ecmp-symmetric-reply");
    }
    if (route->bfd) {
        ds_put_cstr(out, " bfd");
    }
    ds_put_char(out, '\n');
}

/* Prints the 'n' 'routes' of one family, sorted, under 'title', a
 * "Route Table" heading before each table's routes. */
static void
print_routes(struct listed_route *routes, size_t n, const char *title,
             struct ds *out)
{
    if (!n) {
        return;
    }
    qsort(routes, n, sizeof *routes, compare_listed_routes);
    ds_put_format(out, "%s%s\n", out->length ? "\n" : "", title);
    for (size_t i = 0; i < n; i++) {
        const char *table = routes[i].route->route_table;
        if (!i || strcmp(table, routes[i - 1].route->route_table)) {
            ds_put_format(out, "%sRoute Table %s:\n", i ? "\n" : "",
                          table[0] ? table : "<main>");
        }
        bool ecmp = ((i + 1 < n && !compare_route_keys(&routes[i],
                                                       &routes[i + 1]))
                     || (i && !compare_route_keys(&routes[i],
                                                  &routes[i - 1])));
        print_route(&routes[i], ecmp, out);
    }
}

/* "lr-route-list ROUTER": the routes of every table (or --route-table),
 * IPv4 then IPv6, each table's longest prefixes first. */
static void
cmd_lr_route_list(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr = arg_lr(ctx);
    if (!lr) {
        return;
    }
    const char *table = shash_find_data(&ctx->options, "--route-table");
    size_t n = lr->n_static_routes;
    struct listed_route *v4 = xmalloc((n + 1) * sizeof *v4);
    struct listed_route *v6 = xmalloc((n + 1) * sizeof *v6);
    size_t n4 = 0, n6 = 0;
    for (size_t i = 0; i < n; i++) {
        const struct nbrec_logical_router_static_route *route
            = lr->static_routes[i];
        if (table && strcmp(route->route_table, table)) {
            continue;
        }
        ovs_be32 ip4;
        struct in6_addr ip6;
        unsigned int plen;
        struct listed_route *r;
        char *error = ip_parse_cidr(route->ip_prefix, &ip4, &plen);
        if (!error) {
            r = &v4[n4++];
            in6_addr_set_mapped_ipv4(&r->addr, ip4);
        } else {
            free(error);
            error = ipv6_parse_cidr(route->ip_prefix, &ip6, &plen);
            if (error) {
                free(error);
                continue;
            }
            r = &v6[n6++];
            r->addr = ip6;
        }
        r->route = route;
        r->priority = 2 * plen + !strcmp(route_policy(route), "dst-ip");
    }
    print_routes(v4, n4, "IPv4 Routes", &ctx->output);
    print_routes(v6, n6, "IPv6 Routes", &ctx->output);
    free(v4);
    free(v6);
}

/* Routing policies. */

/* Parses the next hops of a reroute policy, "IP[,IP]..." of one family,
 * into 'nexthops'.  Returns false after reporting an error. */
static bool
parse_policy_nexthops(struct ctl_context *ctx, const char *arg,
                      struct svec *nexthops)
{
    char *copy = xstrdup(arg);
    char *save_ptr = NULL;
    bool ok = true;
    for (char *token = strtok_r(copy, ",", &save_ptr); token && ok;
         token = strtok_r(NULL, ",", &save_ptr)) {
        char *nexthop = nbctl_normalize_ip(token, AF_UNSPEC);
        if (!nexthop) {
            ctl_error(ctx, "bad next hop argument: %s", arg);
            ok = false;
        } else if (nexthops->n
                   && !strchr(nexthop, ':') != !strchr(nexthops->names[0],
                                                       ':')) {
            ctl_error(ctx, "bad next hops argument, not in the same addr "
                      "family : %s", arg);
            free(nexthop);
            ok = false;
        } else {
            svec_add_nocopy(nexthops, nexthop);
        }
    }
    free(copy);
    return ok;
}

/* "lr-policy-add ROUTER PRIORITY MATCH ACTION [NEXTHOP[,NEXTHOP]...]
 * [OPTION=VALUE]...". */
static void
cmd_lr_policy_add(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr = arg_lr(ctx);
    int64_t priority;
    if (!lr || !nbctl_parse_priority(ctx, ctx->argv[2], &priority)) {
        return;
    }
    const char *match = ctx->argv[3];
    const char *action = ctx->argv[4];
    bool reroute = !strcmp(action, "reroute");
    if (strcmp(action, "allow") && strcmp(action, "drop") && !reroute) {
        ctl_error(ctx, "%s: action must be one of \"allow\", \"drop\", "
                  "and \"reroute\"", action);
        return;
    } else if (reroute && ctx->argc < 6) {
        ctl_error(ctx, "Nexthop is required when action is reroute.");
        return;
    }
    for (size_t i = 0; i < lr->n_policies; i++) {
        if (lr->policies[i]->priority == priority
            && !strcmp(lr->policies[i]->match, match)) {
            if (!nbctl_has_option(ctx, "--may-exist")) {
                ctl_error(ctx, "Same routing policy already existed on the "
                          "logical router %s.", ctx->argv[1]);
            }
            return;
        }
    }

    struct svec nexthops = SVEC_EMPTY_INITIALIZER;
    struct smap options = SMAP_INITIALIZER(&options);
    if (reroute && !parse_policy_nexthops(ctx, ctx->argv[5], &nexthops)) {
        goto out;
    }
    for (int i = reroute ? 6 : 5; i < ctx->argc; i++) {
        const char *eq = strchr(ctx->argv[i], '=');
        char *key = eq ? xmemdup0(ctx->argv[i], eq - ctx->argv[i])
                       : xstrdup(ctx->argv[i]);
        if (!eq || !eq[1]) {
            ctl_error(ctx, "No value specified for the option : %s", key);
            free(key);
            goto out;
        }
        smap_replace(&options, key, eq + 1);
        free(key);
    }
    char *error = nb_validate_match(ctx->idl, match);
    if (error) {
        ctl_error(ctx, "%s: %s", match, error);
        free(error);
        goto out;
    }

    struct nbrec_logical_router_policy *policy
        = nbrec_logical_router_policy_insert(ctx->txn);
    nbrec_logical_router_policy_set_priority(policy, priority);
    nbrec_logical_router_policy_set_match(policy, match);
    nbrec_logical_router_policy_set_action(policy, action);
    if (nexthops.n) {
        nbrec_logical_router_policy_set_nexthops(
            policy, (const char **) nexthops.names, nexthops.n);
    }
    nbrec_logical_router_policy_set_options(policy, &options);
    nbrec_logical_router_update_policies_addvalue(lr, policy);

out:
    svec_destroy(&nexthops);
    smap_destroy(&options);
}

/* "lr-policy-del ROUTER [{PRIORITY | UUID} [MATCH]]". */
static void
cmd_lr_policy_del(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr = arg_lr(ctx);
    if (!lr) {
        return;
    }
    if (ctx->argc == 2) {
        nbrec_logical_router_set_policies(lr, NULL, 0);
        return;
    }

    struct uuid uuid;
    if (uuid_from_string(&uuid, ctx->argv[2])) {
        for (size_t i = 0; i < lr->n_policies; i++) {
            if (uuid_equals(&uuid, &lr->policies[i]->header_.uuid)) {
                nbrec_logical_router_update_policies_delvalue(
                    lr, lr->policies[i]);
                return;
            }
        }
        if (!nbctl_has_option(ctx, "--if-exists")) {
            ctl_error(ctx, "Logical router policy uuid is not found.");
        }
        return;
    }

    int64_t priority;
    if (!nbctl_parse_priority(ctx, ctx->argv[2], &priority)) {
        return;
    }
    const char *match = ctx->argc > 3 ? ctx->argv[3] : NULL;
    size_t n_deleted = 0;
    for (size_t i = 0; i < lr->n_policies; i++) {
        const struct nbrec_logical_router_policy *policy = lr->policies[i];
        if (policy->priority == priority
            && (!match || !strcmp(policy->match, match))) {
            nbrec_logical_router_update_policies_delvalue(lr, policy);
            n_deleted++;
        }
    }
    if (match && !n_deleted && !nbctl_has_option(ctx, "--if-exists")) {
        ctl_error(ctx, "no routing policy with priority %"PRId64" and "
                  "match \"%s\" on the logical router %s", priority, match,
                  ctx->argv[1]);
    }
}

/* Orders policies by descending priority, then match. */
static int
compare_policies(const void *a_, const void *b_)
{
    const struct nbrec_logical_router_policy *a
        = *(const struct nbrec_logical_router_policy *const *) a_;
    const struct nbrec_logical_router_policy *b
        = *(const struct nbrec_logical_router_policy *const *) b_;
    if (a->priority != b->priority) {
        return a->priority > b->priority ? -1 : 1;
    }
    return strcmp(a->match, b->match);
}

/* "lr-policy-list ROUTER". */
static void
cmd_lr_policy_list(struct ctl_context *ctx)
{
    const struct nbrec_logical_router *lr = arg_lr(ctx);
    if (!lr || !lr->n_policies) {
        return;
    }
    size_t n = lr->n_policies;
    struct nbrec_logical_router_policy **policies
        = xmemdup(lr->policies, n * sizeof *policies);
    qsort(policies, n, sizeof *policies, compare_policies);
    ds_put_cstr(&ctx->output, "Routing Policies\n");
    for (size_t i = 0; i < n; i++) {
        const struct nbrec_logical_router_policy *policy = policies[i];
        ds_put_format(&ctx->output, "%10"PRId64" %50s %15s",
                      policy->priority, policy->match, policy->action);
        for (size_t j = 0; j < policy->n_nexthops; j++) {
            char *nexthop = nbctl_normalize_prefix(policy->nexthops[j],
                                                   AF_UNSPEC);
            ds_put_format(&ctx->output, j ? ", %s" : " %25s",
                          nexthop ? nexthop : policy->nexthops[j]);
            free(nexthop);
        }
        if (!smap_is_empty(&policy->options)) {
            ds_put_format(&ctx->output, "%15s", "");
            const struct smap_node *node;
            SMAP_FOR_EACH (node, &policy->options) {
                ds_put_format(&ctx->output, "%s=%s,", node->key,
                              node->value);
            }
            ds_chomp(&ctx->output, ',');
        }
        ds_put_char(&ctx->output, '\n');
    }
    free(policies);
}

/* The route and policy commands. */
static const struct ctl_command_syntax route_commands[] = {
    { "lr-route-add", 3, 4, "ROUTER PREFIX NEXTHOP [PORT]", NULL,
      cmd_lr_route_add, NULL,
      "--may-exist,--ecmp,--ecmp-symmetric-reply,--policy=,--bfd?,"
      "--route-table=", RW },
    { "lr-route-del", 1, 4, "ROUTER [PREFIX [NEXTHOP [PORT]]]", NULL,
      cmd_lr_route_del, NULL, "--if-exists,--policy=,--route-table=", RW },
    { "lr-route-list", 1, 1, "ROUTER", NULL, cmd_lr_route_list, NULL,
      "--route-table=", RO },
    { "lr-policy-add", 4, INT_MAX,
      "ROUTER PRIORITY MATCH ACTION [NEXTHOP] [OPTIONS...]", NULL,
      cmd_lr_policy_add, NULL, "--may-exist", RW },
    { "lr-policy-del", 1, 3, "ROUTER [{PRIORITY | UUID} [MATCH]]", NULL,
      cmd_lr_policy_del, NULL, "--if-exists", RW },
    { "lr-policy-list", 1, 1, "ROUTER", NULL, cmd_lr_policy_list, NULL, "",
      RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, "", RO },
};

/* Registers the route and policy commands. */
void
nbctl_route_register(void)
{
    ctl_register_commands(route_commands);
}
