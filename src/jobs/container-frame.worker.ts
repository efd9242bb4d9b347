import { transferred } from '../worker-pool/worker-pool';
import { type ContainerFrame, type ContainerFrameTask, readContainerFrame } from './container-frame';

/** Worker-thread entry (see ContainerFrames): the encoded AgentJobDone goes back to the event loop without a copy. */
export default function readInWorker(task: ContainerFrameTask): ContainerFrame {
  const frame = readContainerFrame(task);
  if (frame.kind === 'result' && frame.result.accepted) return transferred(frame, [frame.result.jobDone.buffer as ArrayBuffer]);
  return frame;
}
