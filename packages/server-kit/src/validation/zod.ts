import { AppError } from '@squirret/contracts';
import type { PipeTransform, Type } from '@nestjs/common';
import { createZodValidationPipe } from 'nestjs-zod';
import type { z } from 'zod';

/** Turns zod issues into one readable sentence naming each field, e.g. `ratio1 must be between 0 and 100`. */
export function formatZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => {
      const field = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') return `unknown field(s): ${issue.keys.join(', ')}`;
      // Messages written as sentences about the field already start with its name.
      if (field && issue.message.startsWith(field)) return issue.message;
      if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
        return field ? `${field} is required` : 'request body must be a JSON object';
      }
      if (issue.code === 'invalid_type' && !field) return 'request body must be a JSON object';
      if (issue.code === 'invalid_value' && field) {
        return `${field} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
      }
      if (field) return `${field}: ${issue.message}`;
      return issue.message;
    })
    .join('; ');
}

/** Validates a value (a body, a param) against a contract schema or throws VALIDATION_ERROR. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new AppError('VALIDATION_ERROR', formatZodError(result.error));
  return result.data;
}

/** Global pipe for DTOs made with `createZodDto`: failures become the table's VALIDATION_ERROR. */
export const ZodValidationPipe: Type<PipeTransform> = createZodValidationPipe({
  createValidationException: (error: unknown) =>
    new AppError('VALIDATION_ERROR', formatZodError(error as z.ZodError)),
});
