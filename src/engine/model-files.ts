// Where model files come from. The engine never touches the file system directly: the Node
// host reads with `fs`, the VS Code web host with `vscode.workspace.fs`, tests with fixtures.

export interface ModelFiles {
  /** A human-readable location for messages. */
  readonly location: string;
  /**
   * Reads a regular file of at most `maxBytes` (a FIFO, a device such as /dev/zero or a folder
   * is refused before it is opened, a larger file before it is read: ModelError 'bad-file').
   */
  readText(relativePath: string, maxBytes?: number): Promise<string>;
  readBytes(relativePath: string, maxBytes?: number): Promise<Uint8Array>;
  /** File names directly inside a folder of the model ('' = the model folder itself). */
  list(relativeFolder: string): Promise<string[]>;
  /** Size in bytes, or undefined when the file does not exist. */
  size(relativePath: string): Promise<number | undefined>;
}
