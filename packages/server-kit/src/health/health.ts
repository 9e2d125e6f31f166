import { Controller, Get, HttpCode, Injectable, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { errorBody } from '@squirret/contracts';
import type { FastifyReply } from 'fastify';

/** One readiness check (database, bus, model warm-up…): resolves when healthy, throws when not. */
export type ReadinessCheck = () => Promise<void>;

/** Where features register what `/health/ready` checks. */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private draining = false;

  register(name: string, check: ReadinessCheck): void {
    this.checks.set(name, check);
  }

  /** After this, readiness fails so load balancers stop sending work (graceful shutdown). */
  startDraining(): void {
    this.draining = true;
  }

  async run(timeoutMs = 2_000): Promise<{ ok: boolean; checks: Record<string, string> }> {
    const results: Record<string, string> = {};
    await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          await Promise.race([
            check(),
            new Promise((_, reject) => setTimeout(() => reject(new Error('timed out')), timeoutMs).unref()),
          ]);
          results[name] = 'up';
        } catch (err) {
          results[name] = `down: ${err instanceof Error ? err.message : 'failed'}`;
        }
      }),
    );
    if (this.draining) results.shutdown = 'down: draining';
    return { ok: Object.values(results).every((v) => v === 'up'), checks: results };
  }
}

/** `/health/live` (the process answers) and `/health/ready` (every registered dependency answers). */
@ApiExcludeController()
@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const result = await this.registry.run();
    if (result.ok) {
      void reply.status(200).send({ status: 'ready', checks: result.checks });
      return;
    }
    // Not ready is an error like any other: the contract's body, plus which check failed.
    const down = Object.entries(result.checks).filter(([, v]) => v !== 'up').map(([k]) => k);
    void reply.status(503).send({ ...errorBody('NOT_READY', `not ready: ${down.join(', ')}`, '/health/ready'), checks: result.checks });
  }
}
