-- test/bench/plpgsql_figures.sql
--
-- Baseline (d) of the benchmark: the same figures as the extension, kept by
-- PL/pgSQL row triggers, as a user would write them without the extension.
-- Installed by test/bench/run into a copy of the benchmark database in which
-- the extension's own triggers are disabled (ALTER TABLE ... DISABLE TRIGGER
-- USER), so that only these triggers (and the foreign keys) run.
--
-- The approach is the extension's, written plainly: one figures row per
-- organization, counts and sums changed by deltas with UPDATE ... SET
-- x = x + d, the earliest and latest won time and the next and last
-- activity kept by comparing the arriving row with the stored one, and
-- looked up again in the partial indexes of the base tables only when the
-- stored one leaves.  A write that changes two organizations updates them in
-- org_id order.  No BEFORE trigger: the benchmark's writes give won_time
-- and the organization themselves.
--
-- plfig.check() lists the figures that differ from a fresh recomputation
-- (accounts_internal.figures_fresh); it must be empty.

SET client_min_messages = warning;

CREATE SCHEMA plfig;

CREATE TABLE plfig.figures (
	org_id		bigint PRIMARY KEY,
	won_deals_count integer NOT NULL DEFAULT 0,
	won_value	numeric NOT NULL DEFAULT 0,
	first_won_time timestamptz,
	last_won_time timestamptz,
	open_deals_count integer NOT NULL DEFAULT 0,
	open_deals_value numeric NOT NULL DEFAULT 0,
	open_deals_weighted_value numeric NOT NULL DEFAULT 0,
	lost_deals_count integer NOT NULL DEFAULT 0,
	people_count integer NOT NULL DEFAULT 0,
	notes_count integer NOT NULL DEFAULT 0,
	files_count integer NOT NULL DEFAULT 0,
	activities_count integer NOT NULL DEFAULT 0,
	done_activities_count integer NOT NULL DEFAULT 0,
	next_activity_id bigint,
	next_activity_date date,	-- 'infinity' when the next one has no date
	next_activity_time time,
	next_activity_subject text,
	last_activity_id bigint,
	last_activity_date date,
	last_activity_time time
) WITH (fillfactor = 80);
CREATE INDEX figures_kanban ON plfig.figures (next_activity_date, org_id)
	INCLUDE (won_value) WHERE won_deals_count > 0;

CREATE TABLE plfig.figures_by_currency (
	org_id		bigint NOT NULL,
	currency	text NOT NULL,
	won_deals_count integer NOT NULL,
	won_value	numeric NOT NULL,
	PRIMARY KEY (org_id, currency)
);

-- the extension's recomputation, in the columns of these tables (it also
-- gives the tenant and the owner, which this reference of one tenant
-- does not keep)
CREATE VIEW plfig.fresh AS
SELECT org_id, won_deals_count, won_value, first_won_time, last_won_time,
	open_deals_count, open_deals_value, open_deals_weighted_value,
	lost_deals_count, people_count, notes_count, files_count,
	activities_count, done_activities_count, next_activity_id,
	next_activity_date, next_activity_time, next_activity_subject,
	last_activity_id, last_activity_date, last_activity_time
FROM accounts_internal.figures_fresh;
CREATE VIEW plfig.fresh_by_currency AS
SELECT org_id, currency, won_deals_count, won_value
FROM accounts_internal.figures_by_currency_fresh;

-- the starting point: a fresh recomputation
INSERT INTO plfig.figures SELECT * FROM plfig.fresh;
INSERT INTO plfig.figures_by_currency SELECT * FROM plfig.fresh_by_currency;

/* Organizations: a figures row each. */
CREATE FUNCTION plfig.organization_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		INSERT INTO plfig.figures (org_id) VALUES (NEW.id);
	ELSIF TG_OP = 'DELETE' THEN
		DELETE FROM plfig.figures WHERE org_id = OLD.id;
		DELETE FROM plfig.figures_by_currency WHERE org_id = OLD.id;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER plfig_figures AFTER INSERT OR DELETE ON accounts.organizations
	FOR EACH ROW EXECUTE FUNCTION plfig.organization_change();

/* Deals. */

-- add (sign 1) or remove (sign -1) what one deal row contributes
CREATE FUNCTION plfig.deal_apply(d accounts.deals, sign integer) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	r			numeric;
	v			numeric;
	f			plfig.figures;
	n			integer;
BEGIN
	IF d.org_id IS NULL OR d.status NOT IN ('open', 'won', 'lost') THEN
		RETURN;
	END IF;
	IF d.status = 'lost' THEN
		UPDATE plfig.figures SET lost_deals_count = lost_deals_count + sign
		WHERE org_id = d.org_id;
		RETURN;
	END IF;
	SELECT c.rate INTO r FROM accounts.currencies c WHERE c.code = d.currency;
	v := d.value * r;
	IF d.status = 'open' THEN
		UPDATE plfig.figures SET
			open_deals_count = open_deals_count + sign,
			open_deals_value = open_deals_value + sign * v,
			open_deals_weighted_value = open_deals_weighted_value
				+ sign * (v * COALESCE(d.probability, 100) * 0.01)
		WHERE org_id = d.org_id;
		RETURN;
	END IF;

	-- won
	IF sign > 0 THEN
		UPDATE plfig.figures SET
			won_deals_count = won_deals_count + 1,
			won_value = won_value + v,
			first_won_time = LEAST(first_won_time, d.won_time),
			last_won_time = GREATEST(last_won_time, d.won_time)
		WHERE org_id = d.org_id;
	ELSE
		UPDATE plfig.figures SET
			won_deals_count = won_deals_count - 1,
			won_value = won_value - v
		WHERE org_id = d.org_id
		RETURNING * INTO f;
		IF d.won_time = f.first_won_time OR d.won_time = f.last_won_time THEN
			UPDATE plfig.figures SET (first_won_time, last_won_time) =
				(SELECT min(x.won_time), max(x.won_time) FROM accounts.deals x
				 WHERE x.org_id = d.org_id AND x.status = 'won')
			WHERE org_id = d.org_id;
		END IF;
	END IF;
	INSERT INTO plfig.figures_by_currency AS c (org_id, currency, won_deals_count, won_value)
	VALUES (d.org_id, d.currency, sign, sign * d.value)
	ON CONFLICT (org_id, currency) DO UPDATE SET
		won_deals_count = c.won_deals_count + excluded.won_deals_count,
		won_value = c.won_value + excluded.won_value
	RETURNING won_deals_count INTO n;
	IF n = 0 THEN
		DELETE FROM plfig.figures_by_currency
		WHERE org_id = d.org_id AND currency = d.currency;
	END IF;
END
$$;

CREATE FUNCTION plfig.deal_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM plfig.deal_apply(NEW, 1);
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM plfig.deal_apply(OLD, -1);
	ELSIF (OLD.org_id, OLD.status, OLD.value, OLD.currency, OLD.probability, OLD.won_time)
		  IS NOT DISTINCT FROM
		  (NEW.org_id, NEW.status, NEW.value, NEW.currency, NEW.probability, NEW.won_time) THEN
		NULL;
	ELSIF NEW.org_id < OLD.org_id THEN
		-- two organizations: lock them in org_id order
		PERFORM plfig.deal_apply(NEW, 1);
		PERFORM plfig.deal_apply(OLD, -1);
	ELSE
		PERFORM plfig.deal_apply(OLD, -1);
		PERFORM plfig.deal_apply(NEW, 1);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER plfig_figures AFTER INSERT OR DELETE OR
	UPDATE OF org_id, status, value, currency, probability, won_time
	ON accounts.deals
	FOR EACH ROW EXECUTE FUNCTION plfig.deal_change();

/* Activities: counts, the next (earliest undone) and last (latest done). */

CREATE FUNCTION plfig.repair_next(org bigint) RETURNS void
LANGUAGE sql AS $$
	UPDATE plfig.figures SET (next_activity_id, next_activity_date,
		next_activity_time, next_activity_subject) =
		(SELECT a.id, COALESCE(a.due_date, 'infinity'), a.due_time, a.subject
		 FROM accounts.activities a
		 WHERE a.org_id = org AND NOT a.done
		 ORDER BY a.due_date, a.due_time, a.id LIMIT 1)
	WHERE org_id = org
$$;

CREATE FUNCTION plfig.repair_last(org bigint) RETURNS void
LANGUAGE sql AS $$
	UPDATE plfig.figures SET (last_activity_id, last_activity_date,
		last_activity_time) =
		(SELECT a.id, a.due_date, a.due_time
		 FROM accounts.activities a
		 WHERE a.org_id = org AND a.done
		 ORDER BY a.due_date DESC NULLS LAST, a.due_time DESC NULLS LAST,
			a.id DESC LIMIT 1)
	WHERE org_id = org
$$;

CREATE FUNCTION plfig.activity_apply(a accounts.activities, sign integer)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	f			plfig.figures;
BEGIN
	IF a.org_id IS NULL THEN
		RETURN;
	END IF;
	UPDATE plfig.figures SET
		activities_count = activities_count + sign,
		done_activities_count = done_activities_count + CASE WHEN a.done THEN sign ELSE 0 END
	WHERE org_id = a.org_id
	RETURNING * INTO f;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	IF sign < 0 THEN
		IF NOT a.done AND f.next_activity_id = a.id THEN
			PERFORM plfig.repair_next(a.org_id);
		ELSIF a.done AND f.last_activity_id = a.id THEN
			PERFORM plfig.repair_last(a.org_id);
		END IF;
	ELSIF NOT a.done THEN
		-- earliest by date (none last), time (none last), id
		IF f.next_activity_id IS NULL OR
			(COALESCE(a.due_date, 'infinity'), a.due_time IS NULL,
			 COALESCE(a.due_time, '00:00'), a.id) <
			(f.next_activity_date, f.next_activity_time IS NULL,
			 COALESCE(f.next_activity_time, '00:00'), f.next_activity_id) THEN
			UPDATE plfig.figures SET next_activity_id = a.id,
				next_activity_date = COALESCE(a.due_date, 'infinity'),
				next_activity_time = a.due_time, next_activity_subject = a.subject
			WHERE org_id = a.org_id;
		END IF;
	ELSE
		-- latest by date (none first), time (none first), id
		IF f.last_activity_id IS NULL OR
			(a.due_date IS NOT NULL, COALESCE(a.due_date, '-infinity'),
			 a.due_time IS NOT NULL, COALESCE(a.due_time, '00:00'), a.id) >
			(f.last_activity_date IS NOT NULL, COALESCE(f.last_activity_date, '-infinity'),
			 f.last_activity_time IS NOT NULL, COALESCE(f.last_activity_time, '00:00'),
			 f.last_activity_id) THEN
			UPDATE plfig.figures SET last_activity_id = a.id,
				last_activity_date = a.due_date, last_activity_time = a.due_time
			WHERE org_id = a.org_id;
		END IF;
	END IF;
END
$$;

CREATE FUNCTION plfig.activity_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM plfig.activity_apply(NEW, 1);
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM plfig.activity_apply(OLD, -1);
	ELSIF (OLD.org_id, OLD.done, OLD.due_date, OLD.due_time, OLD.subject)
		  IS NOT DISTINCT FROM
		  (NEW.org_id, NEW.done, NEW.due_date, NEW.due_time, NEW.subject) THEN
		NULL;
	ELSIF NEW.org_id < OLD.org_id THEN
		PERFORM plfig.activity_apply(NEW, 1);
		PERFORM plfig.activity_apply(OLD, -1);
	ELSE
		PERFORM plfig.activity_apply(OLD, -1);
		PERFORM plfig.activity_apply(NEW, 1);
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER plfig_figures AFTER INSERT OR DELETE OR UPDATE
	ON accounts.activities
	FOR EACH ROW EXECUTE FUNCTION plfig.activity_change();

/* People, notes, files: a count each (TG_ARGV[0] names it). */
CREATE FUNCTION plfig.count_change() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	k			text := TG_ARGV[0];
	o			bigint;
	n			bigint;
BEGIN
	IF TG_OP <> 'INSERT' THEN
		o := OLD.org_id;
	END IF;
	IF TG_OP <> 'DELETE' THEN
		n := NEW.org_id;
	END IF;
	IF o IS NOT DISTINCT FROM n THEN
		RETURN NULL;
	END IF;
	UPDATE plfig.figures SET
		people_count = people_count + CASE WHEN k = 'people' THEN
			CASE WHEN org_id = n THEN 1 ELSE -1 END ELSE 0 END,
		notes_count = notes_count + CASE WHEN k = 'notes' THEN
			CASE WHEN org_id = n THEN 1 ELSE -1 END ELSE 0 END,
		files_count = files_count + CASE WHEN k = 'files' THEN
			CASE WHEN org_id = n THEN 1 ELSE -1 END ELSE 0 END
	WHERE org_id IN (o, n);
	RETURN NULL;
END
$$;
CREATE TRIGGER plfig_figures AFTER INSERT OR DELETE OR UPDATE OF org_id
	ON accounts.persons
	FOR EACH ROW EXECUTE FUNCTION plfig.count_change('people');
CREATE TRIGGER plfig_figures AFTER INSERT OR DELETE OR UPDATE OF org_id
	ON accounts.notes
	FOR EACH ROW EXECUTE FUNCTION plfig.count_change('notes');
CREATE TRIGGER plfig_figures AFTER INSERT OR DELETE OR UPDATE OF org_id
	ON accounts.files
	FOR EACH ROW EXECUTE FUNCTION plfig.count_change('files');

/* A rate change: recompute the value figures of the organizations concerned. */
CREATE FUNCTION plfig.currency_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.rate IS DISTINCT FROM OLD.rate THEN
		UPDATE plfig.figures f SET
			won_value = x.won_value,
			open_deals_value = x.open_deals_value,
			open_deals_weighted_value = x.open_deals_weighted_value
		FROM (SELECT e.org_id, e.won_value, e.open_deals_value,
				  e.open_deals_weighted_value
			  FROM plfig.fresh e
			  WHERE e.org_id IN (SELECT d.org_id FROM accounts.deals d
								 WHERE d.currency = NEW.code
								   AND d.status IN ('open', 'won'))) x
		WHERE f.org_id = x.org_id;
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER plfig_figures AFTER UPDATE OF rate ON accounts.currencies
	FOR EACH ROW EXECUTE FUNCTION plfig.currency_change();

/* The accounts with their figures, as the application reads them. */
CREATE VIEW plfig.accounts AS
SELECT o.id, o.name, o.owner_id, o.address, o.label, o.custom_fields,
	o.add_time, o.update_time,
	f.won_deals_count, f.won_value,
	COALESCE((SELECT jsonb_object_agg(c.currency, c.won_value ORDER BY c.currency)
			  FROM plfig.figures_by_currency c
			  WHERE c.org_id = o.id), '{}') AS won_value_by_currency,
	f.first_won_time, f.last_won_time, f.open_deals_count, f.open_deals_value,
	f.open_deals_weighted_value, f.lost_deals_count,
	f.won_deals_count + f.lost_deals_count AS closed_deals_count,
	f.people_count, f.notes_count, f.files_count, f.activities_count,
	f.done_activities_count,
	f.activities_count - f.done_activities_count AS undone_activities_count,
	f.next_activity_id,
	NULLIF(f.next_activity_date, 'infinity') AS next_activity_date,
	f.next_activity_date AS next_activity_key,
	f.next_activity_time, f.next_activity_subject,
	f.last_activity_id, f.last_activity_date,
	f.last_activity_date AS last_contacted
FROM accounts.organizations o
JOIN plfig.figures f ON f.org_id = o.id
WHERE f.won_deals_count > 0;

/* The figures that differ from a fresh recomputation; empty when all is well. */
CREATE FUNCTION plfig.check() RETURNS TABLE (org_id bigint, stored text, expected text)
LANGUAGE sql STABLE AS $$
	SELECT COALESCE(s.org_id, e.org_id), to_jsonb(s)::text, to_jsonb(e)::text
	FROM plfig.figures s
	FULL JOIN plfig.fresh e ON e.org_id = s.org_id
	WHERE (s.*) IS DISTINCT FROM (e.*)
	UNION ALL
	SELECT COALESCE(s.org_id, e.org_id), to_jsonb(s)::text, to_jsonb(e)::text
	FROM plfig.figures_by_currency s
	FULL JOIN plfig.fresh_by_currency e
		ON e.org_id = s.org_id AND e.currency = s.currency
	WHERE (s.*) IS DISTINCT FROM (e.*)
$$;

ANALYZE plfig.figures, plfig.figures_by_currency;
