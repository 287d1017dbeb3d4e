/*-------------------------------------------------------------------------
 *
 * figures.c
 *	  The figures side table: applying deltas to the figures of an
 *	  organization, repairing the first and last won time and the next and
 *	  last activity from an index when the row that held them leaves
 *	  (events.c records the accounts created and closed; rebuild.c
 *	  recomputes everything from the base tables).
 *
 *	  A delta is applied with one update of the organization's figures row,
 *	  made directly (direct.c), for one organization as for a bulk statement.
 *	  That row lock orders concurrent writers of the same organization;
 *	  writers of different organizations touch different rows and never wait
 *	  for each other.  Deltas of one write are applied in (tenant, org_id)
 *	  order, so that two writes moving rows in opposite directions lock in
 *	  the same order.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/datum.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"

#include "accounts.h"
#include "direct.h"


/*
 * The indexes that find again what an organization's figures row holds when
 * the row that held it leaves.
 */
typedef enum Repair
{
	REPAIR_WON,					/* deals_org_won_time: the won time extremes */
	REPAIR_NEXT,				/* activities_org_next: the next activity */
	REPAIR_LAST,				/* activities_org_last: the last activity */
	NUM_REPAIRS
} Repair;

/* What applying the deltas of one statement opens once. */
typedef struct DeltaWriter
{
	DirectTable *figures;
	const TableInfo *info;		/* of figures */
	DirectTable *currencies;	/* figures_by_currency, on first use */
	OrgScan *repair[NUM_REPAIRS];	/* on first use */
	Board	   *board;
	MemoryContext cxt;			/* of all of these */
} DeltaWriter;

/* The figures columns of the counts and the sums, in their enums' order. */
static const TableColumn count_columns[NUM_FIGURE_COUNTS] = {
	COL_WON_DEALS_COUNT, COL_OPEN_DEALS_COUNT, COL_LOST_DEALS_COUNT,
	COL_PEOPLE_COUNT, COL_NOTES_COUNT, COL_FILES_COUNT, COL_ACTIVITIES_COUNT,
	COL_DONE_ACTIVITIES_COUNT
};
static const TableColumn sum_columns[NUM_FIGURE_SUMS] = {
	COL_WON_VALUE, COL_OPEN_DEALS_VALUE, COL_OPEN_DEALS_WEIGHTED_VALUE
};

static void apply_one(DeltaWriter *a, OrgDelta *delta);
static void apply_currency(DeltaWriter *a, OrgDelta *delta, CurrencyDelta *cd);
static int	compare_activity_keys(const ActivityKey *a, const ActivityKey *b,
								  bool nulls_last);
static int	compare_deltas(const void *a, const void *b);

/*
 * The deltas of one statement.  Sums are kept in the set's context; what a
 * row computes on the way lives in the caller's per-row context.
 */
struct DeltaSet
{
	KeyMap		orgs;			/* of OrgDelta */
	MemoryContext cxt;
};

DeltaSet *
deltas_create(void)
{
	DeltaSet   *set = palloc(sizeof(DeltaSet));

	set->cxt = CurrentMemoryContext;
	keymap_init(&set->orgs, sizeof(OrgDelta));
	return set;
}

OrgDelta *
deltas_get(DeltaSet *set, int64 tenant_id, int64 org_id)
{
	bool		found;

	return keymap_enter(&set->orgs, tenant_id, org_id, &found);
}

/* *acc += sign * value, kept in the set's context */
void
deltas_add_sum(DeltaSet *set, Numeric *acc, Numeric value, int sign)
{
	MemoryContext old;
	Numeric		prev = *acc;

	if (value == NULL)
		return;
	old = MemoryContextSwitchTo(set->cxt);
	*acc = sign > 0 ? numeric_plus(prev, value) : numeric_minus(prev, value);
	if (*acc == value)			/* prev was NULL: copy out of the row's context */
		*acc = (Numeric) DatumGetPointer(datumCopy(NumericGetDatum(value),
												   false, -1));
	if (prev != NULL)
		pfree(prev);
	MemoryContextSwitchTo(old);
}

/*
 * A won deal arrives (sign 1) or leaves (sign -1): the won time extremes,
 * the deal for the event, and its currency.
 */
void
deltas_add_won(DeltaSet *set, OrgDelta *delta, int64 deal_id,
			   TimestampTz won_time, text *currency, Numeric value, int sign)
{
	CurrencyDelta *cd = NULL;
	ListCell   *lc;
	MemoryContext old;

	if (sign > 0)
	{
		if (!delta->won_added || won_time < delta->won_added_min)
			delta->won_added_min = won_time;
		if (!delta->won_added || won_time > delta->won_added_max)
			delta->won_added_max = won_time;
		delta->won_added = true;
		if (delta->won_deal_added == 0)
			delta->won_deal_added = deal_id;
	}
	else
	{
		if (!delta->won_removed || won_time < delta->won_removed_min)
			delta->won_removed_min = won_time;
		if (!delta->won_removed || won_time > delta->won_removed_max)
			delta->won_removed_max = won_time;
		delta->won_removed = true;
		if (delta->won_deal_removed == 0)
			delta->won_deal_removed = deal_id;
	}

	foreach(lc, delta->currencies)
	{
		CurrencyDelta *c = lfirst(lc);

		if (VARSIZE_ANY_EXHDR(c->currency) == VARSIZE_ANY_EXHDR(currency) &&
			memcmp(VARDATA_ANY(c->currency), VARDATA_ANY(currency),
				   VARSIZE_ANY_EXHDR(currency)) == 0)
			cd = c;
	}
	old = MemoryContextSwitchTo(set->cxt);
	if (cd == NULL)
	{
		cd = palloc0(sizeof(CurrencyDelta));
		cd->currency = DatumGetTextPCopy(PointerGetDatum(currency));
		delta->currencies = lappend(delta->currencies, cd);
	}
	MemoryContextSwitchTo(old);
	cd->count += sign;
	deltas_add_sum(set, &cd->value, value, sign);
}

/*
 * An activity arrives (sign 1) or leaves (sign -1): it is a candidate for
 * the next (undone) or last (done) activity, or a removal to check.
 */
void
deltas_add_activity(DeltaSet *set, OrgDelta *delta, bool done,
					const ActivityKey *key, text *subject, int sign)
{
	MemoryContext old = MemoryContextSwitchTo(set->cxt);

	delta->count[FIG_ACTIVITIES] += sign;
	if (done)
		delta->count[FIG_DONE_ACTIVITIES] += sign;
	if (sign < 0)
	{
		List	  **removed = done ? &delta->last_removed : &delta->next_removed;
		int64	   *id = palloc(sizeof(int64));

		*id = key->id;
		*removed = lappend(*removed, id);
	}
	else
	{
		ActivityCandidate *c = done ? &delta->last_added : &delta->next_added;

		/* the earliest undone, the latest done */
		if (!c->set ||
			(done ? compare_activity_keys(key, &c->key, false) > 0
			 : compare_activity_keys(key, &c->key, true) < 0))
		{
			if (c->subject)
				pfree(c->subject);
			c->set = true;
			c->key = *key;
			c->subject = subject ? DatumGetTextPCopy(PointerGetDatum(subject))
				: NULL;
		}
	}
	MemoryContextSwitchTo(old);
}

static bool
delta_is_empty(const OrgDelta *delta)
{
	ListCell   *lc;

	for (int i = 0; i < NUM_FIGURE_COUNTS; i++)
		if (delta->count[i] != 0)
			return false;
	for (int i = 0; i < NUM_FIGURE_SUMS; i++)
		if (!numeric_is_zero(delta->sum[i]))
			return false;
	foreach(lc, delta->currencies)
	{
		CurrencyDelta *cd = lfirst(lc);

		if (cd->count != 0 || !numeric_is_zero(cd->value))
			return false;
	}
	if (delta->next_added.set || delta->next_removed != NIL ||
		delta->last_added.set || delta->last_removed != NIL)
		return false;
	/* the same won times leaving and coming back change nothing */
	if (delta->won_added != delta->won_removed)
		return false;
	return !delta->won_added ||
		(delta->won_added_min == delta->won_removed_min &&
		 delta->won_added_max == delta->won_removed_max &&
		 delta->won_added_min == delta->won_added_max);
}

static int
compare_deltas(const void *a, const void *b)
{
	const OrgDelta *x = *(OrgDelta *const *) a;
	const OrgDelta *y = *(OrgDelta *const *) b;

	if (x->tenant_id != y->tenant_id)
		return (x->tenant_id > y->tenant_id) - (x->tenant_id < y->tenant_id);
	return (x->org_id > y->org_id) - (x->org_id < y->org_id);
}

/*
 * Apply the deltas of a statement, one organization at a time in (tenant,
 * org_id) order, so that statements lock figures rows in the same order.
 * The caller is connected to SPI and runs as the extension owner.
 */
void
deltas_apply(DeltaSet *set)
{
	long		n = keymap_count(&set->orgs);
	OrgDelta  **deltas;
	KeyMapIter it;
	OrgDelta   *delta;
	long		i = 0;
	DeltaWriter		a;
	MemoryContext orgcxt,
				old;

	if (n == 0)
		return;
	deltas = palloc(sizeof(OrgDelta *) * n);
	keymap_iter_init(&it, &set->orgs);
	while ((delta = keymap_iter_next(&it)) != NULL)
		if (!delta_is_empty(delta))
			deltas[i++] = delta;
	n = i;
	if (n > 1)
		qsort(deltas, n, sizeof(OrgDelta *), compare_deltas);

	memset(&a, 0, sizeof(a));
	a.cxt = CurrentMemoryContext;
	if (n > 0)
	{
		/*
		 * Not remembered (direct_remember): most figures updates are not
		 * HOT, and the lookups through figures_pkey are what marks its
		 * entries of dead versions as such.  Without them the index fills
		 * with those entries and every insertion pays for clearing them
		 * (measured: more instructions per statement, not fewer).
		 */
		a.figures = direct_open("figures", "figures_pkey");
		a.info = direct_info(a.figures);
		a.board = board_create();
	}

	/* what one organization needs lives until the next one */
	orgcxt = AllocSetContextCreate(CurrentMemoryContext, "accounts organization",
								   ALLOCSET_DEFAULT_SIZES);
	for (i = 0; i < n; i++)
	{
		/*
		 * Every figure writer holds its tenant's rates lock (tenants.c), as
		 * a deal writer must before it reads a rate: a rate change then
		 * waits for it before it waits for any figures row that it holds,
		 * and cannot deadlock with it when it goes on to write a deal.
		 */
		if (i == 0 || deltas[i]->tenant_id != deltas[i - 1]->tenant_id)
			tenant_lock_rates(deltas[i]->tenant_id, false);
		old = MemoryContextSwitchTo(orgcxt);
		apply_one(&a, deltas[i]);
		MemoryContextSwitchTo(old);
		MemoryContextReset(orgcxt);
	}
	MemoryContextDelete(orgcxt);

	if (n > 0)
	{
		board_apply(a.board);
		direct_close(a.figures);
	}
	if (a.currencies)
		direct_close(a.currencies);
	for (int r = 0; r < NUM_REPAIRS; r++)
		if (a.repair[r])
			org_scan_close(a.repair[r]);
	pfree(deltas);
}

/*
 * The stored next (first = COL_NEXT_ACTIVITY_ID) or last activity of a
 * figures row.  The next activity's date is stored as 'infinity' when the
 * activity has none, so that the kanban buckets are date ranges over one
 * index; the views show NULL.
 */
static void
stored_activity(TupleTableSlot *slot, const TableInfo *info, bool next,
				ActivityKey *key)
{
	bool		isnull;
	Datum		d;

	d = get_col(slot, info, next ? COL_NEXT_ACTIVITY_ID : COL_LAST_ACTIVITY_ID,
				&isnull);
	key->id = isnull ? 0 : DatumGetInt64(d);
	d = get_col(slot, info, next ? COL_NEXT_ACTIVITY_DATE : COL_LAST_ACTIVITY_DATE,
				&key->date_null);
	key->date = key->date_null ? 0 : DatumGetDateADT(d);
	if (next && !key->date_null && DATE_IS_NOEND(key->date))
		key->date_null = true;
	d = get_col(slot, info, next ? COL_NEXT_ACTIVITY_TIME : COL_LAST_ACTIVITY_TIME,
				&key->time_null);
	key->time = key->time_null ? 0 : DatumGetTimeADT(d);
}

/* Store an activity as the next or last one of a figures row (NULL: none). */
static void
set_activity(TupleTableSlot *row, const TableInfo *info, bool next,
			 const ActivityKey *key, text *subject)
{
	bool		none = key == NULL;

	set_col(row, info, next ? COL_NEXT_ACTIVITY_ID : COL_LAST_ACTIVITY_ID,
			none ? 0 : Int64GetDatum(key->id), none);
	if (next)
		set_col(row, info, COL_NEXT_ACTIVITY_DATE,
				DateADTGetDatum(none || key->date_null ? DATEVAL_NOEND : key->date),
				none);
	else
		set_col(row, info, COL_LAST_ACTIVITY_DATE,
				none ? 0 : DateADTGetDatum(key->date), none || key->date_null);
	set_col(row, info, next ? COL_NEXT_ACTIVITY_TIME : COL_LAST_ACTIVITY_TIME,
			none ? 0 : TimeADTGetDatum(key->time), none || key->time_null);
	if (next)
		set_col(row, info, COL_NEXT_ACTIVITY_SUBJECT, PointerGetDatum(subject),
				none || subject == NULL);
}

/* whether a stored activity (id 0: none) is among the ids that left */
static bool
activity_left(int64 id, List *removed)
{
	ListCell   *lc;

	if (id != 0)
		foreach(lc, removed)
			if (*(int64 *) lfirst(lc) == id)
				return true;
	return false;
}

/* Filters of the repair lookups: the partial indexes' predicates. */
static bool
won_deal_filter(TupleTableSlot *slot, void *arg)
{
	TableInfo  *info = (TableInfo *) arg;
	bool		isnull;
	Datum		status = get_col(slot, info, COL_STATUS, &isnull);
	text	   *s;

	if (isnull)
		return false;
	s = DatumGetTextPP(status);
	if (VARSIZE_ANY_EXHDR(s) != 3 || memcmp(VARDATA_ANY(s), "won", 3) != 0)
		return false;
	(void) get_col(slot, info, COL_WON_TIME, &isnull);
	return !isnull;
}

static bool
undone_filter(TupleTableSlot *slot, void *arg)
{
	bool		isnull;
	Datum		done = get_col(slot, (TableInfo *) arg, COL_DONE, &isnull);

	return !isnull && !DatumGetBool(done);
}

static bool
done_filter(TupleTableSlot *slot, void *arg)
{
	bool		isnull;
	Datum		done = get_col(slot, (TableInfo *) arg, COL_DONE, &isnull);

	return !isnull && DatumGetBool(done);
}

/* The index each repair reads, opened on first use. */
static OrgScan *
repair_range(DeltaWriter *a, Repair r)
{
	static const char *const tables[NUM_REPAIRS] = {
		"deals", "activities", "activities"
	};
	static const char *const indexes[NUM_REPAIRS] = {
		"deals_org_won_time", "activities_org_next", "activities_org_last"
	};

	if (a->repair[r] == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(a->cxt);

		a->repair[r] = org_scan_open(tables[r], indexes[r]);
		MemoryContextSwitchTo(old);
	}
	return a->repair[r];
}

/*
 * Find again what left: the first and last won time (two ends of the won
 * deals' index), the next activity (the first undone in its index), the
 * last (the last done), as snapshot sees them.
 */
static void
repair_won_times(DeltaWriter *a, const OrgDelta *delta, Snapshot snapshot)
{
	OrgScan *r = repair_range(a, REPAIR_WON);
	const TableInfo *info = org_scan_info(r);
	TupleTableSlot *deal = org_scan_row(r);
	TupleTableSlot *row = direct_new_row(a->figures);

	for (int end = 0; end < 2; end++)
	{
		bool		found,
					isnull;
		Datum		won_time = (Datum) 0;

		found = org_scan_first(r, delta->tenant_id, delta->org_id,
							   end == 0 ? ForwardScanDirection
							   : BackwardScanDirection,
							   snapshot, won_deal_filter,
							   unconstify(TableInfo *, info));
		if (found)
			won_time = get_col(deal, info, COL_WON_TIME, &isnull);
		set_col(row, a->info, end == 0 ? COL_FIRST_WON_TIME : COL_LAST_WON_TIME,
				won_time, !found);
	}
}

static void
repair_activity(DeltaWriter *a, const OrgDelta *delta, bool next,
				Snapshot snapshot)
{
	OrgScan *r = repair_range(a, next ? REPAIR_NEXT : REPAIR_LAST);
	const TableInfo *info = org_scan_info(r);
	TupleTableSlot *found = org_scan_row(r);
	ActivityKey key;
	text	   *subject = NULL;
	bool		isnull;
	Datum		d;

	if (!org_scan_first(r, delta->tenant_id, delta->org_id,
						next ? ForwardScanDirection : BackwardScanDirection,
						snapshot, next ? undone_filter : done_filter,
						unconstify(TableInfo *, info)))
	{
		set_activity(direct_new_row(a->figures), a->info, next, NULL, NULL);
		return;
	}
	key.id = DatumGetInt64(get_col(found, info, COL_ID, &isnull));
	d = get_col(found, info, COL_DUE_DATE, &key.date_null);
	key.date = key.date_null ? 0 : DatumGetDateADT(d);
	d = get_col(found, info, COL_DUE_TIME, &key.time_null);
	key.time = key.time_null ? 0 : DatumGetTimeADT(d);
	if (next)
	{
		d = get_col(found, info, COL_SUBJECT, &isnull);
		if (!isnull)
			subject = DatumGetTextPP(datumCopy(d, false, -1));
	}
	set_activity(direct_new_row(a->figures), a->info, next, &key, subject);
}

/*
 * One organization's deltas: one update of its figures row, computed from
 * the latest version; its currencies; the board; the events.
 *
 * When what the row holds may have left (the deal with the first or last
 * won time, the next or last activity), the new one is looked up in an
 * index with a snapshot taken after the row was found.  The row's version
 * had no open writer then, so every change whose delta it holds was
 * committed and is seen.  A change that commits later either changed the
 * row too, and then our update fails and all starts over from the new
 * version, or applies its delta after ours, to the value we store (and
 * repairs it in turn if it takes away what we found).
 */
static void
apply_one(DeltaWriter *a, OrgDelta *delta)
{
	DirectTable *f = a->figures;
	const TableInfo *info = a->info;
	TupleTableSlot *row = direct_new_row(f);
	Datum		key[2];
	bool		isnull;
	int32		won_count;
	ListCell   *lc;

	key[0] = Int64GetDatum(delta->tenant_id);
	key[1] = Int64GetDatum(delta->org_id);
	if (!direct_find(f, key, NULL))
		return;					/* the organization is being deleted */
	for (;;)
	{
		ActivityKey next,
					last;
		bool		repair_won = false,
					next_left,
					last_left;
		Datum		d;

		/*
		 * Under SERIALIZABLE, as UPDATE: a delta applied on top of a change
		 * that the transaction cannot see would order it after that change
		 * for the figures and before it for everything else it read.
		 * REPEATABLE READ goes on: the figures stay exact (README).
		 */
		if (IsolationIsSerializable() && direct_found_after_snapshot(f))
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("could not serialize access due to concurrent update"),
					 errdetail("Another transaction changed the figures of organization %lld of tenant %lld after this transaction's snapshot was taken.",
							   (long long) delta->org_id,
							   (long long) delta->tenant_id),
					 errhint("The transaction might succeed if retried.")));
		direct_row_from_found(f);
		for (int c = 0; c < NUM_FIGURE_COUNTS; c++)
		{
			d = get_col(row, info, count_columns[c], &isnull);
			set_col(row, info, count_columns[c],
					Int32GetDatum(DatumGetInt32(d) + delta->count[c]), false);
		}
		for (int s = 0; s < NUM_FIGURE_SUMS; s++)
		{
			d = get_col(row, info, sum_columns[s], &isnull);
			set_col(row, info, sum_columns[s],
					NumericGetDatum(numeric_plus(DatumGetNumeric(d),
												 delta->sum[s])), false);
		}

		/*
		 * The won time extremes: those that arrived, unless the deal that
		 * held one left and none came with the same time.
		 */
		for (int end = 0; end < 2; end++)
		{
			TableColumn col = end == 0 ? COL_FIRST_WON_TIME : COL_LAST_WON_TIME;
			TimestampTz added = end == 0 ? delta->won_added_min : delta->won_added_max;
			TimestampTz removed = end == 0 ? delta->won_removed_min : delta->won_removed_max;
			TimestampTz t;

			d = get_col(row, info, col, &isnull);
			t = isnull ? 0 : DatumGetTimestampTz(d);
			if (delta->won_added &&
				(isnull || (end == 0 ? added < t : added > t)))
			{
				t = added;
				isnull = false;
			}
			set_col(row, info, col, TimestampTzGetDatum(t), isnull);
			if (!isnull && delta->won_removed && t == removed &&
				!(delta->won_added && added == t))
				repair_won = true;
		}

		stored_activity(row, info, true, &next);
		stored_activity(row, info, false, &last);
		next_left = activity_left(next.id, delta->next_removed);
		last_left = activity_left(last.id, delta->last_removed);

		if (repair_won || next_left || last_left)
		{
			Snapshot	snapshot;

			/* see this statement's own changes too */
			CommandCounterIncrement();
			snapshot = RegisterSnapshot(GetLatestSnapshot());
			if (repair_won)
				repair_won_times(a, delta, snapshot);
			if (next_left)
				repair_activity(a, delta, true, snapshot);
			if (last_left)
				repair_activity(a, delta, false, snapshot);
			UnregisterSnapshot(snapshot);
		}

		/* the best activity that arrived, if it comes before (after) */
		if (!next_left && delta->next_added.set &&
			(next.id == 0 ||
			 compare_activity_keys(&delta->next_added.key, &next, true) < 0))
			set_activity(row, info, true, &delta->next_added.key,
						 delta->next_added.subject);
		if (!last_left && delta->last_added.set &&
			(last.id == 0 ||
			 compare_activity_keys(&delta->last_added.key, &last, false) > 0))
			set_activity(row, info, false, &delta->last_added.key, NULL);

		if (direct_update(f))
			break;
		if (!direct_find(f, key, NULL))
			return;
	}

	/* the board: the version replaced leaves, the new one comes */
	for (int sign = -1; sign <= 1; sign += 2)
	{
		TupleTableSlot *slot = sign < 0 ? direct_found_row(f) : row;
		bool		day_null,
					value_null;
		Datum		count = get_col(slot, info, COL_WON_DEALS_COUNT, &isnull);
		Datum		day = get_col(slot, info, COL_NEXT_ACTIVITY_DATE, &day_null);
		Datum		value = get_col(slot, info, COL_WON_VALUE, &value_null);

		board_add(a->board, delta->tenant_id, DatumGetInt32(count), day_null,
				  day_null ? 0 : DatumGetDateADT(day),
				  value_null ? NULL : DatumGetNumeric(value), sign);
	}

	foreach(lc, delta->currencies)
		apply_currency(a, delta, lfirst(lc));

	won_count = DatumGetInt32(get_col(row, info, COL_WON_DEALS_COUNT, &isnull));
	if (delta->count[FIG_WON_DEALS] > 0 &&
		won_count == delta->count[FIG_WON_DEALS])
		events_record(delta->tenant_id, delta->org_id, "created",
					  delta->won_deal_added);
	else if (delta->count[FIG_WON_DEALS] < 0 && won_count == 0)
		events_record(delta->tenant_id, delta->org_id, "closed",
					  delta->won_deal_removed);
}

/*
 * Compare two activity keys: date, time, id.  A missing date or time sorts
 * after every value when nulls_last, before every value otherwise.
 */
static int
compare_activity_keys(const ActivityKey *a, const ActivityKey *b,
					  bool nulls_last)
{
	int			nullcmp = nulls_last ? 1 : -1;

	if (a->date_null != b->date_null)
		return a->date_null ? nullcmp : -nullcmp;
	if (!a->date_null && a->date != b->date)
		return a->date < b->date ? -1 : 1;
	if (a->time_null != b->time_null)
		return a->time_null ? nullcmp : -nullcmp;
	if (!a->time_null && a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/*
 * The won deals of one currency of an organization: its row of
 * figures_by_currency, made when the first deal comes and removed when the
 * last one goes.  The organization's figures row is ours by now, so no one
 * else writes these rows.
 */
static void
apply_currency(DeltaWriter *a, OrgDelta *delta, CurrencyDelta *cd)
{
	DirectTable *c;
	const TableInfo *info;
	TupleTableSlot *row;
	TupleTableSlot *found;
	Datum		key[3];

	if (cd->count == 0 && numeric_is_zero(cd->value))
		return;
	if (a->currencies == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(a->cxt);

		a->currencies = direct_open("figures_by_currency",
									"figures_by_currency_pkey");
		MemoryContextSwitchTo(old);
	}
	c = a->currencies;
	info = direct_info(c);
	row = direct_new_row(c);
	found = direct_found_row(c);
	key[0] = Int64GetDatum(delta->tenant_id);
	key[1] = Int64GetDatum(delta->org_id);
	key[2] = PointerGetDatum(cd->currency);
	for (;;)
	{
		bool		isnull;
		int32		count;

		if (!direct_find(c, key, NULL))
		{
			direct_row_empty(c);
			set_tenant(row, info, delta->tenant_id);
			set_col(row, info, COL_ORG_ID, key[1], false);
			set_col(row, info, COL_CURRENCY, key[2], false);
			set_col(row, info, COL_WON_DEALS_COUNT, Int32GetDatum(cd->count),
					false);
			set_col(row, info, COL_WON_VALUE,
					NumericGetDatum(cd->value ? cd->value : numeric_zero()), false);
			direct_insert(c);
			return;
		}
		count = DatumGetInt32(get_col(found, info, COL_WON_DEALS_COUNT,
									  &isnull)) + cd->count;
		if (count == 0)
		{
			if (direct_delete(c))
				return;
			continue;
		}
		direct_row_from_found(c);
		set_col(row, info, COL_WON_DEALS_COUNT, Int32GetDatum(count), false);
		set_col(row, info, COL_WON_VALUE,
				NumericGetDatum(numeric_plus(DatumGetNumeric(get_col(found, info,
																	 COL_WON_VALUE,
																	 &isnull)),
											 cd->value)), false);
		if (direct_update(c))
			return;
	}
}
