import { describe, expect, it } from 'vitest';
import { IANAZone } from 'luxon';
import { isValidTimeZone } from '../src/data/isValidTimeZone.js';

describe('isValidTimeZone (canonical names, then a cache in front of luxon)', () => {
  it('answers as luxon does, the first time and from the cache', () => {
    for (const name of ['Asia/Shanghai', 'UTC', 'Europe/Berlin', 'Asia/Shangai', 'Mars/Olympus_Mons', 'utc', '']) {
      const expected = IANAZone.isValidZone(name);
      expect(isValidTimeZone(name), name).toBe(expected);
      expect(isValidTimeZone(name), `${name} (cached)`).toBe(expected);
    }
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Asia/Shangai')).toBe(false);
  });

  it('stays right after many distinct invalid names (the bounded cache is cleared and refilled)', () => {
    for (let i = 0; i < 2_500; i++) expect(isValidTimeZone(`Nowhere/Zone_${i}`)).toBe(false);
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Nowhere/Zone_7')).toBe(false);
  });
});
