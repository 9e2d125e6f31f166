import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@squirret/contracts';
import type { RateLimiter } from '@squirret/server-kit';
import { CHAT_CONFIG, CHAT_MESSAGE_LIMITER } from '../chat.tokens';
import type { ChatConfig } from '../config/chat.config';

/**
 * Per-user limits on what a chat client sends: content length, and a message rate over all rooms
 * (shared by every instance through Redis when the bus is Redis, else per process). Both answer
 * with an error the socket reports; neither disconnects.
 */
@Injectable()
export class MessageLimits {
  constructor(
    @Inject(CHAT_CONFIG) private readonly config: ChatConfig,
    @Inject(CHAT_MESSAGE_LIMITER) private readonly limiter: RateLimiter,
  ) {}

  /** Checks a message's content; returns it unchanged (whitespace kept) when it may be sent. */
  content(value: string): string {
    if (value.trim().length === 0) throw new AppError('VALIDATION_ERROR', 'content must not be empty');
    // Length in characters as people count them (code points), not UTF-16 units.
    if (value.length > this.config.CHAT_MAX_MESSAGE_CHARS && Array.from(value).length > this.config.CHAT_MAX_MESSAGE_CHARS) {
      throw new AppError('MESSAGE_TOO_LONG', `content must be at most ${this.config.CHAT_MAX_MESSAGE_CHARS} characters`);
    }
    return value;
  }

  /** Takes one message from the user's allowance or throws RATE_LIMITED (with Retry-After). */
  async rate(userId: string): Promise<void> {
    await this.limiter.consume(userId);
  }
}
