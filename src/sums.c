/*-------------------------------------------------------------------------
 *
 * sums.c
 *	  Numeric arithmetic on sums that may be NULL, meaning zero: a delta
 *	  that nothing added to costs no allocation.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/numeric.h"

#include "accounts.h"

Numeric
numeric_plus(Numeric a, Numeric b)
{
	if (a == NULL)
		return b;
	if (b == NULL)
		return a;
	return DatumGetNumeric(DirectFunctionCall2(numeric_add,
											   NumericGetDatum(a),
											   NumericGetDatum(b)));
}

Numeric
numeric_minus(Numeric a, Numeric b)
{
	if (b == NULL)
		return a;
	if (a == NULL)
		return DatumGetNumeric(DirectFunctionCall1(numeric_uminus,
												   NumericGetDatum(b)));
	return DatumGetNumeric(DirectFunctionCall2(numeric_sub,
											   NumericGetDatum(a),
											   NumericGetDatum(b)));
}

Numeric
numeric_times(Numeric a, Numeric b)
{
	if (a == NULL || b == NULL)
		return NULL;
	return DatumGetNumeric(DirectFunctionCall2(numeric_mul,
											   NumericGetDatum(a),
											   NumericGetDatum(b)));
}

/*
 * A numeric constant parsed once per backend: *kept holds it (NULL before
 * the first call).
 */
Numeric
numeric_constant(Numeric *kept, const char *literal)
{
	if (*kept == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(TopMemoryContext);

		*kept = DatumGetNumeric(DirectFunctionCall3(numeric_in,
													CStringGetDatum(literal),
													ObjectIdGetDatum(InvalidOid),
													Int32GetDatum(-1)));
		MemoryContextSwitchTo(old);
	}
	return *kept;
}

Numeric
numeric_zero(void)
{
	static Numeric zero = NULL;

	return numeric_constant(&zero, "0");
}

/* whether a possibly NULL (= zero) numeric is zero */
bool
numeric_is_zero(Numeric n)
{
	return n == NULL ||
		DatumGetInt32(DirectFunctionCall2(numeric_cmp, NumericGetDatum(n),
										  NumericGetDatum(numeric_zero()))) == 0;
}
