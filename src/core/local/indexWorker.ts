/**
 * The scan helper's thread (bundled to dist/indexWorker.js): started by `LocalUsageEngine.refresh` for a big
 * scan, it claims files from the list it shares with the engine's thread (or all of them, with
 * `sharedThread`), reads them, and returns their lines packed in typed arrays.
 */
import { parentPort } from 'node:worker_threads';
import { scanForReply, type ScanJobs } from './service';

// Started early (before the engine's thread has listed the files): the job list comes as a message.
parentPort?.once('message', (jobs: ScanJobs) => {
  const { reply, transfer } = scanForReply(jobs);
  parentPort?.postMessage(reply, transfer);
});
