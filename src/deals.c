/*-------------------------------------------------------------------------
 *
 * deals.c
 *	  Deal figures: what one deal contributes to its organization, the
 *	  trigger that turns a deal write into deltas, and currency rates.
 *
 *	  A won deal adds to won_deals_count, won_value (value * rate),
 *	  won_value_by_currency and the won time extremes; an open deal to
 *	  open_deals_count, open_deals_value and open_deals_weighted_value
 *	  (value * rate * probability / 100, a deal without probability counting
 *	  in full); a lost deal to lost_deals_count.  Deleted deals count nowhere.
 *
 *	  Deal writes are handled per statement, from the transition tables: the
 *	  shares of all old rows are taken away and those of all new rows added,
 *	  summed per organization.
 *
 *	  Rates are per tenant.  A deal write takes its tenant's rates lock
 *	  (tenants.c) in ROW EXCLUSIVE mode, then reads the latest committed
 *	  rate.  A rate change takes the same lock in SHARE mode, which waits for
 *	  every transaction that read a rate of the tenant and blocks new ones
 *	  until it commits, and then recomputes the tenant's organizations that
 *	  have deals in that currency from what is committed.  So no deal is
 *	  ever counted at a rate that its transaction cannot see change, and a
 *	  rate change holds back the deal writers of its own tenant only.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/hsearch.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "accounts.h"

PG_FUNCTION_INFO_V1(accounts_deal_after);
PG_FUNCTION_INFO_V1(accounts_currency_after);

/*
 * The value figures of the deals d at the rates c, per organization r, set
 * on figures f; the deals and the rates, and which, follow.
 */
#define RECOMPUTE_FROM \
	"UPDATE accounts.figures f SET won_value = r.won_value, " \
	"open_deals_value = r.open_value, open_deals_weighted_value = r.weighted " \
	"FROM (SELECT d.org_id, " \
	"  COALESCE(pg_catalog.sum(d.value * c.rate) " \
	"   FILTER (WHERE d.status = 'won'), 0) AS won_value, " \
	"  COALESCE(pg_catalog.sum(d.value * c.rate) " \
	"   FILTER (WHERE d.status = 'open'), 0) AS open_value, " \
	"  COALESCE(pg_catalog.sum(d.value * c.rate " \
	"   * COALESCE(d.probability, 100) * 0.01) " \
	"   FILTER (WHERE d.status = 'open'), 0) AS weighted "

/* What one version of a deal row contributes to its organization. */
typedef struct DealShare
{
	int64		tenant_id;
	int64		org_id;			/* 0: the deal counts for no organization */
	char		status;			/* 'o'pen, 'w'on, 'l'ost, 'd'eleted */
	Numeric		value;			/* in the deal's currency */
	Numeric		value_dc;		/* in the default currency */
	Numeric		weighted_dc;
	text	   *currency;
	TimestampTz won_time;
	bool		won_time_null;
} DealShare;

static void deal_share(DealShare *share, TupleTableSlot *slot, TableInfo *info);
static void deal_row(void *arg, TupleTableSlot *slot, int sign);

/* each with and without tenants: see accounts_prepare_tenanted() */
static SPIPlanPtr rate_plan[2];
static SPIPlanPtr default_plan[2];
static SPIPlanPtr recompute_plan[2];

/*
 * Rates and the default currencies, cached per backend, by tenant.  Every
 * change of accounts.currencies sends a relcache invalidation of the table
 * (see currency_after), and the relcache callback forgets the cache.  A
 * deal writer takes its tenant's rates lock after a rate change commits
 * (the change holds it in SHARE mode until then), and reads the pending
 * invalidations when it gets the lock: so a writer never uses a rate older
 * than the last committed one.  A value read while an invalidation was processed serves
 * that call only and is not kept: it may predate what the invalidation
 * announced.  Callers get copies, never pointers into the cache, which the
 * callback frees.
 */
static MemoryContext rates_cxt = NULL;
static HTAB *rates = NULL;
static Oid	currencies_relid = InvalidOid;

/* Codes are three letters (a check constraint). */
#define RATE_CODE_SIZE 8

/* A currency of a tenant; the empty code stands for its default currency. */
typedef struct RateKey
{
	int64		tenant_id;
	char		code[RATE_CODE_SIZE];
} RateKey;

typedef struct RateEntry
{
	RateKey		key;			/* hash key */
	Numeric		rate;			/* of a currency */
	text	   *code;			/* of the default currency */
} RateEntry;

void
deals_forget_currencies(Oid relid)
{
	if (rates_cxt == NULL ||
		(OidIsValid(relid) && relid != currencies_relid))
		return;
	MemoryContextDelete(rates_cxt);
	rates_cxt = NULL;
	rates = NULL;
}

static void
remember_currencies(void)
{
	HASHCTL		ctl;

	if (rates_cxt != NULL)
		return;
	currencies_relid = accounts_relid("currencies");
	rates_cxt = AllocSetContextCreate(CacheMemoryContext, "accounts rates",
									  ALLOCSET_SMALL_SIZES);
	ctl.keysize = sizeof(RateKey);
	ctl.entrysize = sizeof(RateEntry);
	ctl.hcxt = rates_cxt;
	rates = hash_create("accounts rates", 8, &ctl,
						HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

static void
rate_key(RateKey *key, int64 tenant_id, text *currency)
{
	memset(key, 0, sizeof(RateKey));
	key->tenant_id = tenant_id;
	if (currency != NULL)
		text_to_cstring_buffer(currency, key->code, sizeof(key->code));
}

/*
 * The rate of a tenant's currency, as committed now, in the caller's
 * context.  The caller holds the tenant's rates lock (tenant_lock_rates).
 */
Numeric
deals_currency_rate(int64 tenant_id, text *currency)
{
	static const Oid argtypes[] = {INT8OID, TEXTOID};
	RateKey		key;
	RateEntry  *entry;
	Datum		values[2];
	bool		isnull;
	bool		found;

	remember_currencies();
	rate_key(&key, tenant_id, currency);
	entry = hash_search(rates, &key, HASH_FIND, NULL);
	if (entry == NULL)
	{
		Numeric		rate;
		uint64		invalidations = accounts_invalidation_count();

		values[0] = Int64GetDatum(tenant_id);
		values[1] = PointerGetDatum(currency);
		accounts_execute(accounts_prepare_tenanted(rate_plan,
												   "SELECT rate FROM accounts.currencies"
												   " WHERE tenant_id = $1 AND code = $2",
												   "SELECT rate FROM accounts.currencies"
												   " WHERE code = $2",
												   2, argtypes),
						 values, NULL, true, -1);
		if (SPI_processed != 1)
			ereport(ERROR,
					(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
					 errmsg("unknown currency \"%s\" in tenant %lld",
							text_to_cstring(currency), (long long) tenant_id),
					 errhint("Add it first: INSERT INTO accounts.currencies (tenant_id, code, rate) VALUES (%lld, '%s', <value of one unit in the default currency>).",
							 (long long) tenant_id, text_to_cstring(currency))));
		rate = DatumGetNumeric(SPI_getbinval(SPI_tuptable->vals[0],
											 SPI_tuptable->tupdesc, 1, &isnull));
		/* kept only if no invalidation came meanwhile: see the function */
		if (invalidations != accounts_invalidation_count())
			return (Numeric) DatumGetPointer(datumCopy(NumericGetDatum(rate),
													   false, -1));
		remember_currencies();
		entry = hash_search(rates, &key, HASH_ENTER, &found);
		entry->rate = (Numeric) MemoryContextAlloc(rates_cxt, VARSIZE(rate));
		memcpy(entry->rate, rate, VARSIZE(rate));
	}
	return (Numeric) DatumGetPointer(datumCopy(NumericGetDatum(entry->rate),
											   false, -1));
}

/*
 * The default currency of a tenant, as committed now; an error when none
 * is set.  The caller holds the tenant's rates lock.
 */
text *
deals_default_currency(int64 tenant_id)
{
	static const Oid argtypes[] = {INT8OID};
	RateKey		key;
	RateEntry  *entry;
	Datum		values[1];
	bool		isnull;
	bool		found;
	text	   *code;

	remember_currencies();
	rate_key(&key, tenant_id, NULL);
	entry = hash_search(rates, &key, HASH_FIND, NULL);
	if (entry == NULL)
	{
		uint64		invalidations = accounts_invalidation_count();

		values[0] = Int64GetDatum(tenant_id);
		accounts_execute(accounts_prepare_tenanted(default_plan,
												   "SELECT code FROM accounts.currencies"
												   " WHERE tenant_id = $1 AND is_default",
												   "SELECT code FROM accounts.currencies"
												   " WHERE is_default AND $1 IS NOT NULL",
												   1, argtypes),
						 values, NULL, true, -1);
		if (SPI_processed != 1)
			ereport(ERROR,
					(errcode(ERRCODE_NOT_NULL_VIOLATION),
					 errmsg("deal has no currency and tenant %lld has no default currency",
							(long long) tenant_id),
					 errhint("Give the deal a currency, or set a default: INSERT INTO accounts.currencies (tenant_id, code, rate, is_default) VALUES (%lld, 'USD', 1, true).",
							 (long long) tenant_id)));
		code = DatumGetTextPP(SPI_getbinval(SPI_tuptable->vals[0],
											SPI_tuptable->tupdesc, 1, &isnull));
		if (invalidations != accounts_invalidation_count())
			return (text *) DatumGetPointer(datumCopy(PointerGetDatum(code),
													  false, -1));
		remember_currencies();
		entry = hash_search(rates, &key, HASH_ENTER, &found);
		entry->code = (text *) MemoryContextAlloc(rates_cxt, VARSIZE_ANY(code));
		memcpy(entry->code, code, VARSIZE_ANY(code));
	}
	return (text *) DatumGetPointer(datumCopy(PointerGetDatum(entry->code),
											  false, -1));
}

static void
deal_share(DealShare *share, TupleTableSlot *slot, TableInfo *info)
{
	static Numeric one_hundredth = NULL;
	bool		isnull;
	Datum		d;
	char	   *status;

	memset(share, 0, sizeof(DealShare));
	share->tenant_id = get_tenant(slot, info);
	share->org_id = get_int64_col(slot, info, COL_ORG_ID, &isnull);
	status = TextDatumGetCString(get_col(slot, info, COL_STATUS, &isnull));
	share->status = status[0];
	if (share->status != 'o' && share->status != 'w' && share->status != 'l')
		share->status = 'd';
	share->value = DatumGetNumeric(get_col(slot, info, COL_VALUE, &isnull));
	share->currency = DatumGetTextPP(get_col(slot, info, COL_CURRENCY, &isnull));
	d = get_col(slot, info, COL_WON_TIME, &share->won_time_null);
	if (!share->won_time_null)
		share->won_time = DatumGetTimestampTz(d);

	if (share->org_id != 0 && (share->status == 'w' || share->status == 'o'))
	{
		share->value_dc = numeric_times(share->value,
										deals_currency_rate(share->tenant_id,
															share->currency));
		if (share->status == 'o')
		{
			int32		probability = 100;

			d = get_col(slot, info, COL_PROBABILITY, &isnull);
			if (!isnull)
				probability = DatumGetInt16(d);
			/* as the recomputation: value * rate * probability * 0.01 */
			share->weighted_dc =
				numeric_times(numeric_times(share->value_dc,
											int64_to_numeric(probability)),
							  numeric_constant(&one_hundredth, "0.01"));
		}
	}
}

/* Arguments of deal_row. */
typedef struct DealRows
{
	DeltaSet   *set;
	TableInfo	info;			/* of deals */
	int64		locked_tenant;	/* whose rates lock the statement took last */
} DealRows;

/*
 * Add (sign 1) or take away (sign -1) one deal's share.
 */
static void
deal_row(void *arg, TupleTableSlot *slot, int sign)
{
	DealRows   *rows = (DealRows *) arg;
	DealShare	share;
	OrgDelta   *delta;
	bool		isnull;
	int64		tenant_id = get_tenant(slot, &rows->info);

	/* the rates lock before the rate: once per tenant of the statement */
	if (tenant_id != rows->locked_tenant)
	{
		tenant_lock_rates(tenant_id, false);
		rows->locked_tenant = tenant_id;
	}
	deal_share(&share, slot, &rows->info);
	if (share.org_id == 0 || share.status == 'd')
		return;
	delta = deltas_get(rows->set, share.tenant_id, share.org_id);
	switch (share.status)
	{
		case 'w':
			delta->count[FIG_WON_DEALS] += sign;
			deltas_add_sum(rows->set, &delta->sum[FIG_WON_VALUE],
						   share.value_dc, sign);
			deltas_add_won(rows->set, delta,
						   get_int64_col(slot, &rows->info, COL_ID, &isnull),
						   share.won_time, share.currency, share.value, sign);
			break;
		case 'o':
			delta->count[FIG_OPEN_DEALS] += sign;
			deltas_add_sum(rows->set, &delta->sum[FIG_OPEN_VALUE],
						   share.value_dc, sign);
			deltas_add_sum(rows->set, &delta->sum[FIG_OPEN_WEIGHTED_VALUE],
						   share.weighted_dc, sign);
			break;
		case 'l':
			delta->count[FIG_LOST_DEALS] += sign;
			break;
	}
}

/*
 * AFTER INSERT, UPDATE or DELETE ON accounts.deals FOR EACH STATEMENT, with
 * the transition tables: the deltas of all rows of the statement are summed
 * per organization and applied once per organization.
 */
Datum
accounts_deal_after(PG_FUNCTION_ARGS)
{
	DealRows	rows;
	AttrNumber	relevant[6];
	Oid			save_userid;
	int			save_sec_context;

	{
		static const char *const tables[] = {"deals", NULL};

		accounts_check_trigger(fcinfo, "deal_after", true, false, tables);
	}
	accounts_table_info(((TriggerData *) fcinfo->context)->tg_relation,
						&rows.info);

	relevant[0] = rows.info.attnum[COL_ORG_ID];
	relevant[1] = rows.info.attnum[COL_STATUS];
	relevant[2] = rows.info.attnum[COL_VALUE];
	relevant[3] = rows.info.attnum[COL_CURRENCY];
	relevant[4] = rows.info.attnum[COL_PROBABILITY];
	relevant[5] = rows.info.attnum[COL_WON_TIME];

	SPI_connect();
	accounts_begin_maintenance(&save_userid, &save_sec_context);
	rows.set = deltas_create();
	rows.locked_tenant = 0;		/* tenants are positive */
	accounts_for_each_transition_row((TriggerData *) fcinfo->context,
									 deal_row, &rows, relevant,
									 lengthof(relevant));
	deltas_apply(rows.set);
	accounts_end_maintenance(save_userid, save_sec_context);
	SPI_finish();
	return PointerGetDatum(NULL);
}

/*
 * AFTER INSERT OR UPDATE OR DELETE ON accounts.currencies FOR EACH ROW: tell
 * every backend to forget its cached rates, and on a rate change recompute
 * the value figures of every organization with open or won deals in the
 * currency.
 */
Datum
accounts_currency_after(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	static const Oid argtypes[] = {INT8OID, TEXTOID};
	TupleDesc	tupdesc;
	TableInfo	info;
	Datum		oldrate,
				newrate,
				values[2];
	bool		isnull;
	Oid			save_userid;
	int			save_sec_context;

	{
		static const char *const tables[] = {"currencies", NULL};

		accounts_check_trigger(fcinfo, "currency_after", true, true, tables);
	}
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	if (!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return PointerGetDatum(NULL);
	tupdesc = RelationGetDescr(trigdata->tg_relation);
	accounts_table_info(trigdata->tg_relation, &info);

	oldrate = heap_getattr(trigdata->tg_trigtuple, info.attnum[COL_RATE],
						   tupdesc, &isnull);
	newrate = heap_getattr(trigdata->tg_newtuple, info.attnum[COL_RATE],
						   tupdesc, &isnull);
	if (DatumGetBool(DirectFunctionCall2(numeric_eq, oldrate, newrate)))
		return PointerGetDatum(NULL);
	values[0] = Int64GetDatum(accounts_get_tenant(trigdata->tg_newtuple,
												  tupdesc, &info));
	values[1] = heap_getattr(trigdata->tg_newtuple, info.attnum[COL_CODE],
							 tupdesc, &isnull);

	SPI_connect();
	accounts_begin_maintenance(&save_userid, &save_sec_context);

	/*
	 * Wait for every transaction that read a rate of the tenant, and keep
	 * new ones out until this one commits.  The writers take the rates lock
	 * before they may write a deal, and the rate change takes no lock on
	 * the deals: a writer that holds it already goes on and commits.  The
	 * recomputation then reads what is committed now, whatever the
	 * isolation level.
	 */
	tenant_lock_rates(DatumGetInt64(values[0]), true);
	accounts_check_trusted_triggers("figures");

	accounts_execute(accounts_prepare_tenanted(recompute_plan,
											   RECOMPUTE_FROM
											   " FROM accounts.deals d "
											   " JOIN accounts.currencies c "
											   "  ON c.tenant_id = d.tenant_id AND c.code = d.currency "
											   " WHERE d.tenant_id = $1 AND d.org_id IN "
											   "  (SELECT x.org_id FROM accounts.deals x "
											   "   WHERE x.tenant_id = $1 AND x.currency = $2 "
											   "   AND x.status IN ('won', 'open')) "
											   " GROUP BY d.org_id) r "
											   "WHERE f.tenant_id = $1 AND f.org_id = r.org_id",
											   RECOMPUTE_FROM
											   " FROM accounts.deals d "
											   " JOIN accounts.currencies c ON c.code = d.currency "
											   " WHERE d.org_id IN (SELECT x.org_id FROM accounts.deals x "
											   "  WHERE x.currency = $2 AND x.status IN ('won', 'open')) "
											   " GROUP BY d.org_id) r "
											   "WHERE f.org_id = r.org_id",
											   2, argtypes),
					 values, NULL, true, -1);

	accounts_end_maintenance(save_userid, save_sec_context);
	SPI_finish();
	return PointerGetDatum(NULL);
}
