# accounts: customer accounts for a CRM, kept exact by C triggers

EXTENSION = accounts
MODULE_big = accounts
OBJS = \
	src/accounts.o \
	src/activities.o \
	src/board.o \
	src/deals.o \
	src/direct.o \
	src/events.o \
	src/figures.o \
	src/guard.o \
	src/kanban.o \
	src/keymap.o \
	src/rebuild.o \
	src/rows.o \
	src/sums.o \
	src/tenants.o \
	src/transition.o \
	src/views.o

DATA = sql/accounts--0.1.sql sql/accounts--0.1--0.2.sql sql/accounts--0.2--0.3.sql sql/accounts--0.3--0.4.sql \
	sql/accounts--0.4--0.5.sql sql/accounts--0.5--0.6.sql sql/accounts--0.6--0.7.sql \
	sql/accounts--0.7--0.8.sql

REGRESS = base figures currencies events views maintenance kanban detail access bad_input direct_indexes schema_drift replication internal_tables api tenants
REGRESS_OPTS = --load-extension=accounts

ISOLATION = concurrent_deals concurrent_activities concurrent_org_delete concurrent_three_sessions concurrent_savepoints concurrent_rates concurrent_rate_waits concurrent_moves concurrent_no_blocking concurrent_repeatable_read concurrent_prepared concurrent_serializable concurrent_tenants
ISOLATION_OPTS = --inputdir=test --load-extension=accounts

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# every object depends on the shared headers
$(OBJS): src/accounts.h src/compat.h src/direct.h

# TAP tests need a non-root user; test/check runs them as postgres.
PROVE_TESTS = test/t/*.pl
.PHONY: tapcheck
tapcheck:
	$(prove_installcheck)

# PGXN: the committed tree as accounts-<version>.zip, the version taken from
# accounts.control and written as a three-part semantic version, as PGXN
# wants it (0.4 gives 0.4.0); test/meta checks META.json against the same
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'$$/\1/p" $(srcdir)/accounts.control)
DISTVERSION = $(if $(word 3,$(subst ., ,$(EXTVERSION))),$(EXTVERSION),$(EXTVERSION).0)
.PHONY: dist
dist:
	git archive --format zip --prefix accounts-$(DISTVERSION)/ -o accounts-$(DISTVERSION).zip HEAD
	@echo accounts-$(DISTVERSION).zip
