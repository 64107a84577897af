export { createKafka, brokersFromEnv, type KafkaConnectionOptions } from './kafka/kafka-client';
export { ensureTopics, type TopicSpec } from './admin/topics';
export { highWaterMarks, SharedAdmin, type HighWaterMarks } from './admin/high-water-marks';
export { ConsumerPositions } from './consumer/consumer-positions';
export { EventProducer, type OutboundMessage, type EventProducerOptions } from './producer/event-producer';
export { envelopeHeaders } from './producer/envelope-headers';
export {
  EventConsumer,
  DEFAULT_MAX_WAIT_MS,
  type EventConsumerOptions,
  type EventHandler,
  type MessageContext,
  type DlqReason,
} from './consumer/event-consumer';
export {
  type BlockReason,
  type BlockedInfo,
  type BlockedPartition,
  type UnblockedInfo,
} from './consumer/blocked-partitions';
export { UnprocessableEventError, isUnprocessableEventError } from './consumer/unprocessable-event.error';
export { InMemoryIdempotencyStore, type IdempotencyStore } from './consumer/idempotency-store';
export { DEFAULT_RETRY, backoffDelay, type RetryPolicy } from './consumer/backoff';
export { decodeMessage, type Decoded } from './consumer/decode-message';
export {
  replayDeadLetters,
  type ReplayDeadLettersOptions,
  type ReplayDeadLettersResult,
  type DeadLetterSummary,
} from './dlq/replay-dead-letters';
