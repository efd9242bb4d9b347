/** A job refused before any container exists; its message is the text the student and course staff will read. */
export class JobRejected extends Error {}
