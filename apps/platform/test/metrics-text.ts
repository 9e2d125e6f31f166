import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/**
 * One sample of a scrape: a histogram's count and sum appear as `<name>_count` / `<name>_sum`
 * (for histograms without labels: the library drops them for labelled ones).
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A /metrics answer (Prometheus text format, parsed by `parse-prometheus-text-format`) as flat samples. */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const family of parsePrometheusTextFormat(text)) {
    for (const m of family.metrics) {
      const labels = m.labels ?? {};
      if (m.value !== undefined) out.push({ name: family.name, labels, value: Number(m.value) });
      if (m.count !== undefined) out.push({ name: `${family.name}_count`, labels, value: Number(m.count) });
      if (m.sum !== undefined) out.push({ name: `${family.name}_sum`, labels, value: Number(m.sum) });
    }
  }
  return out;
}

/** The metric family names a scrape serves. */
export function exportedMetricNames(text: string): Set<string> {
  return new Set(parsePrometheusTextFormat(text).map((f) => f.name));
}
