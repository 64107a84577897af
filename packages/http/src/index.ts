export {
  HttpProblem,
  PROBLEM_CONTENT_TYPE,
  PROBLEM_TYPE_BASE,
  codeForStatus,
  titleForStatus,
  type HttpProblemOptions,
  type ProblemBody,
  type ProblemFieldError,
} from './problem/problem';
export {
  ProblemDetailsFilter,
  problemCodeOf,
  type ProblemAnswer,
  type ProblemDetailsFilterOptions,
  type StatusByCode,
} from './problem/problem.filter';
export {
  DEFAULT_PAGE_LIMIT,
  Email,
  MAX_PAGE_LIMIT,
  Name,
  PageQuery,
  TypeBoxParamPipe,
  TypeBoxValidationPipe,
  Uuid,
  ValidBody,
  ValidParam,
  ValidParams,
  ValidQuery,
  compileSchema,
  toFieldErrors,
  validateRequestPart,
  type RequestPart,
} from './validation/typebox-validation';
export { decodeCursor, encodeCursor, page, type CursorValue, type Page } from './pagination/cursor';
export { keysetPage, type TimeIdKey } from './pagination/keyset-page';
export {
  BEARER_SCHEME,
  BearerErrorSchema,
  ProblemSchema,
  buildOpenApiDocument,
  documentedRoutes,
  toFastifyPath,
  toOpenApiPath,
  type HttpMethod,
  type OpenApiDocument,
  type OpenApiInput,
  type OpenApiOperation,
  type RouteDoc,
  type RouteKey,
  type RouteResponseDoc,
} from './openapi/openapi';
export { recordServedRoutes, servedRoutes } from './openapi/served-routes';
export { registerOpenApi, renderDocsPage } from './openapi/docs-page';
export {
  DEFAULT_BODY_LIMIT_BYTES,
  configureHttpApp,
  createHttpApp,
  formFieldValues,
  repeatedFormFields,
  type FormOptions,
  type HttpAppOptions,
} from './app/create-http-app';
export { SERVICE_CREDENTIAL, ServiceCredentialGuard } from './auth/service-credential.guard';
export { readinessController, type Readiness } from './health/readiness.controller';
export { serveUntilSignal, listenUrl, type Listener } from './app/serve';
export { healthController } from './health/health.controller';
export { SafeHtml, escapeHtml, html } from './html/html';
export { pageHeaders, type PageHeaderOptions } from './html/page-headers';
