import { Type, type Static } from '@sinclair/typebox';
import { Topics } from '../topics';
import { DateTime, Id } from '../schemas/primitives';
import { defineEvent } from './define-event';

/** Most entries one TokensUsed event may carry. */
export const TOKENS_USED_MAX_ENTRIES = 1000;

export const TokenUsageEntrySchema = Type.Object(
  {
    tokenId: Id('The used token.'),
    lastUsedAt: DateTime('Latest use of the token seen in the batch.'),
    count: Type.Integer({ minimum: 1, description: 'Number of uses in the batch.' }),
  },
  { additionalProperties: false },
);
export type TokenUsageEntry = Static<typeof TokenUsageEntrySchema>;

export const TokensUsedDataSchema = Type.Object(
  {
    entries: Type.Array(TokenUsageEntrySchema, {
      minItems: 1,
      maxItems: TOKENS_USED_MAX_ENTRIES,
      description: 'Usage per token since the previous batch.',
    }),
  },
  { additionalProperties: false },
);
export type TokensUsedData = Static<typeof TokensUsedDataSchema>;

export const tokenUsageEvents = {
  TokensUsed: defineEvent({
    topic: Topics.tokenUsage,
    aggregateType: 'token-usage',
    schemaVersion: 1,
    data: TokensUsedDataSchema,
    description:
      'A gateway or verifier reports token usage in batches. Merging is commutative (max lastUsedAt, sum count), so consumers need no ordering.',
    ordering: 'none needed; key = tokenId (of the first entry when a batch holds several)',
    exampleAggregateId: '4e6a8c0b-2d4f-4b6a-8c0e-2f4a6b8c0d2e',
    example: {
      entries: [
        { tokenId: '4e6a8c0b-2d4f-4b6a-8c0e-2f4a6b8c0d2e', lastUsedAt: '2025-01-15T10:29:12.000Z', count: 42 },
        { tokenId: '8a0c2e4f-6b8d-4f0a-9c2e-4a6c8e0f2b4d', lastUsedAt: '2025-01-15T10:28:58.000Z', count: 3 },
      ],
    },
  }),
};
