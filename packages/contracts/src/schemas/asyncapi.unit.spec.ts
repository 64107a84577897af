import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { schemas as asyncApiSpecs } from '@asyncapi/specs';
import { EVENT_TYPES, exampleEvent } from '../events/catalog';
import { DEFAULT_PARTITIONS, TopicCatalog, Topics } from '../topics';
import { asyncApiDocument } from './asyncapi';

type Doc = {
  asyncapi: string;
  channels: Record<
    string,
    { address: string; messages: Record<string, { $ref: string }>; bindings: { kafka: Record<string, unknown> } }
  >;
  operations: Record<string, { action: string; channel: { $ref: string }; messages: Array<{ $ref: string }> }>;
  components: {
    schemas: Record<string, object>;
    messages: Record<
      string,
      {
        payload: { $ref: string };
        bindings: { kafka: { key: { description: string } } };
        examples: Array<{ payload: unknown }>;
      }
    >;
  };
};

/** Resolves a local `#/a/b` reference in the document. */
function resolve(doc: object, ref: string): unknown {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
}

function asyncApiValidator() {
  // The spec bundles its own copy of the draft-07 meta-schema, so ajv must not add one.
  const ajv = new Ajv({ strict: false, allErrors: true, meta: false, validateSchema: false });
  addFormats(ajv);
  return ajv.compile(asyncApiSpecs['3.0.0']);
}

describe('asyncApiDocument', () => {
  it('given the document, when validated against the official AsyncAPI 3.0.0 schema, then it is valid (and a broken copy is not)', () => {
    // given
    const validate = asyncApiValidator();
    const doc = asyncApiDocument() as Doc;
    const broken = structuredClone(doc);
    broken.operations.publishTokens!.action = 'publish';
    // then
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(validate(broken)).toBe(false);
  });

  it('given the document, when its channels are read, then there is one per topic with its address, partitions and unlimited retention', () => {
    // when
    const doc = asyncApiDocument() as Doc;
    // then
    expect(
      Object.values(doc.channels)
        .map((channel) => channel.address)
        .sort(),
    ).toEqual(Object.values(Topics).sort());
    for (const channel of Object.values(doc.channels)) {
      expect(channel.bindings.kafka).toMatchObject({
        partitions: DEFAULT_PARTITIONS,
        topicConfiguration: { 'retention.ms': -1 },
      });
      expect(Object.keys(channel.messages)).toEqual(TopicCatalog[channel.address as keyof typeof TopicCatalog].events);
    }
  });

  it('given the document, when every reference is followed, then each message has a payload schema, a key description and a valid example', () => {
    // given
    const doc = asyncApiDocument() as Doc;
    const refs = [
      ...Object.values(doc.channels).flatMap((channel) => Object.values(channel.messages).map((m) => m.$ref)),
      ...Object.values(doc.operations).flatMap((op) => [op.channel.$ref, ...op.messages.map((m) => m.$ref)]),
      ...Object.values(doc.components.messages).map((m) => m.payload.$ref),
    ];
    // when
    const dangling = refs.filter((ref) => resolve(doc, ref) === undefined);
    // then
    expect(refs.length).toBeGreaterThan(EVENT_TYPES.length * 3);
    expect(dangling).toEqual([]);
    expect(Object.keys(doc.components.messages).sort()).toEqual([...EVENT_TYPES].sort());
    expect(doc.components.messages.TokenIssued!.bindings.kafka.key.description).toContain('grantId');
    expect(doc.components.messages.TokenIssued!.examples[0]!.payload).toEqual(exampleEvent('TokenIssued'));
    expect(Object.values(doc.operations).every((op) => op.action === 'send')).toBe(true);
  });
});
