import { App } from 'aws-cdk-lib';
import type { Template } from './cloudformation';
import { LoraworksStack, type LoraworksStackProps } from './loraworks-stack';

export { HANDLER_METADATA_KEY } from './handler-metadata';

/** Construct id (and CloudFormation stack name) of the Loraworks stack. */
export const STACK_ID = 'Loraworks';

export interface SynthOptions {
  /** Bundle the handlers with esbuild. Without it, synthesis takes seconds and the code assets are placeholders. @default true */
  readonly bundling?: boolean;
  /** Props of the stack. @default {} */
  readonly stackProps?: LoraworksStackProps;
}

/** Builds the app and stack in memory; returns both (tests use the stack for assertions and cdk-nag). */
export function buildApp(options: SynthOptions = {}): { app: App; stack: LoraworksStack } {
  const app = new App({
    // '[]' names no stack to bundle, so NodejsFunction skips esbuild.
    context: options.bundling === false ? { 'aws:cdk:bundling-stacks': [] } : {},
  });
  const stack = new LoraworksStack(app, STACK_ID, options.stackProps ?? {});
  return { app, stack };
}

/**
 * Synthesizes the Loraworks stack in-process and returns its CloudFormation template. The local cloud reads the
 * state machine definition, routes and `loraworks:handler` metadata from it.
 */
export function synthesizeTemplate(options: SynthOptions = {}): Template {
  const { app, stack } = buildApp(options);
  return app.synth().getStackByName(stack.stackName).template as Template;
}
