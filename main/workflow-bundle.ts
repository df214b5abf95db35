// The workflow bundle, built in a child process. Webpack, its loaders and
// their caches stay in the heap of whoever ran them, about 120 MiB that a
// worker would otherwise carry for its whole life; a child gives it all back
// when it exits.
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/** Prints the bundle's code on stdout; the bundler's own logs would mix with it, so it gets a silent logger. */
const BUNDLER = `
const [sdk, workflowsPath, interceptors] = process.argv.slice(1);
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
import(sdk)
  .then(({ bundleWorkflowCode }) => bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: JSON.parse(interceptors), logger: quiet }))
  .then(({ code }) => process.stdout.write(code));
`;

export function bundleWorkflowsApart(workflowsPath: string, workflowInterceptorModules: string[] = []): Promise<string> {
  const sdk = pathToFileURL(createRequire(import.meta.url).resolve('@temporalio/worker')).href;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['-e', BUNDLER, sdk, workflowsPath, JSON.stringify(workflowInterceptorModules)],
      { maxBuffer: 256 * 2 ** 20, encoding: 'utf8' },
      (error, stdout, stderr) => (error ? reject(new Error(`bundling the workflows failed: ${stderr || error.message}`)) : resolve(stdout)),
    );
  });
}
