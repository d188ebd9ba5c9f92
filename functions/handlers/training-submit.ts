import { submitTraining } from '#app/submit-training';
import { workflowTask } from '#events/workflow-task';

export const handler = workflowTask(submitTraining);
