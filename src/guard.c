/*-------------------------------------------------------------------------
 *
 * guard.c
 *	  What the owner of the extension's tables may add to them.
 *
 *	  The triggers write figures, figures_by_currency and kanban_days row
 *	  by row through the table access method (direct.c), without the
 *	  executor: a constraint, default, trigger or rule of these tables
 *	  would not run there.  Rather than ignore one in silence, an event
 *	  trigger refuses it when it is made.  account_events is written the
 *	  same way while it is as the extension made it, and in SQL, which
 *	  applies all of them, once it is not (events.c).  What the triggers
 *	  run in SQL as the extension owner may not run code of other roles
 *	  with the owner's rights.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "catalog/pg_proc.h"
#include "commands/event_trigger.h"
#include "commands/extension.h"
#include "commands/trigger.h"
#include "access/table.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/regproc.h"
#include "utils/rel.h"
#include "utils/syscache.h"

#include "accounts.h"

PG_FUNCTION_INFO_V1(accounts_guard_ddl);

static SPIPlanPtr added_plan = NULL;

/*
 * Event trigger on ddl_command_end: after a command that may have changed
 * a table of schema accounts (one of its objects is in that schema; an
 * ALTER TABLE, which can attach any table as a partition; or a command on
 * triggers or rules, which have no schema of their own), compare
 * what gives behaviour to the tables written without the executor with
 * what the extension made (accounts_internal.behaviour and .shipped) and
 * refuse the command if it added anything.  What it removed is not its
 * business: a write that misses a column or an index it needs fails with
 * an error naming it.  The extension's own scripts and pg_upgrade, which
 * make these objects, are let through.
 */
Datum
accounts_guard_ddl(PG_FUNCTION_ARGS)
{
	Oid			save_userid;
	int			save_sec_context;
	MemoryContext outer = CurrentMemoryContext;
	char	   *relname = NULL;
	char	   *item = NULL;

	if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_EVENT_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function \"%s\" must be fired as an event trigger",
						"accounts_internal.guard_ddl")));
	if (IsBinaryUpgrade ||
		(creating_extension &&
		 CurrentExtensionObject == get_extension_oid("accounts", true)))
		PG_RETURN_VOID();

	accounts_begin_maintenance(&save_userid, &save_sec_context);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	accounts_prepare(&added_plan,
					 "SELECT b.relname::text, b.item"
					 " FROM accounts_internal.behaviour b"
					 " WHERE EXISTS (SELECT FROM pg_catalog.pg_event_trigger_ddl_commands() c"
					 "               WHERE c.schema_name = 'accounts'"
					 "                  OR c.command_tag IN ('ALTER TABLE',"
					 "                     'CREATE TRIGGER', 'ALTER TRIGGER',"
					 "                     'CREATE RULE', 'ALTER RULE'))"
					 "   AND NOT EXISTS (SELECT FROM accounts_internal.shipped s"
					 "                   WHERE s.relname = b.relname AND s.item = b.item)"
					 " ORDER BY 1, 2 LIMIT 1",
					 0, NULL);
	accounts_execute(added_plan, NULL, NULL, false, -1);
	/* copies that outlive SPI_finish */
	if (SPI_processed > 0)
	{
		relname = MemoryContextStrdup(outer, SPI_getvalue(SPI_tuptable->vals[0],
														  SPI_tuptable->tupdesc, 1));
		item = MemoryContextStrdup(outer, SPI_getvalue(SPI_tuptable->vals[0],
													   SPI_tuptable->tupdesc, 2));
	}
	SPI_finish();
	accounts_end_maintenance(save_userid, save_sec_context);

	if (item != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("table \"accounts.%s\" cannot have %s", relname, item),
				 errdetail("The triggers of the accounts extension write this table row by row without the executor: constraints, defaults, NOT NULL, triggers and rules added to it would not apply there."),
				 errhint("Put such checks and reactions on the base tables, or on accounts.account_events, which applies them. Columns without a default and indexes may be added.")));
	PG_RETURN_VOID();
}

/*
 * Refuse to write table relname of schema accounts in SQL, as the extension
 * owner, if that would run a trigger function that the extension owner
 * does not trust: one neither owned by a superuser or the extension owner
 * nor SECURITY DEFINER.  Such a function runs as the current user, the
 * extension owner, and its owner (who may change its body at any time)
 * would reach the owner's rights through it; a SECURITY DEFINER function
 * runs as its own owner.  Rules, policies, defaults and constraints of
 * these tables can only be made by their owner.
 */
void
accounts_check_trusted_triggers(const char *relname)
{
	Relation	rel = table_open(accounts_relid(relname), AccessShareLock);
	TriggerDesc *trigdesc;
	Oid			owner = accounts_extension_owner();

	/*
	 * A copy: the lookups below may process an invalidation of rel, and the
	 * relcache then rebuilds what rel->trigdesc points to.
	 */
	trigdesc = CopyTriggerDesc(rel->trigdesc);
	table_close(rel, NoLock);

	for (int i = 0; trigdesc != NULL && i < trigdesc->numtriggers; i++)
	{
		Trigger    *trigger = &trigdesc->triggers[i];
		HeapTuple	proc;
		Form_pg_proc form;

		if (trigger->tgenabled == TRIGGER_DISABLED)
			continue;
		proc = SearchSysCache1(PROCOID, ObjectIdGetDatum(trigger->tgfoid));
		if (!HeapTupleIsValid(proc))
			elog(ERROR, "cache lookup failed for function %u", trigger->tgfoid);
		form = (Form_pg_proc) GETSTRUCT(proc);
		if (!form->prosecdef && form->proowner != owner &&
			!superuser_arg(form->proowner))
		{
			char	   *function = format_procedure(trigger->tgfoid);
			char	   *role = GetUserNameFromId(form->proowner, false);

			ReleaseSysCache(proc);
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("trigger \"%s\" on table \"accounts.%s\" would run function %s of role \"%s\" with the rights of the extension owner",
							trigger->tgname, relname, function, role),
					 errdetail("The accounts extension writes this table as its owner."),
					 errhint("Make the function SECURITY DEFINER, so that it runs with the rights of its owner, or have a superuser own it.")));
		}
		ReleaseSysCache(proc);
	}
	if (trigdesc != NULL)
		FreeTriggerDesc(trigdesc);
}
