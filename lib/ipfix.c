#include <config.h>

#include "lib/ipfix.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>

#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "packets.h"
#include "unaligned.h"
#include "util.h"

/* Sizes fixed by RFC 7011. */
#define IPFIX_VERSION 10
#define IPFIX_HEADER_LEN 16     /* Message header. */
#define IPFIX_SET_HEADER_LEN 4  /* Set id and length. */
#define IPFIX_SET_TEMPLATE 2    /* Set id of template sets. */
#define IPFIX_SET_OPTIONS 3     /* Set id of options template sets. */
#define IPFIX_MIN_DATA_SET 256  /* Lowest set id of data sets. */
#define IPFIX_VARLEN 65535      /* Field length of variable-length fields. */
#define IPFIX_ENTERPRISE_BIT 0x8000 /* In element ids: enterprise-specific. */

/* The information elements struct ipfix_record holds. */
enum {
    IE_OCTET_DELTA_COUNT = 1,
    IE_PACKET_DELTA_COUNT = 2,
    IE_PROTOCOL_IDENTIFIER = 4,
    IE_SOURCE_TRANSPORT_PORT = 7,
    IE_SOURCE_IPV4_ADDRESS = 8,
    IE_DESTINATION_TRANSPORT_PORT = 11,
    IE_DESTINATION_IPV4_ADDRESS = 12,
    IE_SOURCE_IPV6_ADDRESS = 27,
    IE_DESTINATION_IPV6_ADDRESS = 28,
    IE_OBSERVATION_POINT_ID = 138,
};

/* What one step of a compiled template does with its bytes. */
enum ipfix_op_kind {
    OP_SKIP,                    /* Fixed-length bytes nobody reads. */
    OP_SKIP_VARLEN,             /* One variable-length field, unread. */
    OP_OBS_POINT,               /* observationPointId. */
    OP_PROTOCOL,                /* protocolIdentifier. */
    OP_SRC_PORT,                /* sourceTransportPort. */
    OP_DST_PORT,                /* destinationTransportPort. */
    OP_OCTETS,                  /* octetDeltaCount. */
    OP_PACKETS,                 /* packetDeltaCount. */
    OP_SRC_IPV4,                /* sourceIPv4Address. */
    OP_DST_IPV4,                /* destinationIPv4Address. */
    OP_SRC_IPV6,                /* sourceIPv6Address. */
    OP_DST_IPV6,                /* destinationIPv6Address. */
};

/* One step of a compiled template. */
struct ipfix_op {
    uint32_t length;            /* Bytes (fixed-length kinds only). */
    uint8_t kind;               /* One of enum ipfix_op_kind. */
};

/* A template, compiled to the steps that decode one of its records. */
struct ipfix_template {
    struct hmap_node hmap_node; /* In struct ipfix_parser's 'templates'. */
    struct ovs_list lru_node;   /* In struct ipfix_parser's 'lru'. */
    uint32_t domain;            /* Observation domain id (0 if shared). */
    uint16_t id;                /* Template id, 256 or more. */
    bool options;               /* Options template: records not delivered. */
    uint8_t ip_version;         /* 4 or 6 for records with addresses, or 0. */
    uint32_t min_len;           /* Bytes of the shortest record, at least 1. */
    size_t n_ops;               /* Number of steps in 'ops'. */
    struct ipfix_op ops[];      /* The steps, in field order. */
};

/* The parser: its templates and counters. */
struct ipfix_parser {
    struct hmap templates;      /* Contains struct ipfix_template. */
    struct ovs_list lru;        /* Templates, least recently defined first. */
    size_t max_templates;       /* Most templates kept. */
    bool shared;                /* Templates shared by all domains? */
    struct ipfix_op *scratch;   /* IPFIX_MAX_FIELDS steps for compiling. */
    struct ipfix_parser_counters counters; /* Except the template counts. */
    size_t n_options;           /* Options templates in 'templates'. */
};

/* A message being parsed. */
struct ipfix_msg {
    const uint8_t *start;       /* First byte of the message. */
    uint32_t domain;            /* Observation domain id of its header. */
    uint32_t key_domain;        /* Its templates' domain: 0 if shared. */
    void (*cb)(const struct ipfix_record *, void *aux); /* Record callback. */
    void *aux;                  /* Callback's argument. */
};

/* Creates and returns a parser that knows no templates. */
struct ipfix_parser *
ipfix_parser_create(void)
{
    struct ipfix_parser *p = xzalloc(sizeof *p);
    hmap_init(&p->templates);
    ovs_list_init(&p->lru);
    p->max_templates = IPFIX_MAX_TEMPLATES;
    p->scratch = xmalloc(IPFIX_MAX_FIELDS * sizeof *p->scratch);
    return p;
}

/* Removes template 't' from 'p' and frees it. */
static void
ipfix_template_remove(struct ipfix_parser *p, struct ipfix_template *t)
{
    hmap_remove(&p->templates, &t->hmap_node);
    ovs_list_remove(&t->lru_node);
    if (t->options) {
        p->n_options--;
    }
    free(t);
}

/* Removes every template of 'p'. */
static void
ipfix_remove_all(struct ipfix_parser *p)
{
    struct ipfix_template *t;
    HMAP_FOR_EACH_SAFE (t, hmap_node, &p->templates) {
        ipfix_template_remove(p, t);
    }
}

/* Frees 'p' and every template it holds.  Accepts NULL. */
void
ipfix_parser_destroy(struct ipfix_parser *p)
{
    if (p) {
        ipfix_remove_all(p);
        hmap_destroy(&p->templates);
        free(p->scratch);
        free(p);
    }
}

/* Evicts the least recently defined templates of 'p' until at most 'max'
 * remain. */
static void
ipfix_evict(struct ipfix_parser *p, size_t max)
{
    while (hmap_count(&p->templates) > max) {
        struct ipfix_template *oldest
            = CONTAINER_OF(ovs_list_front(&p->lru), struct ipfix_template,
                           lru_node);
        ipfix_template_remove(p, oldest);
        p->counters.templates_evicted++;
    }
}

/* Makes 'p' remember at most 'max' templates (at least 1), evicting the
 * least recently defined ones if it holds more. */
void
ipfix_parser_set_max_templates(struct ipfix_parser *p, size_t max)
{
    p->max_templates = MAX(max, 1);
    ipfix_evict(p, p->max_templates);
}

/* Makes the templates of 'p' shared by all observation domains if
 * 'shared' (keyed by template id alone), or per domain as RFC 7011 has it
 * otherwise.  Changing it forgets every template. */
void
ipfix_parser_set_shared_templates(struct ipfix_parser *p, bool shared)
{
    if (shared != p->shared) {
        ipfix_remove_all(p);
        p->shared = shared;
    }
}

/* Returns the template of 'p' with 'domain' and 'id', or NULL. */
static struct ipfix_template *
ipfix_template_find(const struct ipfix_parser *p, uint32_t domain,
                    uint16_t id)
{
    struct ipfix_template *t;
    HMAP_FOR_EACH_WITH_HASH (t, hmap_node, hash_2words(domain, id),
                             &p->templates) {
        if (t->domain == domain && t->id == id) {
            return t;
        }
    }
    return NULL;
}

/* Reads a big-endian unsigned integer of 'n' bytes (1 to 8) at 'b'. */
static uint64_t
ipfix_get_uint(const uint8_t *b, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        v = (v << 8) | b[i];
    }
    return v;
}

/* Reads a big-endian 16-bit integer at 'b'. */
static uint16_t
ipfix_get_u16(const uint8_t *b)
{
    return ntohs(get_unaligned_be16((const ovs_be16 *) b));
}

/* Reads a big-endian 32-bit integer at 'b'. */
static uint32_t
ipfix_get_u32(const uint8_t *b)
{
    return ntohl(get_unaligned_be32((const ovs_be32 *) b));
}

/* Returns true if the 'n' bytes at 'b' are all zero. */
static bool
ipfix_is_zero(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (b[i]) {
            return false;
        }
    }
    return true;
}

/* Returns the offset of 'b' in message 'm'. */
static size_t
ipfix_ofs(const struct ipfix_msg *m, const uint8_t *b)
{
    return b - m->start;
}

/* How struct ipfix_record holds an information element. */
struct ipfix_ie_info {
    uint16_t id;                /* Element id. */
    const char *name;           /* Its name in the IANA registry. */
    uint8_t kind;               /* enum ipfix_op_kind. */
    uint8_t max_len;            /* Its full size. */
    bool reducible;             /* May be sent in 1 to 'max_len' bytes. */
};

/* The elements struct ipfix_record holds. */
static const struct ipfix_ie_info ipfix_ies[] = {
    { IE_OCTET_DELTA_COUNT, "octetDeltaCount", OP_OCTETS, 8, true },
    { IE_PACKET_DELTA_COUNT, "packetDeltaCount", OP_PACKETS, 8, true },
    { IE_PROTOCOL_IDENTIFIER, "protocolIdentifier", OP_PROTOCOL, 1, true },
    { IE_SOURCE_TRANSPORT_PORT, "sourceTransportPort", OP_SRC_PORT, 2,
      true },
    { IE_DESTINATION_TRANSPORT_PORT, "destinationTransportPort", OP_DST_PORT,
      2, true },
    { IE_SOURCE_IPV4_ADDRESS, "sourceIPv4Address", OP_SRC_IPV4, 4, false },
    { IE_DESTINATION_IPV4_ADDRESS, "destinationIPv4Address", OP_DST_IPV4, 4,
      false },
    { IE_SOURCE_IPV6_ADDRESS, "sourceIPv6Address", OP_SRC_IPV6, 16, false },
    { IE_DESTINATION_IPV6_ADDRESS, "destinationIPv6Address", OP_DST_IPV6, 16,
      false },
    { IE_OBSERVATION_POINT_ID, "observationPointId", OP_OBS_POINT, 4, true },
};

/* Returns how struct ipfix_record holds IANA element 'id', or NULL if it
 * does not. */
static const struct ipfix_ie_info *
ipfix_ie_lookup(uint16_t id)
{
    for (size_t i = 0; i < ARRAY_SIZE(ipfix_ies); i++) {
        if (ipfix_ies[i].id == id) {
            return &ipfix_ies[i];
        }
    }
    return NULL;
}

/* Appends to 'ops' (holding '*n_ops' steps) a step of 'kind' over 'length'
 * bytes, merging runs of fixed-length skips. */
static void
ipfix_add_op(struct ipfix_op *ops, size_t *n_ops, enum ipfix_op_kind kind,
             uint32_t length)
{
    if (kind == OP_SKIP && *n_ops && ops[*n_ops - 1].kind == OP_SKIP) {
        ops[*n_ops - 1].length += length;
    } else {
        ops[*n_ops].kind = kind;
        ops[*n_ops].length = length;
        (*n_ops)++;
    }
}

/* Describes the template record being compiled, for error messages. */
struct ipfix_tmpl_ctx {
    const struct ipfix_msg *m;  /* The message. */
    uint16_t id;                /* Template id. */
    bool options;               /* Options template? */
};

/* Compiles the 'n_fields' field specifiers that start at '*pp' (and end
 * before 'end') into p->scratch, storing the number of steps in '*n_ops',
 * the length of the shortest record in '*min_len' and the IP version in
 * '*ip_version', and advancing '*pp' past them.  Returns NULL or an
 * error. */
static char *
ipfix_compile(struct ipfix_parser *p, const struct ipfix_tmpl_ctx *ctx,
              const uint8_t **pp, const uint8_t *end, uint16_t n_fields,
              size_t *n_ops, uint32_t *min_len, uint8_t *ip_version)
{
    const uint8_t *b = *pp;
    const char *what = ctx->options ? "options template" : "template";
    bool has_v4 = false, has_v6 = false;

    *n_ops = 0;
    *min_len = 0;
    for (uint16_t i = 0; i < n_fields; i++) {
        if (end - b < 4) {
            return xasprintf("offset %"PRIuSIZE": %s %"PRIu16" field %"PRIu16
                             " of %"PRIu16" is past the end of its set",
                             ipfix_ofs(ctx->m, b), what, ctx->id, i + 1,
                             n_fields);
        }
        uint16_t ie = ipfix_get_u16(b);
        uint16_t length = ipfix_get_u16(b + 2);
        const struct ipfix_ie_info *info = NULL;
        if (ie & IPFIX_ENTERPRISE_BIT) {
            if (end - b < 8) {
                return xasprintf("offset %"PRIuSIZE": %s %"PRIu16" field %"
                                 PRIu16": enterprise number past the end of "
                                 "its set", ipfix_ofs(ctx->m, b), what,
                                 ctx->id, i + 1);
            }
            b += 8;
        } else {
            info = ctx->options ? NULL : ipfix_ie_lookup(ie);
            b += 4;
        }

        if (!info) {
            if (length == IPFIX_VARLEN) {
                ipfix_add_op(p->scratch, n_ops, OP_SKIP_VARLEN, 0);
                *min_len += 1;
            } else {
                ipfix_add_op(p->scratch, n_ops, OP_SKIP, length);
                *min_len += length;
            }
            continue;
        }

        if (info->reducible
            ? length < 1 || length > info->max_len
            : length != info->max_len) {
            char *expected = (info->reducible && info->max_len > 1
                              ? xasprintf("1 to %d", info->max_len)
                              : xasprintf("%d", info->max_len));
            char *error = xasprintf("offset %"PRIuSIZE": template %"PRIu16
                                    " field %"PRIu16": %s (%"PRIu16") has "
                                    "length %"PRIu16", expected %s",
                                    ipfix_ofs(ctx->m, b - 4), ctx->id, i + 1,
                                    info->name, ie, length, expected);
            free(expected);
            return error;
        }
        if (info->kind == OP_SRC_IPV4 || info->kind == OP_DST_IPV4) {
            has_v4 = true;
        } else if (info->kind == OP_SRC_IPV6 || info->kind == OP_DST_IPV6) {
            has_v6 = true;
        }
        ipfix_add_op(p->scratch, n_ops, info->kind, length);
        *min_len += length;
    }

    /* With both, the IPv6 addresses win: skip the IPv4 ones. */
    if (has_v4 && has_v6) {
        size_t n = *n_ops;
        *n_ops = 0;
        for (size_t i = 0; i < n; i++) {
            struct ipfix_op op = p->scratch[i];
            if (op.kind == OP_SRC_IPV4 || op.kind == OP_DST_IPV4) {
                op.kind = OP_SKIP;
            }
            ipfix_add_op(p->scratch, n_ops, op.kind, op.length);
        }
    }
    *ip_version = has_v6 ? 6 : has_v4 ? 4 : 0;
    *pp = b;
    return NULL;
}

/* Returns true if template 't' consists of the 'n_ops' steps in 'ops'. */
static bool
ipfix_template_has_ops(const struct ipfix_template *t,
                       const struct ipfix_op *ops, size_t n_ops)
{
    if (t->n_ops != n_ops) {
        return false;
    }
    for (size_t i = 0; i < n_ops; i++) {
        if (t->ops[i].kind != ops[i].kind
            || t->ops[i].length != ops[i].length) {
            return false;
        }
    }
    return true;
}

/* Makes 'p' know template 'id' of domain 'domain' as the 'n_ops' steps in
 * p->scratch, replacing any template of that key. */
static void
ipfix_template_define(struct ipfix_parser *p, uint32_t domain, uint16_t id,
                      bool options, size_t n_ops, uint32_t min_len,
                      uint8_t ip_version)
{
    struct ipfix_template *old = ipfix_template_find(p, domain, id);
    if (old && old->options == options && old->min_len == min_len
        && ipfix_template_has_ops(old, p->scratch, n_ops)) {
        /* Re-sent unchanged: only its age changes. */
        ovs_list_remove(&old->lru_node);
        ovs_list_push_back(&p->lru, &old->lru_node);
        return;
    }
    if (old) {
        ipfix_template_remove(p, old);
    } else {
        ipfix_evict(p, p->max_templates - 1);
    }

    struct ipfix_template *t = xmalloc(sizeof *t + n_ops * sizeof *t->ops);
    t->domain = domain;
    t->id = id;
    t->options = options;
    t->ip_version = ip_version;
    t->min_len = min_len;
    t->n_ops = n_ops;
    memcpy(t->ops, p->scratch, n_ops * sizeof *t->ops);
    hmap_insert(&p->templates, &t->hmap_node, hash_2words(domain, id));
    ovs_list_push_back(&p->lru, &t->lru_node);
    if (options) {
        p->n_options++;
    }
}

/* Withdraws every template of 'domain' in 'p' that is an options template
 * if 'options', a template otherwise. */
static void
ipfix_withdraw_all(struct ipfix_parser *p, uint32_t domain, bool options)
{
    struct ipfix_template *t;
    HMAP_FOR_EACH_SAFE (t, hmap_node, &p->templates) {
        if (t->domain == domain && t->options == options) {
            ipfix_template_remove(p, t);
        }
    }
}

/* Parses the template set (options template set if 'options') whose
 * records lie in [b, end).  Returns NULL or an error. */
static char *
ipfix_parse_template_set(struct ipfix_parser *p, const struct ipfix_msg *m,
                         const uint8_t *b, const uint8_t *end, bool options)
{
    const char *what = options ? "options template" : "template";

    /* The shortest record, a withdrawal, has 4 bytes: fewer are padding. */
    while (end - b >= 4) {
        const uint8_t *rec = b;
        uint16_t id = ipfix_get_u16(b);
        uint16_t n_fields = ipfix_get_u16(b + 2);
        b += 4;

        if (!n_fields) {
            uint16_t all = options ? IPFIX_SET_OPTIONS : IPFIX_SET_TEMPLATE;
            if (id == all) {
                ipfix_withdraw_all(p, m->key_domain, options);
            } else if (id >= IPFIX_MIN_DATA_SET) {
                struct ipfix_template *t
                    = ipfix_template_find(p, m->key_domain, id);
                if (t) {
                    ipfix_template_remove(p, t);
                }
            } else {
                return xasprintf("offset %"PRIuSIZE": withdrawal of %s %"
                                 PRIu16", which is neither %d (all) nor "
                                 "256 or above", ipfix_ofs(m, rec), what, id,
                                 all);
            }
            continue;
        }
        if (id < IPFIX_MIN_DATA_SET) {
            return xasprintf("offset %"PRIuSIZE": %s id %"PRIu16" is below "
                             "256", ipfix_ofs(m, rec), what, id);
        }

        uint16_t n_scope = 0;
        if (options) {
            if (end - b < 2) {
                return xasprintf("offset %"PRIuSIZE": options template %"
                                 PRIu16" is cut before its scope field "
                                 "count", ipfix_ofs(m, rec), id);
            }
            n_scope = ipfix_get_u16(b);
            b += 2;
            if (!n_scope || n_scope > n_fields) {
                return xasprintf("offset %"PRIuSIZE": options template %"
                                 PRIu16" has scope field count %"PRIu16
                                 " (must be 1 to its field count, %"PRIu16
                                 ")", ipfix_ofs(m, rec + 4), id, n_scope,
                                 n_fields);
            }
        }
        if (n_fields > (end - b) / 4) {
            return xasprintf("offset %"PRIuSIZE": %s %"PRIu16" has %"PRIu16
                             " fields, more than the %"PRIdPTR" bytes left "
                             "in its set can hold", ipfix_ofs(m, rec + 2),
                             what, id, n_fields, end - b);
        }
        if (n_fields > IPFIX_MAX_FIELDS) {
            return xasprintf("offset %"PRIuSIZE": %s %"PRIu16" has %"PRIu16
                             " fields, more than the %d supported",
                             ipfix_ofs(m, rec + 2), what, id, n_fields,
                             IPFIX_MAX_FIELDS);
        }

        struct ipfix_tmpl_ctx ctx = { .m = m, .id = id, .options = options };
        size_t n_ops;
        uint32_t min_len;
        uint8_t ip_version = 0;
        char *error = ipfix_compile(p, &ctx, &b, end, n_fields, &n_ops,
                                    &min_len, &ip_version);
        if (error) {
            return error;
        }
        if (!min_len) {
            return xasprintf("offset %"PRIuSIZE": %s %"PRIu16" describes "
                             "records of 0 bytes", ipfix_ofs(m, rec), what,
                             id);
        }
        ipfix_template_define(p, m->key_domain, id, options, n_ops, min_len,
                              ip_version);
    }
    if (!ipfix_is_zero(b, end - b)) {
        return xasprintf("offset %"PRIuSIZE": %"PRIdPTR" bytes at the end of "
                         "a %s set are neither a record nor padding",
                         ipfix_ofs(m, b), end - b, what);
    }
    return NULL;
}

/* Decodes the record of template 't' that starts at 'b' (and must end by
 * 'end') into 'r', if 'r' is nonnull.  Returns the end of the record, or
 * NULL if it does not fit, with the 1-based number of the field that does
 * not fit in '*bad_op'. */
static const uint8_t *
ipfix_decode(const struct ipfix_template *t, const uint8_t *b,
             const uint8_t *end, struct ipfix_record *r, size_t *bad_op)
{
    for (size_t i = 0; i < t->n_ops; i++) {
        const struct ipfix_op *op = &t->ops[i];
        size_t length = op->length;

        if (op->kind == OP_SKIP_VARLEN) {
            if (end - b < 1) {
                *bad_op = i + 1;
                return NULL;
            }
            length = *b++;
            if (length == 255) {
                if (end - b < 2) {
                    *bad_op = i + 1;
                    return NULL;
                }
                length = ipfix_get_u16(b);
                b += 2;
            }
        }
        if (end - b < length) {
            *bad_op = i + 1;
            return NULL;
        }
        if (r) {
            switch ((enum ipfix_op_kind) op->kind) {
            case OP_SKIP:
            case OP_SKIP_VARLEN:
                break;
            case OP_OBS_POINT:
                r->obs_point_id = ipfix_get_uint(b, length);
                break;
            case OP_PROTOCOL:
                r->protocol = *b;
                break;
            case OP_SRC_PORT:
                r->src_port = ipfix_get_uint(b, length);
                break;
            case OP_DST_PORT:
                r->dst_port = ipfix_get_uint(b, length);
                break;
            case OP_OCTETS:
                r->octets = ipfix_get_uint(b, length);
                break;
            case OP_PACKETS:
                r->packets = ipfix_get_uint(b, length);
                break;
            case OP_SRC_IPV4:
                in6_addr_set_mapped_ipv4(
                    &r->src, get_unaligned_be32((const ovs_be32 *) b));
                break;
            case OP_DST_IPV4:
                in6_addr_set_mapped_ipv4(
                    &r->dst, get_unaligned_be32((const ovs_be32 *) b));
                break;
            case OP_SRC_IPV6:
                memcpy(&r->src, b, sizeof r->src);
                break;
            case OP_DST_IPV6:
                memcpy(&r->dst, b, sizeof r->dst);
                break;
            }
        }
        b += length;
    }
    return b;
}

/* Returns a description of the field of 't' that step 'op' (1-based)
 * decodes, for error messages. */
static const char *
ipfix_op_name(const struct ipfix_template *t, size_t op)
{
    static const char *const names[] = {
        [OP_SKIP] = "a fixed-length field",
        [OP_SKIP_VARLEN] = "a variable-length field",
        [OP_OBS_POINT] = "observationPointId",
        [OP_PROTOCOL] = "protocolIdentifier",
        [OP_SRC_PORT] = "sourceTransportPort",
        [OP_DST_PORT] = "destinationTransportPort",
        [OP_OCTETS] = "octetDeltaCount",
        [OP_PACKETS] = "packetDeltaCount",
        [OP_SRC_IPV4] = "sourceIPv4Address",
        [OP_DST_IPV4] = "destinationIPv4Address",
        [OP_SRC_IPV6] = "sourceIPv6Address",
        [OP_DST_IPV6] = "destinationIPv6Address",
    };
    return names[t->ops[op - 1].kind];
}

/* Parses the data set of template id 'id' whose records lie in [b, end).
 * Returns NULL or an error. */
static char *
ipfix_parse_data_set(struct ipfix_parser *p, const struct ipfix_msg *m,
                     uint16_t id, const uint8_t *b, const uint8_t *end)
{
    const struct ipfix_template *t = ipfix_template_find(p, m->key_domain,
                                                         id);
    if (!t) {
        p->counters.sets_no_template++;
        return NULL;
    }

    /* Every record has at least 'min_len' >= 1 bytes, so this ends. */
    while (end - b >= t->min_len) {
        struct ipfix_record r;
        size_t bad_op = 0;
        const uint8_t *next;

        if (t->options) {
            next = ipfix_decode(t, b, end, NULL, &bad_op);
        } else {
            memset(&r, 0, sizeof r);
            if (t->ip_version == 4) {
                /* An absent address is 0.0.0.0, IPv4-mapped too. */
                in6_addr_set_mapped_ipv4(&r.src, htonl(0));
                r.dst = r.src;
            }
            next = ipfix_decode(t, b, end, &r, &bad_op);
        }
        if (!next) {
            return xasprintf("offset %"PRIuSIZE": record of %s %"PRIu16
                             " is truncated: %s does not fit in the %"
                             PRIdPTR" bytes left in its set",
                             ipfix_ofs(m, b),
                             t->options ? "options template" : "template",
                             id, ipfix_op_name(t, bad_op), end - b);
        }
        if (t->options) {
            p->counters.options_records++;
        } else {
            r.obs_domain_id = m->domain;
            r.ip_version = t->ip_version;
            p->counters.records++;
            m->cb(&r, m->aux);
        }
        b = next;
    }
    if (!ipfix_is_zero(b, end - b)) {
        return xasprintf("offset %"PRIuSIZE": record of %s %"PRIu16" is "
                         "truncated: %"PRIdPTR" bytes left in its set, its "
                         "records have at least %"PRIu32, ipfix_ofs(m, b),
                         t->options ? "options template" : "template", id,
                         end - b, t->min_len);
    }
    return NULL;
}

/* Parses the sets of message 'm', which lie in [b, end).  Returns NULL or
 * an error. */
static char *
ipfix_parse_sets(struct ipfix_parser *p, const struct ipfix_msg *m,
                 const uint8_t *b, const uint8_t *end)
{
    while (b < end) {
        if (end - b < IPFIX_SET_HEADER_LEN) {
            return xasprintf("offset %"PRIuSIZE": %"PRIdPTR" bytes left, too "
                             "few for a set header (4 bytes)",
                             ipfix_ofs(m, b), end - b);
        }
        uint16_t set_id = ipfix_get_u16(b);
        uint16_t set_len = ipfix_get_u16(b + 2);
        if (set_len < IPFIX_SET_HEADER_LEN) {
            return xasprintf("offset %"PRIuSIZE": set length %"PRIu16" is "
                             "shorter than a set header (4 bytes)",
                             ipfix_ofs(m, b + 2), set_len);
        }
        if (set_len > end - b) {
            return xasprintf("offset %"PRIuSIZE": set %"PRIu16" of length %"
                             PRIu16" runs past the end of the message (%"
                             PRIdPTR" bytes left)", ipfix_ofs(m, b + 2),
                             set_id, set_len, end - b);
        }

        const uint8_t *body = b + IPFIX_SET_HEADER_LEN;
        const uint8_t *set_end = b + set_len;
        char *error = NULL;
        if (set_id == IPFIX_SET_TEMPLATE || set_id == IPFIX_SET_OPTIONS) {
            error = ipfix_parse_template_set(p, m, body, set_end,
                                             set_id == IPFIX_SET_OPTIONS);
        } else if (set_id >= IPFIX_MIN_DATA_SET) {
            error = ipfix_parse_data_set(p, m, set_id, body, set_end);
        } else {
            /* Set ids 0 and 1 are unused, 4 to 255 reserved: skip. */
        }
        if (error) {
            return error;
        }
        b = set_end;
    }
    return NULL;
}

/* Parses one IPFIX message of 'len' bytes; calls 'cb' for each data record it
 * can decode with a known template.  Returns NULL, or a malloc'd error
 * describing the first problem (what is malformed and at which offset);
 * records before the problem are still delivered. */
char *
ipfix_parser_feed(struct ipfix_parser *p, const void *msg_, size_t len,
                  void (*cb)(const struct ipfix_record *, void *aux),
                  void *aux)
{
    const uint8_t *msg = msg_;
    char *error = NULL;

    p->counters.messages++;
    if (len < IPFIX_HEADER_LEN) {
        error = xasprintf("offset 0: message of %"PRIuSIZE" bytes is "
                          "shorter than an IPFIX message header (16 bytes)",
                          len);
        goto out;
    }

    uint16_t version = ipfix_get_u16(msg);
    uint16_t msg_len = ipfix_get_u16(msg + 2);
    if (version != IPFIX_VERSION) {
        error = xasprintf("offset 0: version %"PRIu16" is not IPFIX's (10)",
                          version);
        goto out;
    }
    if (msg_len < IPFIX_HEADER_LEN) {
        error = xasprintf("offset 2: message length %"PRIu16" is shorter "
                          "than the message header (16 bytes)", msg_len);
        goto out;
    }
    if (msg_len > len) {
        error = xasprintf("offset 2: message length %"PRIu16" is longer "
                          "than the %"PRIuSIZE" bytes received", msg_len,
                          len);
        goto out;
    }

    struct ipfix_msg m = {
        .start = msg,
        .domain = ipfix_get_u32(msg + 12),
        .cb = cb,
        .aux = aux,
    };
    m.key_domain = p->shared ? 0 : m.domain;
    error = ipfix_parse_sets(p, &m, msg + IPFIX_HEADER_LEN, msg + msg_len);
    if (!error && msg_len < len) {
        error = xasprintf("offset %"PRIu16": %"PRIuSIZE" bytes after the end "
                          "of the message (its length is %"PRIu16")",
                          msg_len, len - msg_len, msg_len);
    }

out:
    if (error) {
        p->counters.errors++;
    }
    return error;
}

/* Stores the counters of 'p' in '*c'. */
void
ipfix_parser_get_counters(const struct ipfix_parser *p,
                          struct ipfix_parser_counters *c)
{
    *c = p->counters;
    c->n_templates = hmap_count(&p->templates);
    c->n_options_templates = p->n_options;
}

/* Appends the counters of 'p' to 's', one "name: value" line each. */
void
ipfix_parser_stats(const struct ipfix_parser *p, struct ds *s)
{
    struct ipfix_parser_counters c;
    ipfix_parser_get_counters(p, &c);
    ds_put_format(s, "messages: %"PRIu64"\n", c.messages);
    ds_put_format(s, "malformed messages: %"PRIu64"\n", c.errors);
    ds_put_format(s, "flow records: %"PRIu64"\n", c.records);
    ds_put_format(s, "options records: %"PRIu64"\n", c.options_records);
    ds_put_format(s, "data sets skipped for want of a template: %"PRIu64"\n",
                  c.sets_no_template);
    ds_put_format(s, "templates known: %"PRIuSIZE" (%"PRIuSIZE" options "
                  "templates)\n", c.n_templates, c.n_options_templates);
    ds_put_format(s, "templates evicted: %"PRIu64"\n", c.templates_evicted);
}

/* Appends 'r' to 's' on one line, e.g. "domain=7 point=3 v4 6
 * 10.0.0.1:1234 > 10.0.0.2:80 octets=60 packets=1". */
void
ipfix_record_format(const struct ipfix_record *r, struct ds *s)
{
    ds_put_format(s, "domain=%"PRIu32" point=%"PRIu32" ",
                  r->obs_domain_id, r->obs_point_id);
    if (r->ip_version == 4) {
        ds_put_format(s, "v4 %d "IP_FMT":%d > "IP_FMT":%d", r->protocol,
                      IP_ARGS(in6_addr_get_mapped_ipv4(&r->src)),
                      r->src_port,
                      IP_ARGS(in6_addr_get_mapped_ipv4(&r->dst)),
                      r->dst_port);
    } else if (r->ip_version == 6) {
        ds_put_format(s, "v6 %d [", r->protocol);
        ipv6_format_addr(&r->src, s);
        ds_put_format(s, "]:%d > [", r->src_port);
        ipv6_format_addr(&r->dst, s);
        ds_put_format(s, "]:%d", r->dst_port);
    } else {
        ds_put_format(s, "non-ip %d", r->protocol);
    }
    ds_put_format(s, " octets=%"PRIu64" packets=%"PRIu64,
                  r->octets, r->packets);
}
