/*-------------------------------------------------------------------------
 *
 * tenants.c
 *	  Tenants: the companies that share a database.  Every table carries
 *	  tenant_id, and keys and references include it (see the update script
 *	  to 0.7).  This file holds what the tables cannot say by themselves:
 *
 *	  - accounts.current_tenant(), the default of every tenant_id column:
 *		the setting accounts.tenant, or tenant 1 when it is not set, so
 *		that a database of one company never names a tenant;
 *	  - keep_tenant, which refuses to move a row to another tenant;
 *	  - the rates lock of a tenant, which a rate change holds against the
 *		deal writers of its own tenant only (see deals.c).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "accounts.h"

PG_FUNCTION_INFO_V1(accounts_current_tenant);
PG_FUNCTION_INFO_V1(accounts_keep_tenant);

static char *tenant_setting = NULL;

/*
 * Tenants this backend has seen in accounts.tenants.  A tenant deleted
 * since stays here; the foreign keys of the tables refuse its rows then.
 */
static HTAB *known_tenants = NULL;

static SPIPlanPtr tenant_plan = NULL;

/*
 * Tenants whose rates lock this transaction took; past
 * TENANT_LOCKS_BEFORE_ALL, the lock of all tenants instead (see
 * tenant_lock_rates).
 */
#define TENANT_LOCKS_BEFORE_ALL 16
static int	tenant_locks_taken = 0;

static void
tenants_xact_callback(XactEvent event, void *arg)
{
	if (event == XACT_EVENT_COMMIT || event == XACT_EVENT_ABORT ||
		event == XACT_EVENT_PREPARE || event == XACT_EVENT_PARALLEL_COMMIT ||
		event == XACT_EVENT_PARALLEL_ABORT)
		tenant_locks_taken = 0;
}

void
tenants_init(void)
{
	RegisterXactCallback(tenants_xact_callback, NULL);

	/*
	 * Checked where it is used, not when set: a value set before the
	 * library is loaded would otherwise be dropped with a warning when it
	 * is, and the rows written in the default tenant.
	 */
	DefineCustomStringVariable("accounts.tenant",
							   "The tenant of this session: the default of every tenant_id column, and the tenant whose board the reading functions show.",
							   "A tenant_id of accounts.tenants. Empty means tenant 1, the default tenant.",
							   &tenant_setting,
							   "",
							   PGC_USERSET, 0,
							   NULL, NULL, NULL);
}

/* Whether accounts.tenants has this tenant, as the extension owner sees it. */
static bool
tenant_exists(int64 tenant_id)
{
	static const Oid argtypes[] = {INT8OID};
	Datum		values[1];
	Oid			save_userid;
	int			save_sec_context;
	bool		found;

	if (known_tenants != NULL &&
		hash_search(known_tenants, &tenant_id, HASH_FIND, NULL) != NULL)
		return true;

	SPI_connect();
	accounts_begin_maintenance(&save_userid, &save_sec_context);
	accounts_prepare(&tenant_plan,
					 "SELECT FROM accounts.tenants WHERE tenant_id = $1",
					 1, argtypes);
	values[0] = Int64GetDatum(tenant_id);
	accounts_execute(tenant_plan, values, NULL, false, -1);
	found = SPI_processed == 1;
	accounts_end_maintenance(save_userid, save_sec_context);
	SPI_finish();

	if (found)
	{
		if (known_tenants == NULL)
		{
			HASHCTL		ctl;

			ctl.keysize = sizeof(int64);
			ctl.entrysize = sizeof(int64);
			ctl.hcxt = TopMemoryContext;
			known_tenants = hash_create("accounts tenants", 16, &ctl,
										HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
		}
		(void) hash_search(known_tenants, &tenant_id, HASH_ENTER, NULL);
	}
	return found;
}

/*
 * accounts.current_tenant(): the tenant that accounts.tenant names, or the
 * default tenant when it is empty.
 */
Datum
accounts_current_tenant(PG_FUNCTION_ARGS)
{
	const char *s = tenant_setting ? tenant_setting : "";
	char	   *end;
	int64		tenant_id;

	while (*s == ' ')
		s++;
	if (*s == '\0')
		PG_RETURN_INT64(DEFAULT_TENANT);
	errno = 0;
	tenant_id = strtoi64(s, &end, 10);
	while (*end == ' ')
		end++;
	if (errno != 0 || *end != '\0' || tenant_id <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for parameter \"accounts.tenant\": \"%s\"",
						tenant_setting),
				 errdetail("A tenant is named by its tenant_id in accounts.tenants, a positive integer."),
				 errhint("SET accounts.tenant = 1 for the default tenant, or RESET accounts.tenant.")));
	if (!tenant_exists(tenant_id))
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("tenant %lld does not exist", (long long) tenant_id),
				 errdetail("The setting accounts.tenant names a tenant_id that accounts.tenants does not have."),
				 errhint("Add it first: INSERT INTO accounts.tenants (tenant_id, name) VALUES (%lld, '...').",
						 (long long) tenant_id)));
	PG_RETURN_INT64(tenant_id);
}

/*
 * BEFORE UPDATE OF tenant_id ON each base table FOR EACH ROW: a row stays
 * in the tenant it was written in.  Its figures, its references and the
 * rows that reference it all belong to that tenant.
 */
Datum
accounts_keep_tenant(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc;
	TableInfo	info;
	bool		oldnull,
				newnull;
	Datum		oldval,
				newval;

	{
		static const char *const tables[] = {
			"users", "organizations", "persons", "currencies", "deals",
			"activities", "notes", "files", NULL
		};

		accounts_check_trigger(fcinfo, "keep_tenant", false, true, tables);
	}
	if (!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return PointerGetDatum(trigdata->tg_trigtuple);
	tupdesc = RelationGetDescr(trigdata->tg_relation);
	accounts_table_info(trigdata->tg_relation, &info);
	oldval = heap_getattr(trigdata->tg_trigtuple, info.attnum[COL_TENANT_ID],
						  tupdesc, &oldnull);
	newval = heap_getattr(trigdata->tg_newtuple, info.attnum[COL_TENANT_ID],
						  tupdesc, &newnull);
	if (!newnull && !oldnull && DatumGetInt64(oldval) != DatumGetInt64(newval))
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("cannot move a row of \"%s\" from tenant %lld to tenant %lld",
						RelationGetRelationName(trigdata->tg_relation),
						(long long) DatumGetInt64(oldval),
						(long long) DatumGetInt64(newval)),
				 errdetail("A row stays in the tenant it was written in, with its figures and references."),
				 errhint("Insert the row into the other tenant, and delete it from this one.")));
	return PointerGetDatum(trigdata->tg_newtuple);
}

/* Take a lock on the object (accounts.tenants, tenant); 0: all tenants. */
static bool
lock_tenant_object(int64 tenant_id, LOCKMODE mode)
{
	LOCKTAG		tag;

	SET_LOCKTAG_OBJECT(tag, MyDatabaseId, accounts_relid("tenants"),
					   (uint32) tenant_id, (uint16) ((uint64) tenant_id >> 32));
	if (LockAcquire(&tag, mode, false, false) == LOCKACQUIRE_ALREADY_HELD)
		return false;
	/* a rate change committed before may have been waited for */
	AcceptInvalidationMessages();
	return true;
}

/*
 * The rates lock of a tenant: a lock on the object (accounts.tenants,
 * tenant), shown in pg_locks with classid the OID of accounts.tenants and
 * objid the tenant (objsubid its high bits).  Figure writers take it in
 * ROW EXCLUSIVE mode before they read a rate or write a figures row; a
 * rate change (change) takes it in SHARE mode, so that it waits for them
 * and holds back new ones until it commits.  Held to the end of the
 * transaction.  Getting it reads the pending invalidations, among them a
 * committed rate change's.
 *
 * A transaction that writes the figures of many tenants (a COPY of many
 * companies' deals) would hold as many locks, more than the lock table
 * has room for: past TENANT_LOCKS_BEFORE_ALL, it takes the lock of all
 * tenants, the object (accounts.tenants, 0), in SHARE mode instead, and
 * every rate change takes that one in ROW EXCLUSIVE mode before its
 * tenant's.  (A subtransaction that rolls back releases what it took: the
 * lock is asked for again, which costs a look in the backend's own table
 * when it is held.)
 */
void
tenant_lock_rates(int64 tenant_id, bool change)
{
	/* before 0.7: all of accounts.figures, for every deal writer */
	if (!accounts_has_tenants())
	{
		LockRelationOid(accounts_relid("figures"),
						change ? ShareLock : RowExclusiveLock);
		return;
	}
	if (change)
	{
		(void) lock_tenant_object(0, RowExclusiveLock);
		(void) lock_tenant_object(tenant_id, ShareLock);
		return;
	}
	if (tenant_locks_taken >= TENANT_LOCKS_BEFORE_ALL)
	{
		(void) lock_tenant_object(0, ShareLock);
		return;
	}
	if (lock_tenant_object(tenant_id, RowExclusiveLock))
		tenant_locks_taken++;
}
