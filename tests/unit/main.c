#include <config.h>

#include <stdlib.h>

#include "tests/unit/unit-suites.h"

/* Runs every unit-test suite; exits nonzero if any test failed. */
int
main(void)
{
    Suite *(*const suites[])(void) = {
        bfd_packet_suite,
        change_index_suite,
        ctl_chassis_suite,
        ctl_lflow_suite,
        ctl_ofctrl_suite,
        daemon_files_suite,
        expr_compile_suite,
        expr_eval_suite,
        expr_parse_suite,
        idl_pending_suite,
        ipfix_suite,
        lflow_sim_suite,
        lflow_table_suite,
        logical_actions_suite,
        lport_addresses_suite,
        nb_unapplied_suite,
        nb_validate_suite,
        osmotic_dirs_suite,
        pipeline_suite,
        svc_probe_suite,
        tunnel_keys_suite,
    };

    SRunner *runner = srunner_create(NULL);
    for (size_t i = 0; i < sizeof suites / sizeof suites[0]; i++) {
        srunner_add_suite(runner, suites[i]());
    }
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
