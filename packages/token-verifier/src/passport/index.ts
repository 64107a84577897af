export {
  authenticateBearer,
  authenticateBearerWithFallback,
  extractBearerToken,
  MAX_TOKEN_LENGTH,
  type AccountSource,
  type BearerFailure,
  type BearerOutcome,
  type BearerRequest,
  type BearerRequirements,
  type BearerVerifier,
  type FallbackBearerVerifier,
} from './bearer-auth';
export { LatchkeyBearerStrategy, BearerAuthError } from './bearer.strategy';
