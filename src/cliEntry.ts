/**
 * dist/cli.js, the `claude-usage` command: runs the CLI (src/cli.ts, bundled as dist/cliMain.js) through a
 * V8 code cache (src/cli/codeCache.ts). Nothing else here, so this file costs nothing to compile.
 */
import * as path from 'node:path';
import { runWithCodeCache } from './cli/codeCache';

runWithCodeCache(path.join(__dirname, 'cliMain.js'), module, require, process.argv[2]);
