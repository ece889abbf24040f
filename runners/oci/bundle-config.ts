import type { LaunchContext } from '../common/ns-run.js';

/** DEFAULT_CAPS is Docker's default capability set for containers (and BuildKit's for RUN). */
const DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** OciMount is a mount of the runtime spec. */
interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

/**
 * bundleConfig writes the OCI runtime spec (config.json) of a run. `rootfs` is the path the runtime sees
 * (the keeper's mount of the snapshot). Mount destinations are the resolved, symlink-free targets.
 */
export function bundleConfig(ctx: LaunchContext, rootfs: string): object {
  const { spec, targets: t, etc } = ctx;
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    spec.network === 'none'
      ? { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] }
      : { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: t.hosts, type: 'bind', source: etc.hosts, options: ['rbind', 'rw'] },
    { destination: t.resolvConf, type: 'bind', source: etc.resolvConf, options: ['rbind', 'rw'] },
    { destination: t.hostname, type: 'bind', source: etc.hostname, options: ['rbind', 'rw'] },
  ];
  for (const { mount: m, target } of t.mounts) {
    if (m.type === 'bind') mounts.push({ destination: target, type: 'bind', source: m.source, options: ['rbind', m.readonly ? 'ro' : 'rw'] });
    else {
      const options = ['nosuid', 'nodev', `mode=${(m.mode ?? 0o1777).toString(8)}`];
      if (m.sizeBytes !== undefined) options.push(`size=${m.sizeBytes}`);
      mounts.push({ destination: target, type: 'tmpfs', source: 'tmpfs', options });
    }
  }
  const namespaces = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, ...(spec.network === 'none' ? [{ type: 'network' }] : [])];
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: spec.tty === true,
      user: { uid: spec.user.uid, gid: spec.user.gid, ...(spec.user.additionalGids?.length ? { additionalGids: spec.user.additionalGids } : {}) },
      args: spec.args,
      env: spec.env,
      cwd: spec.cwd,
      capabilities: { bounding: DEFAULT_CAPS, effective: DEFAULT_CAPS, permitted: DEFAULT_CAPS },
      noNewPrivileges: false,
    },
    root: { path: rootfs, readonly: false },
    hostname: spec.hostname ?? 'strata',
    mounts,
    linux: {
      namespaces,
      maskedPaths: ['/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware'],
      readonlyPaths: ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}
