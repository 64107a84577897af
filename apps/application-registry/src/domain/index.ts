export { RegistryError, REGISTRY_ERROR_STATUS, isRegistryError, type RegistryErrorCode } from './registry-error';
export { PLATFORM_LIMITS, tightenLimits, withinBounds, type Bounds, type LimitOverrides, type Limits } from './application-limits';
export { LOOPBACK_HOSTS, REDIRECT_URI_MAX_LENGTH, checkRedirectUri, redirectUriMatches } from './redirect-uri';
export {
  APPLICATION_AGGREGATE,
  DESCRIPTION_MAX_LENGTH,
  NAME_MAX_LENGTH,
  REASON_MAX_LENGTH,
  REDIRECT_URIS_MAX,
  applicationDecider,
  applicationStream,
  type ApplicationChanges,
  type ApplicationCommand,
  type ApplicationDeleted,
  type ApplicationDisabled,
  type ApplicationEnabled,
  type ApplicationEvent,
  type ApplicationProfile,
  type ApplicationRegistered,
  type ApplicationSecret,
  type ApplicationSecretRotated,
  type ApplicationSettings,
  type ApplicationState,
  type ApplicationUpdated,
  type DeleteApplication,
  type DisableApplication,
  type EnableApplication,
  type ExistingApplication,
  type RegisterApplication,
  type Registrant,
  type RotateSecret,
  type UpdateApplication,
} from './application.decider';
export { clientSecretMatches } from './client-secret';
