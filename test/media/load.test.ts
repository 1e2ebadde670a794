import { describe, expect, it } from 'vitest';
import { loadBytes, loadText } from '../../src/media/load.js';
import { readHlsLadder } from '../../src/media/ladder.js';

describe('loadText / loadBytes on local paths', () => {
  it('refuses a device that never ends (/dev/zero) as not a file, at once', async () => {
    const error: unknown = await loadText('/dev/zero').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'READ_FAILED', data: { source: '/dev/zero' } });
    expect(String(error)).toContain('not a file');
    await expect(loadBytes('/dev/zero', { offsetBytes: 0, lengthBytes: 16 })).rejects.toMatchObject({
      code: 'READ_FAILED',
    });
    // abrkit ladder and --video read the master playlist this way
    await expect(readHlsLadder('/dev/zero')).rejects.toMatchObject({ code: 'READ_FAILED' });
  });
});
