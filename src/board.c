/*-------------------------------------------------------------------------
 *
 * board.c
 *	  The kanban board by day: accounts.kanban_days holds, for every next
 *	  activity day, the number of accounts whose next activity falls on it
 *	  and their won value, so that kanban_counts() sums a few hundred rows
 *	  instead of counting every account.
 *
 *	  Each change of an account's (next_activity_date, won_value), or of
 *	  whether it is an account, becomes deltas per day, added to the rows
 *	  of the backend's own slot (board_slot): by figures.c where it changes
 *	  a figures row, and by statement triggers on accounts.figures where
 *	  SQL does.
 *	  A backend runs one transaction at a time, so no two running
 *	  transactions ever write the same row of kanban_days: writers of
 *	  different organizations never wait for each other there.  A day's
 *	  figures are the sum over the slots.  A row whose sums come to zero is
 *	  deleted, and rows of other slots are taken into the backend's own
 *	  when accounts leave a day (board_apply), so that the table stays as
 *	  small as the days in use; rebuild() folds every slot into slot 0.
 *
 *	  Nobody waits for a board row either.  A prepared transaction keeps
 *	  the rows it wrote until COMMIT or ROLLBACK PREPARED, while the
 *	  backend that prepared it goes on, and its slot may pass to a new
 *	  backend.  A backend that finds the row of its slot written by
 *	  another transaction takes the next slot of its own, its slot plus a
 *	  multiple of MaxBackends, rather than wait.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "accounts.h"
#include "direct.h"

PG_FUNCTION_INFO_V1(accounts_board_after);

/* What one statement changes on one day of one tenant's board. */
typedef struct DayDelta
{
	int64		tenant_id;		/* MapKey: keep first */
	int64		day;			/* a DateADT, or NO_ACTIVITY */
	int64		accounts;
	Numeric		won_value;		/* NULL means zero */
} DayDelta;

/* the key of the day of accounts without any undone activity */
#define NO_ACTIVITY PG_INT64_MIN

struct Board
{
	KeyMap		days;			/* of DayDelta */
	MemoryContext cxt;
};

/* Arguments of board_row. */
typedef struct BoardRows
{
	Board	   *board;
	TableInfo	info;			/* of figures */
} BoardRows;

/* this backend's slot, from 1 to MaxBackends; 0 until its first write */
static int	my_slot = 0;

/*
 * Claim this backend's slot at its first write of the board: the lowest
 * number from 1 that no other backend of the database holds, held by a
 * session advisory lock on (kanban_days's OID, the number) until the
 * backend exits.  A new backend so takes over the slot of one that ended,
 * and with it that one's rows, as backend ids were given before 17; from
 * 17 on, backend numbers go round the whole of MaxBackends, and the rows
 * of the slots of ended backends would stay for long.  Should the lock
 * go (pg_advisory_unlock_all(), DISCARD ALL), two backends may share a
 * slot: each then finds the other's rows busy and takes another one, as
 * for a prepared transaction.
 */
static void
board_slot(Oid relid)
{
	if (my_slot != 0)
		return;
	for (int s = 1; s <= MaxBackends; s++)
	{
		LOCKTAG		tag;

		SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, relid, (uint32) s, 2);
		if (LockAcquire(&tag, ExclusiveLock, true, true) !=
			LOCKACQUIRE_NOT_AVAIL)
		{
			my_slot = s;
			return;
		}
	}
	my_slot = accounts_backend_number();
}

Board *
board_create(void)
{
	Board	   *board = palloc(sizeof(Board));

	keymap_init(&board->days, sizeof(DayDelta));
	board->cxt = CurrentMemoryContext;
	return board;
}

/*
 * Add (sign 1) or take away (sign -1) one version of an organization's
 * figures: it is on the board if it is an account, on the day of its next
 * activity (no_day: it has none).
 */
void
board_add(Board *board, int64 tenant_id, int32 won_deals_count, bool no_day,
		  DateADT day, Numeric won_value, int sign)
{
	int64		key = no_day ? NO_ACTIVITY : (int64) day;
	DayDelta   *delta;
	bool		found;
	MemoryContext old;

	if (won_deals_count <= 0)
		return;					/* not an account: not on the board */
	delta = keymap_enter(&board->days, tenant_id, key, &found);
	delta->accounts += sign;
	old = MemoryContextSwitchTo(board->cxt);
	delta->won_value = sign > 0 ? numeric_plus(delta->won_value, won_value)
		: numeric_minus(delta->won_value, won_value);
	if (delta->won_value == won_value && won_value != NULL)	/* own a copy */
		delta->won_value = DatumGetNumeric(datumCopy(NumericGetDatum(won_value),
													 false, -1));
	MemoryContextSwitchTo(old);
}

/* Arguments of other_slot and fold_row. */
typedef struct Fold
{
	DayDelta   *delta;
	int32		slot;			/* the slot written */
	const TableInfo *info;		/* of kanban_days */
	MemoryContext cxt;			/* of the board */
} Fold;

static bool
other_slot(TupleTableSlot *row, void *arg)
{
	Fold	   *fold = (Fold *) arg;
	bool		isnull;

	return DatumGetInt32(get_col(row, fold->info, COL_SLOT, &isnull)) != fold->slot;
}

/* Add a row taken from another slot to the delta of its day. */
static bool
fold_row(TupleTableSlot *row, void *arg)
{
	Fold	   *fold = (Fold *) arg;
	bool		isnull;
	Datum		won_value = get_col(row, fold->info, COL_WON_VALUE, &isnull);
	MemoryContext old = MemoryContextSwitchTo(fold->cxt);

	fold->delta->accounts += DatumGetInt64(get_col(row, fold->info,
												   COL_ACCOUNTS, &isnull));
	/* a copy: the row's page is let go of */
	won_value = datumCopy(won_value, false, -1);
	fold->delta->won_value = numeric_plus(fold->delta->won_value,
										  DatumGetNumeric(won_value));
	MemoryContextSwitchTo(old);
	return true;
}

/*
 * Add the days that changed to this backend's slot of accounts.kanban_days:
 * one row per day, updated, inserted, or deleted when its sums come to
 * zero, taking other slots' rows of a day as the loop below says.
 */
void
board_apply(Board *board)
{
	KeyMapIter it;
	DayDelta   *delta;
	DirectTable *t = NULL;
	const TableInfo *info = NULL;	/* of kanban_days */
	TupleTableSlot *row = NULL;
	TupleTableSlot *found = NULL;

	if (keymap_count(&board->days) == 0)
		return;
	/* a database still at version 0.1 has no board */
	if (!OidIsValid(accounts_relid_extended("kanban_days", true)))
		return;
	keymap_iter_init(&it, &board->days);
	while ((delta = keymap_iter_next(&it)) != NULL)
	{
		Datum		key[3];		/* tenant, day, slot */
		bool		isnull[3];
		bool		folded;

		if (delta->accounts == 0 && numeric_is_zero(delta->won_value))
			continue;			/* moved within the day, or nothing moved */
		if (t == NULL)
		{
			t = direct_open("kanban_days", "kanban_days_day_slot");
			direct_remember(t, 1024);
			info = direct_info(t);
			row = direct_new_row(t);
			found = direct_found_row(t);
			board_slot(RelationGetRelid(direct_relation(t)));
		}
		key[0] = Int64GetDatum(delta->tenant_id);
		isnull[0] = false;
		isnull[1] = delta->day == NO_ACTIVITY;
		key[1] = isnull[1] ? (Datum) 0 : DateADTGetDatum((DateADT) delta->day);
		isnull[2] = false;
		folded = false;
		for (int k = 0;;)
		{
			bool		isnull_found;
			bool		busy;
			int64		accounts = 0;
			Numeric		won_value;
			bool		own;

			key[2] = Int32GetDatum(my_slot + k * MaxBackends);
			own = direct_find_extended(t, key, isnull, &busy);
			if (!own && busy)
			{
				k++;			/* see the file's header */
				continue;
			}
			if (own)
				accounts = DatumGetInt64(get_col(found, info, COL_ACCOUNTS,
												 &isnull_found));

			/*
			 * Accounts that leave a day come out of this slot's row while it
			 * keeps at least one; when they would take it to none or below,
			 * the other slots' rows of the day come into it first.  So no
			 * account that leaves takes a row to none while another row of
			 * the day could be taken (one being written cannot), the last
			 * one to leave a day takes every row there, and a day that all
			 * its accounts have left keeps no rows; while two backends that
			 * move accounts in and out of the same days keep to their own
			 * rows instead of taking each other's at every move.
			 */
			if (delta->accounts < 0 && !folded &&
				accounts + delta->accounts <= 0)
			{
				Fold		fold = {delta, DatumGetInt32(key[2]), info, board->cxt};

				direct_take(t, key, isnull, 2, other_slot, fold_row, &fold);
				folded = true;
				continue;		/* and find this slot's row again */
			}
			if (!own)
			{
				if (delta->accounts == 0 && numeric_is_zero(delta->won_value))
					break;		/* what it took cancelled out */
				direct_row_empty(t);
				set_tenant(row, info, delta->tenant_id);
				set_col(row, info, COL_DAY, key[1], isnull[1]);
				set_col(row, info, COL_SLOT, key[2], false);
				set_col(row, info, COL_ACCOUNTS,
						Int64GetDatum(delta->accounts), false);
				set_col(row, info, COL_WON_VALUE,
						NumericGetDatum(delta->won_value ? delta->won_value
										: numeric_zero()), false);
				direct_insert(t);
				break;
			}
			accounts += delta->accounts;
			won_value = numeric_plus(DatumGetNumeric(get_col(found, info,
															 COL_WON_VALUE,
															 &isnull_found)),
									 delta->won_value);
			if (accounts == 0 && numeric_is_zero(won_value))
			{
				if (direct_delete(t))
					break;
				continue;
			}
			direct_row_from_found(t);
			set_col(row, info, COL_ACCOUNTS, Int64GetDatum(accounts), false);
			set_col(row, info, COL_WON_VALUE, NumericGetDatum(won_value), false);
			if (direct_update(t))
				break;
		}
	}
	if (t != NULL)
		direct_close(t);
}

/* Add (sign 1) or take away (sign -1) one version of a figures row. */
static void
board_row(void *arg, TupleTableSlot *slot, int sign)
{
	BoardRows  *rows = (BoardRows *) arg;
	TableInfo  *info = &rows->info;
	bool		count_null,
				day_null,
				value_null;
	Datum		count,
				day,
				value;

	count = get_col(slot, info, COL_WON_DEALS_COUNT, &count_null);
	day = get_col(slot, info, COL_NEXT_ACTIVITY_DATE, &day_null);
	value = get_col(slot, info, COL_WON_VALUE, &value_null);
	board_add(rows->board, get_tenant(slot, info), count_null ? 0 : DatumGetInt32(count), day_null,
			  day_null ? 0 : DatumGetDateADT(day),
			  value_null ? NULL : DatumGetNumeric(value), sign);
}

/*
 * AFTER INSERT, UPDATE or DELETE ON accounts.figures FOR EACH STATEMENT,
 * with the transition tables, for the statements that write figures in SQL
 * (an organization added or removed, rebuild); the triggers of the base
 * tables change figures rows directly and tell the board themselves.
 */
Datum
accounts_board_after(PG_FUNCTION_ARGS)
{
	BoardRows	rows;
	AttrNumber	relevant[3];

	{
		static const char *const tables[] = {"figures", NULL};

		accounts_check_trigger(fcinfo, "board_after", true, false, tables);
	}
	accounts_table_info(((TriggerData *) fcinfo->context)->tg_relation,
						&rows.info);
	rows.board = board_create();

	relevant[0] = rows.info.attnum[COL_WON_DEALS_COUNT];
	relevant[1] = rows.info.attnum[COL_WON_VALUE];
	relevant[2] = rows.info.attnum[COL_NEXT_ACTIVITY_DATE];
	accounts_for_each_transition_row((TriggerData *) fcinfo->context,
									 board_row, &rows, relevant,
									 lengthof(relevant));
	board_apply(rows.board);
	return PointerGetDatum(NULL);
}
