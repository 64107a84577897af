/**
 * Renders a (plain JSON) object schema as rows of a markdown table: name, type, required,
 * description. Nested objects in arrays are flattened as `entries[].tokenId`.
 */
type JsonSchema = Record<string, unknown>;

export interface FieldRow {
  name: string;
  type: string;
  required: boolean;
  description: string;
}

/** Schemas with a `title` are named types, documented once under "Shared types". */
function namedType(schema: JsonSchema): string | undefined {
  return typeof schema.title === 'string' && schema.type !== 'object' ? schema.title : undefined;
}

function lengthRange(min: unknown, max: unknown, unit: string): string | undefined {
  if (typeof min === 'number' && typeof max === 'number')
    return min === max ? `exactly ${min} ${unit}` : `${min}–${max} ${unit}`;
  if (typeof min === 'number') return `≥ ${min} ${unit}`;
  if (typeof max === 'number') return `≤ ${max} ${unit}`;
  return undefined;
}

function describeSingle(type: string, schema: JsonSchema): string {
  switch (type) {
    case 'string': {
      const details = [
        typeof schema.format === 'string' ? schema.format : undefined,
        typeof schema.pattern === 'string' ? `pattern \`${schema.pattern}\`` : undefined,
        lengthRange(schema.minLength, schema.maxLength, 'chars'),
      ].filter((d): d is string => d !== undefined);
      return details.length === 0 ? 'string' : `string (${details.join(', ')})`;
    }
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? `${type} ≥ ${schema.minimum}` : type;
    case 'array': {
      const items = (schema.items ?? {}) as JsonSchema;
      const details = [
        lengthRange(schema.minItems, schema.maxItems, 'items'),
        schema.uniqueItems === true ? 'unique' : undefined,
      ].filter((d): d is string => d !== undefined);
      const itemType = items.type === 'object' ? 'object' : describeType(items);
      return `array of ${itemType}${details.length === 0 ? '' : `; ${details.join(', ')}`}`;
    }
    default:
      return type;
  }
}

/** Human-readable type of a schema, e.g. `string (date-time) | null`, `array of Scope; unique`. */
export function describeType(schema: JsonSchema): string {
  const named = namedType(schema);
  if (named !== undefined) return named;
  if (Array.isArray(schema.enum)) return schema.enum.map((value) => `\`${JSON.stringify(value)}\``).join(' | ');
  if (schema.const !== undefined) return `\`${JSON.stringify(schema.const)}\``;
  const types = Array.isArray(schema.type)
    ? (schema.type as string[])
    : typeof schema.type === 'string'
      ? [schema.type]
      : [];
  if (types.length === 0) return 'any';
  return types.map((type) => describeSingle(type, schema)).join(' | ');
}

/** Rows for every property of an object schema, in declaration order, nested array objects flattened. */
export function fieldRows(objectSchema: JsonSchema, prefix = ''): FieldRow[] {
  const properties = (objectSchema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((objectSchema.required ?? []) as string[]);
  const rows: FieldRow[] = [];
  for (const [name, schema] of Object.entries(properties)) {
    const path = `${prefix}${name}`;
    rows.push({
      name: path,
      type: describeType(schema),
      required: required.has(name),
      description: typeof schema.description === 'string' ? schema.description : '',
    });
    const items = schema.items as JsonSchema | undefined;
    if (schema.type === 'array' && items?.type === 'object') rows.push(...fieldRows(items, `${path}[].`));
    if (schema.type === 'object' && schema.properties !== undefined) rows.push(...fieldRows(schema, `${path}.`));
  }
  return rows;
}

/** Escapes a markdown table cell (pipes and line breaks). */
export function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function fieldTable(objectSchema: JsonSchema): string[] {
  return [
    '| field | type | required | description |',
    '|---|---|---|---|',
    ...fieldRows(objectSchema).map(
      (row) =>
        `| \`${cell(row.name)}\` | ${cell(row.type)} | ${row.required ? 'yes' : 'no'} | ${cell(row.description)} |`,
    ),
  ];
}
