// account-events.js: a PostGraphile 4 plugin (--append-plugins) that serves
// the extension's notifications on channel accounts_events as the
// subscription accountEvents.  A notification names the event only
// ({"id" : 7, "__node__" : ["account_events", 7]}); the event is read from
// accounts.account_events with the subscriber's rights, so that under
// row-level security an event of an organization the subscriber may not see
// arrives as null.  Needs --subscriptions and @graphile/pg-pubsub.
const { makeExtendSchemaPlugin, gql } = require('graphile-utils');

module.exports = makeExtendSchemaPlugin(({ pgSql: sql }) => ({
	typeDefs: gql`
		"""An account created or closed: the event, as the subscriber may see it."""
		type AccountEventNotification {
			"""The event; null when row-level security hides its organization."""
			event: AccountEvent
			"""The id of the event: accounts.account_events.id."""
			eventId: BigInt!
		}
		extend type Subscription {
			"""Each account created or closed, when the transaction that caused it commits (channel accounts_events)."""
			accountEvents: AccountEventNotification @pgSubscription(topic: "accounts_events")
		}
	`,
	resolvers: {
		AccountEventNotification: {
			eventId: (n) => String(n.id),
			async event(n, _args, _context, resolveInfo) {
				const rows = await resolveInfo.graphile.selectGraphQLResultFromTable(
					sql.fragment`accounts.account_events`,
					(alias, qb) => {
						qb.where(sql.fragment`${alias}.id = ${sql.value(String(n.id))}::bigint`);
					});
				return rows[0] || null;
			},
		},
	},
}));
