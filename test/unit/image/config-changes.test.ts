import { describe, expect, it } from 'vitest';
import { applyChanges } from '../../../src/image/config-changes.js';
import { appendLayers, emptyImage, withContainerConfig, withEmptyLayerHistory } from '../../../src/image/mutate.js';
import { sha256Digest } from '../../../src/image/digest.js';

describe('--change instructions', () => {
  it('applies the Dockerfile forms docker import accepts', () => {
    const c = applyChanges({ Env: ['A=1'] }, [
      'CMD ["sh", "-c", "echo hi"]',
      'ENTRYPOINT /bin/run --flag',
      'ENV A=2 B="two words"',
      'ENV LEGACY value with spaces',
      'LABEL org.x="a b" k=v',
      'EXPOSE 80 53/udp',
      'VOLUME ["/data"]',
      'WORKDIR /srv',
      'USER 1000:1000',
      'STOPSIGNAL SIGTERM',
    ]);
    expect(c).toEqual({
      Env: ['A=2', 'B=two words', 'LEGACY=value with spaces'],
      Cmd: ['sh', '-c', 'echo hi'],
      Entrypoint: ['/bin/sh', '-c', '/bin/run --flag'],
      Labels: { 'org.x': 'a b', k: 'v' },
      ExposedPorts: { '80/tcp': {}, '53/udp': {} },
      Volumes: { '/data': {} },
      WorkingDir: '/srv',
      User: '1000:1000',
      StopSignal: 'SIGTERM',
    });
  });

  it('refuses what docker refuses', () => {
    expect(() => applyChanges({}, ['RUN echo'])).toThrow('RUN is not a valid change command');
    expect(() => applyChanges({}, ['ENV'])).toThrow(/missing arguments/);
  });
});

describe('image mutations return new values', () => {
  it('appends layers and history without touching the base', () => {
    const base = emptyImage({ os: 'linux', architecture: 'amd64' });
    const d = sha256Digest('layer');
    const one = appendLayers(base, { descriptor: { mediaType: 'm', digest: d, size: 1 }, diffID: d, history: { created_by: 'COPY . /' } });
    const two = withEmptyLayerHistory(withContainerConfig(one, (c) => ({ ...c, Cmd: ['sh'] })), { created_by: 'CMD ["sh"]' });
    expect(base.config.rootfs.diff_ids).toEqual([]);
    expect(one.config.config).toEqual({});
    expect(two.config.rootfs.diff_ids).toEqual([d]);
    expect(two.config.history).toEqual([{ created_by: 'COPY . /' }, { created_by: 'CMD ["sh"]', empty_layer: true }]);
    expect(two.config.config).toEqual({ Cmd: ['sh'] });
  });
});
