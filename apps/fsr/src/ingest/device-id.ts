import { FSR_DEVICE_ID_HEADER, FsrDeviceIdSchema } from '@squirret/contracts';
import type { IncomingHttpHeaders } from 'node:http';
import { IngestErrors } from './ingest.errors';

/**
 * The device a sample comes from: the `X-Device-Id` header or the body's `deviceId` (they must
 * agree when both are given), else the default device (the contract's single insole). Pure.
 */
export function resolveDeviceId(headers: IncomingHttpHeaders, bodyDeviceId: string | undefined, defaultDeviceId: string): string {
  const raw = headers[FSR_DEVICE_ID_HEADER];
  const header = Array.isArray(raw) ? raw[0] : raw;
  if (header !== undefined && !FsrDeviceIdSchema.safeParse(header).success) throw IngestErrors.badDeviceHeader();
  if (header !== undefined && bodyDeviceId !== undefined && header !== bodyDeviceId) throw IngestErrors.deviceMismatch();
  return header ?? bodyDeviceId ?? defaultDeviceId;
}
