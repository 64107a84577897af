import { DIRECTORY_ACCOUNT_ID, stableId } from './stable-id';

describe('stableId', () => {
  it('is the same UUID (version 4 layout) for the same name, and another for another name', () => {
    expect(stableId('x')).toBe(stableId('x'));
    expect(stableId('x')).not.toBe(stableId('y'));
    expect(stableId('x')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('names the bootstrap directory account as it always has (ids already in event streams)', () => {
    expect(DIRECTORY_ACCOUNT_ID).toBe('ade0605e-7e22-491f-b64e-ac1fdbb5b872');
  });
});
