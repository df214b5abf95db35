// Validates docker-compose.yml with the real Compose tool, since no Docker
// engine is available to bring the stack up in CI.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const composeFile = path.join(root, 'docker-compose.yml');
const exampleEnv = path.join(root, '.env.example');

const appServices = ['migrate', 'worker', 'api', 'inbound'];
const allServices = [
  'postgres',
  'temporal-db',
  'temporal',
  'temporal-ui',
  'temporal-setup',
  'mailpit',
  ...appServices,
];
// The configuration table of API.md that the stack decides for the app.
const apiVariables = [
  'DATABASE_URL',
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'SMTP_URL',
  'PUBLIC_BASE_URL',
  'PORT',
  'ADMIN_API_KEY',
  'ACK_TOKEN_SECRET',
];

interface ComposeTool {
  command: string;
  prefix: string[];
  v1: boolean;
}

interface ServiceConfig {
  image?: string;
  environment?: Record<string, string | null>;
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string };
  ports?: unknown[];
  command?: string[] | string;
  restart?: string;
}

const installHint =
  'Compose is needed to validate docker-compose.yml. Install it with ' +
  '`apt-get update && apt-get install -y docker-compose` (Debian/Ubuntu), ' +
  'or install the Docker Compose v2 plugin so that `docker compose version` works.';

async function findComposeTool(): Promise<ComposeTool | undefined> {
  const candidates: Array<Omit<ComposeTool, 'v1'>> = [
    { command: 'docker', prefix: ['compose'] },
    { command: 'docker-compose', prefix: [] },
  ];
  for (const candidate of candidates) {
    try {
      const { stdout } = await run(candidate.command, [...candidate.prefix, 'version', '--short']);
      return { ...candidate, v1: stdout.trim().startsWith('1.') };
    } catch {
      // not installed, or `docker` without the compose plugin
    }
  }
  return undefined;
}

// Variables of the example env file must win over whatever the caller's shell
// exports (Compose prefers the process environment).
async function isolatedEnv(): Promise<NodeJS.ProcessEnv> {
  const names = (await readFile(exampleEnv, 'utf8'))
    .split('\n')
    .map((line) => /^([A-Z_][A-Z0-9_]*)=/.exec(line.trim())?.[1])
    .filter((name): name is string => name !== undefined);
  const env = { ...process.env };
  for (const name of [...names, 'COMPOSE_FILE', 'COMPOSE_PROJECT_NAME', 'COMPOSE_PROFILES']) delete env[name];
  return env;
}

function compose(tool: ComposeTool, args: string[], env: NodeJS.ProcessEnv) {
  return run(tool.command, [...tool.prefix, '--env-file', exampleEnv, '-f', composeFile, ...args], {
    cwd: root,
    env,
    maxBuffer: 16 * 1024 * 1024,
  });
}

// Compose v1 prints YAML only; it is a Python program whose YAML module
// converts it. Compose v2 prints JSON itself.
async function resolvedConfig(tool: ComposeTool, env: NodeJS.ProcessEnv): Promise<{ services: Record<string, ServiceConfig> }> {
  if (!tool.v1) return JSON.parse((await compose(tool, ['config', '--format', 'json'], env)).stdout);
  const { stdout: yaml } = await compose(tool, ['config'], env);
  const convert = 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)';
  const child = execFile('python3', ['-c', convert], { maxBuffer: 16 * 1024 * 1024 });
  const output = new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`python3 exited with ${code}`))));
  });
  child.stdin?.end(yaml);
  return JSON.parse(await output);
}

interface PublishedPort {
  host_ip: string | undefined;
  published: string | undefined;
  target: string | undefined;
}

// Compose v2 resolves ports to objects, v1 to "host_ip:published:target" strings.
function publishedPorts(service: ServiceConfig | undefined): PublishedPort[] {
  return (service?.ports ?? []).map((port) => {
    if (typeof port === 'object' && port !== null) {
      const { host_ip, published, target } = port as { host_ip?: string; published?: string | number; target?: string | number };
      return { host_ip, published: published?.toString(), target: target?.toString() };
    }
    const parts = String(port).split(':');
    const [target, published, host_ip] = parts.reverse();
    return { host_ip, published, target };
  });
}

interface Subject {
  tool: ComposeTool;
  env: NodeJS.ProcessEnv;
  services: Record<string, ServiceConfig>;
}

// Every test awaits this, so a missing tool fails each of them rather than
// leaving them skipped behind a failed hook.
let subject: Promise<Subject> | undefined;
function load(): Promise<Subject> {
  subject ??= (async () => {
    const tool = await findComposeTool();
    if (!tool) throw new Error(process.env.CI ? `CI must install Compose. ${installHint}` : installHint);
    const env = await isolatedEnv();
    return { tool, env, services: (await resolvedConfig(tool, env)).services };
  })();
  return subject;
}

describe('docker-compose.yml', { timeout: 30_000 }, () => {
  it('is valid with the example environment', async () => {
    const { tool, env } = await load();
    await expect(compose(tool, ['config', '-q'], env)).resolves.toBeDefined();
  });

  it('refuses to start without the database passwords', async () => {
    const { tool, env } = await load();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'compose-env-'));
    const emptyEnvFile = path.join(dir, 'empty.env');
    await writeFile(emptyEnvFile, '');
    try {
      const args = [...tool.prefix, '--env-file', emptyEnvFile, '-f', composeFile, 'config', '-q'];
      await expect(run(tool.command, args, { cwd: root, env })).rejects.toThrow(/POSTGRES_PASSWORD/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start without ACK_TOKEN_SECRET: the signing secret comes from the environment only', async () => {
    const { tool, env } = await load();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'compose-env-'));
    const withoutSecret = path.join(dir, 'no-secret.env');
    await writeFile(withoutSecret, (await readFile(exampleEnv, 'utf8')).replace(/^ACK_TOKEN_SECRET=.*$/m, 'ACK_TOKEN_SECRET='));
    try {
      const args = [...tool.prefix, '--env-file', withoutSecret, '-f', composeFile, 'config', '-q'];
      await expect(run(tool.command, args, { cwd: root, env })).rejects.toThrow(/ACK_TOKEN_SECRET/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start without TEMPORAL_PAYLOAD_KEY, and points the Temporal UI at the codec endpoint', async () => {
    const { tool, env, services } = await load();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'compose-env-'));
    const withoutKey = path.join(dir, 'no-payload-key.env');
    await writeFile(withoutKey, (await readFile(exampleEnv, 'utf8')).replace(/^TEMPORAL_PAYLOAD_KEY=.*$/m, 'TEMPORAL_PAYLOAD_KEY='));
    try {
      const args = [...tool.prefix, '--env-file', withoutKey, '-f', composeFile, 'config', '-q'];
      await expect(run(tool.command, args, { cwd: root, env })).rejects.toThrow(/TEMPORAL_PAYLOAD_KEY/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    for (const name of appServices) expect(Object.keys(services[name]?.environment ?? {}), name).toContain('TEMPORAL_PAYLOAD_KEY');
    expect(services['temporal-ui']?.environment?.TEMPORAL_CODEC_ENDPOINT).toBe('http://localhost:3000/codec');
    expect(services.api?.environment?.TEMPORAL_CODEC_CORS_ORIGIN).toBe('http://127.0.0.1:8080');
  });

  it('has the expected services with pinned images', async () => {
    const { services } = await load();
    expect(Object.keys(services).sort()).toEqual(expect.arrayContaining([...allServices].sort()));
    for (const [name, service] of Object.entries(services)) {
      expect(service.image, name).toBeTruthy();
      expect(service.image, name).not.toMatch(/:latest$/);
      if (!appServices.includes(name)) expect(service.image, name).toMatch(/:[^:/]+$/);
    }
  });

  it('gives every app service the API.md environment', async () => {
    const { services } = await load();
    for (const name of appServices) {
      const environment = services[name]?.environment ?? {};
      for (const variable of apiVariables) expect(Object.keys(environment), `${name}.${variable}`).toContain(variable);
      expect(environment.TEMPORAL_ADDRESS).toBe('temporal:7233');
      expect(environment.SMTP_URL).toBe('smtp://mailpit:1025');
      expect(environment.DATABASE_URL).toMatch(/^postgres(ql)?:\/\/[^@]+@postgres:5432\//);
    }
  });

  it('starts the app only after its dependencies are ready', async () => {
    const { services } = await load();
    const condition = (service: string, dependency: string): string | undefined =>
      services[service]?.depends_on?.[dependency]?.condition;
    expect(condition('migrate', 'postgres')).toBe('service_healthy');
    for (const name of ['worker', 'api']) {
      expect(condition(name, 'migrate')).toBe('service_completed_successfully');
      expect(condition(name, 'temporal-setup')).toBe('service_completed_successfully');
    }
    expect(condition('temporal-setup', 'temporal')).toBe('service_healthy');
    for (const name of ['postgres', 'temporal-db', 'temporal', 'mailpit', 'api']) {
      expect(services[name]?.healthcheck?.test, name).toBeTruthy();
    }
  });

  it('has the container runtime restart every long-running service, and none of the one-shot steps', async () => {
    const { services } = await load();
    const oneShot = ['temporal-schema', 'temporal-setup', 'migrate'];
    for (const [name, service] of Object.entries(services)) {
      expect(service.restart, name).toBe(oneShot.includes(name) ? 'no' : 'unless-stopped');
    }
  });

  it('publishes the admin UIs on the loopback only, the Temporal UI without write actions', async () => {
    const { services } = await load();
    for (const name of ['temporal-ui', 'mailpit']) {
      const published = publishedPorts(services[name]);
      expect(published.length, name).toBeGreaterThan(0);
      for (const port of published) expect(port.host_ip, `${name} ${port.published}`).toBe('127.0.0.1');
    }
    expect(services['temporal-ui']?.environment?.TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('true');
  });

  it('runs the reply listener as its own service on port 2525, and tells the worker replies are on', async () => {
    const { services } = await load();
    const inbound = services.inbound;
    expect(inbound?.command).toEqual(['npm', 'run', 'inbound']);
    expect(inbound?.environment?.INBOUND_SMTP_HOST).toBe('0.0.0.0');
    expect(inbound?.environment?.INBOUND_SMTP_PORT).toBe('2525');
    expect(publishedPorts(inbound)).toEqual([expect.objectContaining({ published: '2525', target: '2525' })]);
    expect(inbound?.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    expect(services.worker?.environment?.INBOUND_SMTP_PORT).toBe('2525');
  });

  it('registers the search attributes the workflows use', async () => {
    const text = await readFile(composeFile, 'utf8');
    expect(text).toMatch(/--name SanctionStatus --type Keyword/);
    expect(text).toMatch(/--name CourtCode --type Keyword/);
  });
});
