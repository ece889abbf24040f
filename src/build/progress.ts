/**
 * ProgressEvent is what the executor reports, one event per change, for the renderers (tty, plain,
 * rawjson) and for the build record. Step events carry the step's id (`<stage>/<position>`) and
 * its BuildKit-style name (`[stage-1 2/5] COPY . /app`).
 */
export type ProgressEvent =
  | { type: 'build'; status: 'started'; time: number; buildId: string; steps: number }
  | { type: 'build'; status: 'done'; time: number; buildId: string; imageId: string; steps: number; cached: number; durationMs: number }
  | { type: 'build'; status: 'error'; time: number; buildId: string; error: string }
  | { type: 'step'; status: 'started'; time: number; step: string; name: string }
  | { type: 'step'; status: 'cached'; time: number; step: string; name: string; key: string }
  | { type: 'step'; status: 'done'; time: number; step: string; name: string; key?: string; durationMs: number; reason?: string; layerSize?: number }
  | { type: 'step'; status: 'error'; time: number; step: string; name: string; durationMs: number; error: string }
  | { type: 'step'; status: 'log'; time: number; step: string; name: string; text: string };

/** ProgressSink receives events; it must not throw. */
export type ProgressSink = (e: ProgressEvent) => void;
