import 'reflect-metadata';
import { runMain, serve } from '@squirret/server-kit';
import { createFsrApp } from './app';
import { loadFsrConfig } from './config/fsr.config';
import { createFsrDeps } from './runtime';

/** Standalone fsr service (distributed mode): DATABASE_URL is required, REDIS_URL recommended. */
runMain(async () => {
  // The one place this app reads the environment.
  const config = loadFsrConfig(process.env);
  const { deps, close } = await createFsrDeps(config);
  const app = await createFsrApp(deps);
  await serve(app, { name: 'fsr', host: config.HOST, port: config.PORT, onClose: close });
});
