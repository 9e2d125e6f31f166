import type { FastifyRequest } from 'fastify';

/** The client address rate limits key on (the proxy's forwarded address only when TRUST_PROXY is set). */
export const clientAddress = (req: FastifyRequest): string => req.ip || 'unknown';
