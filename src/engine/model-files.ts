// Where model files come from. The engine never touches the file system directly: the Node
// host reads with `fs`, the VS Code web host with `vscode.workspace.fs`, tests with fixtures.

export interface ModelFiles {
  /** A human-readable location for messages. */
  readonly location: string;
  readText(relativePath: string): Promise<string>;
  readBytes(relativePath: string): Promise<Uint8Array>;
  /** File names directly inside a folder of the model ('' = the model folder itself). */
  list(relativeFolder: string): Promise<string[]>;
  /** Size in bytes, or undefined when the file does not exist. */
  size(relativePath: string): Promise<number | undefined>;
}
