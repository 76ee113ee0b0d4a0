// Every Prometheus metric Chronos exports, in one registry of its own (not prom-client's global one,
// so that nothing a dependency registers ends up in our /metrics). Each process exports what it saw:
// counters and histograms are per process; the gauges read from the database at scrape time
// (chronos_transactions, chronos_transactions_stalled, chronos_transactions_orphaned,
// chronos_tracker_block) are the same in every process and must be aggregated with max(), not sum().
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();

let processMetricsEnabled = false;

/** Node's process metrics (CPU, memory, event loop lag, GC…); once per process, by whoever serves /metrics. */
export function enableProcessMetrics(): void {
  if (processMetricsEnabled) return;
  processMetricsEnabled = true;
  collectDefaultMetrics({ register: registry });
}

/** Seconds, from a few milliseconds (an API call) to half an hour (a transaction waiting out its deadline). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800];

export const httpRequests = new Counter({
  name: 'chronos_http_requests_total',
  help: 'HTTP requests answered, by method, route pattern and status code',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
});

export const httpRequestDuration = new Histogram({
  name: 'chronos_http_request_duration_seconds',
  help: 'Time from receiving an HTTP request to finishing its response, by method, route pattern and status code',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [registry],
});

export const jobs = new Counter({
  name: 'chronos_jobs_total',
  help: 'Worker jobs run, by task and outcome (success; error = will be retried; failed = no attempts left)',
  labelNames: ['task', 'outcome'] as const,
  registers: [registry],
});

export const jobDuration = new Histogram({
  name: 'chronos_job_duration_seconds',
  help: 'How long one run of a worker job took, by task and outcome (submit_transaction includes waiting for inclusion)',
  labelNames: ['task', 'outcome'] as const,
  buckets: DURATION_BUCKETS,
  registers: [registry],
});

export const transactionTransitions = new Counter({
  name: 'chronos_transaction_transitions_total',
  help: 'Transaction status changes written by this process, by previous status (none = created) and new status',
  labelNames: ['from', 'to'] as const,
  registers: [registry],
});

export const timeInStatus = new Histogram({
  name: 'chronos_transaction_status_duration_seconds',
  help: 'Seconds a transaction spent in a status before leaving it, by the status left and the operation type',
  labelNames: ['status', 'type'] as const,
  buckets: DURATION_BUCKETS,
  registers: [registry],
});

export const transactionsByStatus = new Gauge({
  name: 'chronos_transactions',
  help: 'Transactions currently in each active status (ACCEPTED, SUBMITTING, SUBMITTED), read from the database at scrape time',
  labelNames: ['status'] as const,
  registers: [registry],
});

export const stalledTransactions = new Gauge({
  name: 'chronos_transactions_stalled',
  help: 'Transactions SUBMITTED longer than STALLED_AFTER_SECONDS and still not included, read from the database at scrape time',
  registers: [registry],
});

export const orphanedTransactions = new Gauge({
  name: 'chronos_transactions_orphaned',
  help: 'Active transactions with no submit job queued, running or to be retried (an invariant: always 0), read from the database at scrape time',
  registers: [registry],
});

export const trackerBlock = new Gauge({
  name: 'chronos_tracker_block',
  help: 'The last block whose EntryPoint logs the inclusion tracker has read (compare with the chain head)',
  registers: [registry],
});

export const chainReorgs = new Counter({
  name: 'chronos_chain_reorgs_total',
  help: 'Reorgs the inclusion tracker found and rewound over, and the inclusions they took away (by whether the transaction had settled)',
  labelNames: ['kind'] as const,
  registers: [registry],
});

export const databaseScrapeErrors = new Counter({
  name: 'chronos_metrics_database_errors_total',
  help: 'Scrapes whose database gauges could not be read (they then read NaN or have no series)',
  registers: [registry],
});

export const webhookDeliveries = new Counter({
  name: 'chronos_webhook_deliveries_total',
  help: 'Webhook delivery attempts, by outcome (delivered; retry = failed, another attempt scheduled; failed = given up)',
  labelNames: ['outcome'] as const,
  registers: [registry],
});

export const webhookAttemptDuration = new Histogram({
  name: 'chronos_webhook_attempt_duration_seconds',
  help: 'Time from starting a webhook attempt to its complete answer (or failure), by outcome',
  labelNames: ['outcome'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [registry],
});

// Chronos's own paymaster only: registered by enablePaymasterMetrics (absent with a hosted paymaster),
// read from the chain and the database at scrape time.
export const paymasterDeposit = new Gauge({
  name: 'chronos_paymaster_deposit_wei',
  help: "The own paymaster's deposit at the EntryPoint, which pays every sponsored operation's gas",
  registers: [],
});

export const sponsorshipSpendRate = new Gauge({
  name: 'chronos_sponsorship_spend_wei_per_second',
  help: 'Gas paid for settled operations over the last hour, per second',
  registers: [],
});

export const paymasterCoverSeconds = new Gauge({
  name: 'chronos_paymaster_cover_seconds',
  help: 'How long the paymaster deposit lasts at the spend rate (+Inf while nothing is spent); alert well above PAYMASTER_DEPOSIT_MIN_COVER_SECONDS',
  registers: [],
});

let paymasterMetricsEnabled = false;

export function enablePaymasterMetrics(): void {
  if (paymasterMetricsEnabled) return;
  paymasterMetricsEnabled = true;
  for (const gauge of [paymasterDeposit, sponsorshipSpendRate, paymasterCoverSeconds]) registry.registerMetric(gauge);
}
