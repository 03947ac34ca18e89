/*
 * Building the packets that packet-in handlers answer with.
 *
 * reject (controller/pinctrl-reject.h) answers a refused packet itself,
 * from its destination back to its source; icmp4 and icmp6
 * (controller/pinctrl-icmp.h) build an error in the direction of the
 * original packet and leave the swap of addresses to the nested actions
 * that northd writes, as OVN does.  Both build the headers and the
 * ICMP error here.
 */
#ifndef CONTROLLER_PINCTRL_PACKET_H
#define CONTROLLER_PINCTRL_PACKET_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct dp_packet;
struct flow;

/* Which way a built packet goes: as the original packet 'f' went, or
 * back to its source. */
enum pinctrl_direction {
    PINCTRL_AS_ORIGINAL,
    PINCTRL_BACK
};

void pinctrl_put_eth(struct dp_packet *, const struct flow *,
                     enum pinctrl_direction);
void pinctrl_put_ip(struct dp_packet *, const struct flow *,
                    enum pinctrl_direction, uint8_t proto, uint8_t ttl,
                    size_t l4_len);
void pinctrl_set_l4_csum(struct dp_packet *, void *csum_field);
void pinctrl_build_icmp_error(struct dp_packet *, const struct flow *,
                              enum pinctrl_direction, uint8_t ttl,
                              uint8_t type, uint8_t code,
                              const void *l3, size_t l3_len);

#endif /* controller/pinctrl-packet.h */
