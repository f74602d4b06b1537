import { z } from 'zod';
import { createLogger, logLevels } from '../lib/logger';
import { createSimulator, defaultSimulatorTokens } from './server';
import { demoSeed, describeSeed } from './seed';

/** `npm run mock-apis`: the vendor simulator alone, seeded with the demo data. */

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4010),
  HOST: z.string().min(1).default('127.0.0.1'),
  SIMULATOR_ALTOSTRAT_TOKEN: z.string().min(1).default(defaultSimulatorTokens.altostrat),
  SIMULATOR_AITRONOS_TOKEN: z.string().min(1).default(defaultSimulatorTokens.aitronos),
  SIMULATOR_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  LOG_LEVEL: z.enum(logLevels).default('info'),
});

async function main(): Promise<void> {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) process.stderr.write(`${issue.path.join('.')}: ${issue.message}\n`);
    process.exitCode = 1;
    return;
  }
  const env = parsed.data;
  const tokens = { altostrat: env.SIMULATOR_ALTOSTRAT_TOKEN, aitronos: env.SIMULATOR_AITRONOS_TOKEN };
  const simulator = createSimulator({
    tokens,
    seed: demoSeed,
    latencyMs: env.SIMULATOR_LATENCY_MS,
    logger: createLogger({ level: env.LOG_LEVEL }).child({ component: 'simulator' }),
  });
  const url = await simulator.start(env.PORT, env.HOST);

  const lines = [
    `Vendor simulator (Altostrat and Aitronos) listening on ${url}`,
    '',
    'For .env:',
    `  ALTOSTRAT_API_URL=${url}`,
    `  ALTOSTRAT_API_TOKEN=${tokens.altostrat}`,
    `  AITRONOS_API_URL=${url}`,
    `  AITRONOS_API_TOKEN=${tokens.aitronos}`,
    '',
    'Seed data:',
    ...describeSeed(demoSeed).map((line) => `  ${line}`),
    '',
    `Control: POST|DELETE ${url}/__simulator/faults, GET ${url}/__simulator/calls, POST ${url}/__simulator/reset`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  const shutdown = (signal: NodeJS.Signals) => {
    process.stdout.write(`${signal}: stopping\n`);
    simulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`mock-apis: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
