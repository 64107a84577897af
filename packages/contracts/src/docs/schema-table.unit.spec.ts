import { cell, describeType, fieldRows } from './schema-table';

describe('schema table', () => {
  it.each([
    [{ type: 'string', minLength: 1, maxLength: 200 }, 'string (1–200 chars)'],
    [{ type: ['string', 'null'], format: 'date-time' }, 'string (date-time) | null'],
    [{ type: 'string', enum: ['pat', 'access'] }, '`"pat"` | `"access"`'],
    [{ type: 'integer', minimum: 1 }, 'integer ≥ 1'],
    [{ type: 'array', items: { type: 'string', title: 'Scope' }, uniqueItems: true }, 'array of Scope; unique'],
    [{ type: 'array', items: { type: 'object' }, minItems: 1, maxItems: 1000 }, 'array of object; 1–1000 items'],
    [
      { type: 'string', pattern: '^[A-Za-z0-9_-]{43}$', minLength: 43, maxLength: 43 },
      'string (pattern `^[A-Za-z0-9_-]{43}$`, exactly 43 chars)',
    ],
  ])('given %j, when described, then it reads %s', (schema, expected) => {
    expect(describeType(schema)).toBe(expected);
  });

  it('given an object with a nested array of objects, when rows are made, then nested fields are flattened with their required flags', () => {
    // given
    const schema = {
      type: 'object',
      required: ['entries'],
      properties: {
        entries: {
          type: 'array',
          description: 'all',
          items: { type: 'object', required: ['id'], properties: { id: { type: 'string' }, n: { type: 'integer' } } },
        },
        note: { type: 'string', description: 'a | b' },
      },
    };
    // when
    const rows = fieldRows(schema);
    // then
    expect(rows.map((row) => [row.name, row.required])).toEqual([
      ['entries', true],
      ['entries[].id', true],
      ['entries[].n', false],
      ['note', false],
    ]);
    expect(cell(rows[3]!.description)).toBe('a \\| b');
  });
});
