/*-------------------------------------------------------------------------
 *
 * rebuild.c
 *	  Every figure recomputed from the base tables: rebuild(), and TRUNCATE
 *	  of a base table, which fires no row trigger.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/namespace.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"

#include "accounts.h"

PG_FUNCTION_INFO_V1(accounts_rebuild);
PG_FUNCTION_INFO_V1(accounts_truncate_after);

/*
 * The columns of accounts.figures that rebuild() recomputes, each with
 * prefix, separated by commas, into buf: the figures (accounts.h) and the
 * owner kept beside them.
 */
static void
append_figure_columns(StringInfo buf, const char *prefix)
{
	static const TableColumn figures[] = {FIGURE_COLUMNS(COLUMN_CONSTANT)};

	for (int i = 0; i < lengthof(figures); i++)
		appendStringInfo(buf, "%s%s%s", i == 0 ? "" : ", ", prefix,
						 accounts_column_name(figures[i]));
	/* and the owner kept beside them (0.7) */
	appendStringInfo(buf, ", %sowner_id", prefix);
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
	int64		organizations;
	bool		isnull;
	int			save_nestlevel;
	StringInfoData sql;

	/*
	 * The recomputation joins per-organization aggregates of the base tables
	 * by org_id: hash joins over sequential scans.  A merge join would read
	 * the deals in org_id order through the index, all over the heap, at
	 * twice the cost; JIT would compile for longer than it saves.
	 */
	accounts_check_trusted_triggers("figures");
	accounts_check_trusted_triggers("figures_by_currency");
	accounts_check_trusted_triggers("account_events");
	if (OidIsValid(accounts_relid_extended("kanban_days", true)))
		accounts_check_trusted_triggers("kanban_days");

	save_nestlevel = accounts_pin_search_path();
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
	initStringInfo(&sql);
	appendStringInfoString(&sql, "WITH e AS MATERIALIZED (SELECT * FROM accounts_internal.figures_fresh),"
						   " u AS (UPDATE accounts.figures f SET (");
	append_figure_columns(&sql, "");
	appendStringInfoString(&sql, ") = (");
	append_figure_columns(&sql, "e.");
	appendStringInfoString(&sql, ") FROM e WHERE f.tenant_id = e.tenant_id"
						   " AND f.org_id = e.org_id AND (");
	append_figure_columns(&sql, "f.");
	appendStringInfoString(&sql, ") IS DISTINCT FROM (");
	append_figure_columns(&sql, "e.");
	appendStringInfoString(&sql, ") RETURNING f.org_id),"
						   " i AS (INSERT INTO accounts.figures SELECT e.* FROM e"
						   "  WHERE NOT EXISTS (SELECT FROM accounts.figures f"
						   "   WHERE f.tenant_id = e.tenant_id AND f.org_id = e.org_id)"
						   "  RETURNING org_id),"
						   " d AS (DELETE FROM accounts.figures f WHERE NOT EXISTS"
						   "  (SELECT FROM e WHERE e.tenant_id = f.tenant_id"
						   "   AND e.org_id = f.org_id) RETURNING org_id) "
						   "SELECT (SELECT pg_catalog.count(*) FROM e),"
						   " (SELECT pg_catalog.count(*) FROM u),"
						   " (SELECT pg_catalog.count(*) FROM i),"
						   " (SELECT pg_catalog.count(*) FROM d)");
	rc = SPI_execute(sql.data, false, 0);
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not rebuild figures: %s", SPI_result_code_string(rc));
	organizations = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0],
												SPI_tuptable->tupdesc, 1,
												&isnull));

	rc = SPI_execute("WITH e AS MATERIALIZED"
					 "  (SELECT * FROM accounts_internal.figures_by_currency_fresh),"
					 " u AS (UPDATE accounts.figures_by_currency c SET"
					 "  won_deals_count = e.won_deals_count, won_value = e.won_value"
					 "  FROM e WHERE c.tenant_id = e.tenant_id AND c.org_id = e.org_id"
					 "  AND c.currency = e.currency"
					 "  AND (c.won_deals_count, c.won_value)"
					 "      IS DISTINCT FROM (e.won_deals_count, e.won_value)"
					 "  RETURNING 1),"
					 " i AS (INSERT INTO accounts.figures_by_currency SELECT * FROM e"
					 "  WHERE NOT EXISTS (SELECT FROM accounts.figures_by_currency c"
					 "   WHERE c.tenant_id = e.tenant_id AND c.org_id = e.org_id"
					 "   AND c.currency = e.currency)"
					 "  RETURNING 1),"
					 " d AS (DELETE FROM accounts.figures_by_currency c WHERE NOT EXISTS"
					 "  (SELECT FROM e WHERE e.tenant_id = c.tenant_id"
					 "   AND e.org_id = c.org_id AND e.currency = c.currency)"
					 "  RETURNING 1) "
					 "SELECT (SELECT pg_catalog.count(*) FROM u),"
					 " (SELECT pg_catalog.count(*) FROM i),"
					 " (SELECT pg_catalog.count(*) FROM d)", false, 0);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not rebuild figures by currency: %s",
			 SPI_result_code_string(rc));

	/* The board by day, from the figures now right, in slot 0. */
	rc = SPI_execute("DELETE FROM accounts.kanban_days", false, 0);
	if (rc != SPI_OK_DELETE)
		elog(ERROR, "could not clear the board: %s",
			 SPI_result_code_string(rc));
	rc = SPI_execute("INSERT INTO accounts.kanban_days"
					 " (tenant_id, day, slot, accounts, won_value)"
					 " SELECT tenant_id, next_activity_date, 0, pg_catalog.count(*),"
					 "  pg_catalog.sum(won_value)"
					 " FROM accounts.figures WHERE won_deals_count > 0"
					 " GROUP BY tenant_id, next_activity_date", false, 0);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "could not rebuild the board: %s",
			 SPI_result_code_string(rc));

	/*
	 * Bring the history in line with the figures, now right: 'created' for
	 * every account whose last event is not 'created', 'closed' for every
	 * other organization whose last event is.  So a rebuild after a restore
	 * without triggers records nothing twice.
	 */
	rc = SPI_execute("WITH w AS (SELECT tenant_id, org_id FROM accounts.figures"
					 "           WHERE won_deals_count > 0),"
					 " l AS (SELECT DISTINCT ON (tenant_id, org_id) tenant_id, org_id, kind"
					 "       FROM accounts.account_events"
					 "       ORDER BY tenant_id, org_id, id DESC)"
					 " INSERT INTO accounts.account_events (tenant_id, org_id, kind)"
					 " SELECT COALESCE(w.tenant_id, l.tenant_id),"
					 "  COALESCE(w.org_id, l.org_id),"
					 "  CASE WHEN w.org_id IS NULL THEN 'closed' ELSE 'created' END"
					 " FROM w FULL JOIN l"
					 "  ON l.tenant_id = w.tenant_id AND l.org_id = w.org_id"
					 " WHERE (w.org_id IS NOT NULL AND l.kind IS DISTINCT FROM 'created')"
					 "    OR (w.org_id IS NULL AND l.kind = 'created')"
					 " ORDER BY 1, 2"
					 " RETURNING id", false, 0);
	if (rc != SPI_OK_INSERT_RETURNING)
		elog(ERROR, "could not record account events: %s",
			 SPI_result_code_string(rc));
	events_announce_result();
	AtEOXact_GUC(true, save_nestlevel);
	return organizations;
}

Datum
accounts_rebuild(PG_FUNCTION_ARGS)
{
	Oid			save_userid;
	int			save_sec_context;
	int64		n;

	accounts_check_version();
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
	accounts_check_version();

	SPI_connect();
	accounts_begin_maintenance(&save_userid, &save_sec_context);
	figures_rebuild();
	accounts_end_maintenance(save_userid, save_sec_context);
	SPI_finish();
	return PointerGetDatum(NULL);
}
