import { CompressionTypes, Partitioners, type Kafka, type Message, type Producer } from 'kafkajs';
import { assertValidEvent, type EventEnvelope } from '@latchkey/contracts';
import { envelopeHeaders } from './envelope-headers';

export interface OutboundMessage {
  topic: string;
  envelope: EventEnvelope;
  /** Kafka key; default: the envelope's aggregateId, so each aggregate's events keep their order. */
  key?: string;
}

export interface EventProducerOptions {
  /** Validate every envelope against packages/contracts before sending (default true). */
  validate?: boolean;
  compression?: CompressionTypes;
}

/**
 * Idempotent producer: acks from all in-sync replicas, one request in flight per broker (so a
 * retried batch cannot overtake the next one), key = aggregate id, envelope fields as headers.
 */
export class EventProducer {
  private readonly producer: Producer;
  private connected = false;

  constructor(
    kafka: Kafka,
    private readonly options: EventProducerOptions = {},
  ) {
    this.producer = kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    });
  }

  async connect(): Promise<void> {
    if (this.connected) return;
    await this.producer.connect();
    this.connected = true;
  }

  async disconnect(): Promise<void> {
    if (!this.connected) return;
    this.connected = false;
    await this.producer.disconnect();
  }

  /** Sends the messages; resolves once Kafka acknowledged all of them. */
  async publish(messages: OutboundMessage[]): Promise<void> {
    if (messages.length === 0) return;
    if (!this.connected) await this.connect();
    const byTopic = new Map<string, Message[]>();
    for (const m of messages) {
      const envelope = this.options.validate === false ? m.envelope : assertValidEvent(m.envelope);
      const list = byTopic.get(m.topic) ?? [];
      list.push({
        key: m.key ?? envelope.aggregateId,
        value: JSON.stringify(envelope),
        headers: envelopeHeaders(envelope),
      });
      byTopic.set(m.topic, list);
    }
    await this.producer.sendBatch({
      acks: -1,
      compression: this.options.compression ?? CompressionTypes.None,
      topicMessages: [...byTopic].map(([topic, msgs]) => ({ topic, messages: msgs })),
    });
  }
}
