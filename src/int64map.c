/*-------------------------------------------------------------------------
 *
 * int64map.c
 *	  Entries by an int64 key, for what one statement gathers per
 *	  organization or per day (see Int64Map in accounts.h).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "utils/hsearch.h"
#include "utils/memutils.h"

#include "accounts.h"

/* An empty map of entries of entrysize bytes, in the current context. */
void
int64map_init(Int64Map *map, Size entrysize)
{
	Assert(entrysize >= sizeof(int64));
	map->entrysize = entrysize;
	map->ninline = 0;
	map->inline_entries = NULL;
	map->rest = NULL;
	map->cxt = CurrentMemoryContext;
}

/* The entry of key, made (zeroed, but for the key) if not found. */
void *
int64map_enter(Int64Map *map, int64 key, bool *found)
{
	char	   *entry;

	for (int i = 0; i < map->ninline; i++)
	{
		entry = map->inline_entries + i * map->entrysize;
		if (*(int64 *) entry == key)
		{
			*found = true;
			return entry;
		}
	}
	if (map->ninline < INT64MAP_INLINE)
	{
		if (map->inline_entries == NULL)
			map->inline_entries = MemoryContextAlloc(map->cxt,
													 INT64MAP_INLINE * map->entrysize);
		entry = map->inline_entries + map->ninline++ * map->entrysize;
		*found = false;
	}
	else
	{
		if (map->rest == NULL)
		{
			HASHCTL		ctl;

			ctl.keysize = sizeof(int64);
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
	*(int64 *) entry = key;
	return entry;
}

long
int64map_count(Int64Map *map)
{
	return map->ninline + (map->rest ? hash_get_num_entries(map->rest) : 0);
}

void
int64map_iter_init(Int64MapIter *it, Int64Map *map)
{
	it->map = map;
	it->next_inline = 0;
	it->in_rest = false;
}

/* The next entry, or NULL after the last. */
void *
int64map_iter_next(Int64MapIter *it)
{
	Int64Map   *map = it->map;

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
