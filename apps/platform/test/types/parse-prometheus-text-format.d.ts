/** The shape `parse-prometheus-text-format` returns (the package ships no types). */
declare module 'parse-prometheus-text-format' {
  interface MetricValue {
    value?: string;
    count?: string;
    sum?: string;
    buckets?: Record<string, string>;
    labels?: Record<string, string>;
  }
  interface MetricFamily {
    name: string;
    help: string;
    type: string;
    metrics: MetricValue[];
  }
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
