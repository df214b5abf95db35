// The embedded Temporal dev server is a child of the all-in-one start: when it
// dies it is started again on the same file and ports, so the worker and the
// API (whose connections reconnect by themselves) carry on where they were.
// Too many failures end the start with a message instead.
import type { Logger } from 'pino';
import { startTemporalDevServer, type TemporalDevServer, type TemporalDevServerOptions } from './temporal-dev-server.js';
import { superviseChild, type RestartPolicy, type SupervisedChild } from '../platform/child-supervisor.js';
import type { DependencyStatus } from '../platform/dependency-status.js';

/** The part's name in /readyz, the metrics and the dashboard's banner. */
const DEV_SERVER_PART = 'temporalDevServer';

export interface DevServerSupervision {
  first: TemporalDevServer;
  /** The options it was started with: a restart keeps its file and takes the same ports. */
  options: TemporalDevServerOptions;
  status: DependencyStatus;
  log: Logger;
  /** Ends the whole start with this message (non-zero exit), for a process manager to take over. */
  fail(message: string): void;
  policy?: RestartPolicy;
}

const portOf = (url: string) => Number(url.slice(url.lastIndexOf(':') + 1));

export function superviseDevServer({ first, options, status, log, fail, policy }: DevServerSupervision): SupervisedChild<TemporalDevServer> {
  const restartOptions: TemporalDevServerOptions = {
    ...options,
    port: portOf(first.address),
    ...(first.uiUrl ? { uiPort: portOf(first.uiUrl) } : {}),
  };
  status.report(DEV_SERVER_PART, true);
  status.runsOn('temporal', DEV_SERVER_PART);
  return superviseChild({
    name: 'the Temporal dev server',
    first,
    start: () => startTemporalDevServer(restartOptions),
    ...(policy ? { policy } : {}),
    events: {
      down(cause, retryInMs) {
        status.report(DEV_SERVER_PART, false, cause);
        // Temporal is away from this instant, before a probe notices; a probe that reaches it again says it is back.
        status.report('temporal', false, `the embedded Temporal dev server ${cause}`);
        log.error({ part: DEV_SERVER_PART, cause, retryInMs, logFile: first.logFile }, `Temporal dev server ${cause}: starting it again in ${retryInMs / 1000} s`);
      },
      restarting(attempt) {
        status.restarted(DEV_SERVER_PART);
        log.warn({ part: DEV_SERVER_PART, attempt }, `Temporal dev server: restart ${attempt}`);
      },
      up(child, downForMs) {
        status.report(DEV_SERVER_PART, true);
        log.warn({ part: DEV_SERVER_PART, downForMs }, `Temporal dev server is back after ${(downForMs / 1000).toFixed(1)} s (pid ${child.pid})`);
      },
      gaveUp(message) {
        status.report(DEV_SERVER_PART, false, message);
        fail(
          `${message}. Its log is ${first.logFile}. The coordinator stops so that a process manager can restart it, ` +
            'or start it again once the cause is fixed (a full disk, a damaged file under the data directory, a port taken by another program).',
        );
      },
    },
  });
}
