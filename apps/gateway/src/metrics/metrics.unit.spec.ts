import {
  escapeHelp,
  escapeLabelValue,
  formatValue,
  MetricsRegistry,
  PROMETHEUS_CONTENT_TYPE,
  type GaugeSample,
} from './metrics';

describe('MetricsRegistry', () => {
  it('renders a small registry exactly in the 0.0.4 text format', () => {
    const registry = new MetricsRegistry();
    const requests = registry.counter('http_requests_total', 'Requests by path.\nSecond line with \\ backslash.', [
      'path',
      'code',
    ]);
    const plain = registry.counter('plain_total', 'A counter without labels.');
    const temperature = registry.gauge('temperature', 'A gauge.', ['room']);
    registry.gaugeFn('computed', 'Computed at scrape.', (): GaugeSample[] => [
      { labels: { kind: 'a' }, value: 2 },
      { labels: {}, value: Infinity },
    ]);
    const latency = registry.histogram('latency_seconds', 'Latency.', [0.1, 1], ['route']);

    requests.inc({ path: '/a"b\\c\nd', code: '200' });
    requests.inc({ path: '/a"b\\c\nd', code: '200' }, 2);
    requests.labels({ path: '/x', code: '404' }).inc();
    plain.inc();
    plain.inc(0.5);
    temperature.set({ room: 'kitchen' }, -1.5);
    latency.observe({ route: 'r' }, 0.05);
    latency.observe({ route: 'r' }, 0.1); // on the bound: le is inclusive
    latency.observe({ route: 'r' }, 0.5);
    latency.labels({ route: 'r' }).observe(7);

    expect(registry.render()).toBe(
      [
        '# HELP http_requests_total Requests by path.\\nSecond line with \\\\ backslash.',
        '# TYPE http_requests_total counter',
        'http_requests_total{path="/a\\"b\\\\c\\nd",code="200"} 3',
        'http_requests_total{path="/x",code="404"} 1',
        '# HELP plain_total A counter without labels.',
        '# TYPE plain_total counter',
        'plain_total 1.5',
        '# HELP temperature A gauge.',
        '# TYPE temperature gauge',
        'temperature{room="kitchen"} -1.5',
        '# HELP computed Computed at scrape.',
        '# TYPE computed gauge',
        'computed{kind="a"} 2',
        'computed +Inf',
        '# HELP latency_seconds Latency.',
        '# TYPE latency_seconds histogram',
        'latency_seconds_bucket{route="r",le="0.1"} 2',
        'latency_seconds_bucket{route="r",le="1"} 3',
        'latency_seconds_bucket{route="r",le="+Inf"} 4',
        'latency_seconds_sum{route="r"} 7.65',
        'latency_seconds_count{route="r"} 4',
        '',
      ].join('\n'),
    );
  });

  it('exports label-less metrics at 0 before any use, labelled ones only once seen', () => {
    const registry = new MetricsRegistry();
    registry.counter('c_total', 'c');
    registry.counter('l_total', 'l', ['x']);
    registry.histogram('h', 'h', [1]);
    expect(registry.render()).toBe(
      [
        '# HELP c_total c',
        '# TYPE c_total counter',
        'c_total 0',
        '# HELP l_total l',
        '# TYPE l_total counter',
        '# HELP h h',
        '# TYPE h histogram',
        'h_bucket{le="1"} 0',
        'h_bucket{le="+Inf"} 0',
        'h_sum 0',
        'h_count 0',
        '',
      ].join('\n'),
    );
    expect(new MetricsRegistry().render()).toBe('');
  });

  it('pre-bound children share the series of the unbound form and are cached', () => {
    const registry = new MetricsRegistry();
    const c = registry.counter('c_total', 'c', ['a', 'b']);
    const child = c.labels({ a: '1', b: '2' });
    expect(c.labels({ b: '2', a: '1' })).toBe(child);
    child.inc();
    c.inc({ a: '1', b: '2' }, 4);
    // values that would collide under a naive join stay apart
    c.inc({ a: '1,', b: '2' });
    c.inc({ a: '1', b: ',2' });
    expect(registry.render()).toContain('c_total{a="1",b="2"} 5\n');
    expect(registry.render()).toContain('c_total{a="1,",b="2"} 1\n');
    expect(registry.render()).toContain('c_total{a="1",b=",2"} 1\n');

    const g = registry.gauge('g', 'g', ['k']);
    const gc = g.labels({ k: 'v' });
    gc.set(10);
    gc.inc(2);
    gc.dec();
    expect(registry.render()).toContain('g{k="v"} 11\n');
  });

  it('histogram buckets are cumulative, NaN is ignored and a trailing Infinity bound is accepted', () => {
    const registry = new MetricsRegistry();
    const h = registry.histogram('h_seconds', 'h', [0.5, 1, 2, Infinity]);
    expect(h.buckets).toEqual([0.5, 1, 2]);
    for (const v of [0.1, 0.2, 1.5, 3, NaN, -1]) h.observe(v);
    expect(registry.render()).toContain(
      [
        'h_seconds_bucket{le="0.5"} 3',
        'h_seconds_bucket{le="1"} 3',
        'h_seconds_bucket{le="2"} 4',
        'h_seconds_bucket{le="+Inf"} 5',
        'h_seconds_sum 3.8',
        'h_seconds_count 5',
      ].join('\n'),
    );
  });

  it('validates names, labels, buckets and increments', () => {
    const registry = new MetricsRegistry();
    expect(() => registry.counter('1bad', 'x')).toThrow(/Invalid metric name/);
    expect(() => registry.counter('bad-name', 'x')).toThrow(/Invalid metric name/);
    expect(() => registry.counter('ok:name_total', 'x')).not.toThrow();
    expect(() => registry.counter('ok:name_total', 'x')).toThrow(/already registered/);
    expect(() => registry.counter('l_total', 'x', ['bad-label'])).toThrow(/Invalid label name/);
    expect(() => registry.counter('l2_total', 'x', ['__reserved'])).toThrow(/Invalid label name/);
    expect(() => registry.counter('l3_total', 'x', ['a', 'a'])).toThrow(/Duplicate/);
    expect(() => registry.histogram('h1', 'x', [1], ['le'])).toThrow(/reserved/);
    expect(() => registry.histogram('h2', 'x', [2, 1])).toThrow(/ascending/);
    expect(() => registry.histogram('h3', 'x', [NaN])).toThrow(/ascending/);
    registry.histogram('h4', 'x', [1]);
    expect(() => registry.counter('h4_count', 'x')).toThrow(/already registered/);
    registry.counter('h5_sum', 'x');
    expect(() => registry.histogram('h5', 'x', [1])).toThrow(/already registered/);

    const c = registry.counter('c_total', 'x', ['a']);
    expect(() => c.inc({ b: '1' } as never)).toThrow(/exactly the labels \[a\]/);
    expect(() => c.inc({ a: '1', b: '2' } as never)).toThrow(/exactly the labels/);
    expect(() => c.inc({ a: '1' }, -1)).toThrow(RangeError);
    expect(() => c.labels({ a: '1' }).inc(NaN)).toThrow(RangeError);
  });

  it('leaves out the samples of a failing gaugeFn and reports the error', () => {
    const errors: string[] = [];
    const registry = new MetricsRegistry({ onCollectError: (name) => errors.push(name) });
    registry.gaugeFn('broken', 'b', () => {
      throw new Error('source down');
    });
    registry.gaugeFn('bad_label', 'b', () => [{ labels: { 'no-good': 'x' }, value: 1 }]);
    registry.gauge('fine', 'f').set(1);
    expect(registry.render()).toBe(
      [
        '# HELP broken b',
        '# TYPE broken gauge',
        '# HELP bad_label b',
        '# TYPE bad_label gauge',
        '# HELP fine f',
        '# TYPE fine gauge',
        'fine 1',
        '',
      ].join('\n'),
    );
    expect(errors).toEqual(['broken', 'bad_label']);
  });

  it('escapes and formats per the format', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    expect(escapeHelp('a\\b"c\nd')).toBe('a\\\\b"c\\nd');
    expect([Infinity, -Infinity, NaN, 0, 1e-7, 12345678].map(formatValue)).toEqual([
      '+Inf',
      '-Inf',
      'NaN',
      '0',
      '1e-7',
      '12345678',
    ]);
    expect(PROMETHEUS_CONTENT_TYPE).toBe('text/plain; version=0.0.4; charset=utf-8');
  });
});
