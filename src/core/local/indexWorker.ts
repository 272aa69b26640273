/**
 * Worker-thread entry (bundled to dist/indexWorker.js). Two modes:
 * - engine (default): runs the transcript engine off the extension host's main thread, kept warm between
 *   refreshes (`runInWorker`);
 * - `workerData.mode === 'scan'`: a one-shot helper that shares a big first scan with the main thread
 *   (claiming files from one list) and returns its lines packed in typed arrays (`LocalUsageEngine.refresh`).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { LocalUsageData } from '../model/snapshot';
import { keptDays, withoutKeptDays } from './dayDelta';
import { COLLECT_AFTER_BYTES, IdleCollector } from './heap';
import { LocalUsageEngine, scanForReply, type ScanJobs, type ScanStart, type WorkerOptions, type WorkerReply, type WorkerRequest } from './service';

const data = workerData as (WorkerOptions & { mode?: undefined }) | ScanStart;

if (data.mode === 'scan') {
  // Started early (before the main thread has listed the files): the job list comes as a message.
  parentPort?.once('message', (jobs: ScanJobs) => {
    const { reply, transfer } = scanForReply(jobs);
    parentPort?.postMessage(reply, transfer);
  });
} else {
  let current = 0;
  const engine = new LocalUsageEngine({
    ...data,
    onProgress: (done, total, bytes) => parentPort?.postMessage({ id: current, kind: 'progress', done, total, bytes } satisfies WorkerReply),
  });
  let queue = Promise.resolve();
  /** The day rows of the last result sent, by request id: the host names it (`have`) when it still holds them. */
  let sent: { id: number; days: LocalUsageData['days'] } | undefined;
  // What the first refresh (the index built or loaded) and long catch-ups leave behind is given back once
  // the worker falls idle (heap.ts).
  const collector = new IdleCollector();
  let first = true;
  parentPort?.on('message', (m: WorkerRequest) => {
    collector.start();
    queue = queue.then(async () => {
      current = m.id;
      let big = first;
      first = false;
      try {
        const { data: result, stats } = await engine.refresh(m.query ?? {});
        big ||= stats.bytesRead >= COLLECT_AFTER_BYTES;
        const keep = sent && m.have === sent.id ? keptDays(sent.days, result.days) : 0;
        sent = { id: m.id, days: result.days };
        parentPort?.postMessage({ id: m.id, kind: 'result', data: withoutKeptDays(result, keep), ...(keep > 0 ? { keepDays: keep } : {}) } satisfies WorkerReply);
      } catch (e) {
        parentPort?.postMessage({ id: m.id, kind: 'error', message: e instanceof Error ? e.message : String(e) } satisfies WorkerReply);
      } finally {
        collector.end(big);
      }
    });
  });
}
