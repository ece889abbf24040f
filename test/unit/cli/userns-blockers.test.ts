import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { usernsDisabledReason } from '../../../src/cli/userns-blockers.js';

// The sysctls are read from a directory laid out like /proc/sys: this host's cannot be switched off
// without breaking every other rootless test running at the same time.
let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function sys(knobs: Record<string, string>): string {
  dir = mkdtempSync(join(tmpdir(), 'strata-sysctl-'));
  for (const [rel, value] of Object.entries(knobs)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), `${value}\n`);
  }
  return dir;
}

describe('usernsDisabledReason', () => {
  it('names the sysctl that disables unprivileged user namespaces', () => {
    expect(usernsDisabledReason(sys({ 'user/max_user_namespaces': '0' }))).toBe('unprivileged user namespaces are disabled (sysctl user.max_user_namespaces=0)');
    expect(usernsDisabledReason(sys({ 'user/max_user_namespaces': '100', 'kernel/unprivileged_userns_clone': '0' }))).toBe(
      'unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone=0)',
    );
    expect(usernsDisabledReason(sys({ 'kernel/apparmor_restrict_unprivileged_userns': '1' }))).toMatch(/restricted by AppArmor/);
  });

  it('counts missing knobs and enabled ones as allowed', () => {
    expect(usernsDisabledReason(sys({}))).toBeUndefined();
    expect(usernsDisabledReason(sys({ 'user/max_user_namespaces': '1000', 'kernel/unprivileged_userns_clone': '1', 'kernel/apparmor_restrict_unprivileged_userns': '0' }))).toBeUndefined();
  });

  it('finds nothing disabled on this host, where the rootless tests run', () => {
    expect(usernsDisabledReason()).toBeUndefined();
  });
});
