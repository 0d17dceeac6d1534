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
