export {
  TokenProjection,
  tokenKey,
  tokenKeyOfHash,
  type TokenEntry,
  type RevokedEntry,
  type UserEntry,
  type ApplicationEntry,
  type TokenProjectionOptions,
} from './projection/token-projection';
export { intersectScopes, missingScopes, covers } from './projection/scopes';
export {
  decideActive,
  effectiveScopes,
  INACTIVE_REASONS,
  type ActiveToken,
  type ApplicationFacts,
  type InactiveReason,
  type SubjectKind,
  type TokenFacts,
  type UserFacts,
  type VerifyOptions,
  type VerifyResult,
} from './activity/token-activity';
export { verifyToken } from './verify';
export {
  TokenVerifier,
  DEFAULT_STALENESS_LIMIT_MS,
  type TokenVerifierOptions,
  type VerifierStats,
} from './kafka/token-verifier';
export {
  MissFallback,
  decideIntrospected,
  type MissFallbackOptions,
  type IntrospectedToken,
  type IntrospectFn,
  type LocalSubjectState,
  type LookupContext,
} from './fallback/miss-fallback';
export { httpIntrospection, parseIntrospection, type HttpIntrospectionOptions } from './fallback/http-introspection';
export * from './passport';
// The NestJS module is at '@latchkey/token-verifier/nest' so that this entry point never loads @nestjs/* (optional peers).
