// npm exec tsx scripts/temporal-cli.ts   prints the path of a Temporal CLI,
// building it into .tools/bin first when there is none (CI runs this ahead
// of the tests so the build does not count against a test's timeout).
import { ensureTemporalCli } from '../dev/temporal-cli.js';

try {
  const cliPath = await ensureTemporalCli({ log: (message) => process.stderr.write(`${message}\n`) });
  process.stdout.write(`${cliPath}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
