// Match queries for the library benchmarks (the first is the one timed cold).
export const QUERIES = [
  'track ML experiments with MLflow and serve the model',
  'design a DynamoDB single-table schema',
  'define SLOs and error budgets for an API',
  'postgres replication failover and backups',
  'react form accessibility and state management',
  'kafka stream partition consumers',
  'kubernetes autoscaling ingress deployment',
  'oauth token session security audit',
  'rust async ownership and lifetimes',
  'prometheus metrics and distributed tracing',
  'hyperparameter optimization with optuna',
  'airflow batch pipeline data quality',
]

/** Median and p99 (nearest rank) of `xs`. */
export function p50p99(xs) {
  const s = [...xs].sort((a, b) => a - b)
  const at = (q) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]
  return { p50: s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2, p99: at(0.99), n: s.length }
}
