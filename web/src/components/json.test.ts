import { parseObject } from './json';

describe('JSON fields', () => {
  it('read JSON objects, refusing other JSON and mistakes', () => {
    expect(parseObject('')).toEqual({ value: {} });
    expect(parseObject('{"a": 1}')).toEqual({ value: { a: 1 } });
    expect(parseObject('[1]')).toEqual({ error: 'Must be a JSON object ({ … }).' });
    expect(parseObject('{"a": ')).toMatchObject({ error: expect.stringMatching(/^Not valid JSON/) });
  });
});
