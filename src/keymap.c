/*-------------------------------------------------------------------------
 *
 * keymap.c
 *	  Entries by a tenant and an id, for what one statement gathers per
 *	  organization or per day (see KeyMap in accounts.h).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "accounts.h"

/* An empty map of entries of entrysize bytes, in the current context. */
void
keymap_init(KeyMap *map, Size entrysize)
{
	Assert(entrysize >= sizeof(MapKey));
	map->entrysize = entrysize;
	map->ninline = 0;
	map->inline_entries = NULL;
	map->rest = NULL;
	map->cxt = CurrentMemoryContext;
}

/* The entry of (tenant_id, id), made (zeroed, but for the key) if not found. */
void *
keymap_enter(KeyMap *map, int64 tenant_id, int64 id, bool *found)
{
	MapKey		key;
	char	   *entry;

	memset(&key, 0, sizeof(key));
	key.tenant_id = tenant_id;
	key.id = id;
	for (int i = 0; i < map->ninline; i++)
	{
		entry = map->inline_entries + i * map->entrysize;
		if (((MapKey *) entry)->id == id && ((MapKey *) entry)->tenant_id == tenant_id)
		{
			*found = true;
			return entry;
		}
	}
	if (map->ninline < KEYMAP_INLINE)
	{
		if (map->inline_entries == NULL)
			map->inline_entries = MemoryContextAlloc(map->cxt,
													 KEYMAP_INLINE * map->entrysize);
		entry = map->inline_entries + map->ninline++ * map->entrysize;
		*found = false;
	}
	else
	{
		if (map->rest == NULL)
		{
			HASHCTL		ctl;

			ctl.keysize = sizeof(MapKey);
			ctl.entrysize = map->entrysize;
			ctl.hcxt = map->cxt;
			map->rest = hash_create("accounts statement entries", 64, &ctl,
									HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		}
		entry = hash_search(map->rest, &key, HASH_ENTER, found);
		if (*found)
			return entry;
	}
	memset(entry, 0, map->entrysize);
	*(MapKey *) entry = key;
	return entry;
}

long
keymap_count(KeyMap *map)
{
	return map->ninline + (map->rest ? hash_get_num_entries(map->rest) : 0);
}

void
keymap_iter_init(KeyMapIter *it, KeyMap *map)
{
	it->map = map;
	it->next_inline = 0;
	it->in_rest = false;
}

/* The next entry, or NULL after the last. */
void *
keymap_iter_next(KeyMapIter *it)
{
	KeyMap   *map = it->map;

	if (it->next_inline < map->ninline)
		return map->inline_entries + it->next_inline++ * map->entrysize;
	if (map->rest == NULL)
		return NULL;
	if (!it->in_rest)
	{
		hash_seq_init(&it->seq, map->rest);
		it->in_rest = true;
	}
	return hash_seq_search(&it->seq);
}
