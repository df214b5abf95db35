import type { RequestHandler } from 'express';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { DependencyStatus } from '../platform/dependency-status.js';
import type { PrismaClient } from '../prisma/generated/client.js';
import { matchedRoute } from './matched-route.js';
import { reusedFor } from './reused-read.js';
import { workerMetricsScraper } from './worker-metrics.js';

export interface MetricsOptions {
  /** The worker's Prometheus endpoint; its `temporal_*` metrics are appended to ours. */
  workerMetricsUrl?: string | undefined;
  /** Days left before the holiday calendar's data ends. */
  calendarDaysLeft?: () => Promise<number | null>;
  /** How long the figures read from the database are reused; 0 reads them at every scrape. */
  cacheMs?: number;
  /** The parts this process depends on and the restarts of its supervised children. */
  dependencies?: DependencyStatus;
}

/**
 * Prometheus metrics of the coordinator. The business figures are read from
 * the read model, so every API instance reports the same numbers, whichever
 * process did the work; they are at most `cacheMs` old.
 */
export function createMetrics(prisma: PrismaClient, { workerMetricsUrl, calendarDaysLeft, cacheMs = 15_000, dependencies }: MetricsOptions = {}) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sanctions_' });

  if (dependencies) {
    new Gauge({
      name: 'sanctions_dependency_up',
      help: 'Whether a part this process depends on answered its last probe (1) or not (0)',
      labelNames: ['part'] as const,
      registers: [registry],
      collect() {
        for (const [part, state] of Object.entries(dependencies.all())) this.set({ part }, state.up ? 1 : 0);
      },
    });
    new Counter({
      name: 'sanctions_child_restarts_total',
      help: 'Restarts of a child process this process supervises (the embedded Temporal dev server)',
      labelNames: ['part'] as const,
      registers: [registry],
      collect() {
        // The status keeps the count; the counter shows it as it stands.
        this.reset();
        for (const [part, state] of Object.entries(dependencies.all())) if (state.restarts > 0) this.inc({ part }, state.restarts);
      },
    });
  }

  const httpDuration = new Histogram({
    name: 'sanctions_http_request_duration_seconds',
    help: 'HTTP request latency by method, route and status class',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  /**
   * The business figures of one scrape: five aggregate queries (and the
   * calendar's horizon), read at most once per `cacheMs` however many
   * scrapers ask, so scraping cannot multiply the database's load.
   */
  const figures = reusedFor(cacheMs, async () => {
    const [listings, importRows, openTasks, overdueTasks, mailSent, mailWaiting, daysLeft] = await Promise.all([
      prisma.listing.groupBy({ by: ['status'], _count: { _all: true } }),
      prisma.listingImport.aggregate({ where: { status: { not: 'completed' } }, _sum: { total: true, processed: true } }),
      prisma.task.groupBy({ by: ['departmentCode', 'kind'], where: { openDeadlineAt: { not: null } }, _count: { _all: true } }),
      prisma.task.groupBy({ by: ['escalationLevel'], where: { openDeadlineAt: { lt: new Date() } }, _count: { _all: true } }),
      prisma.notification.count({ where: { sentAt: { not: null } } }),
      prisma.notification.count({ where: { sentAt: null, lastError: { not: null } } }),
      calendarDaysLeft ? calendarDaysLeft() : Promise.resolve(null),
    ]);
    return { listings, importRows: importRows._sum, openTasks, overdueTasks, mailSent, mailWaiting, daysLeft };
  });

  if (calendarDaysLeft) {
    new Gauge({
      name: 'sanctions_calendar_horizon_days',
      help: "Days left before the holiday calendar's data ends: deadlines past it are counted on weekends alone until the next year is added",
      registers: [registry],
      async collect() {
        this.set((await figures()).daysLeft ?? -1);
      },
    });
  }

  new Gauge({
    name: 'sanctions_listings',
    help: 'Listings by status',
    labelNames: ['status'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await figures()).listings) this.set({ status: row.status }, row._count._all);
    },
  });

  new Gauge({
    name: 'sanctions_listing_import_rows',
    help: 'Rows of listing imports not yet completed: in the files, and recorded so far',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const { importRows } = await figures();
      this.set({ state: 'total' }, importRows.total ?? 0);
      this.set({ state: 'processed' }, importRows.processed ?? 0);
    },
  });

  new Gauge({
    name: 'sanctions_open_tasks',
    help: 'Open (pending or acknowledged) department tasks by department and phase',
    labelNames: ['department', 'phase'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await figures()).openTasks) this.set({ department: row.departmentCode, phase: row.kind }, row._count._all);
    },
  });

  new Gauge({
    name: 'sanctions_overdue_tasks',
    help: 'Overdue tasks by escalation level',
    labelNames: ['level'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of (await figures()).overdueTasks) this.set({ level: String(row.escalationLevel) }, row._count._all);
    },
  });

  new Gauge({
    name: 'sanctions_mail',
    help: 'Emails by state: sent, or waiting after at least one failed attempt',
    labelNames: ['state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      const { mailSent, mailWaiting } = await figures();
      this.set({ state: 'sent' }, mailSent);
      this.set({ state: 'failed' }, mailWaiting);
    },
  });

  const scrapeErrors = new Counter({ name: 'sanctions_metrics_scrape_errors_total', help: 'Scrapes that could not read the database', registers: [registry] });

  /** Times every request; the route is the matched pattern, so ids do not explode the label set. */
  const timeRequests: RequestHandler = (req, res, next) => {
    const stop = httpDuration.startTimer({ method: req.method });
    res.on('finish', () => {
      stop({ route: matchedRoute(req) ?? 'unmatched', status: `${Math.floor(res.statusCode / 100)}xx` });
    });
    next();
  };

  const scrapeWorker = workerMetricsUrl ? workerMetricsScraper(workerMetricsUrl, registry) : async () => '';

  const serve: RequestHandler = async (_req, res) => {
    try {
      // The worker first: its answer sets sanctions_worker_metrics_up, which our registry then reports.
      const worker = await scrapeWorker();
      const own = await registry.metrics();
      res.type(registry.contentType).send(worker ? `${own.trimEnd()}\n${worker}` : own);
    } catch {
      scrapeErrors.inc();
      res.status(503).type('text/plain').send('metrics unavailable: the database is unreachable\n');
    }
  };

  return { registry, timeRequests, serve };
}
