/*-------------------------------------------------------------------------
 *
 * compat.h
 *	  What differs between the PostgreSQL versions the extension builds
 *	  on (15 to 18), so that the rest of the code reads as one version:
 *	  the code is written for the newest, and older versions get the
 *	  newer names here.
 *
 *	  Each branch is compiled by test/matrix on 15, 17 or 18.  16 takes
 *	  17's branch of the update's index hint and 15's of the backend
 *	  number; it is not tested.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ACCOUNTS_COMPAT_H
#define ACCOUNTS_COMPAT_H

#include "access/genam.h"
#include "access/tableam.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"

#if PG_VERSION_NUM < 150000
#error "accounts needs PostgreSQL 15 or later"
#endif

/*
 * 17 numbers backends from 0 (MyProcNumber); before, from 1 (MyBackendId).
 * The extension numbers them from 1 either way.
 */
#if PG_VERSION_NUM >= 170000
#include "storage/procnumber.h"
#define accounts_backend_number() (MyProcNumber + 1)
#else
#include "storage/backendid.h"
#define accounts_backend_number() ((int) MyBackendId)
#endif

/*
 * 18 counts the index searches of a scan for EXPLAIN (instrument); the
 * extension's scans pass none.
 */
#if PG_VERSION_NUM >= 180000
#define index_beginscan_compat(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan(heap, index, snapshot, NULL, nkeys, norderbys)
#else
#define index_beginscan_compat(heap, index, snapshot, nkeys, norderbys) \
	index_beginscan(heap, index, snapshot, nkeys, norderbys)
#endif

/*
 * 16 tells after an update which indexes need an entry for the new
 * version: none (a HOT update), all, or only the summarizing ones (BRIN),
 * which a HOT update must still tell of the new version.  15 tells all or
 * none, and has no summarizing exception.
 */
#if PG_VERSION_NUM < 160000
typedef enum TU_UpdateIndexes
{
	TU_None,
	TU_All,
	TU_Summarizing
} TU_UpdateIndexes;

#define IndexInfoIsSummarizing(ii) false
#else
#define IndexInfoIsSummarizing(ii) ((ii)->ii_Summarizing)
#endif

static inline TM_Result
table_tuple_update_compat(Relation rel, ItemPointer otid, TupleTableSlot *slot,
						  CommandId cid, Snapshot snapshot, Snapshot crosscheck,
						  bool wait, TM_FailureData *tmfd,
						  LockTupleMode *lockmode,
						  TU_UpdateIndexes *update_indexes)
{
#if PG_VERSION_NUM >= 160000
	return table_tuple_update(rel, otid, slot, cid, snapshot, crosscheck,
							  wait, tmfd, lockmode, update_indexes);
#else
	bool		all = false;
	TM_Result	res;

	res = table_tuple_update(rel, otid, slot, cid, snapshot, crosscheck,
							 wait, tmfd, lockmode, &all);
	*update_indexes = all ? TU_All : TU_None;
	return res;
#endif
}

#endif							/* ACCOUNTS_COMPAT_H */
