import assert from 'node:assert/strict';
import { test } from 'node:test';
import { installVscodeStub } from './vscode-stub.js';

test('minConfidence moves to suggestionThreshold once, and a threshold already set wins', async () => {
  const world = installVscodeStub({ settings: { minConfidence: 0.02 } });
  const { migrateMinConfidence, readSettings } = await import('../src/extension/settings.js');
  assert.equal(readSettings().pipeline.suggestionThreshold, 0.02, 'before the migration the old value still counts');
  await migrateMinConfidence();
  assert.deepEqual([world.settings.suggestionThreshold, world.settings.minConfidence], [0.02, undefined]);
  assert.equal(readSettings().pipeline.suggestionThreshold, 0.02);

  world.settings = { minConfidence: 0.5, suggestionThreshold: 'conservative' };
  await migrateMinConfidence();
  assert.deepEqual([world.settings.suggestionThreshold, world.settings.minConfidence], ['conservative', undefined]);

  world.settings = {};
  assert.equal(readSettings().pipeline.suggestionThreshold, 'balanced', 'the default');
  world.settings = { suggestionThreshold: 'eager' };
  assert.equal(readSettings().pipeline.suggestionThreshold, 'eager');
});
