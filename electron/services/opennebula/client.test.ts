// OnedClient against the oned TEST DOUBLE in this process (loopback): response decoding for each
// error code, info parsing, allocation validated as oned does, unknown methods, auth by session.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOnedDouble, type OnedDouble } from '../../../e2e/doubles/oned/server';
import { OnedClient } from './client';
import { decodeOneResponse, describeOneError, ONE_ERR, OnedError } from './errors';
import { renderTemplateText, renderTemplateXml, type TemplateAttrs } from './template';

let dbl: OnedDouble;
let one: OnedClient;
beforeAll(async () => {
  dbl = await startOnedDouble({ users: { oneadmin: 'pw-1' } });
  one = new OnedClient({ endpoint: dbl.url, session: () => 'oneadmin:pw-1' });
});
afterAll(() => dbl.close());

const ds: TemplateAttrs = [['NAME', 'lunstore'], ['TYPE', 'IMAGE_DS'], ['DS_MAD', 'iscsi_libvirt'], ['TM_MAD', 'iscsi_libvirt'], ['DISK_TYPE', 'ISCSI'], ['ISCSI_HOST', '203.0.113.11']];

describe('decoding oned answers', () => {
  it('words every error code and keeps oned\'s text and object id', () => {
    const cases: [number, RegExp][] = [
      [ONE_ERR.AUTHENTICATION, /refused the session string \(authentication failed\)/],
      [ONE_ERR.AUTHORIZATION, /may not do one.image.delete \(object 7\) \(authorization failed\)/],
      [ONE_ERR.NO_EXISTS, /has no such object/],
      [ONE_ERR.ACTION, /in the object's current state \(action failed\)/],
      [ONE_ERR.XML_RPC_API, /malformed \(XML-RPC API error\)/],
      [ONE_ERR.INTERNAL, /internal error\): check oned.log/],
      [ONE_ERR.ALLOCATE, /could not create the object .*allocate failed/],
      [ONE_ERR.LOCKED, /object \(object 7\) is locked/],
    ];
    for (const [code, re] of cases) {
      let err: unknown;
      try {
        decodeOneResponse('one.image.delete', [false, '[one.image.delete] detail text', code, 7]);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OnedError);
      expect((err as OnedError).message).toMatch(re);
      expect((err as OnedError).message).toMatch(/oned said: \[one.image.delete\] detail text$/);
      expect((err as OnedError).code).toBe(code);
      expect((err as OnedError).objectId).toBe(7);
    }
    expect(describeOneError(0x7777, '', 'one.x', null).kind).toBe('unknown');
    expect(() => decodeOneResponse('one.x', 'nonsense')).toThrow(/not OpenNebula's \[ok, value, errcode\] array/);
    expect(decodeOneResponse('one.x', [true, 42, 0])).toBe(42);
  });
});

describe('OnedClient against the double', () => {
  it('reads the version, the user, hosts and clusters', async () => {
    expect(await one.version()).toBe('6.10.0');
    expect(await one.whoami()).toEqual({ id: 0, name: 'oneadmin' });
    const hosts = await one.hosts();
    expect(hosts.map((h) => [h.name, h.vmMad, h.clusterId, h.state])).toEqual([['hv1', 'kvm', 0, 'monitored'], ['hv2', 'kvm', 0, 'monitored']]);
    expect((await one.clusters())[0]).toEqual({ id: 0, name: 'default', hostIds: [0, 1], datastoreIds: [0, 1, 2] });
  });

  it('refuses a wrong session as an authentication failure in words', async () => {
    const bad = new OnedClient({ endpoint: dbl.url, session: () => 'oneadmin:wrong' });
    await expect(bad.version()).rejects.toMatchObject({ kind: 'authentication', message: expect.stringMatching(/authentication failed/) });
  });

  it('allocates a datastore from the XML form and an image in it; info documents parse back', async () => {
    const id = await one.allocateDatastore(renderTemplateXml(ds), 0);
    const d = await one.datastore(id);
    expect(d).toMatchObject({ id, name: 'lunstore', dsMad: 'iscsi_libvirt', tmMad: 'iscsi_libvirt', type: 'IMAGE_DS', diskType: 'ISCSI', clusterIds: [0] });
    expect(d.template.ISCSI_HOST).toBe('203.0.113.11');
    const img = await one.allocateImage(renderTemplateXml([['NAME', 'disk "1" <a&b>'], ['PATH', 'iqn.2026-12.org.example:t/1'], ['PERSISTENT', 'YES'], ['TYPE', 'DATABLOCK']]), id);
    const im = await one.image(img);
    expect(im).toMatchObject({ name: 'disk "1" <a&b>', path: 'iqn.2026-12.org.example:t/1', persistent: true, type: 'DATABLOCK', sizeMb: 0, state: 'ready', datastoreId: id });
    expect((await one.datastores()).find((x) => x.id === id)?.imageIds).toEqual([img]);
    // A datastore with images cannot go.
    await expect(one.deleteDatastore(id)).rejects.toMatchObject({ kind: 'action' });
    expect(await one.deleteImage(img)).toBe(img);
    expect(await one.deleteDatastore(id)).toBe(id);
    await expect(one.image(img)).rejects.toMatchObject({ kind: 'no-such-object', objectId: img });
  });

  it('validates like oned: required attributes per driver, persistent only, unique names, the text form too', async () => {
    await expect(one.allocateDatastore(renderTemplateXml(ds.filter(([k]) => k !== 'ISCSI_HOST')), 0)).rejects.toMatchObject({ kind: 'allocate', message: expect.stringMatching(/missing the "ISCSI_HOST" attribute/) });
    await expect(one.allocateDatastore(renderTemplateXml(ds.map(([k, v]) => [k, k === 'DS_MAD' ? 'nosuch' : v] as [string, string])), 0)).rejects.toMatchObject({ message: expect.stringMatching(/DS_MAD named "nosuch" is not defined/) });
    const id = await one.allocateDatastore(renderTemplateText(ds), -1);
    await expect(one.allocateDatastore(renderTemplateXml(ds), 0)).rejects.toMatchObject({ message: expect.stringMatching(/NAME is already taken by DATASTORE/) });
    await expect(one.allocateImage(renderTemplateXml([['NAME', 'np'], ['PATH', 'iqn.2026-12.org.example:t/1'], ['PERSISTENT', 'NO']]), id)).rejects.toMatchObject({ message: expect.stringMatching(/only accepts persistent images/) });
    await expect(one.allocateImage(renderTemplateXml([['NAME', 'np'], ['PATH', 'x/1']]), 999)).rejects.toMatchObject({ kind: 'no-such-object' });
    await one.deleteDatastore(id);
  });

  it('answers injected locked and allocate errors in words, and refuses unknown methods', async () => {
    dbl.inject({ method: 'one.image.delete', code: ONE_ERR.LOCKED, message: '[one.image.delete] The image 3 is locked.', objectId: 3 });
    await expect(one.deleteImage(3)).rejects.toMatchObject({ kind: 'locked', message: expect.stringMatching(/is locked, so one.image.delete was refused/) });
    dbl.inject({ method: 'one.datastore.allocate', code: ONE_ERR.ALLOCATE, message: 'Error allocating a new datastore. boom' });
    await expect(one.allocateDatastore(renderTemplateXml(ds), 0)).rejects.toMatchObject({ kind: 'allocate', message: expect.stringMatching(/boom$/) });
    await expect(one.call('one.nosuch.method')).rejects.toMatchObject({ kind: 'protocol', message: expect.stringMatching(/Requested method 'one.nosuch.method' not defined/) });
  });
});
