/*
 * Tunnel-key allocation.
 *
 * A tunnel key identifies a datapath (in the Geneve VNI) or a logical port
 * within its datapath (in the Geneve option) on the wire, so it must be
 * unique in its space and must not change while the object exists: a key
 * that moved would break every host's flows at once.  A "struct
 * tunnel_keys" is one such space, [min, max], as a bitmap of the keys in
 * use.  Callers first reserve the keys that existing rows already hold
 * (so that a restart or a failover keeps them), then allocate new ones:
 * allocation always returns the lowest free key, so identical inputs give
 * identical keys.
 *
 * Ownership: the structure owns its bitmap; tunnel_keys_destroy() frees
 * it and accepts a structure that was never initialized beyond zero.
 */
#ifndef TUNNEL_KEYS_H
#define TUNNEL_KEYS_H 1

#include <stdbool.h>
#include <stdint.h>

/* A space of tunnel keys [min, max]. */
struct tunnel_keys {
    unsigned long *used;        /* Bit (key - min) set if key is in use. */
    uint32_t min;               /* Lowest key of the space. */
    uint32_t max;               /* Highest key of the space. */
    uint32_t lowest_free;       /* No key below this one is free. */
    uint32_t n_used;            /* Number of keys in use. */
};

void tunnel_keys_init(struct tunnel_keys *, uint32_t min, uint32_t max);
void tunnel_keys_destroy(struct tunnel_keys *);
void tunnel_keys_clear(struct tunnel_keys *);

bool tunnel_keys_reserve(struct tunnel_keys *, uint32_t key);
uint32_t tunnel_keys_alloc(struct tunnel_keys *);
void tunnel_keys_release(struct tunnel_keys *, uint32_t key);
bool tunnel_keys_in_use(const struct tunnel_keys *, uint32_t key);

#endif /* lib/tunnel-keys.h */
