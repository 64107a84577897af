import { EVENT_HEADERS, eventHeaders, messageKey } from './envelope';
import { exampleEvent } from './events/catalog';
import { DEFAULT_PARTITIONS, dlqTopic, isTopicName, Topics } from './topics';

describe('envelope and topics', () => {
  it('given an event, when its Kafka headers and key are derived, then they repeat type, id, schemaVersion and aggregateId', () => {
    // given
    const event = exampleEvent('TokenRevoked');
    // when
    const headers = eventHeaders(event);
    // then
    expect(headers).toEqual({ type: 'TokenRevoked', id: event.id, schemaVersion: '2' });
    expect(Object.keys(headers).sort()).toEqual(Object.values(EVENT_HEADERS).sort());
    expect(messageKey(event)).toBe(event.data.grantId);
  });

  it('given the topics, when their names and dead-letter topics are read, then they follow the design', () => {
    expect(Topics).toEqual({
      identity: 'identity.events.v1',
      applications: 'applications.events.v1',
      tokens: 'tokens.events.v1',
      tokenUsage: 'token-usage.v1',
    });
    expect(dlqTopic(Topics.tokens)).toBe('tokens.events.v1.dlq');
    expect(DEFAULT_PARTITIONS).toBe(6);
    expect(isTopicName('tokens.events.v1')).toBe(true);
    expect(isTopicName('tokens.events.v2')).toBe(false);
  });
});
