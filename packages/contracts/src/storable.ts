import { z } from 'zod';

/**
 * PostgreSQL `text` / `varchar` refuse U+0000 (`invalid byte sequence for encoding "UTF8": 0x00`):
 * a string with one must be refused at the edge with a 400, not fail its INSERT with a 500 (or,
 * in a batch, fail other clients' rows with it).
 */
export const hasNul = (s: string): boolean => s.includes('\u0000');

/** Adds the NUL check to a string schema, with a message naming the field. */
export function storable<T extends z.ZodType<string>>(schema: T, field: string): T {
  return schema.refine((s) => !hasNul(s), { error: `${field} must not contain NUL characters` }) as unknown as T;
}
