// What every entry point does around its own parts: read the settings once,
// make the logger, stop cleanly on SIGINT/SIGTERM, and exit non-zero with a
// clear message when it cannot start.
import type { Logger } from 'pino';
import { createProcessLogger } from '../platform/logger.js';
import { InvalidSettings, loadSettings, missingSettings, type Settings } from '../platform/settings.js';

export interface StartedProcess {
  /** Stops what was started, in reverse order. */
  stop(): Promise<void>;
}

type Needed = Parameters<typeof missingSettings>[1];

/** What a started process may do about itself. */
export interface ProcessControl {
  /**
   * It cannot serve any more (a child that will not stay up, a listener that
   * closed): stop everything and exit non-zero with this message, so that a
   * process manager restarts it or a person sees why.
   */
  fail(message: string): void;
}

/** Longer than the worker's shutdown grace (20 s) and the HTTP grace (5 s), shorter than compose's stop_grace_period (30 s) plus a margin. */
const STOP_DEADLINE_MS = 45_000;

export async function runProcess(name: string, needs: Needed, start: (settings: Settings, log: Logger, control: ProcessControl) => Promise<StartedProcess>): Promise<void> {
  let settings: Settings;
  try {
    settings = loadSettings();
  } catch (error) {
    if (!(error instanceof InvalidSettings)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const missing = missingSettings(settings, needs);
  if (missing.length > 0) {
    // The separate processes have no embedded defaults: they say what is missing.
    process.stderr.write(`Set ${missing.join(', ')} (or run everything on embedded defaults with \`npm start\`).\n`);
    process.exit(2);
  }
  const log = createProcessLogger(settings.log, name);

  let started: StartedProcess | null = null;
  let stopping = false;
  const shutdown = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log.info(`${reason}: stopping`);
    // A part that cannot stop (a dependency gone for good) must not keep the process alive.
    setTimeout(() => {
      log.error(`still stopping after ${STOP_DEADLINE_MS / 1000} s: exiting`);
      process.exit(1);
    }, STOP_DEADLINE_MS).unref();
    await started?.stop().catch((error: unknown) => log.error({ err: error }, 'error while stopping'));
    log.info({ exitCode }, `stopped (exit code ${exitCode})`);
    process.exit(exitCode);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(signal, 0));
  const control: ProcessControl = {
    fail(message) {
      if (stopping) return;
      log.fatal(message);
      // Also plainly on stderr: whoever reads the terminal or `journalctl` sees why, whatever the log format.
      process.stderr.write(`\n${name}: ${message}\n`);
      void shutdown('cannot serve', 1);
    },
  };

  try {
    started = await start(settings, log, control);
  } catch (error) {
    log.fatal({ err: error }, 'start failed');
    await shutdown('start failure', 1);
  }
}

/** Runs the stops in reverse order of registration, each even if an earlier one failed. */
export function stopsInReverse(): { add(stop: () => Promise<unknown>): void; stop(): Promise<void> } {
  const stops: (() => Promise<unknown>)[] = [];
  return {
    add: (stop) => void stops.push(stop),
    async stop() {
      let failure: unknown;
      for (const stop of stops.reverse()) await stop().catch((error: unknown) => (failure ??= error));
      if (failure) throw failure;
    },
  };
}
