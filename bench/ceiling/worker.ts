// The ceiling's worker, a process of its own like the product's worker, with the same tuning.
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createEncryptionCodec, encryptingDataConverter } from '../../platform/payload-codec.js';
import * as activities from './activities.js';

Runtime.install({ logger: new DefaultLogger('WARN') });
const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
const worker = await Worker.create({
  connection,
  taskQueue: process.env.TEMPORAL_TASK_QUEUE!,
  dataConverter: encryptingDataConverter(createEncryptionCodec({ current: process.env.TEMPORAL_PAYLOAD_KEY! })),
  workflowsPath: fileURLToPath(new URL('./workflows.ts', import.meta.url)),
  activities,
  maxConcurrentActivityTaskExecutions: 100,
});
process.once('SIGTERM', () => worker.shutdown());
process.stdout.write('ready\n');
await worker.run();
await connection.close();
