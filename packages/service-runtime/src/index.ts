export { ServiceRuntime, type ServiceRuntimeOptions } from './service-runtime';
export { INTROSPECTION_ENV, RETENTION_ENV, VERIFIER_ENV, verifierOptions, type VerifierSettings } from './service-env';
