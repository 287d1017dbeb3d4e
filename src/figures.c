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
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include "accounts.h"

PG_FUNCTION_INFO_V1(accounts_rebuild);
PG_FUNCTION_INFO_V1(accounts_truncate_after);

static void apply_one(OrgDelta *delta);
static void apply_currency(int64 org_id, CurrencyDelta *cd);
static int	compare_activity_keys(const ActivityKey *a, const ActivityKey *b,
								  bool nulls_last);
static void apply_activity(int64 org_id, HeapTuple row, TupleDesc desc,
						   int first, bool next, int64 removed,
						   ActivityCandidate *added);
static int	compare_deltas(const void *a, const void *b);

static SPIPlanPtr apply_plan = NULL;
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
static bool
numeric_is_zero(Numeric n)
{
	return n == NULL ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(n),
										  NumericGetDatum(int64_to_numeric(0)))) == 0;
}

void
figures_init_delta(OrgDelta *delta, int64 org_id)
{
	memset(delta, 0, sizeof(OrgDelta));
	delta->org_id = org_id;
}

bool
figures_delta_is_empty(const OrgDelta *delta)
{
	for (int i = 0; i < NUM_FIGURE_COUNTS; i++)
		if (delta->count[i] != 0)
			return false;
	for (int i = 0; i < NUM_FIGURE_SUMS; i++)
		if (!numeric_is_zero(delta->sum[i]))
			return false;
	for (int i = 0; i < delta->ncurrencies; i++)
		if (delta->currencies[i].count != 0 ||
			!numeric_is_zero(delta->currencies[i].value))
			return false;
	if (delta->next_added.set || delta->next_removed != 0 ||
		delta->last_added.set || delta->last_removed != 0)
		return false;
	if (delta->won_time_added_set != delta->won_time_removed_set)
		return false;
	return !delta->won_time_added_set ||
		delta->won_time_added == delta->won_time_removed;
}

static int
compare_deltas(const void *a, const void *b)
{
	int64		x = ((const OrgDelta *) a)->org_id;
	int64		y = ((const OrgDelta *) b)->org_id;

	return (x > y) - (x < y);
}

/*
 * Apply deltas (of distinct organizations) in org_id order.  The caller is
 * connected to SPI and runs as the extension owner.
 */
void
figures_apply(OrgDelta *deltas, int ndeltas)
{
	if (ndeltas > 1)
		qsort(deltas, ndeltas, sizeof(OrgDelta), compare_deltas);
	for (int i = 0; i < ndeltas; i++)
		if (!figures_delta_is_empty(&deltas[i]))
			apply_one(&deltas[i]);
}

static void
apply_one(OrgDelta *delta)
{
	static const Oid argtypes[] = {
		INT8OID,
		INT4OID, INT4OID, INT4OID, INT4OID, INT4OID, INT4OID, INT4OID, INT4OID,
		NUMERICOID, NUMERICOID, NUMERICOID, TIMESTAMPTZOID
	};
	Datum		values[lengthof(argtypes)];
	char		nulls[lengthof(argtypes)];
	Numeric		zero = int64_to_numeric(0);
	const int	won_time_arg = 1 + NUM_FIGURE_COUNTS + NUM_FIGURE_SUMS;
	HeapTuple	row;
	TupleDesc	desc;
	bool		isnull;
	int32		won_count;
	TimestampTz first_won,
				last_won;
	bool		repair;

	StaticAssertStmt(lengthof(argtypes) == 2 + NUM_FIGURE_COUNTS + NUM_FIGURE_SUMS,
					 "apply_one arguments do not match the figures");

	/* the same won time leaving and coming back is no change */
	if (delta->won_time_added_set && delta->won_time_removed_set &&
		delta->won_time_added == delta->won_time_removed)
		delta->won_time_added_set = delta->won_time_removed_set = false;

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
					 "last_won_time = GREATEST(last_won_time, $13) "
					 "WHERE org_id = $1 "
					 "RETURNING won_deals_count, first_won_time, last_won_time, "
					 "next_activity_id, next_activity_date, next_activity_time, "
					 "last_activity_id, last_activity_date, last_activity_time",
					 lengthof(argtypes), argtypes);

	memset(nulls, ' ', sizeof(nulls));
	values[0] = Int64GetDatum(delta->org_id);
	for (int i = 0; i < NUM_FIGURE_COUNTS; i++)
		values[1 + i] = Int32GetDatum(delta->count[i]);
	for (int i = 0; i < NUM_FIGURE_SUMS; i++)
		values[1 + NUM_FIGURE_COUNTS + i] =
			NumericGetDatum(delta->sum[i] ? delta->sum[i] : zero);
	values[won_time_arg] = TimestampTzGetDatum(delta->won_time_added);
	if (!delta->won_time_added_set)
		nulls[won_time_arg] = 'n';

	accounts_execute(apply_plan, values, nulls, false, -1);
	if (SPI_processed == 0)
		return;					/* the organization is being deleted */
	row = SPI_copytuple(SPI_tuptable->vals[0]);
	desc = CreateTupleDescCopy(SPI_tuptable->tupdesc);

	won_count = DatumGetInt32(SPI_getbinval(row, desc, 1, &isnull));
	first_won = DatumGetTimestampTz(SPI_getbinval(row, desc, 2, &isnull));
	repair = !isnull && delta->won_time_removed_set &&
		first_won == delta->won_time_removed;
	last_won = DatumGetTimestampTz(SPI_getbinval(row, desc, 3, &isnull));
	repair |= !isnull && delta->won_time_removed_set &&
		last_won == delta->won_time_removed;

	/*
	 * The deal that held the earliest or latest won time left: find the new
	 * extremes with two index lookups.  The figures row is locked by now, so
	 * in READ COMMITTED this fresh snapshot sees every committed won deal of
	 * the organization.
	 */
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

	apply_activity(delta->org_id, row, desc, 4, true, delta->next_removed,
				   &delta->next_added);
	apply_activity(delta->org_id, row, desc, 7, false, delta->last_removed,
				   &delta->last_added);

	for (int i = 0; i < delta->ncurrencies; i++)
		apply_currency(delta->org_id, &delta->currencies[i]);

	if (delta->count[FIG_WON_DEALS] > 0 &&
		won_count == delta->count[FIG_WON_DEALS])
		figures_record_event(delta->org_id, "created", delta->deal_id);
	else if (delta->count[FIG_WON_DEALS] < 0 && won_count == 0)
		figures_record_event(delta->org_id, "closed", delta->deal_id);
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
 * activity left, look the new one up in the partial index; otherwise a
 * candidate that sorts before (next) or after (last) the stored one
 * replaces it.
 *
 * The next activity's date is stored as 'infinity' when the activity has
 * none, so that the kanban buckets are date ranges over one index; the views
 * show NULL.
 */
static void
apply_activity(int64 org_id, HeapTuple row, TupleDesc desc, int first,
			   bool next, int64 removed, ActivityCandidate *added)
{
	static const Oid set_types[] = {INT8OID, INT8OID, DATEOID, TIMEOID, TEXTOID};
	ActivityKey stored;
	bool		isnull;
	Datum		d;
	Datum		values[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', ' '};

	if (removed == 0 && !added->set)
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

	if (stored.id != 0 && removed == stored.id)
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
int64
figures_rebuild(void)
{
	int			rc;

	rc = SPI_execute("LOCK TABLE accounts.organizations, accounts.persons, "
					 "accounts.currencies, accounts.deals, accounts.activities, "
					 "accounts.notes, accounts.files IN SHARE MODE", false, 0);
	if (rc != SPI_OK_UTILITY)
		elog(ERROR, "could not lock the base tables: %s",
			 SPI_result_code_string(rc));

	/*
	 * Bring the history in line with the truth: 'created' for every account
	 * whose last event is not 'created', 'closed' for every other
	 * organization whose last event is.  So a rebuild after a restore
	 * without triggers records nothing twice.
	 */
	rc = SPI_execute("WITH w AS (SELECT DISTINCT org_id FROM accounts.deals"
					 "           WHERE status = 'won' AND org_id IS NOT NULL),"
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

	if (SPI_execute("DELETE FROM accounts.figures_by_currency", false, 0) < 0 ||
		SPI_execute("INSERT INTO accounts.figures_by_currency "
					"SELECT * FROM accounts.figures_by_currency_fresh",
					false, 0) < 0 ||
		SPI_execute("DELETE FROM accounts.figures", false, 0) < 0)
		elog(ERROR, "could not rebuild figures");
	rc = SPI_execute("INSERT INTO accounts.figures "
					 "SELECT * FROM accounts.figures_fresh", false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "could not rebuild figures: %s", SPI_result_code_string(rc));
	return (int64) SPI_processed;
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

	accounts_check_trigger(fcinfo, "truncate_after", true, false);

	SPI_connect();
	accounts_begin_maintenance(&save_userid, &save_sec_context);
	figures_rebuild();
	accounts_end_maintenance(save_userid, save_sec_context);
	SPI_finish();
	return PointerGetDatum(NULL);
}
