#include <config.h>

#include "controller/chassis.h"

#include <string.h>
#include <unistd.h>

#include "lib/osmotic-sb-idl.h"

#include "openvswitch/vlog.h"
#include "packets.h"
#include "smap.h"
#include "socket-util.h"
#include "timeval.h"
#include "util.h"
#include "vswitch-idl.h"

VLOG_DEFINE_THIS_MODULE(chassis);

/* Initializes 'cfg' as empty. */
void
chassis_config_init(struct chassis_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
}

/* Frees 'cfg''s contents.  Accepts NULL. */
void
chassis_config_destroy(struct chassis_config *cfg)
{
    if (cfg) {
        free(cfg->system_id);
        free(cfg->remote);
        free(cfg->encap_type);
        for (size_t i = 0; i < cfg->n_encap_ips; i++) {
            free(cfg->encap_ips[i]);
        }
        free(cfg->datapath_type);
        free(cfg->bridge_mappings);
        chassis_config_init(cfg);
    }
}

/* Returns true if 'a' and 'b' are both NULL or equal strings. */
static bool
nullable_streq(const char *a, const char *b)
{
    return a ? b && !strcmp(a, b) : !b;
}

/* Returns true if 'a' and 'b' are the same settings. */
bool
chassis_config_equal(const struct chassis_config *a,
                     const struct chassis_config *b)
{
    if (a->n_encap_ips != b->n_encap_ips) {
        return false;
    }
    for (size_t i = 0; i < a->n_encap_ips; i++) {
        if (strcmp(a->encap_ips[i], b->encap_ips[i])) {
            return false;
        }
    }
    return (nullable_streq(a->system_id, b->system_id)
            && nullable_streq(a->remote, b->remote)
            && nullable_streq(a->encap_type, b->encap_type)
            && nullable_streq(a->datapath_type, b->datapath_type)
            && nullable_streq(a->bridge_mappings, b->bridge_mappings)
            && a->encap_csum == b->encap_csum
            && a->color_sampling == b->color_sampling);
}

/* Parses 'list', a comma-separated list of IPv4 addresses (one per
 * underlay lane, lane = position), into 'cfg->encap_ips'.  Returns NULL on
 * success, or a malloc'd error message naming the bad address. */
char *
chassis_config_parse_encap_ips(struct chassis_config *cfg, const char *list)
{
    char *copy = xstrdup(list);
    char *save = NULL;
    char *error = NULL;

    for (size_t i = 0; i < cfg->n_encap_ips; i++) {
        free(cfg->encap_ips[i]);
    }
    cfg->n_encap_ips = 0;
    for (char *tok = strtok_r(copy, ", ", &save); tok;
         tok = strtok_r(NULL, ", ", &save)) {
        ovs_be32 ip;
        if (!ip_parse(tok, &ip)) {
            error = xasprintf("osmotic-encap-ip: \"%s\" is not an IPv4 "
                              "address", tok);
            break;
        }
        if (cfg->n_encap_ips >= CHASSIS_MAX_LANES) {
            error = xasprintf("osmotic-encap-ip: more than %d lanes",
                              CHASSIS_MAX_LANES);
            break;
        }
        cfg->encap_ips[cfg->n_encap_ips++] = xstrdup(tok);
    }
    if (!error && !cfg->n_encap_ips) {
        error = xstrdup("osmotic-encap-ip: no address");
    }
    free(copy);
    return error;
}

/* Sets 'cfg->encap_csum' from 'value', the osmotic-encap-csum setting
 * ("true" or "false"), or if 'value' is NULL from 'cfg->datapath_type':
 * off for the userspace datapath ("netdev"), which computes a Geneve
 * packet's outer UDP checksum in software over the whole packet and
 * verifies it again on the receiving host, while the inner packet keeps
 * its own checksums; on for the kernel datapath, where local checksum
 * offload makes it cheap and a receiving NIC can use it to validate the
 * inner packet.  Returns NULL on success, or a malloc'd error message
 * naming the bad value. */
char *
chassis_config_parse_encap_csum(struct chassis_config *cfg,
                                const char *value)
{
    if (!value) {
        cfg->encap_csum = !cfg->datapath_type
                          || strcmp(cfg->datapath_type, "netdev");
    } else if (!strcmp(value, "true") || !strcmp(value, "false")) {
        cfg->encap_csum = !strcmp(value, "true");
    } else {
        return xasprintf("osmotic-encap-csum: \"%s\" is not true or false",
                         value);
    }
    return NULL;
}

/* Sets 'cfg->color_sampling' from 'value', the osmotic-color-sampling
 * setting (an integer from 1 to 65535: sample one packet in that many),
 * or the default if 'value' is NULL.  Returns NULL on success, or a
 * malloc'd error message naming the bad value. */
char *
chassis_config_parse_color_sampling(struct chassis_config *cfg,
                                    const char *value)
{
    unsigned int n = CHASSIS_COLOR_SAMPLING_DEFAULT;
    if (value && (!str_to_uint(value, 10, &n) || !n || n > 65535)) {
        return xasprintf("osmotic-color-sampling: \"%s\" is not an integer "
                         "from 1 to 65535", value);
    }
    cfg->color_sampling = n;
    return NULL;
}

/* Reads the controller's settings from 'ovs' into 'cfg' (which the caller
 * initialized).  Returns NULL on success, or a malloc'd error message
 * naming the missing or bad setting. */
char *
chassis_config_from_ovs(struct chassis_config *cfg,
                        const struct ovsrec_open_vswitch *ovs)
{
    const struct smap *ext = &ovs->external_ids;
    const char *system_id = smap_get(ext, "system-id");
    const char *remote = smap_get(ext, "osmotic-remote");
    const char *type = smap_get_def(ext, "osmotic-encap-type", "geneve");
    const char *ips = smap_get(ext, "osmotic-encap-ip");

    if (!system_id || !system_id[0]) {
        return xstrdup("external_ids:system-id is not set");
    }
    if (!remote || !remote[0]) {
        return xstrdup("external_ids:osmotic-remote is not set");
    }
    if (strcmp(type, "geneve")) {
        return xasprintf("osmotic-encap-type: \"%s\" is not supported "
                         "(use geneve)", type);
    }
    if (!ips) {
        return xstrdup("external_ids:osmotic-encap-ip is not set");
    }
    char *error = chassis_config_parse_encap_ips(cfg, ips);
    if (error) {
        return error;
    }
    cfg->datapath_type = xstrdup(smap_get_def(
        ext, "osmotic-bridge-datapath-type", "system"));
    cfg->bridge_mappings = nullable_xstrdup(smap_get(
        ext, "osmotic-bridge-mappings"));
    error = chassis_config_parse_encap_csum(
        cfg, smap_get(ext, "osmotic-encap-csum"));
    if (!error) {
        error = chassis_config_parse_color_sampling(
            cfg, smap_get(ext, "osmotic-color-sampling"));
    }
    if (error) {
        return error;
    }
    cfg->system_id = xstrdup(system_id);
    cfg->remote = xstrdup(remote);
    cfg->encap_type = xstrdup(type);
    return NULL;
}

/* Returns the Chassis named 'name', or NULL. */
const struct sbrec_chassis *
chassis_lookup(struct ovsdb_idl *sb_idl, const char *name)
{
    const struct sbrec_chassis *ch;

    SBREC_CHASSIS_FOR_EACH (ch, sb_idl) {
        if (!strcmp(ch->name, name)) {
            return ch;
        }
    }
    return NULL;
}

/* Returns the Chassis_Private named 'name', or NULL. */
static const struct sbrec_chassis_private *
chassis_private_lookup(struct ovsdb_idl *sb_idl, const char *name)
{
    const struct sbrec_chassis_private *cp;

    SBREC_CHASSIS_PRIVATE_FOR_EACH (cp, sb_idl) {
        if (!strcmp(cp->name, name)) {
            return cp;
        }
    }
    return NULL;
}

/* Returns true if 'ch''s encaps are exactly those of 'cfg'. */
static bool
chassis_encaps_match(const struct sbrec_chassis *ch,
                     const struct chassis_config *cfg)
{
    if (ch->n_encaps != cfg->n_encap_ips) {
        return false;
    }
    for (size_t i = 0; i < ch->n_encaps; i++) {
        const struct sbrec_encap *e = ch->encaps[i];
        if (e->lane < 0 || e->lane >= cfg->n_encap_ips
            || strcmp(e->ip, cfg->encap_ips[e->lane])
            || strcmp(e->type, cfg->encap_type)
            || strcmp(e->chassis_name, cfg->system_id)) {
            return false;
        }
    }
    return true;
}

/* Replaces 'ch''s Encaps by one per lane of 'cfg'. */
static void
chassis_set_encaps(struct ovsdb_idl_txn *txn, const struct sbrec_chassis *ch,
                   const struct chassis_config *cfg)
{
    struct sbrec_encap *encaps[CHASSIS_MAX_LANES];

    for (size_t i = 0; i < ch->n_encaps; i++) {
        sbrec_encap_delete(ch->encaps[i]);
    }
    for (size_t i = 0; i < cfg->n_encap_ips; i++) {
        struct sbrec_encap *e = sbrec_encap_insert(txn);
        sbrec_encap_set_type(e, cfg->encap_type);
        sbrec_encap_set_ip(e, cfg->encap_ips[i]);
        sbrec_encap_set_lane(e, i);
        sbrec_encap_set_chassis_name(e, cfg->system_id);
        const struct smap csum = SMAP_CONST1(&csum, "csum", "true");
        sbrec_encap_set_options(e, &csum);
        encaps[i] = e;
    }
    sbrec_chassis_set_encaps(ch, encaps, cfg->n_encap_ips);
}

/* Makes this host's Chassis (with its Encaps) and Chassis_Private rows
 * match 'cfg', if 'txn' is nonnull.  Returns the Chassis row, or NULL if it
 * does not exist yet; stores the Chassis_Private row (or NULL) in
 * '*cpp'. */
const struct sbrec_chassis *
chassis_run(struct ovsdb_idl_txn *txn, struct ovsdb_idl *sb_idl,
            const struct chassis_config *cfg,
            const struct sbrec_chassis_private **cpp)
{
    const struct sbrec_chassis *ch = chassis_lookup(sb_idl, cfg->system_id);
    const struct sbrec_chassis_private *cp
        = chassis_private_lookup(sb_idl, cfg->system_id);

    *cpp = cp;
    if (!txn) {
        return ch;
    }

    char hostname[256];
    if (gethostname(hostname, sizeof hostname)) {
        hostname[0] = '\0';
    }
    hostname[sizeof hostname - 1] = '\0';

    if (!ch) {
        VLOG_INFO("registering chassis %s", cfg->system_id);
        ch = sbrec_chassis_insert(txn);
        sbrec_chassis_set_name(ch, cfg->system_id);
        sbrec_chassis_set_hostname(ch, hostname);
        chassis_set_encaps(txn, ch, cfg);
    } else {
        if (strcmp(ch->hostname, hostname)) {
            sbrec_chassis_set_hostname(ch, hostname);
        }
        if (!chassis_encaps_match(ch, cfg)) {
            VLOG_INFO("chassis %s: updating encapsulations", cfg->system_id);
            chassis_set_encaps(txn, ch, cfg);
        }
    }

    if (!cp) {
        cp = sbrec_chassis_private_insert(txn);
        sbrec_chassis_private_set_name(cp, cfg->system_id);
        sbrec_chassis_private_set_chassis(cp, ch);
        sbrec_chassis_private_set_connect_timestamp(cp, time_wall_msec());
        *cpp = cp;
    } else if (cp->chassis != ch) {
        sbrec_chassis_private_set_chassis(cp, ch);
    }
    return ch;
}

/* Deletes the Chassis and Chassis_Private rows named 'name' in 'txn'.
 * Returns true if there was nothing left to delete. */
bool
chassis_cleanup(struct ovsdb_idl_txn *txn, struct ovsdb_idl *sb_idl,
                const char *name)
{
    const struct sbrec_chassis *ch = chassis_lookup(sb_idl, name);
    const struct sbrec_chassis_private *cp
        = chassis_private_lookup(sb_idl, name);

    if (!ch && !cp) {
        return true;
    }
    if (txn) {
        if (ch) {
            sbrec_chassis_delete(ch);
        }
        if (cp) {
            sbrec_chassis_private_delete(cp);
        }
    }
    return false;
}
