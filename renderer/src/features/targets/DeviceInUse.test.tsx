// The device-in-use block: main's finding and the confirmation field, rendered to markup.
import { describe, expect, it } from 'vitest';
import { renderToStaticMarkup } from 'react-dom/server';
import { DeviceInUse, IN_USE_KEY } from './DeviceInUse';

describe('DeviceInUse', () => {
  const finding = 'LUN 1 backing: loop0 is mounted on /mnt on stor2; exporting it read-write would corrupt it under its user. Type /dev/loop0 in "Confirm the device in use" (confirmInUse) to export it anyway.';
  it('shows the finding and the field to type the device path in; typed exactly, it says the review will ask', () => {
    const html = renderToStaticMarkup(<DeviceInUse lun={1} path="/dev/loop0" finding={finding} refused value="" onChange={() => undefined} />);
    expect(html).toContain('loop0 is mounted on /mnt on stor2');
    expect(html).toContain('Type the device path to export it anyway');
    expect(html).toContain('Only /dev/loop0, typed exactly, exports it while it is in use.');
    expect(html).toContain('aria-invalid="true"');
    const typed = renderToStaticMarkup(<DeviceInUse lun={1} path="/dev/loop0" finding={finding} refused value="/dev/loop0" onChange={() => undefined} />);
    expect(typed).toContain('the review lists this device as a danger you must confirm');
    expect(typed).toContain('aria-invalid="false"');
  });

  it('recognises the refusal field of a row', () => {
    expect(IN_USE_KEY.exec('luns.3.backing.confirmInUse')?.[1]).toBe('3');
    expect(IN_USE_KEY.test('luns.3.backing.path')).toBe(false);
  });
});
