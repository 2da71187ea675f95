import { describe, expect, it } from 'vitest';
import { ImagesInputSchema } from '../../../../shared/domain/opennebula';
import { zodPathErrors } from '../../components/form';
import { defaultImageName, newRow, toImagesInput, toSpec } from './image-rows';

const IQN = 'iqn.2025-01.com.example.san:vmstore1';
const errorsOf = (rows: ReturnType<typeof newRow>[]) => {
  const r = ImagesInputSchema.safeParse(toImagesInput('fe1', 100, rows));
  return r.success ? {} : zodPathErrors(r.error);
};

describe('image rows', () => {
  it('name a picked LUN after the target and its number', () => {
    expect(defaultImageName(IQN, 3)).toBe('vmstore1-lun3');
    expect(defaultImageName('iqn.2025-01.com.example', 1)).toBe('iqn.2025-01.com.example-lun1');
  });

  it('turn a row into the image spec: IQN and LUN apart, server kept, no overrides unless switched on', () => {
    const r = { ...newRow(IQN, 2, 'stor1'), iscsiHost: '192.0.2.10' };
    expect(toSpec(r)).toEqual({ name: 'vmstore1-lun2', iqn: IQN, lun: 2, numbering: 'tgt', type: 'DATABLOCK', serverId: 'stor1' });
    expect(errorsOf([r])).toEqual({});
  });

  it('carry the overrides that were filled, ISCSI_IQN split at the first slash', () => {
    const r = { ...newRow(IQN, 1), overrides: true, iscsiHost: '192.0.2.10:3260', iscsiUsage: 'vmstore1-chap', iscsiIqn: `${IQN}/3` };
    expect(toSpec(r).overrides).toEqual({ iscsiHost: '192.0.2.10:3260', iscsiUsage: 'vmstore1-chap', iscsiIqn: { iqn: IQN, lun: 3 } });
    expect(errorsOf([r])).toEqual({});
  });

  it('let the schema refuse LUN 0 (tgt controller), an ISCSI_IQN without its LUN, and the same LUN twice, under their fields', () => {
    expect(errorsOf([newRow(IQN, 0)])['images.0.lun']).toMatch(/controller/);
    expect(errorsOf([{ ...newRow(IQN, 1), overrides: true, iscsiIqn: IQN }])).toHaveProperty(['images.0.overrides.iscsiIqn.lun']);
    expect(errorsOf([newRow(IQN, 1), { ...newRow(IQN, 1), name: 'other' }])['images.1.lun']).toMatch(/already image 1/);
  });
});
