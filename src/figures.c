/*-------------------------------------------------------------------------
 *
 * figures.c
 *	  The figures side table: applying deltas to the figures of an
 *	  organization, repairing the first and last won time and the next and
 *	  last activity from an index when the row that held them leaves,
 *	  recording account events, and rebuilding everything from the base
 *	  tables.
 *
 *	  A delta is applied with one UPDATE of the organization's figures row.
 *	  That row lock orders concurrent writers of the same organization;
 *	  writers of different organizations touch different rows and never wait
 *	  for each other.  Deltas of one write are applied in org_id order, so
 *	  that two writes moving rows in opposite directions lock in the same
 *	  order.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "nodes/pg_list.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "accounts.h"

PG_FUNCTION_INFO_V1(accounts_rebuild);
PG_FUNCTION_INFO_V1(accounts_truncate_after);

static void apply_one(OrgDelta *delta);
static void apply_batch(OrgDelta **deltas, long n);
static void apply_batch_currencies(OrgDelta **deltas, long n);
static void after_update(OrgDelta *delta, HeapTuple returned,
						 TupleDesc returned_desc, bool currencies);
static void apply_currency(int64 org_id, CurrencyDelta *cd);
static int	compare_activity_keys(const ActivityKey *a, const ActivityKey *b,
								  bool nulls_last);
static void apply_activity(int64 org_id, HeapTuple row, TupleDesc desc,
						   int first, bool next, List *removed,
						   ActivityCandidate *added);
static int	compare_deltas(const void *a, const void *b);

/* above this many organizations, a statement's deltas go in one UPDATE */
#define BATCH_THRESHOLD 8

static SPIPlanPtr apply_plan = NULL;
static SPIPlanPtr batch_plan = NULL;
static SPIPlanPtr batch_currency_plan = NULL;
static SPIPlanPtr batch_currency_delete_plan = NULL;
static SPIPlanPtr repair_plan = NULL;
static SPIPlanPtr currency_upsert_plan = NULL;
static SPIPlanPtr currency_delete_plan = NULL;
static SPIPlanPtr event_plan = NULL;
static SPIPlanPtr next_repair_plan = NULL;
static SPIPlanPtr last_repair_plan = NULL;
static SPIPlanPtr next_set_plan = NULL;
static SPIPlanPtr last_set_plan = NULL;

/* numeric arithmetic on possibly NULL (= zero) operands */
Numeric
numeric_plus(Numeric a, Numeric b)
{
	if (a == NULL)
		return b;
	if (b == NULL)
		return a;
	return DatumGetNumeric(DirectFunctionCall2(numeric_add,
											   NumericGetDatum(a),
											   NumericGetDatum(b)));
}

Numeric
numeric_minus(Numeric a, Numeric b)
{
	if (b == NULL)
		return a;
	if (a == NULL)
		return DatumGetNumeric(DirectFunctionCall1(numeric_uminus,
												   NumericGetDatum(b)));
	return DatumGetNumeric(DirectFunctionCall2(numeric_sub,
											   NumericGetDatum(a),
											   NumericGetDatum(b)));
}

Numeric
numeric_times(Numeric a, Numeric b)
{
	if (a == NULL || b == NULL)
		return NULL;
	return DatumGetNumeric(DirectFunctionCall2(numeric_mul,
											   NumericGetDatum(a),
											   NumericGetDatum(b)));
}

/* whether a possibly NULL (= zero) numeric is zero */
bool
numeric_is_zero(Numeric n)
{
	return n == NULL ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(n),
										  NumericGetDatum(int64_to_numeric(0)))) == 0;
}

/*
 * The deltas of one statement.  Sums are kept in the set's context; what a
 * row computes on the way lives in the caller's per-row context.
 */
struct DeltaSet
{
	HTAB	   *orgs;
	MemoryContext cxt;
};

DeltaSet *
deltas_create(void)
{
	DeltaSet   *set = palloc(sizeof(DeltaSet));
	HASHCTL		ctl;

	set->cxt = CurrentMemoryContext;
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(OrgDelta);
	ctl.hcxt = set->cxt;
	set->orgs = hash_create("accounts deltas", 16, &ctl,
							HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	return set;
}

OrgDelta *
deltas_get(DeltaSet *set, int64 org_id)
{
	bool		found;
	OrgDelta   *delta = hash_search(set->orgs, &org_id, HASH_ENTER, &found);

	if (!found)
	{
		memset(delta, 0, sizeof(OrgDelta));
		delta->org_id = org_id;
	}
	return delta;
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
	int64		x = (*(OrgDelta *const *) a)->org_id;
	int64		y = (*(OrgDelta *const *) b)->org_id;

	return (x > y) - (x < y);
}

/*
 * Apply the deltas of a statement, one organization at a time in org_id
 * order, so that statements lock figures rows in the same order.  The caller
 * is connected to SPI and runs as the extension owner.
 */
void
deltas_apply(DeltaSet *set)
{
	long		n = hash_get_num_entries(set->orgs);
	OrgDelta  **deltas;
	HASH_SEQ_STATUS status;
	OrgDelta   *delta;
	long		i = 0;

	if (n == 0)
		return;
	deltas = palloc(sizeof(OrgDelta *) * n);
	hash_seq_init(&status, set->orgs);
	while ((delta = hash_seq_search(&status)) != NULL)
		deltas[i++] = delta;
	if (n > 1)
		qsort(deltas, n, sizeof(OrgDelta *), compare_deltas);

	/* drop the empty ones */
	{
		long		kept = 0;

		for (i = 0; i < n; i++)
			if (!delta_is_empty(deltas[i]))
				deltas[kept++] = deltas[i];
		n = kept;
	}

	if (n > BATCH_THRESHOLD)
		apply_batch(deltas, n);
	else
		for (i = 0; i < n; i++)
			apply_one(deltas[i]);
	pfree(deltas);
}

/*
 * Many organizations at once (a bulk statement): one UPDATE of all their
 * figures rows from arrays, one upsert of their currencies, and what is left
 * (extremes to repair, next and last activities, events) per organization
 * from the returned rows.  Below the threshold one UPDATE per organization
 * is cheaper than building the arrays.
 */
static void
apply_batch(OrgDelta **deltas, long n)
{
	static const Oid argtypes[] = {
		INT8ARRAYOID,
		INT4ARRAYOID, INT4ARRAYOID, INT4ARRAYOID, INT4ARRAYOID,
		INT4ARRAYOID, INT4ARRAYOID, INT4ARRAYOID, INT4ARRAYOID,
		NUMERICARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID,
		TIMESTAMPTZARRAYOID, TIMESTAMPTZARRAYOID
	};
	Datum		values[lengthof(argtypes)];
	Datum	   *elems = palloc(sizeof(Datum) * n);
	bool	   *elemnulls = palloc(sizeof(bool) * n);
	Numeric		zero = int64_to_numeric(0);
	int			dims[1] = {n};
	int			lbs[1] = {1};
	SPITupleTable *tuptable;
	uint64		nrows;
	OrgDelta  **applied;

	StaticAssertStmt(lengthof(argtypes) == 3 + NUM_FIGURE_COUNTS + NUM_FIGURE_SUMS,
					 "apply_batch arguments do not match the figures");

	accounts_prepare(&batch_plan,
					 "UPDATE accounts.figures f SET "
					 "won_deals_count = f.won_deals_count + d.won, "
					 "open_deals_count = f.open_deals_count + d.open, "
					 "lost_deals_count = f.lost_deals_count + d.lost, "
					 "people_count = f.people_count + d.people, "
					 "notes_count = f.notes_count + d.notes, "
					 "files_count = f.files_count + d.files, "
					 "activities_count = f.activities_count + d.activities, "
					 "done_activities_count = f.done_activities_count + d.done, "
					 "won_value = f.won_value + d.won_value, "
					 "open_deals_value = f.open_deals_value + d.open_value, "
					 "open_deals_weighted_value = f.open_deals_weighted_value + d.weighted, "
					 "first_won_time = LEAST(f.first_won_time, d.won_min), "
					 "last_won_time = GREATEST(f.last_won_time, d.won_max) "
					 "FROM ROWS FROM (pg_catalog.unnest($1), pg_catalog.unnest($2), "
					 "  pg_catalog.unnest($3), pg_catalog.unnest($4), "
					 "  pg_catalog.unnest($5), pg_catalog.unnest($6), "
					 "  pg_catalog.unnest($7), pg_catalog.unnest($8), "
					 "  pg_catalog.unnest($9), pg_catalog.unnest($10), "
					 "  pg_catalog.unnest($11), pg_catalog.unnest($12), "
					 "  pg_catalog.unnest($13), pg_catalog.unnest($14)) "
					 "  AS d(org_id, won, open, lost, "
					 "  people, notes, files, activities, done, won_value, "
					 "  open_value, weighted, won_min, won_max) "
					 "WHERE f.org_id = d.org_id "
					 "RETURNING f.org_id, f.won_deals_count, f.first_won_time, "
					 "f.last_won_time, f.next_activity_id, f.next_activity_date, "
					 "f.next_activity_time, f.last_activity_id, "
					 "f.last_activity_date, f.last_activity_time",
					 lengthof(argtypes), argtypes);

	for (long i = 0; i < n; i++)
		elems[i] = Int64GetDatum(deltas[i]->org_id);
	values[0] = PointerGetDatum(construct_array(elems, n, INT8OID, 8,
												FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	for (int c = 0; c < NUM_FIGURE_COUNTS; c++)
	{
		for (long i = 0; i < n; i++)
			elems[i] = Int32GetDatum(deltas[i]->count[c]);
		values[1 + c] = PointerGetDatum(construct_array(elems, n, INT4OID, 4,
														true, TYPALIGN_INT));
	}
	for (int c = 0; c < NUM_FIGURE_SUMS; c++)
	{
		for (long i = 0; i < n; i++)
			elems[i] = NumericGetDatum(deltas[i]->sum[c] ? deltas[i]->sum[c] : zero);
		values[1 + NUM_FIGURE_COUNTS + c] =
			PointerGetDatum(construct_array(elems, n, NUMERICOID, -1, false,
											TYPALIGN_INT));
	}
	for (int c = 0; c < 2; c++)
	{
		for (long i = 0; i < n; i++)
		{
			elemnulls[i] = !deltas[i]->won_added;
			elems[i] = TimestampTzGetDatum(c == 0 ? deltas[i]->won_added_min
										   : deltas[i]->won_added_max);
		}
		values[1 + NUM_FIGURE_COUNTS + NUM_FIGURE_SUMS + c] =
			PointerGetDatum(construct_md_array(elems, elemnulls, 1, dims, lbs,
											   TIMESTAMPTZOID, 8,
											   FLOAT8PASSBYVAL,
											   TYPALIGN_DOUBLE));
	}

	accounts_execute(batch_plan, values, NULL, false, -1);
	tuptable = SPI_tuptable;
	nrows = SPI_processed;

	/*
	 * The organizations whose figures row was there to update: the others
	 * are being deleted, and their currencies must not come back.
	 */
	applied = palloc(sizeof(OrgDelta *) * Max(nrows, 1));
	for (uint64 r = 0; r < nrows; r++)
	{
		bool		isnull;
		OrgDelta	key;
		OrgDelta   *keyp = &key;
		OrgDelta  **found;

		key.org_id = DatumGetInt64(SPI_getbinval(tuptable->vals[r],
												 tuptable->tupdesc, 1, &isnull));
		found = bsearch(&keyp, deltas, n, sizeof(OrgDelta *), compare_deltas);
		if (found == NULL)
			elog(ERROR, "figures of organization " INT64_FORMAT " updated without a delta",
				 key.org_id);
		applied[r] = *found;
	}
	if (nrows > 0)
		apply_batch_currencies(applied, nrows);

	for (uint64 r = 0; r < nrows; r++)
		after_update(applied[r], tuptable->vals[r], tuptable->tupdesc, false);
}

/* The won deals per currency of many organizations: one upsert. */
static void
apply_batch_currencies(OrgDelta **deltas, long n)
{
	static const Oid argtypes[] = {
		INT8ARRAYOID, TEXTARRAYOID, INT4ARRAYOID, NUMERICARRAYOID
	};
	List	   *orgs = NIL,
			   *codes = NIL,
			   *counts = NIL,
			   *sums = NIL;
	Datum		values[4];
	Datum	   *elems;
	int			m;
	ListCell   *a,
			   *b,
			   *c,
			   *d;
	int			i;

	for (long k = 0; k < n; k++)
	{
		ListCell   *lc;

		foreach(lc, deltas[k]->currencies)
		{
			CurrencyDelta *cd = lfirst(lc);

			if (cd->count == 0 && numeric_is_zero(cd->value))
				continue;
			orgs = lappend(orgs, &deltas[k]->org_id);
			codes = lappend(codes, cd->currency);
			counts = lappend_int(counts, cd->count);
			sums = lappend(sums, cd->value ? cd->value : int64_to_numeric(0));
		}
	}
	m = list_length(orgs);
	if (m == 0)
		return;

	elems = palloc(sizeof(Datum) * m);
	i = 0;
	forfour(a, orgs, b, codes, c, counts, d, sums)
		elems[i++] = Int64GetDatum(*(int64 *) lfirst(a));
	values[0] = PointerGetDatum(construct_array(elems, m, INT8OID, 8,
												FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	i = 0;
	foreach(b, codes)
		elems[i++] = PointerGetDatum(lfirst(b));
	values[1] = PointerGetDatum(construct_array(elems, m, TEXTOID, -1, false,
												TYPALIGN_INT));
	i = 0;
	foreach(c, counts)
		elems[i++] = Int32GetDatum(lfirst_int(c));
	values[2] = PointerGetDatum(construct_array(elems, m, INT4OID, 4, true,
												TYPALIGN_INT));
	i = 0;
	foreach(d, sums)
		elems[i++] = NumericGetDatum(lfirst(d));
	values[3] = PointerGetDatum(construct_array(elems, m, NUMERICOID, -1, false,
												TYPALIGN_INT));

	accounts_prepare(&batch_currency_plan,
					 "INSERT INTO accounts.figures_by_currency AS c "
					 "(org_id, currency, won_deals_count, won_value) "
					 "SELECT * FROM ROWS FROM (pg_catalog.unnest($1), "
					 " pg_catalog.unnest($2), pg_catalog.unnest($3), "
					 " pg_catalog.unnest($4)) "
					 "ON CONFLICT (org_id, currency) DO UPDATE SET "
					 "won_deals_count = c.won_deals_count + excluded.won_deals_count, "
					 "won_value = c.won_value + excluded.won_value",
					 4, argtypes);
	accounts_execute(batch_currency_plan, values, NULL, false, -1);

	/*
	 * A currency without won deals left goes; a separate statement, as one
	 * statement cannot see the rows its upsert changed.
	 */
	accounts_prepare(&batch_currency_delete_plan,
					 "DELETE FROM accounts.figures_by_currency c "
					 "USING ROWS FROM (pg_catalog.unnest($1), "
					 " pg_catalog.unnest($2)) AS u(org_id, currency) "
					 "WHERE c.org_id = u.org_id AND c.currency = u.currency "
					 "AND c.won_deals_count = 0",
					 2, argtypes);
	accounts_execute(batch_currency_delete_plan, values, NULL, false, -1);
}

static void
apply_one(OrgDelta *delta)
{
	static const Oid argtypes[] = {
		INT8OID,
		INT4OID, INT4OID, INT4OID, INT4OID, INT4OID, INT4OID, INT4OID, INT4OID,
		NUMERICOID, NUMERICOID, NUMERICOID, TIMESTAMPTZOID, TIMESTAMPTZOID
	};
	Datum		values[lengthof(argtypes)];
	char		nulls[lengthof(argtypes)];
	Numeric		zero = int64_to_numeric(0);
	const int	won_time_arg = 1 + NUM_FIGURE_COUNTS + NUM_FIGURE_SUMS;

	StaticAssertStmt(lengthof(argtypes) == 3 + NUM_FIGURE_COUNTS + NUM_FIGURE_SUMS,
					 "apply_one arguments do not match the figures");

	accounts_prepare(&apply_plan,
					 "UPDATE accounts.figures SET "
					 "won_deals_count = won_deals_count + $2, "
					 "open_deals_count = open_deals_count + $3, "
					 "lost_deals_count = lost_deals_count + $4, "
					 "people_count = people_count + $5, "
					 "notes_count = notes_count + $6, "
					 "files_count = files_count + $7, "
					 "activities_count = activities_count + $8, "
					 "done_activities_count = done_activities_count + $9, "
					 "won_value = won_value + $10, "
					 "open_deals_value = open_deals_value + $11, "
					 "open_deals_weighted_value = open_deals_weighted_value + $12, "
					 "first_won_time = LEAST(first_won_time, $13), "
					 "last_won_time = GREATEST(last_won_time, $14) "
					 "WHERE org_id = $1 "
					 "RETURNING org_id, won_deals_count, first_won_time, "
					 "last_won_time, next_activity_id, next_activity_date, "
					 "next_activity_time, last_activity_id, last_activity_date, "
					 "last_activity_time",
					 lengthof(argtypes), argtypes);

	memset(nulls, ' ', sizeof(nulls));
	values[0] = Int64GetDatum(delta->org_id);
	for (int i = 0; i < NUM_FIGURE_COUNTS; i++)
		values[1 + i] = Int32GetDatum(delta->count[i]);
	for (int i = 0; i < NUM_FIGURE_SUMS; i++)
		values[1 + NUM_FIGURE_COUNTS + i] =
			NumericGetDatum(delta->sum[i] ? delta->sum[i] : zero);
	values[won_time_arg] = TimestampTzGetDatum(delta->won_added_min);
	values[won_time_arg + 1] = TimestampTzGetDatum(delta->won_added_max);
	if (!delta->won_added)
		nulls[won_time_arg] = nulls[won_time_arg + 1] = 'n';

	accounts_execute(apply_plan, values, nulls, false, -1);
	if (SPI_processed == 0)
		return;					/* the organization is being deleted */
	after_update(delta, SPI_tuptable->vals[0], SPI_tuptable->tupdesc, true);
}

/*
 * What follows the UPDATE of one organization's figures row, from the row
 * it returned (org_id, won_deals_count, first_won_time, last_won_time, next
 * activity id, date, time, last activity id, date, time): repairs, the next
 * and last activity, the currencies (unless done for a whole batch), and
 * the events.
 */
static void
after_update(OrgDelta *delta, HeapTuple returned, TupleDesc returned_desc,
			 bool currencies)
{
	HeapTuple	row = SPI_copytuple(returned);
	TupleDesc	desc = CreateTupleDescCopy(returned_desc);
	Datum		values[1];
	bool		isnull;
	int32		won_count;
	TimestampTz first_won,
				last_won;
	bool		repair = false;
	ListCell   *lc;

	values[0] = Int64GetDatum(delta->org_id);

	/*
	 * The deal that held the earliest or latest won time left, and no deal
	 * came with the same time: find the new extremes with two index lookups.
	 * The figures row is locked by now, so in READ COMMITTED this fresh
	 * snapshot sees every committed won deal of the organization.
	 */
	won_count = DatumGetInt32(SPI_getbinval(row, desc, 2, &isnull));
	first_won = DatumGetTimestampTz(SPI_getbinval(row, desc, 3, &isnull));
	if (!isnull && delta->won_removed && first_won == delta->won_removed_min &&
		!(delta->won_added && delta->won_added_min == first_won))
		repair = true;
	last_won = DatumGetTimestampTz(SPI_getbinval(row, desc, 4, &isnull));
	if (!isnull && delta->won_removed && last_won == delta->won_removed_max &&
		!(delta->won_added && delta->won_added_max == last_won))
		repair = true;
	if (repair)
	{
		static const Oid repair_types[] = {INT8OID};

		accounts_prepare(&repair_plan,
						 "UPDATE accounts.figures SET "
						 "first_won_time = (SELECT pg_catalog.min(d.won_time) "
						 "  FROM accounts.deals d "
						 "  WHERE d.org_id = $1 AND d.status = 'won'), "
						 "last_won_time = (SELECT pg_catalog.max(d.won_time) "
						 "  FROM accounts.deals d "
						 "  WHERE d.org_id = $1 AND d.status = 'won') "
						 "WHERE org_id = $1",
						 1, repair_types);
		accounts_execute(repair_plan, values, NULL, false, 1);
	}

	apply_activity(delta->org_id, row, desc, 5, true, delta->next_removed,
				   &delta->next_added);
	apply_activity(delta->org_id, row, desc, 8, false, delta->last_removed,
				   &delta->last_added);

	if (currencies)
		foreach(lc, delta->currencies)
			apply_currency(delta->org_id, lfirst(lc));

	if (delta->count[FIG_WON_DEALS] > 0 &&
		won_count == delta->count[FIG_WON_DEALS])
		figures_record_event(delta->org_id, "created", delta->won_deal_added);
	else if (delta->count[FIG_WON_DEALS] < 0 && won_count == 0)
		figures_record_event(delta->org_id, "closed", delta->won_deal_removed);
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
 * Keep the next (earliest undone) or last (latest done) activity of an
 * organization.  The stored key is in columns first..first+2 of row (id,
 * date, time), read after the figures row was locked.  If the stored
 * activity left, look the new one up in the partial index; otherwise the
 * best candidate that arrived replaces it if it sorts before (next) or
 * after (last) it.
 *
 * The next activity's date is stored as 'infinity' when the activity has
 * none, so that the kanban buckets are date ranges over one index; the views
 * show NULL.
 */
static void
apply_activity(int64 org_id, HeapTuple row, TupleDesc desc, int first,
			   bool next, List *removed, ActivityCandidate *added)
{
	static const Oid set_types[] = {INT8OID, INT8OID, DATEOID, TIMEOID, TEXTOID};
	ActivityKey stored;
	bool		isnull;
	bool		stored_left = false;
	Datum		d;
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};
	ListCell   *lc;

	if (removed == NIL && !added->set)
		return;

	d = SPI_getbinval(row, desc, first, &isnull);
	stored.id = isnull ? 0 : DatumGetInt64(d);
	d = SPI_getbinval(row, desc, first + 1, &stored.date_null);
	stored.date = stored.date_null ? 0 : DatumGetDateADT(d);
	d = SPI_getbinval(row, desc, first + 2, &stored.time_null);
	stored.time = stored.time_null ? 0 : DatumGetTimeADT(d);
	if (next && !stored.date_null && DATE_IS_NOEND(stored.date))
		stored.date_null = true;
	values[0] = Int64GetDatum(org_id);

	foreach(lc, removed)
		if (stored.id != 0 && *(int64 *) lfirst(lc) == stored.id)
			stored_left = true;

	if (stored_left)
	{
		static const Oid repair_types[] = {INT8OID};

		if (next)
			accounts_prepare(&next_repair_plan,
							 "UPDATE accounts.figures SET (next_activity_id, "
							 " next_activity_date, next_activity_time, "
							 " next_activity_subject) = "
							 "(SELECT a.id, COALESCE(a.due_date, 'infinity'), "
							 "  a.due_time, a.subject FROM accounts.activities a "
							 "  WHERE a.org_id = $1 AND NOT a.done "
							 "  ORDER BY a.due_date, a.due_time, a.id LIMIT 1) "
							 "WHERE org_id = $1",
							 1, repair_types);
		else
			accounts_prepare(&last_repair_plan,
							 "UPDATE accounts.figures SET (last_activity_id, "
							 " last_activity_date, last_activity_time) = "
							 "(SELECT a.id, a.due_date, a.due_time "
							 "  FROM accounts.activities a "
							 "  WHERE a.org_id = $1 AND a.done "
							 "  ORDER BY a.due_date DESC NULLS LAST, "
							 "  a.due_time DESC NULLS LAST, a.id DESC LIMIT 1) "
							 "WHERE org_id = $1",
							 1, repair_types);
		accounts_execute(next ? next_repair_plan : last_repair_plan,
						 values, NULL, false, 1);
		return;
	}

	if (!added->set)
		return;
	if (stored.id != 0)
	{
		int			cmp = compare_activity_keys(&added->key, &stored, next);

		if (next ? cmp >= 0 : cmp <= 0)
			return;
	}

	values[1] = Int64GetDatum(added->key.id);
	if (added->key.date_null && next)
		values[2] = DateADTGetDatum(DATEVAL_NOEND);
	else if (added->key.date_null)
		nulls[2] = 'n';
	else
		values[2] = DateADTGetDatum(added->key.date);
	values[3] = TimeADTGetDatum(added->key.time);
	if (added->key.time_null)
		nulls[3] = 'n';
	values[4] = PointerGetDatum(added->subject);
	if (next)
		accounts_prepare(&next_set_plan,
						 "UPDATE accounts.figures SET next_activity_id = $2, "
						 "next_activity_date = $3, next_activity_time = $4, "
						 "next_activity_subject = $5 WHERE org_id = $1",
						 5, set_types);
	else
		accounts_prepare(&last_set_plan,
						 "UPDATE accounts.figures SET last_activity_id = $2, "
						 "last_activity_date = $3, last_activity_time = $4 "
						 "WHERE org_id = $1",
						 4, set_types);
	accounts_execute(next ? next_set_plan : last_set_plan, values, nulls,
					 false, 1);
}

static void
apply_currency(int64 org_id, CurrencyDelta *cd)
{
	static const Oid argtypes[] = {INT8OID, TEXTOID, INT4OID, NUMERICOID};
	Datum		values[4];
	bool		isnull;

	if (cd->count == 0 && numeric_is_zero(cd->value))
		return;

	accounts_prepare(&currency_upsert_plan,
					 "INSERT INTO accounts.figures_by_currency AS c "
					 "(org_id, currency, won_deals_count, won_value) "
					 "VALUES ($1, $2, $3, $4) "
					 "ON CONFLICT (org_id, currency) DO UPDATE SET "
					 "won_deals_count = c.won_deals_count + excluded.won_deals_count, "
					 "won_value = c.won_value + excluded.won_value "
					 "RETURNING won_deals_count",
					 4, argtypes);
	values[0] = Int64GetDatum(org_id);
	values[1] = PointerGetDatum(cd->currency);
	values[2] = Int32GetDatum(cd->count);
	values[3] = NumericGetDatum(cd->value ? cd->value : int64_to_numeric(0));
	accounts_execute(currency_upsert_plan, values, NULL, false, 1);

	if (DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
									SPI_tuptable->tupdesc, 1, &isnull)) == 0)
	{
		accounts_prepare(&currency_delete_plan,
						 "DELETE FROM accounts.figures_by_currency "
						 "WHERE org_id = $1 AND currency = $2 "
						 "AND won_deals_count = 0",
						 2, argtypes);
		accounts_execute(currency_delete_plan, values, NULL, false, 1);
	}
}

/*
 * Record that an organization became an account or stopped being one, and
 * announce it with NOTIFY accounts_events.  Kinds alternate per
 * organization: a kind equal to the last one recorded is not written again.
 */
void
figures_record_event(int64 org_id, const char *kind, int64 deal_id)
{
	static const Oid argtypes[] = {INT8OID, TEXTOID, INT8OID};
	Datum		values[3];
	char		nulls[3] = {' ', ' ', ' '};

	accounts_prepare(&event_plan,
					 "WITH e AS ("
					 " INSERT INTO accounts.account_events (org_id, kind, deal_id)"
					 " SELECT $1, $2, $3"
					 " WHERE (SELECT l.kind FROM accounts.account_events l"
					 "        WHERE l.org_id = $1 ORDER BY l.id DESC LIMIT 1)"
					 "       IS DISTINCT FROM $2"
					 " RETURNING *) "
					 "SELECT pg_catalog.pg_notify('accounts_events', "
					 " pg_catalog.json_build_object('id', e.id, 'org_id', e.org_id, "
					 "  'kind', e.kind, 'deal_id', e.deal_id, "
					 "  'event_time', e.event_time)::text) "
					 "FROM e",
					 3, argtypes);
	values[0] = Int64GetDatum(org_id);
	values[1] = CStringGetTextDatum(kind);
	values[2] = Int64GetDatum(deal_id);
	if (deal_id == 0)
		nulls[2] = 'n';
	accounts_execute(event_plan, values, nulls, false, -1);
}

/*
 * Recompute every figure from the base tables.  The base tables are locked
 * against writers meanwhile.  The account history is brought in line too
 * (see below).  Returns the number of organizations.
 */
/* The figures columns of accounts.figures, for rebuild. */
#define FIGURE_COLUMNS \
	"won_deals_count, won_value, first_won_time, last_won_time, " \
	"open_deals_count, open_deals_value, open_deals_weighted_value, " \
	"lost_deals_count, people_count, notes_count, files_count, " \
	"activities_count, done_activities_count, next_activity_id, " \
	"next_activity_date, next_activity_time, next_activity_subject, " \
	"last_activity_id, last_activity_date, last_activity_time"
#define FIGURE_COLUMNS_F \
	"f.won_deals_count, f.won_value, f.first_won_time, f.last_won_time, " \
	"f.open_deals_count, f.open_deals_value, f.open_deals_weighted_value, " \
	"f.lost_deals_count, f.people_count, f.notes_count, f.files_count, " \
	"f.activities_count, f.done_activities_count, f.next_activity_id, " \
	"f.next_activity_date, f.next_activity_time, f.next_activity_subject, " \
	"f.last_activity_id, f.last_activity_date, f.last_activity_time"
#define FIGURE_COLUMNS_E \
	"e.won_deals_count, e.won_value, e.first_won_time, e.last_won_time, " \
	"e.open_deals_count, e.open_deals_value, e.open_deals_weighted_value, " \
	"e.lost_deals_count, e.people_count, e.notes_count, e.files_count, " \
	"e.activities_count, e.done_activities_count, e.next_activity_id, " \
	"e.next_activity_date, e.next_activity_time, e.next_activity_subject, " \
	"e.last_activity_id, e.last_activity_date, e.last_activity_time"

int64
figures_rebuild(void)
{
	int			rc;
	int64		organizations;
	bool		isnull;
	int			save_nestlevel;

	/*
	 * The recomputation joins per-organization aggregates of the base tables
	 * by org_id: hash joins over sequential scans.  A merge join would read
	 * the deals in org_id order through the index, all over the heap, at
	 * twice the cost; JIT would compile for longer than it saves.
	 */
	save_nestlevel = NewGUCNestLevel();
	(void) set_config_option("enable_mergejoin", "off", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	(void) set_config_option("jit", "off", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);

	rc = SPI_execute("LOCK TABLE accounts.organizations, accounts.persons, "
					 "accounts.currencies, accounts.deals, accounts.activities, "
					 "accounts.notes, accounts.files IN SHARE MODE", false, 0);
	if (rc != SPI_OK_UTILITY)
		elog(ERROR, "could not lock the base tables: %s",
			 SPI_result_code_string(rc));

	/*
	 * Recompute everything, and write only the rows that differ: when the
	 * figures are right, a rebuild costs about the aggregate query alone.
	 */
	rc = SPI_execute("WITH e AS MATERIALIZED (SELECT * FROM accounts.figures_fresh),"
					 " u AS (UPDATE accounts.figures f SET (" FIGURE_COLUMNS ") = "
					 "  (" FIGURE_COLUMNS_E ") FROM e WHERE f.org_id = e.org_id"
					 "  AND (" FIGURE_COLUMNS_F ") IS DISTINCT FROM (" FIGURE_COLUMNS_E ")"
					 "  RETURNING f.org_id),"
					 " i AS (INSERT INTO accounts.figures SELECT e.* FROM e"
					 "  WHERE NOT EXISTS (SELECT FROM accounts.figures f"
					 "                    WHERE f.org_id = e.org_id) RETURNING org_id),"
					 " d AS (DELETE FROM accounts.figures f WHERE NOT EXISTS"
					 "  (SELECT FROM e WHERE e.org_id = f.org_id) RETURNING org_id) "
					 "SELECT (SELECT pg_catalog.count(*) FROM e),"
					 " (SELECT pg_catalog.count(*) FROM u),"
					 " (SELECT pg_catalog.count(*) FROM i),"
					 " (SELECT pg_catalog.count(*) FROM d)", false, 0);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not rebuild figures: %s", SPI_result_code_string(rc));
	organizations = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												SPI_tuptable->tupdesc, 1,
												&isnull));

	rc = SPI_execute("WITH e AS MATERIALIZED"
					 "  (SELECT * FROM accounts.figures_by_currency_fresh),"
					 " u AS (UPDATE accounts.figures_by_currency c SET"
					 "  won_deals_count = e.won_deals_count, won_value = e.won_value"
					 "  FROM e WHERE c.org_id = e.org_id AND c.currency = e.currency"
					 "  AND (c.won_deals_count, c.won_value)"
					 "      IS DISTINCT FROM (e.won_deals_count, e.won_value)"
					 "  RETURNING 1),"
					 " i AS (INSERT INTO accounts.figures_by_currency SELECT * FROM e"
					 "  WHERE NOT EXISTS (SELECT FROM accounts.figures_by_currency c"
					 "   WHERE c.org_id = e.org_id AND c.currency = e.currency)"
					 "  RETURNING 1),"
					 " d AS (DELETE FROM accounts.figures_by_currency c WHERE NOT EXISTS"
					 "  (SELECT FROM e WHERE e.org_id = c.org_id AND e.currency = c.currency)"
					 "  RETURNING 1) "
					 "SELECT (SELECT pg_catalog.count(*) FROM u),"
					 " (SELECT pg_catalog.count(*) FROM i),"
					 " (SELECT pg_catalog.count(*) FROM d)", false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not rebuild figures by currency: %s",
			 SPI_result_code_string(rc));

	/*
	 * The board by day, from the figures now right, in slot 0 (from 0.2 on;
	 * a database not yet updated has no board).
	 */
	if (OidIsValid(get_relname_relid("kanban_days",
									 get_namespace_oid("accounts", false))))
	{
		rc = SPI_execute("DELETE FROM accounts.kanban_days", false, 0);
		if (rc != SPI_OK_DELETE)
			elog(ERROR, "could not clear the board: %s",
				 SPI_result_code_string(rc));
		rc = SPI_execute("INSERT INTO accounts.kanban_days"
						 " (day, slot, accounts, won_value)"
						 " SELECT next_activity_date, 0, pg_catalog.count(*),"
						 "  pg_catalog.sum(won_value)"
						 " FROM accounts.figures WHERE won_deals_count > 0"
						 " GROUP BY next_activity_date", false, 0);
		if (rc != SPI_OK_INSERT)
			elog(ERROR, "could not rebuild the board: %s",
				 SPI_result_code_string(rc));
	}

	/*
	 * Bring the history in line with the figures, now right: 'created' for
	 * every account whose last event is not 'created', 'closed' for every
	 * other organization whose last event is.  So a rebuild after a restore
	 * without triggers records nothing twice.
	 */
	rc = SPI_execute("WITH w AS (SELECT org_id FROM accounts.figures"
					 "           WHERE won_deals_count > 0),"
					 " l AS (SELECT DISTINCT ON (org_id) org_id, kind"
					 "       FROM accounts.account_events ORDER BY org_id, id DESC),"
					 " e AS ("
					 " INSERT INTO accounts.account_events (org_id, kind)"
					 " SELECT COALESCE(w.org_id, l.org_id),"
					 "  CASE WHEN w.org_id IS NULL THEN 'closed' ELSE 'created' END"
					 " FROM w FULL JOIN l ON l.org_id = w.org_id"
					 " WHERE (w.org_id IS NOT NULL AND l.kind IS DISTINCT FROM 'created')"
					 "    OR (w.org_id IS NULL AND l.kind = 'created')"
					 " ORDER BY 1"
					 " RETURNING *) "
					 "SELECT pg_catalog.pg_notify('accounts_events', "
					 " pg_catalog.json_build_object('id', e.id, 'org_id', e.org_id, "
					 "  'kind', e.kind, 'deal_id', e.deal_id, "
					 "  'event_time', e.event_time)::text) "
					 "FROM e", false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not record account events: %s",
			 SPI_result_code_string(rc));
	AtEOXact_GUC(true, save_nestlevel);
	return organizations;
}

Datum
accounts_rebuild(PG_FUNCTION_ARGS)
{
	Oid			save_userid;
	int			save_sec_context;
	int64		n;

	SPI_connect();
	accounts_begin_maintenance(&save_userid, &save_sec_context);
	n = figures_rebuild();
	accounts_end_maintenance(save_userid, save_sec_context);
	SPI_finish();
	PG_RETURN_INT64(n);
}

/*
 * TRUNCATE fires no row trigger: rebuild the figures after it.
 */
Datum
accounts_truncate_after(PG_FUNCTION_ARGS)
{
	Oid			save_userid;
	int			save_sec_context;

	{
		static const char *const tables[] = {
			"organizations", "persons", "deals", "activities", "notes",
			"files", NULL
		};

		accounts_check_trigger(fcinfo, "truncate_after", true, false, tables);
	}

	SPI_connect();
	accounts_begin_maintenance(&save_userid, &save_sec_context);
	figures_rebuild();
	accounts_end_maintenance(save_userid, save_sec_context);
	SPI_finish();
	return PointerGetDatum(NULL);
}
