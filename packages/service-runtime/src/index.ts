export { ServiceRuntime, type ServiceRuntimeOptions } from './service-runtime';
