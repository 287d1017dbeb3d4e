/*-------------------------------------------------------------------------
 *
 * activities.c
 *	  Activity figures: activities_count, done_activities_count, and the
 *	  next (earliest undone) and last (latest done) activity of each
 *	  organization.
 *
 *	  A statement's activity rows become deltas: counts, plus each activity
 *	  as a candidate for next or last where it arrives and as a removal
 *	  where it leaves (an update that changes none of org_id, done,
 *	  due_date, due_time, subject is skipped).  figures.c compares a
 *	  candidate with the stored key, and looks the new next or last up in a
 *	  partial index only when the stored one left (completed, re-dated,
 *	  moved, deleted).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "fmgr.h"
#include "utils/rel.h"

#include "accounts.h"

PG_FUNCTION_INFO_V1(accounts_activity_after);

/* Arguments of activity_row. */
typedef struct ActivityRows
{
	DeltaSet   *set;
	TableInfo	info;			/* of activities */
} ActivityRows;

/* Add (sign 1) or take away (sign -1) one version of an activity row. */
static void
activity_row(void *arg, TupleTableSlot *slot, int sign)
{
	ActivityRows *rows = (ActivityRows *) arg;
	TableInfo  *info = &rows->info;
	ActivityKey key;
	bool		isnull;
	Datum		d;
	bool		done;
	int64		org_id;
	text	   *subject;

	org_id = get_int64_col(slot, info, COL_ORG_ID, &isnull);
	if (isnull)
		return;
	d = get_col(slot, info, COL_DONE, &isnull);
	done = !isnull && DatumGetBool(d);
	key.id = get_int64_col(slot, info, COL_ID, &isnull);
	d = get_col(slot, info, COL_DUE_DATE, &key.date_null);
	key.date = key.date_null ? 0 : DatumGetDateADT(d);
	d = get_col(slot, info, COL_DUE_TIME, &key.time_null);
	key.time = key.time_null ? 0 : DatumGetTimeADT(d);
	d = get_col(slot, info, COL_SUBJECT, &isnull);
	subject = isnull ? NULL : DatumGetTextPP(d);

	deltas_add_activity(rows->set,
						deltas_get(rows->set, get_tenant(slot, info), org_id),
						done, &key, subject, sign);
}

/*
 * AFTER INSERT, UPDATE or DELETE ON accounts.activities FOR EACH STATEMENT,
 * with the transition tables.
 */
Datum
accounts_activity_after(PG_FUNCTION_ARGS)
{
	ActivityRows rows;
	AttrNumber	relevant[5];
	Oid			save_userid;
	int			save_sec_context;

	{
		static const char *const tables[] = {"activities", NULL};

		accounts_check_trigger(fcinfo, "activity_after", true, false, tables);
	}
	accounts_table_info(((TriggerData *) fcinfo->context)->tg_relation,
						&rows.info);

	relevant[0] = rows.info.attnum[COL_ORG_ID];
	relevant[1] = rows.info.attnum[COL_DONE];
	relevant[2] = rows.info.attnum[COL_DUE_DATE];
	relevant[3] = rows.info.attnum[COL_DUE_TIME];
	relevant[4] = rows.info.attnum[COL_SUBJECT];

	SPI_connect();
	accounts_begin_maintenance(&save_userid, &save_sec_context);
	rows.set = deltas_create();
	accounts_for_each_transition_row((TriggerData *) fcinfo->context,
									 activity_row, &rows, relevant,
									 lengthof(relevant));
	deltas_apply(rows.set);
	accounts_end_maintenance(save_userid, save_sec_context);
	SPI_finish();
	return PointerGetDatum(NULL);
}
