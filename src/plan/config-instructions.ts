import type { Command, Instruction } from '../dockerfile/ir.js';
import { expandWord, expandWords } from '../dockerfile/shell-lex.js';
import type { HealthConfig } from '../image/oci.js';
import { PlanError } from './errors.js';
import { goDuration, goList, goQuoteList } from './history-text.js';
import { addEnv, cfg, commit, type StageState } from './stage-state.js';

/** withShell turns a shell-form command into argv through the image's SHELL (default /bin/sh -c). */
export function withShell(s: StageState, command: Command): string[] {
  if (command.form === 'exec') return [...command.args];
  const shell = s.config.config?.Shell?.length ? s.config.config.Shell : ['/bin/sh', '-c'];
  return [...shell, command.text];
}

/**
 * applyConfigInstruction applies an instruction that only changes the image config (everything
 * but FROM, COPY, ADD, RUN, WORKDIR, ARG), expanding the words BuildKit expands, and commits its
 * history entry. Returns false when the instruction is not a config instruction.
 */
export function applyConfigInstruction(s: StageState, ins: Instruction, escape: '\\' | '`'): boolean {
  const x = (w: string): string => expandWord(w, s.vars, escape);
  const c = cfg(s);
  switch (ins.kind) {
    case 'env': {
      const parts: string[] = [];
      for (const p of ins.pairs) {
        const k = x(p.key);
        const v = x(p.value);
        c.Env = addEnv(c.Env, k, v);
        s.vars.set(k, v);
        parts.push(`${k}=${v}`);
      }
      commit(s, `ENV ${parts.join(' ')}`, false);
      return true;
    }
    case 'label': {
      const parts: string[] = [];
      c.Labels = { ...(c.Labels ?? {}) };
      for (const p of ins.pairs) {
        const k = x(p.key);
        const v = x(p.value);
        c.Labels[k] = v;
        parts.push(`${k}=${v}`);
      }
      commit(s, `LABEL ${parts.join(' ')}`, false);
      return true;
    }
    case 'expose': {
      const ports: string[] = [];
      for (const w of ins.ports) for (const p of expandWords(w, s.vars, escape)) ports.push(...exposedPorts(p, ins));
      c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
      for (const p of ports) c.ExposedPorts[p] = {};
      commit(s, `EXPOSE ${goList(ports)}`, false);
      return true;
    }
    case 'volume': {
      const vols = ins.paths.map(x);
      if (vols.some((v) => v === '')) throw new PlanError('VOLUME_EMPTY', 'VOLUME specified can not be an empty string', ins.range);
      c.Volumes = { ...(c.Volumes ?? {}) };
      for (const v of vols) c.Volumes[v] = {};
      commit(s, `VOLUME ${goList(vols)}`, false);
      return true;
    }
    case 'user': {
      c.User = x(ins.user);
      commit(s, `USER ${c.User}`, false);
      return true;
    }
    case 'cmd': {
      const args = withShell(s, ins.command);
      c.Cmd = args;
      c.ArgsEscaped = true;
      s.cmdSet = true;
      commit(s, `CMD ${goQuoteList(args)}`, false);
      return true;
    }
    case 'entrypoint': {
      const args = withShell(s, ins.command);
      c.Entrypoint = args;
      if (!s.cmdSet) c.Cmd = null;
      commit(s, `ENTRYPOINT ${goQuoteList(args)}`, false);
      return true;
    }
    case 'shell': {
      c.Shell = [...ins.args];
      commit(s, `SHELL ${goList(ins.args)}`, false);
      return true;
    }
    case 'stopsignal': {
      const sig = x(ins.signal);
      if (!/^(SIG[A-Z0-9+-]+|[0-9]+|RTMIN\+[0-9]+)$/i.test(sig)) throw new PlanError('INVALID_SIGNAL', `Invalid signal: ${sig}`, ins.range);
      c.StopSignal = sig;
      commit(s, `STOPSIGNAL ${sig}`, false);
      return true;
    }
    case 'healthcheck': {
      const h: HealthConfig = {};
      if (ins.test.type === 'none') h.Test = ['NONE'];
      else h.Test = ins.test.command.form === 'exec' ? ['CMD', ...ins.test.command.args] : ['CMD-SHELL', ins.test.command.text];
      if (ins.interval !== undefined) h.Interval = ins.interval;
      if (ins.timeout !== undefined) h.Timeout = ins.timeout;
      if (ins.startPeriod !== undefined) h.StartPeriod = ins.startPeriod;
      if (ins.startInterval !== undefined) h.StartInterval = ins.startInterval;
      if (ins.retries !== undefined) h.Retries = ins.retries;
      c.Healthcheck = h;
      const d = (n: number | undefined): string => goDuration(n ?? 0);
      commit(
        s,
        `HEALTHCHECK {Test:${goList(h.Test)} Interval:${d(h.Interval)} Timeout:${d(h.Timeout)} StartPeriod:${d(h.StartPeriod)} StartInterval:${d(h.StartInterval)} Retries:${h.Retries ?? 0}}`,
        false,
      );
      return true;
    }
    case 'onbuild': {
      c.OnBuild = [...(c.OnBuild ?? []), ins.expression];
      return true;
    }
    case 'maintainer': {
      s.config.author = ins.name;
      commit(s, `MAINTAINER ${ins.name}`, false);
      return true;
    }
    default:
      return false;
  }
}

/** exposedPorts normalises one EXPOSE word: `80` → `80/tcp`, `8000-8001/udp` → two ports. */
function exposedPorts(word: string, ins: Instruction): string[] {
  const m = /^([0-9]+)(?:-([0-9]+))?(?:\/(tcp|udp|sctp))?$/i.exec(word);
  if (!m) throw new PlanError('INVALID_PORT', `invalid containerPort: ${word}`, ins.range);
  const lo = Number(m[1]);
  const hi = m[2] !== undefined ? Number(m[2]) : lo;
  const proto = (m[3] ?? 'tcp').toLowerCase();
  const out: string[] = [];
  for (let p = lo; p <= hi; p++) out.push(`${p}/${proto}`);
  return out;
}
