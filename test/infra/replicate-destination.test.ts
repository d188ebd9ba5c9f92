// The Replicate destination is stack configuration: every function that reads the trainer catalog or submits
// to a provider gets it, from a prop or from `-c replicateDestination=owner/name`.
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { LoraworksStack } from '#lib/loraworks-stack';
import { STACK_ID, synthesizeTemplate } from '#lib/synth';
import { handlerOf, ofType, type Template } from './template-helpers';

/** Handler name → its environment, for every function that can reach the trainer keys. */
function trainerFunctions(template: Template): Record<string, Record<string, unknown>> {
  return Object.fromEntries(ofType(template, 'AWS::Lambda::Function')
    .filter(([, fn]) => fn.Properties.Environment?.Variables?.TRAINER_SECRET_ARN)
    .map(([id, fn]) => [handlerOf(template, id), fn.Properties.Environment.Variables]));
}

describe('replicateDestination', () => {
  it('reaches every function that reads the trainer catalog or submits to a provider, from the stack props', () => {
    const functions = trainerFunctions(synthesizeTemplate({ bundling: false, stackProps: { replicateDestination: 'me/my-loras' } }) as Template);
    expect(Object.keys(functions)).toEqual(expect.arrayContaining(['training-submit', 'list-trainers', 'create-job', 'validate-dataset']));
    for (const [handler, env] of Object.entries(functions)) expect(env.REPLICATE_DESTINATION, handler).toBe('me/my-loras');
  });

  it('is read from the context value when the props name none, and is left unset when neither does', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], replicateDestination: 'team/loras' } });
    const stack = new LoraworksStack(app, STACK_ID);
    const fromContext = trainerFunctions(app.synth().getStackByName(stack.stackName).template as Template);
    expect(fromContext['training-submit']?.REPLICATE_DESTINATION).toBe('team/loras');
    expect(fromContext['list-trainers']?.REPLICATE_DESTINATION).toBe('team/loras');

    const unset = trainerFunctions(synthesizeTemplate({ bundling: false }) as Template);
    for (const [handler, env] of Object.entries(unset)) expect(env.REPLICATE_DESTINATION, handler).toBeUndefined();
  });

  it('refuses a value that is not owner/name, saying what to set', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    expect(() => new LoraworksStack(app, STACK_ID, { replicateDestination: 'https://replicate.com/me/my-loras' }))
      .toThrow(/replicateDestination must be the owner\/name of a Replicate model/);
  });
});
