import { Module, type DynamicModule } from '@nestjs/common';
import { healthController, readinessController, SERVICE_CREDENTIAL, ServiceCredentialGuard } from '@latchkey/http';
import { LatchkeyAuthModule } from '@latchkey/token-verifier/nest';
import { SERVICE_NAME, TOKEN_SERVICE_CONFIG } from './config/token-service.config';
import { IntrospectionController } from './introspection/introspection.controller';
import { AccountGrantsController, MyAuthorizationsController } from './oauth/authorizations/authorizations.controller';
import { AuthorizeController } from './oauth/authorize/authorize.controller';
import { MetadataController } from './oauth/metadata/metadata.controller';
import { OAuthIntrospectionController } from './oauth/introspection/introspection.controller';
import { OAuthRevocationController } from './oauth/revocation/revocation.controller';
import { PushedAuthorizationController } from './oauth/par/par.controller';
import { MySessionsController } from './oauth/sessions/sessions.controller';
import { OAuthTokenController } from './oauth/token/token.controller';
import { AccountPatsController } from './pats/account-pats.controller';
import { PersonalAccessTokensController } from './pats/personal-access-tokens.controller';
import { TokenPolicyController } from './policies/token-policy.controller';
import { TOKEN_CONTEXT, type TokenContext } from './token.context';

/** /healthz: liveness. */
const HealthController = healthController(SERVICE_NAME);

/** /readyz: ready once the token verifier has caught up with the topics. */
const ReadinessController = readinessController(TOKEN_CONTEXT, (ctx: TokenContext) => ctx.runtime.readiness());

function contextProviders(ctx: TokenContext) {
  return [
    { provide: TOKEN_CONTEXT, useValue: ctx },
    { provide: TOKEN_SERVICE_CONFIG, useValue: ctx.config },
  ];
}

/** The public API listener (PORT). */
@Module({})
export class AppModule {
  static forRoot(ctx: TokenContext): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [LatchkeyAuthModule.forRoot({ verifier: ctx.runtime.verifier })],
      controllers: [
        HealthController,
        ReadinessController,
        PersonalAccessTokensController,
        AccountPatsController,
        TokenPolicyController,
        OAuthTokenController,
        PushedAuthorizationController,
        OAuthRevocationController,
        OAuthIntrospectionController,
        MyAuthorizationsController,
        MySessionsController,
        AccountGrantsController,
        AuthorizeController,
        MetadataController,
      ],
      providers: contextProviders(ctx),
      exports: [TOKEN_CONTEXT, TOKEN_SERVICE_CONFIG],
    };
  }
}

/** The internal listener (INTERNAL_HOST:INTERNAL_PORT): introspection for verifiers, with the service credential. */
@Module({})
export class InternalModule {
  static forRoot(ctx: TokenContext): DynamicModule {
    return {
      module: InternalModule,
      controllers: [HealthController, IntrospectionController],
      providers: [
        ...contextProviders(ctx),
        { provide: SERVICE_CREDENTIAL, useValue: ctx.config.INTERNAL_SERVICE_TOKEN },
        ServiceCredentialGuard,
      ],
    };
  }
}
