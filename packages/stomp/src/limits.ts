/** Size bounds the parser enforces per frame; a peer can never make it buffer more than these. */
export interface StompLimits {
  /** Whole frame: command, headers, EOLs, body and the NUL. */
  readonly maxFrameBytes: number;
  /** Header lines per frame (repeats count). */
  readonly maxHeaders: number;
  /** One command or header line, EOL excluded. */
  readonly maxHeaderLineBytes: number;
  /** Body only. */
  readonly maxBodyBytes: number;
}

// Our frames are small JSON events; 8 KiB header lines leave room for a bearer token in CONNECT.
/** Defaults used when a limit is not given. */
export const DEFAULT_STOMP_LIMITS: StompLimits = {
  maxFrameBytes: 128 * 1024,
  maxHeaders: 64,
  maxHeaderLineBytes: 8 * 1024,
  maxBodyBytes: 64 * 1024,
};

/** Fills missing limits with the defaults and rejects nonsense (a programming error, so it throws). */
export function resolveLimits(limits: Partial<StompLimits> = {}): StompLimits {
  const resolved = { ...DEFAULT_STOMP_LIMITS, ...limits };
  for (const [name, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`STOMP limit ${name} must be a positive integer`);
    }
  }
  return resolved;
}
