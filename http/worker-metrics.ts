import { Gauge, type Registry } from 'prom-client';

/** A worker that is away or slow must not make the API's own scrape slow or fail. */
const WORKER_SCRAPE_TIMEOUT_MS = 1_000;

/**
 * The worker's Temporal SDK metrics (`temporal_*`: task slots, poll and
 * schedule-to-start latencies, activity and workflow task outcomes), fetched
 * from its Prometheus endpoint at scrape time, so one scrape of the API shows
 * the coordinator and the worker that runs its workflows.
 * `sanctions_worker_metrics_up` says whether that endpoint answered.
 */
export function workerMetricsScraper(url: string, registry: Registry): () => Promise<string> {
  const up = new Gauge({ name: 'sanctions_worker_metrics_up', help: 'Whether the worker metrics endpoint answered this scrape (1) or not (0)', registers: [registry] });
  return async () => {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(WORKER_SCRAPE_TIMEOUT_MS) });
      if (!response.ok) throw new Error(`worker metrics answered ${response.status}`);
      const exposition = await response.text();
      up.set(1);
      return exposition;
    } catch {
      up.set(0);
      return '';
    }
  };
}
