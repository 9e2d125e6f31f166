import type { UserId } from '@squirret/contracts';

/** Who a verified Spring token says the caller is; the only source of identity for the chat rooms. */
export interface SpringIdentity {
  readonly userId: UserId;
  /** Normalized roles: upper case, without Spring's `ROLE_` prefix. */
  readonly roles: ReadonlySet<string>;
  /** The couple id claim, when the token carries one. */
  readonly coupleId: number | null;
  readonly name: string | null;
  /** Token expiry, seconds since the epoch. */
  readonly expiresAt: number;
}
