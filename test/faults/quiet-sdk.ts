// Imported first by the fault tests: the faults they inject make the Temporal
// SDK log every failed activity attempt and every refused connection, which
// would bury the figures the tests print. Errors still show.
import { DefaultLogger, Runtime } from '@temporalio/worker';

try {
  Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
} catch {
  // already installed in this process
}
