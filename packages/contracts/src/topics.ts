import type { EventType } from './events/catalog';

/** Kafka topics, one per producing service. The `.v1` suffix changes only for a breaking change. */
export const Topics = {
  identity: 'identity.events.v1',
  applications: 'applications.events.v1',
  tokens: 'tokens.events.v1',
  tokenUsage: 'token-usage.v1',
} as const;

export type TopicName = (typeof Topics)[keyof typeof Topics];

/** Partitions of every topic unless configured otherwise. */
export const DEFAULT_PARTITIONS = 6;

/** The dead-letter topic of a topic: messages a consumer could not handle go there. */
export function dlqTopic(topic: string): string {
  return `${topic}.dlq`;
}

export interface TopicCatalogEntry {
  /** Human description of the message key. */
  key: string;
  /** Service that publishes on the topic. */
  producer: string;
  description: string;
  /** Every event type published on the topic, each exactly once. */
  events: EventType[];
}

export const TopicCatalog: Record<TopicName, TopicCatalogEntry> = {
  [Topics.identity]: {
    key: 'userId / accountId',
    producer: 'identity-service',
    description: 'Accounts, users and their memberships (roles with resolved permissions).',
    events: ['AccountCreated', 'UserRegistered', 'MembershipChanged', 'UserDeactivated', 'UserReactivated'],
  },
  [Topics.applications]: {
    key: 'clientId',
    producer: 'application-registry',
    description: 'OAuth clients: registration, settings, secret rotation, disabling and deletion.',
    events: [
      'ApplicationRegistered',
      'ApplicationUpdated',
      'ApplicationSecretRotated',
      'ApplicationDisabled',
      'ApplicationEnabled',
      'ApplicationDeleted',
    ],
  },
  [Topics.tokens]: {
    key: 'grantId',
    producer: 'token-service',
    description:
      'Grants (personal, OAuth authorization, client) and the tokens issued and revoked under them; account token policies (keyed by accountId).',
    events: ['GrantCreated', 'TokenIssued', 'TokenRevoked', 'GrantRevoked', 'TokenPolicyChanged'],
  },
  [Topics.tokenUsage]: {
    key: 'tokenId',
    producer: 'gateway',
    description: 'Batched token usage (last used time and count) reported by gateways and verifiers.',
    events: ['TokensUsed'],
  },
};

export function isTopicName(value: string): value is TopicName {
  return Object.prototype.hasOwnProperty.call(TopicCatalog, value);
}
