import 'reflect-metadata';
import { runMain, serve } from '@squirret/server-kit';
import { buildPlatform } from './platform';

const say = (msg: string) => console.log(`[squirret] ${msg}`);

/** `npm start`: the whole platform in one process. */
runMain(async () => {
  const platform = await buildPlatform(process.env, say);
  const { config } = platform;
  const port = await serve(platform.app, { name: 'platform', host: config.HOST, port: config.PORT, onClose: platform.close });
  const http = `http://${config.HOST}:${port}`;
  const ws = `ws://${config.HOST}:${port}`;
  say('Squirret platform is up (all-in-one)');
  say(`  REST          ${http}  (POST /internal/session, /auth/upgrade, /api/session, …)`);
  say(`  live console  ${http}/console   (camera or sample clip; ?deviceId= picks the insole)`);
  say(`  inference ws  ${ws}/ws/<sessionId>?token=<wsToken>`);
  say(`  health        ${http}/health/live  ${http}/health/ready`);
  say(`  metrics       ${http}/metrics`);
  say(`  OpenAPI       ${http}/openapi.json   API docs ${http}/docs (REST and the WebSocket protocols)`);
  say(`  couple chat   POST ${http}/api/rooms, ${ws}/api/sessions/ws/<room_id>?token=<Spring token>`);
  say(`  trainer chat  ${http}/distributor/chat/rooms#token=<trainer token>`);
  if (platform.devSpringSecret) {
    say('  demo tokens   npm run demo-token -w apps/platform -- demo-trainer TRAINER   (or demo-member-1 MEMBER, or <id> USER --couple 7)');
    say('                signed with the generated dev secret in DATA_DIR/dev-secrets.json; set SPRING_JWT_SECRET to use Spring\'s');
  }
  say(`  database      ${platform.embedded ? `embedded PostgreSQL on 127.0.0.1:${platform.embedded.port} (data in ${platform.embedded.dataDir})` : 'DATABASE_URL'}`);
  say(`  bus / jobs    ${platform.bus.kind === 'redis' ? 'Redis (REDIS_URL), BullMQ' : 'in-memory bus, in-process jobs'}`);
  say('Press Ctrl-C to stop.');
});
