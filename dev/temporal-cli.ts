// Finds a Temporal CLI binary, building it from source when there is none.
// The CLI's download site is unreachable from our machines, so the fallback
// is `go install` through the Go module proxy. Tags from v1.6.0 on carry a
// `replace` directive that `go install module@version` refuses, which is why
// the versions are pinned below.
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type LogFn = (message: string) => void;

export const temporalCliModule = 'github.com/temporalio/cli/cmd/temporal';
export const temporalCliVersions = ['v1.5.1', 'v1.4.1'] as const;

const projectRoot = fileURLToPath(new URL('..', import.meta.url));
export const projectToolsBin = path.join(projectRoot, '.tools', 'bin');
const binaryName = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

// Concurrent callers in one process share a single build.
let pending: Promise<string> | undefined;

/**
 * Path of a usable Temporal CLI: `TEMPORAL_CLI`, else `temporal` on PATH,
 * else `.tools/bin/temporal`, else one built there with `go install`.
 */
export function ensureTemporalCli(options: { log: LogFn; explicitPath?: string | undefined; env?: NodeJS.ProcessEnv }): Promise<string> {
  const env = options.explicitPath ? { ...(options.env ?? process.env), TEMPORAL_CLI: options.explicitPath } : options.env;
  if (env) return locateOrBuild(options.log, env);
  pending ??= locateOrBuild(options.log, process.env).catch((error: unknown) => {
    pending = undefined;
    throw error;
  });
  return pending;
}

async function locateOrBuild(log: LogFn, env: NodeJS.ProcessEnv): Promise<string> {
  const explicit = env.TEMPORAL_CLI?.trim();
  if (explicit) {
    const resolved = path.resolve(explicit);
    if (!(await isExecutable(resolved))) {
      throw new Error(`TEMPORAL_CLI is set to ${resolved}, which is not an executable file`);
    }
    return resolved;
  }

  const onPath = await findOnPath(binaryName, env);
  if (onPath) return onPath;

  const local = path.join(projectToolsBin, binaryName);
  if (await isExecutable(local)) return local;

  const go = await findOnPath(process.platform === 'win32' ? 'go.exe' : 'go', env);
  if (!go) {
    throw new Error(
      [
        'No Temporal CLI found and no Go toolchain to build one.',
        'Either set TEMPORAL_CLI to the path of a `temporal` binary, put `temporal` on PATH,',
        `or install Go (1.25 or newer) and run: GOBIN=${projectToolsBin} go install ${temporalCliModule}@${temporalCliVersions[0]}`,
      ].join('\n'),
    );
  }

  await mkdir(projectToolsBin, { recursive: true });
  const failures: string[] = [];
  for (const version of temporalCliVersions) {
    log(`Building the Temporal CLI ${version} with ${go} (takes a few minutes the first time)`);
    const started = performance.now();
    try {
      await goInstall(go, `${temporalCliModule}@${version}`, env, log);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      failures.push(`${version}: ${reason}`);
      log(`Building the Temporal CLI ${version} failed: ${reason}`);
      continue;
    }
    if (await isExecutable(local)) {
      log(`Temporal CLI ${version} built in ${((performance.now() - started) / 1000).toFixed(0)} s: ${local}`);
      return local;
    }
    failures.push(`${version}: go install succeeded but ${local} is missing`);
  }
  throw new Error(`Could not build the Temporal CLI:\n  ${failures.join('\n  ')}`);
}

function goInstall(go: string, target: string, env: NodeJS.ProcessEnv, log: LogFn): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(go, ['install', target], {
      cwd: projectRoot,
      env: { ...env, GOBIN: projectToolsBin },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const forward = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        log(`go: ${line.replace(/^go: /, '')}`);
        tail.push(line);
        if (tail.length > 20) tail.shift();
      }
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    // Compiling prints nothing for minutes; show that it is still alive.
    const started = Date.now();
    const heartbeat = setInterval(() => {
      log(`still building ${target} (${Math.round((Date.now() - started) / 1000)} s)`);
    }, 20_000);
    child.on('error', (error) => {
      clearInterval(heartbeat);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearInterval(heartbeat);
      if (code === 0) resolve();
      else reject(new Error(`go install exited with ${signal ?? code}${tail.length ? `:\n${tail.join('\n')}` : ''}`));
    });
  });
}

async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return undefined;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
