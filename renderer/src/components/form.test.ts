// The form kit routes a refusal's messages to fields: per-field messages from details.fields (a
// device in use under luns.N.backing.confirmInUse), the rest above the form.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client';
import { apiPathErrors } from './form';

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
