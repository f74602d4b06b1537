import { z } from 'zod';

/** The forms of ID the vendors use. */
export const idKinds = ['uuid', 'organization', 'grant'] as const;
export type IdKind = (typeof idKinds)[number];

interface IdForm {
  schema: z.ZodType<string>;
  /** How the form is described to a user who typed something else. */
  description: string;
}

// Altostrat's own examples are not RFC 4122 variants (f0e9d8c7-b6a5-4f3e-2d1c-…), so any
// 8-4-4-4-12 hex string counts: z.guid(), not the stricter z.uuid().
const idForms: Record<IdKind, IdForm> = {
  uuid: { schema: z.guid(), description: 'a UUID such as d290f1ee-6c54-4b01-90e6-d701748f0851' },
  organization: {
    schema: z.string().regex(/^org_[A-Za-z0-9]+$/),
    description: 'an organization ID such as org_xyz789',
  },
  grant: {
    schema: z.string().regex(/^agrant_[A-Za-z0-9]+$/),
    description: 'a grant ID such as agrant_abc123def456',
  },
};

export function isId(kind: IdKind, token: string): boolean {
  return idForms[kind].schema.safeParse(token).success;
}

export function describeIdForm(kind: IdKind): string {
  return idForms[kind].description;
}

/**
 * A token that is no valid ID but looks like an attempt at one: hex digits and dashes,
 * eight or more long, or a vendor prefix. Such a token is an error, never reason text,
 * so that a typo cannot silently drop a target.
 */
export function looksLikeId(token: string): boolean {
  return /^[0-9a-fA-F-]{8,}$/.test(token) || /^(org|agrant)_/i.test(token);
}
