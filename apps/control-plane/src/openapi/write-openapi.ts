import 'reflect-metadata';
import { resolve } from 'node:path';
import { writeOpenApi } from '@squirret/server-kit';
import { buildControlPlaneOpenApi } from './build-openapi';
import { createOpenApiApp } from './openapi-app';

/** `npm run openapi -w apps/control-plane`: regenerates the committed openapi.json. */
void writeOpenApi(createOpenApiApp, buildControlPlaneOpenApi, resolve(__dirname, '../../../openapi.json'));
