// Prometheus text exposition format 0.0.4, written by hand (no client library).
//
// Hot path: a pre-bound child (`counter.labels({...})`, `histogram.labels({...})`) holds its
// series cell directly, so `inc()` / `observe()` is a field update with no lookup at all. The
// unbound forms (`counter.inc(labels)`) cost one Map lookup keyed by the label values. Label
// validation and the rendering of the `{name="value"}` text happen once, when a series is first
// seen; `render()` only concatenates.

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** Values for every label name of a metric (all required, no others). */
export type LabelValues<L extends string> = Readonly<Record<L, string>>;

export interface CounterChild {
  /** Adds `n` (default 1); `n` must be finite and ≥ 0. */
  inc(n?: number): void;
}

export interface Counter<L extends string = never> {
  readonly name: string;
  inc(n?: number): void;
  inc(labels: LabelValues<L>, n?: number): void;
  /** Pre-binds a label set (cached: the same values return the same child). */
  labels(values: LabelValues<L>): CounterChild;
}

export interface GaugeChild {
  set(value: number): void;
  inc(n?: number): void;
  dec(n?: number): void;
}

export interface Gauge<L extends string = never> {
  readonly name: string;
  set(value: number): void;
  set(labels: LabelValues<L>, value: number): void;
  labels(values: LabelValues<L>): GaugeChild;
}

export interface GaugeSample {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A gauge whose samples are computed at scrape time. */
export interface GaugeFn {
  readonly name: string;
}

export interface HistogramChild {
  /** Records one observation (seconds, by convention). NaN is ignored. */
  observe(value: number): void;
}

export interface Histogram<L extends string = never> {
  readonly name: string;
  /** Upper bounds, ascending, without the implicit `+Inf`. */
  readonly buckets: readonly number[];
  observe(value: number): void;
  observe(labels: LabelValues<L>, value: number): void;
  labels(values: LabelValues<L>): HistogramChild;
}

export interface MetricsRegistryOptions {
  /** Called when a `gaugeFn` callback throws or yields an invalid sample; its samples are left out of that scrape. */
  onCollectError?: (metricName: string, error: unknown) => void;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Backslash, double quote and line feed, as the format requires for label values. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\\' ? '\\\\' : c === '"' ? '\\"' : '\\n'));
}

/** Backslash and line feed, as the format requires for HELP text. */
export function escapeHelp(help: string): string {
  return help.replace(/[\\\n]/g, (c) => (c === '\\' ? '\\\\' : '\\n'));
}

/** A sample value: Go float syntax (`+Inf`, `-Inf`, `NaN`, otherwise the shortest round-trip decimal). */
export function formatValue(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return Number.isNaN(value) ? 'NaN' : String(value);
}

function assertMetricName(name: string): void {
  if (!METRIC_NAME.test(name)) throw new Error(`Invalid metric name: ${JSON.stringify(name)}`);
}

function assertLabelName(name: string, reserved: readonly string[] = []): void {
  if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new Error(`Invalid label name: ${JSON.stringify(name)}`);
  if (reserved.includes(name)) throw new Error(`Label name ${JSON.stringify(name)} is reserved here`);
}

function checkLabelNames(labelNames: readonly string[], reserved: readonly string[] = []): readonly string[] {
  const seen = new Set<string>();
  for (const n of labelNames) {
    assertLabelName(n, reserved);
    if (seen.has(n)) throw new Error(`Duplicate label name: ${n}`);
    seen.add(n);
  }
  return Object.freeze([...labelNames]);
}

/** `a="x",b="y"` (no braces), in label-name order. */
function renderPairs(names: readonly string[], values: readonly string[]): string {
  let out = '';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ',';
    out += `${names[i]}="${escapeLabelValue(values[i] as string)}"`;
  }
  return out;
}

function braces(pairs: string): string {
  return pairs === '' ? '' : `{${pairs}}`;
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`;
}

function assertCounterIncrement(n: number): void {
  if (!(n >= 0 && n < Infinity)) throw new RangeError(`A counter increment must be finite and ≥ 0, got ${n}`);
}

/**
 * Series of one metric, keyed by their label values. The key is the value itself for one label
 * (the common case, no allocation) and the JSON array of values otherwise (unambiguous).
 */
class SeriesTable<S> {
  readonly series = new Map<string, { pairs: string; cell: S }>();

  constructor(
    private readonly metric: string,
    private readonly labelNames: readonly string[],
    private readonly create: () => S,
  ) {}

  get(labels: Readonly<Record<string, string>> | undefined): S {
    const names = this.labelNames;
    let key: string;
    if (names.length === 0) key = '';
    else if (names.length === 1) key = labels?.[names[0] as string] as string;
    else key = JSON.stringify(names.map((n) => labels?.[n]));
    const hit = key === undefined ? undefined : this.series.get(key);
    if (hit !== undefined) return hit.cell;
    return this.add(labels);
  }

  private add(labels: Readonly<Record<string, string>> | undefined): S {
    const names = this.labelNames;
    const given = labels === undefined ? [] : Object.keys(labels);
    const values = names.map((n) => labels?.[n]);
    if (values.some((v) => typeof v !== 'string') || given.length !== names.length) {
      throw new Error(`${this.metric} needs exactly the labels [${names.join(', ')}], got [${given.join(', ')}]`);
    }
    const strings = values as string[];
    const key = names.length === 0 ? '' : names.length === 1 ? (strings[0] as string) : JSON.stringify(strings);
    const cell = this.create();
    this.series.set(key, { pairs: renderPairs(names, strings), cell });
    return cell;
  }
}

interface Collector {
  readonly name: string;
  render(): string;
}

class CounterImpl<L extends string> implements Counter<L>, Collector {
  private readonly table: SeriesTable<{ value: number; child?: CounterChild }>;

  constructor(
    readonly name: string,
    private readonly help: string,
    labelNames: readonly string[],
  ) {
    this.table = new SeriesTable(name, labelNames, () => ({ value: 0 }));
    if (labelNames.length === 0) this.table.get(undefined);
  }

  inc(labelsOrN?: LabelValues<L> | number, n = 1): void {
    if (typeof labelsOrN === 'number' || labelsOrN === undefined) {
      const by = labelsOrN ?? 1;
      assertCounterIncrement(by);
      this.table.get(undefined).value += by;
      return;
    }
    assertCounterIncrement(n);
    this.table.get(labelsOrN).value += n;
  }

  labels(values: LabelValues<L>): CounterChild {
    const cell = this.table.get(values);
    if (cell.child === undefined) {
      cell.child = {
        inc(n = 1): void {
          assertCounterIncrement(n);
          cell.value += n;
        },
      };
    }
    return cell.child;
  }

  render(): string {
    let out = header(this.name, this.help, 'counter');
    for (const { pairs, cell } of this.table.series.values())
      out += `${this.name}${braces(pairs)} ${formatValue(cell.value)}\n`;
    return out;
  }
}

class GaugeImpl<L extends string> implements Gauge<L>, Collector {
  private readonly table: SeriesTable<{ value: number; child?: GaugeChild }>;

  constructor(
    readonly name: string,
    private readonly help: string,
    labelNames: readonly string[],
  ) {
    this.table = new SeriesTable(name, labelNames, () => ({ value: 0 }));
    if (labelNames.length === 0) this.table.get(undefined);
  }

  set(labelsOrValue: LabelValues<L> | number, value?: number): void {
    if (typeof labelsOrValue === 'number') this.table.get(undefined).value = labelsOrValue;
    else this.table.get(labelsOrValue).value = value as number;
  }

  labels(values: LabelValues<L>): GaugeChild {
    const cell = this.table.get(values);
    if (cell.child === undefined) {
      cell.child = {
        set: (v) => void (cell.value = v),
        inc: (n = 1) => void (cell.value += n),
        dec: (n = 1) => void (cell.value -= n),
      };
    }
    return cell.child;
  }

  render(): string {
    let out = header(this.name, this.help, 'gauge');
    for (const { pairs, cell } of this.table.series.values())
      out += `${this.name}${braces(pairs)} ${formatValue(cell.value)}\n`;
    return out;
  }
}

class GaugeFnImpl implements GaugeFn, Collector {
  constructor(
    readonly name: string,
    private readonly help: string,
    private readonly collect: () => readonly GaugeSample[],
    private readonly onError: (metricName: string, error: unknown) => void,
  ) {}

  render(): string {
    const head = header(this.name, this.help, 'gauge');
    let body = '';
    try {
      for (const { labels, value } of this.collect()) {
        const names = Object.keys(labels);
        for (const n of names) assertLabelName(n);
        if (typeof value !== 'number') throw new Error(`Sample value is not a number: ${String(value)}`);
        body += `${this.name}${braces(
          renderPairs(
            names,
            names.map((n) => String(labels[n])),
          ),
        )} ${formatValue(value)}\n`;
      }
    } catch (error) {
      this.onError(this.name, error);
      return head;
    }
    return head + body;
  }
}

interface HistogramCell {
  /** Non-cumulative: counts[i] = observations in (bounds[i-1], bounds[i]]; the last slot is +Inf. */
  readonly counts: number[];
  sum: number;
  count: number;
  child?: HistogramChild;
}

class HistogramImpl<L extends string> implements Histogram<L>, Collector {
  private readonly table: SeriesTable<HistogramCell>;
  private readonly leText: readonly string[];

  constructor(
    readonly name: string,
    private readonly help: string,
    readonly buckets: readonly number[],
    labelNames: readonly string[],
  ) {
    this.table = new SeriesTable(name, labelNames, () => ({
      counts: new Array<number>(buckets.length + 1).fill(0),
      sum: 0,
      count: 0,
    }));
    this.leText = [...buckets.map(formatValue), '+Inf'];
    if (labelNames.length === 0) this.table.get(undefined);
  }

  observe(labelsOrValue: LabelValues<L> | number, value?: number): void {
    if (typeof labelsOrValue === 'number') this.record(this.table.get(undefined), labelsOrValue);
    else this.record(this.table.get(labelsOrValue), value as number);
  }

  labels(values: LabelValues<L>): HistogramChild {
    const cell = this.table.get(values);
    if (cell.child === undefined) cell.child = { observe: (v) => this.record(cell, v) };
    return cell.child;
  }

  private record(cell: HistogramCell, value: number): void {
    if (Number.isNaN(value)) return;
    const bounds = this.buckets;
    let i = 0;
    while (i < bounds.length && value > (bounds[i] as number)) i++;
    (cell.counts[i] as number)++;
    cell.sum += value;
    cell.count++;
  }

  render(): string {
    const name = this.name;
    let out = header(name, this.help, 'histogram');
    for (const { pairs, cell } of this.table.series.values()) {
      const prefix = pairs === '' ? '' : `${pairs},`;
      let cumulative = 0;
      for (let i = 0; i < this.leText.length; i++) {
        cumulative += cell.counts[i] as number;
        out += `${name}_bucket{${prefix}le="${this.leText[i]}"} ${cumulative}\n`;
      }
      out += `${name}_sum${braces(pairs)} ${formatValue(cell.sum)}\n`;
      out += `${name}_count${braces(pairs)} ${cell.count}\n`;
    }
    return out;
  }
}

/** Holds the metrics of one process and renders them, in registration order, for a scrape. */
export class MetricsRegistry {
  private readonly collectors: Collector[] = [];
  private readonly names = new Set<string>();
  private readonly onCollectError: (metricName: string, error: unknown) => void;

  constructor(options: MetricsRegistryOptions = {}) {
    this.onCollectError = options.onCollectError ?? (() => undefined);
  }

  counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return this.register(new CounterImpl<L>(this.claim(name), help, checkLabelNames(labelNames)));
  }

  gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return this.register(new GaugeImpl<L>(this.claim(name), help, checkLabelNames(labelNames)));
  }

  /** A gauge computed at every `render()`; each sample's label names come from its `labels` object. */
  gaugeFn(name: string, help: string, collect: () => readonly GaugeSample[]): GaugeFn {
    return this.register(new GaugeFnImpl(this.claim(name), help, collect, this.onCollectError));
  }

  /** `buckets`: finite upper bounds in strictly ascending order; `+Inf` is added (a trailing `Infinity` is accepted). */
  histogram<L extends string = never>(
    name: string,
    help: string,
    buckets: readonly number[],
    labelNames: readonly L[] = [],
  ): Histogram<L> {
    const bounds = buckets.length > 0 && buckets[buckets.length - 1] === Infinity ? buckets.slice(0, -1) : [...buckets];
    bounds.forEach((b, i) => {
      if (!Number.isFinite(b) || (i > 0 && b <= (bounds[i - 1] as number))) {
        throw new Error(
          `Histogram ${name}: buckets must be finite and strictly ascending, got [${buckets.join(', ')}]`,
        );
      }
    });
    const names = checkLabelNames(labelNames, ['le']);
    for (const suffix of ['_bucket', '_sum', '_count'])
      if (this.names.has(name + suffix)) throw new Error(`Metric ${name + suffix} is already registered`);
    const histogram = this.register(new HistogramImpl<L>(this.claim(name), help, Object.freeze(bounds), names));
    for (const suffix of ['_bucket', '_sum', '_count']) this.names.add(name + suffix);
    return histogram;
  }

  /** The whole exposition, one line feed after every line (empty when nothing is registered). */
  render(): string {
    let out = '';
    for (const c of this.collectors) out += c.render();
    return out;
  }

  private claim(name: string): string {
    assertMetricName(name);
    if (this.names.has(name)) throw new Error(`Metric ${name} is already registered`);
    return name;
  }

  private register<C extends Collector>(collector: C): C {
    this.names.add(collector.name);
    this.collectors.push(collector);
    return collector;
  }
}
