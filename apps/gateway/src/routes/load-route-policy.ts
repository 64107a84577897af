import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { parseDocument } from 'yaml';
import { literalPrefix, parsePathPattern, patternShape, type PathPattern } from './path-pattern';
import {
  customMessage,
  HTTP_METHODS,
  PATH_PATTERN,
  ROUTE_NAME_PATTERN,
  RoutePolicyFileSchema,
  SUBJECT_KINDS,
  type AccountSource,
  type HttpMethod,
  type Route,
  type RouteDefinition,
  type RoutePolicy,
  type RoutePolicyFile,
} from './route-policy.schema';

/** One problem of a policy file: where (`routes[2].upstream`) and what. */
export interface RoutePolicyIssue {
  readonly path: string;
  readonly message: string;
}

/** Thrown once per file, listing every problem found (never only the first). */
export class RoutePolicyError extends Error {
  override readonly name = 'RoutePolicyError';

  constructor(
    readonly fileName: string,
    readonly issues: readonly RoutePolicyIssue[],
  ) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(
      `Route policy ${fileName} is invalid (${count}):\n` + issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n'),
    );
  }
}

const ROOT = '(root)';
const FILE = '(file)';

/** Route fields that only make sense when a token is verified. */
const AUTH_FIELDS = ['scopes', 'account', 'subjectKinds', 'forwardToken', 'rateLimit'] as const;

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: true, verbose: true });
    ajv.addKeyword({ keyword: 'x-error', schemaType: 'string' });
    validator = ajv.compile(RoutePolicyFileSchema);
  }
  return validator;
}

/**
 * Parses (by the extension of fileName: .yaml, .yml or .json) and validates a route policy.
 * Returns the routes in file order with every default applied; throws one RoutePolicyError
 * naming every problem otherwise.
 */
export function loadRoutePolicy(fileContents: string, fileName: string): RoutePolicy {
  const data = parse(fileContents, fileName);
  const issues: RoutePolicyIssue[] = [];
  const v = validate();
  if (!v(data)) issues.push(...fromAjv(v.errors ?? []));
  issues.push(...crossFieldIssues(data));
  if (issues.length > 0) throw new RoutePolicyError(fileName, sortIssues(dedupe(issues)));
  const file = data as RoutePolicyFile;
  return Object.freeze({ routes: Object.freeze(file.routes.map(resolveRoute)) });
}

/** Reads a policy file (synchronously: this runs once, at start) and loads it. */
export function loadRoutePolicyFile(path: string): RoutePolicy {
  let contents: string;
  try {
    contents = readFileSync(path, 'utf8');
  } catch (err) {
    throw new RoutePolicyError(path, [{ path: FILE, message: `cannot be read: ${(err as Error).message}` }]);
  }
  return loadRoutePolicy(contents, path);
}

// ---------------------------------------------------------------------------------------------
// Parsing

function parse(contents: string, fileName: string): unknown {
  const ext = extname(fileName).toLowerCase();
  if (ext === '.json') {
    try {
      return JSON.parse(contents) as unknown;
    } catch (err) {
      throw new RoutePolicyError(fileName, [{ path: FILE, message: `is not valid JSON: ${(err as Error).message}` }]);
    }
  }
  if (ext === '.yaml' || ext === '.yml') {
    const doc = parseDocument(contents, { uniqueKeys: true, prettyErrors: true });
    if (doc.errors.length > 0) {
      throw new RoutePolicyError(
        fileName,
        doc.errors.map((e) => {
          const at = e.linePos?.[0];
          const where = at ? `line ${at.line}, column ${at.col}: ` : '';
          return { path: FILE, message: `is not valid YAML: ${where}${e.message.split('\n')[0]}` };
        }),
      );
    }
    try {
      return doc.toJS({ maxAliasCount: 1000 }) as unknown;
    } catch (err) {
      throw new RoutePolicyError(fileName, [{ path: FILE, message: `is not valid YAML: ${(err as Error).message}` }]);
    }
  }
  throw new RoutePolicyError(fileName, [
    { path: FILE, message: `has an unsupported extension "${ext || '(none)'}": use .yaml, .yml or .json` },
  ]);
}

// ---------------------------------------------------------------------------------------------
// ajv errors → issues

/** `/routes/2/match/path` → `routes[2].match.path` */
function location(pointer: string, extra?: string): string {
  const parts =
    pointer === ''
      ? []
      : pointer
          .slice(1)
          .split('/')
          .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) {
    if (/^\d+$/.test(p)) out += `[${p}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out || ROOT;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (object)',
  number: 'a number',
  integer: 'an integer',
};

const CUSTOM_MESSAGE_KEYWORDS = new Set(['pattern', 'enum', 'anyOf', 'minLength']);

function fromAjv(errors: readonly ErrorObject[]): RoutePolicyIssue[] {
  // For a failing union (account), keep only the errors of the branch the value was meant for
  // (the one whose shape matched); otherwise one message for the whole union.
  const dropped = new Set<ErrorObject>();
  for (const e of errors) {
    if (e.keyword !== 'anyOf') continue;
    const branches = new Map<string, ErrorObject[]>();
    for (const other of errors) {
      const inside = other.instancePath === e.instancePath || other.instancePath.startsWith(e.instancePath + '/');
      if (other !== e && inside && other.schemaPath.startsWith(e.schemaPath + '/')) {
        const branch = other.schemaPath.slice(e.schemaPath.length + 1).split('/')[0] ?? '';
        branches.set(branch, [...(branches.get(branch) ?? []), other]);
        dropped.add(other);
      }
    }
    const shapeOk = [...branches.values()].filter((errs) =>
      errs.every(
        (x) => !(x.instancePath === e.instancePath && ['type', 'required', 'additionalProperties'].includes(x.keyword)),
      ),
    );
    if (shapeOk.length === 1) {
      dropped.add(e);
      for (const x of shapeOk[0] ?? []) dropped.delete(x);
    }
  }

  const out: RoutePolicyIssue[] = [];
  for (const e of errors) {
    if (dropped.has(e)) continue;
    out.push(fromAjvError(e));
  }
  return out;
}

function fromAjvError(e: ErrorObject): RoutePolicyIssue {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: location(e.instancePath, String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties': {
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return {
        path: location(e.instancePath, String(params.additionalProperty)),
        message: `is not a known property${known.length ? ` (expected one of: ${known.join(', ')})` : ''}`,
      };
    }
    case 'type':
      return {
        path: location(e.instancePath),
        message: `must be ${TYPE_NAMES[String(params.type)] ?? String(params.type)}`,
      };
    case 'minItems': {
      const n = Number(params.limit);
      return { path: location(e.instancePath), message: `must list at least ${n} item${n === 1 ? '' : 's'}` };
    }
    case 'uniqueItems': {
      const list = Array.isArray(e.data) ? (e.data as unknown[]) : [];
      const j = Number(params.j);
      return {
        path: location(e.instancePath),
        message: `must not repeat ${JSON.stringify(list[j])} (items ${j} and ${String(params.i)})`,
      };
    }
    default: {
      const custom = CUSTOM_MESSAGE_KEYWORDS.has(e.keyword) ? customMessage(e.parentSchema) : undefined;
      const got =
        typeof e.data === 'string'
          ? ` (got ${JSON.stringify(e.data.length > 80 ? e.data.slice(0, 80) + '…' : e.data)})`
          : '';
      return { path: location(e.instancePath), message: custom ? custom + got : (e.message ?? 'is invalid') };
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Cross-field checks. They run on the raw data even when the schema failed (so that one run lists
// every problem), each only on values whose own shape is valid.

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const PATH_RE = new RegExp(PATH_PATTERN);
const NAME_RE = new RegExp(ROUTE_NAME_PATTERN);

function validPattern(route: Record<string, unknown>): PathPattern | undefined {
  const match = route.match;
  if (!isObject(match) || typeof match.path !== 'string' || !PATH_RE.test(match.path)) return undefined;
  return parsePathPattern(match.path);
}

function effectiveMethods(route: Record<string, unknown>): HttpMethod[] | undefined {
  const match = route.match as Record<string, unknown>;
  if (match.methods === undefined) return [...HTTP_METHODS];
  if (!Array.isArray(match.methods) || match.methods.length === 0) return undefined;
  if (!match.methods.every((m) => (HTTP_METHODS as readonly unknown[]).includes(m))) return undefined;
  const set = new Set(match.methods as HttpMethod[]);
  if (set.has('GET')) set.add('HEAD');
  return HTTP_METHODS.filter((m) => set.has(m));
}

/** The route's caseSensitive setting with its default (see Route.match), or undefined when the fields are malformed. */
function effectiveCaseSensitive(route: Record<string, unknown>): boolean | undefined {
  const explicit = (route.match as Record<string, unknown>).caseSensitive;
  if (explicit !== undefined) return typeof explicit === 'boolean' ? explicit : undefined;
  if (route.public !== undefined && typeof route.public !== 'boolean') return undefined;
  return route.public === true;
}

function crossFieldIssues(data: unknown): RoutePolicyIssue[] {
  if (!isObject(data) || !Array.isArray(data.routes)) return [];
  const issues: RoutePolicyIssue[] = [];
  const names = new Map<string, number>();
  const shapes = new Map<string, number>(); // `${method} ${shape}` → index of the first route
  // `${method} ${shape in lower case}` → index of the first route that ignores case with that shape
  const foldedShapes = new Map<string, number>();
  data.routes.forEach((route: unknown, i: number) => {
    if (!isObject(route)) return;
    const at = (field: string): string => `routes[${i}].${field}`;

    if (typeof route.name === 'string' && NAME_RE.test(route.name)) {
      const first = names.get(route.name);
      if (first !== undefined)
        issues.push({ path: at('name'), message: `"${route.name}" is already the name of routes[${first}]` });
      else names.set(route.name, i);
    }

    const pattern = validPattern(route);
    const path = pattern ? (route.match as { path: string }).path : undefined;
    if (pattern) {
      if (pattern.segments.some((s) => s.kind === 'literal' && (s.value === '.' || s.value === '..'))) {
        issues.push({ path: at('match.path'), message: `"." and ".." segments are not allowed (in ${path})` });
      }
      const seen = new Set<string>();
      for (const s of pattern.segments) {
        if (s.kind !== 'param') continue;
        if (seen.has(s.name))
          issues.push({ path: at('match.path'), message: `parameter :${s.name} appears twice in ${path}` });
        seen.add(s.name);
      }
    }

    if (typeof route.upstream === 'string' && /^https?:\/\/\S+$/i.test(route.upstream)) {
      const problem = upstreamProblem(route.upstream);
      if (problem) issues.push({ path: at('upstream'), message: problem });
    }

    if (pattern && typeof route.stripPrefix === 'string' && route.stripPrefix.startsWith('/')) {
      const strip = route.stripPrefix.split('/').slice(1);
      const literal = literalPrefix(pattern);
      const isPrefix = strip.length <= literal.length && strip.every((s, k) => s === literal[k]);
      if (!isPrefix) {
        issues.push({
          path: at('stripPrefix'),
          message: `"${route.stripPrefix}" is not a prefix of the literal start of ${path} (${literal.length ? '/' + literal.join('/') : 'none'})`,
        });
      }
    }

    const account = route.account;
    if (isObject(account)) {
      const single = Object.keys(account).length === 1;
      if (
        single &&
        typeof account.param === 'string' &&
        pattern &&
        !pattern.segments.some((s) => s.kind === 'param' && s.name === account.param)
      ) {
        issues.push({ path: at('account.param'), message: `"${account.param}" is not a parameter of ${path}` });
      }
      if (
        typeof account.header === 'string' &&
        ['authorization', 'proxy-authorization', 'cookie'].includes(account.header.toLowerCase())
      ) {
        issues.push({
          path: at('account.header'),
          message: `the account cannot come from the ${account.header} header`,
        });
      }
    }

    if (route.public === true) {
      for (const field of AUTH_FIELDS) {
        if (route[field] !== undefined) {
          issues.push({
            path: at(field),
            message: 'is not allowed on a public route (a public route verifies no token)',
          });
        }
      }
    }

    if (pattern && isObject(route.match)) {
      const methods = effectiveMethods(route);
      if (methods) {
        const shape = patternShape(pattern);
        const ignoresCase = effectiveCaseSensitive(route) === false;
        const clashes = new Map<number, HttpMethod[]>();
        const foldedClashes = new Map<number, HttpMethod[]>();
        for (const m of methods) {
          const key = `${m} ${shape}`;
          const foldedKey = `${m} ${shape.toLowerCase()}`;
          const first = shapes.get(key);
          const firstFolded = foldedShapes.get(foldedKey);
          if (first !== undefined) clashes.set(first, [...(clashes.get(first) ?? []), m]);
          else if (firstFolded !== undefined)
            foldedClashes.set(firstFolded, [...(foldedClashes.get(firstFolded) ?? []), m]);
          else shapes.set(key, i);
          if (ignoresCase && firstFolded === undefined) foldedShapes.set(foldedKey, i);
        }
        const never = (ms: HttpMethod[]) => `so this route would never be used for ${ms.length > 1 ? 'them' : 'it'}`;
        for (const [first, ms] of clashes) {
          issues.push({
            path: at('match'),
            message: `${ms.join(', ')} ${path} is already matched by routes[${first}] (same method and pattern), ${never(ms)}`,
          });
        }
        for (const [first, ms] of foldedClashes) {
          issues.push({
            path: at('match'),
            message: `${ms.join(', ')} ${path} is already matched by routes[${first}] (same method and pattern, which ignores case: caseSensitive false), ${never(ms)}`,
          });
        }
      }
    }
  });
  return issues;
}

function upstreamProblem(upstream: string): string | undefined {
  let url: URL;
  try {
    url = new URL(upstream);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an absolute http(s) URL';
  if (!url.hostname) return 'must be an absolute http(s) URL with a host';
  if (url.username || url.password) return 'must not contain credentials';
  if (url.search || url.hash || upstream.includes('?') || upstream.includes('#')) {
    return 'must not contain a query or fragment (the request path and query are appended to it)';
  }
  return undefined;
}

function dedupe(issues: RoutePolicyIssue[]): RoutePolicyIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.path}\u0000${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Groups issues by route (file order); the order within a route is kept. */
function sortIssues(issues: RoutePolicyIssue[]): RoutePolicyIssue[] {
  const routeIndex = (p: string): number => {
    const m = /^routes\[(\d+)\]/.exec(p);
    return m ? Number(m[1]) : -1;
  };
  return issues
    .map((issue, order) => ({ issue, order, route: routeIndex(issue.path) }))
    .sort((a, b) => a.route - b.route || a.order - b.order)
    .map((x) => x.issue);
}

// ---------------------------------------------------------------------------------------------
// Defaults

function resolveRoute(def: RouteDefinition): Route {
  const isPublic = def.public ?? false;
  const account: AccountSource | undefined = def.account ? { ...(def.account as AccountSource) } : undefined;
  return Object.freeze({
    name: def.name,
    match: Object.freeze({
      path: def.match.path,
      methods: Object.freeze([...(def.match.methods ?? HTTP_METHODS)]),
      caseSensitive: def.match.caseSensitive ?? isPublic,
      trailingSlash: def.match.trailingSlash ?? (isPublic ? 'strict' : 'optional'),
    }),
    upstream: def.upstream,
    stripPrefix: def.stripPrefix,
    public: isPublic,
    scopes: Object.freeze([...(def.scopes ?? [])]),
    account: account ? Object.freeze(account) : undefined,
    subjectKinds: Object.freeze([...(def.subjectKinds ?? SUBJECT_KINDS)]),
    forwardToken: def.forwardToken ?? false,
    rateLimit: def.rateLimit
      ? Object.freeze({
          perTokenPerSecond: def.rateLimit.perTokenPerSecond,
          burst: def.rateLimit.burst ?? Math.max(1, Math.ceil(def.rateLimit.perTokenPerSecond)),
        })
      : undefined,
  });
}
