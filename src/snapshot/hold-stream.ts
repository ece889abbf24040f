import { PassThrough, type Readable } from 'node:stream';

/**
 * holdStream starts consuming `layer` at once into a buffer with backpressure. A child process's stdout
 * that nobody reads when the child exits is resumed by Node and its data dropped: a layer streamed from
 * `tar` or a decompressor must have a reader before the first await.
 */
export function holdStream(layer: Readable): Readable {
  const held = new PassThrough({ highWaterMark: 1 << 20 });
  layer.on('error', (err) => held.destroy(err));
  return layer.pipe(held);
}
