import { DynamicModule, Global, Module } from '@nestjs/common';
import type { BearerVerifier } from '../passport/bearer-auth';
import { LATCHKEY_VERIFIER, LatchkeyAuthGuard } from './latchkey-auth.guard';

export interface LatchkeyAuthModuleOptions {
  /** A started `TokenVerifier`, or any `{ verify, isReady }`. */
  verifier: BearerVerifier;
}

@Global()
@Module({})
export class LatchkeyAuthModule {
  static forRoot(options: LatchkeyAuthModuleOptions): DynamicModule {
    return {
      module: LatchkeyAuthModule,
      global: true,
      providers: [{ provide: LATCHKEY_VERIFIER, useValue: options.verifier }, LatchkeyAuthGuard],
      exports: [LATCHKEY_VERIFIER, LatchkeyAuthGuard],
    };
  }
}
