/*-------------------------------------------------------------------------
 *
 * views.c
 *	  Writes through accounts.accounts and accounts.organization_summary.
 *
 *	  An UPDATE of the organization's own columns becomes an UPDATE of
 *	  accounts.organizations, run with the rights of the user (privileges and
 *	  row-level security of the base table apply).  Writing a figure, the id
 *	  or a time kept by the organization is refused, naming the column;
 *	  INSERT and DELETE are refused with a hint at what to do instead.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/table.h"
#include "fmgr.h"
#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "accounts.h"

PG_FUNCTION_INFO_V1(accounts_view_write);

/* Organization columns that a view write may not change. */
static bool
kept_by_organization(const char *name)
{
	return strcmp(name, "id") == 0 || strcmp(name, "tenant_id") == 0 ||
		strcmp(name, "add_time") == 0 || strcmp(name, "update_time") == 0;
}

/* The UPDATE plan of one view, kept while the SQL it needs is the same. */
typedef struct ViewPlan
{
	Oid			relid;
	char	   *sql;
	SPIPlanPtr	plan;
} ViewPlan;

#define MAX_VIEW_PLANS 8
static ViewPlan view_plans[MAX_VIEW_PLANS];

static SPIPlanPtr
view_update_plan(Oid relid, const char *sql, int nargs, Oid *argtypes)
{
	ViewPlan   *slot = NULL;

	for (int i = 0; i < MAX_VIEW_PLANS && slot == NULL; i++)
		if (view_plans[i].relid == relid || view_plans[i].relid == InvalidOid)
			slot = &view_plans[i];
	if (slot == NULL)
		slot = &view_plans[0];
	if (slot->relid == relid && slot->sql && strcmp(slot->sql, sql) == 0)
		return slot->plan;

	if (slot->plan)
		SPI_freeplan(slot->plan);
	if (slot->sql)
		pfree(slot->sql);
	slot->relid = InvalidOid;
	slot->plan = NULL;
	slot->sql = NULL;
	accounts_prepare(&slot->plan, sql, nargs, argtypes);
	slot->sql = MemoryContextStrdup(TopMemoryContext, sql);
	slot->relid = relid;
	return slot->plan;
}

Datum
accounts_view_write(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	view;
	const char *viewname;
	TupleDesc	viewdesc,
				orgdesc;
	Relation	orgrel;
	HeapTuple	oldtup,
				newtup;
	StringInfoData sql;
	StringInfoData returning;
	int		   *org_cols;
	int			norg_cols = 0;
	HeapTuple	result;
	Datum	   *values;
	char	   *nulls;
	Oid		   *argtypes;
	int			nargs = 1;
	bool		any_change = false;
	bool		isnull;

	{
		static const char *const views[] = {
			"accounts", "organization_summary", NULL
		};

		accounts_check_trigger(fcinfo, "view_write", false, true, views);
	}
	if (!TRIGGER_FIRED_INSTEAD(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"view_write\" must be fired INSTEAD OF")));
	view = trigdata->tg_relation;
	viewname = RelationGetRelationName(view);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot insert into view \"%s\"", viewname),
				 errdetail("An organization becomes an account when one of its deals is won."),
				 errhint("Insert into accounts.organizations, then win a deal of the organization.")));
	if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot delete from view \"%s\"", viewname),
				 errdetail("An organization stops being an account when it has no won deal left."),
				 errhint("Delete the organization from accounts.organizations, or reopen, lose or move its won deals.")));

	oldtup = trigdata->tg_trigtuple;
	newtup = trigdata->tg_newtuple;
	viewdesc = RelationGetDescr(view);
	orgrel = table_open(accounts_relid("organizations"), AccessShareLock);
	orgdesc = RelationGetDescr(orgrel);

	values = palloc(sizeof(Datum) * (viewdesc->natts + 2));
	nulls = palloc(sizeof(char) * (viewdesc->natts + 2));
	argtypes = palloc(sizeof(Oid) * (viewdesc->natts + 2));
	org_cols = palloc(sizeof(int) * viewdesc->natts);
	initStringInfo(&sql);
	initStringInfo(&returning);
	appendStringInfoString(&sql, "UPDATE accounts.organizations SET ");

	values[0] = heap_getattr(oldtup, SPI_fnumber(viewdesc, "id"), viewdesc,
							 &isnull);
	nulls[0] = ' ';
	argtypes[0] = INT8OID;

	for (int i = 0; i < viewdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(viewdesc, i);
		const char *name = NameStr(att->attname);
		bool		of_org = SPI_fnumber(orgdesc, name) > 0;
		bool		changed;

		if (att->attisdropped)
			continue;
		changed = accounts_attr_changed(oldtup, newtup, viewdesc, i + 1);
		if (of_org)
		{
			/* RETURNING gives back what the organization now holds */
			appendStringInfo(&returning, "%s%s", norg_cols > 0 ? ", " : "",
							 quote_identifier(name));
			org_cols[norg_cols++] = i + 1;
		}
		if (of_org && !kept_by_organization(name))
		{
			if (nargs > 1)
				appendStringInfoString(&sql, ", ");
			appendStringInfo(&sql, "%s = $%d", quote_identifier(name), nargs + 1);
			values[nargs] = heap_getattr(newtup, i + 1, viewdesc, &isnull);
			nulls[nargs] = isnull ? 'n' : ' ';
			argtypes[nargs++] = att->atttypid;
			any_change |= changed;
		}
		else if (changed && of_org)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot update column \"%s\" of view \"%s\"",
							name, viewname),
					 errdetail("Column \"%s\" is kept by the organization itself.",
							   name)));
		else if (changed)
			ereport(ERROR,
					(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
					 errmsg("cannot update column \"%s\" of view \"%s\"",
							name, viewname),
					 errdetail("Column \"%s\" is a figure derived from the organization's deals, people, activities, notes and files.",
							   name),
					 errhint("Change those records instead; the figure follows in the same transaction.")));
	}
	appendStringInfoString(&sql, " WHERE id = $1");
	/* in the row's tenant (the views have none before 0.7) */
	if (SPI_fnumber(viewdesc, "tenant_id") > 0)
	{
		values[nargs] = heap_getattr(oldtup, SPI_fnumber(viewdesc, "tenant_id"),
									 viewdesc, &isnull);
		nulls[nargs] = ' ';
		argtypes[nargs++] = INT8OID;
		appendStringInfo(&sql, " AND tenant_id = $%d", nargs);
	}
	appendStringInfo(&sql, " RETURNING %s", returning.data);
	table_close(orgrel, AccessShareLock);

	if (!any_change)
		return PointerGetDatum(newtup);

	/*
	 * Update the organization, and return the view row with its columns as
	 * the organization now has them (update_time), for RETURNING; no row if
	 * the update touched none (row-level security may hide it).
	 */
	SPI_connect();
	accounts_execute(view_update_plan(RelationGetRelid(view), sql.data, nargs,
									  argtypes),
					 values, nulls, false, -1);
	result = NULL;
	if (SPI_processed == 1)
	{
		Datum	   *newvalues = palloc(sizeof(Datum) * norg_cols);
		bool	   *newnulls = palloc(sizeof(bool) * norg_cols);

		for (int i = 0; i < norg_cols; i++)
			newvalues[i] = SPI_getbinval(SPI_tuptable->vals[0],
										 SPI_tuptable->tupdesc, i + 1,
										 &newnulls[i]);
		result = SPI_copytuple(heap_modify_tuple_by_cols(newtup, viewdesc,
														 norg_cols, org_cols,
														 newvalues, newnulls));
	}
	SPI_finish();
	return PointerGetDatum(result);
}
