/*
 * The Check suites of libosmotic's unit tests.  Each suite lives in its
 * own file, named for the module it tests; main.c runs them all in one
 * runner so that "make check" ends with Check's one-line summary.
 */
#ifndef UNIT_SUITES_H
#define UNIT_SUITES_H 1

#include <check.h>

Suite *bfd_packet_suite(void);
Suite *change_index_suite(void);
Suite *ctl_chassis_suite(void);
Suite *ctl_lflow_suite(void);
Suite *ctl_ofctrl_suite(void);
Suite *daemon_files_suite(void);
Suite *expr_compile_suite(void);
Suite *expr_eval_suite(void);
Suite *expr_parse_suite(void);
Suite *idl_pending_suite(void);
Suite *ipfix_suite(void);
Suite *lflow_sim_suite(void);
Suite *lflow_table_suite(void);
Suite *logical_actions_suite(void);
Suite *lport_addresses_suite(void);
Suite *nb_unapplied_suite(void);
Suite *nb_validate_suite(void);
Suite *osmotic_dirs_suite(void);
Suite *pipeline_suite(void);
Suite *svc_probe_suite(void);
Suite *tunnel_keys_suite(void);

#endif /* tests/unit/unit-suites.h */
