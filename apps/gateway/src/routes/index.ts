export {
  HTTP_METHODS,
  SUBJECT_KINDS,
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
  compileRoutes,
  upstreamUrl,
  upstreamTarget,
  splitPath,
  type RouteMatch,
  type RouteMatcher,
} from './route-matcher';
