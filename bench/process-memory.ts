// Resident memory of the benchmark's processes, from /proc (Linux).
import { readdir, readFile } from 'node:fs/promises';

async function readOrNull(path: string): Promise<string | null> {
  return readFile(path, 'utf8').catch(() => null);
}

/** The parent pid from /proc/<pid>/stat; the command name may hold spaces and parentheses, so read after the last ')'. */
export function parentPidOf(stat: string): number | null {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const parent = Number(fields[1]);
  return Number.isInteger(parent) ? parent : null;
}

/** VmRSS in MiB from /proc/<pid>/status; null when it has none (a zombie, a kernel thread). */
export function vmRssMiB(status: string): number | null {
  const kib = /^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1];
  return kib === undefined ? null : Number(kib) / 1024;
}

async function descendantsOf(pid: number): Promise<number[]> {
  const parents = new Map<number, number>();
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readOrNull(`/proc/${entry}/stat`);
    const parent = stat === null ? null : parentPidOf(stat);
    if (parent !== null) parents.set(Number(entry), parent);
  }
  const found: number[] = [];
  let frontier = [pid];
  while (frontier.length > 0) {
    frontier = [...parents].filter(([, parent]) => frontier.includes(parent)).map(([child]) => child);
    found.push(...frontier);
  }
  return found;
}

/**
 * The resident memory of a process and of any process it started, in MiB;
 * null once it has exited, so a dead process never reads as a small one.
 */
export async function rssMiB(pid: number | undefined): Promise<number | null> {
  if (pid === undefined) return null;
  const own = await readOrNull(`/proc/${pid}/status`);
  const ownMiB = own === null ? null : vmRssMiB(own);
  if (ownMiB === null) return null;
  let total = ownMiB;
  for (const child of await descendantsOf(pid)) {
    const status = await readOrNull(`/proc/${child}/status`);
    total += (status === null ? null : vmRssMiB(status)) ?? 0;
  }
  return total;
}

/** The largest of each group's processes, sampled every `everyMs` until stopped. */
export function sampleRss(groups: Record<string, (number | undefined)[]>, everyMs = 2000) {
  const max: Record<string, number | null> = Object.fromEntries(Object.keys(groups).map((name) => [name, null]));
  const sample = async () => {
    for (const [name, pids] of Object.entries(groups)) {
      for (const pid of pids) {
        const mib = await rssMiB(pid);
        if (mib !== null) max[name] = Math.max(max[name] ?? 0, mib);
      }
    }
  };
  let pending: Promise<void> = sample();
  const timer = setInterval(() => {
    pending = pending.then(sample);
  }, everyMs);
  timer.unref();
  return {
    max,
    /** Takes one last sample and stops. */
    async stop(): Promise<void> {
      clearInterval(timer);
      await pending.then(sample);
    },
  };
}

/** The current largest resident memory among `pids`; null when none is running. */
export async function largestRssMiB(pids: (number | undefined)[]): Promise<number | null> {
  const values = (await Promise.all(pids.map(rssMiB))).filter((mib): mib is number => mib !== null);
  return values.length === 0 ? null : Math.max(...values);
}
