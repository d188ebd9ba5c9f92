/**
 * CloudFormation metadata key naming the handler (functions/handlers/<name>.ts) a function, route or
 * authorizer runs. The stack writes it; the local cloud reads it to run the same handler. Kept free of CDK
 * imports so that the local cloud's template reader needs none.
 */
export const HANDLER_METADATA_KEY = 'loraworks:handler';

/** CloudFormation metadata key naming the local cloud's principal of an IAM user (lib/local/aws/local-credentials.ts). */
export const PRINCIPAL_METADATA_KEY = 'loraworks:principal';
