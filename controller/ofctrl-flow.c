#include <config.h>

#include "controller/ofctrl-flow.h"

#include <stdlib.h>
#include <string.h>

#include "byte-order.h"
#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-group.h"
#include "openvswitch/ofp-meter.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "util.h"

/* Formats the canonical key of a flow into a new string. */
static char *
ofctrl_flow_key(uint8_t table_id, uint16_t priority, const struct match *m)
{
    struct ds s = DS_EMPTY_INITIALIZER;

    ds_put_format(&s, "table=%"PRIu8",priority=%"PRIu16, table_id, priority);
    size_t len = s.length;
    ds_put_char(&s, ',');
    match_format(m, NULL, &s, OFP_DEFAULT_PRIORITY);
    if (s.length == len + 1) {
        ds_truncate(&s, len);
    }
    return ds_steal_cstr(&s);
}

/* Formats 'ofpacts' into a new string. */
static char *
ofctrl_actions_string(const struct ofpact *ofpacts, size_t ofpacts_len)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ofpact_format_params fp = { .s = &s };

    ofpacts_format(ofpacts, ofpacts_len, &fp);
    return ds_steal_cstr(&s);
}

/* Returns true if 'ofpacts' holds conjunction actions and nothing else. */
static bool
ofctrl_actions_are_conj_only(const struct ofpact *ofpacts, size_t len)
{
    const struct ofpact *a;
    bool any = false;

    OFPACT_FOR_EACH (a, ofpacts, len) {
        if (a->type != OFPACT_CONJUNCTION) {
            return false;
        }
        any = true;
    }
    return any;
}

/* Creates a flow with one reference, copying 'm' and 'ofpacts'. */
struct ofctrl_flow *
ofctrl_flow_create(uint8_t table_id, uint16_t priority,
                   const struct match *m, const struct ofpact *ofpacts,
                   size_t ofpacts_len)
{
    struct ofctrl_flow *f = xzalloc(sizeof *f);

    f->refs = 1;
    f->key = ofctrl_flow_key(table_id, priority, m);
    f->hash = hash_string(f->key, 0);
    f->actions = ofctrl_actions_string(ofpacts, ofpacts_len);
    f->table_id = table_id;
    f->priority = priority;
    f->conj_only = ofctrl_actions_are_conj_only(ofpacts, ofpacts_len);
    minimatch_init(&f->match, m);
    f->ofpacts = ofpacts_len ? xmemdup(ofpacts, ofpacts_len) : NULL;
    f->ofpacts_len = ofpacts_len;
    return f;
}

/* Returns 'f' with one more reference. */
struct ofctrl_flow *
ofctrl_flow_ref(struct ofctrl_flow *f)
{
    f->refs++;
    return f;
}

/* Drops a reference to 'f', freeing it with the last.  Accepts NULL.  A
 * flow still in a cache is freed by the cache, which holds no
 * reference: see controller/desired.c. */
void
ofctrl_flow_unref(struct ofctrl_flow *f)
{
    if (f && !--f->refs) {
        free(f->key);
        free(f->actions);
        free(f->text);
        minimatch_destroy(&f->match);
        free(f->ofpacts);
        free(f);
    }
}

/* Returns "KEY actions=ACTIONS" for 'f', which the caller frees. */
char *
ofctrl_flow_describe(const struct ofctrl_flow *f)
{
    return xasprintf("%s actions=%s", f->key, f->actions);
}

/* Parses 'text' ("table=T,priority=P,MATCH,actions=ACTIONS", ovs-ofctl
 * syntax, any cookie ignored) into '*fp', a new flow canonicalized
 * through the OpenFlow 1.5 wire format the way the switch will report it
 * back when its tables are dumped.  Returns NULL on success, or a
 * malloc'd error message (and '*fp' = NULL). */
char *
ofctrl_flow_parse(const char *text, struct ofctrl_flow **fp)
{
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;

    *fp = NULL;
    char *error = parse_ofp_flow_mod_str(&fm, text, NULL, NULL, OFPFC_ADD,
                                         &usable);
    if (error) {
        return error;
    }
    if (fm.table_id == 0xff) {
        fm.table_id = 0;
    }

    struct ofputil_flow_mod wire;
    struct ofpbuf ofpacts;
    ofpbuf_init(&ofpacts, 64);
    struct ofpbuf *msg = ofputil_encode_flow_mod(&fm, OFCTRL_PROTOCOL);
    enum ofperr err = ofputil_decode_flow_mod(&wire, msg->data,
                                              OFCTRL_PROTOCOL, NULL, NULL,
                                              &ofpacts, OFPP_MAX, 255);
    ofpbuf_delete(msg);
    if (!(usable & OFCTRL_PROTOCOL)) {
        error = xasprintf("%s: not expressible in OpenFlow 1.5", text);
    } else if (err) {
        error = xasprintf("%s: %s", text, ofperr_to_string(err));
    } else {
        struct match m;
        minimatch_expand(&wire.match, &m);
        minimatch_destroy(&wire.match);
        *fp = ofctrl_flow_create(wire.table_id, wire.priority, &m,
                                 wire.ofpacts, wire.ofpacts_len);
    }
    ofpbuf_uninit(&ofpacts);
    minimatch_destroy(&fm.match);
    free(fm.ofpacts);
    return error;
}

/* The canonical content of a group of 'type' with 'buckets': what the
 * switch does with it, independent of how it was written. */
char *
ofctrl_group_canon(uint8_t type, const struct ovs_list *buckets)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    const struct ofputil_bucket *b;

    ds_put_format(&s, "type=%"PRIu8, type);
    LIST_FOR_EACH (b, list_node, buckets) {
        ds_put_format(&s, ",bucket=weight:%"PRIu16",watch_port:%"PRIu32
                      ",watch_group:%"PRIu32",actions=", b->weight,
                      (uint32_t) b->watch_port, b->watch_group);
        struct ofpact_format_params fp = { .s = &s };
        ofpacts_format(b->ofpacts, b->ofpacts_len, &fp);
    }
    return ds_steal_cstr(&s);
}

/* Parses group 'id' with 'spec' (NULL for a delete) into a group_mod of
 * 'command'.  Returns NULL or an error.  The caller uninitializes '*gm'
 * on success. */
char *
ofctrl_group_parse(uint32_t id, const char *spec, int command,
                   struct ofputil_group_mod *gm)
{
    enum ofputil_protocol usable;
    char *text = (spec
                  ? xasprintf("group_id=%"PRIu32",%s", id, spec)
                  : xasprintf("group_id=%"PRIu32, id));
    char *error = parse_ofp_group_mod_str(gm, command, text, NULL, NULL,
                                          &usable);
    free(text);
    return error;
}

/* Parses group 'id' written 'spec' (ovs-ofctl group syntax without the
 * group_id: "type=select,bucket=actions=...") and stores its canonical
 * content, through the wire format as the switch reports it, in
 * '*canon'.  Returns NULL or an error. */
char *
ofctrl_group_canon_from_spec(uint32_t id, const char *spec, char **canon)
{
    struct ofputil_group_mod gm;

    *canon = NULL;
    char *error = ofctrl_group_parse(id, spec, OFPGC15_ADD, &gm);
    if (error) {
        return error;
    }
    struct ofpbuf *msg = ofputil_encode_group_mod(OFCTRL_VERSION, &gm, NULL,
                                                  false);
    struct ofputil_group_mod wire;
    enum ofperr err = ofputil_decode_group_mod(msg->data, &wire);
    ofpbuf_delete(msg);
    ofputil_uninit_group_mod(&gm);
    if (err) {
        return xasprintf("group %"PRIu32" (%s): %s", id, spec,
                         ofperr_to_string(err));
    }
    *canon = ofctrl_group_canon(wire.type, &wire.buckets);
    ofputil_uninit_group_mod(&wire);
    return NULL;
}

/* The canonical content of meter configuration 'mc'.  The userspace
 * datapath stores a band's zero burst size as its rate, and reports that
 * back: both read the same here. */
char *
ofctrl_meter_canon(const struct ofputil_meter_config *mc)
{
    struct ofputil_meter_config copy = *mc;
    copy.bands = xmemdup(mc->bands, mc->n_bands * sizeof *mc->bands);
    for (size_t i = 0; i < copy.n_bands; i++) {
        if (!copy.bands[i].burst_size) {
            copy.bands[i].burst_size = copy.bands[i].rate;
        }
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    ofputil_format_meter_config(&s, &copy);
    free(copy.bands);
    return ds_steal_cstr(&s);
}

/* Parses meter 'id' with 'spec' into a meter_mod of 'command'.  Returns
 * NULL or an error.  The caller frees 'mm->meter.bands' on success. */
char *
ofctrl_meter_parse(uint32_t id, const char *spec, int command,
                   struct ofputil_meter_mod *mm)
{
    enum ofputil_protocol usable;
    char *text = (command == OFPMC13_DELETE
                  ? xasprintf("meter=%"PRIu32, id)
                  : xasprintf("meter=%"PRIu32",%s", id, spec));
    char *error = parse_ofp_meter_mod_str(mm, text, command, &usable);
    free(text);
    return error;
}

/* Parses meter 'id' written 'spec' (ovs-ofctl meter syntax without the
 * meter id: "pktps,burst,bands=type=drop,rate=100,burst_size=10") and
 * stores its canonical content in '*canon'.  Returns NULL or an error. */
char *
ofctrl_meter_canon_from_spec(uint32_t id, const char *spec, char **canon)
{
    struct ofputil_meter_mod mm;

    *canon = NULL;
    char *error = ofctrl_meter_parse(id, spec, OFPMC13_ADD, &mm);
    if (error) {
        return error;
    }
    struct ofpbuf *msg = ofputil_encode_meter_mod(OFCTRL_VERSION, &mm);
    free(mm.meter.bands);
    struct ofputil_meter_mod wire;
    struct ofpbuf bands;
    ofpbuf_init(&bands, 64);
    enum ofperr err = ofputil_decode_meter_mod(msg->data, &wire, &bands);
    ofpbuf_delete(msg);
    if (err) {
        ofpbuf_uninit(&bands);
        return xasprintf("meter %"PRIu32" (%s): %s", id, spec,
                         ofperr_to_string(err));
    }
    *canon = ofctrl_meter_canon(&wire.meter);
    ofpbuf_uninit(&bands);
    return NULL;
}

/* Returns a new copy of 'src', with one reference and outside any
 * cache. */
struct ofctrl_flow *
ofctrl_flow_clone(const struct ofctrl_flow *src)
{
    struct ofctrl_flow *f = xzalloc(sizeof *f);

    f->refs = 1;
    f->hash = src->hash;
    f->key = xstrdup(src->key);
    f->actions = xstrdup(src->actions);
    f->table_id = src->table_id;
    f->priority = src->priority;
    f->conj_only = src->conj_only;
    minimatch_clone(&f->match, &src->match);
    f->ofpacts = (src->ofpacts_len
                  ? xmemdup(src->ofpacts, src->ofpacts_len) : NULL);
    f->ofpacts_len = src->ofpacts_len;
    return f;
}
