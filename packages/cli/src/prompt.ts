import readline from "node:readline";

/** Ask on the terminal; `secret` hides what is typed. Fails clearly when there is no terminal. */
export async function ask(question: string, secret = false): Promise<string> {
  if (!process.stdin.isTTY)
    throw new Error(`${question.replace(/:\s*$/, "")} is required (no terminal to ask on): pass it as a flag`);
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  if (secret) {
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput.bind(rl);
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      write(s.startsWith(question) ? s : s.replace(/[^\r\n]/g, ""));
    };
  }
  try {
    return await new Promise<string>((resolve) => rl.question(question, resolve));
  } finally {
    rl.close();
    if (secret) process.stderr.write("\n");
  }
}
