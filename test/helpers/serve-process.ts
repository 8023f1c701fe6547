/** `smsp serve` as a child process, the way a user starts it: wait for its listening line, stop it with SIGTERM. */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ServeProcess {
  child: ChildProcess;
  /** http://host:port from the listening line. */
  address: string;
  stderr(): string;
  stdout(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/**
 * Starts `node bin/smsp.mjs serve --port 0 ...args` and resolves once a stderr line matches `listening`
 * (its first group is the address); rejects if the process exits first or nothing matches in time.
 */
export async function startServe(args: string[], env: NodeJS.ProcessEnv, opts: { listening?: RegExp; timeoutMs?: number } = {}): Promise<ServeProcess> {
  const listening = opts.listening ?? /listening on (http:\/\/\S+)/;
  const child = spawn(process.execPath, ['bin/smsp.mjs', 'serve', '--port', '0', ...args], { env });
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const address = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening line in time:\n${stderr}`)), opts.timeoutMs ?? 90_000);
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = listening.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited ${code} before listening:\n${stderr}`));
    });
  });
  return { child, address, exited, stderr: () => stderr, stdout: () => stdout };
}

/** SIGTERM, then the exit code. */
export async function stopServe(serve: Pick<ServeProcess, 'child' | 'exited'>): Promise<number | null> {
  if (serve.child.exitCode === null) serve.child.kill('SIGTERM');
  return serve.exited;
}
