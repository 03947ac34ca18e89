/*
 * Semantic validation of Osmotic_Northbound rows.
 *
 * The schema checks types, enums and integer ranges; this module checks
 * what the schema cannot express: that strings hold well-formed MACs, IP
 * addresses and CIDRs, that load-balancer VIPs and backends agree, that
 * matches parse, and that names which must refer to another row do.
 *
 * Two layers:
 *
 *   - Value checkers (nb_validate_ip() and friends) check one string and
 *     need no database.  Command-line tools call them on their arguments.
 *
 *   - Row validators check a whole row against the rest of the database as
 *     an IDL sees it.  nb_validate_txn() runs them over every row that the
 *     IDL's open transaction inserted or modified (and, when it deleted
 *     rows that others name, over every row that may name them), so that
 *     a tool can refuse a transaction before committing it, whatever
 *     command built it.
 *
 * Error contract: every function returns NULL when the value is valid, or
 * a malloc()'d one-line message that names the offending value; the caller
 * frees it.  Row errors start with the table, the row's name and the column,
 * e.g. "Logical_Switch_Port p1: addresses: 0a:00:00:00:00: invalid MAC
 * address (expected xx:xx:xx:xx:xx:xx)".
 */
#ifndef NB_VALIDATE_H
#define NB_VALIDATE_H 1

#include <stdbool.h>

#include "lib/osmotic-nb-idl.h"
#include "openvswitch/compiler.h"

struct ovsdb_idl;
struct ovsdb_idl_row;

/* Value checkers. */
char *nb_validate_ip(const char *s) OVS_WARN_UNUSED_RESULT;
char *nb_validate_ipv4(const char *s) OVS_WARN_UNUSED_RESULT;
char *nb_validate_ip_or_cidr(const char *s) OVS_WARN_UNUSED_RESULT;
char *nb_validate_mac(const char *s) OVS_WARN_UNUSED_RESULT;
char *nb_validate_name(const char *s) OVS_WARN_UNUSED_RESULT;
char *nb_validate_route_table(const char *s) OVS_WARN_UNUSED_RESULT;
char *nb_validate_route(const char *prefix, const char *nexthop)
    OVS_WARN_UNUSED_RESULT;
char *nb_validate_policy_family(const char *match, const char *nexthop)
    OVS_WARN_UNUSED_RESULT;
char *nb_validate_nat(const char *type, const char *external_ip,
                      const char *logical_ip, const char *logical_port,
                      const char *external_mac) OVS_WARN_UNUSED_RESULT;
char *nb_validate_lb_vip(const char *vip, bool *has_port, bool *is_ipv6)
    OVS_WARN_UNUSED_RESULT;
char *nb_validate_lb_backends(const char *vip, const char *backends)
    OVS_WARN_UNUSED_RESULT;
char *nb_validate_lsp_type(const char *type) OVS_WARN_UNUSED_RESULT;
char *nb_validate_connection_target(const char *target)
    OVS_WARN_UNUSED_RESULT;
bool nb_port_range_is_valid(const char *);
int nb_cidr_family(const char *cidr);
char *nb_validate_copp_proto(const char *proto) OVS_WARN_UNUSED_RESULT;
char *nb_validate_match(struct ovsdb_idl *, const char *match)
    OVS_WARN_UNUSED_RESULT;
char *nb_validate_class_match(struct ovsdb_idl *, const char *match)
    OVS_WARN_UNUSED_RESULT;

/* Row validators. */
char *nb_validate_switch_ips(struct ovsdb_idl *,
                             const struct nbrec_logical_switch *,
                             const struct nbrec_logical_switch_port *self,
                             char **addresses, size_t n)
    OVS_WARN_UNUSED_RESULT;

char *nb_validate_row(struct ovsdb_idl *, const struct ovsdb_idl_row *)
    OVS_WARN_UNUSED_RESULT;

/* How many rows each table had before a transaction's changes, so that
 * nb_validate_txn() can tell which tables lost rows: a deleted port,
 * address set, port group or meter may leave a reference to its name
 * behind, so then every row that can refer to one is checked again. */
struct nb_validate_counts {
    size_t n_rows[NBREC_N_TABLES];  /* Indexed by enum nbrec_table_id. */
};
void nb_validate_count_rows(struct ovsdb_idl *, struct nb_validate_counts *);
char *nb_validate_txn(struct ovsdb_idl *,
                      const struct nb_validate_counts *before)
    OVS_WARN_UNUSED_RESULT;

#endif /* lib/nb-validate.h */
