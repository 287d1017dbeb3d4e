/*-------------------------------------------------------------------------
 *
 * direct.h
 *	  Rows of the extension's tables found and written without statements
 *	  (direct.c): a DirectTable finds the rows of a table by its unique
 *	  index and writes them; an OrgScan reads the first row of one
 *	  organization (of one tenant) along an index of a base table.
 *
 *	  A write starts from direct_row_from_found() (the row found, to update
 *	  it) or direct_row_empty() (all NULL, to insert one), sets columns of
 *	  direct_new_row() with set_col(), then calls direct_update(),
 *	  direct_insert() or direct_delete().
 *
 *-------------------------------------------------------------------------
 */
#ifndef ACCOUNTS_DIRECT_H
#define ACCOUNTS_DIRECT_H

#include "accounts.h"

typedef struct DirectTable DirectTable;
typedef struct OrgScan OrgScan;

typedef bool (*DirectFilter) (TupleTableSlot *slot, void *arg);

extern DirectTable *direct_open(const char *relname, const char *indexname);
extern DirectTable *direct_open_extended(const char *relname,
										 const char *indexname,
										 bool missing_ok);
extern void direct_remember(DirectTable *t, uint32 nrows);
extern void direct_close(DirectTable *t);
extern bool direct_find(DirectTable *t, const Datum *key, const bool *isnull);
extern bool direct_find_extended(DirectTable *t, const Datum *key,
								 const bool *isnull, bool *busy);
extern bool direct_found_after_snapshot(DirectTable *t);
extern bool direct_update(DirectTable *t);
extern void direct_insert(DirectTable *t);
extern bool direct_delete(DirectTable *t);
extern int	direct_take(DirectTable *t, const Datum *key, const bool *isnull,
						int nkeys, DirectFilter wanted, DirectFilter took,
						void *arg);
extern void direct_row_from_found(DirectTable *t);
extern void direct_row_empty(DirectTable *t);
extern OrgScan *org_scan_open(const char *relname, const char *indexname);
extern void org_scan_close(OrgScan *r);
extern bool org_scan_first(OrgScan *r, int64 tenant_id, int64 org_id,
						   ScanDirection dir, Snapshot snapshot,
						   DirectFilter filter, void *arg);

extern Relation direct_relation(DirectTable *t);
extern const TableInfo *direct_info(DirectTable *t);
extern TupleTableSlot *direct_found_row(DirectTable *t);
extern TupleTableSlot *direct_new_row(DirectTable *t);
extern const TableInfo *org_scan_info(OrgScan *r);
extern TupleTableSlot *org_scan_row(OrgScan *r);

#endif							/* ACCOUNTS_DIRECT_H */
