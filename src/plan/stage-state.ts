import type { ContainerConfig, HistoryEntry, ImageConfig } from '../image/oci.js';

/**
 * StageState is a stage being planned: its image config so far, its history, and the variables
 * that expansion sees (the config's Env, then ARG values, in BuildKit's order: a later ENV or
 * ARG of the same name replaces the earlier value). `args` are the ARGs declared in the stage
 * with their values (they reach RUN's environment and its history text, never the config).
 */
export interface StageState {
  config: ImageConfig;
  history: HistoryEntry[];
  vars: Map<string, string>;
  args: { name: string; value: string | undefined }[];
  /** cmdSet: CMD was given in this stage (ENTRYPOINT then keeps it). */
  cmdSet: boolean;
}

/** cfg returns the container config, creating it. */
export function cfg(s: StageState): ContainerConfig {
  if (!s.config.config) s.config.config = {};
  return s.config.config;
}

/** addEnv replaces K's entry in an Env list, or appends it (BuildKit's addEnv). */
export function addEnv(env: string[] | undefined, k: string, v: string): string[] {
  const out = [...(env ?? [])];
  const i = out.findIndex((e) => e.split('=', 1)[0] === k);
  if (i >= 0) out[i] = `${k}=${v}`;
  else out.push(`${k}=${v}`);
  return out;
}

/** envMap reads an Env list into an ordered map. */
export function envMap(env: readonly string[] | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const e of env ?? []) {
    const i = e.indexOf('=');
    m.set(i < 0 ? e : e.slice(0, i), i < 0 ? '' : e.slice(i + 1));
  }
  return m;
}

/** cloneConfig deep-copies an image config (plans never share mutable state with their base). */
export function cloneConfig(c: ImageConfig): ImageConfig {
  return JSON.parse(JSON.stringify(c)) as ImageConfig;
}

/** commit appends a history entry as BuildKit's commitToHistory does (`# buildkit` for layer steps). */
export function commit(s: StageState, createdBy: string, withLayer: boolean, isBuildkitOp = false): number {
  s.history.push({ created_by: isBuildkitOp ? `${createdBy} # buildkit` : createdBy, comment: 'buildkit.dockerfile.v0', ...(withLayer ? {} : { empty_layer: true }) });
  return s.history.length - 1;
}
