export { ServiceRuntime, type ServiceRuntimeOptions } from './service-runtime';
export { VERIFIER_ENV, verifierOptions, type VerifierSettings } from './verifier-settings';
