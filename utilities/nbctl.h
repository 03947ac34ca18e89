/*
 * Internals shared by osmotic-nbctl's command families.
 *
 * Each family (switches, routers, ACLs and load balancers, colours) lives
 * in its own file and registers its db-ctl-base commands with one
 * nbctl_*_register() function.  Commands report bad input with
 * ctl_error(), prefixed by the command name, and change nothing else: the
 * whole batch is then abandoned before it commits.
 *
 * Row lookups take a name or a UUID.  They return NULL on success, with
 * '*rowp' set to the row (or NULL when it does not exist and 'must_exist'
 * is false), or a malloc()'d error message.
 */
#ifndef NBCTL_H
#define NBCTL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/compiler.h"

struct ctl_command_syntax;
struct ctl_context;
struct ds;
struct nbrec_acl;
struct nbrec_logical_router;
struct nbrec_logical_router_port;
struct nbrec_logical_switch;
struct nbrec_logical_switch_port;
struct nbrec_nb_global;
struct ovsdb_idl;
struct ovsdb_idl_column;
struct ovsdb_idl_row;
struct ovsdb_idl_table_class;
struct smap;
struct svec;

void nbctl_switch_register(void);
void nbctl_router_register(void);
void nbctl_policy_register(void);
bool nbctl_policy_has_command(const struct ctl_command_syntax *);
void nbctl_qos_register(void);
void nbctl_mirror_register(void);
void nbctl_fwd_group_register(void);
void nbctl_mac_binding_register(void);
void nbctl_nat_register(void);
void nbctl_lb_register(void);
void nbctl_route_register(void);
void nbctl_color_register(void);
void nbctl_dhcp_register(void);
void nbctl_ha_chassis_register(void);
void nbctl_copp_register(void);
bool nbctl_switch_has_command(const struct ctl_command_syntax *);
void nbctl_monitor_table(struct ovsdb_idl *,
                         const struct ovsdb_idl_table_class *);

/* Replicating only the rows a batch names (nbctl-partial.c). */
struct ctl_command;
struct nbctl_partial;
struct nbctl_partial *nbctl_partial_create(struct ovsdb_idl *,
                                           const struct ctl_command *,
                                           size_t n, const char *remote,
                                           long long int deadline);
bool nbctl_partial_ready(struct nbctl_partial *, struct ovsdb_idl *);
void nbctl_partial_destroy(struct nbctl_partial *);
bool nbctl_is_address_set_addresses_change(const struct ctl_command *);
bool nbctl_is_lb_vips_change(const struct ctl_command *);

char *nbctl_find_row(struct ctl_context *,
                     const struct ovsdb_idl_table_class *, const char *kind,
                     const char *id, bool must_exist,
                     const struct ovsdb_idl_row **rowp)
    OVS_WARN_UNUSED_RESULT;

/* Typed wrappers around nbctl_find_row(). */
#define NBCTL_FIND(CTX, TABLE, KIND, ID, MUST_EXIST, ROWP)              \
    nbctl_find_row(CTX, &nbrec_table_##TABLE, KIND, ID, MUST_EXIST,     \
                   (const struct ovsdb_idl_row **) (ROWP))

bool nbctl_ls_has_port(const struct nbrec_logical_switch *,
                       const struct nbrec_logical_switch_port *);
const struct nbrec_logical_switch_port **nbctl_ls_ports(
    struct ovsdb_idl *, const struct nbrec_logical_switch *, size_t *n);
struct nbrec_acl **nbctl_pending_acls(struct ovsdb_idl *,
                                      const struct ovsdb_idl_row *,
                                      const struct ovsdb_idl_column *,
                                      size_t *n);
const struct nbrec_logical_switch *nbctl_lsp_to_ls(
    struct ovsdb_idl *, const struct nbrec_logical_switch_port *);
const struct nbrec_logical_router *nbctl_lrp_to_lr(
    struct ovsdb_idl *, const struct nbrec_logical_router_port *);
const struct nbrec_nb_global *nbctl_nb_global(struct ctl_context *);

bool nbctl_parse_int(struct ctl_context *, const char *what, const char *s,
                     int64_t min, int64_t max, int64_t *value);
bool nbctl_check(struct ctl_context *, char *error);
bool nbctl_has_option(const struct ctl_context *, const char *name);
bool nbctl_name_is_free(struct ctl_context *,
                        const struct ovsdb_idl_table_class *,
                        const char *kind, const char *name);
bool nbctl_check_add_options(struct ctl_context *, const char *name);
void *nbctl_ptrs_without(const void *ptrs, size_t n, const void *drop,
                         size_t *n_left);
bool nbctl_parse_enabled(struct ctl_context *, const char *s, bool *enabled);
bool nbctl_parse_direction(struct ctl_context *, const char *s,
                           const char **direction);
bool nbctl_parse_priority(struct ctl_context *, const char *s,
                          int64_t *priority);
char *nbctl_normalize_ip(const char *s, int family);
char *nbctl_normalize_prefix(const char *s, int family);
char *nbctl_normalize_network(const char *s);
bool nbctl_parse_key_values(struct ctl_context *, int argc, char **argv,
                            struct smap *);

void nbctl_print_strings(struct ds *, char **strings, size_t n, bool sort);
void nbctl_print_lines(struct ds *, struct svec *lines);
void nbctl_print_row_name(struct ds *, const struct ovsdb_idl_row *,
                          const char *name);

#endif /* utilities/nbctl.h */
