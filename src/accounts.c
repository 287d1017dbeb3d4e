/*-------------------------------------------------------------------------
 *
 * accounts.c
 *	  The accounts extension: module entry, and what the triggers share:
 *	  column lookup by name, the switch to the extension owner, and the
 *	  prepared plans that every trigger keeps.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/table.h"
#include "catalog/indexing.h"
#include "catalog/namespace.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "accounts.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

static void accounts_relcache_callback(Datum arg, Oid relid);

/* The columns in TableColumn order: name and type. */
static const struct
{
	const char *name;
	Oid			type;
}			columns[NUM_TABLE_COLUMNS] = {
#define COLUMN_ENTRY(constant, name, type) {name, type},
	ACCOUNTS_COLUMNS(COLUMN_ENTRY)
#undef COLUMN_ENTRY
};

const char *
accounts_column_name(TableColumn col)
{
	return columns[col].name;
}

/*
 * The columns each table of schema accounts must have for the triggers:
 * what they read and write there, and nothing else (a column that a table
 * does not list resolves to InvalidAttrNumber, and the triggers act on the
 * columns a table lists).
 */
static const struct
{
	const char *relname;
	TableColumn columns[NUM_TABLE_COLUMNS];
	int			ncolumns;
}			table_columns[] = {
#define TABLE(name, ...) \
	{name, {__VA_ARGS__}, lengthof(((TableColumn[]) {__VA_ARGS__}))}
	TABLE("users", COL_TENANT_ID, COL_ID),
	TABLE("organizations", COL_TENANT_ID, COL_ID, COL_OWNER_ID, COL_UPDATE_TIME),
	TABLE("persons", COL_TENANT_ID, COL_ID, COL_ORG_ID, COL_UPDATE_TIME),
	TABLE("deals", COL_TENANT_ID, COL_ID, COL_ORG_ID, COL_UPDATE_TIME,
		  COL_STATUS, COL_VALUE, COL_CURRENCY, COL_PROBABILITY, COL_WON_TIME,
		  COL_LOST_TIME),
	TABLE("activities", COL_TENANT_ID, COL_ID, COL_ORG_ID, COL_PERSON_ID,
		  COL_DEAL_ID, COL_UPDATE_TIME, COL_DONE, COL_MARKED_AS_DONE_TIME,
		  COL_DUE_DATE, COL_DUE_TIME, COL_SUBJECT),
	TABLE("notes", COL_TENANT_ID, COL_ID, COL_ORG_ID, COL_PERSON_ID,
		  COL_DEAL_ID, COL_UPDATE_TIME),
	TABLE("files", COL_TENANT_ID, COL_ID, COL_ORG_ID, COL_PERSON_ID,
		  COL_DEAL_ID),
	TABLE("currencies", COL_TENANT_ID, COL_CODE, COL_RATE),
	TABLE("figures", COL_TENANT_ID, COL_ORG_ID, FIGURE_COLUMNS(COLUMN_CONSTANT)),
	TABLE("figures_by_currency", COL_TENANT_ID, COL_ORG_ID, COL_CURRENCY,
		  COL_WON_DEALS_COUNT, COL_WON_VALUE),
	TABLE("kanban_days", COL_TENANT_ID, COL_DAY, COL_SLOT, COL_ACCOUNTS,
		  COL_WON_VALUE),
	TABLE("account_events", COL_TENANT_ID, COL_ID, COL_ORG_ID, COL_KIND,
		  COL_DEAL_ID, COL_EVENT_TIME),
#undef TABLE
};

/*
 * Resolved columns per relation, and the extension owner; see callback.
 * Entries are handed out by copy only: the callback removes them, and may
 * run at any lock taken while a trigger still uses what it was given.
 */
static HTAB *table_infos = NULL;
static Oid	cached_owner = InvalidOid;

/* Invalidations seen; see accounts_invalidation_count(). */
static uint64 invalidation_count = 0;

/*
 * Relation OIDs by name: the triggers look up the same few tables and
 * indexes in every statement.
 */
#define RELID_CACHE_SIZE 16
typedef struct RelidCacheEntry
{
	char		name[NAMEDATALEN];
	Oid			relid;
} RelidCacheEntry;
static RelidCacheEntry relid_cache[RELID_CACHE_SIZE];
static int	relid_cache_used = 0;

void
_PG_init(void)
{
	CacheRegisterRelcacheCallback(accounts_relcache_callback, (Datum) 0);
	tenants_init();
	kanban_define_settings();
	events_init();
}

/*
 * Any change of a relation may change its columns or its indexes; a dropped
 * and recreated extension may have another owner and other relation OIDs.
 * Forget what depends on them; it is cheap to find again.
 */
static void
accounts_relcache_callback(Datum arg, Oid relid)
{
	invalidation_count++;
	if (table_infos != NULL)
	{
		if (OidIsValid(relid))
			hash_search(table_infos, &relid, HASH_REMOVE, NULL);
		else
		{
			hash_destroy(table_infos);
			table_infos = NULL;
		}
	}
	cached_owner = InvalidOid;
	relid_cache_used = 0;
	deals_forget_currencies(relid);
	direct_forget(relid);
}

/*
 * The number of relcache invalidations this backend has processed.  A cache
 * filled from what a lookup read keeps it only if the count did not move
 * during the lookup: an invalidation processed then (at any lock the lookup
 * took) found nothing to forget, and what was read may be what it
 * announced the end of.
 */
uint64
accounts_invalidation_count(void)
{
	return invalidation_count;
}

/*
 * Resolve the columns that the triggers use in rel, one of the tables of
 * table_columns[], checking that each is there with its type: a table
 * whose columns were renamed, dropped or retyped is refused with an error
 * that names the column, rather than misread.
 */
static void
resolve_columns(Relation rel, TableInfo *info)
{
	/* a copy: the lookups below may rebuild rel's entry */
	const char *relname = pstrdup(RelationGetRelationName(rel));
	TupleDesc	tupdesc;
	int			t;

	for (t = 0; t < lengthof(table_columns); t++)
		if (strcmp(table_columns[t].relname, relname) == 0)
			break;
	if (t == lengthof(table_columns) ||
		RelationGetNamespace(rel) != get_namespace_oid("accounts", false))
		elog(ERROR, "relation \"%s\" is not a table of the accounts extension",
			 relname);
	/* after the lookup above, which may process invalidations */
	tupdesc = RelationGetDescr(rel);

	info->relid = RelationGetRelid(rel);
	for (int c = 0; c < NUM_TABLE_COLUMNS; c++)
		info->attnum[c] = InvalidAttrNumber;
	for (int i = 0; i < table_columns[t].ncolumns; i++)
	{
		TableColumn col = table_columns[t].columns[i];
		const char *name = columns[col].name;
		int			attnum = SPI_fnumber(tupdesc, name);
		Oid			type;

		/* tables made before 0.7 have no tenants: see get_tenant() */
		if (attnum <= 0 && col == COL_TENANT_ID)
			continue;
		if (attnum <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of table \"accounts.%s\" does not exist",
							name, relname),
					 errdetail("The triggers of the accounts extension read and write this column."),
					 errhint("Give the table its column \"%s\" of type %s back.",
							 name, format_type_be(columns[col].type))));
		type = TupleDescAttr(tupdesc, attnum - 1)->atttypid;
		if (type != columns[col].type)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of table \"accounts.%s\" has type %s, not %s",
							name, relname, format_type_be(type),
							format_type_be(columns[col].type)),
					 errdetail("The triggers of the accounts extension read and write this column."),
					 errhint("Change the column back to type %s.",
							 format_type_be(columns[col].type))));
		info->attnum[col] = attnum;
	}
}

/*
 * Copy into *info the attribute numbers of the columns that the triggers
 * use in rel, resolved once per relation and kept until an invalidation of
 * it.  A copy, so that what a statement holds is its own.
 */
void
accounts_table_info(Relation rel, TableInfo *info)
{
	Oid			relid = RelationGetRelid(rel);
	TableInfo  *entry;
	bool		found;

	if (table_infos != NULL)
	{
		entry = hash_search(table_infos, &relid, HASH_FIND, NULL);
		if (entry != NULL)
		{
			*info = *entry;
			return;
		}
	}

	/*
	 * Resolve before entering: the lookups of the error paths read the
	 * catalogs, where an invalidation may destroy the hash table.
	 */
	resolve_columns(rel, info);
	if (table_infos == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(Oid);
		ctl.entrysize = sizeof(TableInfo);
		ctl.hcxt = CacheMemoryContext;
		table_infos = hash_create("accounts table columns", 32, &ctl,
								  HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	entry = hash_search(table_infos, &relid, HASH_ENTER, &found);
	*entry = *info;
}

/*
 * The OID of a relation of the extension's schema, or InvalidOid if it
 * does not exist and missing_ok.
 */
Oid
accounts_relid_extended(const char *relname, bool missing_ok)
{
	Oid			relid;

	for (int i = 0; i < relid_cache_used; i++)
		if (strcmp(relid_cache[i].name, relname) == 0)
			return relid_cache[i].relid;

	relid = get_relname_relid(relname, get_namespace_oid("accounts", false));
	if (!OidIsValid(relid))
	{
		if (!missing_ok)
			elog(ERROR, "relation accounts.%s does not exist", relname);
		return InvalidOid;		/* not remembered: it may be created */
	}
	if (relid_cache_used < RELID_CACHE_SIZE)
	{
		strlcpy(relid_cache[relid_cache_used].name, relname, NAMEDATALEN);
		relid_cache[relid_cache_used].relid = relid;
		relid_cache_used++;
	}
	return relid;
}

Oid
accounts_relid(const char *relname)
{
	return accounts_relid_extended(relname, false);
}

/*
 * Check that a trigger function was called the way it is declared, on one
 * of the relations it is made for (a NULL-terminated list of names in
 * schema accounts): the functions read columns by name and would
 * misread any other table.
 */
void
accounts_check_trigger(FunctionCallInfo fcinfo, const char *funcname,
					   bool after, bool row, const char *const *relnames)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	Relation	rel;
	bool		known = false;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired as a trigger", funcname)));
	if (after ? !TRIGGER_FIRED_AFTER(trigdata->tg_event)
		: TRIGGER_FIRED_AFTER(trigdata->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired %s", funcname,
						after ? "AFTER" : "BEFORE or INSTEAD OF")));
	if (row != (TRIGGER_FIRED_FOR_ROW(trigdata->tg_event) != 0))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired FOR EACH %s", funcname,
						row ? "ROW" : "STATEMENT")));

	rel = trigdata->tg_relation;
	if (RelationGetNamespace(rel) == get_namespace_oid("accounts", false))
		for (int i = 0; relnames[i] != NULL && !known; i++)
			known = strcmp(RelationGetRelationName(rel), relnames[i]) == 0;
	if (!known)
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" cannot be fired on relation \"%s\"",
						funcname, RelationGetRelationName(rel)),
				 errdetail("It maintains the figures of the accounts extension from its own tables.")));
}

/*
 * Whether the extension in this database is at 0.7 or later, with tenants.
 * The library serves earlier versions until ALTER EXTENSION accounts
 * UPDATE: their tables have no tenant_id, and every row is taken to be of
 * tenant 1 (get_tenant(), set_tenant(), the keys of direct.c, and the SQL
 * that the triggers run, which has a form for each).
 */
bool
accounts_has_tenants(void)
{
	return OidIsValid(accounts_relid_extended("tenants", true));
}

/*
 * rebuild() and TRUNCATE recompute from the views of 0.7 and later: in a
 * database at an earlier version, they ask for the update first.
 */
void
accounts_check_version(void)
{
	if (!accounts_has_tenants())
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("extension \"accounts\" must be updated before its figures are rebuilt"),
				 errdetail("The installed library of the extension rebuilds the figures of version 0.7 and later, and this database has an earlier version."),
				 errhint("Run ALTER EXTENSION accounts UPDATE.")));
}

/*
 * The role that owns the extension: maintenance writes the internal tables
 * with its rights, so that application roles need none on them.
 */
Oid
accounts_extension_owner(void)
{
	Relation	rel;
	ScanKeyData key;
	SysScanDesc scan;
	HeapTuple	tuple;

	if (OidIsValid(cached_owner))
		return cached_owner;

	rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_extension_extname, BTEqualStrategyNumber,
				F_NAMEEQ, CStringGetDatum("accounts"));
	scan = systable_beginscan(rel, ExtensionNameIndexId, true, NULL, 1, &key);
	tuple = systable_getnext(scan);
	if (!HeapTupleIsValid(tuple))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("extension \"accounts\" is not installed")));
	cached_owner = ((Form_pg_extension) GETSTRUCT(tuple))->extowner;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);

	return cached_owner;
}

/*
 * Run what follows as the extension owner, in a restricted security
 * context, as pg_ivm and pg_cron do.  The search_path is pinned wherever
 * SQL runs (below), and every name in that SQL is schema-qualified.
 */
void
accounts_begin_maintenance(Oid *save_userid, int *save_sec_context)
{
	GetUserIdAndSecContext(save_userid, save_sec_context);
	SetUserIdAndSecContext(accounts_extension_owner(),
						   *save_sec_context |
						   SECURITY_LOCAL_USERID_CHANGE |
						   SECURITY_RESTRICTED_OPERATION);
}

void
accounts_end_maintenance(Oid save_userid, int save_sec_context)
{
	SetUserIdAndSecContext(save_userid, save_sec_context);
}

/*
 * Pin search_path to pg_catalog, pg_temp until accounts_unpin_search_path,
 * for the SQL that the triggers run: its names are schema-qualified, but
 * operators and functions are looked up along the path too, and a plan is
 * made again under the path of the moment.  The trigger functions that
 * run on every write have no SET clause, which would cost more than their
 * work when they run no SQL; the pin is made where SQL runs.  An error
 * unwinds it with the (sub)transaction.
 */
int
accounts_pin_search_path(void)
{
	int			nestlevel = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_SAVE,
							 true, 0, false);
	return nestlevel;
}

void
accounts_unpin_search_path(int nestlevel)
{
	AtEOXact_GUC(true, nestlevel);
}

/*
 * Prepare sql once per backend and keep the plan in *cache.
 */
SPIPlanPtr
accounts_prepare(SPIPlanPtr *cache, const char *sql, int nargs,
				 const Oid *argtypes)
{
	if (*cache == NULL)
	{
		int			nestlevel = accounts_pin_search_path();
		SPIPlanPtr	plan = SPI_prepare(sql, nargs, (Oid *) argtypes);

		accounts_unpin_search_path(nestlevel);

		if (plan == NULL)
			elog(ERROR, "SPI_prepare failed for \"%s\": %s", sql,
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "SPI_keepplan failed");
		*cache = plan;
	}
	return *cache;
}

/*
 * As accounts_prepare, for SQL that names tenants: sql where the extension
 * is at 0.7 or later, before_tenants (the same parameters, the tenant ones
 * unused) where it is older.  Each form is kept in its own cache entry.
 */
SPIPlanPtr
accounts_prepare_tenanted(SPIPlanPtr cache[2], const char *sql,
						  const char *before_tenants, int nargs,
						  const Oid *argtypes)
{
	bool		tenants = accounts_has_tenants();

	return accounts_prepare(&cache[tenants ? 1 : 0],
							tenants ? sql : before_tenants, nargs, argtypes);
}

/*
 * Execute a kept plan.  With latest_snapshot, see what is committed now
 * rather than what the transaction's snapshot shows (for currency rates and
 * the recomputation after a rate change, which happen under locks that
 * exclude the writers that could change them).
 * expected >= 0 checks the number of rows processed.
 */
void
accounts_execute(SPIPlanPtr plan, Datum *values, const char *nulls,
				 bool latest_snapshot, int expected)
{
	int			rc;
	int			nestlevel = accounts_pin_search_path();

	if (latest_snapshot)
		rc = SPI_execute_snapshot(plan, values, nulls, GetLatestSnapshot(),
								  InvalidSnapshot, false, false, 0);
	else
		rc = SPI_execute_plan(plan, values, nulls, false, 0);
	accounts_unpin_search_path(nestlevel);
	if (rc < 0)
		elog(ERROR, "SPI_execute_plan failed: %s", SPI_result_code_string(rc));
	if (expected >= 0 && SPI_processed != (uint64) expected)
		elog(ERROR, "expected %d rows, got " UINT64_FORMAT,
			 expected, SPI_processed);
}
