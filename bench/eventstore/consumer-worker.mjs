// The relay-latency bench's consumer, on a thread of its own: downstream consumers run in other
// processes (gateways, services), so the moment an event is received is not held up by the bench's
// own appends and relay on the main thread's event loop. Posts [eventId, epoch ms] per event.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const { EventConsumer, InMemoryIdempotencyStore, createKafka, DEFAULT_MAX_WAIT_MS } = require('@latchkey/messaging');

const now = () => performance.timeOrigin + performance.now();
const kafka = createKafka({ clientId: 'bench-consumer' });
const consumer = new EventConsumer(kafka, {
  groupId: workerData.groupId,
  topics: [workerData.topic],
  ...(workerData.maxWaitTimeInMs ? { maxWaitTimeInMs: workerData.maxWaitTimeInMs } : {}),
  idempotency: new InMemoryIdempotencyStore(),
  handler: async (e) => parentPort.postMessage([e.id, now()]),
});
// raw: plain strings, not envelopes — a bare kafkajs consumer, configured as ours are
const raw = workerData.raw
  ? kafka.consumer({ groupId: workerData.groupId, maxWaitTimeInMs: DEFAULT_MAX_WAIT_MS })
  : null;
parentPort.on('message', async (m) => {
  if (m === 'stop') {
    await (raw ? raw.disconnect() : consumer.stop());
    parentPort.postMessage('stopped');
  }
});
if (raw) {
  await raw.connect();
  await raw.subscribe({ topic: workerData.topic, fromBeginning: true });
  await raw.run({
    partitionsConsumedConcurrently: 6,
    eachMessage: async ({ message }) => parentPort.postMessage([message.value.toString(), now()]),
  });
} else await consumer.start();
parentPort.postMessage('started');
