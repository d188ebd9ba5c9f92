import { describe, expect, it } from 'vitest';
import { triggerPhraseProblem } from '#domain/training-request';

describe('the trigger phrase rule', () => {
  const takes = (trigger: 'required' | 'optional' | 'none') => ({ name: 'Some LoRA', trigger });

  it('is trimmed, then must be 1 to 100 characters where the trainer requires one', () => {
    expect(triggerPhraseProblem(takes('required'), '  ohwx  ')).toBeUndefined();
    expect(triggerPhraseProblem(takes('required'), '   ')).toMatch(/^Set a trigger phrase/);
    expect(triggerPhraseProblem(takes('required'), undefined)).toMatch(/^Set a trigger phrase/);
    expect(triggerPhraseProblem(takes('required'), ` ${'x'.repeat(100)} `)).toBeUndefined();
    expect(triggerPhraseProblem(takes('required'), 'x'.repeat(101))).toMatch(/100 characters or fewer/);
  });

  it('may be left out where it is optional, and must be left out where the trainer takes none', () => {
    expect(triggerPhraseProblem(takes('optional'), '')).toBeUndefined();
    expect(triggerPhraseProblem(takes('none'), ' ')).toBeUndefined();
    expect(triggerPhraseProblem(takes('none'), 'ohwx')).toMatch(/^Some LoRA takes no trigger phrase/);
  });
});
