// The packaged extension, installed from its .vsix into a real VS Code, activates and its commands run
// from the command palette.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../../scripts/lib/vscode';
import { useWorkbench } from './harness';

interface ManifestCommand {
  command: string;
  title: string;
  category?: string;
}

const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { contributes?: { commands?: ManifestCommand[] } };
const commands = manifest.contributes?.commands ?? [];

describe('activation (e2e)', () => {
  const wb = useWorkbench({ name: 'activation' });

  it('our status bar item appears once the extension activates', async () => {
    const text = await wb().statusBarText();
    assert.ok(text.length > 0, 'the status bar item is empty');
    const label = await wb().statusBarItem().getAttribute('aria-label');
    assert.ok(label && label.length > 0, 'the status bar item has no accessible label');
  });

  it('the extension is listed as installed (from the .vsix), not as a development extension', async () => {
    const folder = wb().extensionsDir;
    const { readdirSync } = await import('node:fs');
    assert.ok(readdirSync(folder).some((d) => d.startsWith('claude-usage.claude-usage-')), `nothing installed in ${folder}`);
  });

  for (const c of commands) {
    const title = c.category ? `${c.category}: ${c.title}` : c.title;
    it(`runs "${title}" from the command palette`, async () => {
      const page = wb().page;
      await wb().runCommand(title);
      await page.waitForTimeout(1500);
      await wb().screenshot(`activation-command-${c.command}`);
      const problems = (await wb().notifications()).filter((n) => /not found|failed|error/i.test(n));
      // Whatever the command opened (input box, pick list, panel), a person would close it again.
      await page.keyboard.press('Escape');
      assert.deepEqual(problems, [], `"${title}" showed: ${problems.join(' | ')}`);
    });
  }
});
