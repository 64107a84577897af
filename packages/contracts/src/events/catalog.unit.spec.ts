import {
  EventCatalog,
  EVENT_TYPES,
  exampleEvent,
  isEventType,
  latestSchemaVersion,
  type EventData,
  type EventOf,
  type EventType,
  type LatchkeyEvent,
} from './catalog';
import { TopicCatalog, Topics, type TopicName } from '../topics';
import { validateEvent } from '../validation/validate-event';
import { hasUpcaster } from '../validation/upcasters';
import { toJsonSchema } from '../schemas/json-schemas';
import type { TSchema } from '@sinclair/typebox';

/** The catalog shape other packages code against (checked by tsc). */
type PublishedCatalogShape = Record<
  EventType,
  {
    topic: TopicName;
    aggregateType: string;
    schemaVersion: number;
    data: TSchema;
    description: string;
    ordering: string;
  }
>;

describe('event catalog', () => {
  it('given every catalog event, when its example envelope is validated, then it is valid', () => {
    // given
    const types = EVENT_TYPES;
    // when
    const failures = types
      .map((type) => ({ type, result: validateEvent(exampleEvent(type)) }))
      .filter(({ result }) => !result.ok);
    // then
    expect(types).toHaveLength(17);
    expect(failures).toEqual([]);
  });

  it('given the example of an event, when it is built twice, then both are equal and carry the catalog data', () => {
    // when
    const first = exampleEvent('TokenIssued');
    const second = exampleEvent('TokenIssued');
    // then
    expect(first).toEqual(second);
    expect(first.data).toEqual(EventCatalog.TokenIssued.example);
    expect(first.aggregateId).toBe(first.data.grantId);
    expect(first.schemaVersion).toBe(EventCatalog.TokenIssued.schemaVersion);
    // the example data is a copy: changing it leaves the catalog alone
    first.data.scopes.push('orders:delete');
    expect(EventCatalog.TokenIssued.example).not.toEqual(first.data);
  });

  it('given the topic catalog, when its events are listed, then every event type appears exactly once', () => {
    // when
    const listed = Object.values(TopicCatalog).flatMap((topic) => topic.events);
    // then
    expect([...listed].sort()).toEqual([...EVENT_TYPES].sort());
    expect(new Set(listed).size).toBe(listed.length);
  });

  it("given each topic's events, when compared with the event catalog, then each event's topic agrees", () => {
    // when
    const disagreements = (
      Object.entries(TopicCatalog) as Array<[TopicName, (typeof TopicCatalog)[TopicName]]>
    ).flatMap(([topic, entry]) =>
      entry.events.filter((type) => EventCatalog[type].topic !== topic).map((type) => `${type} listed on ${topic}`),
    );
    // then
    expect(disagreements).toEqual([]);
    expect(Object.keys(TopicCatalog).sort()).toEqual(Object.values(Topics).sort());
  });

  it('given the identity, application and token events, when their aggregate types are read, then they match the design', () => {
    // then
    expect(EventCatalog.AccountCreated.aggregateType).toBe('account');
    expect(EventCatalog.UserRegistered.aggregateType).toBe('user');
    expect(EventCatalog.MembershipChanged.aggregateType).toBe('user');
    expect(EventCatalog.ApplicationRegistered.aggregateType).toBe('application');
    expect(EventCatalog.GrantRevoked.aggregateType).toBe('grant');
    expect(EventCatalog.TokenIssued.topic).toBe(Topics.tokens);
    expect(EventCatalog.TokensUsed.topic).toBe(Topics.tokenUsage);
  });

  it('given every data schema, when its fields are walked, then each is an object closed to unknown properties and every field has a description', () => {
    // given
    const problems: string[] = [];
    const walk = (schema: Record<string, unknown>, path: string): void => {
      if (schema.type === 'object') {
        if (schema.additionalProperties !== false) problems.push(`${path}: additionalProperties is not false`);
        for (const [name, child] of Object.entries(
          (schema.properties ?? {}) as Record<string, Record<string, unknown>>,
        )) {
          if (typeof child.description !== 'string' || child.description.length === 0)
            problems.push(`${path}.${name}: no description`);
          walk(child, `${path}.${name}`);
        }
      }
      if (schema.type === 'array') walk(schema.items as Record<string, unknown>, `${path}[]`);
    };
    // when
    for (const type of EVENT_TYPES) walk(toJsonSchema(EventCatalog[type].data), type);
    // then
    expect(problems).toEqual([]);
  });

  it('given every catalog event, when its schema versions are checked, then every earlier version has a data schema and an upcaster', () => {
    // when
    const gaps = EVENT_TYPES.flatMap((type) => {
      const entry = EventCatalog[type];
      const missing: string[] = [];
      for (let version = 1; version < entry.schemaVersion; version += 1) {
        if (!hasUpcaster(type, version)) missing.push(`${type}: no upcaster from v${version}`);
        if (entry.previousDataSchemas?.[version] === undefined) missing.push(`${type}: no data schema for v${version}`);
      }
      if (!Number.isInteger(entry.schemaVersion) || entry.schemaVersion < 1) missing.push(`${type}: bad schemaVersion`);
      return missing;
    });
    // then
    expect(gaps).toEqual([]);
  });

  it('given the catalog, when used as the published Record shape, then every entry has its fields filled in', () => {
    // given
    const catalog: PublishedCatalogShape = EventCatalog;
    // when
    const incomplete = EVENT_TYPES.filter((type) => {
      const entry = catalog[type];
      return !entry.description || !entry.ordering || !entry.aggregateType || typeof entry.data !== 'object';
    });
    // then
    expect(incomplete).toEqual([]);
  });

  it('given type names, when isEventType and latestSchemaVersion are asked, then only catalog types are known', () => {
    // then
    expect(isEventType('GrantRevoked')).toBe(true);
    expect(isEventType('GrantDeleted')).toBe(false);
    expect(isEventType('toString')).toBe(false);
    expect(latestSchemaVersion('UserRegistered')).toBe(1);
    expect(latestSchemaVersion('NoSuchEvent')).toBeUndefined();
  });

  it('given the union of events, when narrowed by type, then the data type follows (checked by tsc)', () => {
    // given
    const event: LatchkeyEvent = exampleEvent('GrantRevoked');
    // when
    const grantId = event.type === 'GrantRevoked' ? event.data.grantId : undefined;
    const data: EventData<'TokenIssued'> = exampleEvent('TokenIssued').data;
    const typed: EventOf<'UserDeactivated'> = exampleEvent('UserDeactivated');
    // @ts-expect-error a TokenIssued has no `reason`
    const noReason: unknown = data.reason;
    // @ts-expect-error the type is not a catalog type
    const unknownType: EventType = 'GrantDeleted';
    // then
    expect(grantId).toBe(EventCatalog.GrantRevoked.example.grantId);
    expect(data.tokenHash).toHaveLength(43);
    expect(typed.data.reason).toBe('left the company');
    expect(noReason).toBeUndefined();
    expect(isEventType(unknownType)).toBe(false);
  });
});
