/** Labels on every container the agent creates (beyond the Python agent): who owns it, for which job, in which role. */
export const LABEL_AGENT_ID = 'org.inginious.agent.id';
export const LABEL_JOB_ID = 'org.inginious.agent.job';
export const LABEL_ROLE = 'org.inginious.agent.role';

/** `warm`: a grading container made ahead of demand, idle in the warm pool (it keeps this role once a job takes it). */
export type ContainerRole = 'grading' | 'student' | 'warm';

/** Labels grading images carry (wire.md §2). */
export const GRADING_LABEL_PREFIX = 'org.inginious.grading.';
export const IMAGE_LABEL_NAME = 'org.inginious.grading.name';
export const IMAGE_LABEL_GENERATION = 'org.inginious.grading.agent_version';
export const IMAGE_LABEL_PORTS = 'org.inginious.grading.ports';
export const IMAGE_LABEL_NEED_ROOT = 'org.inginious.grading.need_root';
export const IMAGE_LABEL_NEED_GPU = 'org.inginious.grading.need_gpu';
export const IMAGE_LABEL_ADVERTISE = 'org.inginious.grading.advertise';
