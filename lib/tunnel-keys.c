#include <config.h>

#include "lib/tunnel-keys.h"

#include "bitmap.h"

/* Initializes 'keys' as an empty space of keys 'min' through 'max'
 * inclusive.  'min' must be at least 1 and not above 'max'. */
void
tunnel_keys_init(struct tunnel_keys *keys, uint32_t min, uint32_t max)
{
    keys->min = min;
    keys->max = max;
    keys->used = bitmap_allocate(max - min + 1);
    keys->lowest_free = min;
    keys->n_used = 0;
}

/* Frees the memory 'keys' owns. */
void
tunnel_keys_destroy(struct tunnel_keys *keys)
{
    if (keys) {
        bitmap_free(keys->used);
        keys->used = NULL;
        keys->n_used = 0;
    }
}

/* Marks every key of 'keys' free. */
void
tunnel_keys_clear(struct tunnel_keys *keys)
{
    bitmap_set_multiple(keys->used, 0, keys->max - keys->min + 1, false);
    keys->lowest_free = keys->min;
    keys->n_used = 0;
}

/* Returns true if 'key' is inside the space of 'keys' and in use. */
bool
tunnel_keys_in_use(const struct tunnel_keys *keys, uint32_t key)
{
    return (key >= keys->min && key <= keys->max
            && bitmap_is_set(keys->used, key - keys->min));
}

/* Marks 'key' in use.  Returns false, changing nothing, if 'key' is
 * outside the space or already in use (a duplicate the caller must not
 * keep). */
bool
tunnel_keys_reserve(struct tunnel_keys *keys, uint32_t key)
{
    if (key < keys->min || key > keys->max
        || bitmap_is_set(keys->used, key - keys->min)) {
        return false;
    }
    bitmap_set1(keys->used, key - keys->min);
    keys->n_used++;
    return true;
}

/* Allocates and returns the lowest free key, or 0 if every key is in
 * use. */
uint32_t
tunnel_keys_alloc(struct tunnel_keys *keys)
{
    size_t n_bits = keys->max - keys->min + 1;
    size_t start = keys->lowest_free - keys->min;
    size_t bit = bitmap_scan(keys->used, false, start, n_bits);
    if (bit >= n_bits) {
        keys->lowest_free = keys->max + 1;
        return 0;
    }
    bitmap_set1(keys->used, bit);
    keys->n_used++;
    keys->lowest_free = keys->min + bit + 1;
    return keys->min + bit;
}

/* Marks 'key' free again.  A key that is not in use is ignored. */
void
tunnel_keys_release(struct tunnel_keys *keys, uint32_t key)
{
    if (tunnel_keys_in_use(keys, key)) {
        bitmap_set0(keys->used, key - keys->min);
        keys->n_used--;
        if (key < keys->lowest_free) {
            keys->lowest_free = key;
        }
    }
}
