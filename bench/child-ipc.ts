import type { ChildProcess } from 'node:child_process';

/** Sends `request` to a benchmark child process and resolves with its first message of type `replyType`. */
export function ask<Reply extends { type: string }>(child: ChildProcess, request: { type: string }, replyType: Reply['type']): Promise<Reply> {
  return new Promise((resolve) => {
    const onMessage = (message: Reply) => {
      if (message.type !== replyType) return;
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
    child.send(request);
  });
}

/** Asks a benchmark child process to close and exit normally; resolves when it has (killed after 15 s). */
export function stopChild(child: ChildProcess, request: { type: 'stop' }): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.send(request);
  });
}

/**
 * The child's side: says `ready` with its URL, answers each request of the parent with `answer`, and on `stop` (or
 * SIGTERM, SIGINT, or the parent gone: a crashed parent leaves no server lingering) closes `running` once and exits.
 */
export function serveParent<Request extends { type: string }, Reply extends { type: string }>(
  running: { readonly url: string; close(): Promise<void> },
  answer: (request: Exclude<Request, { type: 'stop' }>) => Reply,
): void {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void running.close().then(() => process.exit(0));
  };
  process.on('message', (request: Request) => {
    if (request.type === 'stop') stop();
    else process.send?.(answer(request as Exclude<Request, { type: 'stop' }>));
  });
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  process.once('disconnect', stop);
  process.send?.({ type: 'ready', url: running.url });
}
