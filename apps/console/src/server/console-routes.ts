import type { FastifyInstance } from 'fastify';
import { registerAccountRoutes } from './account-routes';
import { registerApplicationRoutes } from './application-routes';
import { registerAuthRoutes } from './auth-routes';
import { registerSecurityRoutes } from './security-routes';
import { sessionGate, type ConsoleDeps } from './session-gate';
import { registerTokenRoutes } from './token-routes';
import { registerUserRoutes } from './user-routes';

export type { ConsoleDeps } from './session-gate';

/** Every page of the console, by area (one module each). */
export function registerConsoleRoutes(app: FastifyInstance, deps: ConsoleDeps): void {
  const gate = sessionGate(deps);
  registerAuthRoutes(app, deps, gate);
  registerTokenRoutes(app, deps, gate);
  registerSecurityRoutes(app, deps, gate);
  registerApplicationRoutes(app, deps, gate);
  registerUserRoutes(app, deps, gate);
  registerAccountRoutes(app, deps, gate);
}
