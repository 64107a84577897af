export { createKafka, brokersFromEnv, type KafkaConnectionOptions } from './kafka/kafka-client';
export { ensureTopics, type TopicSpec } from './admin/topics';
export { EventProducer, type OutboundMessage, type EventProducerOptions } from './producer/event-producer';
export { envelopeHeaders } from './producer/envelope-headers';
export {
  EventConsumer,
  type EventConsumerOptions,
  type EventHandler,
  type MessageContext,
  type DlqReason,
} from './consumer/event-consumer';
export { InMemoryIdempotencyStore, type IdempotencyStore } from './consumer/idempotency-store';
export { DEFAULT_RETRY, backoffDelay, type RetryPolicy } from './consumer/backoff';
export { decodeMessage, type Decoded } from './consumer/decode-message';
