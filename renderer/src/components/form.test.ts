// The form kit routes a refusal's messages to fields: per-field messages from details.fields (a
// device in use under luns.N.backing.confirmInUse), the rest above the form.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { apiPathErrors, liveErrors, valueAt } from './form';

describe('apiPathErrors', () => {
  it('puts each per-field message of a refusal under its field and the other messages in _form', () => {
    const inUse = 'LUN 2 backing: sdb1 is mounted on /srv on stor1; ... Type /dev/sdb1 in "Confirm the device in use" (confirmInUse) to export it anyway.';
    const other = 'LUN size: Not enough free space in /srv/portico';
    const e = new ApiError({ code: 'invalid-input', message: `${inUse}\n${other}`, field: 'luns.1.backing.confirmInUse', details: { messages: [inUse, other], fields: { 'luns.1.backing.confirmInUse': inUse } } });
    expect(apiPathErrors(e)).toEqual({ 'luns.1.backing.confirmInUse': inUse, _form: other });
    const only = new ApiError({ code: 'invalid-input', message: inUse, field: 'luns.0.backing.confirmInUse', details: { messages: [inUse], fields: { 'luns.0.backing.confirmInUse': inUse } } });
    expect(apiPathErrors(only)).toEqual({ 'luns.0.backing.confirmInUse': inUse });
  });

  it('without per-field messages: the whole message under its one field, or the form', () => {
    expect(apiPathErrors(new ApiError({ code: 'invalid-input', message: 'IQN: taken', field: 'iqn', details: { messages: ['IQN: taken'] } }))).toEqual({ iqn: 'IQN: taken' });
    expect(apiPathErrors(new ApiError({ code: 'invalid-input', message: 'a\nb', details: { messages: ['a', 'b'] } }))).toEqual({ _form: 'a\nb' });
    expect(apiPathErrors(new Error('boom'))).toEqual({ _form: 'boom' });
  });
});

describe('liveErrors (fields re-validate as the admin types)', () => {
  const schemaErrors = { name: 'Name: not allowed', 'luns.0.size': 'Size: enter a size' };
  it('shows only armed fields, and an error disappears as soon as the schema stops reporting it', () => {
    const input = { name: 'bad!', luns: [{ size: '' }] };
    expect(liveErrors(input, schemaErrors, () => false, null)).toEqual({});
    expect(liveErrors(input, schemaErrors, (k) => k === 'name', null)).toEqual({ name: 'Name: not allowed' });
    // The admin fixes the name: the schema no longer reports it, so nothing is shown.
    expect(liveErrors({ ...input, name: 'ok' }, { 'luns.0.size': 'Size: enter a size' }, (k) => k === 'name', null)).toEqual({});
  });

  it("keeps main's refusal of a field only while the field holds the refused value; _form until anything changes", () => {
    const refused = { name: 'ok', luns: [{ size: '900TB' }] };
    const refusal = { input: refused, errors: { 'luns.0.size': 'Size: not enough space', _form: 'stor1 answered slowly' } };
    expect(liveErrors(refused, {}, () => true, refusal)).toEqual(refusal.errors);
    expect(liveErrors({ name: 'other', luns: [{ size: '900TB' }] }, {}, () => true, refusal)).toEqual({ 'luns.0.size': 'Size: not enough space' });
    expect(liveErrors({ name: 'ok', luns: [{ size: '9GB' }] }, {}, () => true, refusal)).toEqual({});
    // A schema message for the same field wins over main's older one.
    expect(liveErrors(refused, { 'luns.0.size': 'Size: too big' }, () => true, refusal)['luns.0.size']).toBe('Size: too big');
  });

  it('valueAt follows dotted paths through objects and arrays', () => {
    expect(valueAt({ luns: [{ backing: { path: '/dev/x' } }] }, 'luns.0.backing.path')).toBe('/dev/x');
    expect(valueAt({ luns: [] }, 'luns.3.size')).toBeUndefined();
  });
});
