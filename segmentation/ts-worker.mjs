// Entry of worker threads that run TypeScript modules. On Node 20 a worker inherits neither
// `--import tsx` nor tsx's register() from its parent (a .ts entry fails with "Unknown file
// extension"), so this plain-JS entry registers tsx in the worker and then loads the module named
// by workerData.entry. It works the same under `node --import tsx` (tests) and bin/smsp.mjs.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
