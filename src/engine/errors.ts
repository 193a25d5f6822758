// One error type for everything that makes a model folder unusable, with a message a user can act on.

export type ModelProblem =
  | 'missing-folder'
  | 'missing-file'
  | 'bad-config'
  | 'not-a-decoder'
  | 'bad-onnx'
  | 'contract'
  | 'tokenizer'
  | 'too-large'
  /** Not a regular file (FIFO, device, folder) or over its size cap. */
  | 'bad-file'
  /** The load did not finish in time. */
  | 'timeout';

export class ModelError extends Error {
  constructor(
    readonly problem: ModelProblem,
    message: string,
  ) {
    super(message);
    this.name = 'ModelError';
  }
}
