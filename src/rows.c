/*-------------------------------------------------------------------------
 *
 * rows.c
 *	  Row triggers of the base tables other than the deal figures:
 *
 *	  - before_row fills what a CRM fills by itself: update_time, a deal's
 *		currency (the default one), won_time and lost_time, an activity's
 *		marked_as_done_time, and the organization of an activity, note or
 *		file given only a deal or a person.  It acts on the columns a table
 *		has, so one function serves every base table.
 *	  - organization_after creates and drops an organization's figures row.
 *	  - count_after keeps a counted figure (people, notes, files) by
 *		organization,
 *		per statement from the transition tables.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/rel.h"

#include "accounts.h"

PG_FUNCTION_INFO_V1(accounts_before_row);
PG_FUNCTION_INFO_V1(accounts_organization_after);
PG_FUNCTION_INFO_V1(accounts_count_after);

static bool column_is_null(HeapTuple tuple, TupleDesc tupdesc, AttrNumber attnum);
static void set_time_if(bool cond, HeapTuple tuple, TupleDesc tupdesc,
						AttrNumber attnum, int *ncols, int *cols,
						Datum *values, bool *nulls);
static int64 linked_org(const char *table, int64 tenant_id, int64 id);

/* each with and without tenants: see accounts_prepare_tenanted() */
static SPIPlanPtr deal_org_plan[2];
static SPIPlanPtr person_org_plan[2];
static SPIPlanPtr figures_insert_plan[2];
static SPIPlanPtr figures_delete_plan[2];
static SPIPlanPtr by_currency_delete_plan[2];
static SPIPlanPtr figures_move_plan[2];
static SPIPlanPtr figures_owner_plan = NULL;

static bool
column_is_null(HeapTuple tuple, TupleDesc tupdesc, AttrNumber attnum)
{
	bool		isnull;

	(void) heap_getattr(tuple, attnum, tupdesc, &isnull);
	return isnull;
}

/*
 * A time column that is set exactly when cond holds: kept if given, the
 * transaction time if not, and NULL when cond does not hold.
 */
static void
set_time_if(bool cond, HeapTuple tuple, TupleDesc tupdesc, AttrNumber attnum,
			int *ncols, int *cols, Datum *values, bool *nulls)
{
	bool		isnull = column_is_null(tuple, tupdesc, attnum);

	if (cond == !isnull)
		return;
	cols[*ncols] = attnum;
	values[*ncols] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
	nulls[*ncols] = !cond;
	(*ncols)++;
}

/*
 * The organization of a deal or a person (0 if it has none), read with the
 * rights of the role that writes, under its row-level security: a deal or
 * person it may not see is refused exactly as one that does not exist, so
 * that linking tells nothing about it.
 */
static int64
linked_org(const char *table, int64 tenant_id, int64 id)
{
	static const Oid argtypes[] = {INT8OID, INT8OID};
	SPIPlanPtr	plan;
	Datum		values[2];
	bool		isnull;
	Datum		d;

	if (strcmp(table, "deals") == 0)
		plan = accounts_prepare_tenanted(deal_org_plan,
										 "SELECT org_id FROM accounts.deals"
										 " WHERE tenant_id = $1 AND id = $2",
										 "SELECT org_id FROM accounts.deals"
										 " WHERE id = $2",
										 2, argtypes);
	else
		plan = accounts_prepare_tenanted(person_org_plan,
										 "SELECT org_id FROM accounts.persons"
										 " WHERE tenant_id = $1 AND id = $2",
										 "SELECT org_id FROM accounts.persons"
										 " WHERE id = $2",
										 2, argtypes);
	values[0] = Int64GetDatum(tenant_id);
	values[1] = Int64GetDatum(id);
	accounts_execute(plan, values, NULL, false, -1);
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("%s %lld does not exist",
						strcmp(table, "deals") == 0 ? "deal" : "person",
						(long long) id),
				 errdetail("A row given a deal or a person and no organization is linked to the organization of the deal, else of the person.")));
	d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? 0 : DatumGetInt64(d);
}

/*
 * BEFORE INSERT OR UPDATE FOR EACH ROW on the base tables.
 */
Datum
accounts_before_row(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc;
	TableInfo	info;
	HeapTuple	tuple;
	bool		is_update;
	int			ncols = 0;
	int			cols[4];
	Datum		values[4];
	bool		nulls[4];
	bool		spi = false;
	int64		tenant_id;
	MemoryContext callercxt = CurrentMemoryContext;
	Oid			save_userid = InvalidOid;
	int			save_sec_context = 0;

	{
		static const char *const tables[] = {
			"organizations", "persons", "deals", "activities", "notes",
			"files", NULL
		};

		accounts_check_trigger(fcinfo, "before_row", false, true, tables);
	}
	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		return PointerGetDatum(trigdata->tg_trigtuple);

	is_update = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event);
	tuple = is_update ? trigdata->tg_newtuple : trigdata->tg_trigtuple;
	tupdesc = RelationGetDescr(trigdata->tg_relation);
	accounts_table_info(trigdata->tg_relation, &info);
	tenant_id = accounts_get_tenant(tuple, tupdesc, &info);
	if (info.attnum[COL_TENANT_ID] != InvalidAttrNumber &&
		column_is_null(tuple, tupdesc, info.attnum[COL_TENANT_ID]))
		return PointerGetDatum(tuple);	/* NOT NULL refuses it next */

	if (is_update && info.attnum[COL_UPDATE_TIME] != InvalidAttrNumber)
	{
		cols[ncols] = info.attnum[COL_UPDATE_TIME];
		values[ncols] = TimestampTzGetDatum(GetCurrentTransactionStartTimestamp());
		nulls[ncols++] = false;
	}

	/* deals: won_time, lost_time, default currency */
	if (info.attnum[COL_STATUS] != InvalidAttrNumber)
	{
		bool		isnull;
		Datum		status = heap_getattr(tuple, info.attnum[COL_STATUS],
										  tupdesc, &isnull);
		char	   *s = isnull ? "" : TextDatumGetCString(status);

		set_time_if(strcmp(s, "won") == 0, tuple, tupdesc,
					info.attnum[COL_WON_TIME], &ncols, cols, values, nulls);
		set_time_if(strcmp(s, "lost") == 0, tuple, tupdesc,
					info.attnum[COL_LOST_TIME], &ncols, cols, values, nulls);
		if (column_is_null(tuple, tupdesc, info.attnum[COL_CURRENCY]))
		{
			SPI_connect();
			spi = true;
			accounts_begin_maintenance(&save_userid, &save_sec_context);
			cols[ncols] = info.attnum[COL_CURRENCY];
			tenant_lock_rates(tenant_id, false);
			values[ncols] = PointerGetDatum(deals_default_currency(tenant_id));
			accounts_end_maintenance(save_userid, save_sec_context);
			{
				MemoryContext spicxt = MemoryContextSwitchTo(callercxt);

				/* outlive SPI_finish */
				values[ncols] = datumCopy(values[ncols], false, -1);
				MemoryContextSwitchTo(spicxt);
			}
			nulls[ncols++] = false;
		}
	}

	/* activities: marked_as_done_time */
	if (info.attnum[COL_DONE] != InvalidAttrNumber)
	{
		bool		isnull;
		Datum		done = heap_getattr(tuple, info.attnum[COL_DONE],
										tupdesc, &isnull);

		set_time_if(!isnull && DatumGetBool(done), tuple, tupdesc,
					info.attnum[COL_MARKED_AS_DONE_TIME],
					&ncols, cols, values, nulls);
	}

	/*
	 * activities, notes, files: added (or re-linked) with a deal or a person
	 * but no organization, they get the deal's or the person's.  Only when
	 * the deal or person is given: setting org_id to NULL, as deleting an
	 * organization does, leaves it NULL.
	 */
	if (info.attnum[COL_ORG_ID] != InvalidAttrNumber &&
		info.attnum[COL_DEAL_ID] != InvalidAttrNumber &&
		column_is_null(tuple, tupdesc, info.attnum[COL_ORG_ID]) &&
		(!is_update ||
		 accounts_attr_changed(trigdata->tg_trigtuple, tuple, tupdesc,
							   info.attnum[COL_DEAL_ID]) ||
		 accounts_attr_changed(trigdata->tg_trigtuple, tuple, tupdesc,
							   info.attnum[COL_PERSON_ID])))
	{
		bool		deal_null,
					person_null;
		int64		deal_id = accounts_get_int64(tuple, tupdesc,
												 info.attnum[COL_DEAL_ID],
												 &deal_null);
		int64		person_id = accounts_get_int64(tuple, tupdesc,
												   info.attnum[COL_PERSON_ID],
												   &person_null);
		int64		org_id = 0;

		if (!deal_null || !person_null)
		{
			/* as the writing role: see linked_org() */
			if (!spi)
			{
				SPI_connect();
				spi = true;
			}
			if (!deal_null)
				org_id = linked_org("deals", tenant_id, deal_id);
			if (org_id == 0 && !person_null)
				org_id = linked_org("persons", tenant_id, person_id);
		}
		if (org_id != 0)
		{
			cols[ncols] = info.attnum[COL_ORG_ID];
			values[ncols] = Int64GetDatum(org_id);
			nulls[ncols++] = false;
		}
	}

	if (spi)
		SPI_finish();
	if (ncols > 0)
		tuple = heap_modify_tuple_by_cols(tuple, tupdesc, ncols, cols,
										  values, nulls);
	return PointerGetDatum(tuple);
}

/*
 * AFTER INSERT OR DELETE OR UPDATE OF id, owner_id ON accounts.organizations
 * FOR EACH ROW: the figures row comes and goes with the organization's id,
 * and keeps its owner.
 */
Datum
accounts_organization_after(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	static const Oid argtypes[] = {INT8OID, INT8OID, INT8OID};
	TableInfo	info;
	TupleDesc	tupdesc = RelationGetDescr(trigdata->tg_relation);
	HeapTuple	newtuple = TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event) ?
		trigdata->tg_newtuple : trigdata->tg_trigtuple;
	Datum		values[3];		/* tenant, id, owner (of the new version) */
	char		nulls[3] = {' ', ' ', ' '};
	bool		isnull;
	Oid			save_userid;
	int			save_sec_context;

	{
		static const char *const tables[] = {"organizations", NULL};

		accounts_check_trigger(fcinfo, "organization_after", true, true,
							   tables);
	}
	accounts_table_info(trigdata->tg_relation, &info);
	values[0] = Int64GetDatum(accounts_get_tenant(trigdata->tg_trigtuple,
												  tupdesc, &info));
	values[1] = Int64GetDatum(accounts_get_int64(trigdata->tg_trigtuple, tupdesc,
												 info.attnum[COL_ID], &isnull));
	values[2] = heap_getattr(newtuple, info.attnum[COL_OWNER_ID], tupdesc,
							 &isnull);
	if (isnull)
		nulls[2] = 'n';

	/* what the SQL below fires of others' code: see the function */
	accounts_check_trusted_triggers("figures");
	accounts_check_trusted_triggers("figures_by_currency");
	/* a figure writer: see deltas_apply() */
	tenant_lock_rates(DatumGetInt64(values[0]), false);

	SPI_connect();
	accounts_begin_maintenance(&save_userid, &save_sec_context);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
	{
		/*
		 * The id may have a row already: its previous holder took another id
		 * in the same statement, and what references the id stays with it.
		 */
		accounts_execute(accounts_prepare_tenanted(figures_insert_plan,
												   "INSERT INTO accounts.figures"
												   " (tenant_id, org_id, owner_id) VALUES ($1, $2, $3)"
												   " ON CONFLICT (tenant_id, org_id) DO UPDATE"
												   " SET owner_id = excluded.owner_id",
												   "INSERT INTO accounts.figures (org_id)"
												   " VALUES ($2) ON CONFLICT (org_id) DO NOTHING",
												   3, argtypes),
						 values, nulls, false, -1);
	}
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
	{
		/*
		 * The deals were detached by ON DELETE SET NULL before or will be
		 * after this; whichever comes first closes the account.
		 */
		accounts_execute(accounts_prepare_tenanted(figures_delete_plan,
												   "DELETE FROM accounts.figures"
												   " WHERE tenant_id = $1 AND org_id = $2"
												   " RETURNING won_deals_count",
												   "DELETE FROM accounts.figures"
												   " WHERE org_id = $2"
												   " RETURNING won_deals_count",
												   2, argtypes),
						 values, NULL, false, -1);
		if (SPI_processed == 1 &&
			DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0],
										SPI_tuptable->tupdesc, 1, &isnull)) > 0)
			events_record(DatumGetInt64(values[0]), DatumGetInt64(values[1]),
						  "closed", 0);
		accounts_execute(accounts_prepare_tenanted(by_currency_delete_plan,
												   "DELETE FROM accounts.figures_by_currency"
												   " WHERE tenant_id = $1 AND org_id = $2",
												   "DELETE FROM accounts.figures_by_currency"
												   " WHERE org_id = $2",
												   2, argtypes),
						 values, NULL, false, -1);
	}
	else
	{
		static const Oid move_types[] = {INT8OID, INT8OID, INT8OID};
		Datum		move[3];	/* tenant, old id, new id */

		move[0] = values[0];
		move[1] = values[1];
		move[2] = Int64GetDatum(accounts_get_int64(trigdata->tg_newtuple, tupdesc,
												   info.attnum[COL_ID], &isnull));
		/*
		 * Figures belong to an id value, not to an organization row: the
		 * foreign keys are NO ACTION, so rows referencing the old id keep it,
		 * and the statement succeeds only if no row references the old id
		 * any more or another organization took it in the same statement
		 * (UPDATE ... SET id = id + 1 over adjacent ids).  AFTER ROW
		 * triggers run when the whole statement is done, so the new id gets
		 * a row if it has none, and the old id's row goes only if no
		 * organization holds the old id now.
		 */
		if (DatumGetInt64(move[1]) != DatumGetInt64(move[2]))
		{
			accounts_execute(accounts_prepare_tenanted(figures_move_plan,
													   "WITH new_row AS ("
													   "  INSERT INTO accounts.figures (tenant_id, org_id)"
													   "  VALUES ($1, $3)"
													   "  ON CONFLICT (tenant_id, org_id) DO NOTHING), "
													   "old_row AS ("
													   "  DELETE FROM accounts.figures"
													   "  WHERE tenant_id = $1 AND org_id = $2"
													   "  AND NOT EXISTS (SELECT FROM accounts.organizations"
													   "   WHERE tenant_id = $1 AND id = $2)) "
													   "DELETE FROM accounts.figures_by_currency "
													   "WHERE tenant_id = $1 AND org_id = $2 AND NOT EXISTS "
													   "  (SELECT FROM accounts.organizations"
													   "   WHERE tenant_id = $1 AND id = $2)",
													   "WITH new_row AS ("
													   "  INSERT INTO accounts.figures (org_id) VALUES ($3)"
													   "  ON CONFLICT (org_id) DO NOTHING), "
													   "old_row AS ("
													   "  DELETE FROM accounts.figures WHERE org_id = $2"
													   "  AND NOT EXISTS (SELECT FROM accounts.organizations"
													   "   WHERE id = $2)) "
													   "DELETE FROM accounts.figures_by_currency "
													   "WHERE org_id = $2 AND NOT EXISTS "
													   "  (SELECT FROM accounts.organizations WHERE id = $2)",
													   3, move_types),
							 move, NULL, false, -1);
		}

		/*
		 * The owner, kept beside the figures for the index of each owner's
		 * accounts (0.7 on; a database at an earlier version fires this for
		 * a new id only).
		 */
		if (accounts_has_tenants())
		{
			Datum		owner[3];

			owner[0] = values[0];
			owner[1] = move[2];
			owner[2] = values[2];
			accounts_prepare(&figures_owner_plan,
							 "UPDATE accounts.figures SET owner_id = $3"
							 " WHERE tenant_id = $1 AND org_id = $2"
							 " AND owner_id IS DISTINCT FROM $3",
							 3, argtypes);
			accounts_execute(figures_owner_plan, owner, nulls, false, -1);
		}
	}

	accounts_end_maintenance(save_userid, save_sec_context);
	SPI_finish();
	return PointerGetDatum(NULL);
}

/* Arguments of count_row. */
typedef struct CountRows
{
	DeltaSet   *set;
	TableInfo	info;
	FigureCount figure;
} CountRows;

static void
count_row(void *arg, TupleTableSlot *slot, int sign)
{
	CountRows  *rows = (CountRows *) arg;
	bool		isnull;
	int64		org_id = get_int64_col(slot, &rows->info, COL_ORG_ID, &isnull);

	if (!isnull)
		deltas_get(rows->set, get_tenant(slot, &rows->info),
				   org_id)->count[rows->figure] += sign;
}

/*
 * AFTER INSERT, UPDATE or DELETE FOR EACH STATEMENT with the transition
 * tables, and the name of the counted figure as argument:
 * count_after('people_count').
 */
Datum
accounts_count_after(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Trigger    *trigger;
	CountRows	rows;
	Oid			save_userid;
	int			save_sec_context;

	{
		static const char *const tables[] = {"persons", "notes", "files", NULL};

		accounts_check_trigger(fcinfo, "count_after", true, false, tables);
	}
	trigger = trigdata->tg_trigger;
	if (trigger->tgnargs != 1)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"count_after\" needs the name of a counted figure as its argument")));
	if (strcmp(trigger->tgargs[0], "people_count") == 0)
		rows.figure = FIG_PEOPLE;
	else if (strcmp(trigger->tgargs[0], "notes_count") == 0)
		rows.figure = FIG_NOTES;
	else if (strcmp(trigger->tgargs[0], "files_count") == 0)
		rows.figure = FIG_FILES;
	else
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("unknown counted figure \"%s\"", trigger->tgargs[0]),
				 errhint("Use people_count, notes_count or files_count.")));
	accounts_table_info(trigdata->tg_relation, &rows.info);

	SPI_connect();
	accounts_begin_maintenance(&save_userid, &save_sec_context);
	rows.set = deltas_create();
	accounts_for_each_transition_row(trigdata, count_row, &rows,
									 &rows.info.attnum[COL_ORG_ID], 1);
	deltas_apply(rows.set);
	accounts_end_maintenance(save_userid, save_sec_context);
	SPI_finish();
	return PointerGetDatum(NULL);
}
