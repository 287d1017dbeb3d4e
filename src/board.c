/*-------------------------------------------------------------------------
 *
 * board.c
 *	  The kanban board by day: accounts.kanban_days holds, for every next
 *	  activity day, the number of accounts whose next activity falls on it
 *	  and their won value, so that kanban_counts() sums a few hundred rows
 *	  instead of counting every account.
 *
 *	  Statement triggers on accounts.figures turn each change of an account's
 *	  (next_activity_date, won_value), or of whether it is an account, into
 *	  deltas per day, and add them to the rows of the backend's own slot.
 *	  A backend runs one transaction at a time, so no two running
 *	  transactions ever write the same row of kanban_days: writers of
 *	  different organizations never wait for each other there.  A day's
 *	  figures are the sum over the slots; rebuild() folds every slot into
 *	  slot 0.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#if PG_VERSION_NUM >= 170000
#include "storage/procnumber.h"
#else
#include "storage/backendid.h"
#endif
#include "utils/array.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "accounts.h"

PG_FUNCTION_INFO_V1(accounts_board_after);

/* What one statement changes on one day (hash key: the day). */
typedef struct DayDelta
{
	int64		day;			/* a DateADT, or NO_ACTIVITY */
	int64		accounts;
	Numeric		won_value;		/* NULL means zero */
} DayDelta;

/* the key of the day of accounts without any undone activity */
#define NO_ACTIVITY PG_INT64_MIN

/* Arguments of board_row. */
typedef struct BoardRows
{
	HTAB	   *days;
	MemoryContext cxt;
	TableInfo  *info;
} BoardRows;

/* this backend's rows: at most one transaction at a time writes them */
#if PG_VERSION_NUM >= 170000
#define BOARD_SLOT (MyProcNumber + 1)
#else
#define BOARD_SLOT MyBackendId
#endif

/* up to this many days, one upsert each; more go in one statement */
#define BOARD_BATCH_THRESHOLD 2

static SPIPlanPtr day_plan = NULL;
static SPIPlanPtr board_plan = NULL;

/* Add (sign 1) or take away (sign -1) one version of a figures row. */
static void
board_row(void *arg, HeapTuple tuple, TupleDesc tupdesc, int sign)
{
	BoardRows  *rows = (BoardRows *) arg;
	TableInfo  *info = rows->info;
	bool		isnull;
	Datum		d;
	int64		day;
	DayDelta   *delta;
	bool		found;
	MemoryContext old;
	Numeric		prev;

	d = heap_getattr(tuple, info->attnum[COL_WON_DEALS_COUNT], tupdesc, &isnull);
	if (isnull || DatumGetInt32(d) <= 0)
		return;					/* not an account: not on the board */

	if (rows->days == NULL)
	{
		/* made for the first row that is on the board, not per statement */
		HASHCTL		ctl;

		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(DayDelta);
		ctl.hcxt = rows->cxt;
		rows->days = hash_create("accounts board deltas", 16, &ctl,
								 HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	d = heap_getattr(tuple, info->attnum[COL_NEXT_ACTIVITY_DATE], tupdesc, &isnull);
	day = isnull ? NO_ACTIVITY : (int64) DatumGetDateADT(d);
	delta = hash_search(rows->days, &day, HASH_ENTER, &found);
	if (!found)
	{
		delta->accounts = 0;
		delta->won_value = NULL;
	}
	delta->accounts += sign;

	d = heap_getattr(tuple, info->attnum[COL_WON_VALUE], tupdesc, &isnull);
	if (isnull)
		return;
	old = MemoryContextSwitchTo(rows->cxt);
	prev = delta->won_value;
	delta->won_value = sign > 0 ? numeric_plus(prev, DatumGetNumeric(d))
		: numeric_minus(prev, DatumGetNumeric(d));
	if (prev == NULL && sign > 0)	/* copy out of the row's context */
		delta->won_value = DatumGetNumeric(datumCopy(NumericGetDatum(delta->won_value),
													 false, -1));
	else if (prev != NULL)
		pfree(prev);
	MemoryContextSwitchTo(old);
}

/*
 * AFTER INSERT, UPDATE or DELETE ON accounts.figures FOR EACH STATEMENT,
 * with the transition tables: the days that changed are added to this
 * backend's slot, one upsert per day for a write or two, one upsert of
 * all of them for a bulk statement.
 */
Datum
accounts_board_after(PG_FUNCTION_ARGS)
{
	static const Oid argtypes[] = {
		DATEARRAYOID, INT4OID, INT8ARRAYOID, NUMERICARRAYOID
	};
	BoardRows	rows;
	AttrNumber	relevant[3];
	HASH_SEQ_STATUS status;
	DayDelta   *delta;
	long		n;
	int			nchanged = 0;
	Datum	   *days;
	bool	   *day_nulls;
	Datum	   *accounts;
	Datum	   *values;
	Datum		args[4];
	Oid			save_userid;
	int			save_sec_context;

	{
		static const char *const tables[] = {"figures", NULL};

		accounts_check_trigger(fcinfo, "board_after", true, false, tables);
	}
	rows.info = accounts_table_info(((TriggerData *) fcinfo->context)->tg_relation);
	rows.cxt = CurrentMemoryContext;
	rows.days = NULL;

	relevant[0] = rows.info->attnum[COL_WON_DEALS_COUNT];
	relevant[1] = rows.info->attnum[COL_WON_VALUE];
	relevant[2] = rows.info->attnum[COL_NEXT_ACTIVITY_DATE];
	accounts_for_each_transition_row((TriggerData *) fcinfo->context,
									 board_row, &rows, relevant,
									 lengthof(relevant));

	n = rows.days ? hash_get_num_entries(rows.days) : 0;
	if (n == 0)
		return PointerGetDatum(NULL);
	days = palloc(n * sizeof(Datum));
	day_nulls = palloc(n * sizeof(bool));
	accounts = palloc(n * sizeof(Datum));
	values = palloc(n * sizeof(Datum));
	hash_seq_init(&status, rows.days);
	while ((delta = hash_seq_search(&status)) != NULL)
	{
		if (delta->accounts == 0 && numeric_is_zero(delta->won_value))
			continue;			/* moved within the day, or nothing moved */
		day_nulls[nchanged] = delta->day == NO_ACTIVITY;
		days[nchanged] = day_nulls[nchanged] ? (Datum) 0
			: DateADTGetDatum((DateADT) delta->day);
		accounts[nchanged] = Int64GetDatum(delta->accounts);
		values[nchanged] = NumericGetDatum(delta->won_value != NULL
										   ? delta->won_value
										   : int64_to_numeric(0));
		nchanged++;
	}
	if (nchanged == 0)
		return PointerGetDatum(NULL);

	SPI_connect();
	accounts_begin_maintenance(&save_userid, &save_sec_context);
	if (nchanged <= BOARD_BATCH_THRESHOLD)
	{
		/* a write moves an account from one day to another, at most */
		static const Oid day_types[] = {DATEOID, INT4OID, INT8OID, NUMERICOID};

		accounts_prepare(&day_plan,
						 "INSERT INTO accounts.kanban_days AS k"
						 " (day, slot, accounts, won_value)"
						 " VALUES ($1, $2, $3, $4)"
						 " ON CONFLICT (day, slot) DO UPDATE"
						 " SET accounts = k.accounts + excluded.accounts,"
						 "     won_value = k.won_value + excluded.won_value",
						 4, day_types);
		for (int i = 0; i < nchanged; i++)
		{
			char		nulls[4] = {day_nulls[i] ? 'n' : ' ', ' ', ' ', ' '};

			args[0] = days[i];
			args[1] = Int32GetDatum(BOARD_SLOT);
			args[2] = accounts[i];
			args[3] = values[i];
			accounts_execute(day_plan, args, nulls, false, 1);
		}
	}
	else
	{
		int			dims[1] = {nchanged};
		int			lbs[1] = {1};

		args[0] = PointerGetDatum(construct_md_array(days, day_nulls, 1, dims, lbs,
													 DATEOID, sizeof(DateADT),
													 true, TYPALIGN_INT));
		args[1] = Int32GetDatum(BOARD_SLOT);
		args[2] = PointerGetDatum(construct_array(accounts, nchanged, INT8OID,
												  sizeof(int64), FLOAT8PASSBYVAL,
												  TYPALIGN_DOUBLE));
		args[3] = PointerGetDatum(construct_array(values, nchanged, NUMERICOID,
												  -1, false, TYPALIGN_INT));
		accounts_prepare(&board_plan,
						 "INSERT INTO accounts.kanban_days AS k"
						 " (day, slot, accounts, won_value)"
						 " SELECT u.day, $2, u.accounts, u.won_value"
						 " FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($3),"
						 "  pg_catalog.unnest($4)) AS u(day, accounts, won_value)"
						 " ON CONFLICT (day, slot) DO UPDATE"
						 " SET accounts = k.accounts + excluded.accounts,"
						 "     won_value = k.won_value + excluded.won_value",
						 4, argtypes);
		accounts_execute(board_plan, args, NULL, false, nchanged);
	}
	accounts_end_maintenance(save_userid, save_sec_context);
	SPI_finish();
	return PointerGetDatum(NULL);
}
