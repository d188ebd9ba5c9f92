import { collectLora } from '#app/collect-lora';
import { workflowTask } from '#events/workflow-task';

export const handler = workflowTask(collectLora);
