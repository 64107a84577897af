import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { SCOPE_PATTERN } from '@latchkey/contracts';
import type { ActiveToken } from '@latchkey/token-verifier';

/**
 * The route policy file of the gateway (YAML or JSON). Every object is closed
 * (`additionalProperties: false`) so that a misspelt key is an error, not a silently ignored
 * setting. Cross-field rules that JSON Schema cannot express well (unique names, `account.param`
 * present in the path, `stripPrefix` a prefix of the path, public routes without auth fields,
 * duplicate method + pattern) are checked by `loadRoutePolicy`.
 *
 * `x-error` is a message keyword of this module: when a value fails its schema, the loader
 * reports this text instead of ajv's generic one (e.g. instead of `must match pattern "^...$"`).
 */

/** HTTP methods a route may list. */
export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/**
 * How a route treats one trailing slash after its last literal or parameter segment (a wildcard
 * route takes it either way).
 */
export const TRAILING_SLASH_RULES = ['strict', 'optional'] as const;
export type TrailingSlashRule = (typeof TRAILING_SLASH_RULES)[number];

/** Kinds of token subject (see ActiveToken.subjectKind). */
export const SUBJECT_KINDS = ['human', 'api', 'contact', 'client'] as const;
export type SubjectKind = (typeof SUBJECT_KINDS)[number];
// Compile-time guard: the list must stay equal to the verifier's subject kinds (fails to compile otherwise).
type SameUnion<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** @internal */
export const SUBJECT_KINDS_MATCH_VERIFIER: SameUnion<SubjectKind, NonNullable<ActiveToken['subjectKind']>> = true;

/** Route names: lower-case snake_case or kebab-case, e.g. `order_status` or `order-status`. */
export const ROUTE_NAME_PATTERN = '^[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*$';

/** A literal path segment: unreserved URL characters only, so that it never needs encoding. */
export const LITERAL_SEGMENT_PATTERN = '[A-Za-z0-9._~-]+';
/** A `:param` segment; the name is an identifier. */
export const PARAM_SEGMENT_PATTERN = ':[A-Za-z_][A-Za-z0-9_]*';
/** `/`, or `/seg/:param/...` optionally ending in `/*`, or `/*`. */
export const PATH_PATTERN = `^(?:/|(?:/(?:${LITERAL_SEGMENT_PATTERN}|${PARAM_SEGMENT_PATTERN}))*(?:/\\*)?)$`;

/** An HTTP header name (RFC 9110 token). */
export const HEADER_NAME_PATTERN = "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$";

function Enum<const T extends readonly string[]>(values: T, options: Record<string, unknown> = {}) {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

const Method = Enum(HTTP_METHODS, { 'x-error': `must be one of ${HTTP_METHODS.join(', ')}` });
const SubjectKindSchema = Enum(SUBJECT_KINDS, { 'x-error': `must be one of ${SUBJECT_KINDS.join(', ')}` });

const ScopeSchema = Type.String({
  pattern: SCOPE_PATTERN.source,
  maxLength: 200,
  description: 'A scope `<resource>:<action>`, action one of create, read, update, delete or `*`.',
  'x-error': 'must be a scope <resource>:<action> (action create|read|update|delete|*), e.g. orders:read',
});

export const RouteMatchSchema = Type.Object(
  {
    path: Type.String({
      minLength: 1,
      maxLength: 1000,
      pattern: PATH_PATTERN,
      description:
        'Path pattern: literal segments, `:param` segments and an optional trailing `*` (zero or more segments).',
      'x-error':
        'must be a path pattern starting with "/": literal segments ([A-Za-z0-9._~-]), :param segments and an optional trailing /*',
    }),
    methods: Type.Optional(
      Type.Array(Method, {
        minItems: 1,
        uniqueItems: true,
        description: 'Methods this route matches (default: all). A GET route also matches HEAD.',
      }),
    ),
    caseSensitive: Type.Optional(
      Type.Boolean({
        description:
          'Whether literal segments compare case-sensitively (ASCII letters only). Default: false on a protected route, true on a public one.',
      }),
    ),
    trailingSlash: Type.Optional(
      Enum(TRAILING_SLASH_RULES, {
        description:
          'strict: `/a/` does not match `/a`; optional: it does (the path goes upstream as received). Default: optional on a protected route, strict on a public one.',
        'x-error': `must be one of ${TRAILING_SLASH_RULES.join(', ')}`,
      }),
    ),
  },
  { additionalProperties: false },
);

export const AccountFromHeaderSchema = Type.Object(
  {
    header: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: HEADER_NAME_PATTERN,
      'x-error': 'must be an HTTP header name',
    }),
  },
  { additionalProperties: false },
);
export const AccountFromParamSchema = Type.Object(
  {
    param: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
      'x-error': 'must be the name of a :param of the path',
    }),
  },
  { additionalProperties: false },
);

export const RateLimitSchema = Type.Object(
  {
    perTokenPerSecond: Type.Number({
      exclusiveMinimum: 0,
      maximum: 1_000_000,
      description: 'Sustained requests per second per token.',
    }),
    burst: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 1_000_000,
        description: 'Bucket size (default: perTokenPerSecond rounded up).',
      }),
    ),
  },
  { additionalProperties: false },
);

export const RouteSchema = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 100,
      pattern: ROUTE_NAME_PATTERN,
      'x-error': 'must be a lower-case snake_case or kebab-case name, e.g. order-status',
    }),
    match: RouteMatchSchema,
    upstream: Type.String({
      minLength: 1,
      maxLength: 2000,
      pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^\\s]+$',
      description: 'Absolute http(s) base URL; the request path (after stripPrefix) is appended to its path.',
      'x-error': 'must be an absolute http(s) URL',
    }),
    stripPrefix: Type.Optional(
      Type.String({
        minLength: 2,
        maxLength: 1000,
        pattern: `^(?:/${LITERAL_SEGMENT_PATTERN})+$`,
        description: 'Leading literal segments of match.path removed before the path is appended to upstream.',
        'x-error': 'must be a path of literal segments like /api (no trailing slash)',
      }),
    ),
    public: Type.Optional(
      Type.Boolean({ description: 'No token needed, nothing verified, identity headers never set (default false).' }),
    ),
    scopes: Type.Optional(
      Type.Array(ScopeSchema, { uniqueItems: true, maxItems: 100, description: 'Scopes the token must all carry.' }),
    ),
    account: Type.Optional(
      Type.Union([AccountFromHeaderSchema, AccountFromParamSchema], {
        description: 'Where the account id comes from: a request header or a path parameter.',
        'x-error': 'must be { header: <header name> } or { param: <path parameter> }',
      }),
    ),
    subjectKinds: Type.Optional(
      Type.Array(SubjectKindSchema, {
        minItems: 1,
        uniqueItems: true,
        description: 'Subject kinds that may pass (default: all).',
      }),
    ),
    forwardToken: Type.Optional(
      Type.Boolean({ description: 'Forward the Authorization header upstream (default false: it is removed).' }),
    ),
    rateLimit: Type.Optional(RateLimitSchema),
  },
  { additionalProperties: false },
);

export const RoutePolicyFileSchema = Type.Object(
  { routes: Type.Array(RouteSchema, { minItems: 1, maxItems: 10_000 }) },
  { additionalProperties: false, title: 'RoutePolicy' },
);

/** The file as written (optional fields may be absent). */
export type RoutePolicyFile = Static<typeof RoutePolicyFileSchema>;
export type RouteDefinition = Static<typeof RouteSchema>;
export type AccountSource = { header: string } | { param: string };

/** A validated route with every default applied. */
export interface Route {
  readonly name: string;
  readonly match: {
    readonly path: string;
    readonly methods: readonly HttpMethod[];
    /**
     * Literal segments compare exactly (true) or ignoring ASCII case (false). Default false on a
     * protected route and true on a public one: a spelling an upstream may fold together then
     * lands on a protected route rather than slipping past it to a public one.
     */
    readonly caseSensitive: boolean;
    /** Default `optional` on a protected route and `strict` on a public one (same reason). */
    readonly trailingSlash: TrailingSlashRule;
  };
  readonly upstream: string;
  /** undefined: the whole request path is appended to upstream */
  readonly stripPrefix: string | undefined;
  readonly public: boolean;
  /** required scopes (all of them); empty for public routes */
  readonly scopes: readonly string[];
  readonly account: Readonly<AccountSource> | undefined;
  /** kinds allowed to pass; all kinds when the file does not restrict them */
  readonly subjectKinds: readonly SubjectKind[];
  readonly forwardToken: boolean;
  readonly rateLimit: { readonly perTokenPerSecond: number; readonly burst: number } | undefined;
}

/** The route type the matcher hands out (the same validated, defaulted route). */
export type CompiledRoute = Route;

/** A validated policy: routes in file order (the first match wins). */
export interface RoutePolicy {
  readonly routes: readonly Route[];
}

/** Used by the loader to find the `x-error` message of a failing schema. */
export function customMessage(schema: unknown): string | undefined {
  if (schema && typeof schema === 'object' && typeof (schema as TSchema)['x-error'] === 'string') {
    return (schema as TSchema)['x-error'] as string;
  }
  return undefined;
}
