// A minimal service for server-kit's own e2e tests: the kit, one route, and a shutdown hook that
// holds the shutdown for HOLD_MS (as a data-plane drain or a writer flush does), served by serve().
import 'reflect-metadata';
import { Controller, Get, Injectable, Module, type BeforeApplicationShutdown } from '@nestjs/common';
import { createHttpApp } from '../http/create-app';
import { runMain, serve } from '../http/serve';
import { KitModule } from '../kit.module';

const HOLD_MS = Number(process.env.HOLD_MS ?? '1500');

@Injectable()
class SlowDrain implements BeforeApplicationShutdown {
  async beforeApplicationShutdown(): Promise<void> {
    console.log(JSON.stringify({ msg: 'drain started' }));
    await new Promise((r) => setTimeout(r, HOLD_MS));
  }
}

@Controller('hello')
class HelloController {
  @Get()
  hello(): { hello: string } {
    return { hello: 'world' };
  }

  /** A handler that leaves a promise rejection nobody catches. */
  @Get('stray')
  stray(): { ok: true } {
    void Promise.reject(new Error('stray rejection'));
    return { ok: true };
  }
}

@Module({
  imports: [KitModule.forRoot({ logging: { level: 'warn', service: 'fixture' }, internalApiKey: undefined })],
  controllers: [HelloController],
  providers: [SlowDrain],
})
class FixtureModule {}

runMain(async () => {
  const app = await createHttpApp(FixtureModule, {
    bodyLimitBytes: 1024,
    trustProxy: false,
    requestTimeoutMs: Number(process.env.REQUEST_TIMEOUT_MS ?? '1500'),
    headersTimeoutMs: Number(process.env.HEADERS_TIMEOUT_MS ?? '1000'),
  });
  await serve(app, { name: 'fixture', host: '127.0.0.1', port: 0 });
});
