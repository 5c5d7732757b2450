import { ApiError } from '../api/errors';
import { formErrors } from './formErrors';

describe('form errors', () => {
  it('place the fields of a refusal, keeping the rest as a general error', () => {
    const refusal = new ApiError(422, 'validation_failed', 'invalid rule', {
      fields: [
        { field: 'criteria', message: 'unknown operator' },
        { field: 'parameters.message', message: 'missing' },
        { field: 'mystery', message: 'odd' },
      ],
    });
    const { fields, general } = formErrors(refusal, ['criteria', 'parameters']);
    expect(fields).toEqual({ criteria: 'unknown operator', parameters: 'parameters.message: missing' });
    expect((general as Error).message).toBe('mystery: odd');
    const bare = formErrors(new ApiError(422, 'validation_failed', "pack 'x' does not exist", { fields: [] }), ['ref']);
    expect(bare.fields).toEqual({});
    expect((bare.general as Error).message).toBe("pack 'x' does not exist");
  });
});
