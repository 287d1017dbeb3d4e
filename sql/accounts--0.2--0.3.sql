/* sql/accounts--0.2--0.3.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION accounts UPDATE TO '0.3'" to load this file. \quit

/*
 * 0.3: the triggers write the figures, their currencies and the board row
 * by row, without statements (src/direct.c).  The trigger functions that
 * run on every write lose their SET search_path clause, which cost more
 * than their work: they pin search_path themselves where they run SQL.
 */
ALTER FUNCTION accounts.before_row() RESET search_path;
ALTER FUNCTION accounts.organization_after() RESET search_path;
ALTER FUNCTION accounts.deal_after() RESET search_path;
ALTER FUNCTION accounts.activity_after() RESET search_path;
ALTER FUNCTION accounts.count_after() RESET search_path;
ALTER FUNCTION accounts.board_after() RESET search_path;

/*
 * A currency row is updated in place on every change of the organization's
 * won deals in that currency: leave room on its page for the new version,
 * so that the update is HOT and adds no index entry.
 */
ALTER TABLE accounts.figures_by_currency SET (fillfactor = 50);
