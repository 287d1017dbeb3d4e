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
 *	  Rates: a deal write reads the latest committed rate.  A rate change
 *	  takes a SHARE lock on accounts.deals, which waits for every transaction
 *	  that wrote deals and blocks new deal writes until it commits, and then
 *	  recomputes the organizations that have deals in that currency.  So no
 *	  deal is ever counted at a rate that its transaction cannot see change.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/rel.h"

#include "accounts.h"

PG_FUNCTION_INFO_V1(accounts_deal_after);
PG_FUNCTION_INFO_V1(accounts_currency_after);

/* What one version of a deal row contributes to its organization. */
typedef struct DealShare
{
	int64		org_id;			/* 0: the deal counts for no organization */
	char		status;			/* 'o'pen, 'w'on, 'l'ost, 'd'eleted */
	Numeric		value;			/* in the deal's currency */
	Numeric		value_dc;		/* in the default currency */
	Numeric		weighted_dc;
	text	   *currency;
	TimestampTz won_time;
	bool		won_time_null;
} DealShare;

static void deal_share(DealShare *share, HeapTuple tuple, TupleDesc tupdesc,
					   TableInfo *info);
static void add_share(OrgDelta *delta, const DealShare *share, int sign);

static SPIPlanPtr rate_plan = NULL;
static SPIPlanPtr default_plan = NULL;
static SPIPlanPtr recompute_plan = NULL;

/*
 * The rate of a currency, as committed now.
 */
Numeric
deals_currency_rate(text *currency)
{
	static const Oid argtypes[] = {TEXTOID};
	Datum		values[1];
	bool		isnull;

	accounts_prepare(&rate_plan,
					 "SELECT rate FROM accounts.currencies WHERE code = $1",
					 1, argtypes);
	values[0] = PointerGetDatum(currency);
	accounts_execute(rate_plan, values, NULL, true, -1);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("unknown currency \"%s\"", text_to_cstring(currency)),
				 errhint("Add it first: INSERT INTO accounts.currencies (code, rate) VALUES ('%s', <value of one unit in the default currency>).",
						 text_to_cstring(currency))));
	return DatumGetNumeric(SPI_getbinval(SPI_tuptable->vals[0],
										 SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * The default currency, as committed now; an error when none is set.
 */
text *
deals_default_currency(void)
{
	bool		isnull;

	accounts_prepare(&default_plan,
					 "SELECT code FROM accounts.currencies WHERE is_default",
					 0, NULL);
	accounts_execute(default_plan, NULL, NULL, true, -1);
	if (SPI_processed != 1)
		ereport(ERROR,
				(errcode(ERRCODE_NOT_NULL_VIOLATION),
				 errmsg("deal has no currency and no default currency is set"),
				 errhint("Give the deal a currency, or set a default: INSERT INTO accounts.currencies (code, rate, is_default) VALUES ('USD', 1, true).")));
	return DatumGetTextPP(SPI_getbinval(SPI_tuptable->vals[0],
										SPI_tuptable->tupdesc, 1, &isnull));
}

static void
deal_share(DealShare *share, HeapTuple tuple, TupleDesc tupdesc,
		   TableInfo *info)
{
	bool		isnull;
	Datum		d;
	char	   *status;

	memset(share, 0, sizeof(DealShare));
	share->org_id = accounts_get_int64(tuple, tupdesc,
									   info->attnum[COL_ORG_ID], &isnull);
	status = TextDatumGetCString(heap_getattr(tuple, info->attnum[COL_STATUS],
											  tupdesc, &isnull));
	share->status = status[0];
	if (share->status != 'o' && share->status != 'w' && share->status != 'l')
		share->status = 'd';
	share->value = DatumGetNumeric(heap_getattr(tuple, info->attnum[COL_VALUE],
												tupdesc, &isnull));
	share->currency = DatumGetTextPP(heap_getattr(tuple,
												  info->attnum[COL_CURRENCY],
												  tupdesc, &isnull));
	d = heap_getattr(tuple, info->attnum[COL_WON_TIME], tupdesc,
					 &share->won_time_null);
	if (!share->won_time_null)
		share->won_time = DatumGetTimestampTz(d);

	if (share->org_id != 0 && (share->status == 'w' || share->status == 'o'))
	{
		share->value_dc = numeric_times(share->value,
										deals_currency_rate(share->currency));
		if (share->status == 'o')
		{
			int32		probability = 100;

			d = heap_getattr(tuple, info->attnum[COL_PROBABILITY], tupdesc,
							 &isnull);
			if (!isnull)
				probability = DatumGetInt16(d);
			share->weighted_dc =
				numeric_times(numeric_times(share->value_dc,
											int64_to_numeric(probability)),
							  DatumGetNumeric(DirectFunctionCall3(numeric_in,
																  CStringGetDatum("0.01"),
																  ObjectIdGetDatum(InvalidOid),
																  Int32GetDatum(-1))));
		}
	}
}

/*
 * Add (sign 1) or take away (sign -1) one deal's share.
 */
static void
add_share(OrgDelta *delta, const DealShare *share, int sign)
{
	switch (share->status)
	{
		case 'w':
			{
				CurrencyDelta *cd = NULL;

				delta->count[FIG_WON_DEALS] += sign;
				delta->sum[FIG_WON_VALUE] = sign > 0 ?
					numeric_plus(delta->sum[FIG_WON_VALUE], share->value_dc) :
					numeric_minus(delta->sum[FIG_WON_VALUE], share->value_dc);
				if (!share->won_time_null)
				{
					if (sign > 0)
					{
						delta->won_time_added_set = true;
						delta->won_time_added = share->won_time;
					}
					else
					{
						delta->won_time_removed_set = true;
						delta->won_time_removed = share->won_time;
					}
				}
				for (int i = 0; i < delta->ncurrencies; i++)
					if (VARSIZE_ANY_EXHDR(delta->currencies[i].currency) ==
						VARSIZE_ANY_EXHDR(share->currency) &&
						memcmp(VARDATA_ANY(delta->currencies[i].currency),
							   VARDATA_ANY(share->currency),
							   VARSIZE_ANY_EXHDR(share->currency)) == 0)
						cd = &delta->currencies[i];
				if (cd == NULL)
				{
					cd = &delta->currencies[delta->ncurrencies++];
					cd->currency = share->currency;
				}
				cd->count += sign;
				cd->value = sign > 0 ? numeric_plus(cd->value, share->value) :
					numeric_minus(cd->value, share->value);
				break;
			}
		case 'o':
			delta->count[FIG_OPEN_DEALS] += sign;
			delta->sum[FIG_OPEN_VALUE] = sign > 0 ?
				numeric_plus(delta->sum[FIG_OPEN_VALUE], share->value_dc) :
				numeric_minus(delta->sum[FIG_OPEN_VALUE], share->value_dc);
			delta->sum[FIG_OPEN_WEIGHTED_VALUE] = sign > 0 ?
				numeric_plus(delta->sum[FIG_OPEN_WEIGHTED_VALUE],
							 share->weighted_dc) :
				numeric_minus(delta->sum[FIG_OPEN_WEIGHTED_VALUE],
							  share->weighted_dc);
			break;
		case 'l':
			delta->count[FIG_LOST_DEALS] += sign;
			break;
		default:
			break;
	}
}

/*
 * AFTER INSERT OR UPDATE OR DELETE ON accounts.deals FOR EACH ROW.
 */
Datum
accounts_deal_after(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	TupleDesc	tupdesc;
	TableInfo  *info;
	HeapTuple	oldtup = NULL,
				newtup = NULL;
	DealShare	oldshare,
				newshare;
	OrgDelta	deltas[2];
	int			ndeltas = 0;
	int64		deal_id;
	bool		isnull;
	Oid			save_userid;
	int			save_sec_context;

	accounts_check_trigger(fcinfo, "deal_after", true, true);
	tupdesc = RelationGetDescr(trigdata->tg_relation);
	info = accounts_table_info(trigdata->tg_relation);

	if (TRIGGER_FIRED_BY_INSERT(trigdata->tg_event))
		newtup = trigdata->tg_trigtuple;
	else if (TRIGGER_FIRED_BY_DELETE(trigdata->tg_event))
		oldtup = trigdata->tg_trigtuple;
	else
	{
		static const TableColumn relevant[] = {
			COL_ORG_ID, COL_STATUS, COL_VALUE, COL_CURRENCY, COL_PROBABILITY,
			COL_WON_TIME
		};
		bool		changed = false;

		oldtup = trigdata->tg_trigtuple;
		newtup = trigdata->tg_newtuple;
		for (int i = 0; i < lengthof(relevant) && !changed; i++)
			changed = accounts_attr_changed(oldtup, newtup, tupdesc,
											info->attnum[relevant[i]]);
		if (!changed)
			return PointerGetDatum(NULL);
	}
	deal_id = accounts_get_int64(newtup ? newtup : oldtup, tupdesc,
								 info->attnum[COL_ID], &isnull);

	SPI_connect();
	accounts_begin_maintenance(&save_userid, &save_sec_context);

	if (oldtup)
	{
		deal_share(&oldshare, oldtup, tupdesc, info);
		if (oldshare.org_id != 0)
		{
			figures_init_delta(&deltas[ndeltas], oldshare.org_id);
			add_share(&deltas[ndeltas++], &oldshare, -1);
		}
	}
	if (newtup)
	{
		deal_share(&newshare, newtup, tupdesc, info);
		if (newshare.org_id != 0)
		{
			OrgDelta   *delta;

			if (ndeltas > 0 && deltas[0].org_id == newshare.org_id)
				delta = &deltas[0];
			else
			{
				delta = &deltas[ndeltas++];
				figures_init_delta(delta, newshare.org_id);
			}
			add_share(delta, &newshare, 1);
		}
	}
	for (int i = 0; i < ndeltas; i++)
		deltas[i].deal_id = deal_id;
	figures_apply(deltas, ndeltas);

	accounts_end_maintenance(save_userid, save_sec_context);
	SPI_finish();
	return PointerGetDatum(NULL);
}

/*
 * AFTER UPDATE OF rate ON accounts.currencies FOR EACH ROW: recompute the
 * value figures of every organization with open or won deals in the
 * currency.
 */
Datum
accounts_currency_after(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	static const Oid argtypes[] = {TEXTOID};
	TupleDesc	tupdesc;
	TableInfo  *info;
	Datum		oldrate,
				newrate,
				values[1];
	bool		isnull;
	Oid			save_userid;
	int			save_sec_context;

	accounts_check_trigger(fcinfo, "currency_after", true, true);
	if (!TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		elog(ERROR, "currency_after must be fired by UPDATE");
	tupdesc = RelationGetDescr(trigdata->tg_relation);
	info = accounts_table_info(trigdata->tg_relation);

	oldrate = heap_getattr(trigdata->tg_trigtuple, info->attnum[COL_RATE],
						   tupdesc, &isnull);
	newrate = heap_getattr(trigdata->tg_newtuple, info->attnum[COL_RATE],
						   tupdesc, &isnull);
	if (DatumGetBool(DirectFunctionCall2(numeric_eq, oldrate, newrate)))
		return PointerGetDatum(NULL);
	values[0] = heap_getattr(trigdata->tg_newtuple,
							 SPI_fnumber(tupdesc, "code"), tupdesc, &isnull);

	SPI_connect();
	accounts_begin_maintenance(&save_userid, &save_sec_context);

	/* wait for the deal writers in flight, keep new ones out until commit */
	LockRelationOid(accounts_relid("deals"), ShareLock);

	accounts_prepare(&recompute_plan,
					 "UPDATE accounts.figures f SET "
					 "won_value = r.won_value, "
					 "open_deals_value = r.open_value, "
					 "open_deals_weighted_value = r.weighted "
					 "FROM (SELECT d.org_id, "
					 "  COALESCE(pg_catalog.sum(d.value * c.rate) "
					 "   FILTER (WHERE d.status = 'won'), 0) AS won_value, "
					 "  COALESCE(pg_catalog.sum(d.value * c.rate) "
					 "   FILTER (WHERE d.status = 'open'), 0) AS open_value, "
					 "  COALESCE(pg_catalog.sum(d.value * c.rate "
					 "   * COALESCE(d.probability, 100) * 0.01) "
					 "   FILTER (WHERE d.status = 'open'), 0) AS weighted "
					 " FROM accounts.deals d "
					 " JOIN accounts.currencies c ON c.code = d.currency "
					 " WHERE d.org_id IN (SELECT x.org_id FROM accounts.deals x "
					 "  WHERE x.currency = $1 AND x.status IN ('won', 'open')) "
					 " GROUP BY d.org_id) r "
					 "WHERE f.org_id = r.org_id",
					 1, argtypes);
	accounts_execute(recompute_plan, values, NULL, false, -1);

	accounts_end_maintenance(save_userid, save_sec_context);
	SPI_finish();
	return PointerGetDatum(NULL);
}
