/* sql/accounts--0.3--0.4.sql */

-- complain if script is sourced in psql, rather than via ALTER EXTENSION
\echo Use "ALTER EXTENSION accounts UPDATE TO '0.4'" to load this file. \quit

/*
 * 0.4: every table that the extension writes has a replica identity, so
 * that a publication (CDC, logical replication) never makes a write fail.
 * The board by day is the one without a primary key: its day is NULL for
 * the accounts without an undone activity, and a key cannot hold a NULL.
 * Its rows are few (days times the backends that wrote), so the whole old
 * row identifies an updated or deleted one.
 */
ALTER TABLE accounts.kanban_days REPLICA IDENTITY FULL;
