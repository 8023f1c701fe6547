/**
 * Runs the k-means fits in a worker thread, so a large request never stalls the event loop (every
 * other request keeps being served), and stops it at a time limit: past it the worker is terminated.
 *
 * Starting a worker costs most of a second (tsx and ml-kmeans load in it), so one idle worker is kept
 * for the next fit; concurrent fits each get their own worker.
 */
import { Worker } from 'node:worker_threads';
import { errors } from '../common/errors.ts';
import type { KMeansFitInput, KMeansFitResult } from './kmeans-fit.ts';

const WORKER_ENTRY = new URL('./ts-worker.mjs', import.meta.url);
const KMEANS_MODULE = new URL('./kmeans-worker.ts', import.meta.url).href;

let idle: Worker | undefined;
let inFlight = 0;

/** Fits running right now. */
export const clusterFitsRunning = (): number => inFlight;

function spawnWorker(): Worker {
  const worker = new Worker(WORKER_ENTRY, { workerData: { entry: KMEANS_MODULE } });
  // A fit's own listeners report failures; this one only keeps an idle worker's death from throwing.
  worker.on('error', () => {});
  worker.once('exit', () => {
    if (idle === worker) idle = undefined;
  });
  return worker;
}

/** fitBestK in a worker thread; rejects with CLUSTER_TIMEOUT after `timeLimitMs` (start-up included). */
export function fitInWorker(input: KMeansFitInput, timeLimitMs: number): Promise<KMeansFitResult> {
  const worker = idle ?? spawnWorker();
  idle = undefined;
  worker.ref();
  inFlight++;
  return new Promise((resolve, reject) => {
    const settle = (reusable: boolean, done: () => void) => {
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      inFlight--;
      if (reusable && !idle) {
        // An idle worker must not keep the process alive.
        worker.unref();
        idle = worker;
      } else {
        void worker.terminate();
      }
      done();
    };
    const onMessage = (answer: { result?: KMeansFitResult; error?: string }) =>
      settle(true, () => (answer.result ? resolve(answer.result) : reject(new Error(`k-means fit failed: ${answer.error}`))));
    const onError = (err: Error) => settle(false, () => reject(err));
    const onExit = (code: number) => settle(false, () => reject(new Error(`k-means worker exited with code ${code} before answering`)));
    const timer = setTimeout(() => settle(false, () => reject(errors.clusterTimeout(timeLimitMs / 1000))), timeLimitMs);
    worker.on('message', onMessage).once('error', onError).once('exit', onExit);
    worker.postMessage(input);
  });
}
