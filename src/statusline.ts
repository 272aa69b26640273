/**
 * dist/statusline.js: the status line command Claude Code runs (through the launcher that "Claude Usage:
 * Connect Claude Code Plan Limits" writes). Its own small bundle: nothing from the extension or the CLI,
 * no undici or zod. Everything is in src/core/plan/statusline.ts.
 */
import { statusLineMain } from './core/plan/statusline';

void statusLineMain();
