/*-------------------------------------------------------------------------
 *
 * direct.c
 *	  Row access to the extension's own tables without the executor: find
 *	  a row by its unique key, update, insert or delete it, lock it, and
 *	  read the first row of an index range.
 *
 *	  A write of one deal or activity changes one figures row, perhaps a
 *	  row of figures_by_currency and a day or two of the board.  Planning
 *	  and starting a statement for each of these costs several times the
 *	  change itself, so the triggers change these rows here, through the
 *	  table access method and the indexes, as logical replication's apply
 *	  does (execReplication.c).
 *
 *	  Rows are found with a dirty snapshot: if an open transaction is
 *	  writing the row, we wait for it and look again, so that the version
 *	  found is the latest one.  Every row written here has one writer at a
 *	  time by construction (a figures row and the organization's currency
 *	  rows are written only by the holder of the figures row; a board row
 *	  only by the backend whose slot it is), so an update rarely finds the
 *	  row changed under it; when it does (TM_Updated), the caller looks it
 *	  up again and recomputes from the new version, as UPDATE does in READ
 *	  COMMITTED.  The rows hold sums of deltas, and a delta applied to the
 *	  latest version is right at every isolation level.
 *
 *	  Each write is followed by CommandCounterIncrement(), so that the next
 *	  write and the next lookup of the same statement see it.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "storage/lmgr.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "accounts.h"

/*
 * The equality function of key column attno (1-based) of an index, by the
 * operator family of that column.
 */
static void
equality_function(Relation index, int attno, FmgrInfo *finfo)
{
	Oid			opfamily = index->rd_opfamily[attno - 1];
	Oid			optype = index->rd_opcintype[attno - 1];
	Oid			op = get_opfamily_member(opfamily, optype, optype,
										 BTEqualStrategyNumber);

	if (!OidIsValid(op))
		elog(ERROR, "missing equality operator for column %d of index \"%s\"",
			 attno, RelationGetRelationName(index));
	fmgr_info(get_opcode(op), finfo);
}

/* Scan key k of an index: column k + 1 equal to value, or NULL. */
static void
equality_key(ScanKey key, Relation index, int k, FmgrInfo *finfo,
			 Datum value, bool isnull)
{
	if (isnull)
		ScanKeyEntryInitialize(key, SK_ISNULL | SK_SEARCHNULL, k + 1,
							   InvalidStrategy, InvalidOid, InvalidOid,
							   InvalidOid, (Datum) 0);
	else
		ScanKeyEntryInitializeWithInfo(key, 0, k + 1, BTEqualStrategyNumber,
									   InvalidOid, index->rd_indcollation[k],
									   finfo, value);
}

/*
 * Open table relname of schema accounts for writing, and find rows by its
 * unique index indexname.  The other indexes are opened on the first write
 * that needs index entries: most updates here are HOT.
 */
DirectTable *
direct_open(const char *relname, const char *indexname)
{
	DirectTable *t = palloc0(sizeof(DirectTable));

	t->cxt = CurrentMemoryContext;
	t->rel = table_open(accounts_relid(relname), RowExclusiveLock);
	t->index = index_open(accounts_relid(indexname), RowExclusiveLock);
	t->nkeys = IndexRelationGetNumberOfKeyAttributes(t->index);
	/* the slots and the row access below are those of a heap table */
	if (t->rel->rd_tableam != GetHeapamTableAmRoutine() ||
		t->index->rd_index->indrelid != RelationGetRelid(t->rel) ||
		!t->index->rd_index->indisunique || t->nkeys > DIRECT_MAX_KEYS)
		elog(ERROR, "accounts.%s is not a heap table with unique index %s of at most %d columns",
			 relname, indexname, DIRECT_MAX_KEYS);
	for (int k = 0; k < t->nkeys; k++)
		equality_function(t->index, k + 1, &t->eq[k]);
	t->found = table_slot_create(t->rel, NULL);
	t->row = MakeSingleTupleTableSlot(RelationGetDescr(t->rel), &TTSOpsVirtual);
	return t;
}

void
direct_close(DirectTable *t)
{
	ExecDropSingleTupleTableSlot(t->found);
	ExecDropSingleTupleTableSlot(t->row);
	if (t->rri != NULL)
	{
		ExecCloseIndices(t->rri);
		FreeExecutorState(t->estate);
	}
	index_close(t->index, NoLock);
	table_close(t->rel, NoLock);
	pfree(t);
}

/*
 * Find the latest version of the row whose unique key is key (isnull per
 * column; NULL for none), waiting for any open transaction that writes it.
 * On success t->found holds it, with all attributes fetched.
 */
bool
direct_find(DirectTable *t, const Datum *key, const bool *isnull)
{
	ScanKeyData keys[DIRECT_MAX_KEYS];
	SnapshotData dirty;
	IndexScanDesc scan;
	bool		found;

	for (int k = 0; k < t->nkeys; k++)
		equality_key(&keys[k], t->index, k, &t->eq[k], key[k],
					 isnull != NULL && isnull[k]);

	InitDirtySnapshot(dirty);
	scan = index_beginscan(t->rel, t->index, &dirty, t->nkeys, 0);
	for (;;)
	{
		TransactionId xwait;

		index_rescan(scan, keys, t->nkeys, NULL, 0);
		found = index_getnext_slot(scan, ForwardScanDirection, t->found);
		if (!found)
			break;
		xwait = TransactionIdIsValid(dirty.xmin) ? dirty.xmin : dirty.xmax;
		if (!TransactionIdIsValid(xwait))
			break;
		XactLockTableWait(xwait, t->rel, &t->found->tts_tid, XLTW_Update);
	}
	index_endscan(scan);
	if (found)
		slot_getallattrs(t->found);
	return found;
}

/*
 * Lock the row found (FOR NO KEY UPDATE), following its updates to the
 * latest version, which replaces it in t->found.  Returns false if the row
 * was deleted meanwhile.  After this, an update of the row cannot fail, and
 * a snapshot taken now sees every committed change that was made under the
 * same lock.
 */
bool
direct_lock(DirectTable *t)
{
	TM_FailureData tmfd;
	TM_Result	res;

	res = table_tuple_lock(t->rel, &t->found->tts_tid, GetLatestSnapshot(),
						   t->found, GetCurrentCommandId(true),
						   LockTupleNoKeyExclusive, LockWaitBlock,
						   TUPLE_LOCK_FLAG_FIND_LAST_VERSION, &tmfd);
	switch (res)
	{
		case TM_Ok:
			slot_getallattrs(t->found);
			return true;
		case TM_Deleted:
			return false;
		default:
			elog(ERROR, "unexpected table_tuple_lock status %d on \"%s\"",
				 (int) res, RelationGetRelationName(t->rel));
	}
	return false;				/* keep compiler quiet */
}

/* What follows every write: its index entries, and the command counter. */
static void
after_write(DirectTable *t, bool update, bool insert_indexes)
{
	if (insert_indexes)
	{
		List	   *recheck;

		if (t->rri == NULL)
		{
			MemoryContext old = MemoryContextSwitchTo(t->cxt);

			t->estate = CreateExecutorState();
			t->rri = makeNode(ResultRelInfo);
			InitResultRelInfo(t->rri, t->rel, 0, NULL, 0);
			ExecOpenIndices(t->rri, false);
			MemoryContextSwitchTo(old);
		}

		recheck = ExecInsertIndexTuples(t->rri, t->row, t->estate, update,
#if PG_VERSION_NUM >= 160000
										false,
#endif
										false, NULL, NIL);
		list_free(recheck);
		ResetPerTupleExprContext(t->estate);
	}
	CommandCounterIncrement();
}

/*
 * Replace the row found by the virtual tuple in t->row.  Returns false if
 * another transaction changed or deleted the row after it was found: find
 * it again and recompute.
 */
bool
direct_update(DirectTable *t)
{
	TM_FailureData tmfd;
	TM_Result	res;
	LockTupleMode lockmode;
#if PG_VERSION_NUM >= 160000
	TU_UpdateIndexes update_indexes;
#else
	bool		update_indexes;
#endif

	CheckCmdReplicaIdentity(t->rel, CMD_UPDATE);
	ExecStoreVirtualTuple(t->row);
	res = table_tuple_update(t->rel, &t->found->tts_tid, t->row,
							 GetCurrentCommandId(true), InvalidSnapshot,
							 InvalidSnapshot, true, &tmfd, &lockmode,
							 &update_indexes);
	if (res == TM_Updated || res == TM_Deleted)
		return false;
	if (res != TM_Ok)
		elog(ERROR, "unexpected table_tuple_update status %d on \"%s\"",
			 (int) res, RelationGetRelationName(t->rel));
#if PG_VERSION_NUM >= 160000
	after_write(t, true, update_indexes != TU_None);
#else
	after_write(t, true, update_indexes);
#endif
	return true;
}

/* Insert the virtual tuple in t->row. */
void
direct_insert(DirectTable *t)
{
	ExecStoreVirtualTuple(t->row);
	table_tuple_insert(t->rel, t->row, GetCurrentCommandId(true), 0, NULL);
	after_write(t, false, true);
}

/* Delete the row found; false as for direct_update. */
bool
direct_delete(DirectTable *t)
{
	TM_FailureData tmfd;
	TM_Result	res;

	CheckCmdReplicaIdentity(t->rel, CMD_DELETE);
	res = table_tuple_delete(t->rel, &t->found->tts_tid,
							 GetCurrentCommandId(true), InvalidSnapshot,
							 InvalidSnapshot, true, &tmfd, false);
	if (res == TM_Updated || res == TM_Deleted)
		return false;
	if (res != TM_Ok)
		elog(ERROR, "unexpected table_tuple_delete status %d on \"%s\"",
			 (int) res, RelationGetRelationName(t->rel));
	after_write(t, false, false);
	return true;
}

/*
 * Start t->row from the row found (to update it), or from all NULLs (to
 * insert one).
 */
void
direct_row_from_found(DirectTable *t)
{
	int			natts = t->row->tts_tupleDescriptor->natts;

	ExecClearTuple(t->row);
	memcpy(t->row->tts_values, t->found->tts_values, natts * sizeof(Datum));
	memcpy(t->row->tts_isnull, t->found->tts_isnull, natts * sizeof(bool));
}

void
direct_row_empty(DirectTable *t)
{
	int			natts = t->row->tts_tupleDescriptor->natts;

	ExecClearTuple(t->row);
	memset(t->row->tts_values, 0, natts * sizeof(Datum));
	memset(t->row->tts_isnull, true, natts * sizeof(bool));
}

/*
 * An index of a base table whose first column is an organization id, to
 * read the first row of one organization in either direction.
 */
DirectRange *
direct_range_open(const char *relname, const char *indexname)
{
	DirectRange *r = palloc(sizeof(DirectRange));

	r->rel = table_open(accounts_relid(relname), AccessShareLock);
	r->index = index_open(accounts_relid(indexname), AccessShareLock);
	equality_function(r->index, 1, &r->eq);
	r->slot = table_slot_create(r->rel, NULL);
	return r;
}

void
direct_range_close(DirectRange *r)
{
	ExecDropSingleTupleTableSlot(r->slot);
	index_close(r->index, NoLock);
	table_close(r->rel, NoLock);
	pfree(r);
}

/*
 * The first row, in direction dir, of the index entries whose first column
 * is key, visible to snapshot and accepted by filter.  r->slot holds it,
 * with all attributes fetched.
 */
bool
direct_range_first(DirectRange *r, Datum key, ScanDirection dir,
				   Snapshot snapshot, DirectFilter filter, void *arg)
{
	ScanKeyData scankey;
	IndexScanDesc scan;
	bool		found = false;

	equality_key(&scankey, r->index, 0, &r->eq, key, false);
	scan = index_beginscan(r->rel, r->index, snapshot, 1, 0);
	index_rescan(scan, &scankey, 1, NULL, 0);
	while (index_getnext_slot(scan, dir, r->slot))
	{
		slot_getallattrs(r->slot);
		if (filter == NULL || filter(r->slot, arg))
		{
			found = true;
			break;
		}
	}
	index_endscan(scan);
	return found;
}
