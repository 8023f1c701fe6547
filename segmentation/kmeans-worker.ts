/** Worker-thread side of kmeans-in-worker.ts: answers each posted fit, one at a time. */
import { parentPort } from 'node:worker_threads';
import { fitBestK, type KMeansFitInput } from './kmeans-fit.ts';

parentPort!.on('message', (input: KMeansFitInput) => {
  try {
    parentPort!.postMessage({ result: fitBestK(input) });
  } catch (err) {
    parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) });
  }
});
