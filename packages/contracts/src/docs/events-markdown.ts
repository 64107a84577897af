import { EVENT_HEADERS, EventEnvelopeSchema } from '../envelope';
import { EventCatalog, exampleEvent } from '../events/catalog';
import { Scope } from '../scopes';
import { ID_MAX_LENGTH, Sha256Base64Url } from '../schemas/primitives';
import { eventSchemaId, toJsonSchema } from '../schemas/json-schemas';
import { DEFAULT_PARTITIONS, TopicCatalog, Topics, dlqTopic } from '../topics';
import { cell, describeType, fieldTable } from './schema-table';

/** Anchor of a heading as GitHub renders it (lower case, spaces to dashes, punctuation dropped). */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}

function envelopeSection(): string[] {
  return [
    '## Envelope',
    '',
    'Every Kafka message value is one event envelope, serialized as JSON. The message key is `aggregateId`.',
    '',
    ...fieldTable(toJsonSchema(EventEnvelopeSchema)),
    '',
    'No other envelope field is allowed. Besides the JSON value, the producer sets these Kafka headers, so that a consumer can route',
    'or skip a message without parsing it:',
    '',
    '| header | value |',
    '|---|---|',
    `| \`${EVENT_HEADERS.type}\` | the envelope \`type\` |`,
    `| \`${EVENT_HEADERS.id}\` | the envelope \`id\` |`,
    `| \`${EVENT_HEADERS.schemaVersion}\` | the envelope \`schemaVersion\`, as a decimal string |`,
    '',
    `JSON Schema of the envelope: \`${eventSchemaId('EventEnvelope')}\` (and one full schema per event type, see below).`,
  ];
}

function topicsSection(): string[] {
  return [
    '## Topics',
    '',
    'One topic per producing service, keyed by aggregate id.',
    '',
    '| topic | key | producer | partitions | retention | dead-letter topic | events |',
    '|---|---|---|---|---|---|---|',
    ...Object.values(Topics).map((topic) => {
      const entry = TopicCatalog[topic];
      const events = entry.events.map((type) => `[${type}](#${anchor(type)})`).join(', ');
      return `| \`${topic}\` | ${cell(entry.key)} | ${entry.producer} | ${DEFAULT_PARTITIONS} | unlimited (\`retention.ms=-1\`) | \`${dlqTopic(topic)}\` | ${events} |`;
    }),
    '',
    'Topic names end in `.v1`: only a breaking change that no upcaster can bridge gets a new topic (`.v2`).',
    'A consumer that cannot handle a message (invalid, or failing after retries) sends it to `<topic>.dlq`',
    'with the original key, value and headers, and goes on.',
  ];
}

function orderingSection(): string[] {
  return [
    '## Ordering guarantees',
    '',
    '- **Per aggregate, in order.** Every event of one aggregate is published with the aggregate id as the key, so it lands on one',
    "  partition and consumers see that aggregate's events in `aggregateVersion` order.",
    '- **No order across aggregates, nor across topics.** Two users, two grants, or a `UserDeactivated` and a `GrantRevoked`',
    '  that it caused, may be seen in any order. Consumers must be **order-tolerant across topics** (e.g. a `TokenIssued` may',
    '  arrive before the `UserRegistered` of its user, or after its `UserDeactivated`).',
    "- **At-least-once delivery.** Events are written to the producing service's outbox in the same transaction as its event",
    '  store; a relay publishes them. Nothing uncommitted is published, nothing committed is lost, but an event can be',
    '  delivered more than once. Consumers must be **idempotent by event `id`**.',
    '- `aggregateVersion` lets a consumer detect an old or duplicate event of an aggregate (version not above the last one applied).',
  ];
}

function versioningSection(): string[] {
  return [
    '## Versioning',
    '',
    '- Every event carries the `schemaVersion` of its data schema. Producers always publish the latest version.',
    '- Stored events are never rewritten. When a data schema changes, its `schemaVersion` is bumped, the old schema is kept in',
    '  the catalog (`previousDataSchemas`), and an **upcaster** (`registerUpcaster(type, fromVersion, fn)`) turns data of',
    '  version N into version N + 1. Consumers call `upcast()` (or `decodeEvent()`) and only handle the latest version.',
    '- Changes are **additive**: new optional fields, or new fields an upcaster can fill in. Data objects allow no unknown',
    '  properties, so even an additive change bumps `schemaVersion`; deploy consumers (the contracts package) before producers.',
    '- A change no upcaster can bridge (removing or re-meaning a field) is a new event type, or a new topic version.',
    '- No event ever carries a secret: tokens and client secrets appear only as SHA-256 hashes (`Sha256Base64Url`) and a',
    '  short display prefix.',
  ];
}

function sharedTypesSection(): string[] {
  const named = [
    { schema: toJsonSchema(Scope), meaning: String(Scope.description) },
    {
      schema: toJsonSchema(Sha256Base64Url('')),
      meaning:
        'SHA-256 digest, unpadded base64url (43 characters). Never a secret itself: a raw token or client secret cannot match it.',
    },
  ];
  return [
    '## Shared types',
    '',
    '| name | definition | meaning |',
    '|---|---|---|',
    ...named.map(({ schema, meaning }) => {
      const { title, ...definition } = schema;
      return `| \`${String(title)}\` | ${cell(describeType(definition))} | ${cell(meaning)} |`;
    }),
    '',
    `Ids (\`userId\`, \`accountId\`, \`clientId\`, \`grantId\`, \`tokenId\`, ...) are non-empty strings of at most ${ID_MAX_LENGTH} characters;`,
    'timestamps are ISO-8601 date-times with a time zone (`2025-01-15T10:30:00.000Z`).',
  ];
}

function eventsSection(): string[] {
  const lines: string[] = ['## Events'];
  for (const topic of Object.values(Topics)) {
    const topicEntry = TopicCatalog[topic];
    lines.push(
      '',
      `### Topic \`${topic}\``,
      '',
      `${topicEntry.description} Produced by ${topicEntry.producer}; key: ${topicEntry.key}.`,
    );
    for (const type of topicEntry.events) {
      const entry = EventCatalog[type];
      const key =
        entry.aggregateIdField !== undefined
          ? `\`aggregateId\` = \`data.${entry.aggregateIdField}\``
          : '`aggregateId` (not tied to one data field, see ordering)';
      const data = toJsonSchema(entry.data);
      lines.push(
        '',
        `#### ${type}`,
        '',
        entry.description,
        '',
        `- Topic: \`${entry.topic}\``,
        `- Aggregate type: \`${entry.aggregateType}\``,
        `- Key: ${key}`,
        `- Ordering: ${entry.ordering}`,
        `- Latest schemaVersion: ${entry.schemaVersion}`,
        `- JSON Schema: \`${eventSchemaId(type, entry.schemaVersion)}\``,
        '',
        ...(typeof data.description === 'string' ? [data.description, ''] : []),
        ...fieldTable(data),
        '',
        'Example:',
        '',
        '```json',
        JSON.stringify(exampleEvent(type), null, 2),
        '```',
      );
    }
  }
  return lines;
}

/** The whole of docs/events.md; deterministic (same output for the same contracts). */
export function renderEventsMarkdown(): string {
  const sections = [
    [
      '# Latchkey events',
      '',
      '<!-- Generated from packages/contracts by `npm run docs:events`. Do not edit by hand: change the schemas and regenerate. -->',
      '',
      'The contracts between Latchkey services: the event envelope, the Kafka topics, their ordering and versioning rules,',
      'and every event with its data schema. The same definitions give the TypeScript types, the runtime validation, the',
      'JSON Schemas and the AsyncAPI document ([asyncapi.json](asyncapi.json)) in `@latchkey/contracts`.',
    ],
    envelopeSection(),
    topicsSection(),
    orderingSection(),
    versioningSection(),
    sharedTypesSection(),
    eventsSection(),
  ];
  return `${sections.map((section) => section.join('\n')).join('\n\n')}\n`;
}

/** The whole of docs/asyncapi.json. */
export function renderAsyncApiJson(document: object): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
