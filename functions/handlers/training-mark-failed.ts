import { failTraining } from '#app/fail-training';
import { workflowTask } from '#events/workflow-task';

export const handler = workflowTask(failTraining);
