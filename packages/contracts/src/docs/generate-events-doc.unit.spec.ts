import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EVENT_TYPES, EventCatalog } from '../events/catalog';
import { TopicCatalog } from '../topics';
import { findRepoRoot, generateEventDocs, generatedEventDocs } from './generate-events-doc';
import { renderEventsMarkdown } from './events-markdown';

const root = findRepoRoot(__dirname);

describe('generated event docs', () => {
  it('given the committed docs/events.md and docs/asyncapi.json, when compared with the generator output, then they are up to date (run npm run docs:events)', () => {
    // when
    const stale = Object.entries(generatedEventDocs()).filter(
      ([relative, content]) =>
        !existsSync(path.join(root, relative)) || readFileSync(path.join(root, relative), 'utf8') !== content,
    );
    // then
    expect(stale.map(([relative]) => relative)).toEqual([]);
  });

  it('given docs/events.md, when read, then every event type has its own section with topic and fields', () => {
    // given
    const markdown = readFileSync(path.join(root, 'docs/events.md'), 'utf8');
    // then
    for (const type of EVENT_TYPES) {
      const section = markdown.split(`\n#### ${type}\n`)[1]?.split('\n#### ')[0] ?? '';
      expect(section).toContain(`- Topic: \`${EventCatalog[type].topic}\``);
      expect(section).toContain('| field | type | required | description |');
      expect(section).toContain(`"type": "${type}"`);
    }
  });

  it('given the markdown, when read, then it has the envelope, topics, ordering and versioning sections', () => {
    // when
    const markdown = renderEventsMarkdown();
    // then
    for (const heading of ['## Envelope', '## Topics', '## Ordering guarantees', '## Versioning', '## Events']) {
      expect(markdown).toContain(`\n${heading}\n`);
    }
    expect(markdown).toContain('idempotent by event `id`');
    expect(markdown).toContain('At-least-once delivery');
    for (const topic of Object.keys(TopicCatalog)) expect(markdown).toContain(`| \`${topic}\` | `);
    expect(markdown).toContain('`tokens.events.v1.dlq`');
  });

  it('given the generator, when run twice, then the output is byte-identical', () => {
    expect(generatedEventDocs()).toEqual(generatedEventDocs());
  });

  it('given an empty folder, when the docs are generated, then both files are written and a check run then reports nothing stale', () => {
    // given
    const dir = mkdtempSync(path.join(tmpdir(), 'latchkey-docs-'));
    try {
      // when
      const written = generateEventDocs(dir);
      const staleAfter = generateEventDocs(dir, { check: true });
      // then
      expect(written.sort()).toEqual(['docs/asyncapi.json', 'docs/events.md']);
      expect(staleAfter).toEqual([]);
      expect(JSON.parse(readFileSync(path.join(dir, 'docs/asyncapi.json'), 'utf8'))).toMatchObject({
        asyncapi: '3.0.0',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('given an edited docs/events.md, when checked, then it is reported stale and left as it was', () => {
    // given
    const dir = mkdtempSync(path.join(tmpdir(), 'latchkey-docs-'));
    try {
      generateEventDocs(dir);
      writeFileSync(path.join(dir, 'docs/events.md'), 'hand edited\n');
      // when
      const stale = generateEventDocs(dir, { check: true });
      // then
      expect(stale).toEqual(['docs/events.md']);
      expect(readFileSync(path.join(dir, 'docs/events.md'), 'utf8')).toBe('hand edited\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('given a folder below the repo root, when the root is searched, then the folder holding turbo.json is found', () => {
    // given
    const dir = mkdtempSync(path.join(tmpdir(), 'latchkey-root-'));
    try {
      writeFileSync(path.join(dir, 'turbo.json'), '{}');
      mkdirSync(path.join(dir, 'packages/contracts/dist/docs'), { recursive: true });
      // then
      expect(findRepoRoot(path.join(dir, 'packages/contracts/dist/docs'))).toBe(dir);
      expect(existsSync(path.join(root, 'turbo.json'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
