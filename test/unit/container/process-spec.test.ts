import { describe, expect, it } from 'vitest';
import { DEFAULT_PATH, homeOf, mergeEnv, processSpec } from '../../../src/build/container/process-spec.js';

describe('processSpec (docker run rules)', () => {
  const image = { Entrypoint: ['/entry'], Cmd: ['--serve'], Env: ['A=1', 'PATH=/bin'], WorkingDir: '/app', User: 'web' };

  it('uses the image\'s entrypoint, cmd, env, workdir and user by default', () => {
    expect(processSpec(image, { command: [], env: [] })).toEqual({ entrypoint: ['/entry'], cmd: ['--serve'], env: ['A=1', 'PATH=/bin'], cwd: '/app', user: 'web' });
  });

  it('replaces the cmd with command arguments, keeping the entrypoint', () => {
    expect(processSpec(image, { command: ['--once'], env: [] })).toMatchObject({ entrypoint: ['/entry'], cmd: ['--once'] });
  });

  it('drops the image cmd with --entrypoint, and clears the entrypoint with an empty one', () => {
    expect(processSpec(image, { entrypoint: 'sh', command: [], env: [] })).toMatchObject({ entrypoint: ['sh'], cmd: [] });
    expect(processSpec(image, { entrypoint: '', command: ['ls'], env: [] })).toMatchObject({ entrypoint: [], cmd: ['ls'] });
    expect(() => processSpec(image, { entrypoint: '', command: [], env: [] })).toThrow(expect.objectContaining({ code: 'NO_COMMAND' }));
  });

  it('overrides env by key, adds PATH when missing, and takes -w and -u', () => {
    expect(processSpec(image, { command: [], env: ['A=2', 'B=3'], workdir: '/w', user: '1:2' })).toMatchObject({ env: ['A=2', 'PATH=/bin', 'B=3'], cwd: '/w', user: '1:2' });
    expect(mergeEnv([], ['X=1'])).toEqual(['X=1', DEFAULT_PATH]);
    expect(processSpec({ Cmd: ['true'] }, { command: [], env: [] })).toMatchObject({ cwd: '/', user: '' });
  });

  it('finds a home directory in /etc/passwd', () => {
    const passwd = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n';
    expect(homeOf(passwd, 0)).toBe('/root');
    expect(homeOf(passwd, 65534)).toBe('/home');
    expect(homeOf(passwd, 42)).toBe('/');
  });
});
