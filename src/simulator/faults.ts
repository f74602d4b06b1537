import { z } from 'zod';
import { simulatedVendors } from './contract';
import { matchesFilter, type CallKey } from './filter';

const httpStatus = z.number().int().min(100).max(599);

/** What a fault does to a call it matches. */
const faultActionSchema = z.discriminatedUnion('type', [
  /** Answer this status with the vendor's error envelope, or with `body` as given. */
  z.object({
    type: z.literal('status'),
    status: httpStatus,
    body: z.string().optional(),
    contentType: z.string().default('text/plain'),
  }),
  /** Hold the call, then answer normally, or with `status` in the vendor's envelope. */
  z.object({ type: z.literal('delay'), ms: z.number().int().min(0).max(600_000), status: httpStatus.optional() }),
  /** Destroy the connection without answering. */
  z.object({ type: z.literal('reset') }),
  /** Answer with a JSON content type and a body that is not JSON. */
  z.object({ type: z.literal('malformed'), status: httpStatus.default(200) }),
  /** Answer 429 with `Retry-After: <retryAfterSeconds>`. */
  z.object({ type: z.literal('rate_limit'), retryAfterSeconds: z.number().int().min(0).default(1) }),
]);

export const faultSpecSchema = z
  .object({
    vendor: z.enum(simulatedVendors).optional(),
    method: z
      .string()
      .transform((method) => method.toUpperCase())
      .optional(),
    /** Matches calls whose path contains this text. */
    path: z.string().min(1).optional(),
    /** How many calls the fault applies to; forever when absent. */
    times: z.number().int().positive().optional(),
    /** Chance that a matching call is affected; every one when absent. */
    probability: z.number().min(0).max(1).optional(),
    action: faultActionSchema,
  })
  .strict();

/** A fault as callers write it (in process or as JSON over HTTP); defaults are filled in by `add`. */
export type FaultSpec = z.input<typeof faultSpecSchema>;
export type FaultAction = z.output<typeof faultActionSchema>;
export type Fault = z.output<typeof faultSpecSchema> & { id: string; applied: number };

/** The faults in force, applied to calls in the order they were added. */
export class FaultSet {
  private faults: Fault[] = [];
  private nextId = 1;

  constructor(private readonly random: () => number = Math.random) {}

  /** Adds a fault; throws a ZodError when `spec` is not a valid fault. */
  add(spec: FaultSpec): Fault {
    const fault: Fault = { ...faultSpecSchema.parse(spec), id: `fault-${this.nextId++}`, applied: 0 };
    this.faults.push(fault);
    return fault;
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((fault) => fault.id !== id);
    return this.faults.length < before;
  }

  clear(): void {
    this.faults = [];
  }

  list(): Fault[] {
    return this.faults.map((fault) => ({ ...fault }));
  }

  /** The action of the first fault that applies to `call`, counting it against that fault's `times`. */
  take(call: CallKey): FaultAction | undefined {
    const applies = (fault: Fault) =>
      matchesFilter(fault, call) && (fault.probability === undefined || this.random() < fault.probability);
    const fault = this.faults.find(applies);
    if (!fault) return undefined;
    fault.applied += 1;
    if (fault.times !== undefined && fault.applied >= fault.times) this.remove(fault.id);
    return fault.action;
  }
}
