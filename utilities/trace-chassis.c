#include <config.h>

#include "utilities/trace-chassis.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/expr.h"
#include "lib/lflow-sim.h"
#include "lib/osmotic-sb-idl.h"
#include "lib/pipeline.h"
#include "utilities/trace-sb.h"
#include "flow.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "packets.h"
#include "svec.h"
#include "util.h"

/* Resolved locations of the host's OVS. */
struct chassis_ovs {
    char *db;                   /* OVS database remote. */
    char *ctl;                  /* ovs-vswitchd control socket. */
    const char *bridge;         /* Integration bridge. */
    char *timeout;              /* "--timeout=N" for the OVS tools. */
};

/* Runs 'argv' (a null-terminated program and arguments, found in PATH)
 * and stores its standard output and error, merged, in 'out'.  Returns 0
 * if it exited with status 0, otherwise a positive value. */
static int
run_capture(char *const argv[], struct ds *out)
{
    int fds[2];
    if (pipe(fds)) {
        ds_put_format(out, "pipe: %s", ovs_strerror(errno));
        return errno;
    }
    pid_t pid = fork();
    if (pid < 0) {
        ds_put_format(out, "fork: %s", ovs_strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return errno;
    }
    if (!pid) {
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        fprintf(stderr, "%s: %s\n", argv[0], ovs_strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0
           || (n < 0 && errno == EINTR)) {
        if (n > 0) {
            ds_put_buffer(out, buf, n);
        }
    }
    close(fds[0]);

    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        continue;
    }
    return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : 1;
}

/* Runs ovs-vsctl against the host's database with arguments 'args'
 * (null-terminated) and returns its trimmed output, or NULL on failure
 * with the output in '*errorp'. */
static char *
chassis_vsctl(const struct chassis_ovs *ovs, const char *const *args,
              char **errorp)
{
    struct svec argv = SVEC_EMPTY_INITIALIZER;
    svec_add(&argv, "ovs-vsctl");
    svec_add_nocopy(&argv, xasprintf("--db=%s", ovs->db));
    svec_add(&argv, ovs->timeout);
    for (; *args; args++) {
        svec_add(&argv, *args);
    }
    svec_terminate(&argv);

    struct ds out = DS_EMPTY_INITIALIZER;
    int error = run_capture(argv.names, &out);
    svec_destroy(&argv);
    ds_chomp(&out, '\n');
    if (error) {
        *errorp = ds_steal_cstr(&out);
        ds_destroy(&out);
        return NULL;
    }
    return ds_steal_cstr(&out);
}

/* Returns the value of "ovs-vsctl get Interface IFACE COLUMN", unquoted,
 * or NULL if there is none. */
static char *
chassis_iface_get(const struct chassis_ovs *ovs, const char *iface,
                  const char *column)
{
    const char *args[] = { "--if-exists", "get", "Interface", iface, column,
                           NULL };
    char *error = NULL;
    char *value = chassis_vsctl(ovs, args, &error);
    free(error);
    if (value && value[0] == '"') {
        size_t n = strlen(value);
        memmove(value, value + 1, n - 1);
        value[n >= 2 ? n - 2 : 0] = '\0';
    }
    if (value && !value[0]) {
        free(value);
        return NULL;
    }
    return value;
}

/* Finds the OpenFlow port of logical port 'lport' on the host.  Returns
 * NULL and sets '*ofport', or returns an error. */
static char *
chassis_find_ofport(const struct chassis_ovs *ovs, const char *chassis,
                    const char *lport, unsigned int *ofport)
{
    char *cond = xasprintf("external_ids:iface-id=\"%s\"", lport);
    const char *args[] = { "--bare", "--columns=ofport", "find", "Interface",
                           cond, NULL };
    char *error = NULL;
    char *value = chassis_vsctl(ovs, args, &error);
    free(cond);
    if (!value) {
        char *msg = xasprintf("--chassis=%s: cannot read the chassis's "
                              "Open_vSwitch database %s; pass "
                              "--ovs-rundir=DIR (the chassis's OVS run "
                              "directory) or --ovs-db=REMOTE (ovs-vsctl: "
                              "%s)", chassis, ovs->db, error);
        free(error);
        return msg;
    }
    bool ok = str_to_uint(value, 10, ofport) && *ofport > 0
              && *ofport < UINT16_MAX;
    free(value);
    if (!ok) {
        return xasprintf("inport \"%s\": no interface with "
                         "external_ids:iface-id=%s on chassis %s", lport,
                         lport, chassis);
    }
    return NULL;
}

/* Appends to 's' the OpenFlow flow of 'packet' entering on 'ofport', in
 * the syntax ofproto/trace accepts. */
static void
chassis_format_flow(const struct flow *flow, unsigned int ofport,
                    struct ds *s)
{
    ds_put_format(s, "in_port=%u,dl_src="ETH_ADDR_FMT",dl_dst="ETH_ADDR_FMT
                  ",dl_type=0x%04"PRIx16, ofport,
                  ETH_ADDR_ARGS(flow->dl_src), ETH_ADDR_ARGS(flow->dl_dst),
                  ntohs(flow->dl_type));
    if (flow->dl_type == htons(ETH_TYPE_ARP)) {
        ds_put_format(s, ",arp_op=%"PRIu8",arp_spa="IP_FMT",arp_tpa="IP_FMT
                      ",arp_sha="ETH_ADDR_FMT",arp_tha="ETH_ADDR_FMT,
                      flow->nw_proto, IP_ARGS(flow->nw_src),
                      IP_ARGS(flow->nw_dst), ETH_ADDR_ARGS(flow->arp_sha),
                      ETH_ADDR_ARGS(flow->arp_tha));
        return;
    }
    if (flow->dl_type == htons(ETH_TYPE_IP)) {
        ds_put_format(s, ",nw_src="IP_FMT",nw_dst="IP_FMT,
                      IP_ARGS(flow->nw_src), IP_ARGS(flow->nw_dst));
    } else if (flow->dl_type == htons(ETH_TYPE_IPV6)) {
        ds_put_cstr(s, ",ipv6_src=");
        ipv6_format_addr(&flow->ipv6_src, s);
        ds_put_cstr(s, ",ipv6_dst=");
        ipv6_format_addr(&flow->ipv6_dst, s);
    } else {
        return;
    }
    ds_put_format(s, ",nw_proto=%"PRIu8",nw_ttl=%"PRIu8",nw_tos=%"PRIu8,
                  flow->nw_proto, flow->nw_ttl ? flow->nw_ttl : 64,
                  flow->nw_tos);
    const char *l4 = (flow->nw_proto == IPPROTO_TCP ? "tcp"
                      : flow->nw_proto == IPPROTO_UDP ? "udp"
                      : flow->nw_proto == IPPROTO_SCTP ? "sctp" : NULL);
    if (l4) {
        ds_put_format(s, ",%s_src=%"PRIu16",%s_dst=%"PRIu16, l4,
                      ntohs(flow->tp_src), l4, ntohs(flow->tp_dst));
    } else if (flow->nw_proto == IPPROTO_ICMP) {
        ds_put_format(s, ",icmp_type=%"PRIu16",icmp_code=%"PRIu16,
                      ntohs(flow->tp_src), ntohs(flow->tp_dst));
    }
}

/* Returns the name of OpenFlow table 'table' of a datapath of 'type'. */
static const char *
chassis_table_name(unsigned int table, enum dp_type type)
{
    const struct pipeline_stage_info *info = NULL;
    if (table >= OFTABLE_INGRESS
        && table < OFTABLE_INGRESS + PIPELINE_MAX_STAGES) {
        info = pipeline_stage_find(type, P_INGRESS, table - OFTABLE_INGRESS);
    } else if (table >= OFTABLE_EGRESS
               && table < OFTABLE_EGRESS + PIPELINE_MAX_STAGES) {
        info = pipeline_stage_find(type, P_EGRESS, table - OFTABLE_EGRESS);
    }
    const char *physical = pipeline_physical_table_name(table);
    return (info ? info->name
            : physical ? physical
            : "(unknown table)");
}

static void chassis_annotate_step(const struct trace_sb *, unsigned int table,
                                  uint32_t cookie, enum dp_type, int indent,
                                  const char *flow, struct ds *,
                                  struct json *steps);

/* If 'line' is a table step of ofproto/trace ("NN. match, priority P,
 * cookie 0xC"), appends its annotation to 's' and to the JSON array
 * 'steps', and stores its cookie (0 if none) in '*cookiep'. */
static void
chassis_annotate_line(const char *line, const struct trace_sb *sb,
                      enum dp_type type, struct ds *s, struct json *steps,
                      uint32_t *cookiep)
{
    const char *p = line + strspn(line, " ");
    char *end;
    unsigned long table = strtoul(p, &end, 10);
    if (end == p || strncmp(end, ". ", 2) || table > 255) {
        return;
    }
    const char *cookie = strstr(end, ", cookie 0x");
    *cookiep = cookie ? strtoull(cookie + strlen(", cookie "), NULL, 16) : 0;
    chassis_annotate_step(sb, table, *cookiep, type, end - line + 2, end + 2,
                          s, steps);
}

/* Appends to 's' (indented by 'indent') and to the JSON array 'steps' the
 * annotation of OpenFlow table 'table' and of the flow 'flow' with
 * 'cookie' (0 if none) that the packet met there. */
static void
chassis_annotate_step(const struct trace_sb *sb, unsigned int table,
                      uint32_t cookie, enum dp_type type, int indent,
                      const char *flow, struct ds *s, struct json *steps)
{
    const char *name = trace_sb_cookie_stage(sb, cookie);
    if (!name) {
        name = chassis_table_name(table, type);
    }
    ds_put_char_multiple(s, ' ', indent);
    ds_put_format(s, "[%s", name);

    struct json *step = json_object_create();
    json_object_put(step, "table", json_integer_create(table));
    json_object_put_string(step, "stage", name);
    json_object_put_string(step, "flow", flow);

    if (cookie) {
        struct ds row = DS_EMPTY_INITIALIZER;
        trace_sb_describe_cookie(sb, cookie, flow, &row);
        if (row.length) {
            ds_put_format(s, ": %s", ds_cstr(&row));
            json_object_put_string(step, "sb_row", ds_cstr(&row));
        }
        ds_destroy(&row);
        json_object_put_format(step, "cookie", "%#"PRIx32, cookie);
    }
    ds_put_cstr(s, "]\n");
    json_array_add(steps, step);
}

/* Appends to 'verdicts' the destination of output to interface 'iface'
 * (quoted or not) by a flow with 'cookie'. */
static void
chassis_output_verdict(const struct chassis_ovs *ovs, const char *chassis,
                       const struct trace_sb *sb, const char *iface_,
                       uint32_t cookie, struct svec *verdicts)
{
    size_t len = strlen(iface_);
    char *iface = (len >= 2 && iface_[0] == '"' && iface_[len - 1] == '"'
                   ? xmemdup0(iface_ + 1, len - 2) : xstrdup(iface_));
    char *lport = chassis_iface_get(ovs, iface, "external_ids:iface-id");
    char *remote = chassis_iface_get(ovs, iface, "options:remote_ip");
    if (lport) {
        svec_add_nocopy(verdicts, xasprintf("delivered to %s on chassis %s",
                                            lport, chassis));
    } else if (remote) {
        const char *peer = NULL;
        const struct sbrec_encap *encap;
        SBREC_ENCAP_FOR_EACH (encap, sb->idl) {
            if (!strcmp(encap->ip, remote)) {
                peer = encap->chassis_name;
            }
        }
        struct ds target = DS_EMPTY_INITIALIZER;
        trace_sb_cookie_target(sb, cookie, &target);
        svec_add_nocopy(verdicts, xasprintf(
                            "tunnel to chassis %s (%s) via %s%s%s",
                            peer ? peer : "(unknown)", remote, iface,
                            target.length ? " for " : "",
                            ds_cstr(&target)));
        ds_destroy(&target);
    } else {
        svec_add_nocopy(verdicts, xasprintf("output to %s on chassis %s",
                                            iface, chassis));
    }
    free(lport);
    free(remote);
    free(iface);
}

/* Annotates ofproto/trace output 'trace' into 's' and the JSON array
 * 'steps' and appends the verdicts of the packet to 'verdicts'. */
static void
chassis_annotate(const struct chassis_ovs *ovs, const char *chassis,
                 const struct trace_sb *sb, enum dp_type type,
                 const char *trace, struct ds *s, struct json *steps,
                 struct svec *verdicts)
{
    char *copy = xstrdup(trace);
    char *save_ptr = NULL;
    uint32_t cookie = 0, remote_cookie = 0;
    for (char *line = strtok_r(copy, "\n", &save_ptr); line;
         line = strtok_r(NULL, "\n", &save_ptr)) {
        ds_put_format(s, "%s\n", line);
        chassis_annotate_line(line, sb, type, s, steps, &cookie);

        const char *p = line + strspn(line, " ");
        char *end;
        unsigned long table = strtoul(p, &end, 10);
        if (end != p && *end == '.' && table == OFTABLE_PHY_OUT_REMOTE) {
            /* The tunnel is chosen in table 32, by colour, but what the
             * packet is tunnelled for (the outport or group) is table
             * 30's flow. */
            remote_cookie = cookie;
        }
        if (!strncmp(p, "output:", 7)) {
            chassis_output_verdict(ovs, chassis, sb, p + 7,
                                   remote_cookie ? remote_cookie : cookie,
                                   verdicts);
        }
    }
    free(copy);
    if (!verdicts->n) {
        svec_add_nocopy(verdicts, xasprintf("dropped on chassis %s",
                                            chassis));
    }
}

/* Returns true if the bridge verdict 'phys' is how 'chassis' sends out
 * logical verdict 'v' (a delivery): the same local port, or a tunnel to
 * the port's chassis (for that outport, if it says). */
static bool
chassis_verdict_matches(const char *phys, const struct lflow_sim_verdict *v,
                        const char *chassis)
{
    char *want;
    bool match;
    if (v->chassis && !strcmp(v->chassis, chassis)) {
        want = lflow_sim_verdict_to_string(v);
        match = !strcmp(phys, want);
    } else {
        want = xasprintf("tunnel to chassis %s (", v->chassis);
        const char *outport = strstr(phys, " for outport ");
        match = (!strncmp(phys, want, strlen(want))
                 && (!outport || !strcmp(outport + strlen(" for outport "),
                                         v->port->name)));
    }
    free(want);
    return match;
}

/* Compares the bridge's verdicts 'phys' with the logical trace of the
 * same packet, whose verdicts go to 'logical': every logical delivery
 * must leave the bridge (locally, or by a tunnel to its chassis), so must
 * every logical drop on another chassis (in the egress pipeline of an
 * outport bound there, which runs there: a to-lport ACL's drop), and
 * every output of the bridge must carry one of them.  Appends each
 * difference to 'problems'. */
static void
chassis_compare(const char *chassis, const struct trace_sb *sb,
                const struct lflow_sim_datapath *dp,
                const struct lflow_sim_port *inport,
                const struct expr_packet *packet, const struct svec *phys,
                struct svec *logical, struct svec *problems)
{
    struct lflow_sim_trace *t = lflow_sim_run(sb->sim, dp, inport, chassis,
                                              &packet->flow);
    bool *used = xcalloc(phys->n, sizeof *used);
    for (size_t i = 0; i < t->n_verdicts; i++) {
        const struct lflow_sim_verdict *v = t->verdicts[i];
        char *text = lflow_sim_verdict_to_string(v);
        svec_add(logical, text);
        if (v->delivered) {
            bool found = false;
            for (size_t j = 0; j < phys->n; j++) {
                if (chassis_verdict_matches(phys->names[j], v, chassis)) {
                    used[j] = found = true;
                }
            }
            if (!found) {
                svec_add_nocopy(problems, xasprintf(
                                    "the bridge does not send out \"%s\"",
                                    text));
            }
        } else if (v->chassis && strcmp(v->chassis, chassis)) {
            char *want = xasprintf("tunnel to chassis %s (", v->chassis);
            bool found = false;
            for (size_t j = 0; j < phys->n; j++) {
                if (!strncmp(phys->names[j], want, strlen(want))) {
                    used[j] = found = true;
                }
            }
            if (!found) {
                svec_add_nocopy(problems, xasprintf(
                                    "the bridge does not send the packet "
                                    "to chassis %s, where \"%s\"",
                                    v->chassis, text));
            }
            free(want);
        }
        free(text);
    }
    for (size_t j = 0; j < phys->n; j++) {
        if (!used[j] && strncmp(phys->names[j], "dropped", 7)) {
            svec_add_nocopy(problems, xasprintf(
                                "the logical flows do not send \"%s\"",
                                phys->names[j]));
        }
    }
    free(used);
    lflow_sim_trace_destroy(t);
}

/* What a chassis trace found. */
struct chassis_result {
    struct ds annotated;        /* ofproto/trace output with annotations. */
    struct json *steps;         /* JSON array of the table steps. */
    struct svec verdicts;       /* Where the bridge sent the packet. */
    struct svec logical;        /* The logical trace's verdicts. */
    struct svec problems;       /* Differences between the two. */
};

/* Initializes 'r' empty. */
static void
chassis_result_init(struct chassis_result *r)
{
    ds_init(&r->annotated);
    r->steps = json_array_create_empty();
    svec_init(&r->verdicts);
    svec_init(&r->logical);
    svec_init(&r->problems);
}

/* Frees what 'r' holds. */
static void
chassis_result_destroy(struct chassis_result *r)
{
    ds_destroy(&r->annotated);
    json_destroy(r->steps);
    svec_destroy(&r->verdicts);
    svec_destroy(&r->logical);
    svec_destroy(&r->problems);
}

/* Returns 'svec' as a JSON array of strings. */
static struct json *
svec_to_json(const struct svec *svec)
{
    struct json *array = json_array_create_empty();
    for (size_t i = 0; i < svec->n; i++) {
        json_array_add(array, json_string_create(svec->names[i]));
    }
    return array;
}

/* Prints 'r' in the format 'opts' asks for. */
static void
chassis_print(const struct trace_chassis_options *opts, const char *dp,
              const char *flow, const struct chassis_result *r)
{
    if (opts->json) {
        struct json *j = json_object_create();
        json_object_put_string(j, "chassis", opts->chassis);
        json_object_put_string(j, "datapath", dp);
        json_object_put_string(j, "openflow_flow", flow);
        json_object_put(j, "steps", json_clone(r->steps));
        json_object_put(j, "verdicts", svec_to_json(&r->verdicts));
        json_object_put(j, "logical_verdicts", svec_to_json(&r->logical));
        json_object_put(j, "agrees", json_boolean_create(!r->problems.n));
        json_object_put(j, "disagreements", svec_to_json(&r->problems));
        struct ds s = DS_EMPTY_INITIALIZER;
        json_to_ds(j, JSSF_PRETTY | JSSF_SORT, &s);
        printf("%s\n", ds_cstr(&s));
        ds_destroy(&s);
        json_destroy(j);
        return;
    }

    if (!opts->summary) {
        printf("# chassis %s, datapath %s: %s\n\n%s\n", opts->chassis, dp,
               flow, ds_cstr_ro(&r->annotated));
    }
    for (size_t i = 0; i < r->verdicts.n; i++) {
        printf("%s%s\n", opts->summary ? "" : "Verdict: ",
               r->verdicts.names[i]);
    }
    if (opts->summary) {
        return;
    }
    for (size_t i = 0; i < r->logical.n; i++) {
        printf("Logical verdict: %s\n", r->logical.names[i]);
    }
    if (r->problems.n) {
        printf("DISAGREEMENT with the logical flows");
        for (size_t i = 0; i < r->problems.n; i++) {
            printf("; %s", r->problems.names[i]);
        }
        printf("\n");
    } else {
        printf("The bridge agrees with the logical flows.\n");
    }
}

/* Fills 'ovs' from 'opts'. */
static void
chassis_ovs_init(const struct trace_chassis_options *opts,
                 struct chassis_ovs *ovs)
{
    const char *rundir = opts->ovs_rundir;
    if (!rundir) {
        rundir = getenv("OVS_RUNDIR");
    }
    if (!rundir) {
        rundir = "/var/run/openvswitch";
    }
    ovs->db = (opts->ovs_db ? xstrdup(opts->ovs_db)
               : xasprintf("unix:%s/db.sock", rundir));
    ovs->ctl = (opts->ovs_ctl ? xstrdup(opts->ovs_ctl)
                : xasprintf("%s/ovs-vswitchd.ctl", rundir));
    ovs->bridge = opts->bridge ? opts->bridge : "br-int";
    ovs->timeout = xasprintf("--timeout=%u",
                             opts->timeout ? opts->timeout : 10);
}

/* Frees what 'ovs' holds. */
static void
chassis_ovs_destroy(struct chassis_ovs *ovs)
{
    free(ovs->db);
    free(ovs->ctl);
    free(ovs->timeout);
}

/* Runs ofproto/trace of 'packet' from 'inport' on the host and prints the
 * annotated trace and its verdicts.  Returns NULL or an error message. */
static char *
chassis_trace(const struct trace_chassis_options *opts,
              const struct chassis_ovs *ovs, const struct trace_sb *sb,
              const struct lflow_sim_datapath *dp,
              const struct lflow_sim_port *inport,
              const struct expr_packet *packet)
{
    unsigned int ofport;
    char *error = chassis_find_ofport(ovs, opts->chassis, inport->name,
                                      &ofport);
    if (error) {
        return error;
    }
    struct ds flow = DS_EMPTY_INITIALIZER;
    chassis_format_flow(&packet->flow, ofport, &flow);

    /* Each ct() that recirculates takes the next --ct-next state; give
     * the same state to several, as the logical trace assumes it for
     * every ct(). */
    struct ds ct = DS_EMPTY_INITIALIZER;
    format_flags(&ct, ct_state_to_string, opts->ct_state, ',');
    ds_chomp(&ct, ',');
    struct svec argv = SVEC_EMPTY_INITIALIZER;
    svec_add(&argv, "ovs-appctl");
    svec_add(&argv, ovs->timeout);
    svec_add(&argv, "-t");
    svec_add(&argv, ovs->ctl);
    svec_add(&argv, "ofproto/trace");
    svec_add(&argv, ovs->bridge);
    svec_add(&argv, ds_cstr(&flow));
    svec_add(&argv, "--names");
    for (int i = 0; i < 8; i++) {
        svec_add(&argv, "--ct-next");
        svec_add(&argv, ds_cstr(&ct));
    }
    svec_terminate(&argv);
    ds_destroy(&ct);

    struct ds out = DS_EMPTY_INITIALIZER;
    int status = run_capture(argv.names, &out);
    svec_destroy(&argv);
    if (status) {
        ds_chomp(&out, '\n');
        error = xasprintf("ofproto/trace on chassis %s failed: %s",
                          opts->chassis, ds_cstr(&out));
    } else {
        struct chassis_result r;
        chassis_result_init(&r);
        chassis_annotate(ovs, opts->chassis, sb,
                         lflow_sim_datapath_type(dp), ds_cstr(&out),
                         &r.annotated, r.steps, &r.verdicts);
        chassis_compare(opts->chassis, sb, dp, inport, packet, &r.verdicts,
                        &r.logical, &r.problems);
        chassis_print(opts, lflow_sim_datapath_name(dp), ds_cstr(&flow),
                      &r);
        chassis_result_destroy(&r);
    }
    ds_destroy(&out);
    ds_destroy(&flow);
    return error;
}

/* Returns true if the SB in 'sb' has a Chassis named 'name'. */
static bool
chassis_exists(const struct trace_sb *sb, const char *name)
{
    const struct sbrec_chassis *ch;
    SBREC_CHASSIS_FOR_EACH (ch, sb->idl) {
        if (!strcmp(ch->name, name)) {
            return true;
        }
    }
    return false;
}

/* Runs the --chassis trace; see trace-chassis.h.  Returns NULL or an
 * error message for the caller to print and free. */
char *
trace_chassis_run(const struct trace_chassis_options *opts,
                  const struct trace_sb *sb,
                  const struct lflow_sim_datapath *dp,
                  const struct lflow_sim_port *inport,
                  const struct expr_packet *packet)
{
    if (!chassis_exists(sb, opts->chassis)) {
        return xasprintf("--chassis=%s: no chassis of that name in the "
                         "southbound database", opts->chassis);
    }
    if (inport->chassis && strcmp(inport->chassis, opts->chassis)) {
        return xasprintf("inport \"%s\" is bound to chassis %s, not %s",
                         inport->name, inport->chassis, opts->chassis);
    }
    struct chassis_ovs ovs;
    chassis_ovs_init(opts, &ovs);
    char *error = chassis_trace(opts, &ovs, sb, dp, inport, packet);
    chassis_ovs_destroy(&ovs);
    return error;
}

/* Annotates OVS output read from 'stream', "ofproto/trace" of br-int or
 * "ovs-ofctl dump-flows br-int", the way --chassis does, and prints it to
 * stdout. */
void
trace_chassis_detrace(const struct trace_sb *sb, FILE *stream)
{
    struct json *steps = json_array_create_empty();
    struct ds line = DS_EMPTY_INITIALIZER;
    while (!ds_get_line(&line, stream)) {
        const char *l = ds_cstr(&line);
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_format(&s, "%s\n", l);

        uint32_t cookie;
        chassis_annotate_line(l, sb, DP_SWITCH, &s, steps, &cookie);

        /* A dump-flows line: " cookie=0x.., ..., table=N, ..." (without
         * "table=" for table 0). */
        const char *c = strstr(l, "cookie=0x");
        if (c) {
            const char *t = strstr(l, " table=");
            unsigned long table = t ? strtoul(t + 7, NULL, 10) : 0;
            cookie = strtoull(c + strlen("cookie="), NULL, 16);
            if (table <= 255) {
                chassis_annotate_step(sb, table, cookie, DP_SWITCH, 4, l,
                                      &s, steps);
            }
        }
        fputs(ds_cstr(&s), stdout);
        ds_destroy(&s);
    }
    ds_destroy(&line);
    json_destroy(steps);
}
