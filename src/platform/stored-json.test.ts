import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { StoredJsonError, storedJson } from './stored-json.js';

const codec = storedJson('things.data_json', Type.Object({ name: Type.String(), n: Type.Optional(Type.Number()) }));

describe('storedJson', () => {
  it('decodes a valid row and encodes it back', () => {
    expect(codec.decode('{"name":"a","n":1,"extra":true}')).toEqual({ name: 'a', n: 1, extra: true });
    expect(codec.encode({ name: 'b' })).toBe('{"name":"b"}');
    expect(codec.decode(codec.encode({ name: 'c', n: 2 }))).toEqual({ name: 'c', n: 2 });
  });

  it('refuses a corrupt row with an error naming the table and column', () => {
    expect(() => codec.decode('{"name":42}')).toThrow(StoredJsonError);
    expect(() => codec.decode('{"name":42}')).toThrow('stored JSON in things.data_json has an unexpected shape: /name');
    expect(() => codec.decode('{"n":1}')).toThrow(/things\.data_json.*name/);
    expect(() => codec.decode('null')).toThrow(/things\.data_json/);
    expect(() => codec.decode('{"name":')).toThrow('stored JSON in things.data_json is not valid JSON');
  });
});
