import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { asyncApiYaml } from './asyncapi-text';

/** `npm run asyncapi -w packages/contracts`: rewrites the committed docs/asyncapi.yaml. */
const file = resolve(__dirname, '../../../docs/asyncapi.yaml');
writeFileSync(file, asyncApiYaml());
console.log(`wrote ${file}`);
