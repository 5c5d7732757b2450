import { fieldsOf } from './schemaFields';

describe('parameter schemas', () => {
  it('list parameters of pack-style and JSON Schema objects', () => {
    expect(fieldsOf({ message: { type: 'string', required: true } })).toMatchObject([
      { name: 'message', type: 'string', required: true },
    ]);
    expect(
      fieldsOf({ type: 'object', properties: { poll: { type: 'integer' }, x: {} }, required: ['poll'] }),
    ).toMatchObject([
      { name: 'poll', type: 'integer', required: true },
      { name: 'x', required: false },
    ]);
    expect(fieldsOf({ type: 'string' })).toEqual([]);
    expect(fieldsOf(null)).toEqual([]);
  });
});
