/*-------------------------------------------------------------------------
 *
 * events.c
 *	  Account events: a row of accounts.account_events each time an
 *	  organization becomes an account ('created') or stops being one
 *	  ('closed'), and a notification on channel accounts_events at commit.
 *
 *	  The notification is sent when the transaction commits, from a
 *	  pre-commit callback, not from the statement that recorded the event:
 *	  NOTIFY in a transaction makes PREPARE TRANSACTION fail, and a write
 *	  that closes an account must not fail because the application commits
 *	  in two phases.  A prepared transaction sends none: its events reach
 *	  the table when COMMIT PREPARED runs, which may be in another session
 *	  or after a restart; a consumer that must see every event reads the
 *	  table or its changes through logical decoding.  What a rolled back
 *	  subtransaction recorded is not announced.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "access/xact.h"
#include "commands/async.h"
#include "commands/sequence.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "accounts.h"
#include "direct.h"

/* A notification to send at commit. */
typedef struct PendingNotification
{
	SubTransactionId subid;		/* of the subtransaction that recorded it */
	char	   *payload;
} PendingNotification;

/* in TopTransactionContext; NIL outside a transaction that recorded any */
static List *pending = NIL;

static SPIPlanPtr event_plan[2];	/* see accounts_prepare_tenanted() */

static void events_xact_callback(XactEvent event, void *arg);
static void events_subxact_callback(SubXactEvent event,
									SubTransactionId mySubid,
									SubTransactionId parentSubid, void *arg);

void
events_init(void)
{
	RegisterXactCallback(events_xact_callback, NULL);
	RegisterSubXactCallback(events_subxact_callback, NULL);
}

/*
 * Announce an event at commit, with its id only:
 * {"id" : 7, "__node__" : ["account_events", 7]}.  Every listener gets
 * every notification, whatever row-level security lets it see, so the
 * payload names the row and nothing of it: the organization, the kind, the
 * deal and the time are read from accounts.account_events, under the
 * reader's policies.  "__node__" is the row as application layers that
 * resolve a notification to an object (PostGraphile's subscriptions) name
 * it: the table and its key.
 */
void
events_announce(int64 id)
{
	MemoryContext old = MemoryContextSwitchTo(TopTransactionContext);
	PendingNotification *n = palloc(sizeof(PendingNotification));

	n->subid = GetCurrentSubTransactionId();
	n->payload = psprintf("{\"id\" : " INT64_FORMAT
						  ", \"__node__\" : [\"account_events\", " INT64_FORMAT "]}",
						  id, id);
	pending = lappend(pending, n);
	MemoryContextSwitchTo(old);
}

/*
 * Announce the events in SPI's last result, whose first column is the
 * event's id.
 */
void
events_announce_result(void)
{
	TupleDesc	tupdesc = SPI_tuptable->tupdesc;

	for (uint64 i = 0; i < SPI_processed; i++)
	{
		bool		isnull;

		events_announce(DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i],
													tupdesc, 1, &isnull)));
	}
}

static void
events_xact_callback(XactEvent event, void *arg)
{
	ListCell   *lc;

	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			/* queued now, sent by PostgreSQL when the commit is done */
			foreach(lc, pending)
				Async_Notify("accounts_events",
							 ((PendingNotification *) lfirst(lc))->payload);
			pending = NIL;
			break;
		case XACT_EVENT_PRE_PREPARE:
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PREPARE:
			/* the list lives in TopTransactionContext, freed with it */
			pending = NIL;
			break;
		default:
			break;
	}
}

static void
events_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
						SubTransactionId parentSubid, void *arg)
{
	ListCell   *lc;

	if (pending == NIL)
		return;
	if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		foreach(lc, pending)
		{
			PendingNotification *n = lfirst(lc);

			if (n->subid == mySubid)
				n->subid = parentSubid;
		}
	}
	else if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		foreach(lc, pending)
		{
			PendingNotification *n = lfirst(lc);

			if (n->subid == mySubid)
				pending = foreach_delete_current(pending, lc);
		}
	}
}

/*
 * Record an event directly (direct.c), when account_events is as the
 * extension made it: no trigger, rule or forced row security to apply, no
 * column, check constraint (but its own on kind), NOT NULL or parent added, no constraint that
 * cannot be checked row by row, its identity sequence under its own name.
 * Returns false otherwise: the caller then records it in SQL, which
 * applies them.
 */
static bool
record_event_directly(int64 tenant_id, int64 org_id, const char *kind,
					  int64 deal_id)
{
	Oid			seqid = accounts_relid_extended("account_events_id_seq", true);
	DirectTable *t = direct_open_extended("account_events",
										  "account_events_pkey", true);
	Relation	rel;
	TupleConstr *constr;
	const TableInfo *info;
	TupleTableSlot *row;
	OrgScan *r;
	Snapshot	snapshot;
	bool		repeated = false;
	int64		id;
	TimestampTz now = GetCurrentTransactionStartTimestamp();

	if (t == NULL)
		return false;
	rel = direct_relation(t);
	info = direct_info(t);
	constr = RelationGetDescr(rel)->constr;
	/* read at once: no lookup in between (see accounts_table_info) */
	if (!OidIsValid(seqid) || rel->trigdesc != NULL || rel->rd_rules != NULL ||
		rel->rd_rel->relforcerowsecurity || rel->rd_rel->relispartition ||
		RelationGetDescr(rel)->natts !=
		(info->attnum[COL_TENANT_ID] != InvalidAttrNumber ? 6 : 5) ||
		TupleDescAttr(RelationGetDescr(rel),
					  info->attnum[COL_DEAL_ID] - 1)->attnotnull ||
		(constr != NULL &&
		 (constr->has_generated_stored || constr->num_check > 1 ||
		  (constr->num_check == 1 &&
		   strcmp(constr->check[0].ccname, "account_events_kind_check") != 0))))
	{
		direct_close(t);
		return false;
	}

	/* the last kind recorded, as committed now */
	r = org_scan_open("account_events", "account_events_org_id_id_idx");
	snapshot = RegisterSnapshot(GetLatestSnapshot());
	if (org_scan_first(r, tenant_id, org_id, BackwardScanDirection,
					   snapshot, NULL, NULL))
	{
		bool		isnull;
		text	   *last = DatumGetTextPP(get_col(org_scan_row(r), info, COL_KIND,
												  &isnull));

		repeated = !isnull && strlen(kind) == VARSIZE_ANY_EXHDR(last) &&
			memcmp(VARDATA_ANY(last), kind, strlen(kind)) == 0;
	}
	UnregisterSnapshot(snapshot);
	org_scan_close(r);
	if (repeated)
	{
		direct_close(t);
		return true;
	}

	id = nextval_internal(seqid, false);
	direct_row_empty(t);
	row = direct_new_row(t);
	set_tenant(row, info, tenant_id);
	set_col(row, info, COL_ID, Int64GetDatum(id), false);
	set_col(row, info, COL_ORG_ID, Int64GetDatum(org_id), false);
	set_col(row, info, COL_KIND, CStringGetTextDatum(kind), false);
	set_col(row, info, COL_DEAL_ID, Int64GetDatum(deal_id), deal_id == 0);
	set_col(row, info, COL_EVENT_TIME, TimestampTzGetDatum(now), false);
	direct_insert(t);
	direct_close(t);

	events_announce(id);
	return true;
}

/*
 * Record that an organization became an account or stopped being one, and
 * announce it at commit.  Kinds alternate per organization: a kind equal to
 * the last one recorded is not written again.
 * The caller runs as the extension owner and holds the organization's
 * figures row, under which every event of the organization is recorded.
 */
void
events_record(int64 tenant_id, int64 org_id, const char *kind, int64 deal_id)
{
	static const Oid argtypes[] = {INT8OID, INT8OID, TEXTOID, INT8OID};
	Datum		values[4];
	char		nulls[4] = {' ', ' ', ' ', ' '};

	if (record_event_directly(tenant_id, org_id, kind, deal_id))
		return;
	accounts_check_trusted_triggers("account_events");
	values[0] = Int64GetDatum(tenant_id);
	values[1] = Int64GetDatum(org_id);
	values[2] = CStringGetTextDatum(kind);
	values[3] = Int64GetDatum(deal_id);
	if (deal_id == 0)
		nulls[3] = 'n';
	accounts_execute(accounts_prepare_tenanted(event_plan,
											   "INSERT INTO accounts.account_events"
											   " (tenant_id, org_id, kind, deal_id)"
											   " SELECT $1, $2, $3, $4"
											   " WHERE (SELECT l.kind FROM accounts.account_events l"
											   "        WHERE l.tenant_id = $1 AND l.org_id = $2"
											   "        ORDER BY l.id DESC LIMIT 1)"
											   "       IS DISTINCT FROM $3"
											   " RETURNING id",
											   "INSERT INTO accounts.account_events"
											   " (org_id, kind, deal_id)"
											   " SELECT $2, $3, $4"
											   " WHERE (SELECT l.kind FROM accounts.account_events l"
											   "        WHERE l.org_id = $2 ORDER BY l.id DESC LIMIT 1)"
											   "       IS DISTINCT FROM $3"
											   " RETURNING id",
											   4, argtypes),
					 values, nulls, true, -1);
	events_announce_result();
}

