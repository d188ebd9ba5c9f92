import { describe, expect, it } from 'vitest';
import { DATASET_ID_PATTERN } from '#domain/identifiers';
import { safeText, unsafeTextProblem, zipFileNameProblem, ZIP_FILE_NAME_RULE } from '#domain/safe-text';
import { CreateJobRequest, CreateUploadRequest, DatasetId, IdempotencyKey } from '#domain/schemas';
import { fallbackTrainers, findTrainer } from '#domain/trainer-catalog';
import { validateTrainingRequest } from '#domain/training-request';

describe('safe single-line text', () => {
  it.each([
    ['NUL', '\u0000'], ['a tab', '\t'], ['CR', '\r'], ['LF', '\n'], ['ESC', '\u001b'], ['DEL', '\u007f'], ['a C1 control (CSI)', '\u009b'],
  ])('refuses %s as a control character', (_, char) => {
    expect(unsafeTextProblem(`a${char}b`)).toMatch(/control characters/);
  });

  it.each(['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'])('refuses bidi control U+%s', (char) => {
    expect(unsafeTextProblem(`a${char}b`)).toMatch(/bidirectional override or isolate/);
  });

  it('refuses lone surrogates, high or low, and keeps paired ones (emoji)', () => {
    expect(unsafeTextProblem('a\ud800b')).toMatch(/lone surrogates/);
    expect(unsafeTextProblem('a\udc00')).toMatch(/lone surrogates/);
    expect(unsafeTextProblem('portrait 😀')).toBeUndefined();
  });

  it('keeps ordinary text in any script, with right-to-left letters and the marks it needs', () => {
    for (const text of ['Faces 2024', 'café crème', 'שלום עולם', 'مرحبا', '日本語のデータ', 'a\u200fb (RLM)', 'tok, sks person']) {
      expect(unsafeTextProblem(text), text).toBeUndefined();
    }
  });

  it('as a schema, names the field and the rule, after trimming the spaces around it', () => {
    const schema = safeText('The dataset name');
    expect(schema.parse('  Faces \n')).toBe('Faces');
    const result = schema.safeParse('Fa\u202Eces');
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toBe(
      'The dataset name must not contain bidirectional override or isolate characters (U+202A–U+202E, U+2066–U+2069); remove them and send it again.');
  });
});

describe('an upload’s file name', () => {
  it.each(['set.zip', 'My Set (2).ZIP', 'a+b.zip', 'café #1 100%.zip', '.hidden.zip', 'x'.repeat(251) + '.zip'])('takes %j', (name) => {
    expect(zipFileNameProblem(name)).toBeUndefined();
    expect(CreateUploadRequest.safeParse({ fileName: name, sizeBytes: 1 }).success).toBe(true);
  });

  it.each(['a/b.zip', '/abs.zip', 'a\\b.zip', '..', '../x.zip', '..zip', 'a..zip', 'x\r\n.zip', 'x\u0000.zip', 'set.zip.exe', 'set', '.zip', 'x'.repeat(252) + '.zip'])(
    'refuses %j with the rule', (name) => {
      expect(zipFileNameProblem(name)).toBe(ZIP_FILE_NAME_RULE);
      const result = CreateUploadRequest.safeParse({ fileName: name, sizeBytes: 1 });
      expect(result.error?.issues.map((issue) => [issue.path.join('.'), issue.message])).toEqual([['fileName', ZIP_FILE_NAME_RULE]]);
    });

  it('refuses a bidi override or a lone surrogate, saying which', () => {
    expect(zipFileNameProblem('photos\u202Epiz.zip')).toMatch(/^The file name must not contain bidirectional/);
    expect(zipFileNameProblem('photos\ud800.zip')).toMatch(/^The file name must not contain lone surrogates/);
  });
});

describe('ids and keys a client sends', () => {
  it('a dataset id is what a direct upload may create: 1–80 of [A-Za-z0-9._-], first a letter or digit', () => {
    expect(DatasetId.safeParse('01JABCDEFGHJKMNPQRSTVWXYZ0').success).toBe(true);
    expect(DatasetId.safeParse(`a${'b'.repeat(79)}`).success).toBe(true);
    expect(DatasetId.safeParse(`a${'b'.repeat(80)}`).success).toBe(false);
    for (const id of ['', '.hidden', 'a/b', 'a b', 'a#b']) expect(DatasetId.safeParse(id).success, id).toBe(false);
    expect(DATASET_ID_PATTERN.test('my-set_v2.final')).toBe(true);
  });

  it('an Idempotency-Key is safe text of at most 255 characters', () => {
    expect(IdempotencyKey.safeParse('0b9f0c2e-6a59-4a55-8f57-2d8f0d7b6a11').success).toBe(true);
    expect(IdempotencyKey.safeParse('k'.repeat(255)).success).toBe(true);
    expect(IdempotencyKey.safeParse('k'.repeat(256)).success).toBe(false);
    expect(IdempotencyKey.safeParse('k\u0000').success).toBe(false);
  });

  it('a job request’s datasetId is checked the same way', () => {
    expect(CreateJobRequest.safeParse({ trainerId: 't', datasetId: 'd'.repeat(2_000) }).error?.issues[0]?.path).toEqual(['datasetId']);
  });
});

describe('a training request (the rule the web form shares)', () => {
  const kontext = findTrainer(fallbackTrainers, 'fal-ai/flux-kontext-trainer')!;
  const fast = findTrainer(fallbackTrainers, 'fal-ai/flux-lora-fast-training')!;

  it('refuses a trigger phrase with an ESC sequence, naming the field', () => {
    expect(validateTrainingRequest(fast, { triggerPhrase: 'tok\u001b[31m', params: {} })).toEqual({
      details: [{ field: 'triggerPhrase', message: expect.stringMatching(/^The trigger phrase must not contain control characters/) }],
    });
  });

  it('refuses a free-text parameter with a bidi override, naming the parameter', () => {
    expect(validateTrainingRequest(kontext, { params: { defaultCaption: 'a photo \u202Eof' } })).toEqual({
      details: [{ field: 'params.defaultCaption', message: expect.stringMatching(/^Default caption must not contain bidirectional/) }],
    });
  });

  it('keeps ordinary free text', () => {
    expect(validateTrainingRequest(kontext, { params: { defaultCaption: 'a photo of café, 日本' } })).toMatchObject({ values: { defaultCaption: 'a photo of café, 日本' } });
  });
});
