#include <config.h>

#include "lib/rampout.h"

#include <string.h>

#include "packets.h"

/* Returns the source MAC of the traffic of ramp-out rule 'rule' of the
 * router with datapath key 'dp_key'. */
struct eth_addr
rampout_rule_mac(uint32_t dp_key, uint32_t rule)
{
    struct eth_addr ea = { .ea = {
        0x02, 0x0e, (dp_key >> 16) & 0xff, (dp_key >> 8) & 0xff,
        dp_key & 0xff, rule & 0xff,
    } };
    return ea;
}

/* Compares two SB Rampout names, as the rule numbering orders them. */
int
rampout_name_cmp(const char *a, const char *b)
{
    return strcmp(a, b);
}
