import 'reflect-metadata';
import { Body, Controller, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Type, type Static } from '@sinclair/typebox';
import { ValidBody } from '../validation/typebox-validation';
import { servedRoutes } from '../openapi/served-routes';
import { createHttpApp, formFieldValues, repeatedFormFields } from './create-http-app';

const Note = Type.Object({ text: Type.String() }, { additionalProperties: false });

@Controller('notes')
class NotesController {
  @Post()
  create(@ValidBody(Note) body: Static<typeof Note>) {
    if (body.text === 'dup') throw Object.assign(new Error('A note with that text exists.'), { code: 'NOTE_EXISTS' });
    return { length: body.text.length };
  }
}

@Module({ controllers: [NotesController] })
class NotesModule {}

@Controller('echo')
class EchoController {
  @Post()
  echo(@Body() body: Record<string, string>) {
    return { fields: body, repeated: repeatedFormFields(body), a: formFieldValues(body, 'a') };
  }
}
@Module({ controllers: [EchoController] })
class EchoModule {}

describe('createHttpApp', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createHttpApp(NotesModule, { statusByCode: { NOTE_EXISTS: 409 }, bodyLimitBytes: 1024, logger: false });
    await app.init();
  });
  afterAll(() => app.close());

  const post = (payload: string, contentType = 'application/json') =>
    app.inject({ method: 'POST', url: '/notes', headers: { 'content-type': contentType }, payload });

  it('serves JSON and maps the service’s domain codes', async () => {
    expect((await post('{"text":"hello"}')).json()).toEqual({ length: 5 });
    const dup = await post('{"text":"dup"}');
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'note_exists', detail: 'A note with that text exists.' });
  });

  it('applies its own body limit', async () => {
    const res = await post(JSON.stringify({ text: 'x'.repeat(2000) }));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({ code: 'payload_too_large' });
  });

  it('answers malformed JSON with malformed_json and text with 415', async () => {
    expect((await post('{')).json()).toMatchObject({ status: 400, code: 'malformed_json' });
    expect((await post('hi', 'text/plain')).statusCode).toBe(415);
  });

  it('records the served routes', () => {
    expect(servedRoutes(app.getHttpAdapter().getInstance())).toEqual([{ method: 'POST', path: '/notes' }]);
  });

  it('servedRoutes refuses an instance that was not set up here', () => {
    expect(() => servedRoutes({})).toThrow(/route recorder/);
  });
});

describe('createHttpApp with acceptForm (protocol endpoints)', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createHttpApp(NotesModule, { bodyLimitBytes: 1024, logger: false, acceptForm: true });
    await app.init();
  });
  afterAll(() => app.close());

  const post = (payload: string, contentType: string) =>
    app.inject({ method: 'POST', url: '/notes', headers: { 'content-type': contentType }, payload });

  it('parses a form body into fields, validated like JSON', async () => {
    expect((await post('text=hello%20there', 'application/x-www-form-urlencoded')).json()).toEqual({ length: 11 });
    const unknown = await post('text=a&extra=1', 'application/x-www-form-urlencoded');
    expect([unknown.statusCode, unknown.json().code]).toEqual([400, 'validation_failed']);
  });

  it('refuses a repeated field, and still refuses other types', async () => {
    const repeated = await post('text=a&text=b', 'application/x-www-form-urlencoded');
    expect(repeated.statusCode).toBe(400);
    expect(repeated.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await post('text=a', 'text/plain')).statusCode).toBe(415);
    expect((await post(`text=${'x'.repeat(2000)}`, 'application/x-www-form-urlencoded')).statusCode).toBe(413);
  });
});

describe('createHttpApp with forms under a path prefix, repeats recorded (OAuth endpoints answer them themselves)', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createHttpApp(EchoModule, {
      logger: false,
      acceptForm: { pathPrefixes: ['/echo'], recordRepeated: true },
    });
    await app.init();
  });
  afterAll(() => app.close());

  const post = (payload: string) =>
    app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload,
    });

  it('keeps the first value of a repeated field and names the field, once', async () => {
    expect((await post('a=1&b=2&a=3&a=4')).json()).toEqual({
      fields: { a: '1', b: '2' },
      repeated: ['a'],
      a: ['1', '3', '4'],
    });
    expect((await post('a=1&b=2')).json()).toEqual({ fields: { a: '1', b: '2' }, repeated: [], a: ['1'] });
    expect((await post('b=2')).json()).toEqual({ fields: { b: '2' }, repeated: [], a: [] });
  });

  it('still refuses __proto__', async () => {
    expect((await post('__proto__=1')).statusCode).toBe(400);
  });

  it('answers a form elsewhere 415, as for any body that is not JSON', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/other',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'a=1',
    });
    expect([res.statusCode, res.json().code]).toEqual([415, 'unsupported_media_type']);
  });
});

describe('createHttpApp with a protocol’s own answer to bodies refused before routing', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createHttpApp(EchoModule, {
      logger: false,
      acceptForm: {
        pathPrefixes: ['/echo'],
        clientError: ({ status, detail }) => ({
          status: 400,
          contentType: 'application/json',
          body: JSON.stringify({ error: 'invalid_request', was: status, error_description: detail }),
        }),
      },
    });
    await app.init();
  });
  afterAll(() => app.close());

  it('answers a text/plain body under the prefix in the protocol’s words, not as problem+json', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/echo',
      headers: { 'content-type': 'text/plain' },
      payload: 'a',
    });
    expect([res.statusCode, res.headers['content-type'], res.headers['cache-control']]).toEqual([
      400,
      'application/json',
      'no-store',
    ]);
    expect(res.json()).toEqual({ error: 'invalid_request', was: 415, error_description: expect.any(String) });
  });
});
