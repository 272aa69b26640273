// Runs inside the VS Code extension host: the extension is installed, activates, and registers every command
// its manifest contributes.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

const EXTENSION_ID = 'claude-usage.claude-usage';

interface ManifestCommand {
  command: string;
  title: string;
}

describe('activation', () => {
  it('the extension is present under its id', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `${EXTENSION_ID} is not among ${vscode.extensions.all.map((e) => e.id).join(', ')}`);
    assert.equal(ext.packageJSON.publisher, 'claude-usage');
  });

  it('activates without throwing', async function () {
    this.timeout(30_000);
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    assert.equal(ext.isActive, true);
  });

  it('registers every command the manifest contributes', async function () {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext);
    await ext.activate();
    const contributed = ((ext.packageJSON.contributes?.commands ?? []) as ManifestCommand[]).map((c) => c.command);
    if (contributed.length === 0) this.skip(); // nothing contributed yet: nothing to check
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });
});

describe('test environment', () => {
  it('the local Anthropic server started by the launcher is reachable from the extension host', async function () {
    const url = process.env.CLAUDE_USAGE_TEST_API;
    if (!url) this.skip(); // launcher ran without test/server (not in the repo yet)
    const res = await fetch(`${url}/v1/models`, { headers: { 'anthropic-version': '2023-06-01', 'x-api-key': process.env.ANTHROPIC_API_KEY ?? '' } });
    assert.ok(res.status < 500, `GET ${url}/v1/models answered ${res.status}`);
  });
});

describe('test environment: sample HOME', () => {
  it('the extension host runs with the sample HOME the launcher made', async function () {
    const home = process.env.CLAUDE_USAGE_TEST_HOME;
    if (!home) this.skip(); // started by a launcher that sets no sample HOME (runElectron.ts without one)
    const os = await import('node:os');
    assert.equal(os.homedir(), home);
  });
});
