/*
 * IPFIX (RFC 7011) message parser, for the flow samples Open vSwitch
 * exports.
 *
 * The model
 * ---------
 * An IPFIX message is a 16-byte header (version 10, length, export time,
 * sequence number, observation domain id) followed by sets.  A set of id
 * 2 holds template records, one of id 3 options template records, and one
 * of id 256 or above data records laid out by the template of that id.  A
 * template is a list of field specifiers (information element id, length,
 * and an enterprise number when the element id's top bit is set); it is
 * known by (observation domain id, template id), replaces an earlier
 * template of the same key when re-sent, and is withdrawn by a template
 * record of the same id with a field count of 0 (template id 2 in a
 * template set, or 3 in an options template set, withdraws every template,
 * or every options template, of the domain).  A struct ipfix_parser holds
 * the templates it has seen, so it must see the template messages before
 * it can decode data: feed it every message that arrives, in order.
 * ipfix_parser_set_shared_templates() departs from RFC 7011 for Open
 * vSwitch's sake: templates are then keyed by template id alone, so that
 * one learned in any observation domain decodes the data sets of all
 * (records keep the domain of their own message).
 * Open vSwitch never withdraws templates; over UDP anyone who can send to
 * the collector's socket can withdraw or redefine them, so bind it to
 * 127.0.0.1.
 *
 * ipfix_parser_feed() decodes each data record whose template is known
 * into a struct ipfix_record (the fields a flow detector needs) and hands
 * it to a callback.  Data records of options templates are walked and
 * counted but never handed over.  Information elements other than those
 * of struct ipfix_record, enterprise-specific elements among them, are
 * skipped by their length; variable-length fields (length 65535, with a
 * 1-byte or 0xff plus 2-byte length prefix) and reduced-size encodings of
 * integers (e.g. an 8-byte counter sent in 4 bytes) are read as RFC 7011
 * section 6 and 7 say.  Zero bytes too few for a record at the end of a
 * set are padding (other bytes there are a truncated record).  Sets of
 * the reserved ids 0, 1 and 4 to 255 are skipped.  A template that puts
 * an element of struct ipfix_record in a field of the wrong size (an IPv4
 * address in 3 bytes, a port in 3) is refused as malformed.  A record
 * with both IPv4 and IPv6 addresses is reported as IPv6; an IPv4 record
 * without one of its addresses has 0.0.0.0 there.
 *
 * A data set whose template is unknown is skipped and counted, and is not
 * an error: over UDP it is what happens until the exporter next sends its
 * templates.  Its records cannot be counted without the template; Open
 * vSwitch puts one record in each data set, so for it the number of sets
 * skipped is the number of records lost.
 *
 * Errors
 * ------
 * Parsing stops at the first malformed element; ipfix_parser_feed()
 * returns a malloc()'d message naming it and its byte offset in the
 * message, e.g. "offset 18: set length 2 is shorter than a set header (4
 * bytes)".  Records before the problem have been delivered and templates
 * before it have been learned; nothing after it is looked at.  The caller
 * frees the message.
 *
 * Ownership and callbacks
 * -----------------------
 * The parser owns its templates; the caller owns the message buffer, which
 * the parser does not keep.  The callback runs synchronously inside
 * ipfix_parser_feed(), once per decoded flow record, in message order;
 * the record it gets lives on the parser's stack and is valid only during
 * the call (copy what you keep).  The callback must not feed or destroy
 * the same parser.  Decoding a data record allocates nothing: allocation
 * happens only when a new or changed template is learned (a template
 * re-sent unchanged is not copied again) and for an error message.  An
 * Open vSwitch message of one record decodes in about 100 ns.  The parser
 * is not thread-safe; use one per thread or lock around it.
 *
 * Limits
 * ------
 * A parser remembers at most IPFIX_MAX_TEMPLATES templates (settable with
 * ipfix_parser_set_max_templates()), options templates included.  When a
 * new template arrives and the table is full, the template defined or
 * re-sent least recently is evicted (and counted): exporters re-send the
 * templates they use, so stale ones age out and live ones come back,
 * whereas refusing new templates would let stale ones block live ones for
 * ever.  A template has at most IPFIX_MAX_FIELDS fields; one with more is
 * refused as malformed.  So a parser's memory is bounded (at most about 8
 * kB per template plus 8 kB of scratch space, and far less for real
 * templates: runs of skipped fixed-length fields are merged into one
 * step).  Every length and count read from the wire is checked against
 * the bytes that remain before it is used, and every loop consumes at
 * least one byte per step, so no input makes the parser read out of
 * bounds or loop without end.
 *
 * What Open vSwitch 3.1 sends
 * ---------------------------
 * For the OpenFlow action sample(probability=P, collector_set_id=C,
 * obs_domain_id=D, obs_point_id=R) with a Flow_Sample_Collector_Set C
 * whose IPFIX row has cache_max_flows=0, ovs-vswitchd sends one message
 * per sampled packet, of one data set holding one record, in observation
 * domain D.  The template depends on the packet (VLAN or not; IPv4, IPv6
 * or other; TCP, UDP, SCTP, ICMP or other; tunnel or not) and on the
 * direction (egress only with the action's egress or sampling_port
 * option): 88 templates, ids 256 to 375, sent together in 18 messages of
 * one template set each.  An ingress sample of IPv4 TCP uses template
 * 280, UDP 284, ICMP 292; IPv6 TCP 300, UDP 304, ICMPv6 312.  Every
 * template starts with observationPointId (138, 4 bytes) = R and carries
 * variable-length interfaceName (82) and interfaceDescription (83)
 * fields, and those of a tunnel VMware enterprise elements (enterprise
 * 6876).  packetDeltaCount (2, 8 bytes) is 65535 / P (integer division:
 * the estimated number of packets the sample stands for, 1 at P=65535),
 * and octetDeltaCount (1, 8 bytes) is that count times the sampled
 * packet's IP total length (frame length less the Ethernet header): L3
 * bytes, already scaled by the sampling: do not multiply it by 1/P
 * again.  An options template (id 462:
 * exportingProcessId, notSentPacketTotalCount) and its data record are
 * sent in observation domain 0.
 *
 * When templates are sent, and what a collector must do
 * ------------------------------------------------------
 * ovs-vswitchd sends the templates (and the options template) just
 * before the first data record a new exporter exports, then again before
 * the first data record exported 600 seconds or more after that, and so
 * on; never while no packet is sampled.  They go to the observation
 * domain of that record only (observed: samples of domain 7 every 60 s
 * from 0 to 544 s brought templates at 0 s only; a sample of domain 8 at
 * 619 s brought them again, in domain 8 only).  A collector that starts
 * after the exporter therefore decodes nothing for up to ten minutes, and
 * records of an observation domain other than the one the templates
 * happened to go to may never be decoded.  Hence:
 *
 *   - Either use one obs_domain_id per collector set (and put what tells
 *     samples apart in obs_point_id, 32 bits, which every record
 *     carries), or call ipfix_parser_set_shared_templates(): an Open
 *     vSwitch exporter's template of a given id is the same in every
 *     domain (the id stands for a packet shape), so the templates it
 *     sent to one domain decode the records of all.
 *
 *   - On start, make ovs-vswitchd create the exporter afresh, so that it
 *     sends the templates before its next data record.  Changing the
 *     target port of the IPFIX row in one transaction does NOT do that in
 *     Open vSwitch 3.1: the exporter of the collector set is kept (only
 *     its socket is replaced) and the templates are not re-sent, so the
 *     new port gets data it cannot decode for up to ten minutes.  Remove
 *     the collector set's targets (or the Flow_Sample_Collector_Set row)
 *     in one transaction and, once ovs-vswitchd has applied it (ovs-vsctl
 *     waits for that unless given --no-wait), set them again in a second
 *     transaction: the exporter is then destroyed and re-created.
 *
 *   - Watch the count of data sets skipped for want of a template
 *     (ipfix_parser_get_counters()): if it grows, templates were lost
 *     (UDP drops them too) and the exporter should be re-created again.
 */
#ifndef IPFIX_H
#define IPFIX_H 1

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/compiler.h"

struct ds;

/* Default number of templates a parser remembers. */
#define IPFIX_MAX_TEMPLATES 1024

/* Most fields a template may have. */
#define IPFIX_MAX_FIELDS 1024

/* One flow record of a data set: the fields the detector uses. */
struct ipfix_record {
    uint32_t obs_domain_id;   /* From the message header. */
    uint32_t obs_point_id;    /* observationPointId (IE 138); 0 if absent. */
    uint8_t ip_version;       /* 4 or 6; 0 if the record has no IP address. */
    struct in6_addr src, dst; /* IPv4 addresses as IPv4-mapped IPv6. */
    uint8_t protocol;         /* protocolIdentifier (IE 4); 0 if absent. */
    uint16_t src_port, dst_port; /* IE 7 and 11; 0 if absent. */
    uint64_t octets;          /* octetDeltaCount (IE 1); 0 if absent. */
    uint64_t packets;         /* packetDeltaCount (IE 2); 0 if absent. */
};

/* A parser's counters, since it was created. */
struct ipfix_parser_counters {
    uint64_t messages;          /* Messages fed, malformed ones included. */
    uint64_t errors;            /* Messages in which a problem was found. */
    uint64_t records;           /* Flow records delivered to callbacks. */
    uint64_t options_records;   /* Options data records (not delivered). */
    uint64_t sets_no_template;  /* Data sets skipped: template unknown. */
    uint64_t templates_evicted; /* Templates evicted to make room. */
    size_t n_templates;         /* Templates known now (options included). */
    size_t n_options_templates; /* Options templates known now. */
};

struct ipfix_parser;          /* Remembers templates between messages. */
struct ipfix_parser *ipfix_parser_create(void);
void ipfix_parser_destroy(struct ipfix_parser *);   /* accepts NULL */
void ipfix_parser_set_max_templates(struct ipfix_parser *, size_t max);
void ipfix_parser_set_shared_templates(struct ipfix_parser *, bool shared);

/* Parses one IPFIX message of 'len' bytes; calls 'cb' for each data record it
 * can decode with a known template.  Returns NULL, or a malloc'd error
 * describing the first problem (what is malformed and at which offset);
 * records before the problem are still delivered. */
char *ipfix_parser_feed(struct ipfix_parser *, const void *msg, size_t len,
                        void (*cb)(const struct ipfix_record *, void *aux),
                        void *aux) OVS_WARN_UNUSED_RESULT;

/* Counters for status output: messages, records, records skipped for want of a
 * template, templates known. */
void ipfix_parser_stats(const struct ipfix_parser *, struct ds *);
void ipfix_parser_get_counters(const struct ipfix_parser *,
                               struct ipfix_parser_counters *);

void ipfix_record_format(const struct ipfix_record *, struct ds *);

#endif /* lib/ipfix.h */
