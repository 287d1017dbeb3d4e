/*-------------------------------------------------------------------------
 *
 * kanban.c
 *	  The kanban board: buckets of the next undone activity relative to
 *	  "today", and the settings accounts.week_start and accounts.today.
 *
 *	  Nothing time-dependent is stored: the figures keep the next activity's
 *	  date, and the bucket is computed when read, so the board moves with
 *	  the calendar without a write.  Every bucket but no_activity is a range
 *	  of dates (see kanban_ranges() in the install script), which the index
 *	  figures_kanban answers for the counts and for paging a column.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/date.h"
#include "utils/datetime.h"
#include "utils/guc.h"

#include "accounts.h"

PG_FUNCTION_INFO_V1(accounts_kanban_today);
PG_FUNCTION_INFO_V1(accounts_kanban_week_end);
PG_FUNCTION_INFO_V1(accounts_kanban_bucket);

static char *week_start_setting = NULL;
static char *today_setting = NULL;

/*
 * Set once the settings are defined.  Until then (while a value given
 * before the library was loaded is re-applied) the check hooks accept
 * anything, so that a bad value is not silently dropped but reported when
 * used; after that a bad value is refused when set.
 */
static bool settings_defined = false;

static bool
parse_week_start(const char *value, bool *sunday)
{
	if (pg_strcasecmp(value, "monday") == 0)
		*sunday = false;
	else if (pg_strcasecmp(value, "sunday") == 0)
		*sunday = true;
	else
		return false;
	return true;
}

static bool
check_week_start(char **newval, void **extra, GucSource source)
{
	bool		sunday;

	if (!settings_defined || parse_week_start(*newval, &sunday))
		return true;
	GUC_check_errmsg("invalid value for parameter \"accounts.week_start\": \"%s\"",
					 *newval);
	GUC_check_errhint("Valid values are \"monday\" and \"sunday\".");
	return false;
}

void
kanban_define_settings(void)
{
	DefineCustomStringVariable("accounts.week_start",
							   "First day of the week for the kanban buckets.",
							   "Either monday or sunday.",
							   &week_start_setting,
							   "monday",
							   PGC_USERSET, 0,
							   check_week_start, NULL, NULL);
	DefineCustomStringVariable("accounts.today",
							   "The day the kanban board and the contact overview are computed for.",
							   "Empty means the current date in the session's time zone.",
							   &today_setting,
							   "",
							   PGC_USERSET, 0,
							   NULL, NULL, NULL);
	MarkGUCPrefixReserved("accounts");
	settings_defined = true;
}

/* The first day of the week is Sunday (true) or Monday (false). */
static bool
week_starts_sunday(void)
{
	bool		sunday;

	if (!parse_week_start(week_start_setting, &sunday))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid value for parameter \"accounts.week_start\": \"%s\"",
						week_start_setting),
				 errhint("Valid values are \"monday\" and \"sunday\".")));
	return sunday;
}

/*
 * as_of if given, else accounts.today if set (a bad date is reported here,
 * by date_in), else the current date in the session's time zone.
 */
static DateADT
kanban_today(FunctionCallInfo fcinfo, int argno)
{
	DateADT		today;

	if (PG_NARGS() > argno && !PG_ARGISNULL(argno))
		today = PG_GETARG_DATEADT(argno);
	else if (today_setting != NULL && today_setting[0] != '\0')
		today = DatumGetDateADT(DirectFunctionCall1(date_in,
													CStringGetDatum(today_setting)));
	else
		return GetSQLCurrentDate();
	if (DATE_NOT_FINITE(today))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the kanban reference date must be finite"),
				 errhint("Give a day such as '2026-03-02', as the as_of argument or in the setting accounts.today.")));
	return today;
}

/* The last day of the week that contains today. */
static DateADT
week_end(DateADT today)
{
	int			dow;			/* 0 = Sunday ... 6 = Saturday */
	int			into_week;

	if (DATE_NOT_FINITE(today))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the kanban reference date must be finite"),
				 errhint("Give a day such as '2026-03-02', as the as_of argument or in the setting accounts.today.")));

	dow = j2day(today + POSTGRES_EPOCH_JDATE);
	into_week = week_starts_sunday() ? dow : (dow + 6) % 7;
	return today + (6 - into_week);
}

/*
 * accounts.kanban_today(as_of date) returns date
 */
Datum
accounts_kanban_today(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(kanban_today(fcinfo, 0));
}

/*
 * accounts.kanban_week_end(today date) returns date
 */
Datum
accounts_kanban_week_end(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATEADT(week_end(PG_GETARG_DATEADT(0)));
}

/* today and the end of its week, computed once per query */
typedef struct BucketCache
{
	bool		as_of_null;
	DateADT		as_of;
	DateADT		today;
	DateADT		week_end;
} BucketCache;

/*
 * accounts.kanban_bucket(next_activity_date date, as_of date) returns text
 *
 * next_activity_date is the stored one: NULL when there is no undone
 * activity, 'infinity' for an undone activity without a date (in 'later').
 */
Datum
accounts_kanban_bucket(PG_FUNCTION_ARGS)
{
	BucketCache *cache = (BucketCache *) fcinfo->flinfo->fn_extra;
	bool		as_of_null = PG_NARGS() < 2 || PG_ARGISNULL(1);
	DateADT		as_of = as_of_null ? 0 : PG_GETARG_DATEADT(1);
	DateADT		d;
	const char *bucket;

	if (cache == NULL || cache->as_of_null != as_of_null ||
		cache->as_of != as_of)
	{
		if (cache == NULL)
			cache = MemoryContextAlloc(fcinfo->flinfo->fn_mcxt,
									   sizeof(BucketCache));
		cache->as_of_null = as_of_null;
		cache->as_of = as_of;
		cache->today = kanban_today(fcinfo, 1);
		cache->week_end = week_end(cache->today);
		fcinfo->flinfo->fn_extra = cache;
	}

	if (PG_ARGISNULL(0))
		PG_RETURN_TEXT_P(cstring_to_text("no_activity"));
	d = PG_GETARG_DATEADT(0);
	if (d < cache->today)
		bucket = "overdue";
	else if (d == cache->today)
		bucket = "today";
	else if (d == cache->today + 1)
		bucket = "tomorrow";
	else if (d <= cache->week_end)
		bucket = "this_week";
	else if (d <= cache->week_end + 7)
		bucket = "next_week";
	else
		bucket = "later";
	PG_RETURN_TEXT_P(cstring_to_text(bucket));
}
