import { describe, expect, it } from 'vitest';
import { familiarString, normalizeReference, parseReference } from '../../../src/image/reference.js';

const D = `sha256:${'ab'.repeat(32)}`;

describe('reference', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
    ['user/app', 'docker.io/user/app:latest', 'user/app:latest'],
    ['index.docker.io/library/alpine:3', 'docker.io/library/alpine:3', 'alpine:3'],
    ['host:5000/a/b:t', 'host:5000/a/b:t', 'host:5000/a/b:t'],
    ['localhost/app', 'localhost/app:latest', 'localhost/app:latest'],
    [`name@${D}`, `docker.io/library/name@${D}`, `name@${D}`],
    [`a.io/x:1@${D}`, `a.io/x:1@${D}`, `a.io/x:1@${D}`],
  ])('normalises %s', (input, full, familiar) => {
    expect(normalizeReference(input)).toBe(full);
    expect(familiarString(parseReference(input))).toBe(familiar);
  });

  it.each([
    ['Busybox', /must be lowercase/],
    ['busybox:', /invalid tag/],
    ['a:b:c/d', /invalid/],
    ['ab'.repeat(32), /64-byte hexadecimal/],
    ['name@sha256:abc', /invalid digest/],
    ['', /empty/],
  ])('refuses %s', (input, msg) => {
    expect(() => parseReference(input)).toThrow(msg);
  });
});
