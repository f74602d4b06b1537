import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { ServiceUrls, ServicesApi, ServicesReady, ServicesReply, ServicesRequest } from './services-api';

/** Each method of `T`, called in another process: same arguments, answer awaited. */
export type Remote<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

export interface Services {
  urls: ServiceUrls;
  api: Remote<ServicesApi>;
  pid: number;
  stop(): Promise<void>;
}

/** Forks the services process (fake Slack and vendor simulator) and resolves once both listen. */
export async function startServices(): Promise<Services> {
  const child = fork(path.join(__dirname, 'services.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const urls = await new Promise<ServiceUrls>((resolve, reject) => {
    child.once('message', (message: ServicesReady) => resolve(message.ready));
    child.once('exit', (code) => reject(new Error(`the services process exited (code ${code}) before it was ready`)));
  });

  let nextId = 1;
  const waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  child.on('message', (message: ServicesReply | ServicesReady) => {
    if (!('id' in message)) return;
    const call = waiting.get(message.id);
    waiting.delete(message.id);
    if ('error' in message) call?.reject(new Error(message.error));
    else call?.resolve(message.result);
  });
  child.on('exit', (code) => {
    for (const call of waiting.values()) call.reject(new Error(`the services process exited (code ${code})`));
    waiting.clear();
  });

  const api = new Proxy({} as Remote<ServicesApi>, {
    get: (_target, method: keyof ServicesApi) =>
      (...args: unknown[]) =>
        new Promise((resolve, reject) => {
          const id = nextId++;
          waiting.set(id, { resolve, reject });
          child.send({ id, method, args } as ServicesRequest);
        }),
  });

  return { urls, api, pid: child.pid!, stop: () => stopChild(child) };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.disconnect();
  return exited;
}
