#include <config.h>

#include "lib/rampout.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "packets.h"
#include "util.h"

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

/* Parses 'entry', one of a colour's gateways as NB Color:rampout_chassis
 * holds it: "CHASSIS:PRIORITY" (0 to 32767, decimal), or "CHASSIS" for
 * priority 0.  On success stores a copy of the chassis name in '*chassis'
 * (the caller frees it) and the priority in '*priority' and returns NULL;
 * otherwise returns an error message (the caller frees it). */
char *
rampout_color_gateway_parse(const char *entry, char **chassis,
                            int64_t *priority)
{
    const char *colon = strchr(entry, ':');
    size_t len = colon ? colon - entry : strlen(entry);
    *chassis = NULL;
    *priority = 0;
    if (!len || strcspn(entry, " \t,") < len) {
        return xasprintf("\"%s\": invalid chassis name", entry);
    }
    if (colon) {
        const char *p = colon + 1;
        int64_t value = 0;
        if (!*p) {
            return xasprintf("%s: missing priority after ':'", entry);
        }
        for (; *p; p++) {
            if (*p < '0' || *p > '9' || value > 32767) {
                break;
            }
            value = value * 10 + (*p - '0');
        }
        if (*p || value > 32767) {
            return xasprintf("%s: invalid priority (expected an integer "
                             "from 0 to 32767)", entry);
        }
        *priority = value;
    }
    *chassis = xmemdup0(entry, len);
    return NULL;
}
