/**
 * An account as the rest of the app sees it (never its password hash or TOTP secret), the rules for
 * usernames, and the validated input for creating one.
 */
import { z } from 'zod';
import type { AccountTable } from '../kernel/store/schema.ts';
import { CLASSIFICATIONS, type Classification } from './labels.ts';
import { isRole, MACHINE_ROLES, ROLES, type Role } from './roles.ts';
import { cleanText } from './sanitize.ts';

export interface Account {
  id: string;
  participant: string;
  username: string;
  displayName: string;
  roles: Role[];
  /** The highest classification the account may read (see labels.ts). */
  clearance: Classification;
  totpEnabled: boolean;
  disabled: boolean;
  /** A demonstration account, with a published password. */
  demo: boolean;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

/**
 * Letters, digits and `._@-`, starting with a letter or digit: no look-alike Unicode, nothing that
 * could break a log line, and the same lower-casing on every database.
 */
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{2,63}$/;

export const usernameSchema = z.string().regex(USERNAME, '3 to 64 letters, digits, ".", "_", "@" or "-"');

export const participantSchema = z
  .string()
  .regex(/^[A-Z]{3}$|^[A-Z][A-Z0-9-]{1,15}$/, 'a state as ISO 3166-1 alpha-3 (UKR) or an organisation code');

/** A person's roles: at least one, no duplicates, and never a machine's. */
export const personRolesSchema = z
  .array(z.enum(ROLES))
  .min(1)
  .max(ROLES.length)
  .refine((roles) => new Set(roles).size === roles.length, 'a role is listed twice')
  .refine(
    (roles) => !roles.some((r) => MACHINE_ROLES.includes(r)),
    'machine roles are held through API tokens',
  );

/** What an account is cleared to read when nobody says otherwise: what every account read before clearances. */
export const DEFAULT_CLEARANCE: Classification = 'CONFIDENTIAL';

export const clearanceSchema = z.enum(CLASSIFICATIONS);

export const newAccountSchema = z
  .object({
    username: usernameSchema,
    participant: participantSchema,
    displayName: z
      .string()
      .max(400)
      .transform((v) => cleanText(v, 200))
      .pipe(z.string().min(1, 'a display name is required')),
    roles: personRolesSchema,
    clearance: clearanceSchema.default(DEFAULT_CLEARANCE),
    password: z.string().max(8192),
  })
  .strict();
export type NewAccount = z.input<typeof newAccountSchema>;

/** The unique key of a username; undefined for what cannot be one, so no lookup is made for it. */
export function usernameKey(username: unknown): string | undefined {
  return typeof username === 'string' && USERNAME.test(username) ? username.toLowerCase() : undefined;
}

export function rolesFromJson(json: string): Role[] {
  const parsed: unknown = JSON.parse(json);
  // A role the code no longer knows grants nothing rather than failing the whole account.
  return Array.isArray(parsed) ? parsed.filter(isRole) : [];
}

export function isClearance(value: unknown): value is Classification {
  return typeof value === 'string' && (CLASSIFICATIONS as readonly string[]).includes(value);
}

/** A stored clearance the code does not know (the column's check keeps them out) clears for the published only. */
export function clearanceFromColumn(value: string): Classification {
  return isClearance(value) ? value : 'PUBLIC';
}

export function accountFromRow(r: AccountTable): Account {
  return {
    id: r.id,
    participant: r.participant,
    username: r.username,
    displayName: r.display_name,
    roles: rolesFromJson(r.roles),
    clearance: clearanceFromColumn(r.clearance),
    totpEnabled: r.totp_enabled === 1,
    disabled: r.disabled === 1,
    demo: r.demo === 1,
    lockedUntil: r.locked_until,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}
