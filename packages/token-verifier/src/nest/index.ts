export { LatchkeyAuthModule, type LatchkeyAuthModuleOptions } from './latchkey-auth.module';
export { LatchkeyAuthGuard, LATCHKEY_VERIFIER, LATCHKEY_REQUIREMENTS } from './latchkey-auth.guard';
export { Authenticated, CurrentToken } from './decorators';
