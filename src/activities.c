/*-------------------------------------------------------------------------
 *
 * activities.c
 *	  Activity figures: activities_count, done_activities_count, and the
 *	  next (earliest undone) and last (latest done) activity of each
 *	  organization.
 *
 *	  A write of an activity becomes a delta: counts, plus the activity as a
 *	  candidate for next or last where it arrives and as a removal where it
 *	  leaves.  figures.c compares a candidate with the stored key, and looks
 *	  the new next or last up in a partial index only when the stored one
 *	  left (completed, re-dated, moved, deleted).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "utils/rel.h"

#include "accounts.h"

PG_FUNCTION_INFO_V1(accounts_activity_after);

/* Add (sign 1) or take away (sign -1) one version of an activity row. */
static void
add_activity(OrgDelta *delta, HeapTuple tuple, TupleDesc tupdesc,
			 TableInfo *info, int sign)
{
	ActivityKey key;
	bool		isnull;
	Datum		d;
	bool		done;

	d = heap_getattr(tuple, info->attnum[COL_DONE], tupdesc, &isnull);
	done = !isnull && DatumGetBool(d);
	key.id = accounts_get_int64(tuple, tupdesc, info->attnum[COL_ID], &isnull);
	d = heap_getattr(tuple, info->attnum[COL_DUE_DATE], tupdesc, &key.date_null);
	key.date = key.date_null ? 0 : DatumGetDateADT(d);
	d = heap_getattr(tuple, info->attnum[COL_DUE_TIME], tupdesc, &key.time_null);
	key.time = key.time_null ? 0 : DatumGetTimeADT(d);

	delta->count[FIG_ACTIVITIES] += sign;
	if (done)
		delta->count[FIG_DONE_ACTIVITIES] += sign;

	if (sign < 0)
	{
		if (done)
			delta->last_removed = key.id;
		else
			delta->next_removed = key.id;
	}
	else
	{
		ActivityCandidate *c = done ? &delta->last_added : &delta->next_added;

		c->set = true;
		c->key = key;
		c->subject = DatumGetTextPP(heap_getattr(tuple,
												 info->attnum[COL_SUBJECT],
												 tupdesc, &isnull));
	}
}

/*
 * AFTER INSERT OR DELETE OR UPDATE OF org_id, done, due_date, due_time,
 * subject ON accounts.activities FOR EACH ROW.
 */
Datum
accounts_activity_after(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc;
	TableInfo  *info;
	HeapTuple	oldtup = NULL,
				newtup = NULL;
	OrgDelta	deltas[2];
	int			ndeltas = 0;
	bool		isnull;
	int64		org_id;
	Oid			save_userid;
	int			save_sec_context;

	accounts_check_trigger(fcinfo, "activity_after", true, true);
	tupdesc = RelationGetDescr(trigdata->tg_relation);
	info = accounts_table_info(trigdata->tg_relation);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		newtup = trigdata->tg_trigtuple;
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		oldtup = trigdata->tg_trigtuple;
	else
	{
		static const TableColumn relevant[] = {
			COL_ORG_ID, COL_DONE, COL_DUE_DATE, COL_DUE_TIME, COL_SUBJECT
		};
		bool		changed = false;

		oldtup = trigdata->tg_trigtuple;
		newtup = trigdata->tg_newtuple;
		for (int i = 0; i < lengthof(relevant) && !changed; i++)
			changed = accounts_attr_changed(oldtup, newtup, tupdesc,
											info->attnum[relevant[i]]);
		if (!changed)
			return PointerGetDatum(NULL);
	}

	if (oldtup)
	{
		org_id = accounts_get_int64(oldtup, tupdesc, info->attnum[COL_ORG_ID],
									&isnull);
		if (!isnull)
		{
			figures_init_delta(&deltas[ndeltas], org_id);
			add_activity(&deltas[ndeltas++], oldtup, tupdesc, info, -1);
		}
	}
	if (newtup)
	{
		org_id = accounts_get_int64(newtup, tupdesc, info->attnum[COL_ORG_ID],
									&isnull);
		if (!isnull)
		{
			OrgDelta   *delta;

			if (ndeltas > 0 && deltas[0].org_id == org_id)
				delta = &deltas[0];
			else
			{
				delta = &deltas[ndeltas++];
				figures_init_delta(delta, org_id);
			}
			add_activity(delta, newtup, tupdesc, info, 1);
		}
	}
	if (ndeltas == 0)
		return PointerGetDatum(NULL);

	SPI_connect();
	accounts_begin_maintenance(&save_userid, &save_sec_context);
	figures_apply(deltas, ndeltas);
	accounts_end_maintenance(save_userid, save_sec_context);
	SPI_finish();
	return PointerGetDatum(NULL);
}
