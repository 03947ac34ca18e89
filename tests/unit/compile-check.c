#include <config.h>

#include "tests/unit/compile-check.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "lib/expr-ast.h"
#include "lib/expr-compile.h"
#include "lib/expr.h"
#include "lib/pipeline.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-flow.h"
#include "packets.h"
#include "svec.h"
#include "util.h"

/* A logical port of the datapath the checks compile for. */
struct check_port {
    const char *name;           /* Port name. */
    uint32_t key;               /* Tunnel key. */
};

/* The ports. */
static const struct check_port ports[] = {
    { "p1", 1 }, { "p2", 2 }, { "p3", 3 }, { "p4", 4 }, { "p5", 5 },
    { "p6", 6 }, { "p7", 0x10000 }, { "web", 100 },
};

/* A named set: a port group (members are port names) or an address set
 * (members are addresses or prefixes), NULL-terminated. */
struct check_set {
    const char *name;           /* Set name. */
    const char *members[6];     /* Members, then NULL. */
};

/* The port groups.  "pgx" holds a port that is not on the datapath. */
static const struct check_set port_groups[] = {
    { "pg1", { "p1", "p2", "p5", NULL } },
    { "pg2", { "p6", "web", NULL } },
    { "pgx", { "elsewhere", NULL } },
};

/* The address sets. */
static const struct check_set address_sets[] = {
    { "as4", { "10.0.0.1", "10.0.0.0/24", "192.168.0.0/16", NULL } },
    { "as6", { "fd00::1", "fd00:1::/64", NULL } },
    { "mix", { "10.1.0.0/16", "172.16.0.1", "fd00::/16", NULL } },
    { "none", { NULL } },
    { "all4", { "0.0.0.0/0", NULL } },
};

/* Returns the set called 'name' among the 'n' 'sets', or NULL. */
static const struct check_set *
find_set(const struct check_set *sets, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(sets[i].name, name)) {
            return &sets[i];
        }
    }
    return NULL;
}

/* Returns the port called 'name', or NULL. */
static const struct check_port *
find_port(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(ports); i++) {
        if (!strcmp(ports[i].name, name)) {
            return &ports[i];
        }
    }
    return NULL;
}

/* expr_compile_ctx callback. */
static bool
lookup_port(const char *name, uint32_t *key, void *aux OVS_UNUSED)
{
    const struct check_port *port = find_port(name);
    if (port) {
        *key = port->key;
    }
    return port != NULL;
}

/* expr_compile_ctx callback. */
static bool
port_group_keys(const char *name, uint32_t **keys, size_t *n_keys,
                void *aux OVS_UNUSED)
{
    const struct check_set *pg = find_set(port_groups,
                                          ARRAY_SIZE(port_groups), name);
    *keys = NULL;
    *n_keys = 0;
    if (!pg) {
        return false;
    }
    for (size_t i = 0; pg->members[i]; i++) {
        const struct check_port *port = find_port(pg->members[i]);
        if (port) {
            *keys = xrealloc(*keys, (*n_keys + 1) * sizeof **keys);
            (*keys)[(*n_keys)++] = port->key;
        }
    }
    return true;
}

/* expr_compile_ctx callback. */
static bool
address_set_addresses(const char *name, struct svec *addresses,
                      void *aux OVS_UNUSED)
{
    const struct check_set *as = find_set(address_sets,
                                          ARRAY_SIZE(address_sets), name);
    for (size_t i = 0; as && as->members[i]; i++) {
        svec_add(addresses, as->members[i]);
    }
    return as != NULL;
}

/* Returns the compile context over the names above. */
const struct expr_compile_ctx *
compile_check_ctx(void)
{
    static const struct expr_compile_ctx ctx = {
        .lookup_port = lookup_port,
        .port_group_keys = port_group_keys,
        .address_set_addresses = address_set_addresses,
    };
    return &ctx;
}

/* expr_context callback. */
static bool
address_set_exists(const char *name, void *aux OVS_UNUSED)
{
    return find_set(address_sets, ARRAY_SIZE(address_sets), name) != NULL;
}

/* expr_context callback. */
static bool
port_group_exists(const char *name, void *aux OVS_UNUSED)
{
    return find_set(port_groups, ARRAY_SIZE(port_groups), name) != NULL;
}

/* Returns a parse context that accepts exactly the names above. */
const struct expr_context *
compile_check_parse_ctx(void)
{
    static const struct expr_context ctx = {
        .address_set_exists = address_set_exists,
        .port_group_exists = port_group_exists,
    };
    return &ctx;
}

/* Parses address or prefix 'text' into 16 bytes of IPv6 (IPv4 in the last
 * four, with 'is_ipv6' false) and a prefix length in those 128 bits. */
static bool
parse_prefix(const char *text, bool *is_ipv6, struct in6_addr *addr,
             unsigned int *plen)
{
    ovs_be32 ip4;
    char *error = ip_parse_cidr(text, &ip4, plen);
    if (!error) {
        memset(addr, 0, sizeof *addr);
        memcpy(&addr->s6_addr[12], &ip4, 4);
        *plen += 96;
        *is_ipv6 = false;
        return true;
    }
    free(error);
    error = ipv6_parse_cidr(text, addr, plen);
    free(error);
    *is_ipv6 = true;
    return !error;
}

/* Returns true if the first 'plen' bits of 'a' and 'b' are equal. */
static bool
same_prefix(const struct in6_addr *a, const struct in6_addr *b,
            unsigned int plen)
{
    for (unsigned int bit = 0; bit < plen; bit++) {
        uint8_t m = 0x80 >> (bit % 8);
        if ((a->s6_addr[bit / 8] ^ b->s6_addr[bit / 8]) & m) {
            return false;
        }
    }
    return true;
}

/* expr_evaluate() callback: membership in the sets above. */
bool
compile_check_lookup_set(const char *set_name, const char *member,
                         void *aux OVS_UNUSED)
{
    const struct check_set *pg = find_set(port_groups,
                                          ARRAY_SIZE(port_groups), set_name);
    if (pg) {
        for (size_t i = 0; pg->members[i]; i++) {
            if (!strcmp(pg->members[i], member)) {
                return true;
            }
        }
        return false;
    }

    const struct check_set *as = find_set(address_sets,
                                          ARRAY_SIZE(address_sets),
                                          set_name);
    bool member_v6;
    struct in6_addr addr;
    unsigned int plen;
    if (!as || !parse_prefix(member, &member_v6, &addr, &plen)) {
        return false;
    }
    for (size_t i = 0; as->members[i]; i++) {
        bool v6;
        struct in6_addr net;
        if (parse_prefix(as->members[i], &v6, &net, &plen)
            && v6 == member_v6 && same_prefix(&addr, &net, plen)) {
            return true;
        }
    }
    return false;
}

/* A compiled alternative, parsed by OVS: it matches if 'common' does and,
 * for each dimension, one of its values (each with the common part). */
struct check_alt {
    struct minimatch common;    /* Common part or plain match. */
    struct minimatch **dims;    /* Values of each dimension. */
    size_t *n_values;           /* Number of values of each dimension. */
    size_t n_dims;              /* Number of dimensions. */
};

/* Parses ovs-ofctl match 'text' into 'mm'. */
static char *
parse_minimatch(const char *text, struct minimatch *mm)
{
    char *s = xasprintf("%s%sactions=drop", text, text[0] ? "," : "");
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    char *error = parse_ofp_str(&fm, OFPFC_ADD, s, NULL, NULL, &usable);
    free(s);
    if (!error) {
        minimatch_clone(mm, &fm.match);
        minimatch_destroy(&fm.match);
        free(fm.ofpacts);
    }
    return error;
}

/* Parses compiled match 'text' into '*altsp' and '*n_altsp'. */
static char *
parse_compiled(const char *text, struct check_alt **altsp, size_t *n_altsp)
{
    struct pipeline_match pm;
    char *error = pipeline_match_parse(text, &pm);
    if (error) {
        return error;
    }
    struct check_alt *alts = xcalloc(pm.n_alts, sizeof *alts);
    for (size_t i = 0; i < pm.n_alts && !error; i++) {
        const struct pipeline_match_alt *pa = &pm.alts[i];
        struct check_alt *alt = &alts[i];
        error = parse_minimatch(pa->common, &alt->common);
        alt->dims = xcalloc(pa->n_dims, sizeof *alt->dims);
        alt->n_values = xcalloc(pa->n_dims, sizeof *alt->n_values);
        alt->n_dims = pa->n_dims;
        for (size_t j = 0; j < pa->n_dims && !error; j++) {
            const struct pipeline_match_dim *pd = &pa->dims[j];
            alt->dims[j] = xcalloc(pd->n_values, sizeof *alt->dims[j]);
            for (size_t k = 0; k < pd->n_values && !error; k++) {
                char *both = xasprintf("%s%s%s", pa->common,
                                       pa->common[0] ? "," : "",
                                       pd->values[k]);
                error = parse_minimatch(both, &alt->dims[j][k]);
                free(both);
                alt->n_values[j] += !error;
            }
        }
    }
    *altsp = alts;
    *n_altsp = pm.n_alts;
    pipeline_match_destroy(&pm);
    return error;
}

/* Frees the 'n' 'alts'.  Only what parse_compiled() parsed is
 * initialized: an alternative whose common part did not parse has its
 * minimatch zeroed, which minimatch_destroy() accepts. */
static void
free_compiled(struct check_alt *alts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        minimatch_destroy(&alts[i].common);
        for (size_t j = 0; j < alts[i].n_dims; j++) {
            for (size_t k = 0; k < alts[i].n_values[j]; k++) {
                minimatch_destroy(&alts[i].dims[j][k]);
            }
            free(alts[i].dims[j]);
        }
        free(alts[i].dims);
        free(alts[i].n_values);
    }
    free(alts);
}

/* Returns true if one of the 'n' 'alts' matches 'flow'. */
static bool
compiled_matches(const struct check_alt *alts, size_t n,
                 const struct flow *flow)
{
    for (size_t i = 0; i < n; i++) {
        const struct check_alt *alt = &alts[i];
        bool match = minimatch_matches_flow(&alt->common, flow);
        for (size_t j = 0; j < alt->n_dims && match; j++) {
            match = false;
            for (size_t k = 0; k < alt->n_values[j] && !match; k++) {
                match = minimatch_matches_flow(&alt->dims[j][k], flow);
            }
        }
        if (match) {
            return true;
        }
    }
    return false;
}

/* Pseudo-random numbers, the same sequence for the same seed. */
static uint32_t
next_random(uint32_t *state)
{
    uint32_t x = *state ? *state : 0x9e3779b9;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

/* Interesting values of one symbol, found in an expression. */
struct candidates {
    const struct expr_symbol *symbol;   /* The symbol. */
    struct expr_value *values;          /* Its values worth trying. */
    size_t n_values;                    /* Number of 'values'. */
    const char **ports;                 /* Port names, for inport and
                                         * outport. */
    size_t n_ports;                     /* Number of 'ports'. */
};

/* All the candidates of an expression. */
struct all_candidates {
    struct candidates *c;       /* One per symbol. */
    size_t n;                   /* Number of 'c'. */
};

/* Returns the candidates of 'sym', adding an empty entry if needed. */
static struct candidates *
candidates_for(struct all_candidates *all, const struct expr_symbol *sym)
{
    for (size_t i = 0; i < all->n; i++) {
        if (all->c[i].symbol == sym) {
            return &all->c[i];
        }
    }
    all->c = xrealloc(all->c, (all->n + 1) * sizeof *all->c);
    struct candidates *c = &all->c[all->n++];
    memset(c, 0, sizeof *c);
    c->symbol = sym;
    return c;
}

/* Adds 'v', clipped to the width of 'c''s symbol, to 'c'. */
static void
add_value(struct candidates *c, const struct expr_value *v)
{
    struct expr_value x = *v, width;
    expr_value_mask_width(c->symbol->width, &width);
    expr_value_and(&x, &width);
    c->values = xrealloc(c->values, (c->n_values + 1) * sizeof *c->values);
    c->values[c->n_values++] = x;
}

/* Adds 'v' + 'delta' (-1, 0 or 1, wrapping) to 'c'. */
static void
add_value_plus(struct candidates *c, const struct expr_value *v, int delta)
{
    struct expr_value x = *v;
    for (int i = 15; i >= 0 && delta; i--) {
        x.b[i] += delta;
        if ((delta > 0 && x.b[i] != 0) || (delta < 0 && x.b[i] != 0xff)) {
            break;
        }
    }
    add_value(c, &x);
}

/* Adds the boundary values of address set 'name' for 'c''s field. */
static void
add_address_set(struct candidates *c, const char *name)
{
    const struct check_set *as = find_set(address_sets,
                                          ARRAY_SIZE(address_sets), name);
    bool field_v6 = c->symbol->format == EXPR_FMT_IPV6;
    for (size_t i = 0; as && as->members[i]; i++) {
        bool v6;
        struct in6_addr net;
        unsigned int plen;
        if (!parse_prefix(as->members[i], &v6, &net, &plen)
            || v6 != field_v6) {
            continue;
        }
        struct expr_value v, last;
        memcpy(v.b, &net, 16);
        last = v;
        for (unsigned int bit = plen; bit < 128; bit++) {
            last.b[bit / 8] |= 0x80 >> (bit % 8);
        }
        add_value_plus(c, &v, -1);
        add_value(c, &v);
        add_value_plus(c, &v, 1);
        add_value(c, &last);
        add_value_plus(c, &last, 1);
    }
}

/* Collects the candidates of every comparison in 'e'. */
static void
collect_candidates(const struct expr *e, struct all_candidates *all,
                   uint32_t *rnd)
{
    if (e->type == EXPR_T_AND || e->type == EXPR_T_OR) {
        for (size_t i = 0; i < e->n_subs; i++) {
            collect_candidates(e->subs[i], all, rnd);
        }
        return;
    } else if (e->type != EXPR_T_CMP) {
        return;
    }

    const struct expr_cmp *cmp = &e->cmp;
    struct candidates *c = candidates_for(all, cmp->symbol);
    switch (cmp->kind) {
    case EXPR_CMP_CONST: {
        add_value_plus(c, &cmp->value, -1);
        add_value(c, &cmp->value);
        add_value_plus(c, &cmp->value, 1);
        /* The value with random bits outside the mask, and with the
         * lowest and highest bits of the mask flipped. */
        struct expr_value x = cmp->value;
        for (int i = 0; i < 16; i++) {
            x.b[i] |= next_random(rnd) & ~cmp->mask.b[i];
        }
        add_value(c, &x);
        int lo = -1, hi = -1;
        for (int bit = 0; bit < 128; bit++) {
            if (cmp->mask.b[15 - bit / 8] & (1u << (bit % 8))) {
                lo = lo < 0 ? bit : lo;
                hi = bit;
            }
        }
        for (int k = 0; k < 2 && lo >= 0; k++) {
            int bit = k ? hi : lo;
            x = cmp->value;
            x.b[15 - bit / 8] ^= 1u << (bit % 8);
            add_value(c, &x);
        }
        break;
    }
    case EXPR_CMP_STRING:
        /* A port that is not on the datapath cannot be a packet's. */
        if (find_port(cmp->string)) {
            c->ports = xrealloc(c->ports,
                                (c->n_ports + 1) * sizeof *c->ports);
            c->ports[c->n_ports++] = cmp->string;
        }
        break;
    case EXPR_CMP_PORT_GROUP: {
        const struct check_set *pg = find_set(port_groups,
                                              ARRAY_SIZE(port_groups),
                                              cmp->string);
        for (size_t i = 0; pg && pg->members[i]; i++) {
            if (find_port(pg->members[i])) {
                c->ports = xrealloc(c->ports,
                                    (c->n_ports + 1) * sizeof *c->ports);
                c->ports[c->n_ports++] = pg->members[i];
            }
        }
        break;
    }
    case EXPR_CMP_ADDR_SET:
        add_address_set(c, cmp->string);
        break;
    }
}

/* Frees 'all'. */
static void
candidates_destroy(struct all_candidates *all)
{
    for (size_t i = 0; i < all->n; i++) {
        free(all->c[i].values);
        free(all->c[i].ports);
    }
    free(all->c);
}

/* Fills 'n' bytes at 'p' with random bits. */
static void
fill_random(void *p_, size_t n, uint32_t *rnd)
{
    uint8_t *p = p_;
    for (size_t i = 0; i < n; i++) {
        p[i] = next_random(rnd);
    }
}

/* Returns a random port name, or NULL (no port). */
static const char *
random_port(uint32_t *rnd)
{
    uint32_t i = next_random(rnd) % (ARRAY_SIZE(ports) + 1);
    return i < ARRAY_SIZE(ports) ? ports[i].name : NULL;
}

/* Makes a random packet of a random kind (TCP, UDP, ICMP, other IPv4,
 * IPv6, ARP, another Ethernet type) into 'p'. */
static void
random_packet(struct expr_packet *p, uint32_t *rnd)
{
    static const uint16_t types[] = { 0x800, 0x800, 0x800, 0x800, 0x86dd,
                                      0x86dd, 0x806, 0 };
    static const uint8_t protos[] = { 6, 17, 1, 0 };

    struct flow *f = &p->flow;
    memset(p, 0, sizeof *p);
    fill_random(&f->dl_src, sizeof f->dl_src, rnd);
    fill_random(&f->dl_dst, sizeof f->dl_dst, rnd);
    if (next_random(rnd) & 1) {
        fill_random(&f->vlans[0].tci, sizeof f->vlans[0].tci, rnd);
    }
    uint16_t type = types[next_random(rnd) % ARRAY_SIZE(types)];
    f->dl_type = htons(type ? type : next_random(rnd));
    fill_random(&f->nw_src, sizeof f->nw_src, rnd);
    fill_random(&f->nw_dst, sizeof f->nw_dst, rnd);
    fill_random(&f->ipv6_src, sizeof f->ipv6_src, rnd);
    fill_random(&f->ipv6_dst, sizeof f->ipv6_dst, rnd);
    f->nw_proto = protos[next_random(rnd) % ARRAY_SIZE(protos)];
    if (!f->nw_proto) {
        f->nw_proto = next_random(rnd);
    }
    f->nw_tos = next_random(rnd);
    f->nw_ttl = next_random(rnd);
    f->tp_src = htons(next_random(rnd) % (next_random(rnd) & 1 ? 1024
                                          : 65536));
    f->tp_dst = htons(next_random(rnd) % (next_random(rnd) & 1 ? 1024
                                          : 65536));
    fill_random(&f->arp_sha, sizeof f->arp_sha, rnd);
    fill_random(&f->arp_tha, sizeof f->arp_tha, rnd);
    f->regs[9] = next_random(rnd);
    if (next_random(rnd) & 1) {
        f->regs[9] &= 0xff;
    }
    p->inport = nullable_xstrdup(random_port(rnd));
    p->outport = nullable_xstrdup(random_port(rnd));
}

/* Gives 'p' some of the candidate values in 'all'. */
static void
apply_candidates(struct expr_packet *p, const struct all_candidates *all,
                 uint32_t *rnd)
{
    for (size_t i = 0; i < all->n; i++) {
        const struct candidates *c = &all->c[i];
        if (next_random(rnd) % 3 == 0) {
            continue;
        }
        if (c->n_values) {
            const struct expr_value *v
                = &c->values[next_random(rnd) % c->n_values];
            expr_symbol_set(c->symbol, v, &p->flow);
        }
        if (c->n_ports || c->symbol->type == EXPR_SYM_STRING) {
            const char *port = (c->n_ports && next_random(rnd) % 4
                                ? c->ports[next_random(rnd) % c->n_ports]
                                : random_port(rnd));
            char **dst = (c->symbol->field == EXPR_F_INPORT
                          ? &p->inport : &p->outport);
            free(*dst);
            *dst = nullable_xstrdup(port);
        }
    }
}

/* Makes 'p' a packet that OVS's flow extraction could produce (an ICMP
 * type or code fits in 8 bits) and fills in the logical port registers
 * from its port names. */
static void
finish_packet(struct expr_packet *p)
{
    struct flow *f = &p->flow;
    if ((f->dl_type == htons(ETH_TYPE_IP) && f->nw_proto == IPPROTO_ICMP)
        || (f->dl_type == htons(ETH_TYPE_IPV6)
            && f->nw_proto == IPPROTO_ICMPV6)) {
        f->tp_src &= htons(0xff);
        f->tp_dst &= htons(0xff);
    }
    const struct check_port *in = p->inport ? find_port(p->inport) : NULL;
    const struct check_port *out = p->outport ? find_port(p->outport)
                                              : NULL;
    f->regs[14] = in ? in->key : 0;
    f->regs[15] = out ? out->key : 0;
}

/* Checks that expression 'e' and 'match', its compilation, agree on
 * 'n_packets' packets chosen with 'seed' (half from the expression's
 * constants).  Returns NULL, or a malloc()'d description of the first
 * disagreement or of a match that does not parse. */
char *
compile_check_equivalence(const struct expr *e, const char *match,
                          uint32_t seed, size_t n_packets)
{
    struct check_alt *alts = NULL;
    size_t n_alts = 0;
    char *error = match ? parse_compiled(match, &alts, &n_alts) : NULL;
    if (error) {
        char *msg = xasprintf("compiled match \"%s\" does not parse: %s",
                              match, error);
        free(error);
        free_compiled(alts, n_alts);
        return msg;
    }

    uint32_t rnd = seed;
    struct all_candidates all = { NULL, 0 };
    collect_candidates(e, &all, &rnd);
    for (size_t i = 0; i < n_packets && !error; i++) {
        struct expr_packet p;
        random_packet(&p, &rnd);
        if (i % 2 == 0) {
            apply_candidates(&p, &all, &rnd);
        }
        finish_packet(&p);

        bool want = expr_evaluate(e, &p, compile_check_lookup_set, NULL);
        bool got = compiled_matches(alts, n_alts, &p.flow);
        if (want != got) {
            char *text = expr_to_string(e);
            char *flow = flow_to_string(&p.flow, NULL);
            error = xasprintf("\"%s\" compiled to \"%s\": packet %s "
                              "(inport %s, outport %s): the expression "
                              "says %s, the OpenFlow match %s", text,
                              match ? match : "(nothing)", flow,
                              p.inport ? p.inport : "none",
                              p.outport ? p.outport : "none",
                              want ? "match" : "no match",
                              got ? "match" : "no match");
            free(flow);
            free(text);
        }
        expr_packet_destroy(&p);
    }
    candidates_destroy(&all);
    free_compiled(alts, n_alts);
    return error;
}
