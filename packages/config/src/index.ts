export {
  envVar,
  host,
  hostPortList,
  httpUrl,
  integer,
  InvalidValue,
  oneOf,
  parseHostPort,
  port,
  postgresUrl,
  secretKey,
  serviceCredential,
  string,
  uuid,
  type EnvVar,
  type EnvVarOptions,
} from './env-var';
export { KAFKA_FETCH_WAIT_ENV } from './kafka-env';
export { LOG_LEVELS, logLevel, nestLogLevels, type LogLevel, type NestLogLevel } from './log-level';
export {
  ConfigError,
  defineEnv,
  isEnvSpec,
  readEnv,
  requiredInDeployment,
  type ConfigIssue,
  type Env,
  type EnvConfig,
  type EnvSpec,
} from './read-env';
