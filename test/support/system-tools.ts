// The Debian packages some tests drive: the browser test (Chromium and CJK
// fonts), the reply test over a real SMTP client (swaks) and the compose file's
// validation (docker-compose). The test command provides them: it installs
// what is missing when it runs as root with apt-get, and otherwise stops at
// once with the command to run. No test skips for a missing tool.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const found = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
const installed = (pkg: string) => spawnSync('dpkg', ['-s', pkg], { stdio: 'ignore' }).status === 0;

const NEEDS: { pkg: string; present: () => boolean }[] = [
  { pkg: 'chromium', present: () => existsSync(CHROMIUM) },
  { pkg: 'fonts-noto-cjk', present: () => installed('fonts-noto-cjk') },
  { pkg: 'swaks', present: () => found('swaks') },
  { pkg: 'docker-compose', present: () => found('docker-compose') },
];

export function ensureSystemTools(log: (message: string) => void): void {
  const missing = NEEDS.filter((need) => !need.present()).map((need) => need.pkg);
  if (missing.length === 0) return;
  const command = `apt-get update && apt-get install -y --no-install-recommends ${missing.join(' ')}`;
  const root = process.getuid?.() === 0;
  if (!root || !found('apt-get')) {
    throw new Error(`The tests need ${missing.join(', ')}. Install them (as root): ${command}`);
  }
  log(`installing ${missing.join(', ')} (Debian packages the tests drive)`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { stdio: 'inherit', env });
  const still = NEEDS.filter((need) => !need.present()).map((need) => need.pkg);
  if (still.length > 0) throw new Error(`Installing ${still.join(', ')} did not provide them; run: ${command}`);
}
