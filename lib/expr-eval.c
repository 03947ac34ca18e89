#include <config.h>

#include "lib/expr.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "lib/expr-ast.h"
#include "lib/expr-symtab.h"
#include "openvswitch/dynamic-string.h"
#include "util.h"

/* Callback that looks up set members, with its argument. */
struct expr_lookup {
    /* Is 'port_or_addr' a member of 'set_name'?  May be NULL. */
    bool (*lookup_set)(const char *set_name, const char *port_or_addr,
                       void *aux);
    void *aux;                  /* Passed to 'lookup_set'. */
};

/* Returns the port that string field 'sym' names in 'packet'. */
static const char *
packet_port(const struct expr_symbol *sym, const struct expr_packet *packet)
{
    return sym->field == EXPR_F_INPORT ? packet->inport : packet->outport;
}

/* Compares two values as unsigned integers under 'relop'. */
static bool
compare_values(const struct expr_value *a, enum expr_relop relop,
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

/* Asks whether set 'cmp->string' holds the packet's value of
 * 'cmp->symbol' (an address in text form, or a port name). */
static bool
lookup_member(const struct expr_cmp *cmp, const struct expr_packet *packet,
              const struct expr_lookup *lookup)
{
    const struct expr_symbol *sym = cmp->symbol;
    if (!lookup->lookup_set) {
        return false;
    }
    if (cmp->kind == EXPR_CMP_PORT_GROUP) {
        const char *port = packet_port(sym, packet);
        return port && lookup->lookup_set(cmp->string, port, lookup->aux);
    }

    struct expr_value value;
    char buf[INET6_ADDRSTRLEN];
    expr_symbol_get(sym, &packet->flow, &value);
    if (sym->format == EXPR_FMT_IPV4) {
        inet_ntop(AF_INET, &value.b[12], buf, sizeof buf);
    } else {
        inet_ntop(AF_INET6, value.b, buf, sizeof buf);
    }
    return lookup->lookup_set(cmp->string, buf, lookup->aux);
}

/* Evaluates comparison 'cmp' against 'packet'. */
static bool
evaluate_cmp(const struct expr_cmp *cmp, const struct expr_packet *packet,
             const struct expr_lookup *lookup)
{
    bool eq;
    switch (cmp->kind) {
    case EXPR_CMP_CONST: {
        struct expr_value value;
        expr_symbol_get(cmp->symbol, &packet->flow, &value);
        expr_value_and(&value, &cmp->mask);
        return compare_values(&value, cmp->relop, &cmp->value);
    }
    case EXPR_CMP_STRING: {
        const char *port = packet_port(cmp->symbol, packet);
        eq = port && !strcmp(port, cmp->string);
        break;
    }
    case EXPR_CMP_ADDR_SET:
    case EXPR_CMP_PORT_GROUP:
        eq = lookup_member(cmp, packet, lookup);
        break;
    default:
        OVS_NOT_REACHED();
    }
    return cmp->relop == EXPR_R_EQ ? eq : !eq;
}

/* Evaluates 'e' against 'packet'. */
static bool
evaluate(const struct expr *e, const struct expr_packet *packet,
         const struct expr_lookup *lookup)
{
    switch (e->type) {
    case EXPR_T_CMP:
        return evaluate_cmp(&e->cmp, packet, lookup);
    case EXPR_T_AND:
        for (size_t i = 0; i < e->n_subs; i++) {
            if (!evaluate(e->subs[i], packet, lookup)) {
                return false;
            }
        }
        return true;
    case EXPR_T_OR:
        for (size_t i = 0; i < e->n_subs; i++) {
            if (evaluate(e->subs[i], packet, lookup)) {
                return true;
            }
        }
        return false;
    case EXPR_T_BOOLEAN:
        return e->boolean;
    }
    OVS_NOT_REACHED();
}

/* Returns true if 'e' matches 'packet'.  "$set" and "@group" references
 * call 'lookup_set' with the set's name and the packet's address (in
 * text form, e.g. "10.0.0.1" or "fd00::1") or port name, which returns
 * whether that is a member; 'aux' is passed along.  A NULL 'lookup_set'
 * makes every set empty.  A string field of a packet whose port is NULL
 * equals no name. */
bool
expr_evaluate(const struct expr *e, const struct expr_packet *packet,
              bool (*lookup_set)(const char *set_name,
                                 const char *port_or_addr, void *aux),
              void *aux)
{
    struct expr_lookup lookup = { lookup_set, aux };
    return evaluate(e, packet, &lookup);
}

/* Frees the port names of 'packet' (not 'packet' itself).  Accepts
 * NULL. */
void
expr_packet_destroy(struct expr_packet *packet)
{
    if (packet) {
        free(packet->inport);
        free(packet->outport);
        packet->inport = packet->outport = NULL;
    }
}

/* Applies comparison 'cmp' of a microflow to 'packet'.  Returns NULL, or
 * an error if 'cmp' is not an exact equality. */
static char *
apply_cmp(const struct expr_cmp *cmp, struct expr_packet *packet)
{
    struct expr_value exact;
    expr_value_mask_width(cmp->symbol->width, &exact);
    if (cmp->relop == EXPR_R_EQ && cmp->kind == EXPR_CMP_STRING) {
        char **port = (cmp->symbol->field == EXPR_F_INPORT
                       ? &packet->inport : &packet->outport);
        free(*port);
        *port = xstrdup(cmp->string);
        return NULL;
    } else if (cmp->relop == EXPR_R_EQ && cmp->kind == EXPR_CMP_CONST
               && !memcmp(&exact, &cmp->mask, sizeof exact)) {
        expr_symbol_set(cmp->symbol, &cmp->value, &packet->flow);
        return NULL;
    }

    struct ds s = DS_EMPTY_INITIALIZER;
    expr_format_cmp(cmp, &s);
    char *error = xasprintf("\"%s\": a microflow may only contain exact "
                            "\"==\" comparisons with a value",
                            ds_cstr(&s));
    ds_destroy(&s);
    return error;
}

/* Fills 'packet' from the conjuncts of microflow 'e'. */
static char *
apply_microflow(const struct expr *e, struct expr_packet *packet)
{
    /* A lone comparison is a conjunction of one. */
    struct expr *e1 = CONST_CAST(struct expr *, e);
    struct expr *const *subs = e->type == EXPR_T_AND ? e->subs : &e1;
    size_t n = e->type == EXPR_T_AND ? e->n_subs : 1;

    /* Comparisons fix fields; disjunctions (prerequisites such as "ip",
     * with several ways to hold) are checked afterwards. */
    for (size_t i = 0; i < n; i++) {
        if (subs[i]->type == EXPR_T_CMP) {
            char *error = apply_cmp(&subs[i]->cmp, packet);
            if (error) {
                return error;
            }
        } else if (subs[i]->type == EXPR_T_BOOLEAN && !subs[i]->boolean) {
            return xstrdup("microflow matches no packet");
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!evaluate(subs[i], packet, &(struct expr_lookup) { NULL, NULL })) {
            char *text = expr_to_string(subs[i]);
            char *error = xasprintf("\"%s\" does not hold for the packet the "
                                    "microflow describes (a field is "
                                    "missing or contradicts another)", text);
            free(text);
            return error;
        }
    }
    return NULL;
}

/* Parses microflow 's', a conjunction of "field == value" comparisons
 * that fixes one packet, into '*packet'.  Fields that 's' does not
 * mention are zero, except those its prerequisites imply ("tcp.dst ==
 * 80 && ip4.src == 10.0.0.1" also sets eth.type 0x800 and ip.proto 6).
 * On success the caller must expr_packet_destroy() 'packet'; on error
 * 'packet' is left zeroed and holds nothing to free. */
char *
expr_parse_microflow(const char *s, struct expr_packet *packet)
{
    memset(packet, 0, sizeof *packet);

    struct expr *e;
    char *error = expr_parse_string(s, NULL, &e);
    if (!error) {
        error = apply_microflow(e, packet);
        expr_destroy(e);
    }
    if (error) {
        expr_packet_destroy(packet);
        memset(packet, 0, sizeof *packet);
    }
    return error;
}
