#include <config.h>

#include "lib/logical-actions.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/util.h"
#include "packets.h"
#include "util.h"

/* How a logical field is written in OpenFlow. */
enum lact_field_kind {
    LF_REGISTER,        /* Bits of a register: load:/move:, integers. */
    LF_HEADER,          /* A whole packet field: set_field:/move:, any
                         * constant the field's own syntax accepts. */
};

/* A logical field.  The table below is the whole list; the names are the
 * ones logical flows use and Documentation/pipeline.md documents. */
struct lact_field {
    const char *name;           /* Logical name, e.g. "eth.src". */
    const char *of_name;        /* OVS field name, e.g. "eth_src". */
    enum lact_field_kind kind;
    int ofs, n_bits;            /* LF_REGISTER: bits of 'of_name'. */
    bool ct_only;               /* Bits of the connection's ct_mark or
                                 * ct_label: read anywhere, written only
                                 * by ct_commit { }. */
};

#define REGISTER(NAME, REG, OFS, N_BITS) \
    { NAME, REG, LF_REGISTER, OFS, N_BITS, false }
#define CT_FIELD(NAME, OF_NAME, OFS, N_BITS) \
    { NAME, OF_NAME, LF_REGISTER, OFS, N_BITS, true }
#define HEADER(NAME, OF_NAME) { NAME, OF_NAME, LF_HEADER, 0, 0, false }
static const struct lact_field lact_fields[] = {
    REGISTER("inport", REG_INPORT, 0, 32),
    REGISTER("outport", REG_OUTPORT, 0, 32),
    REGISTER("flags.loopback", REG_FLAGS, MLF_ALLOW_LOOPBACK_BIT, 1),
    REGISTER("flags.force_snat_for_lb", REG_FLAGS,
             MLF_FORCE_SNAT_FOR_LB_BIT, 1),
    REGISTER("color", REG_COLOR, 0, 8),
    REGISTER("reg0", "reg0", 0, 32),
    REGISTER("reg1", "reg1", 0, 32),
    REGISTER("reg2", "reg2", 0, 32),
    REGISTER("reg3", "reg3", 0, 32),
    REGISTER("reg4", "reg4", 0, 32),
    REGISTER("reg5", "reg5", 0, 32),
    REGISTER("reg6", "reg6", 0, 32),
    REGISTER("reg7", "reg7", 0, 32),
    REGISTER("xxreg0", "xxreg0", 0, 128),
    HEADER("eth.src", "eth_src"),
    HEADER("eth.dst", "eth_dst"),
    HEADER("ip4.src", "ip_src"),
    HEADER("ip4.dst", "ip_dst"),
    HEADER("ip6.src", "ipv6_src"),
    HEADER("ip6.dst", "ipv6_dst"),
    HEADER("ip.ttl", "nw_ttl"),
    HEADER("ip.dscp", "ip_dscp"),
    HEADER("arp.op", "arp_op"),
    HEADER("arp.sha", "arp_sha"),
    HEADER("arp.spa", "arp_spa"),
    HEADER("arp.tha", "arp_tha"),
    HEADER("arp.tpa", "arp_tpa"),
    HEADER("nd.target", "nd_target"),
    HEADER("nd.sll", "nd_sll"),
    HEADER("nd.tll", "nd_tll"),
    HEADER("nd.reserved", "nd_reserved"),
    HEADER("nd.options_type", "nd_options_type"),
    HEADER("icmp4.type", "icmp_type"),
    HEADER("icmp4.code", "icmp_code"),
    HEADER("icmp6.type", "icmpv6_type"),
    HEADER("icmp6.code", "icmpv6_code"),
    HEADER("tcp.src", "tcp_src"),
    HEADER("tcp.dst", "tcp_dst"),
    HEADER("udp.src", "udp_src"),
    HEADER("udp.dst", "udp_dst"),
    CT_FIELD("ct_label.ecmp_reply_eth", "ct_label",
             CT_LABEL_ECMP_REPLY_ETH_OFS, 48),
};
#undef REGISTER
#undef CT_FIELD
#undef HEADER

static const struct lact_field *
lact_field_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(lact_fields); i++) {
        if (!strcmp(lact_fields[i].name, name)) {
            return &lact_fields[i];
        }
    }
    return NULL;
}

/* Width of 'f' in bits. */
static int
lact_field_width(const struct lact_field *f)
{
    return (f->kind == LF_REGISTER ? f->n_bits
            : mf_from_name(f->of_name)->n_bits);
}

/* Appends 'f' as an ovs-ofctl subfield ("reg10[0]", "eth_src[]"). */
static void
lact_field_put_subfield(const struct lact_field *f, struct ds *s)
{
    if (f->kind == LF_HEADER || f->n_bits == 32 || f->n_bits == 128) {
        ds_put_format(s, "%s[]", f->of_name);
    } else if (f->n_bits == 1) {
        ds_put_format(s, "%s[%d]", f->of_name, f->ofs);
    } else {
        ds_put_format(s, "%s[%d..%d]", f->of_name, f->ofs,
                      f->ofs + f->n_bits - 1);
    }
}

/* Returns NULL if 'value' is a constant 'f' can hold, else an error. */
static char * OVS_WARN_UNUSED_RESULT
lact_check_constant(const struct lact_field *f, const char *value)
{
    if (f->kind == LF_REGISTER && f->n_bits == 128) {
        /* The 128-bit register holds IPv6 addresses. */
        struct in6_addr ip6;
        return (ipv6_parse(value, &ip6) ? NULL
                : xasprintf("%s: \"%s\" is not an IPv6 address", f->name,
                            value));
    }
    if (f->kind == LF_REGISTER) {
        char *end;
        errno = 0;
        unsigned long long int v = strtoull(value, &end, 0);
        if (errno || *end || end == value || value[0] == '-') {
            return xasprintf("%s: \"%s\" is not an integer", f->name, value);
        }
        if (f->n_bits < 64 && v >> f->n_bits) {
            return xasprintf("%s: %s does not fit in %d bits", f->name,
                             value, f->n_bits);
        }
        return NULL;
    }

    /* OVS's IPv4 syntax takes "10.0.0.300" (each byte is scanned into
     * 8 bits); insist on a real address. */
    const struct mf_field *mf = mf_from_name(f->of_name);
    ovs_be32 ip;
    if (mf->string == MFS_IPV4 && !ip_parse(value, &ip)) {
        return xasprintf("%s: \"%s\" is not an IPv4 address", f->name,
                         value);
    }

    union mf_value v;
    char *error = mf_parse_value(mf, value, NULL, &v);
    if (error) {
        char *msg = xasprintf("%s: %s", f->name, error);
        free(error);
        return msg;
    }
    if (!mf_is_value_valid(mf, &v)) {
        return xasprintf("%s: %s is out of range", f->name, value);
    }
    return NULL;
}

/* Lexer. */

enum lact_token_type {
    T_END,
    T_WORD,
    T_SEMI,
    T_LBRACE,
    T_RBRACE,
    T_LPAREN,
    T_RPAREN,
    T_COMMA,
    T_EQ,
    T_EXCHANGE,
};

/* Parser state: the input and the token at hand. */
struct lact_parser {
    const char *p;              /* Input after the current token. */
    enum lact_token_type type;  /* Current token. */
    char *word;                 /* Current token's text if T_WORD. */
    char *error;                /* First error, or NULL. */
};

/* Characters that end a word. */
static bool
lact_is_delim(char c)
{
    return !c || isspace((unsigned char) c) || strchr(";{}(),=<", c);
}

/* Moves to the next token. */
static void
lact_next_token(struct lact_parser *ps)
{
    free(ps->word);
    ps->word = NULL;
    while (isspace((unsigned char) *ps->p)) {
        ps->p++;
    }

    static const struct {
        char c;
        enum lact_token_type type;
    } punct[] = {
        { ';', T_SEMI }, { '{', T_LBRACE }, { '}', T_RBRACE },
        { '(', T_LPAREN }, { ')', T_RPAREN }, { ',', T_COMMA },
        { '=', T_EQ },
    };
    char c = *ps->p;
    if (!c) {
        ps->type = T_END;
        return;
    }
    for (size_t i = 0; i < ARRAY_SIZE(punct); i++) {
        if (c == punct[i].c) {
            ps->type = punct[i].type;
            ps->p++;
            return;
        }
    }
    if (!strncmp(ps->p, "<->", 3)) {
        ps->type = T_EXCHANGE;
        ps->p += 3;
        return;
    }
    if (c == '<') {
        /* A word cannot start with a delimiter: report it as one. */
        ps->type = T_WORD;
        ps->word = xstrdup("<");
        ps->p++;
        return;
    }
    const char *start = ps->p;
    while (!lact_is_delim(*ps->p)) {
        ps->p++;
    }
    ps->type = T_WORD;
    ps->word = xmemdup0(start, ps->p - start);
}

/* Describes the current token, for error messages. */
static const char *
lact_token_name(const struct lact_parser *ps)
{
    switch (ps->type) {
    case T_END: return "end of input";
    case T_WORD: return ps->word;
    case T_SEMI: return ";";
    case T_LBRACE: return "{";
    case T_RBRACE: return "}";
    case T_LPAREN: return "(";
    case T_RPAREN: return ")";
    case T_COMMA: return ",";
    case T_EQ: return "=";
    case T_EXCHANGE: return "<->";
    }
    OVS_NOT_REACHED();
}

/* Records an error (only the first counts). */
static void OVS_PRINTF_FORMAT(2, 3)
lact_error(struct lact_parser *ps, const char *format, ...)
{
    if (!ps->error) {
        va_list args;
        va_start(args, format);
        ps->error = xvasprintf(format, args);
        va_end(args);
    }
}

/* Records a syntax error: "expecting WHAT". */
static void
lact_expecting(struct lact_parser *ps, const char *what)
{
    if (ps->type == T_END) {
        lact_error(ps, "expecting %s at end of input", what);
    } else {
        lact_error(ps, "expecting %s, found \"%s\"", what,
                   lact_token_name(ps));
    }
}

/* Consumes a token of 'type', or records an error naming 'what'. */
static bool
lact_force(struct lact_parser *ps, enum lact_token_type type,
           const char *what)
{
    if (ps->error) {
        return false;
    }
    if (ps->type != type) {
        lact_expecting(ps, what);
        return false;
    }
    lact_next_token(ps);
    return true;
}

/* Consumes and returns a word (the caller frees it), or NULL. */
static char *
lact_take_word(struct lact_parser *ps, const char *what)
{
    if (ps->error || ps->type != T_WORD) {
        lact_expecting(ps, what);
        return NULL;
    }
    char *word = ps->word;
    ps->word = NULL;
    lact_next_token(ps);
    return word;
}

/* Consumes a word naming a logical field and returns the field, or NULL. */
static const struct lact_field *
lact_take_field(struct lact_parser *ps)
{
    char *name = lact_take_word(ps, "a field");
    if (!name) {
        return NULL;
    }
    const struct lact_field *f = lact_field_find(name);
    if (!f) {
        lact_error(ps, "unknown field \"%s\"", name);
    }
    free(name);
    return f;
}

/* Parser. */

struct lact_hairpin_proto;
static const struct lact_hairpin_proto *lact_hairpin_proto(const char *);
static void lact_parse_lb_hairpin_vips(struct lact_parser *, struct lact *);
static void lact_parse_list(struct lact_parser *, enum lact_token_type end,
                            struct lact_list *);

static struct lact *
lact_append(struct lact_list *list, enum lact_type type)
{
    list->acts = xrealloc(list->acts, (list->n + 1) * sizeof *list->acts);
    struct lact *a = &list->acts[list->n++];
    memset(a, 0, sizeof *a);
    a->type = type;
    a->stage = -1;
    return a;
}

static void
lact_add_value(struct lact *a, char *value)
{
    a->values = xrealloc(a->values, (a->n_values + 1) * sizeof *a->values);
    a->values[a->n_values++] = value;
}

/* Returns NULL if 's' is an address a NAT or load-balancing action may
 * name: IPV4, IPV4:PORT, IPV6, [IPV6] or [IPV6]:PORT.  Else an error. */
static char * OVS_WARN_UNUSED_RESULT
lact_check_address(const char *s)
{
    char *copy = xstrdup(s);
    char *host = copy, *port = NULL;
    bool ok;
    if (host[0] == '[') {
        char *close = strchr(host, ']');
        ok = close && (!close[1] || close[1] == ':');
        if (ok) {
            *close = '\0';
            port = close[1] ? close + 2 : NULL;
            host++;
        }
        struct in6_addr ip6;
        ok = ok && ipv6_parse(host, &ip6);
    } else {
        ovs_be32 ip;
        char *colon = strchr(host, ':');
        if (colon && !strchr(colon + 1, ':')) {
            *colon = '\0';
            port = colon + 1;
        }
        struct in6_addr ip6;
        ok = (ip_parse(host, &ip)
              || (!port && ipv6_parse(host, &ip6)));
    }
    if (ok && port) {
        char *end;
        unsigned long int n = strtoul(port, &end, 10);
        ok = *port && !*end && n >= 1 && n <= 65535;
    }
    free(copy);
    return ok ? NULL : xasprintf("\"%s\" is not an address (IP, IP:PORT "
                                 "or [IPV6]:PORT)", s);
}

/* Returns true if 's', an address lact_check_address() accepts, has a
 * port. */
static bool
lact_address_has_port(const char *s)
{
    return (s[0] == '[' ? strstr(s, "]:") != NULL
            : strchr(s, ':') && strchr(s, ':') == strrchr(s, ':'));
}

/* Parses "(ADDR, ...)" into 'a''s values; at most 'max' addresses. */
static void
lact_parse_addresses(struct lact_parser *ps, struct lact *a, size_t max)
{
    if (!lact_force(ps, T_LPAREN, "\"(\"")) {
        return;
    }
    do {
        char *addr = lact_take_word(ps, "an address");
        if (!addr) {
            return;
        }
        char *error = lact_check_address(addr);
        if (error) {
            lact_error(ps, "%s", error);
            free(error);
        }
        if (!ps->error && a->n_values
            && (addr[0] == '[' || strchr(addr, ':') != strrchr(addr, ':'))
               != (a->values[0][0] == '['
                   || strchr(a->values[0], ':') != strrchr(a->values[0],
                                                           ':'))) {
            lact_error(ps, "\"%s\" and \"%s\" are not of the same address "
                       "family", a->values[0], addr);
        }
        lact_add_value(a, addr);
        if (a->n_values > max) {
            lact_error(ps, "at most %"PRIuSIZE" address%s", max,
                       max == 1 ? "" : "es");
        }
    } while (!ps->error && ps->type == T_COMMA && (lact_next_token(ps), 1));
    lact_force(ps, T_RPAREN, "\")\"");
}

/* Parses ct_lb's "(ADDR, ..., affinity=SECS, proto=PROTO)" into 'a'. */
static void
lact_parse_ct_lb(struct lact_parser *ps, struct lact *a)
{
    if (!lact_force(ps, T_LPAREN, "\"(\"")) {
        return;
    }
    do {
        char *word = lact_take_word(ps, "an address or an option");
        if (!word) {
            return;
        }
        if (ps->type == T_EQ) {
            lact_next_token(ps);
            char *value = lact_take_word(ps, "a value");
            if (!value) {
                free(word);
                return;
            }
            if (!strcmp(word, "affinity")) {
                char *end;
                unsigned long int n = strtoul(value, &end, 10);
                if (a->lb_aff_timeout) {
                    lact_error(ps, "ct_lb sets affinity twice");
                } else if (!isdigit((unsigned char) value[0]) || *end
                           || !n || n > UINT16_MAX) {
                    lact_error(ps, "ct_lb affinity=%s: the timeout is 1 to "
                               "65535 seconds", value);
                }
                a->lb_aff_timeout = n;
            } else if (!strcmp(word, "proto")) {
                if (a->lb_aff_proto) {
                    lact_error(ps, "ct_lb sets proto twice");
                } else if (strcmp(value, "tcp") && strcmp(value, "udp")
                           && strcmp(value, "sctp")) {
                    lact_error(ps, "ct_lb proto=%s: not tcp, udp or sctp",
                               value);
                }
                free(a->lb_aff_proto);
                a->lb_aff_proto = xstrdup(value);
            } else {
                lact_error(ps, "ct_lb has no option \"%s\" (affinity, "
                           "proto)", word);
            }
            free(value);
            free(word);
            continue;
        }
        if (a->lb_aff_timeout || a->lb_aff_proto) {
            lact_error(ps, "ct_lb's options come after its addresses");
        }
        char *error = lact_check_address(word);
        if (error) {
            lact_error(ps, "%s", error);
            free(error);
        }
        if (!ps->error && a->n_values
            && (word[0] == '[' || strchr(word, ':') != strrchr(word, ':'))
               != (a->values[0][0] == '['
                   || strchr(a->values[0], ':') != strrchr(a->values[0],
                                                           ':'))) {
            lact_error(ps, "\"%s\" and \"%s\" are not of the same address "
                       "family", a->values[0], word);
        }
        lact_add_value(a, word);
    } while (!ps->error && ps->type == T_COMMA && (lact_next_token(ps), 1));
    lact_force(ps, T_RPAREN, "\")\"");
    if (ps->error) {
        return;
    }
    if (!a->n_values) {
        lact_error(ps, "ct_lb needs at least one address");
    } else if (a->lb_aff_proto && !a->lb_aff_timeout) {
        lact_error(ps, "ct_lb proto is an option of its affinity");
    } else if (a->lb_aff_timeout
               && !a->lb_aff_proto != !lact_address_has_port(a->values[0])) {
        lact_error(ps, "ct_lb with affinity names a proto exactly when its "
                   "addresses have a port");
    }
}

/* FIELD = ..., FIELD <-> FIELD.  'dst' has been consumed. */
static void
lact_parse_assignment(struct lact_parser *ps, const struct lact_field *dst,
                      struct lact_list *list)
{
    if (ps->type == T_EXCHANGE) {
        lact_next_token(ps);
        struct lact *a = lact_append(list, LACT_EXCHANGE);
        a->dst = dst;
        a->src = lact_take_field(ps);
        if (a->src && a->src->ct_only) {
            lact_error(ps, "%s is written only inside ct_commit { }",
                       a->src->name);
        }
    } else if (!lact_force(ps, T_EQ, "\"=\" or \"<->\" after a field")) {
        return;
    } else if (ps->type == T_WORD && !strcmp(ps->word, "select")) {
        lact_next_token(ps);
        struct lact *a = lact_append(list, LACT_SELECT);
        a->dst = dst;
        if (!lact_force(ps, T_LPAREN, "\"(\"")) {
            return;
        }
        do {
            char *v = lact_take_word(ps, "a value");
            if (!v) {
                return;
            }
            char *error = lact_check_constant(dst, v);
            if (error) {
                lact_error(ps, "%s", error);
                free(error);
            }
            lact_add_value(a, v);
        } while (!ps->error && ps->type == T_COMMA
                 && (lact_next_token(ps), 1));
        lact_force(ps, T_RPAREN, "\")\"");
    } else if (ps->type == T_WORD && lact_field_find(ps->word)) {
        struct lact *a = lact_append(list, LACT_MOVE);
        a->dst = dst;
        a->src = lact_take_field(ps);
    } else {
        char *v = lact_take_word(ps, "a value or a field");
        if (!v) {
            return;
        }
        char *error = lact_check_constant(dst, v);
        if (error) {
            lact_error(ps, "%s", error);
            free(error);
        }
        struct lact *a = lact_append(list, LACT_LOAD);
        a->dst = dst;
        a->value = v;
    }

    struct lact *a = &list->acts[list->n - 1];
    if (!ps->error && a->src
        && lact_field_width(a->src) != lact_field_width(a->dst)) {
        lact_error(ps, "%s (%d bits) and %s (%d bits) differ in width",
                   a->dst->name, lact_field_width(a->dst),
                   a->src->name, lact_field_width(a->src));
    }
}

/* In ct_commit { }: 'dst', a field of the connection, = FIELD.  'dst'
 * has been consumed. */
static void
lact_parse_ct_copy(struct lact_parser *ps, const struct lact_field *dst,
                   struct lact *a)
{
    if (a->dst) {
        lact_error(ps, "ct_commit copies into a connection field once");
        return;
    }
    if (!lact_force(ps, T_EQ, "\"=\"")) {
        return;
    }
    a->dst = dst;
    a->src = lact_take_field(ps);
    if (a->src && (a->src->ct_only
                   || lact_field_width(a->src) != dst->n_bits)) {
        lact_error(ps, "%s takes a packet field or register of %d bits, "
                   "not %s", dst->name, dst->n_bits, a->src->name);
    }
}

/* ct_commit [{ ct_mark = V; ct_label = V; CT_FIELD = FIELD; }] */
static void
lact_parse_ct_commit(struct lact_parser *ps, struct lact *a)
{
    if (ps->type != T_LBRACE) {
        return;
    }
    lact_next_token(ps);
    while (!ps->error && ps->type != T_RBRACE) {
        char *name = lact_take_word(ps, "ct_mark, ct_label or \"}\"");
        if (!name) {
            return;
        }
        const struct lact_field *f = lact_field_find(name);
        if (f && f->ct_only) {
            lact_parse_ct_copy(ps, f, a);
            free(name);
            lact_force(ps, T_SEMI, "\";\" after a ct_commit assignment");
            continue;
        }
        bool *has;
        char **value;
        if (!strcmp(name, "ct_mark")) {
            has = &a->has_ct_mark;
            value = &a->ct_mark;
        } else if (!strcmp(name, "ct_label")) {
            has = &a->has_ct_label;
            value = &a->ct_label;
        } else {
            lact_error(ps, "ct_commit may set only ct_mark, ct_label and "
                       "connection fields, not \"%s\"", name);
            free(name);
            return;
        }
        if (*has) {
            lact_error(ps, "ct_commit sets %s twice", name);
        }
        if (lact_force(ps, T_EQ, "\"=\"")) {
            char *v = lact_take_word(ps, "a value");
            if (v) {
                union mf_value mv, mask;
                char *error = mf_parse(mf_from_name(name), v, NULL,
                                       &mv, &mask);
                if (error) {
                    lact_error(ps, "%s: %s", name, error);
                    free(error);
                }
                free(*value);
                *value = v;
                *has = true;
            }
        }
        free(name);
        lact_force(ps, T_SEMI, "\";\" after a ct_commit assignment");
    }
    lact_force(ps, T_RBRACE, "\"}\"");
}

/* Parses log meter 'spec', "UNIT/RATE/BURST/NAME" (UNIT kbps or pktps,
 * RATE 1 to 4294967295, BURST 0 to 4294967295, NAME not empty), into its
 * parts ('*name' points into 'spec').  Returns false if it is malformed. */
bool
lact_log_meter_parse(const char *spec, bool *pktps, uint32_t *rate,
                     uint32_t *burst, const char **name)
{
    unsigned long long int r, b;
    char unit[6];
    int n = 0;
    if (sscanf(spec, "%5[a-z]/%llu/%llu/%n", unit, &r, &b, &n) != 3
        || !n || !spec[n] || r < 1 || r > UINT32_MAX || b > UINT32_MAX
        || (strcmp(unit, "kbps") && strcmp(unit, "pktps"))) {
        return false;
    }
    *pktps = !strcmp(unit, "pktps");
    *rate = r;
    *burst = b;
    *name = spec + n;
    return true;
}

/* log[(name=N, severity=S, verdict=V, meter=M)] */
static void
lact_parse_log(struct lact_parser *ps, struct lact *a)
{
    if (ps->type != T_LPAREN) {
        return;
    }
    lact_next_token(ps);
    while (!ps->error && ps->type != T_RPAREN) {
        char *key = lact_take_word(ps, "name, severity, verdict or meter");
        if (!key || !lact_force(ps, T_EQ, "\"=\"")) {
            free(key);
            return;
        }
        char *value = lact_take_word(ps, "a value");
        if (!value) {
            free(key);
            return;
        }
        static const char *severities[] = {
            "alert", "warning", "notice", "info", "debug", NULL,
        };
        static const char *verdicts[] = { "allow", "drop", "reject", NULL };
        const char **allowed = NULL;
        char **slot;
        if (!strcmp(key, "name")) {
            slot = &a->name;
        } else if (!strcmp(key, "severity")) {
            slot = &a->severity;
            allowed = severities;
        } else if (!strcmp(key, "verdict")) {
            slot = &a->verdict;
            allowed = verdicts;
        } else if (!strcmp(key, "meter")) {
            slot = &a->meter;
            bool pktps;
            uint32_t rate, burst;
            const char *name;
            if (!lact_log_meter_parse(value, &pktps, &rate, &burst, &name)) {
                lact_error(ps, "log meter \"%s\" is not UNIT/RATE/BURST/"
                           "NAME", value);
            }
        } else {
            lact_error(ps, "log has no option \"%s\" (name, severity, "
                       "verdict, meter)", key);
            free(key);
            free(value);
            return;
        }
        if (allowed) {
            size_t i = 0;
            while (allowed[i] && strcmp(allowed[i], value)) {
                i++;
            }
            if (!allowed[i]) {
                lact_error(ps, "log %s \"%s\" is not one of the known "
                           "values", key, value);
            }
        }
        if (*slot) {
            lact_error(ps, "log sets %s twice", key);
        }
        free(*slot);
        *slot = value;
        free(key);
        if (ps->type != T_COMMA) {
            break;
        }
        lact_next_token(ps);
        if (ps->type == T_RPAREN) {
            lact_expecting(ps, "a log option");
        }
    }
    lact_force(ps, T_RPAREN, "\")\"");
}

/* One action, its keyword or first field in 'word' (consumed). */
static void
lact_parse_one(struct lact_parser *ps, char *word, struct lact_list *list)
{
    struct lact *a;

    if (!strcmp(word, "next")) {
        a = lact_append(list, LACT_NEXT);
        if (ps->type == T_LPAREN) {
            lact_next_token(ps);
            char *name = lact_take_word(ps, "a stage name");
            if (name) {
                for (int s = 0; s < N_PIPELINE_STAGES; s++) {
                    if (!strcmp(pipeline_stage_info(s)->name, name)) {
                        a->stage = s;
                    }
                }
                if (a->stage < 0) {
                    lact_error(ps, "unknown stage \"%s\"", name);
                }
                free(name);
            }
            lact_force(ps, T_RPAREN, "\")\"");
        }
    } else if (!strcmp(word, "output")) {
        lact_append(list, LACT_OUTPUT);
    } else if (!strcmp(word, "drop")) {
        lact_append(list, LACT_DROP);
    } else if (!strcmp(word, "ct_next")) {
        lact_append(list, LACT_CT_NEXT);
    } else if (!strcmp(word, "ct_commit")) {
        lact_parse_ct_commit(ps, lact_append(list, LACT_CT_COMMIT));
    } else if (!strcmp(word, "ct_dnat") || !strcmp(word, "ct_snat")) {
        a = lact_append(list, word[3] == 'd' ? LACT_CT_DNAT : LACT_CT_SNAT);
        if (ps->type == T_LPAREN) {
            lact_parse_addresses(ps, a, 1);
        }
    } else if (!strcmp(word, "ct_snat_hairpin")
               || !strcmp(word, "ct_snat_lb")) {
        a = lact_append(list, (!strcmp(word, "ct_snat_lb") ? LACT_CT_SNAT_LB
                               : LACT_CT_SNAT_HAIRPIN));
        if (ps->type == T_LPAREN) {
            lact_parse_addresses(ps, a, 1);
        }
    } else if (!strcmp(word, "ct_lb")) {
        lact_parse_ct_lb(ps, lact_append(list, LACT_CT_LB));
    } else if (!strcmp(word, "lb_aff_check")) {
        lact_append(list, LACT_LB_AFF_CHECK);
    } else if (!strcmp(word, "lb_hairpin")) {
        a = lact_append(list, LACT_LB_HAIRPIN);
        if (lact_force(ps, T_LPAREN, "\"(\" after lb_hairpin")) {
            a->value = lact_take_word(ps, "a protocol");
            if (a->value && !lact_hairpin_proto(a->value)) {
                lact_error(ps, "lb_hairpin(%s): the protocol is tcp, udp, "
                           "icmp, tcp6, udp6 or icmp6", a->value);
            }
            if (!ps->error && ps->type == T_COMMA) {
                lact_next_token(ps);
                lact_parse_lb_hairpin_vips(ps, a);
            }
            lact_force(ps, T_RPAREN, "\")\"");
        }
    } else if (!strcmp(word, "lb_hairpin_check")) {
        lact_append(list, LACT_LB_HAIRPIN_CHECK);
    } else if (!strcmp(word, "meter")) {
        a = lact_append(list, LACT_METER);
        if (lact_force(ps, T_LPAREN, "\"(\" after meter")) {
            a->name = lact_take_word(ps, "a meter name");
            lact_force(ps, T_RPAREN, "\")\"");
        }
    } else if (!strcmp(word, "color_sample")) {
        a = lact_append(list, LACT_COLOR_SAMPLE);
        if (lact_force(ps, T_LPAREN, "\"(\" after color_sample")) {
            a->value = lact_take_word(ps, "a promotion rule number");
            if (a->value) {
                char *end;
                unsigned long int n = strtoul(a->value, &end, 10);
                if (*end || !n || n > UINT16_MAX) {
                    lact_error(ps, "color_sample(%s): the rule number is "
                               "1 to 65535", a->value);
                }
            }
            lact_force(ps, T_RPAREN, "\")\"");
        }
    } else if (!strcmp(word, "log")) {
        lact_parse_log(ps, lact_append(list, LACT_LOG));
    } else if (!strcmp(word, "reject")) {
        lact_append(list, LACT_REJECT);
    } else if (!strcmp(word, "handle_bfd_msg")) {
        lact_append(list, LACT_HANDLE_BFD_MSG);
    } else if (!strcmp(word, "arp") || !strcmp(word, "nd_na")
               || !strcmp(word, "nd_ns") || !strcmp(word, "icmp4")
               || !strcmp(word, "icmp6")) {
        a = lact_append(list, (!strcmp(word, "arp") ? LACT_ARP
                               : !strcmp(word, "nd_na") ? LACT_ND_NA
                               : !strcmp(word, "nd_ns") ? LACT_ND_NS
                               : !strcmp(word, "icmp4") ? LACT_ICMP4
                               : LACT_ICMP6));
        if (lact_force(ps, T_LBRACE, "\"{\"")) {
            struct lact_list nested = { NULL, 0 };
            lact_parse_list(ps, T_RBRACE, &nested);
            a->nested = nested;
            lact_force(ps, T_RBRACE, "\"}\"");
        }
    } else if (!strcmp(word, "ip.ttl--")) {
        lact_append(list, LACT_DEC_TTL);
    } else if (!strcmp(word, "put_arp") || !strcmp(word, "put_nd")) {
        bool nd = !strcmp(word, "put_nd");
        a = lact_append(list, nd ? LACT_PUT_ND : LACT_PUT_ARP);
        const int widths[3] = { 32, nd ? 128 : 32, 48 };
        if (lact_force(ps, T_LPAREN, nd ? "\"(\" after put_nd"
                                        : "\"(\" after put_arp")) {
            for (int i = 0; i < 3 && !ps->error; i++) {
                if (i) {
                    lact_force(ps, T_COMMA, "\",\"");
                }
                a->args[i] = lact_take_field(ps);
                if (a->args[i] && lact_field_width(a->args[i]) != widths[i]) {
                    lact_error(ps, "%s argument %d (%s) must be "
                               "%d bits wide", nd ? "put_nd" : "put_arp",
                               i + 1, a->args[i]->name, widths[i]);
                }
            }
            lact_force(ps, T_RPAREN, "\")\"");
        }
    } else {
        const struct lact_field *f = lact_field_find(word);
        if (!f) {
            lact_error(ps, "unknown action or field \"%s\"", word);
        } else if (f->ct_only) {
            lact_error(ps, "%s is written only inside ct_commit { }",
                       f->name);
        } else {
            lact_parse_assignment(ps, f, list);
        }
    }
    free(word);
}

static void lact_format_one(const struct lact *, struct ds *);

/* Returns true if 'a' continues processing elsewhere (conntrack with a
 * table, a select group): it must be the last action of its list. */
static bool
lact_recirculates(const struct lact *a)
{
    return (a->type == LACT_CT_NEXT || a->type == LACT_CT_DNAT
            || a->type == LACT_CT_SNAT || a->type == LACT_CT_LB
            || a->type == LACT_CT_SNAT_HAIRPIN || a->type == LACT_CT_SNAT_LB
            || a->type == LACT_SELECT);
}

/* Parses "ACTION; ACTION; ..." up to a token of type 'end'. */
static void
lact_parse_list(struct lact_parser *ps, enum lact_token_type end,
                struct lact_list *list)
{
    while (!ps->error && ps->type != end) {
        char *word = lact_take_word(ps, "an action");
        if (!word) {
            return;
        }
        lact_parse_one(ps, word, list);
        lact_force(ps, T_SEMI, "\";\" after an action");
    }

    bool has_drop = false;
    for (size_t i = 0; i < list->n && !ps->error; i++) {
        const struct lact *a = &list->acts[i];
        has_drop |= a->type == LACT_DROP;
        if (i + 1 < list->n && lact_recirculates(a)) {
            /* The packet goes on in conntrack or a group, and OpenFlow
             * would run the rest on the untouched original. */
            struct ds s = DS_EMPTY_INITIALIZER;
            lact_format_one(a, &s);
            lact_error(ps, "no action may follow \"%s;\"", ds_cstr(&s));
            ds_destroy(&s);
        }
        if (a->type == LACT_METER && end == T_RBRACE) {
            lact_error(ps, "meter() cannot be nested");
        }
    }
    if (!ps->error && has_drop && list->n > 1) {
        lact_error(ps, "\"drop;\" must be the only action");
    }
}

/* Parses logical actions 's' into 'list' (which the caller later passes to
 * lact_list_destroy(), also after an error).  Returns NULL, or an error
 * message that the caller frees. */
char *
lact_parse(const char *s, struct lact_list *list)
{
    struct lact_parser ps = { .p = s };

    list->acts = NULL;
    list->n = 0;
    lact_next_token(&ps);
    lact_parse_list(&ps, T_END, list);
    if (!ps.error && ps.type != T_END) {
        lact_expecting(&ps, "an action");
    }
    free(ps.word);
    return ps.error;
}

void
lact_list_destroy(struct lact_list *list)
{
    if (!list) {
        return;
    }
    for (size_t i = 0; i < list->n; i++) {
        struct lact *a = &list->acts[i];
        free(a->value);
        for (size_t j = 0; j < a->n_values; j++) {
            free(a->values[j]);
        }
        free(a->values);
        free(a->ct_mark);
        free(a->ct_label);
        free(a->name);
        free(a->severity);
        free(a->verdict);
        free(a->meter);
        free(a->lb_aff_proto);
        lact_list_destroy(&a->nested);
    }
    free(list->acts);
    list->acts = NULL;
    list->n = 0;
}

/* Formatting. */

static void
lact_put_values(const struct lact *a, struct ds *s)
{
    ds_put_char(s, '(');
    for (size_t i = 0; i < a->n_values; i++) {
        ds_put_format(s, "%s%s", i ? ", " : "", a->values[i]);
    }
    ds_put_char(s, ')');
}

/* The keyword of an action with nested actions. */
static const char *
lact_nested_name(enum lact_type type)
{
    return (type == LACT_ARP ? "arp"
            : type == LACT_ND_NA ? "nd_na"
            : type == LACT_ND_NS ? "nd_ns"
            : type == LACT_ICMP4 ? "icmp4"
            : "icmp6");
}

/* The packet-in operation of an action with nested actions. */
static enum lact_pin_opcode
lact_nested_opcode(enum lact_type type)
{
    return (type == LACT_ARP ? LACT_PIN_ARP
            : type == LACT_ND_NA ? LACT_PIN_ND_NA
            : type == LACT_ND_NS ? LACT_PIN_ND_NS
            : LACT_PIN_ICMP);
}

static void
lact_format_one(const struct lact *a, struct ds *s)
{
    switch (a->type) {
    case LACT_NEXT:
        ds_put_cstr(s, "next");
        if (a->stage >= 0) {
            ds_put_format(s, "(%s)", pipeline_stage_info(a->stage)->name);
        }
        break;
    case LACT_OUTPUT:
        ds_put_cstr(s, "output");
        break;
    case LACT_DROP:
        ds_put_cstr(s, "drop");
        break;
    case LACT_LOAD:
        ds_put_format(s, "%s = %s", a->dst->name, a->value);
        break;
    case LACT_MOVE:
        ds_put_format(s, "%s = %s", a->dst->name, a->src->name);
        break;
    case LACT_EXCHANGE:
        ds_put_format(s, "%s <-> %s", a->dst->name, a->src->name);
        break;
    case LACT_SELECT:
        ds_put_format(s, "%s = select", a->dst->name);
        lact_put_values(a, s);
        break;
    case LACT_CT_NEXT:
        ds_put_cstr(s, "ct_next");
        break;
    case LACT_CT_COMMIT:
        ds_put_cstr(s, "ct_commit");
        if (a->has_ct_mark || a->has_ct_label || a->dst) {
            ds_put_cstr(s, " {");
            if (a->has_ct_mark) {
                ds_put_format(s, " ct_mark = %s;", a->ct_mark);
            }
            if (a->has_ct_label) {
                ds_put_format(s, " ct_label = %s;", a->ct_label);
            }
            if (a->dst) {
                ds_put_format(s, " %s = %s;", a->dst->name, a->src->name);
            }
            ds_put_cstr(s, " }");
        }
        break;
    case LACT_CT_DNAT:
    case LACT_CT_SNAT:
        ds_put_cstr(s, a->type == LACT_CT_DNAT ? "ct_dnat" : "ct_snat");
        if (a->n_values) {
            lact_put_values(a, s);
        }
        break;
    case LACT_CT_LB:
        ds_put_cstr(s, "ct_lb");
        lact_put_values(a, s);
        if (a->lb_aff_timeout) {
            ds_chomp(s, ')');
            ds_put_format(s, ", affinity=%u", a->lb_aff_timeout);
            if (a->lb_aff_proto) {
                ds_put_format(s, ", proto=%s", a->lb_aff_proto);
            }
            ds_put_char(s, ')');
        }
        break;
    case LACT_LB_AFF_CHECK:
        ds_put_cstr(s, "lb_aff_check");
        break;
    case LACT_CT_SNAT_HAIRPIN:
    case LACT_CT_SNAT_LB:
        ds_put_cstr(s, (a->type == LACT_CT_SNAT_HAIRPIN ? "ct_snat_hairpin"
                        : "ct_snat_lb"));
        if (a->n_values) {
            lact_put_values(a, s);
        }
        break;
    case LACT_LB_HAIRPIN:
        ds_put_format(s, "lb_hairpin(%s", a->value);
        if (a->lb_hairpin_vips) {
            ds_put_format(s, ", vips=%#"PRIx32, a->lb_hairpin_vips);
        }
        ds_put_char(s, ')');
        break;
    case LACT_LB_HAIRPIN_CHECK:
        ds_put_cstr(s, "lb_hairpin_check");
        break;
    case LACT_METER:
        ds_put_format(s, "meter(%s)", a->name);
        break;
    case LACT_COLOR_SAMPLE:
        ds_put_format(s, "color_sample(%s)", a->value);
        break;
    case LACT_LOG: {
        const char *sep = "";
        ds_put_cstr(s, "log(");
        if (a->name) {
            ds_put_format(s, "name=%s", a->name);
            sep = ", ";
        }
        if (a->severity) {
            ds_put_format(s, "%sseverity=%s", sep, a->severity);
            sep = ", ";
        }
        if (a->verdict) {
            ds_put_format(s, "%sverdict=%s", sep, a->verdict);
            sep = ", ";
        }
        if (a->meter) {
            ds_put_format(s, "%smeter=%s", sep, a->meter);
        }
        ds_put_char(s, ')');
        break;
    }
    case LACT_REJECT:
        ds_put_cstr(s, "reject");
        break;
    case LACT_HANDLE_BFD_MSG:
        ds_put_cstr(s, "handle_bfd_msg");
        break;
    case LACT_ARP:
    case LACT_ND_NA:
    case LACT_ND_NS:
    case LACT_ICMP4:
    case LACT_ICMP6:
        ds_put_format(s, "%s {", lact_nested_name(a->type));
        if (a->nested.n) {
            ds_put_char(s, ' ');
            lact_format(&a->nested, s);
            ds_put_char(s, ' ');
        }
        ds_put_char(s, '}');
        break;
    case LACT_PUT_ARP:
    case LACT_PUT_ND:
        ds_put_format(s, "%s(%s, %s, %s)",
                      a->type == LACT_PUT_ARP ? "put_arp" : "put_nd",
                      a->args[0]->name, a->args[1]->name, a->args[2]->name);
        break;
    case LACT_DEC_TTL:
        ds_put_cstr(s, "ip.ttl--");
        break;
    }
}

/* Appends 'list' to 's' in the canonical syntax, which lact_parse()
 * reads back to the same list. */
void
lact_format(const struct lact_list *list, struct ds *s)
{
    for (size_t i = 0; i < list->n; i++) {
        if (i) {
            ds_put_char(s, ' ');
        }
        lact_format_one(&list->acts[i], s);
        ds_put_char(s, ';');
    }
}

/* Encoding. */

uint32_t
lact_pin_meter_id(enum lact_pin_opcode op)
{
    return (op == LACT_PIN_LOG || op == LACT_PIN_REJECT || op == LACT_PIN_ARP
            || op == LACT_PIN_PUT_ARP || op == LACT_PIN_ICMP
            || op == LACT_PIN_ND_NS || op == LACT_PIN_PUT_ND
            || op == LACT_PIN_SVC_MON || op == LACT_PIN_BFD
            ? (uint32_t) op : 0);
}

/* Appends "," unless 'out' is empty. */
static void
lact_put_sep(struct ds *out)
{
    if (out->length) {
        ds_put_char(out, ',');
    }
}

/* Appends an action that loads constant 'value' into 'f'. */
static void
lact_put_load(const struct lact_field *f, const char *value, struct ds *out)
{
    if (f->kind == LF_REGISTER && f->n_bits == 128) {
        struct in6_addr ip6;
        ovs_assert(ipv6_parse(value, &ip6));
        ds_put_cstr(out, "set_field:0x");
        for (int i = 0; i < 16; i++) {
            ds_put_format(out, "%02x", ip6.s6_addr[i]);
        }
        ds_put_format(out, "->%s", f->of_name);
    } else if (f->kind == LF_REGISTER) {
        ds_put_format(out, "load:%s->", value);
        lact_field_put_subfield(f, out);
    } else {
        ds_put_format(out, "set_field:%s->%s", value, f->of_name);
    }
}

/* The conntrack zone of the packet: the logical port's, set by physical
 * ingress. */
#define LACT_CT_ZONE "zone=" REG_CT_ZONE "[0..15]"

/* The OpenFlow table of the stage after the flow's. */
static unsigned int
lact_next_oftable(const struct lact_encode_ctx *ctx)
{
    return ctx->stage_oftable(ctx->pipeline, ctx->table_id + 1, ctx->aux);
}

/* Appends 'addr' (checked by lact_check_address()) as ovs-ofctl writes a
 * NAT address: IPv6 in brackets. */
static void
lact_put_nat_address(const char *addr, struct ds *out)
{
    if (addr[0] != '[' && strchr(addr, ':') && strchr(addr, ':')
        != strrchr(addr, ':')) {
        ds_put_format(out, "[%s]", addr);
    } else {
        ds_put_cstr(out, addr);
    }
}

/* Appends a ct() action that commits with NAT to 'addr' and continues at
 * the next stage. */
static void
lact_put_ct_nat(const struct lact_encode_ctx *ctx, const char *dir,
                const char *addr, struct ds *out)
{
    ds_put_format(out, "ct(commit,table=%u,"LACT_CT_ZONE",nat(%s=",
                  lact_next_oftable(ctx), dir);
    lact_put_nat_address(addr, out);
    ds_put_cstr(out, "))");
}

/* Appends a group action for a select group whose buckets run, each, one
 * of 'n' bucket actions built by 'put_bucket'.  The group chooses by
 * 'selection', the group properties before the buckets (ovs-ofctl
 * syntax, ending in a comma), or by Open vSwitch's default if "". */
static char * OVS_WARN_UNUSED_RESULT
lact_put_select_group(const struct lact_encode_ctx *ctx, const struct lact *a,
                      void (*put_bucket)(const struct lact_encode_ctx *,
                                         const struct lact *, size_t,
                                         struct ds *),
                      const char *what, const char *selection,
                      struct ds *out)
{
    if (!ctx->group_id) {
        return xasprintf("%s with more than one choice needs a select "
                         "group, which this program does not install",
                         what);
    }
    struct ds buckets = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&buckets, selection);
    for (size_t i = 0; i < a->n_values; i++) {
        ds_put_format(&buckets, "%sbucket=bucket_id=%"PRIuSIZE",actions=",
                      i ? "," : "", i);
        put_bucket(ctx, a, i, &buckets);
    }
    uint32_t id = ctx->group_id(ds_cstr(&buckets), ctx->aux);
    ds_destroy(&buckets);
    if (!id) {
        return xasprintf("%s: no group id is free", what);
    }
    lact_put_sep(out);
    ds_put_format(out, "group:%"PRIu32, id);
    return NULL;
}

/* A load-balancing backend, as lact_check_address() accepts it. */
struct lact_backend {
    bool v6;
    ovs_be32 ip4;
    struct in6_addr ip6;
    uint16_t port;              /* 0 if none. */
};

static void
lact_backend_parse(const char *addr, struct lact_backend *b)
{
    char *copy = xstrdup(addr);
    char *host = copy;
    unsigned long int port = 0;
    if (host[0] == '[') {
        char *close = strchr(host, ']');
        *close = '\0';
        port = close[1] == ':' ? strtoul(close + 2, NULL, 10) : 0;
        host++;
    } else if (strchr(host, ':') && strchr(host, ':') == strrchr(host, ':')) {
        char *colon = strchr(host, ':');
        *colon = '\0';
        port = strtoul(colon + 1, NULL, 10);
    }
    memset(b, 0, sizeof *b);
    b->v6 = !ip_parse(host, &b->ip4);
    if (b->v6) {
        ovs_assert(ipv6_parse(host, &b->ip6));
    }
    b->port = port;
    free(copy);
}

/* Appends the actions that load backend 'b' into the REG_LB_AFF_*
 * registers (lib/pipeline.h) of a datapath of type 'dp_type', hit bit
 * set: the loads of a learned affinity flow. */
static void
lact_put_lb_aff_loads(const struct lact_backend *b, enum dp_type dp_type,
                      struct ds *out)
{
    if (b->v6) {
        ds_put_cstr(out, "load:0x");
        for (size_t i = 0; i < sizeof b->ip6.s6_addr; i++) {
            ds_put_format(out, "%02x", b->ip6.s6_addr[i]);
        }
        ds_put_format(out, "->NXM_NX_XXREG%d[],",
                      dp_type == DP_ROUTER ? 0 : 1);
    } else {
        ds_put_format(out, "load:%#"PRIx32"->NXM_NX_REG4[],", ntohl(b->ip4));
    }
    ds_put_format(out, "load:%#x->NXM_NX_REG8[0..%d]",
                  (1u << REG_LB_AFF_HIT_BIT) | b->port, REG_LB_AFF_HIT_BIT);
}

/* Appends the learn() action by which ct_lb 'a' remembers, for the
 * client (the packet's source) and the VIP (its destination, and the
 * protocol and destination port of a VIP with a port), that it chose
 * backend 'addr': a flow in OFTABLE_LB_AFF, in the packet's datapath,
 * that loads the backend into the REG_LB_AFF_* registers and lives
 * 'a->lb_aff_timeout' seconds after the last packet that used it (each
 * lb_aff_check of a new connection, each new learn).  A VIP with a port
 * learns at a higher priority than one without, so that a client of both
 * on one address finds the one its connection is to first. */
static void
lact_put_lb_aff_learn(const struct lact_encode_ctx *ctx, const struct lact *a,
                      const char *addr, struct ds *out)
{
    struct lact_backend b;
    lact_backend_parse(addr, &b);
    const char *proto = a->lb_aff_proto;
    ds_put_format(out, "learn(table=%d,idle_timeout=%u,priority=%d,"
                  "OXM_OF_METADATA[],eth_type=%s,",
                  OFTABLE_LB_AFF, a->lb_aff_timeout, proto ? 110 : 100,
                  b.v6 ? "0x86dd" : "0x800");
    if (proto) {
        ds_put_format(out, "nw_proto=%d,", (!strcmp(proto, "tcp") ? 6
                                            : !strcmp(proto, "udp") ? 17
                                            : 132));
    }
    ds_put_cstr(out, b.v6 ? "NXM_NX_IPV6_SRC[],NXM_NX_IPV6_DST[],"
                : "NXM_OF_IP_SRC[],NXM_OF_IP_DST[],");
    if (proto) {
        ds_put_cstr(out, (!strcmp(proto, "tcp") ? "NXM_OF_TCP_DST[],"
                          : !strcmp(proto, "udp") ? "NXM_OF_UDP_DST[],"
                          : "OXM_OF_SCTP_DST[],"));
    }
    lact_put_lb_aff_loads(&b, ctx->dp_type, out);
    ds_put_cstr(out, "),");
}

/* Parses lb_hairpin's "vips=HASH" (after its protocol and comma) into
 * 'a': HASH is a 32-bit number, 0 meaning none. */
static void
lact_parse_lb_hairpin_vips(struct lact_parser *ps, struct lact *a)
{
    char *key = lact_take_word(ps, "vips=");
    if (!key) {
        return;
    }
    if (strcmp(key, "vips")) {
        lact_error(ps, "lb_hairpin: \"%s\" is not an option (vips=)", key);
    } else if (lact_force(ps, T_EQ, "\"=\" after vips")) {
        char *value = lact_take_word(ps, "a number");
        if (value) {
            char *end;
            errno = 0;
            unsigned long long int n = strtoull(value, &end, 0);
            if (!isdigit((unsigned char) value[0]) || *end || errno
                || n > UINT32_MAX) {
                lact_error(ps, "lb_hairpin vips=%s: not a 32-bit number",
                           value);
            }
            a->lb_hairpin_vips = n;
            free(value);
        }
    }
    free(key);
}

/* The protocols of lb_hairpin. */
struct lact_hairpin_proto {
    const char *name;           /* As in lb_hairpin(NAME). */
    bool v6;
    int nw_proto;
    const char *l4_src, *l4_dst;  /* NXM fields of its ports, or NULL. */
    int echo_reply;             /* ICMP: the reply's type, else -1. */
};

static const struct lact_hairpin_proto lact_hairpin_protos[] = {
    { "tcp", false, 6, "NXM_OF_TCP_SRC[]", "NXM_OF_TCP_DST[]", -1 },
    { "udp", false, 17, "NXM_OF_UDP_SRC[]", "NXM_OF_UDP_DST[]", -1 },
    { "icmp", false, 1, NULL, NULL, 0 },
    { "tcp6", true, 6, "NXM_OF_TCP_SRC[]", "NXM_OF_TCP_DST[]", -1 },
    { "udp6", true, 17, "NXM_OF_UDP_SRC[]", "NXM_OF_UDP_DST[]", -1 },
    { "icmp6", true, 58, NULL, NULL, 129 },
};

static const struct lact_hairpin_proto *
lact_hairpin_proto(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(lact_hairpin_protos); i++) {
        if (!strcmp(lact_hairpin_protos[i].name, name)) {
            return &lact_hairpin_protos[i];
        }
    }
    return NULL;
}

/* Appends lb_hairpin's actions for protocol 'p' and hash 'vips' in the
 * datapath of 'ctx'.  The packet, a backend's own connection that its
 * VIP's DNAT sent back to it (source and destination are the backend),
 * learns a flow in OFTABLE_LB_HAIRPIN, in its datapath, that matches the
 * backend's replies (from its address and port to the VIP's address: the
 * connection's original destination) and gives them their destination
 * back, the backend's own address, and the hairpin flag; one per
 * backend, port and VIP, whatever the client's port.  Then the packet
 * itself gets the VIP as source (so that the backend accepts it: a
 * packet from its own address it would drop) and the hairpin flag.  No
 * conntrack: the DNAT in the port's zone is the connection's state.
 *
 * The learned flows go (delete_learned) when no flow of br-int learns
 * with their cookie and table any more, counting a flow whose actions
 * change as gone: Open vSwitch counts learn()s per cookie and table, not
 * per flow.  Their cookie is the datapath's and the backend's VIP set's
 * ('vips': northd hashes the backend, its protocol and its VIPs on the
 * switch), so that a VIP the backend loses on the switch (its flow's
 * actions change, or the flow goes) takes them all, including those of
 * the VIP gone, which would otherwise send the backend's later packets
 * from that port to that address back to itself. */
static void
lact_put_lb_hairpin(const struct lact_encode_ctx *ctx,
                    const struct lact_hairpin_proto *p, uint32_t vips,
                    struct ds *out)
{
    const char *src = p->v6 ? "NXM_NX_IPV6_SRC[]" : "NXM_OF_IP_SRC[]";
    const char *dst = p->v6 ? "NXM_NX_IPV6_DST[]" : "NXM_OF_IP_DST[]";
    const char *ct_dst = p->v6 ? "NXM_NX_CT_IPV6_DST[]" : "NXM_NX_CT_NW_DST[]";
    ds_put_format(out, "learn(table=%d,cookie=%#"PRIx64",delete_learned,"
                  "OXM_OF_METADATA[],eth_type=%s,nw_proto=%d,%s=%s,%s=%s,",
                  OFTABLE_LB_HAIRPIN,
                  LACT_LB_HAIRPIN_COOKIE(ctx->dp_key, vips),
                  p->v6 ? "0x86dd" : "0x800",
                  p->nw_proto, src, dst, dst, ct_dst);
    if (p->l4_src) {
        ds_put_format(out, "%s=%s,", p->l4_src, p->l4_dst);
    } else {
        ds_put_format(out, "%s=%d,", p->v6 ? "icmpv6_type" : "icmp_type",
                      p->echo_reply);
    }
    ds_put_format(out, "load:%s->%s,load:1->NXM_NX_REG10[%d]),"
                  "move:%s->%s,load:1->NXM_NX_REG10[%d]",
                  src, dst, MLF_LB_HAIRPIN_BIT, ct_dst, src,
                  MLF_LB_HAIRPIN_BIT);
}

/* A bucket of ct_lb's select group.  With affinity a bucket cannot learn
 * (OpenFlow runs a bucket as an action set, which drops learn()), nor can
 * the datapath flow of its translation serve later connections (they
 * would not see what it learns until the next revalidation): it records
 * its choice, backend 'i' + 1, in REG_LB_AFF_PICK, copies the packet's L4
 * source port into a register (overwritten at once: only to make its
 * datapath flow one connection's, so that each new connection is
 * translated, and so sees the affinity its predecessor learned) and goes
 * back to stage ls_in_lb_aff_check (lr_in_lb_aff_check in a router).
 * There a backend remembered for the client meanwhile wins; else
 * northd's flow for the pick commits it and remembers it (ct_lb of one
 * backend, with affinity). */
static void
lact_put_lb_bucket(const struct lact_encode_ctx *ctx, const struct lact *a,
                   size_t i, struct ds *out)
{
    if (a->lb_aff_timeout) {
        const char *proto = a->lb_aff_proto;
        ds_put_format(out, "move:%s->NXM_NX_REG8[0..15],"
                      "load:%#"PRIxSIZE"->NXM_NX_REG8[%d..31],"
                      "resubmit(,%u)",
                      (!proto || !strcmp(proto, "tcp") ? "NXM_OF_TCP_SRC[]"
                       : !strcmp(proto, "udp") ? "NXM_OF_UDP_SRC[]"
                       : "OXM_OF_SCTP_SRC[]"),
                      i + 1, REG_LB_AFF_PICK_SHIFT,
                      ctx->stage_oftable(
                          P_INGRESS,
                          pipeline_stage_info(
                              ctx->dp_type == DP_ROUTER
                              ? S_ROUTER_INGRESS_LB_AFF_CHECK
                              : S_SWITCH_INGRESS_LB_AFF_CHECK)->table_id,
                          ctx->aux));
    } else {
        lact_put_ct_nat(ctx, "dst", a->values[i], out);
    }
}

static void
lact_put_select_bucket(const struct lact_encode_ctx *ctx,
                       const struct lact *a, size_t i, struct ds *out)
{
    lact_put_load(a->dst, a->values[i], out);
    ds_put_format(out, ",resubmit(,%u)", lact_next_oftable(ctx));
}

/* Appends a controller() action for packet-in operation 'op' with
 * 'payload' after the opcode in its userdata, rate-limited by the caller's
 * meter for 'op'. */
static char * OVS_WARN_UNUSED_RESULT
lact_put_pin__(const struct lact_encode_ctx *ctx, enum lact_pin_opcode op,
               uint32_t meter_id, const char *what, const char *payload,
               struct ds *out)
{
    if (!ctx->pin_meter_id || !ctx->pin_meter_id(op, ctx->aux)) {
        return xasprintf("%s: this program answers no packet-in for it",
                         what);
    }
    lact_put_sep(out);
    ds_put_format(out, "controller(userdata=00.00.00.%02x", (unsigned) op);
    for (const char *p = payload; *p; p++) {
        ds_put_format(out, ".%02x", (unsigned char) *p);
    }
    ds_put_format(out, ",meter_id=%"PRIu32")", meter_id);
    return NULL;
}

static char * OVS_WARN_UNUSED_RESULT
lact_put_pin(const struct lact_encode_ctx *ctx, enum lact_pin_opcode op,
             const char *what, const char *payload, struct ds *out)
{
    uint32_t meter_id = ctx->pin_meter_id ? ctx->pin_meter_id(op, ctx->aux)
                                          : 0;
    return lact_put_pin__(ctx, op, meter_id, what, payload, out);
}

/* Returns an error if 'encoded', the OpenFlow actions (text) of 'what',
 * is longer than LACT_MAX_ENCODED_LEN: their binary form, at most about
 * twice the text, must fit in one flow, whose actions OpenFlow limits to
 * 64 kB. */
static char * OVS_WARN_UNUSED_RESULT
lact_check_length(const struct ds *encoded, const char *what)
{
    return (encoded->length > LACT_MAX_ENCODED_LEN
            ? xasprintf("%s: too long for one OpenFlow flow (%"PRIuSIZE
                        " bytes encoded, at most %d)", what,
                        encoded->length, LACT_MAX_ENCODED_LEN)
            : NULL);
}

static char *lact_encode__(const struct lact_list *,
                           const struct lact_encode_ctx *, struct ds *);

/* Appends the OpenFlow actions of 'a' to 'out'. */
static char * OVS_WARN_UNUSED_RESULT
lact_encode_one(const struct lact *a, const struct lact_encode_ctx *ctx,
                struct ds *out)
{
    switch (a->type) {
    case LACT_NEXT: {
        unsigned int table_id = ctx->table_id + 1;
        if (a->stage >= 0) {
            const struct pipeline_stage_info *info
                = pipeline_stage_info(a->stage);
            if (info->dp_type != ctx->dp_type
                || info->pipeline != ctx->pipeline) {
                return xasprintf("next(%s): not a stage of this flow's "
                                 "pipeline", info->name);
            }
            if (info->table_id < ctx->table_id) {
                return xasprintf("next(%s): an earlier stage than the "
                                 "flow's own", info->name);
            }
            table_id = info->table_id;
        }
        lact_put_sep(out);
        ds_put_format(out, "resubmit(,%u)",
                      ctx->stage_oftable(ctx->pipeline, table_id, ctx->aux));
        return NULL;
    }
    case LACT_OUTPUT:
        lact_put_sep(out);
        ds_put_format(out, "resubmit(,%u)",
                      ctx->pipeline == P_INGRESS ? OFTABLE_PHY_OUT_REMOTE
                      : OFTABLE_PHY_DELIVER);
        return NULL;
    case LACT_DROP:
        return NULL;
    case LACT_LOAD:
        lact_put_sep(out);
        lact_put_load(a->dst, a->value, out);
        return NULL;
    case LACT_MOVE:
        lact_put_sep(out);
        ds_put_cstr(out, "move:");
        lact_field_put_subfield(a->src, out);
        ds_put_cstr(out, "->");
        lact_field_put_subfield(a->dst, out);
        return NULL;
    case LACT_EXCHANGE: {
        const struct lact_field *f[4] = { a->dst, a->src, a->dst, a->src };
        for (int i = 0; i < 4; i++) {
            lact_put_sep(out);
            ds_put_cstr(out, i < 2 ? "push:" : "pop:");
            lact_field_put_subfield(f[i], out);
        }
        return NULL;
    }
    case LACT_SELECT:
        if (a->n_values == 1) {
            lact_put_sep(out);
            lact_put_select_bucket(ctx, a, 0, out);
            return NULL;
        }
        return lact_put_select_group(ctx, a, lact_put_select_bucket,
                                     "select", "", out);
    case LACT_CT_NEXT:
        lact_put_sep(out);
        ds_put_format(out, "ct(table=%u,"LACT_CT_ZONE")",
                      lact_next_oftable(ctx));
        return NULL;
    case LACT_CT_COMMIT:
        lact_put_sep(out);
        ds_put_cstr(out, "ct(commit,"LACT_CT_ZONE);
        if (a->has_ct_mark || a->has_ct_label || a->dst) {
            ds_put_cstr(out, ",exec(");
            if (a->has_ct_mark) {
                ds_put_format(out, "set_field:%s->ct_mark", a->ct_mark);
            }
            if (a->has_ct_label) {
                ds_put_format(out, "%sset_field:%s->ct_label",
                              a->has_ct_mark ? "," : "", a->ct_label);
            }
            if (a->dst) {
                ds_put_format(out, "%smove:",
                              a->has_ct_mark || a->has_ct_label ? "," : "");
                lact_field_put_subfield(a->src, out);
                ds_put_cstr(out, "->");
                lact_field_put_subfield(a->dst, out);
            }
            ds_put_char(out, ')');
        }
        ds_put_char(out, ')');
        return NULL;
    case LACT_CT_DNAT:
    case LACT_CT_SNAT:
        lact_put_sep(out);
        if (a->n_values) {
            lact_put_ct_nat(ctx, a->type == LACT_CT_DNAT ? "dst" : "src",
                            a->values[0], out);
        } else {
            ds_put_format(out, "ct(table=%u,"LACT_CT_ZONE",nat)",
                          lact_next_oftable(ctx));
        }
        return NULL;
    case LACT_CT_SNAT_HAIRPIN:
    case LACT_CT_SNAT_LB: {
        char *zone = (a->type == LACT_CT_SNAT_HAIRPIN
                      ? xasprintf("%d", CT_ZONE_HAIRPIN)
                      : xstrdup(REG_CT_ZONE"[16..31]"));
        lact_put_sep(out);
        if (a->n_values) {
            ds_put_format(out, "ct(commit,table=%u,zone=%s,nat(src=",
                          lact_next_oftable(ctx), zone);
            lact_put_nat_address(a->values[0], out);
            ds_put_cstr(out, "))");
        } else {
            ds_put_format(out, "ct(table=%u,zone=%s,nat)",
                          lact_next_oftable(ctx), zone);
        }
        free(zone);
        return NULL;
    }
    case LACT_CT_LB:
        if (a->n_values == 1) {
            lact_put_sep(out);
            if (a->lb_aff_timeout) {
                lact_put_lb_aff_learn(ctx, a, a->values[0], out);
            }
            lact_put_ct_nat(ctx, "dst", a->values[0], out);
            return NULL;
        }
        /* The datapath hashes the 5-tuple of the connection's first
         * packet (OVS_HASH_ALG_L4, selection_method_param 0): Open
         * vSwitch's default, the symmetric hash, leaves UDP ports out
         * and would send every UDP client of one address to one
         * backend. */
        if (a->lb_aff_timeout && ctx->pipeline != P_INGRESS) {
            return xstrdup("ct_lb with affinity and more than one backend "
                           "works in an ingress pipeline only");
        }
        return lact_put_select_group(ctx, a, lact_put_lb_bucket, "ct_lb",
                                     LACT_CT_LB_SELECTION, out);
    case LACT_LB_HAIRPIN:
        lact_put_sep(out);
        lact_put_lb_hairpin(ctx, lact_hairpin_proto(a->value),
                            a->lb_hairpin_vips, out);
        return NULL;
    case LACT_LB_HAIRPIN_CHECK:
        /* A miss changes nothing: the flag stays as it was (clear). */
        lact_put_sep(out);
        ds_put_format(out, "resubmit(,%d)", OFTABLE_LB_HAIRPIN);
        return NULL;
    case LACT_LB_AFF_CHECK:
        /* A miss in OFTABLE_LB_AFF changes nothing: the hit bit stays
         * clear (REG_LB_AFF_PICK is left alone: a ct_lb bucket's pick). */
        lact_put_sep(out);
        ds_put_format(out, "load:0->NXM_NX_REG8[%d],resubmit(,%d)",
                      REG_LB_AFF_HIT_BIT, OFTABLE_LB_AFF);
        return NULL;
    case LACT_METER:
        /* Placed first by lact_encode(). */
        return NULL;
    case LACT_COLOR_SAMPLE: {
        /* Sampling observes and changes nothing: a caller that collects
         * no samples (the trace) leaves it out. */
        char *sample = (ctx->color_sample
                        ? ctx->color_sample(strtoul(a->value, NULL, 10),
                                            ctx->aux)
                        : NULL);
        if (sample) {
            lact_put_sep(out);
            ds_put_cstr(out, sample);
            free(sample);
        }
        return NULL;
    }
    case LACT_LOG: {
        struct ds payload = DS_EMPTY_INITIALIZER;
        ds_put_format(&payload, "name=%s,severity=%s,verdict=%s",
                      a->name ? a->name : "",
                      a->severity ? a->severity : "info",
                      a->verdict ? a->verdict : "allow");
        if (a->meter) {
            ds_put_format(&payload, ",meter=%s", a->meter);
        }
        uint32_t meter_id = (a->meter && ctx->log_meter_id
                             ? ctx->log_meter_id(a->meter, ctx->aux) : 0);
        if (!meter_id && ctx->pin_meter_id) {
            meter_id = ctx->pin_meter_id(LACT_PIN_LOG, ctx->aux);
        }
        char *error = lact_put_pin__(ctx, LACT_PIN_LOG, meter_id, "log",
                                     ds_cstr(&payload), out);
        ds_destroy(&payload);
        return error;
    }
    case LACT_REJECT:
        return lact_put_pin(ctx, LACT_PIN_REJECT, "reject", "", out);
    case LACT_HANDLE_BFD_MSG:
        return lact_put_pin(ctx, LACT_PIN_BFD, "handle_bfd_msg", "", out);
    case LACT_ARP:
    case LACT_ND_NA:
    case LACT_ND_NS:
    case LACT_ICMP4:
    case LACT_ICMP6: {
        /* The payload is the OpenFlow actions to run on the generated
         * packet; icmp4 and icmp6 share an operation, so their payload
         * starts with the family ("4," or "6,"). */
        struct ds nested = DS_EMPTY_INITIALIZER;
        char *error = lact_encode__(&a->nested, ctx, &nested);
        if (!error) {
            /* Each level of nesting triples the size (as hex bytes in
             * the userdata): stop before it grows out of bounds. */
            error = lact_check_length(&nested, lact_nested_name(a->type));
        }
        if (!error) {
            char *payload = xasprintf("%s%s", (a->type == LACT_ICMP4 ? "4,"
                                               : a->type == LACT_ICMP6 ? "6,"
                                               : ""), ds_cstr(&nested));
            error = lact_put_pin(ctx, lact_nested_opcode(a->type),
                                 lact_nested_name(a->type), payload, out);
            free(payload);
        }
        ds_destroy(&nested);
        return error;
    }
    case LACT_PUT_ARP:
    case LACT_PUT_ND: {
        /* The payload names the OpenFlow fields that hold the port, the
         * IP and the MAC: the handler reads them from the packet-in. */
        struct ds payload = DS_EMPTY_INITIALIZER;
        for (int i = 0; i < 3; i++) {
            if (i) {
                ds_put_char(&payload, ',');
            }
            lact_field_put_subfield(a->args[i], &payload);
        }
        bool nd = a->type == LACT_PUT_ND;
        char *error = lact_put_pin(ctx,
                                   nd ? LACT_PIN_PUT_ND : LACT_PIN_PUT_ARP,
                                   nd ? "put_nd" : "put_arp",
                                   ds_cstr(&payload), out);
        ds_destroy(&payload);
        return error;
    }
    case LACT_DEC_TTL:
        /* The router's flows drop TTLs 0 and 1 before they decrement, so
         * dec_ttl never finds one to send to the controller. */
        lact_put_sep(out);
        ds_put_cstr(out, "dec_ttl");
        return NULL;
    }
    OVS_NOT_REACHED();
}

static char * OVS_WARN_UNUSED_RESULT
lact_encode__(const struct lact_list *list, const struct lact_encode_ctx *ctx,
              struct ds *out)
{
    /* A meter is an OpenFlow instruction that must come first. */
    const struct lact *meter = NULL;
    for (size_t i = 0; i < list->n; i++) {
        if (list->acts[i].type == LACT_METER) {
            if (meter) {
                return xstrdup("only one meter() per flow");
            }
            meter = &list->acts[i];
        }
    }
    if (meter) {
        uint32_t id = ctx->meter_id ? ctx->meter_id(meter->name, ctx->aux)
                                    : 0;
        if (!id) {
            return xasprintf("meter(%s): %s", meter->name,
                             ctx->meter_id ? "no such meter"
                             : "this program installs no meters");
        }
        ds_put_format(out, "meter:%"PRIu32, id);
    }

    for (size_t i = 0; i < list->n; i++) {
        char *error = lact_encode_one(&list->acts[i], ctx, out);
        if (error) {
            return error;
        }
    }
    return NULL;
}

/* Appends the OpenFlow actions (ovs-ofctl syntax) of 'list', for a flow in
 * the context 'ctx', to 'ofpacts'; "drop" if they do nothing.  Returns
 * NULL, or an error that the caller frees (then 'ofpacts' holds part of
 * the actions). */
char *
lact_encode(const struct lact_list *list, const struct lact_encode_ctx *ctx,
            struct ds *ofpacts)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    char *error = lact_encode__(list, ctx, &out);
    if (!error) {
        error = lact_check_length(&out, "actions");
    }
    ds_put_cstr(ofpacts, out.length ? ds_cstr(&out) : "drop");
    ds_destroy(&out);
    return error;
}

char *
lact_compile(const char *s, const struct lact_encode_ctx *ctx,
             struct ds *ofpacts)
{
    struct lact_list list;
    char *error = lact_parse(s, &list);
    if (!error) {
        error = lact_encode(&list, ctx, ofpacts);
    }
    lact_list_destroy(&list);
    return error;
}
