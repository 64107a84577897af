export {
  PasswordHasher,
  checkPasswordPolicy,
  normalizePassword,
  OWASP_ARGON2ID,
  PASSWORD_MIN_LENGTH,
  PASSWORD_MAX_LENGTH,
  type Argon2Parameters,
  type PasswordHasherOptions,
  type PasswordPolicyCode,
  type PasswordPolicyViolation,
} from './password-hasher';
export { CredentialStore, CredentialStoreError } from './credential-store';
export { CreateCredentials1764100000000 } from './credentials.migration';
export { LoginAttempts, type AttemptWindows, type Reservation, type ReservationOutcome } from './login-attempts';
export {
  LoginChecker,
  DEFAULT_LOGIN_POLICY,
  DEFAULT_PRUNE_EVERY_MS,
  systemClock,
  userAttemptKey,
  addressAttemptKey,
  type Clock,
  type FindUserByEmail,
  type LoginCheckerOptions,
  type LoginLogger,
  type LoginPolicy,
  type LoginRequest,
  type LoginResult,
  type LoginUser,
  type UserKind,
} from './login-checker';
