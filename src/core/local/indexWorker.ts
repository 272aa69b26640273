/** Worker-thread entry (bundled to dist/indexWorker.js): runs the transcript engine off the host's main thread. */
import { parentPort, workerData } from 'node:worker_threads';
import { LocalUsageEngine, type WorkerOptions, type WorkerReply, type WorkerRequest } from './service';

let current = 0;
const engine = new LocalUsageEngine({
  ...(workerData as WorkerOptions),
  onProgress: (done, total) => parentPort?.postMessage({ id: current, kind: 'progress', done, total } satisfies WorkerReply),
});

parentPort?.on('message', (m: WorkerRequest) => {
  current = m.id;
  try {
    const { data } = engine.refreshSync(m.query ?? {});
    parentPort?.postMessage({ id: m.id, kind: 'result', data } satisfies WorkerReply);
  } catch (e) {
    parentPort?.postMessage({ id: m.id, kind: 'error', message: e instanceof Error ? e.message : String(e) } satisfies WorkerReply);
  }
});
