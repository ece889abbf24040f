/** Cancellation is how a command learns that SIGINT or SIGTERM asked it to stop. */
export interface Cancellation {
  signal: AbortSignal;
  /** received names the first signal, once one came. */
  received(): NodeJS.Signals | undefined;
  dispose(): void;
}

const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 2, SIGTERM: 15 };

/**
 * cancelOnSignals turns SIGINT/SIGTERM into an aborted AbortSignal, so the command stops its work
 * itself (the runner kills the step's process tree, snapshots are removed, mounts vanish with their
 * namespaces) instead of Node dying on the spot. A second signal exits at once: the runners' keepers
 * have a parent-death signal, so their processes still go.
 */
export function cancelOnSignals(signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): Cancellation {
  const controller = new AbortController();
  let first: NodeJS.Signals | undefined;
  const onSignal = (sig: NodeJS.Signals): void => {
    if (first !== undefined) process.exit(128 + (SIGNAL_NUMBERS[sig] ?? 1));
    first = sig;
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  for (const s of signals) process.on(s, onSignal);
  return {
    signal: controller.signal,
    received: () => first,
    dispose: () => {
      for (const s of signals) process.off(s, onSignal);
    },
  };
}

/** exitCodeOf is the shell's code for a process stopped by `sig` (130 for SIGINT, 143 for SIGTERM). */
export function exitCodeOf(sig: NodeJS.Signals): number {
  return 128 + (SIGNAL_NUMBERS[sig] ?? 1);
}
