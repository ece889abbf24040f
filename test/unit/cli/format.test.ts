import { describe, expect, it } from 'vitest';
import { humanDuration, humanSize, humanSizeWithPrecision, timeAgo, goTimeString } from '../../../src/cli/format/human.js';
import { formatRows } from '../../../src/cli/format/output.js';
import { renderTable } from '../../../src/cli/format/table.js';
import { compileTemplate } from '../../../src/cli/format/template.js';
import { ellipsis } from '../../../src/cli/image-views.js';

// Expected strings are what docker/go-units and docker/cli print for the same values.
describe('human sizes (go-units)', () => {
  it.each([
    [0, '0B'],
    [999, '999B'],
    [1000, '1kB'],
    [123_456, '123kB'],
    [1_220_000, '1.22MB'],
    [4_261_550, '4.26MB'],
    [5_500_000, '5.5MB'],
    [77_800_000, '77.8MB'],
    [1_000_000_000, '1GB'],
    [999_500, '1e+03kB'],
  ])('HumanSizeWithPrecision(%d, 3) = %s', (n, s) => expect(humanSizeWithPrecision(n, 3)).toBe(s));

  it('HumanSize uses 4 significant digits (system df)', () => {
    expect(humanSize(4_261_550)).toBe('4.262MB');
    expect(humanSize(0)).toBe('0B');
  });
});

describe('human durations (go-units HumanDuration)', () => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  it.each([
    [500, 'Less than a second'],
    [s, '1 second'],
    [59 * s, '59 seconds'],
    [60 * s, 'About a minute'],
    [119 * s, 'About a minute'],
    [2 * m, '2 minutes'],
    [59 * m, '59 minutes'],
    [60 * m, 'About an hour'],
    [89 * m, 'About an hour'],
    [90 * m, '2 hours'],
    [47 * h, '47 hours'],
    [48 * h, '2 days'],
    [13 * d, '13 days'],
    [14 * d, '2 weeks'],
    [60 * d, '2 months'],
    [730 * d, '2 years'],
  ])('%d ms → %s', (ms, text) => expect(humanDuration(ms)).toBe(text));

  it('says "ago" and N/A like the CREATED column', () => {
    const now = Date.parse('2024-01-01T00:01:30Z');
    expect(timeAgo('2024-01-01T00:00:00Z', now)).toBe('About a minute ago');
    expect(timeAgo(undefined, now)).toBe('N/A');
    expect(goTimeString('2023-07-18T23:19:33.538571854Z')).toBe('2023-07-18 23:19:33 +0000 UTC');
  });
});

describe('tables (docker/cli tabwriter: minwidth 10, padding 3)', () => {
  it('lays out docker images', () => {
    const text = renderTable([
      ['REPOSITORY', 'TAG', 'IMAGE ID', 'CREATED', 'SIZE'],
      ['busybox', 'latest', 'a416a98b71e2', 'About a minute ago', '4.26MB'],
      ['registry.example.com:5000/team/app', '1.0', '0123456789ab', '3 months ago', '1.22MB'],
    ]);
    expect(text).toBe(
      [
        'REPOSITORY                           TAG       IMAGE ID       CREATED              SIZE',
        'busybox                              latest    a416a98b71e2   About a minute ago   4.26MB',
        'registry.example.com:5000/team/app   1.0       0123456789ab   3 months ago         1.22MB',
        '',
      ].join('\n'),
    );
  });

  it('formats rows as table, table TEMPLATE, json and plain templates', () => {
    const rows = [{ Repository: 'busybox', Tag: 'latest', ID: 'a416a98b71e2', Digest: '<none>' }];
    const opts = { defaultTable: '{{.Repository}}\t{{.Tag}}\t{{.ID}}', headers: { Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID' } };
    expect(formatRows(rows, opts)).toBe('REPOSITORY   TAG       IMAGE ID\nbusybox      latest    a416a98b71e2\n');
    expect(formatRows(rows, { ...opts, format: 'table {{.ID}}\\t{{.Repository}}' })).toBe('IMAGE ID       REPOSITORY\na416a98b71e2   busybox\n');
    expect(formatRows(rows, { ...opts, format: '{{.Repository}}:{{.Tag}}' })).toBe('busybox:latest\n');
    expect(formatRows(rows, { ...opts, format: 'json' })).toBe('{"Repository":"busybox","Tag":"latest","ID":"a416a98b71e2","Digest":"\\u003cnone\\u003e"}\n');
  });
});

describe('Go templates', () => {
  const doc = { Id: 'sha256:x', RepoTags: ['a:1', 'b:2'], Config: { Cmd: ['sh'], Env: ['A=b', 'C=d'], Labels: { k: 'v' }, Entrypoint: null } };
  it.each([
    ['{{.Id}}', 'sha256:x'],
    ['{{json .Config.Cmd}}', '["sh"]'],
    ['{{.Config.Env}}', '[A=b C=d]'],
    ['{{.Config.Labels}}', 'map[k:v]'],
    ['{{.Config.Entrypoint}}', '<nil>'],
    ['{{.Missing}}', '<no value>'],
    ['{{index .Config.Labels "k"}}', 'v'],
    ['{{join .RepoTags ","}}', 'a:1,b:2'],
    ['{{len .RepoTags}} {{upper .Id}}', '2 SHA256:X'],
  ])('%s', (tpl, want) => expect(compileTemplate(tpl)(doc)).toBe(want));

  it('refuses unknown functions with a clear message', () => {
    expect(() => compileTemplate('{{nope .Id}}')(doc)).toThrow('template: function "nope" not defined');
  });

  it('cuts CREATED BY like docker history', () => {
    expect(ellipsis('/bin/sh -c #(nop) ADD file:6e5c1d3f in / ', 45)).toBe('/bin/sh -c #(nop) ADD file:6e5c1d3f in / ');
    expect(ellipsis('/bin/sh -c apt-get update && apt-get install -y curl', 45)).toBe('/bin/sh -c apt-get update && apt-get install…');
  });
});
