// The CDK app (cdk.json: `npx tsx bin/app.ts`). cdk-nag's AWS Solutions checks run on every synth.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { LoraworksStack } from '#lib/loraworks-stack';
import { STACK_ID } from '#lib/synth';

const app = new App();
new LoraworksStack(app, STACK_ID, {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  extraCorsOrigins: process.env.LORAWORKS_EXTRA_CORS_ORIGINS?.split(',').filter(Boolean),
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
