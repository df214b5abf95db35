// Starts what every integration test shares: a real Temporal dev server
// (unless TEMPORAL_ADDRESS points at one), the workflow bundle and the
// Debian packages some tests drive. Each test
// file creates its own PostgreSQL database and SMTP server.
import type { TestProject } from 'vitest/node';
import { bundleWorkflowCode } from '@temporalio/worker';
import { ensureTemporalCli } from '../../dev/temporal-cli.js';
import { startTemporalDevServer, type TemporalDevServer } from '../../dev/temporal-dev-server.js';
import { SEARCH_ATTRIBUTES } from '../../workflows/search-attributes.js';
import { ensureSystemTools } from './system-tools.js';
import { workflowInterceptorModules, workflowsPath } from '../../main/create-worker.js';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundleCode: string;
    /** The same code with the OpenTelemetry workflow interceptors, for stacks that trace. */
    tracedWorkflowBundleCode: string;
  }
}

let devServer: TemporalDevServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  const log = (message: string) => process.stderr.write(`[test setup] ${message}\n`);
  ensureSystemTools(log);
  let address = process.env.TEMPORAL_ADDRESS;
  if (!address) {
    const cliPath = await ensureTemporalCli({ log });
    devServer = await startTemporalDevServer({
      cliPath,
      headless: true,
      namespace: 'default',
      searchAttributes: SEARCH_ATTRIBUTES,
      log,
    });
    address = devServer.address;
  }
  // Tracing's workflow interceptors cost CPU in every workflow task: only stacks that trace get them.
  const [bundle, traced] = await Promise.all([
    bundleWorkflowCode({ workflowsPath, logger: quietLogger }),
    bundleWorkflowCode({ workflowsPath, workflowInterceptorModules, logger: quietLogger }),
  ]);
  project.provide('temporalAddress', address);
  project.provide('workflowBundleCode', bundle.code);
  project.provide('tracedWorkflowBundleCode', traced.code);
}

export async function teardown(): Promise<void> {
  await devServer?.stop();
}

const noop = () => {};
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: (message: string) => process.stderr.write(`${message}\n`), log: noop };
