import { Type, type TSchema } from '@sinclair/typebox';
import { PROBLEM_CONTENT_TYPE } from '../problem/problem';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteResponseDoc {
  description: string;
  schema?: TSchema;
}

/** One served route, as the service declares it (path in Nest/Fastify style: `/users/:id`). */
export interface RouteDoc {
  method: HttpMethod;
  path: string;
  summary: string;
  description?: string;
  tags?: string[];
  operationId?: string;
  /** Bearer scopes the route requires; `[]` = any valid token; absent = public. */
  scopes?: string[];
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
  responses: Record<number, RouteResponseDoc>;
}

export interface OpenApiInput {
  title: string;
  version: string;
  description?: string;
  servers?: Array<{ url: string; description?: string }>;
  routes: RouteDoc[];
}

/** A plain JSON OpenAPI 3.1 document. */
export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; description?: string };
  servers?: Array<{ url: string; description?: string }>;
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags?: string[];
  security?: Array<Record<string, string[]>>;
  parameters?: Array<Record<string, unknown>>;
  requestBody?: Record<string, unknown>;
  responses: Record<string, Record<string, unknown>>;
}

export const BEARER_SCHEME = 'latchkeyBearer';

/** The problem+json body (RFC 9457) every error answer uses. */
export const ProblemSchema = Type.Object(
  {
    type: Type.String({ format: 'uri' }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String(),
    code: Type.String({ pattern: '^[a-z][a-z0-9_]*$' }),
    errors: Type.Optional(Type.Array(Type.Object({ path: Type.String(), message: Type.String() }))),
  },
  { additionalProperties: true, description: 'RFC 9457 problem details' },
);

/** The RFC 6750 body of bearer-token failures (with a WWW-Authenticate header). */
export const BearerErrorSchema = Type.Object(
  { error: Type.String(), error_description: Type.Optional(Type.String()) },
  { description: 'RFC 6750 bearer token error' },
);

const BODY_METHODS = new Set<HttpMethod>(['POST', 'PUT', 'PATCH', 'DELETE']);

/** `/users/:id` → `/users/{id}`. */
export function toOpenApiPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** `/users/{id}` → `/users/:id`. */
export function toFastifyPath(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}

/** A TypeBox schema as plain JSON (TypeBox's symbol keys dropped). */
const plain = (schema: TSchema): Record<string, unknown> =>
  JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const problemContent = { [PROBLEM_CONTENT_TYPE]: { schema: ref('Problem') } };

function objectMembers(
  schema: TSchema | undefined,
): Array<{ name: string; schema: Record<string, unknown>; required: boolean }> {
  if (!schema) return [];
  const json = plain(schema);
  const properties = (json.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, s]) => ({ name, schema: s, required: required.has(name) }));
}

function defaultOperationId(route: RouteDoc): string {
  const words = route.path
    .split('/')
    .filter(Boolean)
    .map((part) => (part.startsWith(':') ? 'by_' + part.slice(1) : part))
    .join('_');
  return `${route.method.toLowerCase()}_${words || 'root'}`.replace(/[^A-Za-z0-9_]+/g, '_');
}

function operationOf(route: RouteDoc): OpenApiOperation {
  const secured = route.scopes !== undefined;
  const descriptionParts = [route.description];
  if (secured) {
    descriptionParts.push(
      route.scopes!.length > 0
        ? `Requires a bearer token with the scopes: ${route.scopes!.map((s) => '`' + s + '`').join(', ')}.`
        : 'Requires a valid bearer token.',
    );
  }
  const description = descriptionParts.filter(Boolean).join('\n\n');

  const pathNames = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1] as string);
  const declared = new Map(objectMembers(route.params).map((m) => [m.name, m]));
  for (const name of declared.keys()) {
    if (!pathNames.includes(name))
      throw new Error(`${route.method} ${route.path}: params schema names "${name}", which is not in the path`);
  }
  const parameters: Array<Record<string, unknown>> = [
    ...pathNames.map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: declared.get(name)?.schema ?? { type: 'string' },
    })),
    ...objectMembers(route.query).map((m) => ({ name: m.name, in: 'query', required: m.required, schema: m.schema })),
  ];

  const responses: OpenApiOperation['responses'] = {};
  for (const [status, r] of Object.entries(route.responses)) {
    responses[status] = {
      description: r.description,
      ...(r.schema ? { content: { 'application/json': { schema: plain(r.schema) } } } : {}),
    };
  }
  const addError = (
    status: number,
    description: string,
    content: Record<string, unknown> = problemContent,
    extra: Record<string, unknown> = {},
  ) => {
    if (!responses[String(status)]) responses[String(status)] = { description, content, ...extra };
  };
  const bearer = { 'application/json': { schema: ref('BearerError') } };
  const challenge = {
    headers: { 'WWW-Authenticate': { description: 'RFC 6750 bearer challenge', schema: { type: 'string' } } },
  };
  addError(
    400,
    'The request is invalid (validation_failed, malformed_json, invalid_cursor, …)',
    secured ? { ...problemContent, ...bearer } : problemContent,
  );
  if (secured) {
    addError(401, 'No valid bearer token (RFC 6750)', bearer, challenge);
    addError(403, 'The token lacks a required scope or account (RFC 6750)', bearer, challenge);
  }
  addError(404, 'Not found');
  if (BODY_METHODS.has(route.method)) {
    addError(413, 'The request body is too large (payload_too_large)');
    addError(415, 'The request body is not JSON (unsupported_media_type)');
  }
  addError(500, 'Unexpected error (internal_error)');

  const op: OpenApiOperation = {
    operationId: route.operationId ?? defaultOperationId(route),
    summary: route.summary,
    responses,
  };
  if (description) op.description = description;
  if (route.tags?.length) op.tags = [...route.tags];
  if (secured) op.security = [{ [BEARER_SCHEME]: [...route.scopes!] }];
  if (parameters.length) op.parameters = parameters;
  if (route.body) op.requestBody = { required: true, content: { 'application/json': { schema: plain(route.body) } } };
  return op;
}

/** The OpenAPI 3.1 document of a route table; every route also lists the errors it can answer. */
export function buildOpenApiDocument(input: OpenApiInput): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const operationIds = new Set<string>();
  for (const route of input.routes) {
    const path = toOpenApiPath(route.path);
    const method = route.method.toLowerCase();
    const item = (paths[path] ??= {});
    if (item[method]) throw new Error(`route ${route.method} ${route.path} is listed twice`);
    const op = operationOf(route);
    if (operationIds.has(op.operationId)) throw new Error(`operationId ${op.operationId} is used twice`);
    operationIds.add(op.operationId);
    item[method] = op;
  }
  const doc: OpenApiDocument = {
    openapi: '3.1.0',
    info: {
      title: input.title,
      version: input.version,
      ...(input.description ? { description: input.description } : {}),
    },
    paths,
    components: {
      schemas: { Problem: plain(ProblemSchema), BearerError: plain(BearerErrorSchema) },
      securitySchemes: {
        [BEARER_SCHEME]: {
          type: 'http',
          scheme: 'bearer',
          description: 'A Latchkey access token or personal access token',
        },
      },
    },
  };
  if (input.servers?.length) doc.servers = input.servers.map((s) => ({ ...s }));
  return doc;
}

export interface RouteKey {
  method: string;
  path: string;
}

const byKey = (a: RouteKey, b: RouteKey) =>
  a.path === b.path ? a.method.localeCompare(b.method) : a.path.localeCompare(b.path);

/** The routes a document describes, in Fastify style (`/users/:id`), sorted. */
export function documentedRoutes(document: Pick<OpenApiDocument, 'paths'>): RouteKey[] {
  const out: RouteKey[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of Object.keys(item)) out.push({ method: method.toUpperCase(), path: toFastifyPath(path) });
  }
  return out.sort(byKey);
}

export { byKey as compareRouteKeys };
