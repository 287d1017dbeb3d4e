/*-------------------------------------------------------------------------
 *
 * transition.c
 *	  What the statement triggers read of a statement's rows: the old and
 *	  new versions in the transition tables, and whether a column changed.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "commands/trigger.h"
#include "executor/tuptable.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"

#include "accounts.h"

/*
 * Whether two values of column att differ (by image: a value written back
 * unchanged counts as unchanged).
 */
bool
accounts_values_differ(Form_pg_attribute att, Datum oldval, bool oldnull,
					   Datum newval, bool newnull)
{
	if (oldnull || newnull)
		return oldnull != newnull;
	return !datum_image_eq(oldval, newval, att->attbyval, att->attlen);
}

/* Whether a column differs between two slots whose attributes are fetched. */
static bool
slot_attr_changed(TupleTableSlot *oldslot, TupleTableSlot *newslot,
				  AttrNumber attnum)
{
	return accounts_values_differ(TupleDescAttr(oldslot->tts_tupleDescriptor,
												attnum - 1),
								  oldslot->tts_values[attnum - 1],
								  oldslot->tts_isnull[attnum - 1],
								  newslot->tts_values[attnum - 1],
								  newslot->tts_isnull[attnum - 1]);
}

/*
 * Call func for every row of the statement's transition tables: the old
 * rows with sign -1, the new rows with sign 1.  For an UPDATE the two
 * tables hold the old and new version of each row in the same order; a row
 * whose columns in "relevant" did not change is skipped.  Each call runs in
 * a memory context reset after it.
 */
void
accounts_for_each_transition_row(TriggerData *trigdata, TransitionRowFunc func,
								 void *arg, const AttrNumber *relevant,
								 int nrelevant)
{
	TupleDesc	tupdesc = RelationGetDescr(trigdata->tg_relation);
	Tuplestorestate *oldrows = trigdata->tg_oldtable;
	Tuplestorestate *newrows = trigdata->tg_newtable;
	TupleTableSlot *oldslot = MakeSingleTupleTableSlot(tupdesc, &TTSOpsMinimalTuple);
	TupleTableSlot *newslot = MakeSingleTupleTableSlot(tupdesc, &TTSOpsMinimalTuple);
	MemoryContext rowcxt = AllocSetContextCreate(CurrentMemoryContext,
												 "accounts transition row",
												 ALLOCSET_DEFAULT_SIZES);

	if (oldrows)
		tuplestore_rescan(oldrows);
	if (newrows)
		tuplestore_rescan(newrows);
	for (;;)
	{
		bool		have_old = oldrows &&
			tuplestore_gettupleslot(oldrows, true, false, oldslot);
		bool		have_new = newrows &&
			tuplestore_gettupleslot(newrows, true, false, newslot);
		MemoryContext old;

		if (!have_old && !have_new)
			break;
		if (oldrows && newrows && have_old != have_new)
			elog(ERROR, "transition tables of different lengths");

		old = MemoryContextSwitchTo(rowcxt);
		if (have_old)
			slot_getallattrs(oldslot);
		if (have_new)
			slot_getallattrs(newslot);
		if (have_old && have_new)
		{
			bool		changed = false;

			for (int i = 0; i < nrelevant && !changed; i++)
				changed = slot_attr_changed(oldslot, newslot, relevant[i]);
			if (!changed)
				have_old = have_new = false;
		}
		if (have_old)
			func(arg, oldslot, -1);
		if (have_new)
			func(arg, newslot, 1);
		MemoryContextSwitchTo(old);
		MemoryContextReset(rowcxt);
	}
	ExecDropSingleTupleTableSlot(oldslot);
	ExecDropSingleTupleTableSlot(newslot);
	MemoryContextDelete(rowcxt);
}

/* Whether a column differs between two versions of a row, by image. */
bool
accounts_attr_changed(HeapTuple oldtup, HeapTuple newtup, TupleDesc tupdesc,
					  AttrNumber attnum)
{
	bool		oldnull,
				newnull;
	Datum		oldval = heap_getattr(oldtup, attnum, tupdesc, &oldnull);
	Datum		newval = heap_getattr(newtup, attnum, tupdesc, &newnull);

	return accounts_values_differ(TupleDescAttr(tupdesc, attnum - 1),
								  oldval, oldnull, newval, newnull);
}

int64
accounts_get_int64(HeapTuple tuple, TupleDesc tupdesc, AttrNumber attnum,
				   bool *isnull)
{
	Datum		d = heap_getattr(tuple, attnum, tupdesc, isnull);

	return *isnull ? 0 : DatumGetInt64(d);
}

/* The tenant of a row, as get_tenant() reads it from a slot. */
int64
accounts_get_tenant(HeapTuple tuple, TupleDesc tupdesc, const TableInfo *info)
{
	bool		isnull;

	if (info->attnum[COL_TENANT_ID] == InvalidAttrNumber)
		return DEFAULT_TENANT;
	return accounts_get_int64(tuple, tupdesc, info->attnum[COL_TENANT_ID],
							  &isnull);
}
