import { createHash, randomBytes } from 'node:crypto';
import { AiStatusEventSchema, type AiStatusEvent, type FsrSide } from '@squirret/contracts';
import type Redis from 'ioredis';
import type { FootSample, Ratios } from '../samples/foot-sample';
import type { LatestFeet, LiveStore, LiveStoreSettings, RecordRequest } from './live-store';

/**
 * One round trip per ingest request: adds the samples to the window (a sorted set scored by sample
 * time), moves each foot's latest forward only (a buffered old sample never goes back in time),
 * trims the window by time and by size, refreshes expiries and marks the device active.
 * Returns the 0-based indexes of the samples that became their foot's latest.
 */
const RECORD_SCRIPT = `
local latestKey, windowKey, activeKey = KEYS[1], KEYS[2], KEYS[3]
local device = ARGV[1]
local now = tonumber(ARGV[2])
local windowMs = tonumber(ARGV[3])
local windowTtlMs = tonumber(ARGV[4])
local latestTtlMs = tonumber(ARGV[5])
local windowCap = tonumber(ARGV[6])
local session = ARGV[7]
local from = now - windowMs
local fresh = {}
local n = (#ARGV - 7) / 4
for i = 0, n - 1 do
  local side = ARGV[8 + i * 4]
  local at = tonumber(ARGV[9 + i * 4])
  local value = ARGV[10 + i * 4]
  local member = ARGV[11 + i * 4]
  if at >= from then redis.call('ZADD', windowKey, at, member) end
  local prev = tonumber(redis.call('HGET', latestKey, side .. 'At') or '-1')
  if at >= prev then
    redis.call('HSET', latestKey, side, value, side .. 'At', ARGV[9 + i * 4])
    fresh[#fresh + 1] = i
  end
end
if session ~= '' then redis.call('HSET', latestKey, 'session', session) end
redis.call('ZREMRANGEBYSCORE', windowKey, '-inf', '(' .. ARGV[2] - windowMs)
redis.call('ZREMRANGEBYRANK', windowKey, 0, -(windowCap + 1))
redis.call('PEXPIRE', windowKey, windowTtlMs)
redis.call('PEXPIRE', latestKey, latestTtlMs)
redis.call('ZADD', activeKey, now, device)
redis.call('ZREMRANGEBYSCORE', activeKey, '-inf', '(' .. (now - latestTtlMs))
return fresh
`;
const RECORD_SHA = createHash('sha1').update(RECORD_SCRIPT).digest('hex');

/** `at:side:r1,r2,r3,r4,r5,r6` — compact, and parsed without JSON. */
function encode(s: FootSample): string {
  return `${s.at}:${s.side}:${s.ratios.join(',')}`;
}

function decode(value: string): FootSample | null {
  const [at, side, ratios] = value.split(':');
  const r = (ratios ?? '').split(',').map(Number);
  if ((side !== 'left' && side !== 'right') || r.length !== 6 || r.some((x) => !Number.isFinite(x))) return null;
  return { at: Number(at), side: side satisfies FsrSide, ratios: r as unknown as Ratios };
}

/**
 * LiveStore in Redis, so every instance sees the same latest feet, window, AI status and tick
 * claims. Keys live under `<BUS_PREFIX>fsr:`. Not for Redis Cluster: the record script touches a
 * device's keys and the global active set together.
 */
export class RedisLiveStore implements LiveStore {
  private readonly uidBase = randomBytes(4).toString('hex');
  private seq = 0;

  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly settings: LiveStoreSettings & { readonly maxFutureSkewMs: number },
  ) {}

  private key(kind: string, id = ''): string {
    return `${this.prefix}fsr:${kind}${id ? `:${id}` : ''}`;
  }

  async record(req: RecordRequest): Promise<FootSample[]> {
    const args: (string | number)[] = [
      req.deviceId,
      req.now,
      this.settings.windowMs,
      // A sample may be dated a little ahead (device clock skew); keep it until it has left the window.
      this.settings.windowMs + this.settings.maxFutureSkewMs + 1_000,
      this.settings.latestTtlMs,
      this.settings.windowCap,
      req.sessionId ?? '',
    ];
    for (const s of req.samples) {
      const value = encode(s);
      args.push(s.side, s.at, value, `${value}:${this.uidBase}${(this.seq++).toString(36)}`);
    }
    const keys = [this.key('latest', req.deviceId), this.key('window', req.deviceId), this.key('active')];
    let fresh: unknown;
    try {
      fresh = await this.redis.evalsha(RECORD_SHA, keys.length, ...keys, ...args);
    } catch (err) {
      if (!(err instanceof Error) || !err.message.startsWith('NOSCRIPT')) throw err;
      fresh = await this.redis.eval(RECORD_SCRIPT, keys.length, ...keys, ...args);
    }
    return (fresh as number[]).map((i) => req.samples[i]!).filter((s) => s !== undefined);
  }

  async latest(deviceId: string): Promise<LatestFeet> {
    const [left, right, session] = await this.redis.hmget(this.key('latest', deviceId), 'left', 'right', 'session');
    return { left: left ? decode(left) : null, right: right ? decode(right) : null, sessionId: session ?? null };
  }

  async window(deviceId: string, from: number, to: number): Promise<FootSample[]> {
    const members = await this.redis.zrangebyscore(this.key('window', deviceId), from, to);
    // A member is the encoded sample plus a unique suffix; drop the suffix before decoding.
    return members.map((m) => decode(m.slice(0, m.lastIndexOf(':')))).filter((s): s is FootSample => s !== null);
  }

  async activeDevices(since: number): Promise<string[]> {
    return this.redis.zrangebyscore(this.key('active'), since, '+inf');
  }

  async putAiStatus(event: AiStatusEvent): Promise<void> {
    await this.redis.set(this.key('ai', event.sessionId ?? '-'), JSON.stringify(event), 'PX', this.settings.aiStatusTtlMs);
  }

  async aiStatus(sessionId: string | null, notBefore: number): Promise<AiStatusEvent | undefined> {
    const raw = await this.redis.get(this.key('ai', sessionId ?? '-'));
    if (!raw) return undefined;
    const parsed = AiStatusEventSchema.safeParse(JSON.parse(raw));
    return parsed.success && parsed.data.at >= notBefore ? parsed.data : undefined;
  }

  async claimTick(deviceId: string, tick: number): Promise<boolean> {
    const ok = await this.redis.set(this.key('tick', `${deviceId}:${tick}`), '1', 'PX', this.settings.tickTtlMs, 'NX');
    return ok === 'OK';
  }
}
