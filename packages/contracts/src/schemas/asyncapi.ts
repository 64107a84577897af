import { EVENT_HEADERS, eventHeaders } from '../envelope';
import { EventCatalog, EVENT_TYPES, exampleEvent } from '../events/catalog';
import { DEFAULT_PARTITIONS, TopicCatalog, Topics, dlqTopic, type TopicName } from '../topics';
import { eventEnvelopeJsonSchema, genericEnvelopeJsonSchema } from './json-schemas';

/** Version of the published AsyncAPI document (bump on any contract change). */
export const ASYNCAPI_DOCUMENT_VERSION = '1.0.0';

const KAFKA_BINDING_VERSION = '0.5.0';

/** Channel id of each topic in the AsyncAPI document (the keys of Topics). */
function channelIdOf(topic: TopicName): string {
  const entry = Object.entries(Topics).find(([, name]) => name === topic);
  if (entry === undefined) throw new Error(`unknown topic ${topic}`);
  return entry[0];
}

function capitalize(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

function headersSchema(type: string): object {
  return {
    type: 'object',
    description: 'Kafka headers set on every message besides the JSON value.',
    required: [EVENT_HEADERS.type, EVENT_HEADERS.id, EVENT_HEADERS.schemaVersion],
    properties: {
      [EVENT_HEADERS.type]: { type: 'string', const: type, description: 'Same as the envelope `type`.' },
      [EVENT_HEADERS.id]: { type: 'string', format: 'uuid', description: 'Same as the envelope `id`.' },
      [EVENT_HEADERS.schemaVersion]: {
        type: 'string',
        pattern: '^[1-9][0-9]*$',
        description: 'Same as the envelope `schemaVersion`, as a decimal string.',
      },
    },
  };
}

/**
 * AsyncAPI 3.0 document of every Latchkey topic: one channel per topic (Kafka bindings with
 * partitions, unlimited retention and the key), one message per event type (headers, payload =
 * full envelope JSON Schema, example) and one `send` operation per producing service.
 */
export function asyncApiDocument(): object {
  const channels: Record<string, object> = {};
  const operations: Record<string, object> = {};
  const messages: Record<string, object> = {};
  const schemas: Record<string, object> = { EventEnvelope: genericEnvelopeJsonSchema() };

  for (const type of EVENT_TYPES) {
    const entry = EventCatalog[type];
    const example = exampleEvent(type);
    schemas[type] = eventEnvelopeJsonSchema(type);
    messages[type] = {
      name: type,
      title: type,
      summary: entry.description,
      description: `Topic \`${entry.topic}\`, aggregate \`${entry.aggregateType}\`, schemaVersion ${entry.schemaVersion}. Ordering: ${entry.ordering}.`,
      contentType: 'application/json',
      headers: headersSchema(type),
      payload: { $ref: `#/components/schemas/${type}` },
      correlationId: {
        description: 'Request or job that caused the event.',
        location: '$message.payload#/correlationId',
      },
      bindings: {
        kafka: {
          bindingVersion: KAFKA_BINDING_VERSION,
          key: { type: 'string', description: `aggregateId (${TopicCatalog[entry.topic].key})` },
        },
      },
      examples: [{ name: `${type}Example`, headers: eventHeaders(example), payload: example }],
    };
  }

  for (const topic of Object.values(Topics)) {
    const topicEntry = TopicCatalog[topic];
    const channelId = channelIdOf(topic);
    channels[channelId] = {
      address: topic,
      title: topic,
      description: `${topicEntry.description} Key: ${topicEntry.key}. Dead-letter topic: \`${dlqTopic(topic)}\`.`,
      messages: Object.fromEntries(topicEntry.events.map((type) => [type, { $ref: `#/components/messages/${type}` }])),
      bindings: {
        kafka: {
          bindingVersion: KAFKA_BINDING_VERSION,
          topic,
          partitions: DEFAULT_PARTITIONS,
          topicConfiguration: { 'cleanup.policy': ['delete'], 'retention.ms': -1 },
        },
      },
    };
    operations[`publish${capitalize(channelId)}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${channelId}` },
      title: `${topicEntry.producer} publishes on ${topic}`,
      description: `Published by ${topicEntry.producer} through its transactional outbox (at-least-once).`,
      messages: topicEntry.events.map((type) => ({ $ref: `#/channels/${channelId}/messages/${type}` })),
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Latchkey events',
      version: ASYNCAPI_DOCUMENT_VERSION,
      description:
        'Events of the Latchkey identity and token services on Kafka. Every message value is an event envelope (JSON); ' +
        'the key is the aggregateId; headers `type`, `id` and `schemaVersion` repeat envelope fields. ' +
        'Consumers deduplicate on `id` and must tolerate any order across aggregates and topics.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { schemas, messages },
  };
}
