export {
  HTTP_METHODS,
  SUBJECT_KINDS,
  TRAILING_SLASH_RULES,
  type TrailingSlashRule,
  RoutePolicyFileSchema,
  RouteSchema,
  type HttpMethod,
  type SubjectKind,
  type AccountSource,
  type Route,
  type CompiledRoute,
  type RouteDefinition,
  type RoutePolicy,
  type RoutePolicyFile,
} from './route-policy.schema';
export { loadRoutePolicy, loadRoutePolicyFile, RoutePolicyError, type RoutePolicyIssue } from './load-route-policy';
export {
  asciiLower,
  compileRoutes,
  upstreamUrl,
  upstreamTarget,
  splitPath,
  type RouteMatch,
  type RouteMatcher,
} from './route-matcher';
export { classifyRequestPath, PATH_REFUSAL_DETAIL, type PathRefusal, type PathVerdict } from './request-path';
