import { AppError } from '@squirret/contracts';

/** The ingest feature's errors; codes and statuses come from the contracts' error table. */
export const IngestErrors = {
  deviceMismatch: () => new AppError('VALIDATION_ERROR', 'deviceId in the body and the X-Device-Id header differ'),
  badDeviceHeader: () => new AppError('VALIDATION_ERROR', 'X-Device-Id must be 1 to 64 letters, digits, ".", "_", ":" or "-"'),
  tooOld: (index: number) => new AppError('VALIDATION_ERROR', `samples.${index}.ts: ts must be a time from 2000-01-01T00:00:00Z on`),
  inFuture: (index: number, skewSec: number) =>
    new AppError('VALIDATION_ERROR', `samples.${index}.ts is more than ${skewSec} s in the future`),
};
