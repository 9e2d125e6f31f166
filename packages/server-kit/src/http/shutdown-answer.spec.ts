import 'reflect-metadata';
import { strict as assert } from 'node:assert';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { Controller, Get, Module } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { KitModule } from '../kit.module';
import { createHttpApp, listen } from './create-app';

@Controller('hello')
class HelloController {
  @Get()
  hello(): { hello: string } {
    return { hello: 'world' };
  }
}

@Module({
  imports: [KitModule.forRoot({ logging: { level: 'silent', service: 'spec' }, internalApiKey: undefined })],
  controllers: [HelloController],
})
class SpecModule {}

describe('a request that arrives while the server closes', () => {
  it('gets 503 SHUTTING_DOWN with Retry-After in the error body (docs/contracts/ios-api.md §0) (not Fastify\'s own 503 body)', async () => {
    const app = await createHttpApp(SpecModule, { bodyLimitBytes: 1024, trustProxy: false });
    const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;
    // Hold the close open long enough for the request below to finish arriving.
    fastify.addHook('onClose', (_instance, done) => void setTimeout(done, 800));
    const port = await listen(app, '127.0.0.1', 0);

    // The request starts before the close (so its connection is busy, not idle) and ends during it.
    const socket = connect({ port, host: '127.0.0.1' });
    await new Promise((r) => socket.once('connect', r));
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    const ended = new Promise((r) => socket.once('close', r));
    socket.write('GET /hello HTTP/1.1\r\nHost: x\r\n');
    await new Promise((r) => setTimeout(r, 50));
    const closing = app.close();
    await new Promise((r) => setTimeout(r, 200));
    socket.write('\r\n');
    await ended;
    await closing;

    assert.match(text, /^HTTP\/1\.1 503 /);
    assert.match(text, /\r\nretry-after: 2\r\n/i);
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    assert.equal(body.code, 'SHUTTING_DOWN');
    assert.equal(body.status, 503);
    assert.equal(body.path, '/hello');
    for (const k of ['timestamp', 'error', 'message']) assert.ok(k in body, k);
  });
});
