/** The manifest and the code name the same commands, views and settings bounds. */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ACTION_COMMANDS, COMMANDS, VIEWS } from '../../src/core/model/commands';
import { COSTS_DAYS, COST_GROUPINGS, HISTORY_DAYS } from '../../src/core/model/settings';

const manifest = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
  contributes: {
    commands: { command: string }[];
    views: Record<string, { id: string }[]>;
    configuration: { properties: Record<string, { default?: unknown; minimum?: number; maximum?: number; enum?: string[] }> };
  };
};

describe('manifest and code agree', () => {
  it('every command the code registers is contributed, and every contributed command is in COMMANDS', () => {
    const contributed = manifest.contributes.commands.map((c) => c.command).sort();
    const code = Object.values(COMMANDS).sort();
    assert.deepEqual(code.filter((c) => !contributed.includes(c)), [], 'in code, not in the manifest');
    assert.deepEqual(contributed.filter((c) => !(code as string[]).includes(c)), [], 'in the manifest, not in COMMANDS');
    for (const c of Object.values(ACTION_COMMANDS)) assert.ok(contributed.includes(c), c);
  });

  it('views and setting bounds are the ones the core uses', () => {
    const views = manifest.contributes.views[VIEWS.container]!.map((v) => v.id).sort();
    assert.deepEqual(views, [VIEWS.local, VIEWS.costs, VIEWS.claudeCode, VIEWS.rateLimits].sort());
    const p = manifest.contributes.configuration.properties;
    assert.deepEqual([p['claudeUsage.history.days']!.default, p['claudeUsage.history.days']!.minimum, p['claudeUsage.history.days']!.maximum], [HISTORY_DAYS.default, HISTORY_DAYS.min, HISTORY_DAYS.max]);
    assert.deepEqual([p['claudeUsage.costs.days']!.default, p['claudeUsage.costs.days']!.minimum, p['claudeUsage.costs.days']!.maximum], [COSTS_DAYS.default, COSTS_DAYS.min, COSTS_DAYS.max]);
    assert.deepEqual(p['claudeUsage.costs.groupBy']!.enum, [...COST_GROUPINGS]);
  });
});
