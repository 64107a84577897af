// openid-client v6 as an independent OAuth client, for oauth-client.e2e.spec.ts.
//
// Why a driver process: openid-client v6 is ESM-only, and jest here runs ts-jest in CommonJS
// inside vm contexts. There, `await import('openid-client')` is compiled to require() and jest's
// loader answers "Cannot use import statement outside a module"; a real import() hidden from
// the compiler answers ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG (jest's vm needs
// --experimental-vm-modules, which would change how the whole suite runs). So the spec spawns
// this file with plain node, where `import` just works, and talks to it over stdio: the client
// under test also runs as a separate process, as a real client would.
//
// The driver is deliberately thin: each request is one openid-client call with the arguments
// the spec chose, and the answer is what openid-client returned (or the error it threw), as
// JSON. Every decision and every assertion stays in the spec.
//
// Protocol: one JSON object per line on stdin, `{ "id", "op", "args" }`; one per line on
// stdout, `{ "id", "ok": true, "result" }` or `{ "id", "ok": false, "error": {…} }`.
import { createInterface } from 'node:readline';
import * as client from 'openid-client';

/** The Configuration from `discovery` (the other calls need it). */
let config = null;

function configured() {
  if (config === null) throw new Error('call discovery first');
  return config;
}

/** A token endpoint answer as plain JSON (openid-client adds helper methods to it). */
function tokens(response) {
  return JSON.parse(JSON.stringify(response));
}

const ops = {
  // RFC 8414 discovery of an http issuer on the loopback: algorithm oauth2, insecure allowed.
  async discovery({ issuer, clientId, clientSecret }) {
    config = await client.discovery(new URL(issuer), clientId, clientSecret, undefined, {
      algorithm: 'oauth2',
      execute: [client.allowInsecureRequests],
    });
    return { serverMetadata: config.serverMetadata(), clientMetadata: config.clientMetadata() };
  },
  async pkce() {
    const codeVerifier = client.randomPKCECodeVerifier();
    return {
      codeVerifier,
      codeChallenge: await client.calculatePKCECodeChallenge(codeVerifier),
      state: client.randomState(),
    };
  },
  async buildAuthorizationUrl({ parameters }) {
    return { url: client.buildAuthorizationUrl(configured(), parameters).href };
  },
  // Validates the redirect (state, iss, error) before it redeems the code.
  async authorizationCodeGrant({ currentUrl, pkceCodeVerifier, expectedState }) {
    return tokens(
      await client.authorizationCodeGrant(configured(), new URL(currentUrl), { pkceCodeVerifier, expectedState }),
    );
  },
  async refreshTokenGrant({ refreshToken }) {
    return tokens(await client.refreshTokenGrant(configured(), refreshToken));
  },
  async tokenIntrospection({ token }) {
    return await client.tokenIntrospection(configured(), token);
  },
  async tokenRevocation({ token }) {
    await client.tokenRevocation(configured(), token);
    return {};
  },
};

/** What an openid-client error says: its class, code, and the server's OAuth error if any. */
function describe(e) {
  return {
    name: e?.name ?? 'Error',
    message: String(e?.message ?? e),
    code: e?.code ?? null,
    error: e?.error ?? null,
    error_description: e?.error_description ?? null,
    status: e?.status ?? null,
    // ClientError: why the response was refused; ResponseBodyError: the server's body
    cause: e?.cause === undefined ? null : e.cause instanceof Error ? e.cause.message : JSON.stringify(e.cause),
  };
}

const lines = createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  const { id, op, args } = JSON.parse(line);
  let answer;
  try {
    if (!Object.hasOwn(ops, op)) throw new Error(`unknown op ${op}`);
    answer = { id, ok: true, result: await ops[op](args ?? {}) };
  } catch (e) {
    answer = { id, ok: false, error: describe(e) };
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
});
