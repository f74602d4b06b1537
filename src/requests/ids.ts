import { randomInt } from 'node:crypto';

// No 0/O, 1/I/L: request IDs are read aloud and typed back during incidents.
const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/** A short, unguessable request ID such as `R-7K3QXM`. */
export function newRequestId(): string {
  let id = '';
  for (let i = 0; i < 6; i += 1) id += alphabet[randomInt(alphabet.length)];
  return `R-${id}`;
}
