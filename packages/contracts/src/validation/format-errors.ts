import type { ErrorObject } from 'ajv';

/** '/data/entries/0/count' → 'data.entries[0].count'. */
function toPath(instancePath: string): string {
  if (instancePath === '') return '';
  return instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce(
      (path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path === '' ? segment : `${path}.${segment}`),
      '',
    );
}

function child(path: string, property: string): string {
  return path === '' ? property : `${path}.${property}`;
}

function describe(error: ErrorObject): [path: string, message: string] {
  const path = toPath(error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return [child(path, String(params.missingProperty)), 'is required'];
    case 'additionalProperties':
      return [child(path, String(params.additionalProperty)), 'is not allowed (unknown property)'];
    case 'enum':
      return [path, `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`];
    case 'const':
      return [path, `must be ${JSON.stringify(params.allowedValue)}`];
    case 'type':
      return [path, `must be ${String(params.type).split(',').join(' or ')}`];
    default:
      return [path, error.message ?? error.keyword];
  }
}

/** ajv errors → readable, de-duplicated strings like "data.userId: must be string". */
export function formatErrors(errors: readonly ErrorObject[] | null | undefined): string[] {
  const lines = (errors ?? []).map((error) => {
    const [path, message] = describe(error);
    return `${path === '' ? '(event)' : path}: ${message}`;
  });
  return [...new Set(lines)];
}
