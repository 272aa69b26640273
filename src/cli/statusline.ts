/**
 * `claude-usage statusline`: the status line command (Claude Code's JSON on stdin, one line out, always
 * exit 0), the same as dist/statusline.js. Claude Code's settings point at the light launcher instead,
 * which loads only dist/statusline.js, not this CLI.
 */
import { statusLineMain } from '../core/plan/statusline';
import type { Command } from './common';

const command: Command = async () => {
  await statusLineMain(); // exits the process itself
  return 0;
};

export default command;
