-- test/demo/sample.sql
--
-- A sample CRM for the demo (test/demo/run): 12 sales reps, about 3000
-- organizations, 8000 people, 12000 deals, 20000 activities, 5000 notes and
-- 2000 files, loaded into the base tables of the extension with set-based
-- INSERT ... SELECT, so that the C triggers compute the account figures as
-- an application's writes would.
--
-- Deterministic: the same seed gives the same rows; times are relative to
-- the start of the current day (pg_temp.t0()), so that due dates and
-- "customer since" look current on any day and all lie before now().
-- Needs a database where the extension's tables are empty:
--
--   psql -X -q -v ON_ERROR_STOP=1 -f test/demo/sample.sql
--
-- The random draws of each kind of row are materialized first (temporary
-- tables *_draw, one statement with random() in its target list), and every
-- later step is a plain query over them, so no plan can change the data.

\set ON_ERROR_STOP on
SET client_encoding = 'UTF8';
SET client_min_messages = warning;

CREATE EXTENSION IF NOT EXISTS accounts;

DO $$
BEGIN
	IF EXISTS (SELECT FROM accounts.currencies)
		OR EXISTS (SELECT FROM accounts.users)
		OR EXISTS (SELECT FROM accounts.organizations) THEN
		RAISE EXCEPTION 'the sample CRM needs empty accounts tables'
			USING ERRCODE = 'object_not_in_prerequisite_state',
				  HINT = 'Load it into a fresh database, or run DROP EXTENSION accounts CASCADE first.';
	END IF;
END
$$;

BEGIN;

SELECT pg_catalog.setseed(0.42) \g /dev/null

-- the sample's "now": the start of today, so that the rows of one day are
-- the same whatever the time of the load
CREATE FUNCTION pg_temp.t0() RETURNS timestamptz
	LANGUAGE sql STABLE
	AS $$ SELECT date_trunc('day', now()) $$;

-- element of a non-empty array chosen by r in [0, 1)
CREATE FUNCTION pg_temp.pick(a anyarray, r float8) RETURNS anyelement
	LANGUAGE sql IMMUTABLE
	AS $$ SELECT a[1 + floor(r * array_length(a, 1))::int] $$;

-- standard normal from two uniform draws (Box-Muller)
CREATE FUNCTION pg_temp.normal(u1 float8, u2 float8) RETURNS float8
	LANGUAGE sql IMMUTABLE
	AS $$ SELECT sqrt(-2 * ln(1 - u1)) * cos(2 * pi() * u2) $$;

-- the ASCII letters of a name, lower case: 'Müller' -> 'mueller'
CREATE FUNCTION pg_temp.ascii_lower(s text) RETURNS text
	LANGUAGE sql IMMUTABLE
	AS $$
	SELECT regexp_replace(
		translate(replace(replace(replace(replace(lower(s),
			'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'ß', 'ss'),
			'áàâéèêëíìîïóòôúùûñç', 'aaaeeeeiiiiooouuunc'),
		'[^a-z]', '', 'g')
	$$;

-- digits, zero-padded: a draw r in [0, 1) as n digits
CREATE FUNCTION pg_temp.digits(r float8, n int) RETURNS text
	LANGUAGE sql IMMUTABLE
	AS $$ SELECT lpad(floor(r * 10 ^ n)::bigint::text, n, '0') $$;


/* Currencies: USD first, as the default; rate = value of one unit in USD. */

INSERT INTO accounts.currencies (code, name, rate, is_default) VALUES
	('USD', 'US Dollar', 1, true),
	('EUR', 'Euro', 1.08, false),
	('GBP', 'Pound Sterling', 1.27, false),
	('JPY', 'Japanese Yen', 0.0067, false);


/* Users: the sales team.  One has left; their leads were never reassigned. */

INSERT INTO accounts.users (id, name, email, active, add_time)
SELECT id, name, pg_temp.ascii_lower(split_part(name, ' ', 1)) || '.' ||
	pg_temp.ascii_lower(split_part(name, ' ', 2)) || '@sales.example.com',
	active, pg_temp.t0() - make_interval(days => since)
FROM (VALUES
	(1, 'Sarah Mitchell', true, 1460),
	(2, 'James Okafor', true, 1390),
	(3, 'Priya Raman', true, 1200),
	(4, 'Lukas Becker', true, 1100),
	(5, 'Emma Laurent', true, 980),
	(6, 'Daniel Kim', true, 900),
	(7, 'Sofia Rossi', true, 760),
	(8, 'Michael Brennan', true, 700),
	(9, 'Hannah Schultz', true, 540),
	(10, 'Carlos Mendoza', true, 420),
	(11, 'Aiko Tanaka', true, 300),
	(12, 'Oliver Hughes', false, 1300)
) AS u(id, name, active, since);


/*
 * Countries: where the organizations are, with the currency they buy in,
 * the pool of personal names, legal forms, cities and streets.  lo/hi cut
 * [0, 1) by weight.
 */

CREATE TEMP TABLE demo_country (
	code		text,
	country		text,
	weight		int,
	currency	text,
	names		text,
	tld			text,
	legal		text[],
	cities		text[],
	streets		text[],
	number_first boolean,
	lo			float8,
	hi			float8
);
INSERT INTO demo_country (code, country, weight, currency, names, tld, legal,
						  cities, streets, number_first) VALUES
	('US', 'United States', 44, 'USD', 'en', '.com', '{Inc.,LLC,Corp.}',
	 '{New York,San Francisco,Chicago,Austin,Boston,Seattle,Denver,Atlanta,Minneapolis}',
	 '{Market Street,Main Street,Madison Avenue,Congress Avenue,Pine Street,Elm Street,Broadway}', true),
	('CA', 'Canada', 5, 'USD', 'en', '.ca', '{Inc.,Ltd.}',
	 '{Toronto,Vancouver,Montréal,Calgary,Ottawa}',
	 '{King Street West,Yonge Street,Granville Street,Bay Street}', true),
	('GB', 'United Kingdom', 13, 'GBP', 'en', '.co.uk', '{Ltd,Ltd,plc}',
	 '{London,Manchester,Edinburgh,Bristol,Leeds,Cambridge}',
	 '{High Street,King''s Road,Deansgate,Victoria Street,Baker Street,Princes Street}', true),
	('IE', 'Ireland', 2, 'EUR', 'en', '.ie', '{Ltd,DAC}',
	 '{Dublin,Cork,Galway}',
	 '{Grafton Street,Baggot Street,Patrick Street}', true),
	('DE', 'Germany', 10, 'EUR', 'de', '.de', '{GmbH,GmbH,AG,GmbH & Co. KG}',
	 '{Berlin,München,Hamburg,Frankfurt am Main,Köln,Stuttgart,Düsseldorf}',
	 '{Hauptstraße,Bahnhofstraße,Friedrichstraße,Kaiserstraße,Schillerstraße,Maximilianstraße}', false),
	('CH', 'Switzerland', 2, 'EUR', 'de', '.ch', '{AG,GmbH,SA}',
	 '{Zürich,Basel,Genève,Bern}',
	 '{Bahnhofstrasse,Freie Strasse,Seestrasse}', false),
	('FR', 'France', 6, 'EUR', 'fr', '.fr', '{SAS,SA,SARL}',
	 '{Paris,Lyon,Toulouse,Nantes,Lille,Bordeaux}',
	 '{rue de Rivoli,boulevard Haussmann,rue de la République,avenue Jean Jaurès,rue Nationale}', true),
	('NL', 'Netherlands', 5, 'EUR', 'nl', '.nl', '{B.V.,B.V.,N.V.}',
	 '{Amsterdam,Rotterdam,Utrecht,Eindhoven,Den Haag}',
	 '{Keizersgracht,Herengracht,Coolsingel,Oudegracht,Stationsplein}', false),
	('ES', 'Spain', 3, 'EUR', 'es', '.es', '{S.L.,S.A.}',
	 '{Madrid,Barcelona,Valencia,Sevilla,Bilbao}',
	 '{Calle de Alcalá,Gran Vía,Passeig de Gràcia,Calle Mayor}', false),
	('JP', 'Japan', 6, 'JPY', 'ja', '.co.jp', '{K.K.,K.K.,G.K.}',
	 '{Tokyo,Osaka,Yokohama,Nagoya,Fukuoka}',
	 '{Marunouchi,Nishi-Shinjuku,Umeda,Minatomirai,Sakae,Tenjin}', true),
	('AU', 'Australia', 4, 'USD', 'en', '.com.au', '{Pty Ltd}',
	 '{Sydney,Melbourne,Brisbane,Perth}',
	 '{George Street,Collins Street,Pitt Street,Queen Street}', true);
UPDATE demo_country c
SET lo = s.cum - c.weight::float8 / s.total, hi = s.cum
FROM (SELECT code,
		  sum(weight) OVER (ORDER BY weight DESC, code)::float8 / sum(weight) OVER () AS cum,
		  sum(weight) OVER () AS total
	  FROM demo_country) s
WHERE s.code = c.code;
UPDATE demo_country SET hi = 1.0 WHERE hi = (SELECT max(hi) FROM demo_country);

-- personal names by pool; persons get their organization's pool 75% of the time
CREATE TEMP TABLE demo_names (pool text, first text[], last text[]);
INSERT INTO demo_names VALUES
	('en',
	 '{James,Mary,Robert,Patricia,John,Jennifer,Michael,Linda,David,Elizabeth,William,Sarah,Daniel,Emily,Matthew,Olivia,Christopher,Jessica,Andrew,Hannah,Ryan,Megan,Kevin,Rachel,Brian,Grace,Liam,Aoife,Priya,Raj,Wei,Mei,Samuel,Chloe,Nathan,Zoe}',
	 '{Smith,Johnson,Williams,Brown,Jones,Miller,Davis,Wilson,Anderson,Taylor,Thomas,Moore,Martin,Thompson,White,Harris,Clark,Lewis,Walker,Hall,Young,King,Wright,Scott,Green,Baker,Adams,Nelson,Hill,Campbell,Murphy,O''Brien,Patel,Chen,Nguyen,Kelly,Robinson,Carter}'),
	('de',
	 '{Lukas,Anna,Jonas,Lea,Felix,Laura,Maximilian,Julia,Paul,Sophie,Leon,Katharina,Tobias,Lena,Florian,Sabine,Stefan,Johanna,Matthias,Claudia,Jürgen,Petra}',
	 '{Müller,Schmidt,Schneider,Fischer,Weber,Meyer,Wagner,Becker,Schulz,Hoffmann,Koch,Richter,Klein,Wolf,Schröder,Neumann,Zimmermann,Braun,Krüger,Hartmann}'),
	('fr',
	 '{Pierre,Camille,Louis,Manon,Julien,Chloé,Nicolas,Léa,Antoine,Sophie,Thomas,Émilie,Mathieu,Claire,Hugo,Inès,François,Isabelle}',
	 '{Martin,Bernard,Dubois,Thomas,Robert,Richard,Petit,Durand,Leroy,Moreau,Simon,Laurent,Lefebvre,Michel,Fournier,Girard,Bonnet,Mercier}'),
	('nl',
	 '{Daan,Sanne,Pieter,Lotte,Bram,Eva,Jeroen,Femke,Thijs,Anouk,Joost,Marieke,Ruben,Iris}',
	 '{de Jong,Jansen,de Vries,van den Berg,van Dijk,Bakker,Visser,Smit,Meijer,de Boer,Mulder,Bos,Vos,Peters,Hendriks}'),
	('es',
	 '{Javier,Lucía,Carlos,Sofía,Alejandro,María,Pablo,Carmen,Diego,Elena,Sergio,Laura,Álvaro,Marta}',
	 '{García,Fernández,González,Rodríguez,López,Martínez,Sánchez,Pérez,Gómez,Martín,Jiménez,Ruiz,Hernández,Díaz}'),
	('ja',
	 '{Hiroshi,Yuki,Kenji,Aiko,Takashi,Haruka,Satoshi,Yui,Daisuke,Naoko,Kenta,Emi,Shota,Mika}',
	 '{Sato,Suzuki,Takahashi,Tanaka,Watanabe,Ito,Yamamoto,Nakamura,Kobayashi,Kato,Yoshida,Yamada}');


/*
 * Organizations.  Company names combine a first word and a second word (which
 * gives the industry) in a fixed bijective order, so no two are alike, plus
 * a legal form of the country most of the time.
 *
 * Tiers decide what happens later: 40 key accounts with many deals, 1960
 * customers with at least one won deal, 700 prospects with deals never won,
 * 300 cold leads without deals.
 */

CREATE TEMP TABLE demo_words AS
SELECT '{Northwind,Blue Harbor,Silver Oak,Redwood,Summit,Brightline,Cedar,Ironbridge,Evergreen,Granite,Lakeside,Meridian,Northstar,Pinecrest,Riverbend,Sterling,Tidewater,Westfield,Oakridge,Bluestone,Clearwater,Highland,Keystone,Lighthouse,Maple,Orion,Pacific,Quantum,Atlas,Beacon,Cobalt,Crescent,Everest,Falcon,Horizon,Juniper,Kestrel,Lumen,Magnolia,Nimbus,Obsidian,Polaris,Sapphire,Skyline,Stonegate,Sunrise,Trident,Vanguard,Willow,Zenith,Apex,Arcadia,Aurora,Birchwood,Copperfield,Driftwood,Eastgate,Foxglove,Goldcrest,Harborview,Ironwood,Kingsbridge,Larkspur,Mistral,Nordic,Oceanic,Pioneer,Redstone,Seabright,Thornbury,Alder,Bramble,Castle Rock,Dunmore,Elmstead,Fairhaven,Greenfield,Hawthorne,Ivywood,Silverline}'::text[] AS first,
	'{Logistics,Analytics,Systems,Foods,Engineering,Health,Capital,Energy,Robotics,Labs,Media,Retail,Consulting,Software,Networks,Pharma,Construction,Textiles,Insurance,Architects,Motors,Marine,Solar,Freight,Medical,Data,Security,Cloud,Studios,Hotels,Brewing,Farms,Biotech,Legal,Partners,Ventures,Materials,Instruments,Aerospace,Telecom,Learning,Properties,Packaging,Chemicals,Outfitters}'::text[] AS second,
	'{Transportation & Logistics,Software,IT Services,Food & Beverage,Manufacturing,Healthcare,Financial Services,Energy,Manufacturing,Biotechnology,Media & Entertainment,Retail,Professional Services,Software,Telecommunications,Pharmaceuticals,Construction,Manufacturing,Insurance,Professional Services,Automotive,Transportation & Logistics,Energy,Transportation & Logistics,Healthcare,Software,IT Services,Software,Media & Entertainment,Hospitality,Food & Beverage,Agriculture,Biotechnology,Professional Services,Professional Services,Financial Services,Manufacturing,Manufacturing,Aerospace & Defense,Telecommunications,Education,Real Estate,Manufacturing,Chemicals,Retail}'::text[] AS industry;

CREATE TEMP TABLE demo_org_draw AS
SELECT i, random() AS r_tier, random() AS r_country, random() AS r_legal,
	random() AS r_legal_form, random() AS r_city, random() AS r_street,
	random() AS r_number, random() AS r_owner, random() AS r_label,
	random() AS r_emp1, random() AS r_emp2, random() AS r_age,
	random() AS r_deals, random() AS r_people, random() AS r_update
FROM generate_series(1, 3000) AS i;

CREATE TEMP TABLE demo_org AS
WITH named AS (
	SELECT d.*, w.first[1 + c / array_length(w.second, 1)] AS w1,
		w.second[1 + c % array_length(w.second, 1)] AS w2,
		w.industry[1 + c % array_length(w.second, 1)] AS industry
	FROM demo_org_draw d, demo_words w,
		LATERAL (SELECT ((d.i - 1) * 7919) %
					 (array_length(w.first, 1) * array_length(w.second, 1)) AS c) x
),
tiered AS (
	SELECT n.*, CASE
			WHEN rk <= 40 THEN 'key'
			WHEN rk <= 2000 THEN 'customer'
			WHEN rk <= 2700 THEN 'prospect'
			ELSE 'cold' END AS tier
	FROM (SELECT named.*, row_number() OVER (ORDER BY r_tier, i) AS rk FROM named) n
),
placed AS (
	SELECT t.*, c.code, c.country, c.currency, c.names, c.tld,
		t.w1 || ' ' || t.w2 AS short_name,
		t.w1 || ' ' || t.w2 ||
			CASE WHEN t.r_legal < 0.7 THEN ' ' || pg_temp.pick(c.legal, t.r_legal_form)
			ELSE '' END AS name,
		pg_temp.pick(c.cities, t.r_city) AS city,
		CASE WHEN c.code = 'JP'
			THEN format('%s-%s-%s', 1 + floor(t.r_number * 5)::int,
						1 + floor(t.r_number * 97)::int % 9,
						1 + floor(t.r_number * 997)::int % 20)
			ELSE (1 + floor(t.r_number ^ 2 * 240))::text END AS number,
		pg_temp.pick(c.streets, t.r_street) AS street,
		c.number_first,
		date_trunc('second', pg_temp.t0() - make_interval(days => CASE t.tier
				WHEN 'prospect' THEN 14 + floor(t.r_age * 700)::int
				ELSE 60 + floor(t.r_age * 1200)::int END)
			- t.r_update * interval '1 day') AS add_time
	FROM tiered t JOIN demo_country c ON t.r_country >= c.lo AND t.r_country < c.hi
)
SELECT row_number() OVER (ORDER BY add_time, i) AS id, i, tier, name, short_name,
	code AS country_code, currency, names, industry,
	CASE WHEN number_first THEN format('%s %s, %s, %s', number, street, city, country)
		ELSE format('%s %s, %s, %s', street, number, city, country) END AS address,
	pg_temp.ascii_lower(short_name) || tld AS domain,
	-- the rep who left (user 12) still owns some prospects and cold leads
	CASE WHEN tier IN ('prospect', 'cold') AND r_owner >= 0.9 THEN 12
		ELSE 1 + floor(r_owner ^ 1.3 * 11)::bigint END AS owner_id,
	CASE tier
		WHEN 'key' THEN CASE WHEN r_label < 0.8 THEN 'customer' ELSE 'partner' END
		WHEN 'customer' THEN CASE WHEN r_label < 0.65 THEN 'customer'
			WHEN r_label < 0.77 THEN 'partner' END
		WHEN 'prospect' THEN CASE WHEN r_label < 0.6 THEN 'prospect' END
		ELSE CASE WHEN r_label < 0.3 THEN 'prospect' END END AS label,
	greatest(2, least(120000, round(exp(ln(CASE WHEN tier = 'key' THEN 4000 ELSE 120 END)
		+ 1.3 * pg_temp.normal(r_emp1, r_emp2)))))::int AS employees,
	add_time,
	date_trunc('second', add_time + (pg_temp.t0() - add_time) * r_update) AS update_time,
	CASE tier
		WHEN 'key' THEN 20 + floor(r_deals ^ 2 * 61)::int
		WHEN 'customer' THEN 1 + least(24, floor(-ln(1 - r_deals) * 3.9)::int)
		WHEN 'prospect' THEN 1 + floor(r_deals * 4)::int
		ELSE 0 END AS n_deals,
	CASE tier
		WHEN 'key' THEN 8 + floor(r_people * 15)::int
		WHEN 'customer' THEN 1 + floor(r_people * 4)::int
		WHEN 'prospect' THEN 1 + floor(r_people * 3)::int
		ELSE floor(r_people * 3)::int END AS n_people
FROM placed;

INSERT INTO accounts.organizations (id, name, owner_id, address, label,
									custom_fields, add_time, update_time)
SELECT id, name, owner_id, address, label,
	jsonb_build_object('industry', industry, 'employees', employees,
					   'website', 'https://www.' || domain),
	add_time, update_time
FROM demo_org
ORDER BY id;


/*
 * Persons: the people of each organization (none for some cold leads), plus
 * 800 people without an organization.  Ids follow add_time.
 */

CREATE TEMP TABLE demo_person_draw AS
SELECT o.id AS org_id, k, random() AS r_pool, random() AS r_first,
	random() AS r_last, random() AS r_email, random() AS r_phone,
	random() AS r_digits, random() AS r_add, random() AS r_owner
FROM demo_org o, generate_series(1, o.n_people) AS k
UNION ALL
SELECT NULL, k, random(), random(), random(), random(), random(), random(),
	random(), random()
FROM generate_series(1, 800) AS k;

CREATE TEMP TABLE demo_person AS
WITH p AS (
	SELECT d.*, o.country_code, o.domain, o.owner_id AS org_owner,
		pg_temp.pick(nm.first, d.r_first) AS first_name,
		pg_temp.pick(nm.last, d.r_last) AS last_name,
		COALESCE(o.add_time + (pg_temp.t0() - o.add_time) * d.r_add,
				 pg_temp.t0() - interval '700 days' * d.r_add) AS add_time
	FROM demo_person_draw d
	LEFT JOIN demo_org o ON o.id = d.org_id
	JOIN demo_names nm ON nm.pool = CASE WHEN d.r_pool < 0.75 THEN COALESCE(o.names, 'en')
		ELSE 'en' END
)
SELECT row_number() OVER (ORDER BY add_time, org_id, k) AS id,
	org_id,
	first_name || ' ' || last_name AS name,
	CASE WHEN r_email < 0.85 THEN
		CASE WHEN r_email < 0.6 THEN pg_temp.ascii_lower(first_name) || '.' || pg_temp.ascii_lower(last_name)
			WHEN r_email < 0.75 THEN left(pg_temp.ascii_lower(first_name), 1) || pg_temp.ascii_lower(last_name)
			ELSE pg_temp.ascii_lower(first_name) END
		|| '@' || COALESCE(domain, pg_temp.pick('{gmail.com,outlook.com,yahoo.com,proton.me}'::text[],
												 r_email / 0.85))
	END AS email,
	CASE WHEN r_phone < 0.7 THEN CASE country_code
		WHEN 'US' THEN '+1 ' || (200 + floor(r_digits * 790))::int || ' 555 01' || pg_temp.digits(r_phone, 2)
		WHEN 'CA' THEN '+1 ' || (200 + floor(r_digits * 790))::int || ' 555 01' || pg_temp.digits(r_phone, 2)
		WHEN 'GB' THEN '+44 20 7946 0' || pg_temp.digits(r_digits, 3)
		WHEN 'IE' THEN '+353 1 ' || pg_temp.digits(r_digits, 3) || ' ' || pg_temp.digits(r_phone, 4)
		WHEN 'DE' THEN '+49 30 ' || pg_temp.digits(r_digits, 8)
		WHEN 'CH' THEN '+41 44 ' || pg_temp.digits(r_digits, 3) || ' ' || pg_temp.digits(r_phone, 2) || ' ' || pg_temp.digits(r_add, 2)
		WHEN 'FR' THEN '+33 1 ' || pg_temp.digits(r_digits, 2) || ' ' || pg_temp.digits(r_phone, 2) || ' ' || pg_temp.digits(r_add, 2) || ' ' || pg_temp.digits(r_owner, 2)
		WHEN 'NL' THEN '+31 20 ' || pg_temp.digits(r_digits, 3) || ' ' || pg_temp.digits(r_phone, 4)
		WHEN 'ES' THEN '+34 91 ' || pg_temp.digits(r_digits, 3) || ' ' || pg_temp.digits(r_phone, 2) || ' ' || pg_temp.digits(r_add, 2)
		WHEN 'JP' THEN '+81 3 ' || pg_temp.digits(r_digits, 4) || ' ' || pg_temp.digits(r_phone, 4)
		WHEN 'AU' THEN '+61 2 ' || pg_temp.digits(r_digits, 4) || ' ' || pg_temp.digits(r_phone, 4)
		ELSE '+1 ' || (200 + floor(r_digits * 790))::int || ' 555 01' || pg_temp.digits(r_phone, 2) END
	END AS phone,
	CASE WHEN r_owner < 0.9 AND org_owner IS NOT NULL THEN org_owner
		ELSE 1 + floor(r_owner * 11)::bigint END AS owner_id,
	date_trunc('second', add_time) AS add_time
FROM p;

INSERT INTO accounts.persons (id, name, org_id, email, phone, owner_id, add_time, update_time)
SELECT id, name, org_id, email, phone, owner_id, add_time, add_time
FROM demo_person
ORDER BY id;

-- the people of each organization, numbered, to pick one at random
CREATE TEMP TABLE demo_org_person AS
SELECT org_id, row_number() OVER (PARTITION BY org_id ORDER BY id) AS rn, id
FROM demo_person
WHERE org_id IS NOT NULL;
CREATE INDEX ON demo_org_person (org_id, rn);


/*
 * Deals.  Each organization's earliest deal is won for key accounts and
 * customers; a deal younger than its sales cycle is still open; older ones
 * are won or lost (prospects only lose), a few stay open (stale) and a few
 * were deleted.  Values are log-normal in USD, between 500 and 250000, then
 * expressed in the deal's currency: the organization's own 93% of the time.
 */

CREATE TEMP TABLE demo_deal_draw AS
SELECT o.id AS org_id, k, random() AS r_add, random() AS r_cycle,
	random() AS r_status, random() AS r_close, random() AS r_v1,
	random() AS r_v2, random() AS r_currency, random() AS r_probability,
	random() AS r_owner, random() AS r_person, random() AS r_product,
	random() AS r_kind, random() AS r_seats, random() AS r_reason,
	random() AS r_expected
FROM demo_org o, generate_series(1, o.n_deals) AS k;

CREATE TEMP TABLE demo_deal AS
WITH a AS (
	SELECT d.*, o.tier, o.short_name, o.owner_id AS org_owner,
		o.currency AS home_currency, o.n_people,
		greatest(o.add_time, pg_temp.t0() - interval '730 days') +
			(pg_temp.t0() - greatest(o.add_time, pg_temp.t0() - interval '730 days')) * d.r_add AS add_time,
		30 + 300 * d.r_cycle ^ 2 AS cycle_days
	FROM demo_deal_draw d JOIN demo_org o ON o.id = d.org_id
),
b AS (
	SELECT a.*,
		extract(epoch FROM pg_temp.t0() - a.add_time)::float8 / 86400 AS age_days,
		row_number() OVER (PARTITION BY a.org_id ORDER BY a.add_time, a.k) AS rk
	FROM a
),
c AS (
	SELECT b.*,
		CASE
			WHEN rk = 1 AND tier IN ('key', 'customer') THEN 'won'
			WHEN r_status < 0.04 THEN 'deleted'
			WHEN age_days < cycle_days OR r_status < 0.10 THEN 'open'
			WHEN r_status < 0.10 + 0.90 * CASE tier WHEN 'key' THEN 0.55
				WHEN 'customer' THEN 0.42 ELSE 0 END THEN 'won'
			ELSE 'lost' END AS status,
		CASE WHEN r_currency < 0.93 THEN home_currency
			WHEN home_currency <> 'USD' THEN 'USD'
			ELSE 'EUR' END AS currency,
		greatest(500, least(250000,
			exp(ln(CASE tier WHEN 'key' THEN 30000 ELSE 7000 END)
				+ 1.1 * pg_temp.normal(r_v1, r_v2))))::numeric AS value_usd
	FROM b
)
SELECT row_number() OVER (ORDER BY c.add_time, c.org_id, c.k) AS id,
	c.org_id, c.status, c.currency,
	CASE WHEN c.currency = 'JPY' THEN round(c.value_usd / cur.rate, -3)
		WHEN c.value_usd < 10000 THEN round(c.value_usd / cur.rate, -1)
		ELSE round(c.value_usd / cur.rate, -2) END::numeric(15, 2) AS value,
	c.short_name || ' - ' ||
		pg_temp.pick('{CRM Cloud,Analytics Suite,Data Platform,Support Plus,Field Service,Marketing Hub,Integration Pack,Security Add-on,Mobile Sales,Customer Portal}'::text[],
					 c.r_product) || ' ' ||
		CASE WHEN c.rk = 1 THEN 'initial licence'
			ELSE pg_temp.pick(ARRAY['renewal', 'upsell', 'expansion, ' ||
								   (5 * (1 + floor(c.r_seats * 40)))::text || ' seats',
								   'pilot', 'implementation services', 'training',
								   'multi-year renewal', 'new department'], c.r_kind) END AS title,
	p.id AS person_id,
	CASE WHEN c.r_owner < 0.85 THEN c.org_owner
		ELSE 1 + floor((c.r_owner - 0.85) / 0.15 * 11)::bigint END AS owner_id,
	CASE WHEN c.status = 'open' THEN (10 * (1 + floor(c.r_probability * 9)))::smallint END AS probability,
	CASE WHEN c.status = 'open'
		THEN current_date + (3 + floor(c.r_expected * 90))::int END AS expected_close_date,
	date_trunc('second', c.add_time + make_interval(days => 1) *
		least(c.cycle_days, c.age_days) * (0.5 + 0.5 * c.r_close)) AS close_time,
	CASE WHEN c.status = 'lost' THEN
		pg_temp.pick('{Price too high,Went with a competitor,No budget this year,No decision - went quiet,Timing - revisit next year,Missing feature,Champion left the company}'::text[],
					 c.r_reason) END AS lost_reason,
	date_trunc('second', c.add_time) AS add_time,
	c.tier
FROM c
JOIN accounts.currencies cur ON cur.code = c.currency
LEFT JOIN demo_org_person p
	ON p.org_id = c.org_id AND c.n_people > 0 AND c.r_person < 0.85
	AND p.rn = 1 + floor(c.r_person / 0.85 * c.n_people)::bigint;

INSERT INTO accounts.deals (id, title, value, currency, status, org_id,
							person_id, owner_id, probability,
							expected_close_date, won_time, lost_time,
							lost_reason, add_time, update_time)
SELECT id, title, value, currency, status, org_id, person_id, owner_id,
	probability, expected_close_date,
	CASE WHEN status = 'won' THEN close_time END,
	CASE WHEN status = 'lost' THEN close_time END,
	lost_reason, add_time,
	CASE WHEN status IN ('won', 'lost') THEN close_time ELSE add_time END
FROM demo_deal
ORDER BY id;

-- pools to link activities, notes and files to
CREATE TEMP TABLE demo_open_deal AS
SELECT row_number() OVER (ORDER BY id) AS rn, id, org_id, person_id, owner_id, add_time
FROM demo_deal WHERE status = 'open';
CREATE TEMP TABLE demo_live_deal AS
SELECT row_number() OVER (ORDER BY id) AS rn, id, org_id, person_id, owner_id, add_time
FROM demo_deal WHERE status <> 'deleted';
CREATE TEMP TABLE demo_any_person AS
SELECT row_number() OVER (ORDER BY id) AS rn, id, org_id, owner_id, add_time,
	org_id IS NOT NULL AS with_org
FROM demo_person;
CREATE TEMP TABLE demo_org_pool AS
SELECT row_number() OVER (ORDER BY id) AS rn, id, owner_id, add_time FROM demo_org;
CREATE INDEX ON demo_open_deal (rn);
CREATE INDEX ON demo_live_deal (rn);
CREATE INDEX ON demo_any_person (rn);
CREATE INDEX ON demo_org_pool (rn);
ANALYZE demo_open_deal, demo_live_deal, demo_any_person, demo_org_pool;


/*
 * Activities, due from two months back to two months ahead, two thirds of
 * them in the past; most past ones are done, few future ones.  Linked to a
 * deal only (the extension fills org_id), to a person and the organization,
 * to the organization only, or to a person only.
 */

CREATE TEMP TABLE demo_activity_type (type text, lo float8, hi float8,
									  timed boolean, subjects text[]);
INSERT INTO demo_activity_type VALUES
	('call', 0.00, 0.35, true,
	 '{Discovery call,Follow-up call,Check-in call,Pricing discussion,Renewal call,Reference call,Intro call with new stakeholder}'),
	('meeting', 0.35, 0.55, true,
	 '{Product demo,Quarterly business review,Onsite workshop,Kick-off meeting,Contract negotiation,Executive sponsor meeting,Technical deep dive}'),
	('email', 0.55, 0.80, false,
	 '{Send proposal,Send follow-up email,Share case study,Send revised quote,Send onboarding materials,Answer security questionnaire}'),
	('task', 0.80, 0.95, false,
	 '{Prepare quote,Update account plan,Review contract redlines,Set up trial workspace,Prepare QBR deck,Collect invoicing details}'),
	('deadline', 0.95, 1.01, false,
	 '{Contract signature deadline,Budget approval deadline,Trial ends,Renewal date}');

CREATE TEMP TABLE demo_activity_draw AS
SELECT i, random() AS r_link, random() AS r_pick, random() AS r_type,
	random() AS r_subject, random() AS r_due, random() AS r_done,
	random() AS r_time, random() AS r_duration, random() AS r_owner
FROM generate_series(1, 20000) AS i;

CREATE TEMP TABLE demo_activity AS
WITH a AS (
	SELECT d.*, t.type, t.timed, pg_temp.pick(t.subjects, d.r_subject) AS subject,
		CASE WHEN d.r_due < 0.66
			THEN current_date - 1 - floor(d.r_due / 0.66 * 60)::int
			ELSE current_date + floor((d.r_due - 0.66) / 0.34 * 61)::int END AS due_date
	FROM demo_activity_draw d
	JOIN demo_activity_type t ON d.r_type >= t.lo AND d.r_type < t.hi
),
b AS (
	SELECT a.*,
		CASE WHEN a.due_date < current_date THEN a.r_done < 0.92
			WHEN a.due_date = current_date THEN a.r_done < 0.35
			ELSE a.r_done < 0.02 END AS done,
		CASE WHEN a.timed THEN time '08:00' + interval '15 minutes' * floor(a.r_time * 38) END AS due_time,
		CASE a.type WHEN 'meeting' THEN interval '30 minutes' * (1 + floor(a.r_duration * 3))
			WHEN 'call' THEN interval '15 minutes' * (1 + floor(a.r_duration * 2)) END AS duration,
		-- links: deal only; person and organization; organization only; person only
		CASE WHEN a.r_link < 0.45 THEN 'deal' WHEN a.r_link < 0.70 THEN 'person+org'
			WHEN a.r_link < 0.92 THEN 'org' ELSE 'person' END AS link
	FROM a
)
SELECT b.type, b.subject, b.due_date, b.due_time, b.duration, b.done,
	CASE WHEN b.done THEN date_trunc('second', least(
		(b.due_date + COALESCE(b.due_time, time '16:00'))::timestamptz + interval '1 day' * b.r_time,
		pg_temp.t0() - interval '3 hours' * b.r_time)) END AS marked_as_done_time,
	CASE WHEN b.link IN ('person+org', 'org') THEN COALESCE(o.id, p.org_id) END AS org_id,
	CASE WHEN b.link = 'deal' THEN dl.person_id
		WHEN b.link IN ('person+org', 'person') THEN p.id END AS person_id,
	dl.id AS deal_id,
	CASE WHEN b.r_owner < 0.9 THEN COALESCE(dl.owner_id, o.owner_id, p.owner_id)
		ELSE 1 + floor(b.r_owner * 11)::bigint END AS owner_id,
	date_trunc('second', least(pg_temp.t0() - interval '20 days' * b.r_time - interval '1 hour',
		(b.due_date - (1 + floor(b.r_duration * 14))::int)::timestamptz
			+ interval '8 hours' + interval '10 hours' * b.r_owner)) AS add_time,
	b.i
FROM b
-- undone activities go with open deals, done ones with any deal not deleted
LEFT JOIN LATERAL (
	SELECT od.id, od.person_id, od.owner_id FROM demo_open_deal od
	WHERE b.link = 'deal' AND NOT b.done
		AND od.rn = 1 + floor(b.r_pick * (SELECT count(*) FROM demo_open_deal))::bigint
	UNION ALL
	SELECT ld.id, ld.person_id, ld.owner_id FROM demo_live_deal ld
	WHERE b.link = 'deal' AND b.done
		AND ld.rn = 1 + floor(b.r_pick * (SELECT count(*) FROM demo_live_deal))::bigint
) dl ON true
LEFT JOIN demo_any_person p ON b.link IN ('person+org', 'person')
	AND p.rn = 1 + floor(b.r_pick * (SELECT count(*) FROM demo_any_person))::bigint
LEFT JOIN demo_org_pool o ON b.link = 'org'
	AND o.rn = 1 + floor(b.r_pick * (SELECT count(*) FROM demo_org_pool))::bigint;

INSERT INTO accounts.activities (type, subject, due_date, due_time, duration,
								 done, marked_as_done_time, org_id, person_id,
								 deal_id, owner_id, add_time, update_time)
SELECT type, subject, due_date, due_time, duration, done, marked_as_done_time,
	org_id, person_id, deal_id, owner_id, add_time,
	COALESCE(marked_as_done_time, add_time)
FROM demo_activity
ORDER BY add_time, i;


/*
 * Notes and files: 40% (files 45%) linked to a deal only, 20% (15%) to a
 * person only, the rest to an organization; the extension fills the org_id
 * of the first two kinds from the deal or the person.
 */

CREATE TEMP TABLE demo_note_draw AS
SELECT i, random() AS r_link, random() AS r_pick, random() AS r_what,
	random() AS r_next, random() AS r_add
FROM generate_series(1, 5000) AS i;

INSERT INTO accounts.notes (content, org_id, person_id, deal_id, owner_id,
							add_time, update_time)
WITH linked AS (
	SELECT d.*, o.id AS org_id, p.id AS person_id, dl.id AS deal_id,
		COALESCE(dl.owner_id, p.owner_id, o.owner_id) AS owner_id,
		-- after what it is about was added, more often recently
		COALESCE(dl.add_time, p.add_time, o.add_time) AS since
	FROM demo_note_draw d
	LEFT JOIN demo_live_deal dl ON d.r_link < 0.40
		AND dl.rn = 1 + floor(d.r_pick * (SELECT count(*) FROM demo_live_deal))::bigint
	LEFT JOIN demo_any_person p ON d.r_link >= 0.40 AND d.r_link < 0.60
		AND p.rn = 1 + floor(d.r_pick * (SELECT count(*) FROM demo_any_person))::bigint
	LEFT JOIN demo_org_pool o ON d.r_link >= 0.60
		AND o.rn = 1 + floor(d.r_pick * (SELECT count(*) FROM demo_org_pool))::bigint
),
timed AS (
	SELECT l.*, date_trunc('second', l.since + (pg_temp.t0() - l.since) * (1 - l.r_add ^ 2)) AS add_time
	FROM linked l
)
SELECT
	pg_temp.pick('{Spoke with the procurement team.,Met the CFO and the head of operations.,Champion confirmed the budget for this year.,They are evaluating two other vendors.,Customer is happy with the onboarding so far.,Raised concerns about SSO and data residency.,Asked for a discount on a three-year term.,Legal review of the MSA is under way.,Usage dropped last quarter; plan a health check.,Interested in the analytics add-on.,New VP of Sales started this month.,Invoice was paid late again.}'::text[], r_what)
	|| ' ' ||
	pg_temp.pick('{Next step: send the revised quote by Friday.,Next step: technical deep dive with their IT team.,Follow up after their board meeting.,Decision expected by the end of the quarter.,Loop in customer success before the renewal.,No action needed for now.,Schedule a call with their finance team.}'::text[], r_next),
	org_id, person_id, deal_id, owner_id, add_time, add_time
FROM timed
ORDER BY add_time, i;

CREATE TEMP TABLE demo_file_draw AS
SELECT i, random() AS r_link, random() AS r_pick, random() AS r_kind,
	random() AS r_name, random() AS r_size1, random() AS r_size2,
	random() AS r_add
FROM generate_series(1, 2000) AS i;

CREATE TEMP TABLE demo_file_kind (file_type text, lo float8, hi float8,
								  kb float8, names text[]);
INSERT INTO demo_file_kind VALUES
	('pdf', 0.00, 0.45, 600,
	 '{Proposal - %1$s.pdf,Signed contract %2$s.pdf,Master Services Agreement.pdf,Security questionnaire.pdf,Order form %2$s.pdf,NDA - %1$s.pdf}'),
	('xlsx', 0.45, 0.62, 90,
	 '{Pricing calculator.xlsx,Seat count %1$s.xlsx,Rollout plan %2$s.xlsx}'),
	('docx', 0.62, 0.80, 60,
	 '{Meeting notes %3$s.docx,Statement of work.docx,Requirements - %1$s.docx}'),
	('pptx', 0.80, 0.93, 4000,
	 '{QBR %2$s.pptx,Product demo deck.pptx,Executive summary - %1$s.pptx}'),
	('png', 0.93, 1.01, 300,
	 '{Screenshot %3$s.png,Org chart.png,Architecture diagram.png}');

INSERT INTO accounts.files (name, file_type, file_size, url, org_id,
							person_id, deal_id, owner_id, add_time)
WITH f AS (
	SELECT d.*, k.file_type, k.names,
		greatest(2048, least(50000000,
			round(exp(ln(k.kb * 1024) + 0.9 * pg_temp.normal(d.r_size1, d.r_size2)))))::bigint AS file_size
	FROM demo_file_draw d
	JOIN demo_file_kind k ON d.r_kind >= k.lo AND d.r_kind < k.hi
),
linked AS (
	SELECT f.*, o.id AS org_id, p.id AS person_id, dl.id AS deal_id,
		COALESCE(dl.owner_id, p.owner_id, o.owner_id) AS owner_id,
		COALESCE(dl.org_id, p.org_id, o.id) AS linked_org,
		date_trunc('second', COALESCE(dl.add_time, p.add_time, o.add_time) +
			(pg_temp.t0() - COALESCE(dl.add_time, p.add_time, o.add_time)) * (1 - f.r_add ^ 2)) AS add_time
	FROM f
	LEFT JOIN demo_live_deal dl ON f.r_link < 0.45
		AND dl.rn = 1 + floor(f.r_pick * (SELECT count(*) FROM demo_live_deal))::bigint
	LEFT JOIN demo_any_person p ON f.r_link >= 0.45 AND f.r_link < 0.60
		AND p.rn = 1 + floor(f.r_pick * (SELECT count(*) FROM demo_any_person))::bigint
	LEFT JOIN demo_org_pool o ON f.r_link >= 0.60
		AND o.rn = 1 + floor(f.r_pick * (SELECT count(*) FROM demo_org_pool))::bigint
),
named AS (
	SELECT l.*, format(pg_temp.pick(l.names, l.r_name),
		COALESCE(org.short_name, 'draft'),
		to_char(l.add_time, 'YYYY') || CASE WHEN l.file_type = 'pptx'
			THEN ' Q' || to_char(l.add_time, 'Q') ELSE '' END,
		to_char(l.add_time, 'YYYY-MM-DD')) AS name
	FROM linked l
	LEFT JOIN demo_org org ON org.id = l.linked_org
)
SELECT name, file_type, file_size,
	'https://files.example.com/' || substr(md5('demo file ' || i), 1, 12) || '/' ||
		trim(BOTH '-' FROM regexp_replace(lower(regexp_replace(name, '\.[a-z]+$', '')),
										  '[^a-z0-9]+', '-', 'g'))
		|| '.' || file_type,
	org_id, person_id, deal_id, owner_id, add_time
FROM named
ORDER BY add_time, i;


-- identity columns continue after the explicit ids
SELECT setval(pg_get_serial_sequence('accounts.' || t, 'id'), m)
FROM (VALUES ('users', (SELECT max(id) FROM accounts.users)),
			 ('organizations', (SELECT max(id) FROM accounts.organizations)),
			 ('persons', (SELECT max(id) FROM accounts.persons)),
			 ('deals', (SELECT max(id) FROM accounts.deals))) AS s(t, m) \g /dev/null

COMMIT;

ANALYZE;
