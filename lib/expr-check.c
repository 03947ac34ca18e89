#include <config.h>

#include "lib/expr-check.h"

#include <stdlib.h>
#include <string.h>

#include "lib/expr.h"
#include "openvswitch/dynamic-string.h"
#include "util.h"

/* Checks that 'relop' applies to 'sym' ('is_set' if a set follows). */
char *
expr_check_relop(const struct expr_symbol *sym, enum expr_relop relop,
                 bool is_set)
{
    if (!expr_relop_is_ordering(relop)) {
        return NULL;
    } else if (sym->type == EXPR_SYM_STRING) {
        return xasprintf("\"%s\": %s is a string field; only == and != "
                         "apply", expr_relop_text(relop), sym->name);
    } else if (is_set) {
        return xasprintf("\"%s\": a set can only be compared with == or !=",
                         expr_relop_text(relop));
    }
    return NULL;
}

/* Returns true if a constant written in 'format' may go into a field of
 * format 'field_format'. */
static bool
format_fits(enum expr_format format, enum expr_format field_format)
{
    return (format == EXPR_FMT_DEC || format == EXPR_FMT_HEX
            || format == field_format);
}

/* Returns the part of constant token 'token' before its mask. */
static char *
value_text(const struct expr_token *token)
{
    const char *slash = strchr(token->text, '/');
    return (slash ? xmemdup0(token->text, slash - token->text)
            : xstrdup(token->text));
}

/* Checks constant 'c' (written 'text', 'what' being "" or "mask ") for
 * field 'sym'. */
static char *
check_constant(const struct expr_symbol *sym, const struct expr_constant *c,
               const char *what, const char *text)
{
    if (!format_fits(c->format, sym->format)) {
        return xasprintf("%s%s: %s needs %s, not %s", what, text, sym->name,
                         expr_format_name(sym->format),
                         expr_format_name(c->format));
    }
    if (expr_value_n_bits(&c->value) > sym->width) {
        return xasprintf("%s%s does not fit in %d-bit field %s", what, text,
                         sym->width, sym->name);
    }
    return NULL;
}

/* Decodes the mask of constant token 'token' for field 'sym' into
 * '*mask': a prefix length after an IPv4 or IPv6 address, otherwise a bit
 * mask. */
static char *
check_mask(const struct expr_symbol *sym, const struct expr_token *token,
           struct expr_value *mask)
{
    bool is_ip = (token->c.format == EXPR_FMT_IPV4
                  || token->c.format == EXPR_FMT_IPV6);
    if (is_ip && token->mask.format == EXPR_FMT_DEC) {
        uint64_t plen = expr_value_to_uint64(&token->mask.value);
        if (expr_value_n_bits(&token->mask.value) > 64
            || plen > sym->width) {
            return xasprintf("%s: prefix length %s is out of range for %s "
                             "(0 to %d)", token->text, token->mask_text,
                             sym->name, sym->width);
        }
        expr_value_mask_prefix(sym->width, plen, mask);
        return NULL;
    }
    char *error = check_constant(sym, &token->mask, "mask ",
                                 token->mask_text);
    if (!error) {
        *mask = token->mask.value;
    }
    return error;
}

/* Refuses a value with bits set outside its mask: "10.0.0.1/8" or
 * "0x51/0xf0" probably does not mean what its writer thinks, so it is
 * an error rather than silently rounded down. */
static char *
check_bits_outside_mask(const struct expr_token *token,
                        const struct expr_value *value,
                        const struct expr_value *mask)
{
    struct expr_value masked = *value;
    expr_value_and(&masked, mask);
    if (!memcmp(&masked, value, sizeof masked)) {
        return NULL;
    }
    bool is_prefix = ((token->c.format == EXPR_FMT_IPV4
                       || token->c.format == EXPR_FMT_IPV6)
                      && token->mask.format == EXPR_FMT_DEC);
    return xasprintf("%s: %s", token->text,
                     (is_prefix ? "host bits set beyond the prefix length"
                      : "value has bits set outside the mask"));
}

/* Checks constant token 'token' against field 'sym' and stores the
 * comparison in '*leafp'. */
static char *
check_const_token(const struct expr_symbol *sym, enum expr_relop relop,
                  const struct expr_token *token, struct expr **leafp)
{
    if (sym->type == EXPR_SYM_STRING) {
        return xasprintf("%s: %s needs a quoted string (a port name)",
                         token->text, sym->name);
    }

    /* An IPv6 literal under an IPv6 mask of the low 32 bits is an IPv4
     * value ("::10.0.0.1/::ffff:ffff"), as OVN reads it. */
    struct expr_token as_ipv4;
    if (sym->format == EXPR_FMT_IPV4 && token->c.format == EXPR_FMT_IPV6
        && token->has_mask && token->mask.format == EXPR_FMT_IPV6
        && expr_value_n_bits(&token->mask.value) <= 32) {
        as_ipv4 = *token;
        as_ipv4.c.format = EXPR_FMT_HEX;
        as_ipv4.mask.format = EXPR_FMT_HEX;
        token = &as_ipv4;
    }

    char *text = value_text(token);
    char *error = check_constant(sym, &token->c, "", text);
    free(text);
    if (error) {
        return error;
    }

    struct expr *leaf = expr_create_cmp(sym, relop, EXPR_CMP_CONST);
    leaf->cmp.value = token->c.value;
    if (token->has_mask) {
        if (expr_relop_is_ordering(relop)) {
            expr_destroy(leaf);
            return xasprintf("%s: a masked value cannot be compared with "
                             "\"%s\"", token->text, expr_relop_text(relop));
        }
        error = check_mask(sym, token, &leaf->cmp.mask);
        if (!error) {
            error = check_bits_outside_mask(token, &leaf->cmp.value,
                                            &leaf->cmp.mask);
        }
        if (error) {
            expr_destroy(leaf);
            return error;
        }
    }
    *leafp = leaf;
    return NULL;
}

/* Checks set reference token 'token' ($name or @name) against 'sym'. */
static char *
check_set_ref(const struct expr_symbol *sym, enum expr_relop relop,
              const struct expr_token *token,
              const struct expr_context *ctx, struct expr **leafp)
{
    bool is_addr_set = token->type == EXPR_TOK_ADDR_SET;
    if (expr_relop_is_ordering(relop)) {
        return xasprintf("%s: %s can only be compared with == or !=",
                         token->text,
                         is_addr_set ? "an address set" : "a port group");
    }
    if (is_addr_set) {
        if (sym->type != EXPR_SYM_FIELD
            || (sym->format != EXPR_FMT_IPV4
                && sym->format != EXPR_FMT_IPV6)) {
            return xasprintf("%s: address sets apply only to IPv4 and IPv6 "
                             "address fields, not %s", token->text,
                             sym->name);
        }
        if (ctx && ctx->address_set_exists
            && !ctx->address_set_exists(token->s, ctx->aux)) {
            /* "$PG_ip4" names the addresses of port group PG: say which
             * group is missing (deleted, perhaps). */
            size_t len = strlen(token->s);
            if (len > 4 && (!strcmp(token->s + len - 4, "_ip4")
                            || !strcmp(token->s + len - 4, "_ip6"))) {
                return xasprintf("%s: no port group %.*s (whose addresses "
                                 "it names) and no address set of that "
                                 "name", token->text, (int) (len - 4),
                                 token->s);
            }
            return xasprintf("%s: no address set of that name",
                             token->text);
        }
        bool is_ipv6 = sym->format == EXPR_FMT_IPV6;
        if (ctx && ctx->address_set_fits
            && !ctx->address_set_fits(token->s, is_ipv6, ctx->aux)) {
            return xasprintf("%s: address set holds no %s addresses, so "
                             "%s can never match it", token->text,
                             is_ipv6 ? "IPv6" : "IPv4", sym->name);
        }
    } else {
        if (sym->type != EXPR_SYM_STRING) {
            return xasprintf("%s: port groups apply only to inport and "
                             "outport, not %s", token->text, sym->name);
        }
        if (ctx && ctx->port_group_exists
            && !ctx->port_group_exists(token->s, ctx->aux)) {
            return xasprintf("%s: no port group of that name", token->text);
        }
    }
    struct expr *leaf = expr_create_cmp(
        sym, relop, is_addr_set ? EXPR_CMP_ADDR_SET : EXPR_CMP_PORT_GROUP);
    leaf->cmp.string = xstrdup(token->s);
    *leafp = leaf;
    return NULL;
}

/* Checks value token 'token' against field 'sym' compared with 'relop'
 * and, if it is valid, stores the comparison in '*leafp'.  Returns NULL
 * on success, an error if the token is not a valid value for 'sym', and
 * an empty string if it is not a value at all (the parser's error). */
char *
expr_check_value(const struct expr_symbol *sym, enum expr_relop relop,
                 const struct expr_token *token,
                 const struct expr_context *ctx, struct expr **leafp)
{
    *leafp = NULL;
    switch (token->type) {
    case EXPR_TOK_CONST:
        return check_const_token(sym, relop, token, leafp);
    case EXPR_TOK_STRING:
        if (sym->type != EXPR_SYM_STRING) {
            return xasprintf("%s: %s needs %s, not a string", token->text,
                             sym->name, expr_format_name(sym->format));
        }
        *leafp = expr_create_cmp(sym, relop, EXPR_CMP_STRING);
        (*leafp)->cmp.string = xstrdup(token->s);
        return NULL;
    case EXPR_TOK_ADDR_SET:
    case EXPR_TOK_PORT_GROUP:
        return check_set_ref(sym, relop, token, ctx, leafp);
    case EXPR_TOK_END:
    case EXPR_TOK_ERROR:
    case EXPR_TOK_ID:
    case EXPR_TOK_EQ:
    case EXPR_TOK_NE:
    case EXPR_TOK_LT:
    case EXPR_TOK_LE:
    case EXPR_TOK_GT:
    case EXPR_TOK_GE:
    case EXPR_TOK_AND:
    case EXPR_TOK_OR:
    case EXPR_TOK_NOT:
    case EXPR_TOK_LPAREN:
    case EXPR_TOK_RPAREN:
    case EXPR_TOK_LCURLY:
    case EXPR_TOK_RCURLY:
    case EXPR_TOK_COMMA:
    case EXPR_TOK_LSQUARE:
    case EXPR_TOK_RSQUARE:
    case EXPR_TOK_ELLIPSIS:
        break;
    }
    return xstrdup("");
}

/* Returns true if 'a' relop 'b' holds, comparing them as unsigned
 * integers. */
static bool
relop_holds(const struct expr_value *a, enum expr_relop relop,
            const struct expr_value *b)
{
    int cmp = memcmp(a, b, sizeof *a);
    switch (relop) {
    case EXPR_R_EQ: return cmp == 0;
    case EXPR_R_NE: return cmp != 0;
    case EXPR_R_LT: return cmp < 0;
    case EXPR_R_LE: return cmp <= 0;
    case EXPR_R_GT: return cmp > 0;
    case EXPR_R_GE: return cmp >= 0;
    }
    OVS_NOT_REACHED();
}

/* Returns true if constant comparison 'c' has no mask: it compares every
 * bit of its field. */
static bool
cmp_is_exact(const struct expr_cmp *c)
{
    struct expr_value full;
    expr_value_mask_width(c->symbol->width, &full);
    return !memcmp(&c->mask, &full, sizeof full);
}

/* Returns true if comparison 'c' holds for no value of its field: "< 0"
 * or "> the largest value". */
static bool
cmp_is_empty(const struct expr_cmp *c)
{
    if (c->kind != EXPR_CMP_CONST) {
        return false;
    }
    struct expr_value full;
    expr_value_mask_width(c->symbol->width, &full);
    return ((c->relop == EXPR_R_LT && expr_value_is_zero(&c->value))
            || (c->relop == EXPR_R_GT
                && !memcmp(&c->value, &full, sizeof full)));
}

/* Returns true if constant comparisons 'a' and 'b' on one field can never
 * hold together. */
static bool
const_cmps_conflict(const struct expr_cmp *a, const struct expr_cmp *b)
{
    if (b->relop == EXPR_R_EQ && a->relop != EXPR_R_EQ) {
        const struct expr_cmp *tmp = a;
        a = b;
        b = tmp;
    }
    if (a->relop == EXPR_R_EQ && b->relop == EXPR_R_EQ) {
        /* Two values that differ in a bit both masks compare. */
        for (size_t i = 0; i < sizeof a->value.b; i++) {
            if ((a->value.b[i] ^ b->value.b[i])
                & a->mask.b[i] & b->mask.b[i]) {
                return true;
            }
        }
        return false;
    } else if (a->relop == EXPR_R_EQ && b->relop == EXPR_R_NE) {
        /* 'a' fixes every bit 'b' compares, to the value 'b' refuses. */
        for (size_t i = 0; i < sizeof a->value.b; i++) {
            if ((b->mask.b[i] & ~a->mask.b[i])
                || ((a->value.b[i] ^ b->value.b[i]) & b->mask.b[i])) {
                return false;
            }
        }
        return true;
    } else if (a->relop == EXPR_R_EQ) {
        return (cmp_is_exact(a)
                && !relop_holds(&a->value, b->relop, &b->value));
    }

    /* A lower bound above an upper bound. */
    bool a_low = a->relop == EXPR_R_GT || a->relop == EXPR_R_GE;
    bool b_low = b->relop == EXPR_R_GT || b->relop == EXPR_R_GE;
    bool a_high = a->relop == EXPR_R_LT || a->relop == EXPR_R_LE;
    bool b_high = b->relop == EXPR_R_LT || b->relop == EXPR_R_LE;
    const struct expr_cmp *low = a_low ? a : b_low ? b : NULL;
    const struct expr_cmp *high = a_high ? a : b_high ? b : NULL;
    if (!low || !high) {
        return false;
    }
    int cmp = memcmp(&low->value, &high->value, sizeof low->value);
    return (cmp > 0
            || (!cmp && (low->relop == EXPR_R_GT
                         || high->relop == EXPR_R_LT)));
}

/* Returns true if comparisons 'a' and 'b' can never hold together, e.g.
 * "tcp.dst == 80" and "tcp.dst == 81". */
static bool
cmps_conflict(const struct expr_cmp *a, const struct expr_cmp *b)
{
    if (a->symbol != b->symbol || a->kind != b->kind) {
        return false;
    } else if (a->kind == EXPR_CMP_STRING) {
        bool same = !strcmp(a->string, b->string);
        return (a->relop == EXPR_R_EQ && b->relop == EXPR_R_EQ ? !same
                : a->relop != b->relop && same);
    } else if (a->kind == EXPR_CMP_CONST) {
        return const_cmps_conflict(a, b);
    }
    return false;
}

/* Comparisons known to hold (the operands of enclosing ANDs). */
struct expr_facts {
    const struct expr_cmp **cmps;   /* The comparisons. */
    size_t n;                       /* Number of 'cmps'. */
    size_t allocated;               /* Allocated size of 'cmps'. */
};

/* Returns true if comparison 'c' can never hold together with 'facts',
 * and then writes the conflicting terms to 'why'. */
static bool
cmp_never_true(const struct expr_cmp *c, const struct expr_facts *facts,
               struct ds *why)
{
    if (cmp_is_empty(c)) {
        expr_format_cmp(c, why);
        return true;
    }
    for (size_t i = 0; i < facts->n; i++) {
        if (cmps_conflict(facts->cmps[i], c)) {
            expr_format_cmp(facts->cmps[i], why);
            ds_put_cstr(why, " && ");
            expr_format_cmp(c, why);
            return true;
        }
    }
    return false;
}

static bool never_true(const struct expr *, struct expr_facts *,
                       struct ds *why);

/* never_true() for an AND: its comparisons join 'facts' while its other
 * operands are checked against them. */
static bool
and_never_true(const struct expr *e, struct expr_facts *facts,
               struct ds *why)
{
    size_t n_outer = facts->n;
    bool never = false;
    for (size_t i = 0; !never && i < e->n_subs; i++) {
        const struct expr *sub = e->subs[i];
        if (sub->type == EXPR_T_CMP) {
            never = cmp_never_true(&sub->cmp, facts, why);
            if (facts->n >= facts->allocated) {
                facts->cmps = x2nrealloc(facts->cmps, &facts->allocated,
                                         sizeof *facts->cmps);
            }
            facts->cmps[facts->n++] = &sub->cmp;
        }
    }
    for (size_t i = 0; !never && i < e->n_subs; i++) {
        if (e->subs[i]->type != EXPR_T_CMP) {
            never = never_true(e->subs[i], facts, why);
        }
    }
    facts->n = n_outer;
    return never;
}

/* Returns true if 'e' can never hold while 'facts' hold, found by the
 * simple means above (conflicting comparisons on one field, empty
 * ranges), and then writes the conflicting terms to 'why'. */
static bool
never_true(const struct expr *e, struct expr_facts *facts, struct ds *why)
{
    switch (e->type) {
    case EXPR_T_CMP:
        return cmp_never_true(&e->cmp, facts, why);
    case EXPR_T_AND:
        return and_never_true(e, facts, why);
    case EXPR_T_OR: {
        /* Never true if no operand can be: explain with the first. */
        size_t first_len = why->length;
        for (size_t i = 0; i < e->n_subs; i++) {
            struct ds sub_why = DS_EMPTY_INITIALIZER;
            bool never = never_true(e->subs[i], facts, &sub_why);
            if (never && why->length == first_len) {
                ds_put_cstr(why, ds_cstr(&sub_why));
            }
            ds_destroy(&sub_why);
            if (!never) {
                why->length = first_len;
                return false;
            }
        }
        return true;
    }
    case EXPR_T_BOOLEAN:
        /* A literal 0 is deliberate, not a contradiction to report. */
        return false;
    }
    OVS_NOT_REACHED();
}

/* Checks that parsed expression 'e' can be true for some packet, as far
 * as simple cases go: it fails for a conjunction that requires two
 * different values of one field ("ip.proto == 6 && udp.dst == 1", whose
 * prerequisite is "ip.proto == 17"), a value outside a range, or an empty
 * range ("tcp.src < 0").  Returns NULL or "match can never be true:
 * TERMS". */
char *
expr_check_satisfiable(const struct expr *e)
{
    struct expr_facts facts = { .cmps = NULL };
    struct ds why = DS_EMPTY_INITIALIZER;
    char *error = NULL;
    if (never_true(e, &facts, &why)) {
        error = xasprintf("match can never be true: %s", ds_cstr(&why));
    }
    ds_destroy(&why);
    free(facts.cmps);
    return error;
}
