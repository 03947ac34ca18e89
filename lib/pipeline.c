#include <config.h>

#include "lib/pipeline.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/match.h"
#include "openvswitch/meta-flow.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-match.h"
#include "openvswitch/ofpbuf.h"
#include "packets.h"
#include "sset.h"
#include "svec.h"
#include "util.h"

static const struct pipeline_stage_info stages[N_PIPELINE_STAGES] = {
#define STAGE(DP_TYPE, PIPELINE, STAGE, TABLE, NAME) \
    [S_##DP_TYPE##_##PIPELINE##_##STAGE] = \
        { DP_##DP_TYPE, P_##PIPELINE, TABLE, NAME },
    PIPELINE_STAGES
#undef STAGE
};

const struct pipeline_stage_info *
pipeline_stage_info(enum pipeline_stage stage)
{
    return stage < N_PIPELINE_STAGES ? &stages[stage] : NULL;
}

/* Returns the stage of a datapath of 'dp_type' at logical table 'table_id'
 * of 'pipeline', or NULL if there is none. */
const struct pipeline_stage_info *
pipeline_stage_find(enum dp_type dp_type, enum pipeline pipeline,
                    unsigned int table_id)
{
    for (size_t i = 0; i < N_PIPELINE_STAGES; i++) {
        const struct pipeline_stage_info *s = &stages[i];
        if (s->dp_type == dp_type && s->pipeline == pipeline
            && s->table_id == table_id) {
            return s;
        }
    }
    return NULL;
}

/* Returns the table_id of the first stage of a 'dp_type' datapath's
 * 'pipeline' at or after 'table_id', or PIPELINE_MAX_STAGES if there is
 * none. */
unsigned int
pipeline_stage_at_or_after(enum dp_type dp_type, enum pipeline pipeline,
                           unsigned int table_id)
{
    unsigned int best = PIPELINE_MAX_STAGES;
    for (size_t i = 0; i < N_PIPELINE_STAGES; i++) {
        const struct pipeline_stage_info *s = &stages[i];
        if (s->dp_type == dp_type && s->pipeline == pipeline
            && s->table_id >= table_id && s->table_id < best) {
            best = s->table_id;
        }
    }
    return best;
}

const char *
pipeline_to_string(enum pipeline pipeline)
{
    return pipeline == P_INGRESS ? "ingress" : "egress";
}

bool
pipeline_from_string(const char *s, enum pipeline *pipeline)
{
    if (!strcmp(s, "ingress")) {
        *pipeline = P_INGRESS;
    } else if (!strcmp(s, "egress")) {
        *pipeline = P_EGRESS;
    } else {
        return false;
    }
    return true;
}

/* Returns the OpenFlow table of logical table 0 of 'pipeline'. */
unsigned int
pipeline_first_oftable(enum pipeline pipeline)
{
    return pipeline == P_INGRESS ? OFTABLE_INGRESS : OFTABLE_EGRESS;
}

/* Returns a copy of 'len' bytes of 'p' without leading and trailing
 * blanks. */
static char *
pipeline_match_strip(const char *p, size_t len)
{
    while (len && isspace((unsigned char) *p)) {
        p++;
        len--;
    }
    while (len && isspace((unsigned char) p[len - 1])) {
        len--;
    }
    return xmemdup0(p, len);
}

/* Splits logical flow match 'match' at each PIPELINE_MATCH_OR into its
 * alternatives, each without surrounding blanks, and stores them in
 * '*alternatives' (free with pipeline_match_free()).  Returns their number,
 * at least 1 (a match without separator is its own only alternative; the
 * empty match is one empty alternative). */
size_t
pipeline_match_split(const char *match, char ***alternatives)
{
    size_t n = 0, allocated = 0;
    char **alts = NULL;

    for (;;) {
        const char *end = strstr(match, PIPELINE_MATCH_OR);
        size_t len = end ? end - match : strlen(match);
        if (n >= allocated) {
            alts = x2nrealloc(alts, &allocated, sizeof *alts);
        }
        alts[n++] = pipeline_match_strip(match, len);
        if (!end) {
            break;
        }
        match = end + strlen(PIPELINE_MATCH_OR);
    }
    *alternatives = alts;
    return n;
}

/* Frees the 'n' 'alternatives' returned by pipeline_match_split(). */
void
pipeline_match_free(char **alternatives, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(alternatives[i]);
    }
    free(alternatives);
}

/* Splits 'text' at every occurrence of 'sep' into '*parts' (free with
 * pipeline_match_free()) and returns their number, at least 1. */
static size_t
split_at(const char *text, const char *sep, char ***parts)
{
    size_t n = 0, allocated = 0;
    char **p = NULL;
    for (;;) {
        const char *end = strstr(text, sep);
        size_t len = end ? end - text : strlen(text);
        if (n >= allocated) {
            p = x2nrealloc(p, &allocated, sizeof *p);
        }
        p[n++] = xmemdup0(text, len);
        if (!end) {
            break;
        }
        text = end + strlen(sep);
    }
    *parts = p;
    return n;
}

/* The fields that may name an address set, and their families. */
static const struct {
    const char *name;
    bool ipv6;
} set_fields[] = {
    { "nw_src", false },
    { "nw_dst", false },
    { "ipv6_src", true },
    { "ipv6_dst", true },
};

/* Returns true if 'c' may be part of an address set name (as in the match
 * language's "$NAME"). */
static bool
is_set_name_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '.' || c == '-';
}

/* Looks in 'ofmatch' (one ovs-ofctl match) for a field that names an
 * address set, "nw_src=$NAME".  If there is one, fills in '*ref' (the
 * caller frees 'ref->name'); if none, sets 'ref->name' to NULL.  Returns
 * an error, with 'ref->name' NULL, if '$' is anywhere else, the name is
 * empty or has other characters, or there are several references. */
char *
pipeline_ofmatch_find_set(const char *ofmatch, struct pipeline_set_ref *ref)
{
    memset(ref, 0, sizeof *ref);
    const char *dollar = strchr(ofmatch, PIPELINE_SET_REF_CHAR);
    if (!dollar) {
        return NULL;
    }
    if (strchr(dollar + 1, PIPELINE_SET_REF_CHAR)) {
        return xasprintf("\"%s\": more than one address set reference",
                         ofmatch);
    }
    const char *start = dollar;
    while (start > ofmatch && start[-1] != ',') {
        start--;
    }
    size_t field_len = dollar - start;
    for (size_t i = 0; i < ARRAY_SIZE(set_fields); i++) {
        size_t len = strlen(set_fields[i].name);
        if (field_len == len + 1 && !strncmp(start, set_fields[i].name, len)
            && start[len] == '=') {
            ref->field = set_fields[i].name;
            ref->ipv6 = set_fields[i].ipv6;
        }
    }
    if (!ref->field) {
        return xasprintf("\"%s\": only nw_src, nw_dst, ipv6_src and "
                         "ipv6_dst may name an address set "
                         "(\"nw_src=$NAME\")", ofmatch);
    }
    const char *end = dollar + 1;
    while (is_set_name_char(*end)) {
        end++;
    }
    if (end == dollar + 1 || (*end && *end != ',')) {
        ref->field = NULL;
        return xasprintf("\"%s\": bad address set name (letters, digits, "
                         "'_', '.' and '-')", ofmatch);
    }
    ref->name = xmemdup0(dollar + 1, end - dollar - 1);
    ref->ofs = dollar - ofmatch;
    ref->len = end - dollar;
    return NULL;
}

/* Returns true if logical flow match 'match' may refer to an address set
 * (a quick test: it has a '$'). */
bool
pipeline_match_has_sets(const char *match)
{
    return strchr(match, PIPELINE_SET_REF_CHAR) != NULL;
}

/* Returns 'ofmatch' with its address set reference 'ref' replaced by
 * 'address' (an IPv4 or IPv6 address, optionally with a prefix length),
 * or NULL if 'address' is not of the family of the field or does not
 * parse.  The address is written as its prefix, host bits cleared. */
char *
pipeline_ofmatch_with_address(const char *ofmatch,
                              const struct pipeline_set_ref *ref,
                              const char *address)
{
    char buf[INET6_ADDRSTRLEN + 8];
    unsigned int plen;
    char *error;
    if (!ref->ipv6) {
        ovs_be32 ip;
        error = strchr(address, ':') ? xstrdup("IPv6")
                : ip_parse_cidr(address, &ip, &plen);
        if (!error) {
            ip &= be32_prefix_mask(plen);
            snprintf(buf, sizeof buf, IP_FMT, IP_ARGS(ip));
            if (plen < 32) {
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf),
                         "/%u", plen);
            }
        }
    } else {
        struct in6_addr ip6;
        error = !strchr(address, ':') ? xstrdup("IPv4")
                : ipv6_parse_cidr(address, &ip6, &plen);
        if (!error) {
            struct in6_addr mask = ipv6_create_mask(plen);
            ip6 = ipv6_addr_bitand(&ip6, &mask);
            inet_ntop(AF_INET6, &ip6, buf, sizeof buf);
            if (plen < 128) {
                snprintf(buf + strlen(buf), sizeof buf - strlen(buf),
                         "/%u", plen);
            }
        }
    }
    if (error) {
        free(error);
        return NULL;
    }
    return xasprintf("%.*s%s%s", (int) ref->ofs, ofmatch, buf,
                     ofmatch + ref->ofs + ref->len);
}

/* Appends to 'out' what OFMATCH 'ofmatch' stands for: itself if it names
 * no address set, else one OFMATCH per address of the set ('lookup'
 * gives them) of the field's family, each once, in the set's order
 * (none for an empty or unknown set).  Addresses that do not parse are
 * left out. */
void
pipeline_ofmatch_expand(const char *ofmatch, pipeline_set_lookup_func *lookup,
                        void *aux, struct svec *out)
{
    struct pipeline_set_ref ref;
    char *error = pipeline_ofmatch_find_set(ofmatch, &ref);
    if (error || !ref.name) {
        free(error);
        svec_add(out, ofmatch);
        return;
    }
    size_t n = 0;
    const char *const *addresses = lookup ? lookup(ref.name, &n, aux) : NULL;
    struct sset seen = SSET_INITIALIZER(&seen);
    for (size_t i = 0; i < n; i++) {
        char *text = pipeline_ofmatch_with_address(ofmatch, &ref,
                                                   addresses[i]);
        if (text && sset_add(&seen, text)) {
            svec_add_nocopy(out, text);
        } else {
            free(text);
        }
    }
    sset_destroy(&seen);
    free(ref.name);
}

/* Checks that 'ofmatch', part of a conjunctive alternative, is one
 * non-empty ovs-ofctl match without blanks. */
static char *
check_ofmatch(const char *ofmatch, const char *what)
{
    if (!ofmatch[0]) {
        return xasprintf("empty %s", what);
    }
    for (const char *p = ofmatch; *p; p++) {
        if (isspace((unsigned char) *p)) {
            return xasprintf("%s \"%s\" contains a blank (expecting \"%s\""
                             " or \"%s\" between parts)", what, ofmatch,
                             PIPELINE_MATCH_AND, PIPELINE_MATCH_DIM_OR);
        }
    }
    return NULL;
}

/* Parses the dimension 'text' ("[V1 | V2 ...]") into '*dim'. */
static char *
parse_dim(const char *text, struct pipeline_match_dim *dim)
{
    size_t len = strlen(text);
    if (len < 2 || text[0] != '[' || text[len - 1] != ']') {
        return xasprintf("\"%s\": expecting a dimension \"[MATCH | "
                         "MATCH ...]\"", text);
    }
    char *inner = xmemdup0(text + 1, len - 2);
    dim->n_values = split_at(inner, PIPELINE_MATCH_DIM_OR, &dim->values);
    free(inner);
    for (size_t i = 0; i < dim->n_values; i++) {
        char *error = check_ofmatch(dim->values[i], "value");
        if (error) {
            char *msg = xasprintf("dimension \"%s\": %s", text, error);
            free(error);
            return msg;
        }
    }
    return NULL;
}

/* Parses ovs-ofctl match 'ofmatch' into '*match'. */
static char *
parse_ofmatch(const char *ofmatch, struct match *match)
{
    char *flow = xasprintf("%s%sactions=drop", ofmatch,
                           ofmatch[0] ? "," : "");
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    char *error = parse_ofp_str(&fm, OFPFC_ADD, flow, NULL, NULL, &usable);
    free(flow);
    if (error) {
        char *msg = xasprintf("\"%s\": %s", ofmatch, error);
        free(error);
        return msg;
    }
    minimatch_expand(&fm.match, match);
    minimatch_destroy(&fm.match);
    free(fm.ofpacts);
    return NULL;
}

/* Returns the name of a field that both 'a' and 'b' match on, or NULL if
 * they match disjoint fields.  (The packet type, which OVS adds to any
 * match on a field with prerequisites, does not count.) */
static const char *
shared_field(const struct flow_wildcards *a, const struct flow_wildcards *b)
{
    struct flow_wildcards both;
    flow_wildcards_and(&both, a, b);
    both.masks.packet_type = 0;
    if (flow_wildcards_is_catchall(&both)) {
        return NULL;
    }
    for (int id = 0; id < MFF_N_IDS; id++) {
        const struct mf_field *mf = mf_from_id(id);
        if (!mf_is_all_wild(mf, &both)) {
            return mf->name;
        }
    }
    return "?";
}

/* Returns true if OVS would keep every field of 'match' (none lacks its
 * prerequisites). */
static bool
match_is_complete(const struct match *match)
{
    struct match normal = *match;
    ofputil_normalize_match_quiet(&normal);
    return match_equal(match, &normal);
}

/* Checks value 'j' of dimension 'i' of 'alt', whose common part parsed
 * as 'common': it parses, shares no field with the common part or the
 * other dimensions ('dims' holds the fields of dimensions 0 to i - 1, and
 * 'dims[i]' gets this value's), and makes a complete match with the
 * common part. */
static char *
check_value(const struct pipeline_match_alt *alt, const struct match *common,
            size_t i, size_t j, struct flow_wildcards *dims)
{
    const char *text = alt->dims[i].values[j];
    struct pipeline_set_ref ref;
    char *error = pipeline_ofmatch_find_set(text, &ref);
    if (error) {
        return error;
    }
    char *sample = NULL;
    if (ref.name) {
        /* Checked with an address of the set's family in its place: the
         * set's addresses take the same fields. */
        sample = pipeline_ofmatch_with_address(text, &ref,
                                               ref.ipv6 ? "::1" : "0.0.0.1");
        free(ref.name);
        text = sample;
    }
    struct match value;
    error = parse_ofmatch(text, &value);
    if (error) {
        free(sample);
        return error;
    }
    const char *field = shared_field(&common->wc, &value.wc);
    if (field) {
        free(sample);
        return xasprintf("%s is in both the common part and dimension "
                         "%"PRIuSIZE, field, i + 1);
    }
    for (size_t k = 0; k < i; k++) {
        field = shared_field(&dims[k], &value.wc);
        if (field) {
            free(sample);
            return xasprintf("%s is in both dimension %"PRIuSIZE" and "
                             "dimension %"PRIuSIZE, field, k + 1, i + 1);
        }
    }
    flow_wildcards_or(&dims[i], &dims[i], &value.wc);

    char *both_text = xasprintf("%s%s%s", alt->common,
                                alt->common[0] ? "," : "", text);
    struct match both;
    error = parse_ofmatch(both_text, &both);
    if (!error && !match_is_complete(&both)) {
        error = xasprintf("\"%s\" lacks OpenFlow prerequisites", both_text);
    }
    free(both_text);
    free(sample);
    return error;
}

/* Checks conjunctive alternative 'alt': each part parses, the common part
 * and the dimensions match on disjoint fields, and the common part alone
 * and with any one value are complete OpenFlow matches. */
static char *
check_conj(const struct pipeline_match_alt *alt)
{
    struct match common;
    char *error = parse_ofmatch(alt->common, &common);
    if (error) {
        return error;
    } else if (!match_is_complete(&common)) {
        return xasprintf("common part \"%s\" lacks OpenFlow prerequisites",
                         alt->common);
    }

    struct flow_wildcards *dims = xmalloc(alt->n_dims * sizeof *dims);
    for (size_t i = 0; i < alt->n_dims && !error; i++) {
        flow_wildcards_init_catchall(&dims[i]);
        for (size_t j = 0; j < alt->dims[i].n_values && !error; j++) {
            error = check_value(alt, &common, i, j, dims);
        }
    }
    free(dims);
    return error;
}

/* Parses conjunctive alternative 'text' into 'alt'. */
static char *
parse_conj(const char *text, struct pipeline_match_alt *alt)
{
    char **parts;
    size_t n_parts = split_at(text, PIPELINE_MATCH_AND, &parts);
    size_t first_dim = parts[0][0] == '[' ? 0 : 1;
    char *error = NULL;

    if (first_dim) {
        error = check_ofmatch(parts[0], "common part");
        if (!error && strchr(parts[0], PIPELINE_SET_REF_CHAR)) {
            error = xasprintf("common part \"%s\": an address set "
                              "reference belongs in a dimension", parts[0]);
        }
    }
    alt->common = xstrdup(first_dim ? parts[0] : "");
    alt->dims = xcalloc(n_parts - first_dim, sizeof *alt->dims);
    for (size_t i = first_dim; i < n_parts && !error; i++) {
        error = parse_dim(parts[i], &alt->dims[alt->n_dims++]);
    }
    if (!error && alt->n_dims < 2) {
        error = xasprintf("a conjunctive match needs at least two "
                          "dimensions");
    }
    pipeline_match_free(parts, n_parts);
    return error ? error : check_conj(alt);
}

/* Frees what 'alt' owns. */
static void
pipeline_match_alt_destroy(struct pipeline_match_alt *alt)
{
    free(alt->text);
    free(alt->common);
    for (size_t i = 0; i < alt->n_dims; i++) {
        pipeline_match_free(alt->dims[i].values, alt->dims[i].n_values);
    }
    free(alt->dims);
}

/* Parses logical flow match 'text' (see the format at the top of
 * pipeline.h) into '*match', which the caller must free with
 * pipeline_match_destroy().  Blanks around an alternative are ignored.
 * A plain alternative is taken as it is; it is the ovs-ofctl parser's to
 * judge, but for its address set reference, if any, which must be well
 * formed.  A value with a reference is checked with an address of the
 * set's family in its place.  A conjunctive one is checked: it must have
 * at least two dimensions, each part must parse as an ovs-ofctl match, no
 * field may be in two parts, and the common part alone and with any one
 * value must be complete OpenFlow matches.
 *
 * Returns NULL, or a malloc()'d error naming the alternative; then
 * '*match' is empty and needs no freeing (pipeline_match_destroy() accepts
 * it). */
char *
pipeline_match_parse(const char *text, struct pipeline_match *match)
{
    char **texts;
    size_t n = pipeline_match_split(text, &texts);
    match->alts = xcalloc(n, sizeof *match->alts);
    match->n_alts = n;

    char *error = NULL;
    for (size_t i = 0; i < n && !error; i++) {
        struct pipeline_match_alt *alt = &match->alts[i];
        alt->text = xstrdup(texts[i]);
        if (texts[i][0] == '[' || strstr(texts[i], PIPELINE_MATCH_AND)) {
            error = parse_conj(texts[i], alt);
        } else {
            alt->common = xstrdup(texts[i]);
            struct pipeline_set_ref ref;
            error = pipeline_ofmatch_find_set(texts[i], &ref);
            free(ref.name);
        }
        if (error) {
            char *msg = xasprintf("alternative %"PRIuSIZE" \"%s\": %s",
                                  i + 1, texts[i], error);
            free(error);
            error = msg;
        }
    }
    pipeline_match_free(texts, n);
    if (error) {
        pipeline_match_destroy(match);
    }
    return error;
}

/* Frees what 'match' owns and leaves it empty.  Accepts NULL. */
void
pipeline_match_destroy(struct pipeline_match *match)
{
    if (match) {
        for (size_t i = 0; i < match->n_alts; i++) {
            pipeline_match_alt_destroy(&match->alts[i]);
        }
        free(match->alts);
        match->alts = NULL;
        match->n_alts = 0;
    }
}

/* Returns the name of physical table 'table' of br-int ("phy_in", ...),
 * or NULL if it is no physical table (a logical stage's, or none). */
const char *
pipeline_physical_table_name(unsigned int table)
{
    switch (table) {
    case OFTABLE_PHY_IN: return "phy_in";
    case OFTABLE_COLOR_LEARN: return "color_learn";
    case OFTABLE_COLOR_CONN: return "color_conn";
    case OFTABLE_PHY_OUT_REMOTE: return "phy_out_remote";
    case OFTABLE_PHY_OUT_LOCAL: return "phy_out_local";
    case OFTABLE_PHY_LANE: return "phy_lane";
    case OFTABLE_LB_AFF: return "lb_aff";
    case OFTABLE_PHY_DELIVER: return "phy_deliver";
    default: return NULL;
    }
}
