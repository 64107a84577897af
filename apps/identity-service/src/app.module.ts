import { Module, type DynamicModule } from '@nestjs/common';
import { healthController, readinessController, SERVICE_CREDENTIAL, ServiceCredentialGuard } from '@latchkey/http';
import { LatchkeyAuthModule } from '@latchkey/token-verifier/nest';
import { AccountsController } from './accounts/accounts.controller';
import { FirstSignInController } from './bootstrap/first-sign-in.controller';
import { IDENTITY_SERVICE_CONFIG, SERVICE_NAME } from './config/identity-service.config';
import { IDENTITY_CONTEXT, type IdentityContext } from './identity.context';
import { LoginCheckController } from './login-check/login-check.controller';
import { MeController } from './me/me.controller';
import { RolesController } from './roles/roles.controller';
import { UsersController } from './users/users.controller';

/** /healthz: liveness. */
const HealthController = healthController(SERVICE_NAME);

/** /readyz: ready once the token verifier has caught up with the topics. */
const ReadinessController = readinessController(IDENTITY_CONTEXT, (ctx: IdentityContext) => ctx.runtime.readiness());

function contextProviders(ctx: IdentityContext) {
  return [
    { provide: IDENTITY_CONTEXT, useValue: ctx },
    { provide: IDENTITY_SERVICE_CONFIG, useValue: ctx.config },
  ];
}

/** The public API listener (PORT). */
@Module({})
export class AppModule {
  static forRoot(ctx: IdentityContext): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [LatchkeyAuthModule.forRoot({ verifier: ctx.runtime.verifier })],
      controllers: [
        HealthController,
        ReadinessController,
        RolesController,
        MeController,
        FirstSignInController,
        AccountsController,
        UsersController,
      ],
      providers: contextProviders(ctx),
      exports: [IDENTITY_CONTEXT, IDENTITY_SERVICE_CONFIG],
    };
  }
}

/** The internal listener (INTERNAL_HOST:INTERNAL_PORT): the login check for token-service, and nothing else. */
@Module({})
export class InternalModule {
  static forRoot(ctx: IdentityContext): DynamicModule {
    return {
      module: InternalModule,
      controllers: [HealthController, LoginCheckController],
      providers: [
        ...contextProviders(ctx),
        { provide: SERVICE_CREDENTIAL, useValue: ctx.config.INTERNAL_SERVICE_TOKEN },
        ServiceCredentialGuard,
      ],
    };
  }
}
