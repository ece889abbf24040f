import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * usernsDisabledReason reads the sysctls that turn unprivileged user namespaces off and says which one
 * does, or undefined when none does. It reads `sysDir` (normally /proc/sys) so that a missing knob, as
 * on kernels without the Debian or Ubuntu patches, counts as "not disabled".
 */
export function usernsDisabledReason(sysDir = '/proc/sys'): string | undefined {
  const knob = (rel: string): string | undefined => {
    try {
      return readFileSync(join(sysDir, rel), 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  if (knob('user/max_user_namespaces') === '0') return 'unprivileged user namespaces are disabled (sysctl user.max_user_namespaces=0)';
  if (knob('kernel/unprivileged_userns_clone') === '0') return 'unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone=0)';
  if (knob('kernel/apparmor_restrict_unprivileged_userns') === '1') {
    return 'unprivileged user namespaces are restricted by AppArmor (sysctl kernel.apparmor_restrict_unprivileged_userns=1)';
  }
  return undefined;
}
