/*-------------------------------------------------------------------------
 *
 * direct.c
 *	  Row access to the extension's own tables without the executor: find
 *	  a row by its unique key, update, insert or delete it, and
 *	  read the first row of an index range.
 *
 *	  A write of one deal or activity changes one figures row, perhaps a
 *	  row of figures_by_currency and a day or two of the board.  Planning
 *	  and starting a statement for each of these costs several times the
 *	  change itself, so the triggers change these rows here, through the
 *	  table access method and the indexes.  Rows are found as logical
 *	  replication's apply finds them (execReplication.c), but written
 *	  without the executor: no constraint, default, trigger or rule that
 *	  an owner adds to these tables runs here.
 *
 *	  Rows are found with a dirty snapshot: if an open transaction is
 *	  writing the row, we wait for it and look again, so that the version
 *	  found is the latest one.  Every row written here has one writer at a
 *	  time by construction (a figures row and the organization's currency
 *	  rows are written only by the holder of the figures row; a board row
 *	  only by the backend whose slot it is), so an update rarely finds the
 *	  row changed under it; when it does (TM_Updated), the caller looks it
 *	  up again and recomputes from the new version, as UPDATE does in READ
 *	  COMMITTED.  The rows hold sums of deltas, so a delta applied to the
 *	  latest version keeps them exact; under SERIALIZABLE the figures
 *	  refuse a version the snapshot does not see (figures.c), as UPDATE
 *	  does.
 *
 *	  Each write is followed by CommandCounterIncrement(), so that the next
 *	  write and the next lookup of the same statement see it.
 *
 *	  What the writes need of a table's indexes (their IndexInfo, predicate
 *	  and expression states, the equality functions of the lookup keys) is
 *	  built once per backend and kept until an invalidation of the table or
 *	  one of its indexes, instead of in every statement as ExecOpenIndices
 *	  and ExecInsertIndexTuples do.  With it, a backend may remember where
 *	  it last saw each row (direct_remember), and read it there before it
 *	  searches the index.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/heapam.h"
#include "access/relscan.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "common/hashfn.h"
#include "executor/executor.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "accounts.h"
#include "direct.h"

#define DIRECT_MAX_KEYS 3

typedef struct KeptIndexes KeptIndexes;

/* A table of the extension written row by row. */
struct DirectTable
{
	Relation	rel;
	TableInfo	info;			/* its columns */
	Relation	index;			/* the unique index that finds rows */
	int			nkeys;
	int			skip;			/* keys of the callers not in index: the
								 * tenant, in a table made before 0.7 */
	KeptIndexes *def;			/* what the backend keeps of rel's indexes */
	FmgrInfo   *eq;				/* equality of each key column (in def) */
	Relation   *indexes;		/* every index, opened on the first write
								 * that needs entries */
	TupleTableSlot *found;		/* the row found */
	ItemPointerData found_root; /* where its HOT chain starts */
	TupleTableSlot *row;		/* the row to write: virtual */
	TupleTableSlot *taken;		/* a row of direct_take(), made on first use */
	bool		remember;		/* see direct_remember() */
	BlockNumber nblocks;		/* pages of rel, once counted */
	MemoryContext cxt;			/* where all of this lives */
};

/* An index of a base table, to read one organization's first row. */
struct OrgScan
{
	Relation	rel;
	TableInfo	info;			/* its columns */
	Relation	index;
	int			nkeys;			/* 2: an organization and its tenant (0.7 on);
								 * 1: an organization (tables made before) */
	bool		tenant_first;	/* the tenant is the first of the two */
	FmgrInfo   *eq;
	TupleTableSlot *slot;
};


/* What a write needs of one index, kept across statements. */
typedef struct DirectIndex
{
	Oid			indexoid;
	IndexInfo  *info;
	ExprState  *predicate;		/* NULL unless partial */
	List	   *expressions;	/* ExprStates of the expression columns */
	int			eq_nkeys;		/* eq[] is set for this many key columns */
	FmgrInfo	eq[DIRECT_MAX_KEYS];	/* equality of the first key columns */
} DirectIndex;

/* What the backend keeps of one table's indexes. */
struct KeptIndexes
{
	Oid			relid;
	bool		valid;			/* false once the table or an index changed */
	bool		writable;		/* the IndexInfos below are built */
	MemoryContext cxt;			/* holds all of the below */
	int			nindexes;
	DirectIndex *indexes;
	ExprContext *econtext;		/* to evaluate predicates and expressions */
	struct RememberedRow *remembered;	/* see direct_remember() */
	uint32		nremembered;	/* a power of two */
};

static bool fetch_version(DirectTable *t, ItemPointer tid, Snapshot snapshot,
						  bool *all_dead);

/* The key of a remembered row: by-value key columns only. */
typedef struct RememberedKey
{
	Datum		value[DIRECT_MAX_KEYS];
	bool		isnull[DIRECT_MAX_KEYS];
} RememberedKey;

typedef struct RememberedRow
{
	RememberedKey key;
	ItemPointerData tid;		/* invalid: an empty place */
} RememberedRow;

typedef struct KeptIndexesEntry
{
	Oid			relid;			/* hash key */
	KeptIndexes *def;
} KeptIndexesEntry;

static HTAB *direct_defs = NULL;

/*
 * Definitions that an invalidation replaced, freed at the end of the
 * transaction: a DirectTable of this transaction may still point into one.
 */
static List *retired_defs = NIL;
static bool xact_callback_registered = false;

/* invalidations seen, to tell whether one came while a definition was built */
static uint64 direct_invalidations = 0;

static void
free_retired_defs(XactEvent event, void *arg)
{
	ListCell   *lc;

	if (retired_defs == NIL)
		return;
	if (event != XACT_EVENT_COMMIT && event != XACT_EVENT_ABORT &&
		event != XACT_EVENT_PARALLEL_COMMIT &&
		event != XACT_EVENT_PARALLEL_ABORT && event != XACT_EVENT_PREPARE)
		return;
	foreach(lc, retired_defs)
		MemoryContextDelete(((KeptIndexes *) lfirst(lc))->cxt);
	list_free(retired_defs);
	retired_defs = NIL;
}

/*
 * The relcache callback: relid (a table, an index, or InvalidOid for all)
 * changed.  Definitions are only marked here; direct_def() replaces them.
 */
void
direct_forget(Oid relid)
{
	HASH_SEQ_STATUS status;
	KeptIndexesEntry *entry;

	direct_invalidations++;
	if (direct_defs == NULL)
		return;
	hash_seq_init(&status, direct_defs);
	while ((entry = hash_seq_search(&status)) != NULL)
	{
		KeptIndexes *def = entry->def;

		if (def == NULL || !def->valid)
			continue;
		if (!OidIsValid(relid) || def->relid == relid)
			def->valid = false;
		else
			for (int i = 0; i < def->nindexes; i++)
				if (def->indexes[i].indexoid == relid)
					def->valid = false;
	}
}

/*
 * The list of rel's indexes.  What writes need of each is built by
 * prepare_writes(), for the tables written here; the base tables read by
 * OrgScan only need the equality functions of one index.
 */
static KeptIndexes *
build_def(Relation rel)
{
	MemoryContext cxt = AllocSetContextCreate(CacheMemoryContext,
											  "accounts direct table",
											  ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	KeptIndexes *def = palloc0(sizeof(KeptIndexes));
	List	   *indexoids = RelationGetIndexList(rel);
	ListCell   *lc;
	int			i = 0;

	def->relid = RelationGetRelid(rel);
	def->valid = true;
	def->cxt = cxt;
	def->nindexes = list_length(indexoids);
	def->indexes = palloc0(Max(def->nindexes, 1) * sizeof(DirectIndex));
	foreach(lc, indexoids)
		def->indexes[i++].indexoid = lfirst_oid(lc);
	list_free(indexoids);
	MemoryContextSwitchTo(old);
	return def;
}

/*
 * What writing rows of rel needs of each index: its IndexInfo, and its
 * predicate and expressions ready to evaluate.  Returns the name of an
 * index whose constraint cannot be checked row by row (an exclusion or
 * deferrable one), or NULL.
 */
static char *
prepare_writes(KeptIndexes *def, Relation rel)
{
	MemoryContext old = MemoryContextSwitchTo(def->cxt);

	/* after an error below, the next write starts over */
	if (def->econtext == NULL)
		def->econtext = CreateStandaloneExprContext();
	for (int i = 0; i < def->nindexes; i++)
	{
		DirectIndex *di = &def->indexes[i];
		Relation	index = index_open(di->indexoid, AccessShareLock);
		IndexInfo  *ii = BuildIndexInfo(index);
		ListCell   *e;

		di->predicate = NULL;
		di->expressions = NIL;

		/* no deferred uniqueness or exclusion: checked as each row is written */
		if (ii->ii_ExclusionOps != NULL ||
			(ii->ii_Unique && !index->rd_index->indimmediate))
		{
			char	   *name = MemoryContextStrdup(old, RelationGetRelationName(index));

			index_close(index, AccessShareLock);
			MemoryContextSwitchTo(old);
			return name;
		}
		di->info = ii;
		if (ii->ii_Predicate != NIL)
			di->predicate = ExecInitQual((List *) expression_planner((Expr *) ii->ii_Predicate),
										 NULL);
		foreach(e, ii->ii_Expressions)
			di->expressions = lappend(di->expressions,
									  ExecInitExpr(expression_planner(lfirst(e)), NULL));
		index_close(index, AccessShareLock);
	}
	def->writable = true;
	MemoryContextSwitchTo(old);
	return NULL;
}

/* The definition of rel's indexes, built or rebuilt if needed. */
static KeptIndexes *
direct_def(Relation rel)
{
	Oid			relid = RelationGetRelid(rel);
	KeptIndexesEntry *entry;
	bool		found;

	if (direct_defs == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(KeptIndexesEntry);
		ctl.hcxt = CacheMemoryContext;
		direct_defs = hash_create("accounts direct tables", 16, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	if (!xact_callback_registered)
	{
		RegisterXactCallback(free_retired_defs, NULL);
		xact_callback_registered = true;
	}
	entry = hash_search(direct_defs, &relid, HASH_ENTER, &found);
	if (!found)
		entry->def = NULL;
	if (entry->def != NULL && !entry->def->valid)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		retired_defs = lappend(retired_defs, entry->def);
		MemoryContextSwitchTo(old);
		entry->def = NULL;
	}
	if (entry->def == NULL)
	{
		uint64		before = direct_invalidations;
		KeptIndexes *def = build_def(rel);

		entry = hash_search(direct_defs, &relid, HASH_ENTER, &found);
		entry->def = def;

		/*
		 * An invalidation processed while the list was read (a lock taken
		 * there reads them) found no definition to mark: this one may miss
		 * what it announced.  It serves this statement, as the relcache
		 * entry it was read from does, and is replaced at the next.
		 */
		if (direct_invalidations != before)
			def->valid = false;
	}
	return entry->def;
}

/* The slot in def of index indexoid. */
static DirectIndex *
def_index(KeptIndexes *def, Oid indexoid)
{
	for (int i = 0; i < def->nindexes; i++)
		if (def->indexes[i].indexoid == indexoid)
			return &def->indexes[i];
	elog(ERROR, "index %u is not among the indexes of relation %u",
		 indexoid, def->relid);
	return NULL;				/* keep compiler quiet */
}

/*
 * The equality functions of the first nkeys key columns of index, by the
 * operator family of each column.
 */
static FmgrInfo *
equality_functions(KeptIndexes *def, Relation index, int nkeys)
{
	DirectIndex *di = def_index(def, RelationGetRelid(index));

	Assert(nkeys <= DIRECT_MAX_KEYS);
	if (di->eq_nkeys < nkeys)
	{
		for (int k = di->eq_nkeys; k < nkeys; k++)
		{
			Oid			opfamily = index->rd_opfamily[k];
			Oid			optype = index->rd_opcintype[k];
			Oid			op = get_opfamily_member(opfamily, optype, optype,
												 BTEqualStrategyNumber);

			if (!OidIsValid(op))
				elog(ERROR, "missing equality operator for column %d of index \"%s\"",
					 k + 1, RelationGetRelationName(index));
			fmgr_info_cxt(get_opcode(op), &di->eq[k], def->cxt);
		}
		di->eq_nkeys = nkeys;
	}
	return di->eq;
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
 * that needs index entries: most updates here are HOT.  A table with a
 * constraint that cannot be checked row by row is refused, or with
 * missing_ok gives NULL (the caller then writes in SQL).
 */
DirectTable *
direct_open_extended(const char *relname, const char *indexname,
					 bool missing_ok)
{
	DirectTable *t = palloc0(sizeof(DirectTable));

	t->cxt = CurrentMemoryContext;
	t->rel = table_open(accounts_relid(relname), RowExclusiveLock);
	t->index = index_open(accounts_relid(indexname), RowExclusiveLock);
	accounts_table_info(t->rel, &t->info);
	t->nkeys = IndexRelationGetNumberOfKeyAttributes(t->index);
	/* callers name the tenant first; tables made before 0.7 have none */
	t->skip = t->info.attnum[COL_TENANT_ID] == InvalidAttrNumber ? 1 : 0;
	/* the slots and the row access below are those of a heap table */
	if (t->rel->rd_tableam != GetHeapamTableAmRoutine() ||
		t->index->rd_index->indrelid != RelationGetRelid(t->rel) ||
		!t->index->rd_index->indisunique || t->nkeys > DIRECT_MAX_KEYS)
		elog(ERROR, "accounts.%s is not a heap table with unique index %s of at most %d columns",
			 relname, indexname, DIRECT_MAX_KEYS);
	t->def = direct_def(t->rel);
	if (!t->def->writable)
	{
		char	   *unchecked = prepare_writes(t->def, t->rel);

		if (unchecked != NULL && missing_ok)
		{
			index_close(t->index, NoLock);
			table_close(t->rel, NoLock);
			pfree(t);
			return NULL;
		}
		if (unchecked != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("index \"%s\" of table \"%s\" is an exclusion or deferrable constraint",
							unchecked, relname),
					 errhint("The triggers of accounts write this table row by row; drop the constraint.")));
	}
	t->eq = equality_functions(t->def, t->index, t->nkeys);
	t->found = table_slot_create(t->rel, NULL);
	t->row = MakeSingleTupleTableSlot(RelationGetDescr(t->rel), &TTSOpsVirtual);
	t->nblocks = InvalidBlockNumber;
	return t;
}

DirectTable *
direct_open(const char *relname, const char *indexname)
{
	return direct_open_extended(relname, indexname, false);
}

/*
 * Remember where the rows of t are, by key, for the rest of the backend's
 * life (until an invalidation of the table): direct_find then reads the row
 * where it was last found or written, and searches the index only when it
 * is no longer there.  At most nrows rows (a power of two) are remembered,
 * each in the place its key hashes to, the last one seen there winning.
 * For tables whose rows a backend writes again and again and whose key
 * columns are passed by value.
 */
void
direct_remember(DirectTable *t, uint32 nrows)
{
	KeptIndexes *def = t->def;

	Assert(nrows > 0 && (nrows & (nrows - 1)) == 0);
	/* once per definition: it is made anew when the table changes */
	if (def->remembered == NULL)
	{
		for (int k = 0; k < t->nkeys; k++)
		{
			AttrNumber	attnum = t->index->rd_index->indkey.values[k];

			if (attnum <= 0 ||
				!TupleDescAttr(RelationGetDescr(t->rel), attnum - 1)->attbyval)
				elog(ERROR, "index %s of accounts.%s has a key column not passed by value",
					 RelationGetRelationName(t->index),
					 RelationGetRelationName(t->rel));
		}
		/* zeroed: every place empty (an invalid item pointer) */
		def->remembered = MemoryContextAllocZero(def->cxt,
												 nrows * sizeof(RememberedRow));
		def->nremembered = nrows;
	}
	t->remember = true;
}

/* The key of a row, and the place where it is remembered. */
static RememberedRow *
remembered_place(DirectTable *t, RememberedKey *rkey)
{
	uint32		h = hash_bytes((const unsigned char *) rkey,
							   sizeof(RememberedKey));

	return &t->def->remembered[h & (t->def->nremembered - 1)];
}

static void
remembered_key(DirectTable *t, const Datum *key, const bool *isnull,
			   RememberedKey *rkey)
{
	memset(rkey, 0, sizeof(RememberedKey));
	for (int k = 0; k < t->nkeys; k++)
	{
		rkey->isnull[k] = isnull != NULL && isnull[k];
		if (!rkey->isnull[k])
			rkey->value[k] = key[k];
	}
}

/*
 * Remember that the row in slot is at tid now: the root of its HOT chain,
 * where the index points, since a search of the chain starts there.
 */
static void
remember_row(DirectTable *t, TupleTableSlot *slot, ItemPointer tid)
{
	Datum		key[DIRECT_MAX_KEYS];
	bool		isnull[DIRECT_MAX_KEYS];
	RememberedKey rkey;
	RememberedRow *place;

	for (int k = 0; k < t->nkeys; k++)
		key[k] = slot_getattr(slot, t->index->rd_index->indkey.values[k],
							  &isnull[k]);
	remembered_key(t, key, isnull, &rkey);
	place = remembered_place(t, &rkey);
	place->key = rkey;
	place->tid = *tid;			/* invalid when unknown: forgotten */
}

/*
 * Find the row of key where it was last seen.  Only a version that is the
 * latest one, with no open transaction writing it, and with that key (the
 * place may hold another row by now) will do; otherwise the caller looks
 * in the index, and waits there if it must.
 */
static bool
find_remembered(DirectTable *t, const Datum *key, const bool *isnull)
{
	RememberedKey rkey;
	RememberedRow *entry;
	SnapshotData dirty;
	bool		all_dead;

	remembered_key(t, key, isnull, &rkey);
	entry = remembered_place(t, &rkey);
	if (!ItemPointerIsValid(&entry->tid) ||
		memcmp(&entry->key, &rkey, sizeof(RememberedKey)) != 0)
		return false;
	/* the table cannot shrink while we hold our lock: count its pages once */
	if (t->nblocks == InvalidBlockNumber)
		t->nblocks = RelationGetNumberOfBlocks(t->rel);
	if (ItemPointerGetBlockNumber(&entry->tid) >= t->nblocks)
		return false;
	InitDirtySnapshot(dirty);
	if (!fetch_version(t, &entry->tid, &dirty, &all_dead))
		return false;
	if (TransactionIdIsValid(dirty.xmin) || TransactionIdIsValid(dirty.xmax))
		return false;
	slot_getallattrs(t->found);
	for (int k = 0; k < t->nkeys; k++)
	{
		AttrNumber	attnum = t->index->rd_index->indkey.values[k];

		if (t->found->tts_isnull[attnum - 1] != rkey.isnull[k])
			return false;
		if (!rkey.isnull[k] &&
			!DatumGetBool(FunctionCall2Coll(&t->eq[k],
											t->index->rd_indcollation[k],
											t->found->tts_values[attnum - 1],
											rkey.value[k])))
			return false;
	}
	t->found_root = entry->tid;
	return true;
}

void
direct_close(DirectTable *t)
{
	ExecDropSingleTupleTableSlot(t->found);
	if (t->taken != NULL)
		ExecDropSingleTupleTableSlot(t->taken);
	ExecDropSingleTupleTableSlot(t->row);
	if (t->indexes != NULL)
	{
		for (int i = 0; i < t->def->nindexes; i++)
			if (t->indexes[i] != NULL && t->indexes[i] != t->index)
				index_close(t->indexes[i], NoLock);
		pfree(t->indexes);
	}
	index_close(t->index, NoLock);
	table_close(t->rel, NoLock);
	pfree(t);
}

/*
 * Fetch into t->found the member of the HOT chain at tid that snapshot
 * sees.  An index scan's fetch prunes the page whenever its free space is
 * below the fillfactor's reserve, which a page of rows updated in place is
 * after a single update: it would be pruned at every visit, one dead
 * version at a time.  Here the page is pruned only when it has no room left
 * for another version of the row, so that one pruning clears all the
 * versions that the updates since the last one left.
 */
static bool
fetch_version(DirectTable *t, ItemPointer tid, Snapshot snapshot,
			  bool *all_dead)
{
	BufferHeapTupleTableSlot *bslot = (BufferHeapTupleTableSlot *) t->found;
	HeapTuple	tuple = &bslot->base.tupdata;
	Buffer		buf;
	ItemPointerData htid;
	bool		found;

	/* the slot lets go of its row and page: ours is then the only pin */
	ExecClearTuple(t->found);
	buf = ReadBuffer(t->rel, ItemPointerGetBlockNumber(tid));
	for (int attempt = 0;; attempt++)
	{
		htid = *tid;
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		found = heap_hot_search_buffer(&htid, t->rel, buf, snapshot, tuple,
									   all_dead, true);
		LockBuffer(buf, BUFFER_LOCK_UNLOCK);
		if (!found || attempt > 0 ||
			PageGetHeapFreeSpace(BufferGetPage(buf)) >=
			MAXALIGN(tuple->t_len) + sizeof(ItemIdData))
			break;
		/* pruning moves the tuples of the page: look again after it */
		heap_page_prune_opt(t->rel, buf);
	}
	if (!found)
	{
		ReleaseBuffer(buf);
		return false;
	}
	ExecStorePinnedBufferHeapTuple(tuple, t->found, buf);
	return true;
}

/*
 * Find the latest version of the row whose unique key is key (isnull per
 * column; NULL for none), waiting for any open transaction that writes it.
 * On success t->found holds it, with all attributes fetched.
 */
bool
direct_find(DirectTable *t, const Datum *key, const bool *isnull)
{
	return direct_find_extended(t, key, isnull, NULL);
}

/*
 * As direct_find; but with busy, rather than wait for another transaction
 * that writes the row (or inserted it and is still open, or is prepared),
 * set *busy and return false.
 */
bool
direct_find_extended(DirectTable *t, const Datum *key, const bool *isnull,
					 bool *busy)
{
	ScanKeyData keys[DIRECT_MAX_KEYS];
	SnapshotData dirty;
	IndexScanDesc scan;
	bool		found = false;

	if (busy != NULL)
		*busy = false;
	key += t->skip;
	if (isnull != NULL)
		isnull += t->skip;
	if (t->remember && find_remembered(t, key, isnull))
		return true;

	for (int k = 0; k < t->nkeys; k++)
		equality_key(&keys[k], t->index, k, &t->eq[k], key[k],
					 isnull != NULL && isnull[k]);

	InitDirtySnapshot(dirty);
	scan = index_beginscan_compat(t->rel, t->index, &dirty, t->nkeys, 0);
	index_rescan(scan, keys, t->nkeys, NULL, 0);
	for (;;)
	{
		ItemPointer tid = index_getnext_tid(scan, ForwardScanDirection);
		TransactionId xwait;
		bool		all_dead = false;

		if (tid == NULL)
			break;
		if (!fetch_version(t, tid, &dirty, &all_dead))
		{
			/* lets the index mark the entry dead */
			scan->kill_prior_tuple = all_dead;
			continue;
		}
		xwait = TransactionIdIsValid(dirty.xmin) ? dirty.xmin : dirty.xmax;
		if (!TransactionIdIsValid(xwait))
		{
			t->found_root = *tid;
			found = true;
			break;
		}
		if (busy != NULL)
		{
			*busy = true;
			break;
		}
		XactLockTableWait(xwait, t->rel, &t->found->tts_tid, XLTW_Update);
		index_rescan(scan, keys, t->nkeys, NULL, 0);
	}
	index_endscan(scan);

	/*
	 * A lookup with a dirty snapshot can miss a row that exists.  Another
	 * transaction may give the row a new TID (an update that is not HOT)
	 * and commit between our read of the index page and our visit of the
	 * old version: that version is then dead, and the new index entry was
	 * not on the page we read.  A snapshot taken now sees every such commit
	 * and the entries it made, and a version committed after it as live, so
	 * a lookup with it finds the row if it exists.  That version may be
	 * replaced by the time we write it: the update then fails and the
	 * caller looks again, as for any concurrent update.
	 */
	if (busy != NULL && *busy)
		return false;
	if (!found)
	{
		Snapshot	snapshot = RegisterSnapshot(GetLatestSnapshot());

		scan = index_beginscan_compat(t->rel, t->index, snapshot, t->nkeys, 0);
		index_rescan(scan, keys, t->nkeys, NULL, 0);
		found = index_getnext_slot(scan, ForwardScanDirection, t->found);
		if (found)
			t->found_root = scan->xs_heaptid;
		index_endscan(scan);
		UnregisterSnapshot(snapshot);
	}
	if (found)
	{
		slot_getallattrs(t->found);
		if (t->remember)
			remember_row(t, t->found, &t->found_root);
	}
	return found;
}

/*
 * Whether the row found was last changed by another transaction that the
 * transaction snapshot does not see (it committed after the snapshot was
 * taken): what UPDATE refuses with a serialization failure under
 * REPEATABLE READ and SERIALIZABLE.
 */
bool
direct_found_after_snapshot(DirectTable *t)
{
	HeapTuple	tuple;
	bool		should_free;
	TransactionId xmin;
	bool		after;

	tuple = ExecFetchSlotHeapTuple(t->found, false, &should_free);
	xmin = HeapTupleHeaderGetXmin(tuple->t_data);
	after = !TransactionIdIsCurrentTransactionId(xmin) &&
		XidInMVCCSnapshot(xmin, GetTransactionSnapshot());
	if (should_free)
		heap_freetuple(tuple);
	return after;
}

/*
 * Whether the update leaves the key columns of index di as they were: the
 * hint that lets a B-tree delete the versions of unchanged keys bottom-up
 * instead of splitting a page.
 */
static bool
index_key_unchanged(DirectTable *t, DirectIndex *di)
{
	for (int j = 0; j < di->info->ii_NumIndexKeyAttrs; j++)
	{
		AttrNumber	attnum = di->info->ii_IndexAttrNumbers[j];

		if (attnum <= 0 ||
			accounts_values_differ(TupleDescAttr(t->row->tts_tupleDescriptor,
												 attnum - 1),
								   t->found->tts_values[attnum - 1],
								   t->found->tts_isnull[attnum - 1],
								   t->row->tts_values[attnum - 1],
								   t->row->tts_isnull[attnum - 1]))
			return false;
	}
	return true;
}

/*
 * The index entries of the row just written in t->row, at its new TID: what
 * ExecInsertIndexTuples does, with the definitions kept across statements.
 * Uniqueness is checked at once (build_def refuses deferred constraints).
 */
static void
insert_index_entries(DirectTable *t, bool update, bool only_summarizing)
{
	KeptIndexes *def = t->def;
	ExprContext *econtext;
	TupleTableSlot *slot = t->row;

	econtext = def->econtext;
	if (t->indexes == NULL)
		t->indexes = MemoryContextAllocZero(t->cxt,
											Max(def->nindexes, 1) * sizeof(Relation));
	econtext->ecxt_scantuple = slot;
	for (int i = 0; i < def->nindexes; i++)
	{
		DirectIndex *di = &def->indexes[i];
		IndexInfo  *ii = di->info;
		Datum		values[INDEX_MAX_KEYS];
		bool		isnull[INDEX_MAX_KEYS];
		ListCell   *e = list_head(di->expressions);
		bool		unchanged;

		if (!ii->ii_ReadyForInserts)
			continue;
		if (only_summarizing && !IndexInfoIsSummarizing(ii))
			continue;
		if (di->predicate != NULL && !ExecQual(di->predicate, econtext))
		{
			ResetExprContext(econtext);
			continue;
		}
		for (int j = 0; j < ii->ii_NumIndexAttrs; j++)
		{
			AttrNumber	attnum = ii->ii_IndexAttrNumbers[j];

			if (attnum != 0)
				values[j] = slot_getattr(slot, attnum, &isnull[j]);
			else
			{
				values[j] = ExecEvalExprSwitchContext(lfirst(e), econtext,
													  &isnull[j]);
				e = lnext(di->expressions, e);
			}
		}
		if (t->indexes[i] == NULL)
			t->indexes[i] = di->indexoid == RelationGetRelid(t->index) ?
				t->index : index_open(di->indexoid, RowExclusiveLock);

		/*
		 * A unique key that an update leaves as it was needs no check: the
		 * version replaced held it in the index until now, so no other
		 * live row can have it, and a transaction inserting it meanwhile
		 * waits for ours on that version and then finds the new one.  Not
		 * so in a partial index, which the version replaced may have been
		 * outside of.
		 */
		unchanged = update && index_key_unchanged(t, di);
		index_insert(t->indexes[i], values, isnull, &slot->tts_tid, t->rel,
					 t->indexes[i]->rd_index->indisunique &&
					 (!unchanged || di->predicate != NULL) ?
					 UNIQUE_CHECK_YES : UNIQUE_CHECK_NO,
					 unchanged, ii);
		ResetExprContext(econtext);
	}
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
	TU_UpdateIndexes update_indexes;

	CheckCmdReplicaIdentity(t->rel, CMD_UPDATE);
	ExecStoreVirtualTuple(t->row);
	res = table_tuple_update_compat(t->rel, &t->found->tts_tid, t->row,
									GetCurrentCommandId(true), InvalidSnapshot,
									InvalidSnapshot, true, &tmfd, &lockmode,
									&update_indexes);
	if (res == TM_Updated || res == TM_Deleted)
		return false;
	if (res != TM_Ok)
		elog(ERROR, "unexpected table_tuple_update status %d on \"%s\"",
			 (int) res, RelationGetRelationName(t->rel));
	if (update_indexes != TU_None)
		insert_index_entries(t, true, update_indexes == TU_Summarizing);
	/* a HOT update keeps the chain's root; any other starts a chain */
	if (t->remember)
		remember_row(t, t->row, update_indexes == TU_All ?
					 &t->row->tts_tid : &t->found_root);
	CommandCounterIncrement();
	return true;
}

/* Insert the virtual tuple in t->row. */
void
direct_insert(DirectTable *t)
{
	ExecStoreVirtualTuple(t->row);
	table_tuple_insert(t->rel, t->row, GetCurrentCommandId(true), 0, NULL);
	insert_index_entries(t, false, false);
	if (t->remember)
		remember_row(t, t->row, &t->row->tts_tid);
	CommandCounterIncrement();
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
	CommandCounterIncrement();
	return true;
}

/*
 * Take the rows of t whose first nkeys key columns are key (isnull: NULL)
 * that wanted() accepts and that no transaction is writing: each is locked
 * without waiting (one that an open or prepared transaction writes, or
 * that another backend locks first, is passed over), deleted, and handed
 * to took() with all attributes.  Returns how many were taken.
 */
int
direct_take(DirectTable *t, const Datum *key, const bool *isnull, int nkeys,
			DirectFilter wanted, DirectFilter took, void *arg)
{
	ScanKeyData scankeys[DIRECT_MAX_KEYS];
	SnapshotData dirty;
	IndexScanDesc scan;
	ItemPointer tid;
	int			taken = 0;

	if (t->taken == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(t->cxt);

		t->taken = table_slot_create(t->rel, NULL);
		MemoryContextSwitchTo(old);
	}
	key += t->skip;
	isnull += t->skip;
	nkeys -= t->skip;
	Assert(nkeys <= t->nkeys);
	for (int k = 0; k < nkeys; k++)
		equality_key(&scankeys[k], t->index, k, &t->eq[k], key[k], isnull[k]);
	InitDirtySnapshot(dirty);
	scan = index_beginscan_compat(t->rel, t->index, &dirty, nkeys, 0);
	index_rescan(scan, scankeys, nkeys, NULL, 0);
	while ((tid = index_getnext_tid(scan, ForwardScanDirection)) != NULL)
	{
		TM_FailureData tmfd;
		ItemPointerData version;
		bool		all_dead = false;
		TM_Result	res;

		if (!fetch_version(t, tid, &dirty, &all_dead))
		{
			scan->kill_prior_tuple = all_dead;
			continue;
		}
		if (TransactionIdIsValid(dirty.xmin) || TransactionIdIsValid(dirty.xmax))
			continue;			/* being written */
		slot_getallattrs(t->found);
		if (!wanted(t->found, arg))
			continue;
		version = t->found->tts_tid;
		res = table_tuple_lock(t->rel, &version, InvalidSnapshot, t->taken,
							   GetCurrentCommandId(true), LockTupleExclusive,
							   LockWaitSkip, 0, &tmfd);
		if (res != TM_Ok)
			continue;			/* written or locked since */
		CheckCmdReplicaIdentity(t->rel, CMD_DELETE);
		res = table_tuple_delete(t->rel, &version, GetCurrentCommandId(true),
								 InvalidSnapshot, InvalidSnapshot, true,
								 &tmfd, false);
		if (res != TM_Ok)
			elog(ERROR, "unexpected table_tuple_delete status %d on \"%s\"",
				 (int) res, RelationGetRelationName(t->rel));
		slot_getallattrs(t->taken);
		(void) took(t->taken, arg);
		taken++;
	}
	index_endscan(scan);
	ExecClearTuple(t->found);
	if (taken > 0)
		CommandCounterIncrement();
	return taken;
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
 * An index of a base table whose first two columns are an organization id
 * and its tenant (in either order; before 0.7, the organization id alone),
 * to read the first row of one organization in either direction.
 */
OrgScan *
org_scan_open(const char *relname, const char *indexname)
{
	OrgScan *r = palloc(sizeof(OrgScan));

	r->rel = table_open(accounts_relid(relname), AccessShareLock);
	r->index = index_open(accounts_relid(indexname), AccessShareLock);
	accounts_table_info(r->rel, &r->info);
	r->nkeys = r->info.attnum[COL_TENANT_ID] != InvalidAttrNumber ? 2 : 1;
	r->tenant_first = r->nkeys == 2 &&
		r->index->rd_index->indkey.values[0] == r->info.attnum[COL_TENANT_ID];
	for (int k = 0; k < r->nkeys; k++)
	{
		AttrNumber	attno = r->index->rd_index->indkey.values[k];

		if (attno != r->info.attnum[COL_ORG_ID] &&
			attno != r->info.attnum[COL_TENANT_ID])
			elog(ERROR, "index \"%s\" does not start with the organization and its tenant",
				 indexname);
	}
	r->eq = equality_functions(direct_def(r->rel), r->index, r->nkeys);
	r->slot = table_slot_create(r->rel, NULL);
	return r;
}

void
org_scan_close(OrgScan *r)
{
	ExecDropSingleTupleTableSlot(r->slot);
	index_close(r->index, NoLock);
	table_close(r->rel, NoLock);
	pfree(r);
}

/*
 * The first row, in direction dir, of the index entries of one
 * organization, visible to snapshot and accepted by filter.  r->slot holds
 * it, with all attributes fetched.
 */
bool
org_scan_first(OrgScan *r, int64 tenant_id, int64 org_id, ScanDirection dir,
			   Snapshot snapshot, DirectFilter filter, void *arg)
{
	ScanKeyData scankeys[2];
	IndexScanDesc scan;
	bool		found = false;

	for (int k = 0; k < r->nkeys; k++)
	{
		bool		tenant = r->tenant_first == (k == 0) && r->nkeys == 2;

		equality_key(&scankeys[k], r->index, k, &r->eq[k],
					 Int64GetDatum(tenant ? tenant_id : org_id), false);
	}
	scan = index_beginscan_compat(r->rel, r->index, snapshot, r->nkeys, 0);
	index_rescan(scan, scankeys, r->nkeys, NULL, 0);
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

/* What the callers read and write of a table opened here. */
Relation
direct_relation(DirectTable *t)
{
	return t->rel;
}

const TableInfo *
direct_info(DirectTable *t)
{
	return &t->info;
}

TupleTableSlot *
direct_found_row(DirectTable *t)
{
	return t->found;
}

TupleTableSlot *
direct_new_row(DirectTable *t)
{
	return t->row;
}

const TableInfo *
org_scan_info(OrgScan *r)
{
	return &r->info;
}

TupleTableSlot *
org_scan_row(OrgScan *r)
{
	return r->slot;
}
