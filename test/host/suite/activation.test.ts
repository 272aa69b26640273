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
    assert.ok(contributed.length > 0, 'the manifest contributes no commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
  });
});

describe('test environment', () => {
  it('the local Anthropic server and its sample Admin key reach the extension host', async () => {
    const url = process.env.CLAUDE_USAGE_TEST_API;
    assert.ok(url, 'CLAUDE_USAGE_TEST_API is not set: the launcher did not pass the local server to the extension host');
    // The Admin key the launcher exposes (ANTHROPIC_ADMIN_API_KEY) is accepted by the local server.
    const res = await fetch(`${url}/v1/organizations/me`, {
      headers: { 'anthropic-version': '2023-06-01', 'x-api-key': process.env.ANTHROPIC_ADMIN_API_KEY ?? '' },
    });
    assert.equal(res.status, 200, `GET ${url}/v1/organizations/me answered ${res.status}`);
  });
});

describe('test environment: sample HOME', () => {
  it('the extension host runs with the sample HOME the launcher made', async () => {
    const home = process.env.CLAUDE_USAGE_TEST_HOME;
    assert.ok(home, 'CLAUDE_USAGE_TEST_HOME is not set: the launcher did not pass the sample HOME to the extension host');
    const os = await import('node:os');
    assert.equal(os.homedir(), home);
  });
});
