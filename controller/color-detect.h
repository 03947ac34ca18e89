/*
 * The elephant detector: dynamic colour promotion, on the host that
 * carries the traffic.
 *
 * Mechanism
 * ---------
 * For each promotion rule (SB Color_Promotion), osmotic-northd puts the
 * logical action color_sample(RULE) in the flows of stage ls_in_color
 * that give a connection of the rule its starting colour.  The controller
 * encodes it as an OpenFlow sample() action: one packet in N (the
 * chassis' osmotic-color-sampling, default 64) is exported by
 * ovs-vswitchd as an IPFIX record to this module's UDP socket on
 * 127.0.0.1, with the datapath key as the observation domain and the rule
 * as the observation point (the collector set is configured in the local
 * Open_vSwitch database's Flow_Sample_Collector_Set and IPFIX tables).
 * No connection costs anything in the datapath beyond the sampled
 * packets: no per-connection flow, no conntrack, no upcall.
 *
 * Each sample adds N times its IP length (as Open vSwitch exports it) to
 * the estimated byte count of its connection (the 5-tuple in its
 * datapath); the estimate's error is a few sampled packets.  A connection whose estimate crosses the rule's
 * byte threshold, or whose estimated bytes in the current rate interval
 * reach the rule's rate times the interval, is promoted at once: this
 * module adds, as owner (DESIRED_PROMOTION, an id of its own), two flows
 * to table 9 that give both directions of the connection the rule's
 * target colour, which local packets look up before the logical
 * pipeline.  The colour then travels in the Geneve option; the receiving
 * host's table 8 teaches its own table 9 the reverse direction (a learn
 * action), so the replies are coloured too.  Stage ls_in_color keeps a
 * colour found in table 9, unless a flow class of higher priority
 * decides otherwise (static classes win).
 *
 * Demotion: the module reads the statistics of table 9 every
 * COLOR_DETECT_POLL_MS on a connection of its own to br-int.  A promoted
 * connection whose flows saw no packet for the rule's idle time (or, for
 * rules without one, COLOR_DETECT_GC_IDLE seconds, so that ended
 * connections do not stay forever) goes back: its flows go.
 *
 * Observability: "color/elephants" lists the promoted connections (rule,
 * colour, logical ports, since when, packets and bytes since promotion,
 * the estimate at promotion); each controller also keeps one southbound
 * Elephant row per promoted connection of its chassis (written in the
 * next transaction after the promotion, which the flows do not wait
 * for), so that "osmotic-sbctl elephant-list" lists those of every
 * chassis; "color/counters" the packets and bytes each colour sent to
 * other hosts per lane (table 32's statistics) and the detector's own
 * counters, "color/status" the rules in force.
 */
#ifndef CONTROLLER_COLOR_DETECT_H
#define CONTROLLER_COLOR_DETECT_H 1

#include <stdbool.h>
#include <stdint.h>

struct desired;
struct ds;
struct sbrec_chassis;
struct unixctl_conn;
struct encaps_ports;
struct ovsdb_idl;
struct ovsdb_idl_txn;
struct ovsrec_bridge;

/* Milliseconds between two readings of table 9's statistics, while there
 * are promotions.  (Table 32's are read when "color/counters" asks.) */
#define COLOR_DETECT_POLL_MS 250

/* Seconds without traffic after which a promotion of a rule without an
 * idle time is forgotten. */
#define COLOR_DETECT_GC_IDLE 300

/* Least milliseconds between two re-creations of the IPFIX exporter for
 * its templates, and the longest wait for ovs-vswitchd to apply the first
 * half of one. */
#define COLOR_DETECT_RECREATE_MS 5000
#define COLOR_DETECT_CLEAR_WAIT_MS 3000

/* Most connections the detector follows before promotion; past it, the
 * ones sampled longest ago are forgotten first. */
#define COLOR_DETECT_MAX_CONNS 65536

/* What one pass of the detector reads and writes. */
struct color_detect_ctx {
    struct ovsdb_idl *sb_idl;           /* Southbound: the rules. */
    struct ovsdb_idl_txn *sb_txn;       /* Open SB transaction, or NULL. */
    const struct sbrec_chassis *chassis; /* This chassis. */
    struct ovsdb_idl *ovs_idl;          /* Local database. */
    struct ovsdb_idl_txn *ovs_txn;      /* Open local transaction, or NULL. */
    const struct ovsrec_bridge *br_int; /* Integration bridge, or NULL. */
    const struct encaps_ports *tunnels; /* Tunnel ports, for lanes. */
    unsigned int sampling;              /* One packet in this many. */
    struct desired *desired;            /* Gets the promotions. */
};

struct color_detect *color_detect_create(const char *br_int_target);
void color_detect_destroy(struct color_detect *);
void color_detect_run(struct color_detect *, const struct color_detect_ctx *);
void color_detect_wait(struct color_detect *);
void color_detect_elephants(const struct color_detect *, struct ds *);
void color_detect_sb_init(struct ovsdb_idl *sb_idl);
bool color_detect_sb_cleanup(struct ovsdb_idl *sb_idl,
                             struct ovsdb_idl_txn *sb_txn,
                             const char *chassis);
void color_detect_counters(struct color_detect *, struct unixctl_conn *);
void color_detect_status(const struct color_detect *, struct ds *);

#endif /* controller/color-detect.h */
