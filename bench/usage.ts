/**
 * How busy the load generator and the services process were while an app was under load:
 * if either neared saturation, the figures would measure the benchmark, not the app.
 */
import { performance } from 'node:perf_hooks';
import type { CpuUse } from './services-api';
import type { Services } from './services-client';

export interface LoadUse {
  driver: CpuUse;
  services: CpuUse;
}

/** Starts measuring; the returned function stops and reports both processes' use since. */
export async function startUse(services: Services): Promise<() => Promise<LoadUse>> {
  await services.api.usage();
  const started = { at: performance.now(), cpu: process.cpuUsage(), elu: performance.eventLoopUtilization() };
  return async () => {
    const cpu = process.cpuUsage(started.cpu);
    const driver = {
      wallMs: performance.now() - started.at,
      cpuMs: (cpu.user + cpu.system) / 1000,
      elu: performance.eventLoopUtilization(started.elu).utilization,
    };
    return { driver, services: await services.api.usage() };
  };
}
