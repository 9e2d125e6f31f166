/** The two commands `dropKeys` needs; an ioredis client fits (no Redis dependency here). */
export interface KeyCommands {
  keys(pattern: string): Promise<string[]>;
  del(...keys: string[]): Promise<number>;
}

/** Removes every key under a test's own prefix (the tests share the machine's one Redis). */
export async function dropKeys(redis: KeyCommands, prefix: string): Promise<void> {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
}
