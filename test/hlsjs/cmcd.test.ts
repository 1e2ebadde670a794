import { describe, expect, it } from 'vitest';
import { hlsCmcdConfig } from '../../src/hlsjs/index.js';

describe('hlsCmcdConfig', () => {
  it("maps abrkit's cmcd option onto hls.js's CMCD config, version 1", () => {
    expect(hlsCmcdConfig({ mode: 'headers', contentId: 'c', sessionId: 's' })).toEqual({
      version: 1,
      useHeaders: true,
      contentId: 'c',
      sessionId: 's',
    });
    // without a session id hls.js uses its own (hls.sessionId)
    expect(hlsCmcdConfig({ mode: 'query' })).toEqual({ version: 1, useHeaders: false });
  });

  it('refuses a bad option with a TypeError naming the field', () => {
    expect(() => hlsCmcdConfig({ mode: 'header' } as never)).toThrow(/cmcd\.mode/);
    expect(() => hlsCmcdConfig({ mode: 'query', sessionId: 'x'.repeat(65) })).toThrow(/cmcd\.sessionId/);
    expect(() => hlsCmcdConfig(undefined as never)).toThrow(/cmcd: must be an object/);
  });
});
