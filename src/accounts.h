/*-------------------------------------------------------------------------
 *
 * accounts.h
 *	  Declarations shared by the files of the accounts extension.
 *
 *-------------------------------------------------------------------------
 */
#ifndef ACCOUNTS_H
#define ACCOUNTS_H

#include "access/sdir.h"
#include "commands/trigger.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "nodes/execnodes.h"
#include "utils/date.h"
#include "utils/hsearch.h"
#include "utils/numeric.h"
#include "utils/timestamp.h"

#include "compat.h"

/*
 * The columns that the triggers read or write, in any table of schema
 * accounts: X(enum constant, column name, type OID).  Resolved by name once
 * per relation (see accounts.c); a column that a relation does not need
 * has attnum InvalidAttrNumber there.  FIGURE_COLUMNS are the figures of
 * accounts.figures, in the table's order: the one place in the code that
 * names them (the table itself, and the recomputation that defines them,
 * are in the install script).
 */
#define FIGURE_COLUMNS(X) \
	X(COL_WON_DEALS_COUNT, "won_deals_count", INT4OID) \
	X(COL_WON_VALUE, "won_value", NUMERICOID) \
	X(COL_FIRST_WON_TIME, "first_won_time", TIMESTAMPTZOID) \
	X(COL_LAST_WON_TIME, "last_won_time", TIMESTAMPTZOID) \
	X(COL_OPEN_DEALS_COUNT, "open_deals_count", INT4OID) \
	X(COL_OPEN_DEALS_VALUE, "open_deals_value", NUMERICOID) \
	X(COL_OPEN_DEALS_WEIGHTED_VALUE, "open_deals_weighted_value", NUMERICOID) \
	X(COL_LOST_DEALS_COUNT, "lost_deals_count", INT4OID) \
	X(COL_PEOPLE_COUNT, "people_count", INT4OID) \
	X(COL_NOTES_COUNT, "notes_count", INT4OID) \
	X(COL_FILES_COUNT, "files_count", INT4OID) \
	X(COL_ACTIVITIES_COUNT, "activities_count", INT4OID) \
	X(COL_DONE_ACTIVITIES_COUNT, "done_activities_count", INT4OID) \
	X(COL_NEXT_ACTIVITY_ID, "next_activity_id", INT8OID) \
	X(COL_NEXT_ACTIVITY_DATE, "next_activity_date", DATEOID) \
	X(COL_NEXT_ACTIVITY_TIME, "next_activity_time", TIMEOID) \
	X(COL_NEXT_ACTIVITY_SUBJECT, "next_activity_subject", TEXTOID) \
	X(COL_LAST_ACTIVITY_ID, "last_activity_id", INT8OID) \
	X(COL_LAST_ACTIVITY_DATE, "last_activity_date", DATEOID) \
	X(COL_LAST_ACTIVITY_TIME, "last_activity_time", TIMEOID)

#define ACCOUNTS_COLUMNS(X) \
	X(COL_TENANT_ID, "tenant_id", INT8OID) \
	X(COL_ID, "id", INT8OID) \
	X(COL_ORG_ID, "org_id", INT8OID) \
	X(COL_PERSON_ID, "person_id", INT8OID) \
	X(COL_DEAL_ID, "deal_id", INT8OID) \
	X(COL_OWNER_ID, "owner_id", INT8OID) \
	X(COL_UPDATE_TIME, "update_time", TIMESTAMPTZOID) \
	X(COL_STATUS, "status", TEXTOID) \
	X(COL_VALUE, "value", NUMERICOID) \
	X(COL_CURRENCY, "currency", TEXTOID) \
	X(COL_PROBABILITY, "probability", INT2OID) \
	X(COL_WON_TIME, "won_time", TIMESTAMPTZOID) \
	X(COL_LOST_TIME, "lost_time", TIMESTAMPTZOID) \
	X(COL_DONE, "done", BOOLOID) \
	X(COL_MARKED_AS_DONE_TIME, "marked_as_done_time", TIMESTAMPTZOID) \
	X(COL_RATE, "rate", NUMERICOID) \
	X(COL_CODE, "code", TEXTOID) \
	X(COL_DUE_DATE, "due_date", DATEOID) \
	X(COL_DUE_TIME, "due_time", TIMEOID) \
	X(COL_SUBJECT, "subject", TEXTOID) \
	FIGURE_COLUMNS(X) \
	X(COL_DAY, "day", DATEOID) \
	X(COL_SLOT, "slot", INT4OID) \
	X(COL_ACCOUNTS, "accounts", INT8OID) \
	X(COL_KIND, "kind", TEXTOID) \
	X(COL_EVENT_TIME, "event_time", TIMESTAMPTZOID)

#define COLUMN_CONSTANT(constant, name, type) constant,
typedef enum TableColumn
{
	ACCOUNTS_COLUMNS(COLUMN_CONSTANT)
	NUM_TABLE_COLUMNS
} TableColumn;

typedef struct TableInfo
{
	Oid			relid;
	AttrNumber	attnum[NUM_TABLE_COLUMNS];
} TableInfo;

/* A column of the row in a slot whose attributes are all fetched. */
static inline Datum
get_col(TupleTableSlot *slot, const TableInfo *info, TableColumn col,
		bool *isnull)
{
	*isnull = slot->tts_isnull[info->attnum[col] - 1];
	return slot->tts_values[info->attnum[col] - 1];
}

/* A bigint column as get_col fetches it; 0 if NULL. */
static inline int64
get_int64_col(TupleTableSlot *slot, const TableInfo *info, TableColumn col,
			  bool *isnull)
{
	Datum		d = get_col(slot, info, col, isnull);

	return *isnull ? 0 : DatumGetInt64(d);
}

/* the tenant of every row of a table made before 0.7, and the default one */
#define DEFAULT_TENANT 1

/* The tenant of a row: tenant_id, NOT NULL in every table that has it. */
static inline int64
get_tenant(TupleTableSlot *slot, const TableInfo *info)
{
	bool		isnull;

	if (info->attnum[COL_TENANT_ID] == InvalidAttrNumber)
		return DEFAULT_TENANT;
	return get_int64_col(slot, info, COL_TENANT_ID, &isnull);
}

static inline void
set_col(TupleTableSlot *slot, const TableInfo *info, TableColumn col,
		Datum value, bool isnull)
{
	slot->tts_values[info->attnum[col] - 1] = isnull ? (Datum) 0 : value;
	slot->tts_isnull[info->attnum[col] - 1] = isnull;
}

static inline void
set_tenant(TupleTableSlot *slot, const TableInfo *info, int64 tenant_id)
{
	if (info->attnum[COL_TENANT_ID] != InvalidAttrNumber)
		set_col(slot, info, COL_TENANT_ID, Int64GetDatum(tenant_id), false);
}

/* Counted figures, in the order of their columns in accounts.figures. */
typedef enum FigureCount
{
	FIG_WON_DEALS,
	FIG_OPEN_DEALS,
	FIG_LOST_DEALS,
	FIG_PEOPLE,
	FIG_NOTES,
	FIG_FILES,
	FIG_ACTIVITIES,
	FIG_DONE_ACTIVITIES,
	NUM_FIGURE_COUNTS
} FigureCount;

/* Summed figures, in the default currency. */
typedef enum FigureSum
{
	FIG_WON_VALUE,
	FIG_OPEN_VALUE,
	FIG_OPEN_WEIGHTED_VALUE,
	NUM_FIGURE_SUMS
} FigureSum;

/* A change of the won deals of one currency. */
typedef struct CurrencyDelta
{
	text	   *currency;
	int32		count;
	Numeric		value;			/* in that currency; NULL means zero */
} CurrencyDelta;

/*
 * Where an activity sorts: by due date, then due time, then id.  For the
 * next activity a missing date or time sorts last; for the last done one
 * it sorts first.
 */
typedef struct ActivityKey
{
	int64		id;
	bool		date_null;
	DateADT		date;
	bool		time_null;
	TimeADT		time;
} ActivityKey;

/* An activity that may become an organization's next or last activity. */
typedef struct ActivityCandidate
{
	bool		set;
	ActivityKey key;
	text	   *subject;
} ActivityCandidate;

/*
 * What one statement changes in the figures of one organization: the sum
 * of what its rows brought (sign 1) and took away (sign -1).
 */
typedef struct OrgDelta
{
	int64		tenant_id;		/* MapKey: keep first */
	int64		org_id;
	int32		count[NUM_FIGURE_COUNTS];
	Numeric		sum[NUM_FIGURE_SUMS];	/* NULL means zero */
	/* won times that arrived and left: their extremes */
	bool		won_added;
	TimestampTz won_added_min;
	TimestampTz won_added_max;
	bool		won_removed;
	TimestampTz won_removed_min;
	TimestampTz won_removed_max;
	List	   *currencies;		/* of CurrencyDelta */
	int64		won_deal_added;	/* a deal that arrived won, for the event */
	int64		won_deal_removed;	/* a deal that left won */
	ActivityCandidate next_added;	/* the best undone activity that arrived */
	List	   *next_removed;	/* ids of undone activities that left */
	ActivityCandidate last_added;	/* the best done activity that arrived */
	List	   *last_removed;	/* ids of done activities that left */
} OrgDelta;

/* The deltas of one statement, by organization (figures.c). */
typedef struct DeltaSet DeltaSet;

/* What one statement changes on the board by day (board.c). */
typedef struct Board Board;


/*
 * Entries by a tenant and an id (an organization, a day), for what one
 * statement gathers: the first few in an array, searched in order, the
 * others in a hash table made only when the array is full.  Most
 * statements touch one or two organizations and days, and making a hash
 * table costs more than they do.  Entries begin with their MapKey, start
 * zeroed and never move.
 */
typedef struct MapKey
{
	int64		tenant_id;
	int64		id;
} MapKey;

#define KEYMAP_INLINE 8
typedef struct KeyMap
{
	Size		entrysize;
	int			ninline;
	char	   *inline_entries; /* KEYMAP_INLINE entries */
	HTAB	   *rest;
	MemoryContext cxt;
} KeyMap;

typedef struct KeyMapIter
{
	KeyMap	   *map;
	int			next_inline;
	bool		in_rest;
	HASH_SEQ_STATUS seq;
} KeyMapIter;

/* keymap.c */
extern void keymap_init(KeyMap *map, Size entrysize);
extern void *keymap_enter(KeyMap *map, int64 tenant_id, int64 id, bool *found);
extern long keymap_count(KeyMap *map);
extern void keymap_iter_init(KeyMapIter *it, KeyMap *map);
extern void *keymap_iter_next(KeyMapIter *it);

/* accounts.c */
extern const char *accounts_column_name(TableColumn col);
extern void accounts_table_info(Relation rel, TableInfo *info);
extern uint64 accounts_invalidation_count(void);
extern Oid	accounts_relid(const char *relname);
extern Oid	accounts_relid_extended(const char *relname, bool missing_ok);
extern bool accounts_has_tenants(void);
extern void accounts_check_version(void);
extern void accounts_check_trigger(FunctionCallInfo fcinfo, const char *funcname,
								   bool after, bool row,
								   const char *const *relnames);
extern Oid	accounts_extension_owner(void);
extern void accounts_check_trusted_triggers(const char *relname);
extern void accounts_begin_maintenance(Oid *save_userid, int *save_sec_context);
extern void accounts_end_maintenance(Oid save_userid, int save_sec_context);
extern int	accounts_pin_search_path(void);
extern void accounts_unpin_search_path(int nestlevel);
extern SPIPlanPtr accounts_prepare(SPIPlanPtr *cache, const char *sql,
								   int nargs, const Oid *argtypes);
extern SPIPlanPtr accounts_prepare_tenanted(SPIPlanPtr cache[2],
											const char *sql,
											const char *before_tenants,
											int nargs, const Oid *argtypes);
extern void accounts_execute(SPIPlanPtr plan, Datum *values, const char *nulls,
							 bool latest_snapshot, int expected);
/* called with each row version, all attributes fetched, valid for the call */
typedef void (*TransitionRowFunc) (void *arg, TupleTableSlot *slot, int sign);
extern void accounts_for_each_transition_row(TriggerData *trigdata,
											 TransitionRowFunc func, void *arg,
											 const AttrNumber *relevant,
											 int nrelevant);
extern bool accounts_values_differ(Form_pg_attribute att, Datum oldval,
								   bool oldnull, Datum newval, bool newnull);
extern bool accounts_attr_changed(HeapTuple oldtup, HeapTuple newtup,
								  TupleDesc tupdesc, AttrNumber attnum);
extern int64 accounts_get_int64(HeapTuple tuple, TupleDesc tupdesc,
								AttrNumber attnum, bool *isnull);
extern int64 accounts_get_tenant(HeapTuple tuple, TupleDesc tupdesc,
								 const TableInfo *info);

/* figures.c */
extern DeltaSet *deltas_create(void);
extern OrgDelta *deltas_get(DeltaSet *set, int64 tenant_id, int64 org_id);
extern void deltas_add_sum(DeltaSet *set, Numeric *acc, Numeric value, int sign);
extern void deltas_add_won(DeltaSet *set, OrgDelta *delta, int64 deal_id,
						   TimestampTz won_time, text *currency,
						   Numeric value, int sign);
extern void deltas_add_activity(DeltaSet *set, OrgDelta *delta, bool done,
								const ActivityKey *key, text *subject,
								int sign);
extern void deltas_apply(DeltaSet *set);
extern int64 figures_rebuild(void);
extern Numeric numeric_plus(Numeric a, Numeric b);
extern Numeric numeric_minus(Numeric a, Numeric b);
extern Numeric numeric_times(Numeric a, Numeric b);
extern bool numeric_is_zero(Numeric n);
extern Numeric numeric_constant(Numeric *kept, const char *literal);
extern Numeric numeric_zero(void);

/* direct.c: see direct.h */
extern void direct_forget(Oid relid);

/* events.c */
extern void events_init(void);
extern void events_record(int64 tenant_id, int64 org_id, const char *kind,
						  int64 deal_id);
extern void events_announce(int64 id);
extern void events_announce_result(void);

/* board.c */
extern Board *board_create(void);
extern void board_add(Board *board, int64 tenant_id, int32 won_deals_count,
					  bool no_day, DateADT day, Numeric won_value, int sign);
extern void board_apply(Board *board);

/* tenants.c */
extern void tenant_lock_rates(int64 tenant_id, bool change);
extern void tenants_init(void);

/* kanban.c */
extern void kanban_define_settings(void);

/* deals.c */
extern Numeric deals_currency_rate(int64 tenant_id, text *currency);
extern text *deals_default_currency(int64 tenant_id);
extern void deals_forget_currencies(Oid relid);

#endif							/* ACCOUNTS_H */
