/*
 * Compiling the match language into OpenFlow matches.
 *
 * expr_compile() turns a parsed expression (lib/expr.h, lib/expr-ast.h)
 * into the text of a southbound Logical_Flow match: alternatives
 * separated by " || ", each either one ovs-ofctl match or a conjunctive
 * match that the controller installs as an OpenFlow conjunction (the
 * grammar is in lib/pipeline.h and Documentation/pipeline.md).
 * Documentation/match-language.md, "Compiling to OpenFlow", says what
 * each construct becomes.
 *
 * Model
 * -----
 * Every field of the language maps to one OpenFlow field (or bits of
 * one): inport and outport to reg14 and reg15 (a port's tunnel key),
 * color to bits 0..7 of reg9, the header fields to their meta-flow
 * fields (ip.dscp is ip_dscp, the upper 6 bits of nw_tos).  The compiler
 * expands the tree into alternatives, one OpenFlow match each, merging
 * several constraints on one field and dropping contradictions:
 *
 *   - "<", "<=", ">" and ">=" become the fewest masked prefixes that
 *     cover the range; "!=" on a maskable field becomes one single-bit
 *     term per bit of the mask.  Several "!=" of one field with prefixes
 *     in one conjunction ("ip4.src != $as && ip4.src != 10.0.0.0/8")
 *     become the prefixes that cover what none of them holds; so does
 *     "!=" with a port group or an address set.
 *
 *   - A field that OpenFlow cannot mask (eth.type, ip.proto, ip.dscp,
 *     ip.ttl, icmp4.type, icmp4.code, arp.op) is matched on exact values:
 *     a masked, "!=" or range comparison becomes the list of values it
 *     allows, among those the enclosing conjunction leaves possible
 *     ("arp && eth.type != 0x800" is one value), if there are at most
 *     256, else compiling fails.
 *
 *   - Where the expansion would cross sets ("ip4.src == {a, b, c} &&
 *     tcp.dst == {80, 443}"), the compiler writes one conjunctive
 *     alternative instead: the constraints common to every combination,
 *     and one dimension per set, so that the number of OpenFlow flows
 *     grows with the sum of the set sizes rather than their product.
 *
 *   - Port names, port groups and address sets are resolved through the
 *     callbacks of struct expr_compile_ctx.
 *
 * The output is deterministic: the same expression and the same callback
 * answers give byte-identical text.  A compilation that would need more
 * than 'max_flows' OpenFlow flows fails with an error saying so; nothing
 * is ever dropped silently.
 *
 * Every OpenFlow match written meets OpenFlow's prerequisites by itself:
 * a plain alternative, the common part of a conjunctive alternative, and
 * the common part together with any one value of one of its dimensions
 * (the flows the controller installs).  eth.type and ip.proto never
 * appear in a dimension; they stay in the common part, where a flow's
 * actions find them.
 *
 * Ownership: expr_compile() does not keep the expression, the context or
 * anything a callback returns past its return.
 */
#ifndef EXPR_COMPILE_H
#define EXPR_COMPILE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/compiler.h"

struct expr;
struct svec;

/* Default bound on the number of OpenFlow flows one match may need. */
#define EXPR_COMPILE_MAX_FLOWS 10000

/* How names are resolved while compiling, for one logical datapath.  A
 * NULL callback resolves nothing: no port, empty groups and sets. */
struct expr_compile_ctx {
    /* Looks up logical port 'name' on the datapath: returns true and
     * stores its tunnel key (nonzero) in '*key', or returns false if the
     * datapath has no such port.  "inport == NAME" with an unknown port
     * is false, "inport != NAME" true. */
    bool (*lookup_port)(const char *name, uint32_t *key, void *aux);

    /* Returns the tunnel keys of port group 'name''s ports that are on the
     * datapath: stores a malloc()'d array, which the compiler frees, in
     * '*keys' and its length in '*n_keys' (NULL and 0 for none).  Returns
     * false if there is no such group, which then holds no port. */
    bool (*port_group_keys)(const char *name, uint32_t **keys,
                            size_t *n_keys, void *aux);

    /* Appends the addresses of address set 'name' to 'addresses', as
     * text: IPv4 or IPv6 addresses, optionally with a prefix length
     * ("10.0.0.0/8", "fd00::1").  Only those of the compared field's
     * family count.  Returns false if there is no such set, which then
     * holds no address. */
    bool (*address_set_addresses)(const char *name, struct svec *addresses,
                                  void *aux);

    void *aux;                  /* Passed to every callback. */

    /* Largest number of OpenFlow flows the match may need, 0 for
     * EXPR_COMPILE_MAX_FLOWS.  Plain alternatives count one each,
     * conjunctive ones one plus the values of their dimensions. */
    size_t max_flows;
};

char *expr_compile(const struct expr *, const struct expr_compile_ctx *,
                   char **matchp, size_t *n_flowsp) OVS_WARN_UNUSED_RESULT;

#endif /* lib/expr-compile.h */
