export {
  TokenProjection,
  tokenKey,
  tokenKeyOfHash,
  type TokenEntry,
  type RevokedEntry,
} from './projection/token-projection';
export { intersectScopes, missingScopes, covers } from './projection/scopes';
export { verifyToken, type VerifyResult, type VerifyOptions, type ActiveToken, type InactiveReason } from './verify';
export { TokenVerifier, type TokenVerifierOptions, type VerifierStats } from './kafka/token-verifier';
export {
  MissFallback,
  type MissFallbackOptions,
  type IntrospectedToken,
  type IntrospectFn,
} from './fallback/miss-fallback';
export { httpIntrospection, parseIntrospection, type HttpIntrospectionOptions } from './fallback/http-introspection';
export * from './passport';
// The NestJS module is at '@latchkey/token-verifier/nest' so that this entry point never loads @nestjs/* (optional peers).
