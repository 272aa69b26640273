// The packaged extension, installed from its .vsix into a real VS Code, activates and its commands run
// from the command palette.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '../support/vscode';
import { useWorkbench } from './harness';

interface ManifestCommand {
  command: string;
  title: string;
  category?: string;
}
interface Manifest {
  contributes?: { commands?: ManifestCommand[]; menus?: { commandPalette?: Array<{ command: string; when?: string }> } };
}

const manifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as Manifest;
const paletteWhen = new Map((manifest.contributes?.menus?.commandPalette ?? []).map((m) => [m.command, m.when]));
const paletteTitle = (c: ManifestCommand): string => (c.category ? `${c.category}: ${c.title}` : c.title);
/** Always in the palette: no `menus.commandPalette` condition. */
const alwaysShown = (manifest.contributes?.commands ?? []).filter((c) => !paletteWhen.has(c.command));
/** Never in the palette (`when: "false"`: item/context-menu-only commands). */
const neverShown = (manifest.contributes?.commands ?? []).filter((c) => paletteWhen.get(c.command)?.trim() === 'false');

describe('activation (e2e)', () => {
  const wb = useWorkbench({ name: 'activation' });

  it('our status bar item appears once the extension activates', async () => {
    const text = await wb().statusBarText();
    assert.ok(text.length > 0, 'the status bar item is empty');
    const label = await wb().statusBarItem().getAttribute('aria-label');
    assert.ok(label && label.length > 0, 'the status bar item has no accessible label');
  });

  it('the Extensions view lists it as an enabled, installed extension (from the .vsix)', async () => {
    await wb().runCommand('Extensions: Show Enabled Extensions');
    const item = wb().page.locator('.extensions-list .monaco-list-row', { hasText: 'Claude Usage' }).first();
    await item.waitFor({ state: 'visible', timeout: 30_000 });
    await wb().screenshot('activation-installed-extensions');
    assert.match(await item.innerText(), /Claude Usage/);
  });

  for (const c of alwaysShown) {
    const title = paletteTitle(c);
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

  for (const c of neverShown) {
    it(`does not offer "${paletteTitle(c)}" in the command palette (it only makes sense on a tree item)`, async () => {
      const page = wb().page;
      await page.keyboard.press('F1');
      const widget = wb().quickInput();
      await widget.locator('input').waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.type(paletteTitle(c), { delay: 5 });
      await page.waitForTimeout(1000);
      const labels = await widget.locator('.monaco-list-row .label-name').allInnerTexts();
      await wb().screenshot(`activation-palette-hides-${c.command}`);
      await page.keyboard.press('Escape');
      assert.ok(!labels.some((l) => l.trim() === paletteTitle(c)), `offered: ${labels.join(' | ')}`);
      assert.ok(labels.length > 0, 'the palette listed nothing at all (is it filtering?)');
    });
  }
});
