import { integer } from './env-var';

/**
 * How long the broker may hold a consumer's fetch when nothing new arrives (it answers at once
 * when something does, so delivery latency does not depend on it). Every service's consumers
 * read it. Idle, each consumer costs the broker and its process one fetch per interval: at 1 s
 * the idle platform used 5.4 % of a core, at 5 s 2.9 % (docs/benchmarks.md). The price of a
 * longer wait: stopping a consumer, a rebalance and a blocked message's next retry can each take
 * up to one interval. At most 10 s, well inside the 30 s session timeout.
 */
export const KAFKA_FETCH_WAIT_ENV = {
  KAFKA_FETCH_WAIT_MS: integer({
    default: 5_000,
    min: 100,
    max: 10_000,
    description:
      'how long the broker holds an idle consumer fetch (events are delivered at once either way); shorter = faster stop and rebalance, longer = less idle CPU',
  }),
} as const;
