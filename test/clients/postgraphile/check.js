// test/clients/postgraphile/check.js: the GraphQL checks of
// test/clients/postgraphile/check, against PostGraphile started by ./serve
// on GRAPHQL_URL, with the database reachable through the PG* variables
// (as superuser, to compare with SQL).  Node's built-ins and the packages
// that PostGraphile installs (pg) only.  Prints TAP; exits 1 on a failure.
'use strict';
const crypto = require('crypto');
const path = require('path');
const pg = require(path.join(__dirname, 'node_modules', 'pg'));
const WebSocket = require(path.join(__dirname, 'node_modules', 'ws'));

const url = process.env.GRAPHQL_URL;
const secret = process.env.JWT_SECRET;
let n = 0, failed = 0;
function ok(cond, what, detail) {
	n++;
	if (cond) console.log(`ok ${n} - ${what}`);
	else {
		failed++;
		console.log(`not ok ${n} - ${what}`);
		if (detail !== undefined) console.log('# ' + JSON.stringify(detail).slice(0, 2000));
	}
}
function b64url(s) { return Buffer.from(s).toString('base64url'); }
function jwt(claims) {
	const h = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
	const p = b64url(JSON.stringify(Object.assign({ aud: 'postgraphile' }, claims)));
	const s = crypto.createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
	return `${h}.${p}.${s}`;
}
async function gql(query, variables, token) {
	const headers = { 'Content-Type': 'application/json' };
	if (token) headers.Authorization = `Bearer ${token}`;
	const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
	return r.json();
}
const errorText = (r) => (r.errors || []).map((e) => e.message).join('; ');

const pageQuery = `query AccountPage($id: BigInt!) {
  accountById(id: $id) {
    id name label wonValue wonDealsCount firstWonTime bucket
    owner { id name email }
    card { bucket bucketPosition nextActivityDate nextActivitySubject }
    deals(orderBy: ADD_TIME_DESC) { totalCount nodes { id title status value currency } }
    people(orderBy: NAME_ASC) { totalCount nodes { id name email phone } }
    activities(orderBy: DUE_DATE_DESC, first: 20) { totalCount nodes { id subject dueDate done } }
    notes(orderBy: ADD_TIME_DESC, first: 20) { totalCount nodes { id content addTime } }
    files(orderBy: ADD_TIME_DESC) { totalCount nodes { id name fileType fileSize } }
    timelineList(pageSize: 20) { kind id itemTime title detail }
  }
}`;

// a subscription over PostGraphile's websocket (subscriptions-transport-ws
// protocol): started resolves when it is acknowledged, next with the
// first result (null after 20 s)
function subscribe(query, token) {
	const ws = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-ws');
	let started, next;
	const s = {
		started: new Promise((res) => { started = res; }),
		next: new Promise((res) => { next = res; }),
		close: () => ws.close(),
	};
	const timer = setTimeout(() => next(null), 20000);
	ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init',
		payload: token ? { Authorization: `Bearer ${token}` } : {} })));
	ws.on('message', (m) => {
		const msg = JSON.parse(m);
		if (msg.type === 'connection_ack') {
			ws.send(JSON.stringify({ id: '1', type: 'start', payload: { query } }));
			started();
		} else if (msg.type === 'data' || msg.type === 'error') {
			clearTimeout(timer);
			next(msg.payload);
		}
	});
	ws.on('error', (e) => { started(); next({ error: String(e) }); });
	return s;
}

async function ready() {
	for (let i = 0; i < 240; i++) {
		try {
			const r = await gql('{ __typename }');
			if (r.data) return;
		} catch (e) { /* not listening yet */ }
		await new Promise((res) => setTimeout(res, 250));
	}
	throw new Error(`PostGraphile does not answer on ${url}`);
}

async function main() {
	await ready();
	const db = new pg.Client();
	await db.connect();
	const one = async (sql, params) => (await db.query(sql, params)).rows[0];

	// the account page: the account with the most of everything
	const a = await one(`SELECT id, owner_id, people_count, notes_count, files_count
		FROM accounts.accounts WHERE files_count > 0 AND notes_count > 0
		ORDER BY activities_count DESC, id LIMIT 1`);
	const id = String(a.id);
	let r = await gql(pageQuery, { id });
	const acc = r.data && r.data.accountById;
	ok(acc && !r.errors, 'the account page query answers', r);
	if (acc) {
		const sqlDeals = await one(`SELECT count(*)::int AS n FROM accounts.account_deals WHERE account_id = $1`, [a.id]);
		const sqlTimeline = (await db.query(`SELECT kind, id FROM accounts.account_timeline($1, page_size => 20)`, [a.id])).rows;
		const sqlCard = await one(`SELECT bucket::text, next_activity_subject FROM accounts.kanban WHERE id = $1`, [a.id]);
		ok(acc.owner && acc.owner.id === String(a.owner_id), 'page: the owner', acc.owner);
		ok(acc.bucket === sqlCard.bucket.toUpperCase(), 'page: the account\'s bucket, an enum', acc.bucket);
		ok(acc.card && acc.card.bucket === sqlCard.bucket.toUpperCase() &&
			acc.card.nextActivitySubject === sqlCard.next_activity_subject, 'page: the board card', acc.card);
		ok(acc.deals.totalCount === sqlDeals.n, 'page: the deals', acc.deals.totalCount);
		ok(acc.people.totalCount === a.people_count, 'page: the people', acc.people.totalCount);
		ok(acc.notes.totalCount === a.notes_count, 'page: the notes', acc.notes.totalCount);
		ok(acc.files.totalCount === a.files_count, 'page: the files', acc.files.totalCount);
		ok(acc.activities.nodes.length > 0, 'page: the activities', acc.activities.totalCount);
		ok(JSON.stringify(acc.timelineList.map((t) => [t.kind, t.id])) ===
			JSON.stringify(sqlTimeline.map((t) => [t.kind, String(t.id)])), 'page: the first timeline page, as SQL gives it');
	}
	// its timing, after one warm-up: the median of 20
	const times = [];
	for (let i = 0; i < 21; i++) {
		const t0 = process.hrtime.bigint();
		await gql(pageQuery, { id });
		times.push(Number(process.hrtime.bigint() - t0) / 1e6);
	}
	times.shift();
	times.sort((x, y) => x - y);
	console.log(`# account page through PostGraphile: median ${times[10].toFixed(1)} ms, min ${times[0].toFixed(1)} ms, max ${times[19].toFixed(1)} ms (20 runs, account ${id})`);

	// the board: counts and a column page, as SQL gives them
	r = await gql(`{ kanbanCountsList { bucket bucketPosition accounts wonValue } }`);
	const counts = (await db.query(`SELECT upper(bucket::text) AS bucket, accounts::text, won_value::text FROM accounts.kanban_counts()`)).rows;
	ok(r.data && JSON.stringify(r.data.kanbanCountsList.map((c) => [c.bucket, c.accounts, c.wonValue])) ===
		JSON.stringify(counts.map((c) => [c.bucket, c.accounts, c.won_value])), 'the board counts', r);
	r = await gql(`{ allAccounts(condition: {bucket: OVERDUE}) { totalCount } }`);
	const overdue = await one(`SELECT count(*)::int AS n FROM accounts.accounts WHERE bucket = 'overdue'`);
	ok(r.data && r.data.allAccounts.totalCount === overdue.n && overdue.n > 0,
		'the accounts of one bucket, by a condition on the enum', r.data || r);
	r = await gql(`{ kanbanColumnList(bucket: LATER, pageSize: 5) { id name bucket nextActivityDate } }`);
	const col = (await db.query(`SELECT id::text FROM accounts.kanban_column('later', page_size => 5)`)).rows.map((x) => x.id);
	const page1 = r.data && r.data.kanbanColumnList;
	ok(page1 && JSON.stringify(page1.map((c) => c.id)) === JSON.stringify(col), 'a column page', r);
	if (page1 && page1.length) {
		const last = page1[page1.length - 1];
		r = await gql(`query($d: Date, $i: BigInt) { kanbanColumnList(bucket: LATER, afterDate: $d, afterId: $i, pageSize: 5) { id } }`,
			{ d: last.nextActivityDate, i: last.id });
		const col2 = (await db.query(`SELECT id::text FROM accounts.kanban_column('later', $1, $2, 5)`, [last.nextActivityDate, last.id])).rows.map((x) => x.id);
		ok(r.data && JSON.stringify(r.data.kanbanColumnList.map((c) => c.id)) === JSON.stringify(col2), 'the next column page', r);
	}

	// an update of an account's label through a mutation
	r = await gql(`mutation($id: BigInt!) { updateAccountById(input: {id: $id, accountPatch: {label: "key account"}}) { account { id label wonValue } } }`, { id });
	const label = await one(`SELECT label FROM accounts.organizations WHERE id = $1`, [a.id]);
	ok(!r.errors && label.label === 'key account' && r.data.updateAccountById.account.label === 'key account',
		'updateAccountById changes the label of the organization', r);
	ok((await db.query(`SELECT * FROM accounts.verify()`)).rowCount === 0, 'verify() is empty after it');

	// no mutation writes internals, and the views offer no insert or delete
	r = await gql(`{ __schema { mutationType { fields { name } } queryType { fields { name } } } }`);
	const mutations = r.data.__schema.mutationType.fields.map((f) => f.name);
	const queries = r.data.__schema.queryType.fields.map((f) => f.name);
	const internal = /figure|kanbanDay|accountEvent|rebuild|verify|createAccount|deleteAccount|OrganizationSummary$|createKanban|Kanban(ById)?$/i;
	const bad = mutations.filter((m) => internal.test(m) && !/^updateAccount(ById)?$|^updateOrganizationSummary(ById)?$/.test(m));
	ok(bad.length === 0, 'no mutation writes internals, creates or deletes an account', bad);
	ok(mutations.includes('updateAccountById'), 'updateAccountById is offered');
	const hidden = queries.filter((q) => /figure|kanbanDay|verify|rebuild|kanbanToday|kanbanBucket|kanbanRanges|kanbanWeekEnd|^timeline|^account$/i.test(q) && q !== 'account');
	ok(hidden.length === 0, 'no query reads internals or deprecated functions', hidden);
	r = await gql(`{ __type(name: "AccountPatch") { inputFields { name } } }`);
	ok(JSON.stringify(r.data.__type.inputFields.map((f) => f.name)) ===
		JSON.stringify(['name', 'ownerId', 'address', 'label', 'customFields']), 'AccountPatch offers exactly the writable columns', r);

	// bad input: each a clear error naming the field
	r = await gql(`mutation($id: BigInt!) { updateAccountById(input: {id: $id, accountPatch: {wonValue: "0"}}) { account { id } } }`, { id });
	ok(/wonValue/.test(errorText(r)), 'writing a figure: an error naming the field', errorText(r));
	console.log('# ' + errorText(r));
	r = await gql(`{ kanbanColumnList(bucket: SOMEDAY) { id } }`);
	ok(/"Bucket" enum/.test(errorText(r)) && /SOMEDAY/.test(errorText(r)), 'an unknown bucket: an error naming the value and its type', errorText(r));
	r = await gql(`{ kanbanColumnList(bucket: "today") { id } }`);
	ok(/Enum "Bucket"/.test(errorText(r)), 'a bucket as a string: an error naming the type', errorText(r));
	r = await gql(`{ allAccounts(condition: {bucket: SOMEDAY}) { totalCount } }`);
	ok(/"Bucket" enum/.test(errorText(r)) && /SOMEDAY/.test(errorText(r)), 'an unknown bucket in a condition: an error naming the value and its type', errorText(r));
	r = await gql(`query($id: BigInt!) { accountById(id: $id) { id } }`, { id: '12abc' });
	ok(r.errors && /bigint/.test(errorText(r)) && /12abc/.test(errorText(r)) &&
		JSON.stringify(r.errors[0].path) === '["accountById"]' && r.errors[0].errcode === '22P02',
		'a malformed id: an error naming the field (path), the value and its type, with the SQLSTATE', r.errors);
	console.log('# ' + JSON.stringify(r.errors[0]));

	// a JWT role under row-level security sees only its accounts and board sums
	const owner = await one(`SELECT owner_id AS id, count(*)::int AS n FROM accounts.accounts
		GROUP BY owner_id ORDER BY count(*) DESC, owner_id LIMIT 1`);
	await db.query(`BEGIN`);
	await db.query(`SET LOCAL ROLE crm_rep`);
	await db.query(`SELECT set_config('jwt.claims.user_id', $1, true)`, [String(owner.id)]);
	const repCounts = (await db.query(`SELECT upper(bucket::text) AS bucket, accounts::text, won_value::text FROM accounts.kanban_counts()`)).rows;
	const repAccounts = await one(`SELECT count(*)::int AS n FROM accounts.accounts`);
	await db.query(`ROLLBACK`);
	const token = jwt({ role: 'crm_rep', user_id: String(owner.id) });
	r = await gql(`{ allAccounts { totalCount } kanbanCountsList { bucket accounts wonValue } }`, {}, token);
	ok(r.data && r.data.allAccounts.totalCount === owner.n && owner.n === repAccounts.n,
		`a JWT role sees only its accounts (${owner.n} of user ${owner.id})`, r);
	ok(r.data && JSON.stringify(r.data.kanbanCountsList.map((c) => [c.bucket, c.accounts, c.wonValue])) ===
		JSON.stringify(repCounts.map((c) => [c.bucket, c.accounts, c.won_value])) &&
		JSON.stringify(repCounts) !== JSON.stringify(counts), 'and its board sums', r);
	r = await gql(`query($id: BigInt!) { accountById(id: $id) { id } }`,
		{ id: String((await one(`SELECT id FROM accounts.accounts WHERE owner_id <> $1 LIMIT 1`, [owner.id])).id) }, token);
	ok(r.data && r.data.accountById === null, 'and not an account of another user', r);

	// a won deal arrives as a subscription event: the whole event for a
	// writer, null for a role whose policies hide the organization
	const org = await one(`SELECT o.id, o.owner_id, min(d.id) AS deal_id
		FROM accounts.organization_summary o JOIN accounts.deals d ON d.org_id = o.id
		WHERE NOT o.is_account AND d.status = 'open' AND o.owner_id <> $1
		GROUP BY o.id, o.owner_id ORDER BY o.id LIMIT 1`, [owner.id]);
	const subQuery = 'subscription { accountEvents { eventId event { id orgId kind dealId } } }';
	const writerSub = subscribe(subQuery);
	const repSub = subscribe(subQuery, token);
	await Promise.all([writerSub.started, repSub.started]);
	await new Promise((res) => setTimeout(res, 2000));	// until PostGraphile listens
	await db.query(`UPDATE accounts.deals SET status = 'won' WHERE id = $1`, [org.deal_id]);
	const ev = await one(`SELECT id FROM accounts.account_events WHERE org_id = $1 ORDER BY id DESC LIMIT 1`, [org.id]);
	const [w, rep] = await Promise.all([writerSub.next, repSub.next]);
	writerSub.close();
	repSub.close();
	const we = w && w.data && w.data.accountEvents;
	ok(we && we.eventId === String(ev.id) && we.event && we.event.orgId === String(org.id) &&
		we.event.kind === 'created' && we.event.dealId === String(org.deal_id),
		'a won deal arrives as a subscription event, resolved to the event', w);
	const re = rep && rep.data && rep.data.accountEvents;
	ok(re && re.eventId === String(ev.id) && re.event === null,
		'under row-level security the event of an organization not seen is null', rep);

	await db.end();
	console.log(`1..${n}`);
	process.exit(failed ? 1 : 0);
}
main().catch((e) => { console.log(`not ok - ${e.stack}`); process.exit(1); });
