// Users as identity-service would publish them (UserRegistered + MembershipChanged in one
// account), for benches that seed token-service's directory straight from Kafka.

/** The messages for `users` ({ userId, email }) holding `permissions` in `account`, on `topic`. */
export function humanUserMessages(factory, topic, users, account, permissions) {
  return users.flatMap(({ userId, email }) => [
    {
      topic,
      envelope: factory.event('UserRegistered', userId, {
        userId,
        kind: 'human',
        email,
        displayName: 'Bench',
        accountIds: [account],
      }),
    },
    {
      topic,
      envelope: factory.event('MembershipChanged', userId, {
        userId,
        accountId: account,
        roles: ['member'],
        permissions,
      }),
    },
  ]);
}
