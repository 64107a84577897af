export {
  authenticateBearer,
  extractBearerToken,
  MAX_TOKEN_LENGTH,
  type AccountSource,
  type BearerFailure,
  type BearerOutcome,
  type BearerRequest,
  type BearerRequirements,
  type BearerVerifier,
} from './bearer-auth';
export { LatchkeyBearerStrategy, BearerAuthError } from './bearer.strategy';
