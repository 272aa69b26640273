/** Shared test data for the plan-limit suites: a status line payload shaped like Claude Code's (late 2026). */
export const NOW = Date.UTC(2026, 11, 31, 13, 0, 0); // year end, 13:00 UTC
export const SEC = Math.floor(NOW / 1000);

/** A payload shaped like Claude Code's (late 2026), with overrides. */
export function realPayload(over: Record<string, unknown> = {}, sec = SEC): Record<string, unknown> {
  return {
    session_id: '3f1c1a52-5b7e-4c1a-9d55-0a1b2c3d4e01',
    transcript_path: '/home/me/.claude/projects/-home-me-app/3f1c1a52.jsonl',
    cwd: '/home/me/app',
    version: '2.1.214',
    model: { id: 'claude-opus-4-8', display_name: 'Opus 4.8' },
    workspace: { current_dir: '/home/me/app', project_dir: '/home/me/app' },
    output_style: { name: 'default' },
    cost: { total_cost_usd: 1.37, total_duration_ms: 3840000, total_api_duration_ms: 912000, total_lines_added: 156, total_lines_removed: 23 },
    context_window: {
      total_input_tokens: 261000,
      total_output_tokens: 18000,
      context_window_size: 1000000,
      used_percentage: 26,
      remaining_percentage: 74,
      current_usage: { input_tokens: 8500, output_tokens: 1200, cache_creation_input_tokens: 5000, cache_read_input_tokens: 2000 },
    },
    exceeds_200k_tokens: false,
    rate_limits: { five_hour: { used_percentage: 42, resets_at: sec + 2 * 3600 + 5 * 60 }, seven_day: { used_percentage: 36, resets_at: sec + 4 * 86400 } },
    ...over,
  };
}

