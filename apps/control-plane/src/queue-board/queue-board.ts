import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { BullMqJobQueue, INTERNAL_API_KEY_HEADER, internalKeyRefusal, mapError, pathOf, type JobQueue } from '@squirret/server-kit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Where the queue board is served (under /internal/, like every internal endpoint). */
export const QUEUE_BOARD_PATH = '/internal/queues';

/**
 * A read-only view of the BullMQ queues (`@bull-board`): jobs by state, their data and errors; no
 * retry, clean or delete. Behind the internal key, with the same rule as the /internal endpoints
 * (401 without the header, 403 with a wrong key, in the seed's error body). Mounted only when
 * the jobs run on BullMQ; the in-process queue has nothing to show.
 */
export async function mountQueueBoard(app: NestFastifyApplication, queues: readonly JobQueue<Record<string, unknown>>[], internalKey: string | undefined): Promise<boolean> {
  const bull = queues.filter((q): q is BullMqJobQueue<Record<string, unknown>> => q instanceof BullMqJobQueue);
  if (bull.length === 0) return false;
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  createBullBoard({
    queues: bull.map((q) => new BullMQAdapter(q.bullQueue, { readOnlyMode: true, allowRetries: false })),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'Squirret queues' } },
  });
  const board = serverAdapter.registerPlugin();
  // an encapsulated scope: the hook below guards the board's routes only
  const scoped = async (scope: FastifyInstance) => {
    // every request of the board's scope (pages, assets, API) is checked before its handler
    scope.addHook('onRequest', (req: FastifyRequest, reply: FastifyReply, done: () => void) => {
      const refusal = internalKeyRefusal(internalKey, req.headers[INTERNAL_API_KEY_HEADER]);
      if (!refusal) return done();
      const m = mapError(refusal, pathOf(req.url));
      void reply.status(m.status).headers(m.headers).send(m.body);
    });
    await scope.register(board as never, { prefix: QUEUE_BOARD_PATH });
  };
  // Nest's register() is typed against its own copy of fastify's types
  await app.register(scoped as never);
  return true;
}
